"""From an extract's keys to counts: episodes started and closed, how they closed,
re-referrals, referrals by source and factor, by district, area, reason, lead
organisation and service. The keys are dropped once counted.

Definitions (all over the period reported on, :class:`Period`):

- **started**: early help episodes (assessments) that started in the period;
- **closed**: episodes that ended in the period, by how they closed
  (:data:`~earlyhelp.config.extracts.OUTCOMES`; blank or unknown closure reasons count
  as ``other``);
- **step-up**: closed episodes that closed by stepping up to children's social care;
- **re-referral within 12 months** (``follow_up_days``): of episodes closed in the period
  other than by step-up, whose follow-up had ended by the extract's last date
  (``followed_up``), those whose child had a new early help episode or a referral to
  children's social care within that many days after closing (``rereferred``);
- **referrals**: referrals to children's social care made in the period, by source and by
  the factors recorded.
"""

from __future__ import annotations

__all__ = [
    "CUBE_KEYS",
    "EPISODE_COUNTS",
    "NOT_RECORDED",
    "SERVICE_KEYS",
    "CaseCounts",
    "Period",
    "count_episodes",
    "count_referrals",
]

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from earlyhelp.casework.extract import NO_DATE, Keys
from earlyhelp.casework.vocabulary import TOXIC_TRIO, factor_key, outcome_of, source_of
from earlyhelp.config import CaseworkConfig
from earlyhelp.config.extracts import OUTCOMES
from earlyhelp.validation import ValidationReport

NOT_RECORDED = "not recorded"
SERVICE_KEYS = ("reason", "category", "provider", "service_id")
# Episodes counted by every key a published table groups them by at once (each published
# figure is a sum of these counts: the disclosure audit's base cells).
CUBE_KEYS = ("district", "lead_organisation", *SERVICE_KEYS)
EPISODE_COUNTS = ("started", "closed", *OUTCOMES, "followed_up", "rereferred")
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Period:
    """The period reported on, as day numbers since 1970 (both ends included), the
    re-referral follow-up and the last date in the extracts."""

    start: int
    end: int
    follow_up_days: int
    extract_end: int

    @property
    def years(self) -> float:
        """The period's length in years (365.25 days), to give rates a year."""
        return (self.end - self.start + 1) / 365.25

    def label(self) -> str:
        """``"1 April 2024 to 31 March 2025"``."""
        return f"{_date_text(self.start)} to {_date_text(self.end)}"

    @classmethod
    def of(cls, cfg: CaseworkConfig, extract_end: int) -> Period:
        """The configured period, or the year ending ``follow_up_days`` before the
        extract's last date."""
        if cfg.period_start:
            start = (dt.date.fromisoformat(cfg.period_start) - _EPOCH).days
            end = (dt.date.fromisoformat(cfg.period_end) - _EPOCH).days
        else:
            end = extract_end - cfg.follow_up_days
            start = end - 364
        return cls(start, end, cfg.follow_up_days, extract_end)


def _date_text(day: int) -> str:
    d = _EPOCH + dt.timedelta(days=int(day))
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class CaseCounts:
    """Counts only: nothing about any one child.

    ``episodes`` maps a grouping (``district``, ``area``, ``reason``,
    ``lead_organisation``, ``service``) to a table of :data:`EPISODE_COUNTS` (the
    ``service`` table is indexed by :data:`SERVICE_KEYS`, and ``cube`` by
    :data:`CUBE_KEYS`: every published grouping at once); ``referrals``
    maps ``district`` and ``area`` to referrals made in the period and those recording
    each of the toxic trio; ``sources`` is referrals by district and DfE source.
    """

    period: Period
    episodes: dict[str, pd.DataFrame]
    referrals: dict[str, pd.DataFrame]
    sources: pd.DataFrame


