"""The directory quality report: what a directory's manager asks of their own feed.

Per feed, the share of services with a valid id, a place, ages, a taxonomy term (and one
that maps to a category), contact details, opening times and an update within the last N
months; services that repeat another's name and place; and every taxonomy term with how
many services carry it, the category it maps to, or, when the term's words make it
obvious, the category it would suggest (from the category keys and labels in config and a
small list of synonyms, :data:`SYNONYMS`).

Example
-------
>>> quality = directory_quality(directory, feed="https://example.org/services",
...     labels={"parenting": "Parenting programmes"})                 # doctest: +SKIP
>>> quality.summary[["measure", "services", "share"]]                 # doctest: +SKIP
"""

from __future__ import annotations

__all__ = ["SYNONYMS", "DirectoryQuality", "directory_quality", "suggest_category"]

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from earlyhelp.sources._oruk_pages import Directory
from earlyhelp.sources._oruk_service import ServiceRecord
from earlyhelp.sources.openreferral import mapping_keys, term_key

# Words and phrases that say a term is one of the shipped kinds of help (config.toml's
# category keys); only keys the run's config has are ever suggested.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "childrens_centre": ("children's centre", "childrens centre", "family hub", "family centre",
                         "stay and play", "stay & play", "toddler", "baby group", "under fives"),
    "family_support": ("family support", "early help", "families", "family worker",
                       "supporting families", "family outreach"),
    "parenting": ("parenting", "parents", "parent", "triple p", "incredible years"),
    "domestic_abuse": ("domestic abuse", "domestic violence", "abuse", "refuge", "violence"),
    "mental_health": ("mental", "emotional", "wellbeing", "well-being", "counselling",
                      "anxiety", "camhs", "self harm", "self-harm", "bereavement"),
    "substance_misuse": ("drug", "drugs", "alcohol", "substance", "addiction"),
    "youth_work": ("youth", "young people", "teenagers", "teens", "youth club"),
    "health_visiting": ("health visiting", "health visitor", "baby clinic", "child health clinic",
                        "breastfeeding", "infant feeding"),
    "speech_language": ("speech", "language", "communication", "talking"),
    "send_support": ("send", "special educational needs", "disability", "disabilities",
                     "disabled", "autism", "additional needs", "sensory"),
    "money_housing_advice": ("money", "debt", "benefits", "housing", "homeless",
                             "homelessness", "welfare rights", "financial", "food bank"),
    "early_education": ("early education", "nursery", "nurseries", "pre school", "preschool",
                        "pre-school", "funded childcare", "childcare", "early years"),
}  # fmt: skip
_GENERIC = {"and", "or", "the", "of", "for", "to", "in", "with", "a", "an", "support",
            "services", "service", "help", "advice", "groups", "group", "children", "child",
            "childrens", "young", "people", "programmes", "programme", "clinics",
            "work"}  # fmt: skip


@dataclass(frozen=True)
class DirectoryQuality:
    """A feed's quality report: ``summary`` (measure, services, share, of) one row per
    measure; ``terms`` one row per taxonomy term; ``duplicates`` one row per repeated name
    and place."""

    feed: str
    summary: pd.DataFrame
    terms: pd.DataFrame
    duplicates: pd.DataFrame


def directory_quality(
    directory: Directory,
    *,
    feed: str,
    mapping: Mapping[str, object] | None = None,
    labels: Mapping[str, str] | None = None,
    updated_within_months: int = 12,
    reference_date: str | date | None = None,
) -> DirectoryQuality:
    """The quality report of a directory read by
    :func:`~earlyhelp.sources._oruk_pages.read_directory` (every record it read, those
    without an id or repeated included).

    ``mapping`` is the taxonomy mapping used (term -> category keys); ``labels`` the
    category keys and labels of the run's config, from which suggestions are made.
    """
    records = directory.records or directory.services
    keys = mapping_keys(mapping or {})
    ids = Counter(s.values["service_id"] for s in records)
    ref = pd.Timestamp(reference_date if reference_date is not None else date.today())
    since = ref.normalize() - pd.DateOffset(months=updated_within_months)
    updated = pd.to_datetime(
        pd.Series([s.updated for s in records], dtype="string").replace("", None),
        errors="coerce",
        format="ISO8601",
        utc=True,
    ).dt.tz_localize(None)
    dupes = _duplicates(records)
    in_dupes = {sid for ids_ in dupes["service_ids"] for sid in ids_.split("; ")}
    checks = {
        "a valid id (given, used once)": [
            bool(s.values["service_id"]) and ids[s.values["service_id"]] == 1 for s in records
        ],
        "a place (coordinates or a postcode)": [_placed(s) for s in records],
        "online or by phone (needs no place)": [
            s.values["delivery"] in ("online", "phone") for s in records
        ],
        "ages (a minimum or maximum)": [
            s.values["min_age"] is not None or s.values["max_age"] is not None for s in records
        ],
        "a taxonomy term": [bool(s.terms) for s in records],
        "a term mapped to a category": [
            any(term_key(k) in keys and keys[term_key(k)] for t in s.terms for k in t[:3] if k)
            for s in records
        ],
        "contact details (phone or e-mail)": [bool(s.values["contact"]) for s in records],
        "opening times": [bool(s.values["opening_times"]) for s in records],
        f"updated within {updated_within_months} months of {ref:%Y-%m-%d}": list(
            (updated >= since).fillna(False).astype(bool)
        ),
        "a duplicate (same name and place as another)": [
            s.values["service_id"] in in_dupes for s in records
        ],
    }
    if not keys:
        del checks["a term mapped to a category"]
    n = len(records)
    summary = pd.DataFrame(
        {
            "feed": feed,
            "measure": ["services read", *checks],
            "services": [n, *(int(np.sum(v)) for v in checks.values())],
            "of": n,
        }
    )
    summary["share"] = (summary["services"] / n).round(3) if n else np.nan
    return DirectoryQuality(feed, summary, _terms(records, keys, labels), dupes)


