"""DfE Get Information About Schools (GIAS) establishment extracts.

Reads the "all establishment data" CSV as downloaded (``edubasealldataYYYYMMDD.csv``,
often Windows-1252) with headers such as ``URN``, ``EstablishmentName``,
``TypeOfEstablishment (code)``, ``EstablishmentStatus (name)``, ``StatutoryLowAge``,
``Postcode``, ``Easting`` and ``Northing``, and the snake_case layout of a filtered extract
(``urn``, ``establishment_name``, ``establishment_type``, ``easting``...); the layout is
told from the headers.

Children's centres (establishment type codes 47 "Children's centre" and 48 "Children's
centre linked site") become services in the ``childrens_centre`` category. Schools and
other establishments become candidate sites (for siting new provision) or origins.
"""

from __future__ import annotations

__all__ = ["CHILDRENS_CENTRE_TYPES", "GIAS_KINDS", "SITE_COLUMNS", "read_gias"]

from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import (
    Table,
    as_counts,
    find_column,
    numbers,
    postcodes,
    read_text_table,
    text,
)
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

GIAS_KINDS = ("childrens_centres", "schools", "all")
CHILDRENS_CENTRE_TYPES = (47, 48)  # Children's centre; Children's centre linked site
SITE_COLUMNS = (
    "site_id",
    "name",
    "kind",
    "phase",
    "status",
    "min_age",
    "max_age",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "postcode",
    "area_code",
)
CENTRE_COLUMNS = (
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
    "easting",
    "northing",
    "postcode",
    "contact",
    "notes",
)
# GIAS EstablishmentStatus (name) -> earlyhelp status
_STATUS = {
    "open": "active",
    "open, but proposed to close": "active",
    "proposed to open": "planned",
    "closed": "closed",
}
_COLUMNS = {  # canonical -> headers in either layout (matched ignoring case and punctuation)
    "urn": ["URN"],
    "name": ["EstablishmentName", "establishment_name"],
    "type_code": ["TypeOfEstablishment (code)", "establishment_type_code"],
    "type_name": ["TypeOfEstablishment (name)", "establishment_type"],
    "status": ["EstablishmentStatus (name)", "establishment_status"],
    "phase": ["PhaseOfEducation (name)", "education_phase", "phase_of_education"],
    "low_age": ["StatutoryLowAge", "statutory_low_age"],
    "high_age": ["StatutoryHighAge", "statutory_high_age"],
    "postcode": ["Postcode"],
    "easting": ["Easting"],
    "northing": ["Northing"],
    "latitude": ["latitude", "lat"],
    "longitude": ["longitude", "long", "lon"],
    "la_name": ["LA (name)", "la_name"],
    "phone": ["TelephoneNum", "telephone"],
    "lsoa": ["LSOA (code)", "lsoa_code", "lsoa21cd", "lsoa11cd"],
}