def count_episodes(
    keys: Keys,
    *,
    period: Period,
    outcomes_map: dict[str, str],
    later: tuple[np.ndarray, np.ndarray],
    report: ValidationReport,
    file: str,
) -> dict[str, pd.DataFrame]:
    """Episode counts by every grouping (see the module's definitions).

    ``later`` holds every event that counts as a re-referral (child hash, day): the
    starts of episodes and the referrals to social care.
    """
    start, end = keys.dates["start_date"], keys.dates["end_date"]
    closed = (end != NO_DATE) & (end >= period.start) & (end <= period.end)
    outcome = _outcomes(keys, outcomes_map, closed, report, file)
    flags = {
        "started": (start >= period.start) & (start <= period.end),
        "closed": closed,
        **{name: closed & (outcome == i) for i, name in enumerate(OUTCOMES)},
    }
    followed = closed & (outcome != OUTCOMES.index("stepped_up"))
    followed &= end.astype(np.int64) + period.follow_up_days <= period.extract_end
    flags["followed_up"] = followed
    flags["rereferred"] = _returned(keys.child, end, followed, later, period.follow_up_days)
    out: dict[str, pd.DataFrame] = {
        group: _count_by(keys.codes[group], keys.vocab[group], flags)
        for group in ("district", "area", "reason", "lead_organisation")
        if group in keys.codes
    }
    out["service"] = _count_by_keys(keys, flags, SERVICE_KEYS)
    out["cube"] = _count_by_keys(keys, flags, CUBE_KEYS)
    return out


