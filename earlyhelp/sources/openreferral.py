"""Open Referral UK service directories, as council directory APIs serve them.

Reads the JSON of an Open Referral UK (ORUK) ``/services`` endpoint: a paged response
(``{"totalElements", "totalPages", "number", "size", "first", "last", "content": [...]}``,
or HSDS 3's ``{"total_items", "total_pages", "page_number", ..., "contents": [...]}``), a
plain list of services, one service, a folder of page files or a list of them. Both the
ORUK 1.0 shape (``service_taxonomys``, ``eligibilitys``, ``physical_addresses``,
``regular_schedules``) and the HSDS 3 shape (``attributes`` -> ``taxonomy_term``,
``minimum_age``, ``addresses``, ``schedules``) are understood.

Each service becomes one row of earlyhelp's canonical services table. Taxonomy terms are
turned into category keys through a mapping the analyst writes (term name or id ->
category key); every term left unmapped is reported with the number of services carrying
it, so the mapping can be completed from the warning itself.

Example
-------
>>> report = ValidationReport()                                      # doctest: +SKIP
>>> services = read_openreferral(
...     "directory/", report=report,
...     categories={"Parenting support": "parenting", "Domestic abuse": "domestic_abuse"},
...     stale_after_days=365, reference_date="2025-06-01")              # doctest: +SKIP
"""

from __future__ import annotations

__all__ = ["OUTPUT_COLUMNS", "read_openreferral", "read_taxonomy_map"]

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._openreferral_json import ServiceRecord, read_directory
from earlyhelp.sources._tables import (
    as_counts,
    expand_paths,
    find_column,
    postcodes,
    read_text_table,
    text,
)
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
    "notes",
)
_MAX_AGE = 25  # earlyhelp's loader accepts ages 0 to 25; "99" in a directory means all ages
_MAX_TERMS_LISTED = 40
_STATUS = {
    "active": "active",
    "inactive": "closed",
    "defunct": "closed",
    "closed": "closed",
    "temporarily closed": "closed",
    "temporarily_closed": "closed",
}


def read_openreferral(
    path: str | Path | Sequence[str | Path],
    *,
    report: ValidationReport,
    categories: Mapping[str, str | Sequence[str] | None] | str | Path | None = None,
    vocabularies: Sequence[str] = (),
    stale_after_days: int | None = None,
    reference_date: str | date | None = None,
    drop_uncategorised: bool = True,
) -> pd.DataFrame:
    """Read an Open Referral UK directory into the canonical services table.

    Parameters
    ----------
    path
        A JSON file (a page of the API, a list of services or one service), a folder of
        page files (read in natural order: page2 before page10) or a list of files.
    report
        Where problems are recorded (unmapped terms, stale records, services without a
        location or a category, missing pages).
    categories
        The taxonomy mapping: a term's name or id -> an earlyhelp category key (or a list
        of keys), or the path of a CSV file of them (:func:`read_taxonomy_map`). Names
        match ignoring case and repeated spaces. Map a term to ``""`` or
        ``None`` to say it is known but calls for no category (it is then not reported).
    vocabularies
        Only terms from these taxonomy vocabularies are used (all when empty).
    stale_after_days
        Records whose ``assured_date`` is older than this many days before
        ``reference_date`` are flagged as stale (a warning, and a note on the row).
    reference_date
        The date staleness is measured from (ISO ``YYYY-MM-DD``); today when not given.
        Give it to make a run reproducible.
    drop_uncategorised
        Leave out services whose terms map to no category (they are named in a warning).
        When False they are kept with no category, and ``earlyhelp run`` refuses them
        until they are mapped.

    Returns
    -------
    pandas.DataFrame
        One row per service, with the columns of :data:`OUTPUT_COLUMNS`: categories
        ";"-joined, ages in whole years, coordinates in degrees (WGS84) of the first
        location. Services without a location are kept (and reported).
    """
    files = expand_paths(path, pattern="*.json")
    services = read_directory(files, report)
    frame = pd.DataFrame([s.values for s in services], columns=list(OUTPUT_COLUMNS))

    if isinstance(categories, str | Path):
        categories = read_taxonomy_map(categories, report=report)
    mapping = _mapping_keys(categories or {})
    wanted = {v.casefold() for v in vocabularies}
    cats, unmapped = _categorise(services, mapping, wanted)
    frame["categories"] = cats
    _report_terms(services, unmapped, mapping, files, report)

    notes = [list(s.notes) for s in services]
    frame = _checked_values(frame, services, notes, report)
    if stale_after_days is not None:
        _flag_stale(services, notes, stale_after_days, reference_date, report)
    frame["notes"] = ["; ".join(n) for n in notes]

    _report_unlocated(services, frame, report)
    keep = _kept(frame, services, mapping, drop_uncategorised, report)
    return frame.loc[keep].reset_index(drop=True)