def read_gias(
    path: str | Path,
    *,
    report: ValidationReport,
    kind: str = "childrens_centres",
    include_closed: bool = False,
    centre_max_age: int = 4,
) -> pd.DataFrame:
    """Read a GIAS establishment extract as children's centres (services) or sites.

    Parameters
    ----------
    path
        The GIAS CSV as downloaded, or a snake_case extract of it.
    report
        Where problems are recorded (establishments without coordinates, unknown statuses,
        a file without children's centres).
    kind
        ``"childrens_centres"``: establishment types 47 and 48 as services in the
        ``childrens_centre`` category. ``"schools"``: every other establishment as a
        candidate site. ``"all"``: every establishment as a site.
    include_closed
        Keep establishments whose status is Closed (left out by default).
    centre_max_age
        The oldest age (whole years) a children's centre serves when GIAS gives no
        statutory ages: children's centres serve under-fives, so 4 by default.

    Returns
    -------
    pandas.DataFrame
        For children's centres the canonical services columns (:data:`CENTRE_COLUMNS`);
        for sites :data:`SITE_COLUMNS` (``site_id`` is the URN, ``kind`` the
        establishment type). Easting and northing are British National Grid metres;
        latitude and longitude are left out when the file has none (as published).
    """
    _check_kind(kind)
    table = read_text_table(Path(path), report=report, is_header=_is_header)
    cols = _gias_columns(table)
    centre = _is_centre(table, cols)
    status = _status(table, cols, report)
    keep = _kept(kind, centre, status, include_closed=include_closed)
    if kind == "childrens_centres" and not centre.any():
        _warn_no_centres(table, cols, report)
    lat = numbers(table, cols["latitude"], report=report)
    lon = numbers(table, cols["longitude"], report=report)
    east, north = _grid(table, cols, report, keep & lat.isna().to_numpy())
    low = numbers(table, cols["low_age"], report=report)
    high = numbers(table, cols["high_age"], report=report)
    common = {
        "name": text(table, cols["name"]),
        "easting": east,
        "northing": north,
        "latitude": lat,
        "longitude": lon,
        "postcode": postcodes(text(table, cols["postcode"])).fillna(""),
    }
    if kind == "childrens_centres":
        out = _centres(table, cols, status, low, high, common, centre_max_age=centre_max_age)
    else:
        out = _sites(table, cols, status, low, high, common)
    for column in ("easting", "northing"):
        out[column] = as_counts(out[column])
    if lat.isna().all() and lon.isna().all():  # the published extract has grid references only
        out = out.drop(columns=["latitude", "longitude"])
    return out.loc[keep].reset_index(drop=True)


def _check_kind(kind: str) -> None:
    """Refuse a ``kind`` that is not one of :data:`GIAS_KINDS`, naming the nearest."""
    if kind not in GIAS_KINDS:
        raise InputError(
            f"gias: kind '{kind}' is not known{did_you_mean(kind, GIAS_KINDS)}; "
            f"choose one of: {', '.join(GIAS_KINDS)}"
        )


def _gias_columns(table: Table) -> dict[str, str | None]:
    """Canonical name -> the file's header in either layout (None where absent); the URN
    and the name are required."""
    cols = {key: find_column(table.frame.columns, names) for key, names in _COLUMNS.items()}
    for key in ("urn", "name"):
        if cols[key] is None:
            raise InputError(
                f"{table.file}: this is not a GIAS establishment file: no '{_COLUMNS[key][0]}' "
                "column; download 'Establishment fields CSV' from Get Information About Schools"
            )
    return cols


def _kept(kind: str, centre: np.ndarray, status: pd.Series, *, include_closed: bool) -> np.ndarray:
    """The establishments of ``kind`` (children's centres, the others, or all), without
    closed ones unless ``include_closed``."""
    keep = ~centre if kind == "schools" else (centre if kind == "childrens_centres" else None)
    keep = np.ones(len(status), bool) if keep is None else keep
    if not include_closed:
        keep &= (status != "closed").to_numpy()
    return keep


def _warn_no_centres(table: Table, cols: dict[str, str | None], report: ValidationReport) -> None:
    """A warning for a file without children's centres, naming the types it holds."""
    types = text(table, cols["type_name"]).value_counts().index[:6]
    report.warn(
        table.file,
        cols["type_name"] or cols["type_code"] or "",
        "the file holds no children's centres (establishment types 47 and 48); types "
        f"found include: {', '.join(map(str, types)) or 'none'}",
        "download the 'all establishments' extract, which includes children's centres, "
        "or import this file with kind = schools for sites",
    )


def _centres(
    table: Table,
    cols: dict[str, str | None],
    status: pd.Series,
    low: pd.Series,
    high: pd.Series,
    common: dict[str, pd.Series],
    *,
    centre_max_age: int,
) -> pd.DataFrame:
    """Children's centres as services (:data:`CENTRE_COLUMNS`); without statutory ages a
    centre serves ages 0 to ``centre_max_age``, which its notes say."""
    assumed = low.isna() & high.isna()
    linked = _type_code(table, cols) == 48
    notes = pd.Series("", index=table.frame.index, dtype="string")
    notes = notes.mask(linked, "linked site")
    proposed = text(table, cols["status"]).str.lower().str.contains("proposed to close")
    notes = _append(notes, proposed, "proposed to close")
    notes = _append(notes, assumed, f"ages 0-{centre_max_age} assumed (under-fives)")
    return pd.DataFrame(
        {
            "service_id": text(table, cols["urn"]),
            "provider": text(table, cols["la_name"]),
            "categories": "childrens_centre",
            "min_age": as_counts(low.where(~assumed, 0.0)),
            "max_age": as_counts(high.where(~assumed, float(centre_max_age))),
            "delivery": "in_person",
            "status": status,
            "contact": text(table, cols["phone"]),
            "notes": notes,
            **common,
        }
    )[list(CENTRE_COLUMNS)]