def count_referrals(
    keys: Keys,
    *,
    period: Period,
    sources_map: dict[str, str],
    report: ValidationReport,
    file: str,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Referrals made in the period by district and area (with the toxic trio), and by
    district and source."""
    day = keys.dates["referral_date"]
    made = (day >= period.start) & (day <= period.end)
    flags = {"referrals": made}
    if "factors" in keys.codes:
        trio = _factor_flags(keys.vocab["factors"])
        codes = keys.codes["factors"]
        for i, name in enumerate(TOXIC_TRIO):
            has = np.append(trio[:, i], False)  # the last entry: a blank cell (-1)
            flags[name] = made & has[codes]
    by = {g: _count_by(keys.codes[g], keys.vocab[g], flags) for g in ("district", "area")}
    return by, _sources(keys, made, sources_map, report, file)


# --------------------------------------------------------------------------- helpers


def _outcomes(
    keys: Keys, mapping: dict[str, str], closed: np.ndarray, report: ValidationReport, file: str
) -> np.ndarray:
    """Each row's outcome as a position in OUTCOMES (``other`` for blank or unknown)."""
    if "outcome" not in keys.codes:
        report.warn(
            file,
            "outcome",
            "the episodes say nothing of how they closed: needs met and step-up are unknown",
            "add the closure reason column and map it as outcome",
        )
        return np.full(len(keys), OUTCOMES.index("other"))
    vocab = keys.vocab["outcome"]
    found = [outcome_of(v, mapping) for v in vocab]
    unknown = [v for v, f in zip(vocab, found, strict=True) if f is None]
    position = np.array(
        [OUTCOMES.index(f or "other") for f in found] + [OUTCOMES.index("other")], dtype=np.int8
    )
    codes = keys.codes["outcome"]
    if unknown:
        n = int(np.isin(codes, [vocab.index(u) for u in unknown]).sum())
        report.warn(
            file,
            "outcome",
            f"{n} episode(s) closed with reasons not recognised ({', '.join(unknown[:5])}); "
            "they count as 'other'",
            'map them under [casework.outcomes], e.g. "Plan completed" = "needs_met"',
        )
    blank = closed & (codes < 0)
    if blank.any():
        report.warn(
            file,
            "outcome",
            f"{int(blank.sum())} closed episode(s) have no closure reason; they count as 'other'",
            "record how each episode closed",
        )
    return position[codes]


def _returned(
    child: np.ndarray,
    end: np.ndarray,
    base: np.ndarray,
    later: tuple[np.ndarray, np.ndarray],
    within: int,
) -> np.ndarray:
    """Whether each episode in ``base`` has an event of its child within ``within`` days
    after ``end`` (False outside ``base``).

    Children are ranked and each (child, day) becomes one sortable number, so one binary
    search per episode (in sorted order, which keeps it fast) finds the child's next event.
    """
    ev_child, ev_day = later
    out = np.zeros(len(child), bool)
    rows = np.flatnonzero(base)
    if len(rows) == 0 or len(ev_child) == 0:
        return out
    _, inverse = np.unique(np.concatenate([child[rows], ev_child]), return_inverse=True)
    base_day = int(min(end[rows].min(), ev_day[ev_day != NO_DATE].min(initial=end[rows].min())))
    shift = np.int64(1 << 22)  # days since base_day fit in 22 bits (over 11,000 years)
    ep_rank = inverse[: len(rows)].astype(np.int64)
    ev_rank = inverse[len(rows) :].astype(np.int64)
    known = ev_day != NO_DATE
    events = np.sort(ev_rank[known] * shift + (ev_day[known].astype(np.int64) - base_day))
    at = ep_rank * shift + (end[rows].astype(np.int64) - base_day)
    order = np.argsort(at, kind="stable")
    nxt = np.empty(len(at), dtype=np.int64)
    nxt[order] = np.searchsorted(events, at[order], side="right")
    found = nxt < len(events)
    following = events[np.minimum(nxt, len(events) - 1)]
    same = found & (following // shift == ep_rank)
    out[rows] = same & (following - at <= within)
    return out


def _count_by(codes: np.ndarray, vocab: list[str], flags: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sum of each flag by code (blank codes under "not recorded")."""
    labels = [*vocab, NOT_RECORDED]
    shifted = np.where(codes < 0, len(vocab), codes)
    frame = pd.DataFrame(
        {
            name: np.bincount(shifted, weights=flag, minlength=len(labels)).astype(np.int64)
            for name, flag in flags.items()
        },
        index=pd.Index(labels, name="group"),
    )
    return frame.loc[frame.sum(axis=1) > 0]


def _count_by_keys(
    keys: Keys, flags: dict[str, np.ndarray], columns: tuple[str, ...]
) -> pd.DataFrame:
    """Counts by the key ``columns`` together (each "not recorded" where blank): the codes
    packed into one integer per row, counted with ``bincount`` and labelled after (no
    frame as long as the extract)."""
    rows = np.logical_or.reduce(list(flags.values()))  # only rows that count
    key = np.zeros(int(rows.sum()), dtype=np.int64)
    sizes = []
    for column in columns:
        size = len(keys.vocab.get(column, [])) + 1  # the last code: not recorded
        found = keys.codes.get(column)
        codes = np.full(len(key), size - 1) if found is None else found[rows]
        key = key * size + np.where(codes < 0, size - 1, codes)
        sizes.append(size)
    groups, inverse = np.unique(key, return_inverse=True)
    counts = pd.DataFrame(
        {
            name: np.bincount(inverse, weights=flag[rows], minlength=len(groups)).astype(np.int64)
            for name, flag in flags.items()
        }
    )
    labels = []
    for column, size in zip(reversed(columns), reversed(sizes), strict=True):
        vocab = np.array([*keys.vocab.get(column, []), NOT_RECORDED], dtype=object)
        labels.append(vocab[groups % size])
        groups = groups // size
    counts.index = pd.MultiIndex.from_arrays(labels[::-1], names=list(columns))
    return counts.groupby(level=list(range(len(columns)))).sum()


def _factor_flags(vocab: list[str]) -> np.ndarray:
    """For each distinct factors cell, whether it records each of the toxic trio."""
    out = np.zeros((len(vocab), len(TOXIC_TRIO)), bool)
    for i, cell in enumerate(vocab):
        found = {factor_key(part) for part in cell.replace(",", ";").split(";") if part.strip()}
        out[i] = [name in found for name in TOXIC_TRIO]
    return out


def _sources(
    keys: Keys, made: np.ndarray, mapping: dict[str, str], report: ValidationReport, file: str
) -> pd.DataFrame:
    """Referrals made in the period by district and DfE source."""
    districts = np.array([*keys.vocab["district"], NOT_RECORDED], dtype=object)
    dist = districts[
        np.where(keys.codes["district"] < 0, len(districts) - 1, keys.codes["district"])
    ]
    if "source" not in keys.codes:
        source = np.full(len(keys), "unknown", dtype=object)
    else:
        vocab = keys.vocab["source"]
        found = [source_of(v, mapping) for v in vocab]
        unknown = [v for v, f in zip(vocab, found, strict=True) if f is None]
        if unknown:
            report.warn(
                file,
                "source",
                f"referral sources not recognised ({', '.join(unknown[:5])}) count as 'other'",
                'map them under [casework.sources], e.g. "GP practice" = "health_services"',
            )
        names = np.array([f or "other" for f in found] + ["unknown"], dtype=object)
        source = names[np.where(keys.codes["source"] < 0, len(vocab), keys.codes["source"])]
    frame = pd.DataFrame({"district": dist[made], "source": source[made]})
    return frame.value_counts().rename("referrals").reset_index()
