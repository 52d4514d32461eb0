"""Open Referral service directories, as councils and their suppliers publish them.

Reads the JSON of an Open Referral UK (ORUK 1.x or 3.0) or HSDS 3.0 ``/services``
endpoint, and the supplier dialects in use (Outpost, Placecube, Open Objects and the like):
a paged response in any envelope (``{"totalElements", "totalPages", "number", ...,
"content": [...]}``, ``{"total_items", "total_pages", "page_number", ..., "contents":
[...]}``, keys in any case, empty pages), a plain list of services, one service, a folder
of page files or a list of them. The field rules are listed in
:mod:`earlyhelp.sources._oruk_service`; a feed's URL is fetched by
:func:`earlyhelp.sources.feed.fetch_feed`.

Each service becomes one row of earlyhelp's canonical services table. Taxonomy terms are
turned into category keys through a mapping the analyst writes (term name, code or id ->
category key); every term left unmapped is reported with the number of services carrying
it, so the mapping can be completed from the warning itself. When no service at all could
be used, that is an error saying why (no term mapped, no place, all closed or stale).

Example
-------
>>> report = ValidationReport()                                      # doctest: +SKIP
>>> services = read_openreferral(
...     "directory/", report=report,
...     categories={"Parenting support": "parenting", "Domestic abuse": "domestic_abuse"},
...     stale_after_days=365, reference_date="2025-06-01")              # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "OUTPUT_COLUMNS",
    "mapping_keys",
    "read_openreferral",
    "read_taxonomy_map",
    "services_table",
    "term_key",
]

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._oruk_checks import (
    checked_values,
    flag_stale,
    report_problems,
    report_unlocated,
    unplaced,
    warn_each_file,
)
from earlyhelp.sources._oruk_pages import Directory, read_directory
from earlyhelp.sources._oruk_service import ServiceRecord
from earlyhelp.sources._tables import expand_paths, find_column, read_text_table, text
from earlyhelp.validation import ValidationReport

OUTPUT_COLUMNS = (
    "service_id",
    "name",
    "provider",
    "categories",
    "min_age",
    "max_age",
    "delivery",
    "status",
    "latitude",
    "longitude",
    "postcode",
    "opening_times",
    "contact",
    "service_areas",
    "notes",
)
_MAX_TERMS_LISTED = 40


def read_openreferral(
    path: str | Path | Sequence[str | Path],
    *,
    report: ValidationReport,
    categories: Mapping[str, str | Sequence[str] | None] | str | Path | None = None,
    category: str = "",
    vocabularies: Sequence[str] = (),
    stale_after_days: int | None = None,
    reference_date: str | date | None = None,
    drop_uncategorised: bool = True,
) -> pd.DataFrame:
    """Read an Open Referral directory into the canonical services table.

    Parameters
    ----------
    path
        A JSON file (a page of the API, a list of services or one service), a folder of
        page files (read in natural order: page2 before page10) or a list of files.
    report
        Where problems are recorded (unmapped terms, stale records, impossible values,
        services without a place or a category, missing pages).
    categories
        The taxonomy mapping: a term's name, code or id -> an earlyhelp category key (or
        a list of keys), or the path of a CSV file of them, one term and its category
        a row (``term``, ``category``).
        Names match ignoring case and repeated spaces. Map a term to ``""`` or ``None``
        to say it is known but calls for no category (it is then not reported).
    category
        A category key every service gets as well (for a directory of one kind of help,
        or one that publishes no taxonomy terms).
    vocabularies
        Only terms from these taxonomy vocabularies are used (all when empty).
    stale_after_days
        Records assured (else last updated) more than this many days before
        ``reference_date`` are flagged as stale (a warning, and a note on the row).
    reference_date
        The date staleness is measured from (ISO ``YYYY-MM-DD``); today when not given.
        Give it to make a run reproducible.
    drop_uncategorised
        Leave out services whose terms map to no category (they are named in a warning).
        When False they are kept with no category, to be categorised by hand; ``earlyhelp
        run`` refuses them until they are.

    Returns
    -------
    pandas.DataFrame
        One row per service, with the columns of :data:`OUTPUT_COLUMNS`: categories
        ";"-joined, ages in whole years (blank when not set), coordinates in degrees
        (WGS84) of the first place of delivery. Services without a place are kept (and
        reported).
    """
    directory = read_directory(expand_paths(path, pattern="*.json"), report)
    return services_table(
        directory,
        report=report,
        categories=categories,
        category=category,
        vocabularies=vocabularies,
        stale_after_days=stale_after_days,
        reference_date=reference_date,
        drop_uncategorised=drop_uncategorised,
    )


def services_table(
    directory: Directory,
    *,
    report: ValidationReport,
    categories: Mapping[str, Any] | str | Path | None = None,
    category: str = "",
    vocabularies: Sequence[str] = (),
    stale_after_days: int | None = None,
    reference_date: str | date | None = None,
    drop_uncategorised: bool = True,
) -> pd.DataFrame:
    """The canonical services table of a directory already read (the options of
    :func:`read_openreferral`)."""
    services, errors_before = directory.services, len(report.errors)
    frame = pd.DataFrame([s.values for s in services], columns=list(OUTPUT_COLUMNS))
    if isinstance(categories, str | Path):
        categories = read_taxonomy_map(categories, report=report)
    mapping = mapping_keys(categories or {})
    wanted = {v.casefold() for v in vocabularies}
    cats, unmapped = _categorise(services, mapping, wanted, category.strip())
    frame["categories"] = cats
    _report_terms(directory, unmapped, mapping, category, not drop_uncategorised, report)

    notes = [list(s.notes) for s in services]
    report_problems(services, report)
    frame = checked_values(frame, services, notes, report)
    stale = np.zeros(len(frame), dtype=bool)
    if stale_after_days is not None:
        stale = flag_stale(services, notes, stale_after_days, reference_date, report)
    frame["notes"] = ["; ".join(n) for n in notes]

    report_unlocated(services, frame, report)
    keep = _kept(frame, services, bool(mapping), drop_uncategorised, report)
    if len(report.errors) == errors_before:
        _none_usable(directory, frame, keep, stale, not drop_uncategorised, report)
    return frame.loc[keep].reset_index(drop=True)


def read_taxonomy_map(path: str | Path, *, report: ValidationReport) -> dict[str, list[str]]:
    """Read a taxonomy mapping from a CSV file with a ``term`` and a ``category`` column.

    ``term`` holds a term's name, code or id (a column named ``taxonomy``, ``name`` or
    ``id`` is accepted too); ``category`` one or more category keys separated by ";". A
    blank category says the term is known but calls for no category. The terms table
    written beside a quality report (``*.terms.csv``) is such a file once its category
    column is filled in.
    """
    table = read_text_table(Path(path), report=report)
    term = find_column(table.frame.columns, ["term", "taxonomy", "taxonomy_term", "name", "id"])
    category = find_column(table.frame.columns, ["category", "categories", "category_key"])
    if term is None or category is None:
        raise InputError(
            f"{table.file}: a taxonomy mapping needs a 'term' and a 'category' column "
            f"(found: {', '.join(table.frame.columns)}); write one line per term, such as "
            "'Parenting support,parenting'"
        )
    out: dict[str, list[str]] = {}
    for name, keys in zip(text(table, term), text(table, category), strict=True):
        if name:
            out[name] = [k.strip() for k in keys.split(";") if k.strip()]
    return out


# --------------------------------------------------------------------------- categories


def mapping_keys(categories: Mapping[str, Any]) -> dict[str, list[str]]:
    """A mapping with its terms as :func:`term_key` and its categories as lists."""
    out: dict[str, list[str]] = {}
    for term, keys in categories.items():
        if keys is None or keys == "":
            keys = []
        elif isinstance(keys, str):
            keys = [k.strip() for k in keys.split(";") if k.strip()]
        out[term_key(term)] = [str(k).strip() for k in keys]
    return out


def term_key(term: object) -> str:
    """How terms are matched: case and repeated spaces ignored."""
    return " ".join(str(term).casefold().split())


def _categorise(
    services: list[ServiceRecord], mapping: dict[str, list[str]], wanted: set[str], every: str
) -> tuple[list[str], Counter[str]]:
    """Categories of each service (";"-joined) and how many services carry each unmapped term."""
    cats: list[str] = []
    unmapped: Counter[str] = Counter()
    for s in services:
        keys: list[str] = [every] if every else []
        for term in s.terms:
            if wanted and term.vocabulary.casefold() not in wanted:
                continue
            hit = next(
                (mapping[term_key(k)] for k in term[:3] if k and term_key(k) in mapping), None
            )
            if hit is None:
                unmapped[term.name or term.id] += 1
                continue
            keys += hit
        cats.append(";".join(dict.fromkeys(keys)))
    return cats, unmapped


def _report_terms(
    directory: Directory, unmapped: Counter[str], mapping, every: str, keep_all: bool, report
) -> None:
    """Unmapped terms (a warning); no terms at all, or no mapping (an error, unless the
    services are kept to be categorised by hand)."""
    where, services = directory.where, directory.services
    counts = Counter(t.name or t.id for s in services for t in s.terms)
    say = report.warn if keep_all else report.error
    if not services or every:
        return
    if not counts:
        say(
            where,
            "categories",
            f"the directory publishes no taxonomy terms (none of its {len(services)} "
            "service(s) has taxonomies, service_taxonomys, taxonomy_terms or attributes), "
            "so no service can be given a category",
            "give every service one category with --option category=KEY if the directory "
            "holds one kind of help; or keep them with --option drop_uncategorised=false and "
            "fill in the categories column by hand; or ask the directory's owner to publish "
            "its taxonomy terms (a feed's list page may leave them out: import its URL, "
            "which reads each full record)",
        )
    elif not mapping:
        say(
            where,
            "categories",
            f"no taxonomy mapping was given, so no service has a category; the directory "
            f"uses {len(counts)} term(s): {_term_list(counts)}",
            "write a mapping from these terms to your category keys (a CSV with columns "
            "term,category; --quality writes one to fill in, with suggestions) and pass it "
            "as the categories option",
        )
    elif unmapped:
        report.warn(
            where,
            "taxonomy",
            f"{len(unmapped)} taxonomy term(s) map to no category (services carrying "
            f"each): {_term_list(unmapped)}",
            "add each term that is early help to the categories mapping (term,category); "
            "give a blank category to a term that is not, to silence it",
        )


def _term_list(counts: Counter[str]) -> str:
    ranked = counts.most_common()
    text_ = ", ".join(f"'{t}' ({n})" for t, n in ranked[:_MAX_TERMS_LISTED])
    if len(ranked) > _MAX_TERMS_LISTED:
        text_ += f" and {len(ranked) - _MAX_TERMS_LISTED} more"
    return text_


# --------------------------------------------------------------------------- what is kept


def _kept(
    frame: pd.DataFrame,
    services: list[ServiceRecord],
    mapped: bool,
    drop_uncategorised: bool,
    report: ValidationReport,
) -> np.ndarray:
    """The services to keep: with ``drop_uncategorised``, those whose terms map to a
    category; the others are named in a warning (when there is a mapping)."""
    keep = np.ones(len(frame), dtype=bool)
    empty = (frame["categories"] == "").to_numpy()
    if empty.any() and mapped:
        warn_each_file(
            report,
            services,
            empty,
            "categories",
            lambda n, ids: (
                f"{n} service(s) carry no term that maps to a category "
                f"({ids}){'; they were left out' if drop_uncategorised else ''}"
            ),
            "add their terms to the taxonomy mapping if they are early help; "
            "the warning on unmapped terms lists every term and how often it is used",
        )
        if drop_uncategorised:
            keep &= ~empty
    return keep


def _none_usable(
    directory: Directory,
    frame: pd.DataFrame,
    keep: np.ndarray,
    stale: np.ndarray,
    keep_all: bool,
    report: ValidationReport,
) -> None:
    """No silent emptiness: when no service could be used by a run, say why and the fix."""
    where, n = directory.where, len(frame)
    if n == 0:
        said = f" (it says it holds {directory.total_items})" if directory.total_items else ""
        report.error(
            where,
            "",
            f"the directory holds no services{said}",
            "check that this is the council's live /services feed and not a test or "
            "filtered one; import every page (its URL, or a folder of all the pages)",
        )
        return
    categorised = (frame["categories"] != "").to_numpy() | keep_all
    placed = ~unplaced(frame)
    open_ = (frame["status"] != "closed").to_numpy()
    usable = keep & categorised & placed & open_ & ~stale
    if usable.any():
        return
    reasons = [
        (int((~categorised).sum()), "have no taxonomy term that maps to a category",
         "map their terms to category keys in the categories mapping (--quality writes "
         "every term with a suggested category, to fill in)"),
        (int((~placed).sum()), "have no place of delivery and are not online or by phone",
         "import each service's full record (the feed's URL does) or ask the directory's "
         "owner to give locations"),
        (int((~open_).sum()), "are closed", "check that this is the live directory"),
        (int(stale.sum()), "are stale",
         "ask the directory's owner to review them, or raise stale_after_days"),
    ]  # fmt: skip
    found = [r for r in reasons if r[0]]
    say = report.warn if keep_all else report.error  # kept to be completed by hand
    say(
        where,
        "",
        f"none of the {n} service(s) can be used by earlyhelp run as they are: "
        + "; ".join(f"{k} {what}" for k, what, _ in found),
        "; ".join(dict.fromkeys(fix for _, _, fix in found)),
    )