def _sites(
    table: Table,
    cols: dict[str, str | None],
    status: pd.Series,
    low: pd.Series,
    high: pd.Series,
    common: dict[str, pd.Series],
) -> pd.DataFrame:
    """Establishments as candidate sites (:data:`SITE_COLUMNS`): ``site_id`` is the URN,
    ``kind`` the establishment type."""
    return pd.DataFrame(
        {
            "site_id": text(table, cols["urn"]),
            "kind": text(table, cols["type_name"]),
            "phase": text(table, cols["phase"]),
            "status": status,
            "min_age": as_counts(low),
            "max_age": as_counts(high),
            "area_code": text(table, cols["lsoa"]),
            **common,
        }
    )[list(SITE_COLUMNS)]


def _is_header(row) -> bool:
    return find_column(row, ["URN"]) is not None


def _append(notes: pd.Series, mask: pd.Series, note: str) -> pd.Series:
    joined = (notes + "; " + note).str.strip("; ")
    return joined.where(mask.to_numpy(), notes)


def _type_code(table: Table, cols) -> pd.Series:
    codes = pd.to_numeric(text(table, cols["type_code"]), errors="coerce")
    return codes.astype(float)


def _is_centre(table: Table, cols) -> np.ndarray:
    """Children's centres by type code where the file has it, else by type name."""
    by_code = _type_code(table, cols).isin(CHILDRENS_CENTRE_TYPES).to_numpy()
    names = text(table, cols["type_name"]).str.lower().str.replace("’", "'")
    by_name = names.str.contains(r"children'?s cent(?:re|er)", regex=True).to_numpy()
    return by_code | by_name


def _status(table: Table, cols, report: ValidationReport) -> pd.Series:
    said = text(table, cols["status"]).str.lower()
    if cols["status"] is None:  # an extract of open establishments only
        return pd.Series("active", index=table.frame.index, dtype="string")
    mapped = said.map(_STATUS)
    unknown = (said != "") & mapped.isna()
    if unknown.any():
        report.warn(
            table.file,
            cols["status"],
            f"{unknown.sum()} establishment(s) have a status GIAS does not use "
            f"(e.g. '{text(table, cols['status'])[unknown].iloc[0]}'); read as active",
            "GIAS statuses are Open, Closed, 'Open, but proposed to close' and "
            "'Proposed to open'; check the file is as downloaded",
            rows=[table.lines[i] for i in np.flatnonzero(unknown.to_numpy())],
        )
    return mapped.fillna("active").astype("string")


def _grid(table: Table, cols, report: ValidationReport, check: np.ndarray):
    """Easting and northing, with 0 or blank (no grid reference in GIAS) as missing.

    Rows in ``check`` (kept, and without latitude/longitude) are reported when missing.
    """
    east = numbers(table, cols["easting"], report=report)
    north = numbers(table, cols["northing"], report=report)
    east, north = east.where(east > 0), north.where(north > 0)
    missing = (east.isna() | north.isna()).to_numpy() & check
    if missing.any():
        names = ", ".join(f"'{n}'" for n in text(table, cols["name"])[missing].head(3))
        report.warn(
            table.file,
            cols["easting"] or "Easting",
            f"{missing.sum()} establishment(s) have no easting and northing ({names}"
            f"{'...' if missing.sum() > 3 else ''}); they will be placed by postcode",
            "configure a postcode lookup ([postcodes] path) so they can be placed, or add "
            "their coordinates",
            rows=[table.lines[i] for i in np.flatnonzero(missing)],
        )
    return east, north