def _placed(s: ServiceRecord) -> bool:
    return s.values["latitude"] is not None or bool(s.values["postcode"])


def _duplicates(records: list[ServiceRecord]) -> pd.DataFrame:
    """Services that share a name (case and spaces ignored) and a place with another."""
    groups: dict[tuple[str, str], list[ServiceRecord]] = {}
    for s in records:
        if s.values["name"] and s.place:
            groups.setdefault((term_key(s.values["name"]), s.place), []).append(s)
    rows = [
        {
            "name": group[0].values["name"],
            "place": place,
            "services": len(group),
            "service_ids": "; ".join(s.values["service_id"] for s in group),
        }
        for (_, place), group in groups.items()
        if len(group) > 1
    ]
    return pd.DataFrame(rows, columns=["name", "place", "services", "service_ids"])


def _terms(
    records: list[ServiceRecord], keys: dict[str, list[str]], labels: Mapping[str, str] | None
) -> pd.DataFrame:
    """Every term, how many services carry it, its category or a suggested one."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for s in records:
        for t in dict.fromkeys((t.name or t.code or t.id, t.vocabulary, t.id) for t in s.terms):
            counts[t] += 1
    rows = []
    for (name, vocab, tid), n in counts.most_common():
        mapped = next((keys[term_key(k)] for k in (tid, name) if k and term_key(k) in keys), None)
        rows.append(
            {
                "term": name,
                "category": ";".join(mapped) if mapped else "",
                "services": n,
                "mapped": mapped is not None,
                "suggested": "" if mapped is not None else suggest_category(name, labels),
                "vocabulary": vocab,
                "term_id": tid,
            }
        )
    columns = ["term", "category", "services", "mapped", "suggested", "vocabulary", "term_id"]
    return pd.DataFrame(rows, columns=columns)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+", text.lower().replace("'s", "s"))]


def suggest_category(term: str, labels: Mapping[str, str] | None = None) -> str:
    """The category a term's words make obvious, or "" when none does or two tie.

    A category's words are its key's, its label's and :data:`SYNONYMS`' (phrases count
    double); generic words (support, services, children...) count for nothing. With
    ``labels`` (the run's categories: key -> label) only those keys are suggested; without,
    the keys of :data:`SYNONYMS` (the shipped config's).

    >>> suggest_category("Domestic violence and abuse")
    'domestic_abuse'
    >>> suggest_category("Things to do")
    ''
    """
    choices = dict(labels) if labels else {k: k.replace("_", " ") for k in SYNONYMS}
    said = " ".join(_words(term))
    words = set(_words(term)) - _GENERIC
    scores: dict[str, int] = {}
    for key, label in choices.items():
        own = (set(_words(key.replace("_", " "))) | set(_words(label))) - _GENERIC
        score = sum(1 for w in words if any(_same(w, o) for o in own))
        for phrase in SYNONYMS.get(key, ()):
            found = re.search(rf"\b{re.escape(' '.join(_words(phrase)))}s?\b", said)
            if found:
                score += 2 if " " in phrase else 1
        if score:
            scores[key] = score
    if not scores:
        return ""
    best = max(scores.values())
    top = [k for k, v in scores.items() if v == best]
    return top[0] if len(top) == 1 else ""


def _same(a: str, b: str) -> bool:
    """Two words alike: equal, a plural, or one a longer form of the other (4+ letters)."""
    if a == b or a == f"{b}s" or b == f"{a}s":
        return True
    return min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a))
