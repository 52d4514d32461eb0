"""Outputs: atomic writes, the run folder and its manifest.

A run is written into a hidden staging folder beside its final place and renamed into
place only when every file is complete, so a failed run never leaves a half-written
output and never disturbs the previous run's files until the new ones are ready.
"""

from __future__ import annotations

__all__ = [
    "atomic_path",
    "check_not_inputs",
    "csv_text",
    "header_with_unit",
    "library_versions",
    "run_manifest",
    "staged_dir",
    "write_csv",
    "write_gpkg",
    "write_json",
    "write_workbook",
]

import contextlib
import datetime as dt
import io
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from earlyhelp.config import Config
from earlyhelp.errors import InputError
from earlyhelp.validation import UNPRINTABLE

_LIBRARIES = (
    "earlyhelp",
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "pandas",
    "numpy",
    "scipy",
    "folium",
    "branca",
    "mapclassify",
)


def check_not_inputs(outputs: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse to write over an input: an output path that is, or holds, an input file."""
    ins = [Path(p).resolve() for p in inputs]
    for out in outputs:
        out = Path(out).resolve()
        for inp in ins:
            if inp == out or out in inp.parents:
                raise InputError(
                    f"{out}: this output would overwrite the input {inp.name}; choose "
                    "another output folder (--out or [run] output_dir)"
                )


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            if tmp_path.is_dir():
                shutil.rmtree(tmp_path)
            else:
                tmp_path.unlink()


@contextlib.contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``final`` whole.

    Only an earlier earlyhelp output (a folder holding ``manifest.json``) or an empty
    folder is ever replaced: anything else at ``final`` is refused before any work.
    """
    final = Path(final)
    _check_replaceable(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; a run folder is not
    try:
        yield stage
        old = None
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
            os.replace(final, old / final.name)
        os.replace(stage, final)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if stage.exists():
            shutil.rmtree(stage)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which text that a spreadsheet would run as a formula is shown as text,
    and unprintable characters are removed.

    Directory text is hostile: a service called ``=HYPERLINK(...)`` or ``+cmd|...`` becomes
    a live formula when a CSV is opened in Excel, and openpyxl writes any string starting
    with ``=`` as one. Such cells (but not numbers written as text, like ``-5``) get a
    leading apostrophe, as OWASP advises. A phone number written ``+44 ...`` shows it too.
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        # unprintable characters (which also make openpyxl refuse a sheet) go first
        values = values.map(
            lambda v: UNPRINTABLE.sub("", v) if isinstance(v, str) else v, na_action="ignore"
        )
        out[col] = values
        text = values.astype("string")
        risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
        risky &= pd.to_numeric(text.where(risky), errors="coerce").isna()
        if risky.any():
            out[col] = values.astype(object).where(~risky, "'" + text[risky].astype(str))
    return out


def _check_replaceable(final: Path) -> None:
    if not final.exists():
        return
    if not final.is_dir():
        raise InputError(
            f"{final}: this is a file, not a folder; choose a new folder for the outputs "
            "(--out or [run] output_dir)"
        )
    if any(final.iterdir()) and not (final / "manifest.json").exists():
        raise InputError(
            f"{final}: this folder holds files that earlyhelp did not write (it has no "
            "manifest.json), so it will not replace it; choose a new or empty folder (--out)"
        )


def write_csv(
    frame: pd.DataFrame,
    path: Path,
    *,
    index: bool = False,
    banner: str | None = None,
    guard: bool = True,
) -> Path:
    """Write a CSV (UTF-8, ``\\n`` line ends) atomically, ``banner`` as its first line.

    Every cell holding a line break (``\\r`` or ``\\n``), a quote or a comma is quoted
    (:func:`csv_text`). With ``guard`` (for tables people open in a spreadsheet: a run's
    tables, ``validation.csv``) cells that a spreadsheet would run as formulas are
    neutralised (:func:`spreadsheet_safe`); data that earlyhelp reads back (what
    ``earlyhelp import`` writes) is written as it is, with ``guard=False``.
    """
    shown = frame.reset_index() if index else frame
    text = csv_text(shown, guard=guard)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        if banner:
            fh.write(banner + "\n")
        fh.write(text)
    return path


def csv_text(frame: pd.DataFrame, *, guard: bool = True) -> str:
    """``frame`` (without its index) as CSV text with ``\\n`` line ends, in which every
    cell holding a line break, a quote or a comma is quoted; with ``guard``, through
    :func:`spreadsheet_safe` first.

    The csv module quotes a cell only for the characters of its own line terminator, so
    with ``\\n`` a lone ``\\r`` (which spreadsheets and pandas read as a line end) would
    be written bare and split the row. It is written with ``\\r\\n``, which quotes both,
    and the line ends outside quotes are then made ``\\n``.
    """
    buffer = io.StringIO()
    (spreadsheet_safe(frame) if guard else frame).to_csv(buffer, index=False, lineterminator="\r\n")
    # outside quotes (the even pieces between quote characters) a "\r\n" can only be a
    # line end: a cell holding one is quoted, and a quote inside a cell is doubled
    pieces = buffer.getvalue().split('"')
    pieces[::2] = [piece.replace("\r\n", "\n") for piece in pieces[::2]]
    return '"'.join(pieces)


_UNITS = (
    ("services_without_cost", "services"),
    ("pct_", "%"),
    ("share_", "share, 0-1"),
    ("spend_", "GBP"),
    ("cost", "GBP"),
    ("per_1000", "children"),
    ("need_index", "0-100"),
    ("children", "children"),
)


def header_with_unit(column: str) -> str:
    """A readable header with its unit: ``spend_per_child`` -> ``Spend per child (GBP)``."""
    text = str(column).replace("__", ": ").replace("_per_1000", " per 1,000").replace("_", " ")
    text = text[:1].upper() + text[1:]
    for marker, unit in _UNITS:
        if marker in str(column):
            # "Children full core range" needs no "(children)"; "Pct ..." reads as "% ..."
            text = text.removeprefix("Pct ").capitalize() if marker == "pct_" else text
            return text if unit in text.lower() else f"{text} ({unit})"
    return text


def _numbers_back(frame: pd.DataFrame, suppression: dict) -> pd.DataFrame:
    """A suppressed table's counts and rates are text ("12", "*"); give Excel the numbers
    back as numbers, so they sum and sort, leaving the symbols as they are."""
    columns = [*suppression.get("count_columns", []), *suppression.get("rate_columns", {})]
    if not columns:
        return frame
    out = frame.copy()
    for col in columns:
        numeric = pd.to_numeric(out[col], errors="coerce")
        out[col] = numeric.astype(object).where(numeric.notna(), out[col])
    return out


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """One formatted sheet per table for commissioners: bold frozen headers with units,
    fitted column widths; analyst tables carry their NOT FOR PUBLICATION line on top."""
    from openpyxl.styles import Font, PatternFill

    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in tables.items():
            banner = frame.attrs.get("earlyhelp_publication") != "suppressed"
            start = 1 if banner else 0
            shown = frame.reset_index() if frame.index.name else frame
            shown = _numbers_back(shown, frame.attrs.get("suppression", {}))
            shown = spreadsheet_safe(shown).rename(columns=header_with_unit)
            shown.to_excel(writer, sheet_name=name[:31], index=False, startrow=start)
            sheet = writer.sheets[name[:31]]
            if banner:
                sheet.cell(row=1, column=1, value="NOT FOR PUBLICATION: unsuppressed small numbers")
                sheet.cell(row=1, column=1).font = Font(bold=True, color="9C0006")
            for cell in sheet[start + 1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="DDEBF7")
            sheet.freeze_panes = sheet.cell(row=start + 2, column=1)
            for i, col in enumerate(shown.columns, start=1):
                width = max(len(str(col)), *(len(str(v)) for v in shown[col].head(200)), 6)
                sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = min(
                    width + 2, 60
                )
    return path


def write_json(data: Any, path: Path) -> Path:
    """Write pretty JSON atomically; a missing number (NaN) is written as null, so the file
    is JSON that every reader accepts."""
    text = json.dumps(_json_ready(data), indent=2, default=str, allow_nan=False)
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    return path


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def write_gpkg(layers: dict[str, gpd.GeoDataFrame | pd.DataFrame], path: Path) -> Path:
    """Write several layers to one GeoPackage atomically.

    List columns are written as ``;``-separated text. GDAL's timestamps are pinned so the
    same tables give the same file.
    """
    with atomic_path(path) as tmp:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00Z"})
        for name, layer in layers.items():
            frame = layer.copy()
            for col in frame.columns:
                if frame[col].dtype == object and frame[col].map(_is_list).any():
                    frame[col] = frame[col].map(_join)
            if not isinstance(frame, gpd.GeoDataFrame):
                frame = gpd.GeoDataFrame(frame)
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    return path


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _join(value: Any) -> Any:
    return ";".join(map(str, value)) if _is_list(value) else value


def run_manifest(
    cfg: Config,
    *,
    command: str,
    inputs: list[dict[str, Any]],
    outputs: dict[str, str],
    parameters: dict[str, Any] | None = None,
    libraries: tuple[str, ...] = (),
    **sections: Any,
) -> dict[str, Any]:
    """The manifest of one output folder: what made it (command, config file, every
    parameter, library versions, time), what it read (inputs with SHA-256 and rows read,
    used and dropped) and what it wrote (each file and whether it may be published);
    ``sections`` add the command's own parts (results, access notes, counts...)."""
    return {
        "command": command,
        "run": cfg.run.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config_file": str(cfg.source.resolve()) if cfg.source else None,
        "inputs": inputs,
        "outputs": outputs,
        **sections,
        "parameters": cfg.to_dict() if parameters is None else parameters,
        "libraries": library_versions(libraries),
    }


def library_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Versions of Python and the libraries that shape the results (and ``extra`` ones)."""
    out = {"python": platform.python_version()}
    for name in (*_LIBRARIES, *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out
