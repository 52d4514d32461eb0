"""Checks on the values of a directory's services, each reported once with the services'
ids: statuses, ages past 25, impossible coordinates and ages, placeholders, staleness,
services without a place, and why no service at all could be used."""

from __future__ import annotations

__all__ = [
    "checked_values",
    "flag_stale",
    "report_problems",
    "report_unlocated",
    "stale_mask",
    "unplaced",
    "warn_each_file",
]

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from earlyhelp.sources._oruk_service import ServiceRecord
from earlyhelp.sources._tables import as_counts, postcodes
from earlyhelp.validation import ValidationReport

MAX_AGE = 25  # earlyhelp's loader accepts ages 0 to 25; "99" in a directory means all ages
REMOTE = ("online", "phone")
_STATUS = {
    "active": "active",
    "inactive": "closed",
    "defunct": "closed",
    "closed": "closed",
    "temporarily closed": "closed",
    "temporarily_closed": "closed",
}
_PROBLEM_FIX = {
    "latitude": "correct the location's coordinates in the directory (latitude -90 to 90, "
    "longitude -180 to 180); until then the service has no place",
    "min_age": "correct the ages in the directory; until then the service's ages are unknown",
}


def checked_values(
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
    zero = np.array(["coordinates 0,0 ignored" in n for n in notes], dtype=bool)
    placed = (frame["postcode"] != "").to_numpy()
    warn_each_file(
        report,
        services,
        zero & placed,
        "latitude",
        lambda n, ids: (
            f"{n} location(s) have latitude and longitude 0,0 (a placeholder, in "
            f"the sea off Africa); their postcode is used instead ({ids})"
        ),
        "give the real coordinates in the directory",
    )
    return frame


def report_problems(services: list[ServiceRecord], report: ValidationReport) -> None:
    """Impossible values (coordinates past the poles, ages the wrong way round): one
    warning per file and kind, naming each service by its id."""
    for field_, fix in _PROBLEM_FIX.items():
        by_file: dict[str, list[tuple[ServiceRecord, str]]] = {}
        for s in services:
            for f, what in s.problems:
                if f == field_:
                    by_file.setdefault(s.file, []).append((s, what))
        for file, hits in by_file.items():
            listed = "; ".join(f"{s.label}: {what}" for s, what in hits[:5])
            listed += f" and {len(hits) - 5} more" if len(hits) > 5 else ""
            report.warn(
                file,
                field_,
                f"{len(hits)} service(s) have {_what(field_)}, read as unknown ({listed})",
                fix,
                rows=[s.record for s, _ in hits],
            )


def _what(field_: str) -> str:
    return "impossible coordinates" if field_ == "latitude" else "impossible ages"


def stale_mask(
    services: list[ServiceRecord], days: int, reference: str | date | None
) -> tuple[np.ndarray, np.ndarray, pd.Series, pd.Timestamp]:
    """Which records were last assured (else updated) more than ``days`` before the
    reference date; which give no date at all; the dates; the reference date."""
    ref = pd.Timestamp(reference if reference is not None else date.today()).normalize()
    said = pd.Series([s.assured or s.updated for s in services], dtype="string")
    when = pd.to_datetime(
        said.replace("", None), errors="coerce", format="ISO8601", utc=True
    ).dt.tz_localize(None)
    age = (ref - when.dt.normalize()).dt.days.to_numpy(dtype=float)
    stale = ~np.isnan(age) & (age > days)
    return stale, (said.fillna("") == "").to_numpy(), when, ref


def flag_stale(services, notes, days: int, reference, report: ValidationReport) -> np.ndarray:
    """Note and warn about stale records; returns which are stale."""
    stale, never, when, ref = stale_mask(services, days, reference)
    bad = ~never & when.isna().to_numpy()
    for i in np.flatnonzero(stale):
        how = "assured" if services[i].assured else "last updated"
        age = (ref - when.iloc[i].normalize()).days
        notes[i].append(f"stale: {how} {when.iloc[i]:%Y-%m-%d}, {age} days before {ref:%Y-%m-%d}")
    for i in np.flatnonzero(never):
        notes[i].append("never assured")
    warn_each_file(
        report,
        services,
        stale,
        "assured_date",
        lambda n, ids: (
            f"{n} record(s) are stale: assured or updated more than {days} days before "
            f"{ref:%Y-%m-%d} ({ids})"
        ),
        "ask the providers to confirm these services still run, or leave them out",
    )
    warn_each_file(
        report,
        services,
        never,
        "assured_date",
        lambda n, ids: (
            f"{n} record(s) have no assured_date or date of update, so nobody has "
            f"confirmed them ({ids})"
        ),
        "ask the directory's owner to assure these records",
    )
    warn_each_file(
        report,
        services,
        bad,
        "assured_date",
        lambda n, ids: f"{n} assured_date value(s) are not dates ({ids})",
        "dates should be written as YYYY-MM-DD",
    )
    return stale


def _statuses(status: pd.Series, services, notes, report: ValidationReport) -> pd.Series:
    """ORUK's active / inactive / defunct / temporarily closed as active or closed."""
    said = status.astype("string").fillna("").str.strip().str.lower()
    mapped = said.map(_STATUS)
    unknown = ((said != "") & mapped.isna()).to_numpy()
    for i in np.flatnonzero(said.str.startswith("temporarily").to_numpy()):
        notes[i].append("temporarily closed")
    warn_each_file(
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
    over = (ages > MAX_AGE).to_numpy()
    warn_each_file(
        report,
        services,
        over,
        column,
        lambda n, ids: (
            f"{n} service(s) have a {column} above {MAX_AGE} "
            f"(e.g. {ages[over].iloc[0]:g}, usually meaning all ages), written as "
            f"{MAX_AGE} ({ids})"
        ),
        "nothing to do: services for all ages serve every child",
    )
    return ages.clip(upper=MAX_AGE)


def unplaced(frame: pd.DataFrame) -> np.ndarray:
    """Services with no place that are not remote: earlyhelp run cannot map them."""
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    none = (lat.isna() & (frame["postcode"].fillna("") == "")).to_numpy()
    return none & ~frame["delivery"].isin(REMOTE).to_numpy()


def report_unlocated(services, frame: pd.DataFrame, report: ValidationReport) -> None:
    warn_each_file(
        report,
        services,
        unplaced(frame),
        "service_at_locations",
        lambda n, ids: (
            f"{n} service(s) have no place of delivery (no usable coordinates, no physical "
            f"address with a postcode) and do not say they are online or by phone; they "
            f"were kept without one ({ids})"
        ),
        "give them a location in the directory (or a location_type of virtual for an online "
        "service); earlyhelp run leaves out in-person services it cannot place",
    )


def warn_each_file(
    report: ValidationReport,
    services: list[ServiceRecord],
    mask: np.ndarray,
    field_: str,
    problem: Callable[[int, str], str],
    fix: str,
) -> None:
    """One warning per file for the services in ``mask``, naming them and their records."""
    by_file: dict[str, list[ServiceRecord]] = {}
    for s, hit in zip(services, mask, strict=True):
        if hit:
            by_file.setdefault(s.file, []).append(s)
    for file, hits in by_file.items():
        ids = ", ".join(f"'{s.values['name'] or s.values['service_id']}'" for s in hits[:5])
        ids += f" and {len(hits) - 5} more" if len(hits) > 5 else ""
        report.warn(file, field_, problem(len(hits), ids), fix, rows=[s.record for s in hits])
