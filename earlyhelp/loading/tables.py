"""Reading input files: any table or vector layer, and the bookkeeping of each file.

:func:`read_table` reads a CSV or Excel table as stripped text, each record with its row
number as a person sees it; :func:`read_vector` reads a GeoPackage, GeoJSON or Shapefile
layer; :func:`read_input` reads an input's table either from the user's own layout (with
its column mapping) or from a published one (``format``, through :mod:`earlyhelp.sources`).
:class:`InputRecord` is what the manifest says of one file (its hash, rows read, used and
dropped), and :func:`note_absent` warns of the optional columns a file lacks.
"""

from __future__ import annotations

__all__ = [
    "InputRecord",
    "existing_file",
    "file_sha256",
    "note_absent",
    "per_distinct",
    "read_input",
    "read_table",
    "read_vector",
]

import csv
import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from earlyhelp.config import NeedInput, PostcodeInput, ServicesInput
from earlyhelp.errors import InputError
from earlyhelp.sources._tables import Table, read_text_table
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport, plain_text, sheet_rows


@dataclass
class InputRecord:
    """What the manifest says of one input file."""

    role: str
    path: str
    sha256: str
    rows_read: int = 0
    rows_used: int = 0
    dropped: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def per_distinct(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``values.map(fn)`` with ``fn`` called once per distinct value (a directory's
    200,000 rows hold a few hundred distinct kinds, statuses or areas lists); missing
    values stay missing. A list ``fn`` returns is copied per row, so no two rows share
    one."""
    codes, distinct = pd.factorize(values)
    made = np.empty(len(distinct) + 1, dtype=object)
    made[:-1] = [fn(v) for v in distinct]
    made[-1] = values.dtype.na_value if hasattr(values.dtype, "na_value") else np.nan
    out = made[codes]
    if any(isinstance(v, list) for v in made[:-1]):
        copies = np.empty(len(out), dtype=object)
        copies[:] = [list(v) if isinstance(v, list) else v for v in out]
        out = copies
    return pd.Series(out, index=values.index, name=values.name, dtype=object)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (for the manifest)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def existing_file(path: Path | None, role: str) -> Path:
    if path is None:
        raise InputError(f'config: no path is set for the {role} file; add path = "..."')
    if not path.exists():
        raise InputError(
            f'{path}: {role} file not found; check path = "..." in config.toml '
            "(relative paths start from the config file's folder)"
        )
    return path


def read_table(path: Path, *, sheet: str = "", report: ValidationReport) -> Table:
    """Read a CSV or Excel table with every cell as stripped text, blank rows left out.

    CSV is read as UTF-8 (with or without a byte-order mark); a file that is not UTF-8
    is read as Windows-1252 with a warning, as Excel on Windows often saves them.
    ``Table.lines`` gives each record's row number as a person sees it in Excel or a text
    editor (the header is row 1), so problems point at the right row even past blank
    lines.
    """
    table = read_text_table(Path(path), report=report, sheet=sheet)
    return _without_repeated_headers(table, Path(path), report)


def _header_cells(path: Path, frame: pd.DataFrame, header: tuple[str, ...] = ()) -> list[str]:
    """The header as written (pandas renames a repeated CSV header ``name.1``, and a
    sheet's repeats are made unique the same way)."""
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return list(header) if header else [str(c) for c in frame.columns]
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding, newline="") as fh:
                return [c.strip() for c in next(csv.reader(fh, delimiter=sep), [])]
        except UnicodeDecodeError:
            continue
    return [str(c) for c in frame.columns]  # pragma: no cover - cp1252 reads any byte


def _without_repeated_headers(table: Table, path: Path, report: ValidationReport) -> Table:
    """A header written twice is an error naming its columns (only the first of them could
    be read, and which one holds the data is a guess); the repeats are left out."""
    cells = _header_cells(path, table.frame, table.header)
    if len(cells) != len(table.frame.columns):
        return table
    seen: dict[str, list[int]] = {}
    for position, cell in enumerate(cells):
        if cell:
            seen.setdefault(cell, []).append(position)
    repeated = {cell: at for cell, at in seen.items() if len(at) > 1}
    for cell, at in repeated.items():
        letters = " and ".join(_column_letter(i) for i in at)
        report.error(
            path,
            cell,
            f"the header '{cell}' appears {len(at)} times (columns {letters}), so which "
            "column holds its values is unclear",
            "rename or delete the repeated column so that each header appears once",
        )
    if not repeated:
        return table
    drop = {i for at in repeated.values() for i in at[1:]}
    keep = [i for i in range(len(cells)) if i not in drop]
    return Table(table.frame.iloc[:, keep], table.lines, table.file, table.tidied)


def _column_letter(position: int) -> str:
    """The spreadsheet letter of a column: 0 -> A, 26 -> AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_input(
    spec: NeedInput | ServicesInput | PostcodeInput,
    path: Path,
    report: ValidationReport,
    *,
    sheet: str = "",
) -> tuple[pd.DataFrame, dict[str, str], list[int]]:
    """The raw table of an input, its column mapping and each record's row number.

    A ``format`` names a published layout (Open Referral UK, GIAS, IoD, ONSPD...) that
    :mod:`earlyhelp.sources` turns into canonical columns, so the mapping is the identity.
    """
    if not spec.format:
        table = read_table(path, sheet=sheet, report=report)
        return table.frame, spec.columns, table.lines
    from earlyhelp.sources import read_source

    frame = read_source(spec.format, path, report=report, **spec.options)
    frame = frame.astype("string").fillna("")
    return frame, {c: c for c in spec.columns}, sheet_rows(range(len(frame)))


def read_vector(
    path: Path, *, layer: str = "", report: ValidationReport | None = None, key: str = ""
) -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON or Shapefile layer (through pyogrio).

    A feature whose geometry cannot be read (a ring that is not closed, a line of one
    point) is named, by its number and its ``key`` column (an area code), with the
    reason: an error in ``report``, where that feature is read with no geometry (listed in
    ``attrs["unreadable"]``, so it is not reported again as empty), else an
    :class:`InputError`.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path, layer=layer or None, engine="pyogrio")
    except shapely.errors.GEOSException:
        gdf = _read_unreadable(path, layer, report, key)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(
            f"{path.name}: cannot read it as a GeoPackage, GeoJSON or Shapefile "
            f"({plain_text(exc)}){_layer_hint(path, layer)}"
        ) from None
    gdf.columns = [str(c).strip() if c != gdf.geometry.name else c for c in gdf.columns]
    return gdf


def _layer_hint(path: Path, layer: str) -> str:
    """What to do about a file that cannot be read: name a layer only where that helps."""
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception:  # not a vector file at all
        return "; check that it is a GeoPackage, GeoJSON or Shapefile by opening it in QGIS"
    if layer and layer not in layers:
        return f'; it has no layer "{layer}": use one of {", ".join(layers)} (layer = "...")'
    if len(layers) > 1 and not layer:
        return f'; it has several layers, so name one with layer = "..." ({", ".join(layers)})'
    return "; open it in QGIS to check it"


# GEOS's reasons for refusing a geometry, in words, with what to do
_UNREADABLE = (
    ("closed linestring", "a ring is not closed (its last point is not its first)"),
    ("must be 0 or >= 4", "a ring has fewer than four points"),
    ("0 or >1 elements", "a line has only one point"),
)


def _read_unreadable(
    path: Path, layer: str, report: ValidationReport | None, key: str
) -> gpd.GeoDataFrame:
    """Read a layer in which some geometries cannot be parsed: those are named (with the
    reason and their ``key``) and read as missing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = gpd.read_file(path, layer=layer or None, engine="pyogrio", read_geometry=False)
        meta, _, wkb, _ = pyogrio.raw.read(path, layer=layer or None, columns=[])
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    bad = np.flatnonzero(pd.isna(geoms) & pd.notna(wkb))
    reasons: dict[str, list[int]] = {}
    for i in bad:
        try:
            shapely.from_wkb(wkb[i])
        except shapely.errors.GEOSException as exc:
            text = str(exc).split(": ", 1)[-1]
            said = next((words for part, words in _UNREADABLE if part in text), text)
            reasons.setdefault(said, []).append(int(i))
    fix = (
        "correct those boundaries in QGIS (Vector > Geometry Tools > Fix Geometries, or "
        "Check Validity to find them) and save the file again"
    )
    for said, at in reasons.items():
        named = ""
        if key and key in frame:
            codes = ", ".join(str(frame[key].iloc[i]) for i in at[:5])
            named = f" ({key} {codes}{' ...' if len(at) > 5 else ''})"
        problem = f"{len(at)} feature(s) cannot be read{named}: {said}"
        if report is None:
            raise InputError(f"{path.name}, feature {at[0] + 1}: {problem}; {fix}")
        report.error(path, "geometry", problem, fix, rows=[i + 1 for i in at])
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=meta["crs"])
    gdf.attrs["unreadable"] = [int(i) for i in bad]
    return gdf


def note_absent(
    frame: pd.DataFrame,
    cols: dict[str, str],
    optional: dict[str, str],
    *,
    file: Path,
    section: str,
    report: ValidationReport,
) -> None:
    """One warning for each optional column that is not in the file, saying what follows
    and how to map it if it is there under another name."""
    headers = [str(c) for c in frame.columns]
    for canonical, consequence in optional.items():
        header = cols[canonical]
        if header in frame.columns:
            continue
        hint = did_you_mean(header, headers)
        report.warn(
            file,
            header,
            f"optional column '{header}' is not in the file{hint}, so {consequence}",
            f'map it with {canonical} = "<your header>" under [{section}.columns] if the '
            "file has it under another name",
        )