def read_taxonomy_map(path: str | Path, *, report: ValidationReport) -> dict[str, list[str]]:
    """Read a taxonomy mapping from a CSV file with a ``term`` and a ``category`` column.

    ``term`` holds a term's name or id (a column named ``taxonomy``, ``name`` or ``id``
    is accepted too); ``category`` one or more category keys separated by ";". A blank
    category says the term is known but calls for no category.
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


# --------------------------------------------------------------------------- checking


def _mapping_keys(categories: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for term, keys in categories.items():
        if keys is None or keys == "":
            keys = []
        elif isinstance(keys, str):
            keys = [k.strip() for k in keys.split(";") if k.strip()]
        out[_key(term)] = [str(k).strip() for k in keys]
    return out


def _key(term: object) -> str:
    return " ".join(str(term).casefold().split())


def _categorise(
    services: list[ServiceRecord], mapping: dict[str, list[str]], wanted: set[str]
) -> tuple[list[str], Counter[str]]:
    """Categories of each service (";"-joined) and how many services carry each unmapped term."""
    cats: list[str] = []
    unmapped: Counter[str] = Counter()
    for s in services:
        keys: list[str] = []
        for tid, code, name, vocab in s.terms:
            if wanted and vocab.casefold() not in wanted:
                continue
            hit = next(
                (mapping[_key(k)] for k in (tid, code, name) if k and _key(k) in mapping), None
            )
            if hit is None:
                unmapped[name or tid] += 1
                continue
            keys += hit
        cats.append(";".join(dict.fromkeys(keys)))
    return cats, unmapped


def _report_terms(services, unmapped: Counter[str], mapping, files, report) -> None:
    where = files[0].name if len(files) == 1 else files[0].parent.name
    if not mapping:
        counts = Counter(name or tid for s in services for tid, _, name, _ in s.terms)
        listed = _term_list(counts)
        report.error(
            where,
            "categories",
            f"no taxonomy mapping was given, so no service has a category; the directory "
            f"uses {len(counts)} term(s): {listed}",
            "write a mapping from these terms to your category keys (a CSV with columns "
            "term,category) and pass it as the categories option",
        )
        return
    if unmapped:
        report.warn(
            where,
            "taxonomy",
            f"{len(unmapped)} taxonomy term(s) map to no category (services carrying each): "
            f"{_term_list(unmapped)}",
            "add each term that is early help to the categories mapping (term,category); "
            "give a blank category to a term that is not, to silence it",
        )


def _term_list(counts: Counter[str]) -> str:
    ranked = counts.most_common()
    text_ = ", ".join(f"'{t}' ({n})" for t, n in ranked[:_MAX_TERMS_LISTED])
    if len(ranked) > _MAX_TERMS_LISTED:
        text_ += f" and {len(ranked) - _MAX_TERMS_LISTED} more"
    return text_


def _flag_stale(services, notes, days: int, reference, report: ValidationReport) -> None:
    ref = pd.Timestamp(reference if reference is not None else date.today())
    assured = pd.to_datetime(
        pd.Series([s.assured for s in services], dtype="string").replace("", None),
        errors="coerce",
        format="ISO8601",
        utc=True,
    ).dt.tz_localize(None)
    given = np.array([bool(s.assured) for s in services])
    bad = given & assured.isna().to_numpy()
    age = (ref.normalize() - assured.dt.normalize()).dt.days.to_numpy()
    stale = ~np.isnan(age) & (age > days)
    never = ~given
    for i in np.flatnonzero(stale):
        notes[i].append(
            f"stale: assured {assured.iloc[i]:%Y-%m-%d}, {int(age[i])} days before {ref:%Y-%m-%d}"
        )
    for i in np.flatnonzero(never):
        notes[i].append("never assured")
    _warn_each_file(
        report,
        services,
        stale,
        "assured_date",
        lambda n, ids: (
            f"{n} record(s) are stale: assured more than {days} days before {ref:%Y-%m-%d} ({ids})"
        ),
        "ask the providers to confirm these services still run, or leave them out",
    )
    _warn_each_file(
        report,
        services,
        never,
        "assured_date",
        lambda n, ids: f"{n} record(s) have no assured_date, so nobody has confirmed them ({ids})",
        "ask the directory's owner to assure these records",
    )
    _warn_each_file(
        report,
        services,
        bad,
        "assured_date",
        lambda n, ids: f"{n} assured_date value(s) are not dates ({ids})",
        "dates should be written as YYYY-MM-DD",
    )


def _checked_values(
    frame: pd.DataFrame,
    services: list[ServiceRecord],
    notes: list[list[str]],
    report: ValidationReport,
) -> pd.DataFrame:
    """A copy of ``frame`` with earlyhelp's statuses, ages in whole years up to 25 and
    normalised postcodes; services with 0,0 coordinates are reported (``notes`` gains the
    notes of each service)."""
    frame = frame.copy()
    frame["status"] = _statuses(frame["status"], services, notes, report)
    for column in ("min_age", "max_age"):
        frame[column] = as_counts(_ages_in_range(frame[column], column, services, report))
    frame["postcode"] = postcodes(frame["postcode"]).fillna("")
    zero = np.array(["coordinates 0,0 ignored" in n for n in notes])
    _warn_each_file(
        report,
        services,
        zero,
        "latitude",
        lambda n, ids: (
            f"{n} location(s) have latitude and longitude 0,0 (a placeholder, in "
            f"the sea off Africa); their postcode is used instead ({ids})"
        ),
        "give the real coordinates in the directory",
    )
    return frame


def _kept(
    frame: pd.DataFrame,
    services: list[ServiceRecord],
    mapping: dict[str, list[str]],
    drop_uncategorised: bool,
    report: ValidationReport,
) -> np.ndarray:
    """The services to keep: with ``drop_uncategorised``, those whose terms map to a
    category; the others are named in a warning (when there is a mapping)."""
    keep = np.ones(len(frame), dtype=bool)
    empty = (frame["categories"] == "").to_numpy()
    if empty.any() and mapping:
        _warn_each_file(
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


def _statuses(status: pd.Series, services, notes, report: ValidationReport) -> pd.Series:
    """ORUK's active / inactive / defunct / temporarily closed as active or closed."""
    said = status.astype("string").fillna("").str.strip().str.lower()
    mapped = said.map(_STATUS)
    unknown = ((said != "") & mapped.isna()).to_numpy()
    for i in np.flatnonzero(said.str.startswith("temporarily").to_numpy()):
        notes[i].append("temporarily closed")
    _warn_each_file(
        report,
        services,
        unknown,
        "status",
        lambda n, ids: (
            f"{n} service(s) have a status that is not an Open Referral UK status "
            f"(e.g. '{said[unknown].iloc[0]}'), read as active ({ids})"
        ),
        "use active, inactive, defunct or temporarily closed in the directory",
    )
    return mapped.fillna("active").where(said != "", "")


