"""Postcode lookups in the layout of the ONS Postcode Directory (ONSPD) and NSPL.

Reads the directory's CSV (one UK file, or the folder of ``multi_csv`` files by postcode
area) in either generation of its headers: ``pcds``, ``doterm``, ``oseast1m``,
``osnrth1m``, ``osgrdind``, ``oslaua``, ``lsoa11``, ``lsoa21``, ``lat``, ``long`` up to
2024, and ``pcds``, ``doterm``, ``east1m``, ``north1m``, ``gridind``, ``lad25cd``,
``lsoa21cd``, ``lat``, ``long`` since. Only the columns needed are read, so the full
directory (2.7 million postcodes) fits in memory; ``districts`` keeps only the postcodes
of the districts studied.

Postcodes without a grid reference (``osgrdind`` 9; the directory writes latitude
99.999999 and longitude 0.000000 for them) cannot be placed: they are reported and left
out. Terminated postcodes (``doterm`` set) are kept with the month they ended, because a
service directory often still uses them.
"""

from __future__ import annotations

__all__ = ["OUTPUT_COLUMNS", "read_onspd"]

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import (
    as_counts,
    expand_paths,
    find_column,
    numbers,
    postcodes,
    read_text_table,
    subset,
    text,
)
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

OUTPUT_COLUMNS = ("postcode", "easting", "northing", "latitude", "longitude", "lsoa", "terminated")
_COLUMNS = {
    "postcode": ["pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode"],
    "easting": ["oseast1m", "east1m", "easting"],
    "northing": ["osnrth1m", "north1m", "northing"],
    "grid": ["osgrdind", "gridind"],
    "latitude": ["lat", "latitude"],
    "longitude": ["long", "longitude"],
    "terminated": ["doterm"],
    "lsoa2021": ["lsoa21", "lsoa21cd"],
    "lsoa2011": ["lsoa11", "lsoa11cd"],
    "district": ["oslaua", "laua", "lad"],
}
_DISTRICT = re.compile(r"^lad\d\dcd$")
_NO_GRID_LAT = 99.999999


def read_onspd(
    path: str | Path | Sequence[str | Path],
    *,
    report: ValidationReport,
    districts: Sequence[str] = (),
    include_terminated: bool = True,
    lsoa: str = "",
) -> pd.DataFrame:
    """Read the ONS Postcode Directory into earlyhelp's postcode table.

    Parameters
    ----------
    path
        The directory's CSV file, its ``multi_csv`` folder, or a list of its files.
    report
        Where problems are recorded (postcodes without a grid reference).
    districts
        Local authority district codes (E06..., E07...) whose postcodes are kept; all
        when empty.
    include_terminated
        Keep postcodes that have been terminated (with the year and month they ended in
        ``terminated``), as a directory may still use them.
    lsoa
        Which LSOA vintage to give, "2021" or "2011"; the newest in the file by default.

    Returns
    -------
    pandas.DataFrame
        :data:`OUTPUT_COLUMNS`: the postcode as ``pcds`` writes it ("RG21 7QW"), British
        National Grid easting and northing (metres), WGS84 latitude and longitude, the
        LSOA code and ``terminated`` ("" for a live postcode, else ``YYYYMM``).
    """
    if lsoa not in ("", "2011", "2021"):
        raise InputError(f'onspd: lsoa "{lsoa}" is not a vintage; use "2021" or "2011"')
    files = expand_paths(path, pattern="*.csv")
    frames, seen = [], set()
    for file in files:
        frame, found = _read_one(file, report=report, districts=districts, lsoa=lsoa)
        frames.append(frame)
        seen |= found
    out = pd.concat(frames, ignore_index=True)
    if districts and not len(out):
        wanted = sorted({d.strip().upper() for d in districts})
        report.warn(
            files[0].name if len(files) == 1 else files[0].parent.name,
            "districts",
            f"no postcode lies in the districts asked for ({', '.join(wanted)})"
            f"{did_you_mean(wanted[0], sorted(seen))}",
            "give local authority district codes such as E07000084 (the oslaua or ladNNcd "
            "column of the directory)",
        )
    if not include_terminated:
        out = out[out["terminated"] == ""]
    out = out.drop_duplicates("postcode").reset_index(drop=True)
    for column in ("easting", "northing"):  # whole metres
        out[column] = as_counts(out[column])
    return out


def _wanted(column: str) -> bool:
    key = column.lower()
    return _DISTRICT.match(key) is not None or any(key in names for names in _COLUMNS.values())


def _read_one(file: Path, *, report, districts, lsoa) -> tuple[pd.DataFrame, set[str]]:
    table = read_text_table(file, report=report, usecols=_wanted)
    columns = table.frame.columns
    cols = {key: find_column(columns, names) for key, names in _COLUMNS.items()}
    cols["district"] = cols["district"] or next(
        (c for c in columns if _DISTRICT.match(c.lower())), None
    )
    if cols["postcode"] is None or (cols["easting"] is None and cols["latitude"] is None):
        raise InputError(
            f"{file.name}: not in the ONS Postcode Directory layout (no 'pcds' and "
            "'oseast1m'/'east1m' or 'lat' columns); use the directory's Data/ CSV file"
        )
    keep = np.ones(len(table.frame), dtype=bool)
    seen: set[str] = set()
    if districts:
        if cols["district"] is None:
            raise InputError(
                f"{file.name}: the districts option needs the local authority column "
                "(oslaua or ladNNcd), which the file does not have"
            )
        wanted = {d.strip().upper() for d in districts}
        found = text(table, cols["district"]).str.upper()
        keep &= found.isin(wanted).to_numpy()
        seen = set(pd.unique(found))
    sub = subset(table, keep)
    lat = numbers(sub, cols["latitude"], report=report)
    lon = numbers(sub, cols["longitude"], report=report)
    east = numbers(sub, cols["easting"], report=report)
    north = numbers(sub, cols["northing"], report=report)
    grid = text(sub, cols["grid"])
    no_grid = (
        (grid == "9").to_numpy()
        | np.isclose(lat.to_numpy(dtype=float), _NO_GRID_LAT)
        | (east.isna() & lat.isna()).to_numpy()
    )
    pcs = postcodes(text(sub, cols["postcode"]))
    if no_grid.any():
        examples = ", ".join(pcs[no_grid].dropna().head(3))
        report.warn(
            file,
            cols["grid"] or cols["latitude"] or "",
            f"{no_grid.sum()} postcode(s) have no grid reference (latitude 99.999999) and "
            f"were left out (e.g. {examples})",
            "nothing to do: these postcodes (mostly terminated or non-geographic) cannot be "
            "placed; a service using one needs coordinates or another postcode",
            rows=[sub.lines[i] for i in np.flatnonzero(no_grid)],
        )
    vintage = lsoa or ("2021" if cols["lsoa2021"] else "2011")
    if lsoa and cols[f"lsoa{vintage}"] is None:
        raise InputError(
            f"{file.name}: the file has no {vintage} LSOA column "
            f"({' or '.join(_COLUMNS[f'lsoa{vintage}'])}); leave the lsoa option out"
        )
    out = pd.DataFrame(
        {
            "postcode": pcs,
            "easting": east.where(east > 0),
            "northing": north.where(north > 0),
            "latitude": lat,
            "longitude": lon,
            "lsoa": text(sub, cols[f"lsoa{vintage}"]),
            "terminated": text(sub, cols["terminated"]),
        }
    )
    return out.loc[~no_grid & out["postcode"].notna().to_numpy()], seen