def _ages_in_range(values: pd.Series, column: str, services, report) -> pd.Series:
    """Ages above 25 ("99" or "120" for all ages) become 25, the oldest earlyhelp reads."""
    ages = pd.to_numeric(values, errors="coerce").astype(float)
    over = (ages > _MAX_AGE).to_numpy()
    _warn_each_file(
        report,
        services,
        over,
        column,
        lambda n, ids: (
            f"{n} service(s) have a {column} above {_MAX_AGE} "
            f"(e.g. {ages[over].iloc[0]:g}, usually meaning all ages), written as "
            f"{_MAX_AGE} ({ids})"
        ),
        "nothing to do: services for all ages serve every child",
    )
    return ages.clip(upper=_MAX_AGE)


def _report_unlocated(services, frame: pd.DataFrame, report: ValidationReport) -> None:
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    none = (lat.isna() & (frame["postcode"].fillna("") == "")).to_numpy()
    remote = frame["delivery"].isin(["online", "phone"]).to_numpy()
    _warn_each_file(
        report,
        services,
        none & ~remote,
        "service_at_locations",
        lambda n, ids: (
            f"{n} service(s) have no location (no coordinates or postcode) and "
            f"were kept without one ({ids})"
        ),
        "give them a location in the directory; earlyhelp run leaves out in-person services "
        "it cannot place",
    )


def _warn_each_file(report, services, mask: np.ndarray, field_: str, problem, fix: str) -> None:
    """One warning per file for the services in ``mask``, naming them and their records."""
    by_file: dict[str, list[ServiceRecord]] = {}
    for s, hit in zip(services, mask, strict=True):
        if hit:
            by_file.setdefault(s.file, []).append(s)
    for file, hits in by_file.items():
        ids = ", ".join(f"'{s.values['name'] or s.values['service_id']}'" for s in hits[:5])
        ids += f" and {len(hits) - 5} more" if len(hits) > 5 else ""
        report.warn(file, field_, problem(len(hits), ids), fix, rows=[s.record for s in hits])
