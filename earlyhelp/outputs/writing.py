"""Writing files: each one atomically, CSV, GeoPackage, workbook and JSON, the manifest,
and write failures in plain words.

Every file is written to a temporary name beside it and renamed into place only when
complete (:func:`atomic_path`). A failure to write is one :class:`WriteError` that names
the file and the cause in plain words ("disk full") and says what to do; the CLI exits 2.
"""

from __future__ import annotations

__all__ = [
    "GENERATOR",
    "MANIFEST",
    "WriteError",
    "atomic_path",
    "check_not_inputs",
    "csv_text",
    "disk_full",
    "library_versions",
    "plain_words",
    "run_manifest",
    "spreadsheet_safe",
    "write_csv",
    "write_error",
    "write_geoparquet",
    "write_gpkg",
    "write_json",
    "write_parquet",
    "write_text",
]

import contextlib
import datetime as dt
import errno
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
from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.validation import UNPRINTABLE, UNPRINTABLE_RE2, contains

# Every output folder's manifest says who wrote it: a stranger's manifest.json does not.
GENERATOR = "earlyhelp"
MANIFEST = "manifest.json"

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
    """Yield a temporary path beside ``path``; rename it into place only on success.

    A failure to write (disk full, no permission, a read-only disk) is a
    :class:`WriteError` naming ``path`` and the cause in plain words; the temporary file
    is removed, so nothing half-written is left.
    """
    path = Path(path)
    tmp_path = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
        )
        os.close(fd)
        tmp_path = Path(tmp)
        tmp_path.unlink()
        yield tmp_path
        os.replace(tmp_path, path)
    except EarlyHelpError:
        raise
    except OSError as exc:
        if exc.filename is not None and not _is_part_of(exc.filename, path, tmp_path):
            raise  # another file (one being read): not this write's failure
        raise write_error(path, exc) from exc
    except Exception as exc:
        if not disk_full(exc, path.parent):
            raise
        raise write_error(path, OSError(errno.ENOSPC, "disk full")) from exc
    finally:
        with contextlib.suppress(OSError):
            if tmp_path.is_dir() and not tmp_path.is_symlink():
                shutil.rmtree(tmp_path)
            elif os.path.lexists(tmp_path):
                tmp_path.unlink()


def _is_part_of(name: str | bytes, path: Path, tmp: Path) -> bool:
    """Whether an error's file name is the file being written, its temporary file or a
    folder on the way to it."""
    where = Path(os.fsdecode(name))
    return where in (path, tmp) or where in path.parents


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE2 = r"^[=+\-@\t\r]"  # the same starts, for one vectorised search


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which text that a spreadsheet would run as a formula is shown as text,
    and unprintable characters are removed.

    Directory text is hostile: a service called ``=HYPERLINK(...)`` or ``+cmd|...`` becomes
    a live formula when a CSV is opened in Excel, and a spreadsheet writer may write text
    starting with ``=`` as one. Such cells (but not numbers written as text, like ``-5``) get a
    leading apostrophe, as OWASP advises. A phone number written ``+44 ...`` shows it too.
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        # unprintable characters (which also make a spreadsheet refuse a sheet) go first;
        # cells are searched by one vectorised pass, only those found are rewritten
        text = values.astype("string")
        dirty = contains(text, UNPRINTABLE_RE2)
        if dirty.any():
            values = values.astype(object).copy()
            values[dirty] = [
                UNPRINTABLE.sub("", v) if isinstance(v, str) else v for v in values[dirty]
            ]
            text = values.astype("string")
        out[col] = values
        risky = pd.Series(contains(text, _FORMULA_RE2), index=values.index)
        risky &= pd.to_numeric(text.where(risky), errors="coerce").isna()
        if risky.any():
            out[col] = values.astype(object).where(~risky, "'" + text[risky].astype(str))
    return out


def write_csv(
    frame: pd.DataFrame,
    path: Path,
    *,
    index: bool = False,
    guard: bool = True,
    float_format: str | None = None,
) -> Path:
    """Write a CSV (UTF-8, ``\\n`` line ends, the header on the first line) atomically.

    Every cell holding a line break (``\\r`` or ``\\n``), a quote or a comma is quoted
    (:func:`csv_text`). With ``guard`` (for tables people open in a spreadsheet: a run's
    tables, ``validation.csv``) cells that a spreadsheet would run as formulas are
    neutralised (:func:`spreadsheet_safe`); data that earlyhelp reads back (what
    ``earlyhelp import`` writes) is written as it is, with ``guard=False``.
    ``float_format`` ("%.10g": ``99.0`` as ``99``) is how decimals are written.
    """
    shown = frame.reset_index() if index else frame
    with atomic_path(path) as tmp:
        text = csv_text(shown, guard=guard, float_format=float_format)
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    return path


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 text with ``\\n`` line ends atomically."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path


def csv_text(frame: pd.DataFrame, *, guard: bool = True, float_format: str | None = None) -> str:
    """``frame`` (without its index) as CSV text with ``\\n`` line ends, in which every
    cell holding a line break, a quote or a comma is quoted; with ``guard``, through
    :func:`spreadsheet_safe` first.

    The csv module quotes a cell only for the characters of its own line terminator, so
    with ``\\n`` a lone ``\\r`` (which spreadsheets and pandas read as a line end) would
    be written bare and split the row. It is written with ``\\r\\n``, which quotes both,
    and the line ends outside quotes are then made ``\\n``.
    """
    buffer = io.StringIO()
    (spreadsheet_safe(frame) if guard else frame).to_csv(
        buffer, index=False, lineterminator="\r\n", float_format=float_format
    )
    # outside quotes (the even pieces between quote characters) a "\r\n" can only be a
    # line end: a cell holding one is quoted, and a quote inside a cell is doubled
    pieces = buffer.getvalue().split('"')
    pieces[::2] = [piece.replace("\r\n", "\n") for piece in pieces[::2]]
    return '"'.join(pieces)


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
            frame = _lists_joined(layer)
            if not isinstance(frame, gpd.GeoDataFrame) and "geometry" not in frame.columns:
                # a table without geometry (QGIS's layer_styles): a GeoPackage attribute table
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
                continue
            if not isinstance(frame, gpd.GeoDataFrame):
                frame = gpd.GeoDataFrame(frame)
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    return path


def write_parquet(frame: pd.DataFrame, path: Path, *, banner: str | None = None) -> Path:
    """Write a table as Parquet (pyarrow, zstd) atomically: columnar, typed and several
    times faster to write and read than CSV for the tables of every small area. A
    ``banner`` (NOT FOR PUBLICATION) is kept in the file's metadata (``earlyhelp_banner``);
    list columns are written as ``;``-separated text, as in the GeoPackage."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(_lists_joined(frame), preserve_index=False)
    if banner:
        meta = dict(table.schema.metadata or {})
        meta[b"earlyhelp_banner"] = banner.encode("utf-8")
        table = table.replace_schema_metadata(meta)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return path


def write_geoparquet(layers: dict[str, gpd.GeoDataFrame | pd.DataFrame], folder: Path) -> Path:
    """Write each layer as ``<folder>/<name>.parquet`` (GeoParquet: geometry as WKB with
    its CRS), each file atomically; the columnar form of :func:`write_gpkg` for large runs
    (QGIS 3.32+, GDAL, geopandas and DuckDB read it)."""
    folder = Path(folder)
    for name, layer in layers.items():
        frame = _lists_joined(layer)
        if not isinstance(frame, gpd.GeoDataFrame):
            frame = gpd.GeoDataFrame(frame)
        with atomic_path(folder / f"{name}.parquet") as tmp:
            frame.to_parquet(tmp, index=False, compression="zstd")
    return folder


def _lists_joined(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with list cells as ``;``-separated text (a copy only where needed)."""
    out = frame
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object and _has_lists(values):
            if out is frame:
                out = frame.copy()
            out[col] = values.map(_join)
    return out


def _has_lists(values: pd.Series) -> bool:
    """Whether a column holds a list or tuple (pandas' C type scan first: a column of
    only text or numbers is passed at once)."""
    if pd.api.types.infer_dtype(values, skipna=True) != "mixed":
        return False
    return bool(values.map(_is_list).any())


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
    kept: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    libraries: tuple[str, ...] = (),
    **sections: Any,
) -> dict[str, Any]:
    """The manifest of one output folder: who made it (``"generator": "earlyhelp"``, by
    which earlyhelp folders are known), what made it (command, config file, every
    parameter, library versions, time), what it read (inputs with SHA-256 and rows read,
    used and dropped), what it wrote (each file and whether it may be published: the
    files the next run may replace or remove) and what it ``kept`` (files a user added
    to the earlier folder, carried over unchanged); ``sections`` add the command's own
    parts (results, access notes, counts...)."""
    return {
        "generator": GENERATOR,
        "command": command,
        "run": cfg.run.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config_file": str(cfg.source.resolve()) if cfg.source else None,
        "inputs": inputs,
        "outputs": outputs,
        "kept": list(kept or []),
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


# --------------------------------------------------------------------------------------
# Write failures, in plain words
# --------------------------------------------------------------------------------------


class WriteError(EarlyHelpError):
    """A file could not be written. The message names the file (as it would be in the
    output folder), the cause in plain words and the fix; exit code 2."""

    exit_code = 2

    def __init__(self, path: str | Path, reason: str, fix: str, *, after: str = "") -> None:
        self.path, self.reason, self.fix, self.after = Path(path), reason, fix, after
        super().__init__(f"cannot write {path}: {reason}; {fix}" + (f"; {after}" if after else ""))

    def __reduce__(self) -> tuple:
        # rebuilt whole from a process drawing pages beside (forking.beside): its path is
        # rewritten from the staging folder's to the output folder's like any other
        return (_write_error, (self.path, self.reason, self.fix, self.after, self.__dict__))


def _write_error(path: Path, reason: str, fix: str, after: str, state: dict) -> WriteError:
    error = WriteError(path, reason, fix, after=after)
    error.__dict__.update(state)
    return error


_SPACE = "free some space on that disk, or write elsewhere with --out"
_ALLOWED = "choose a folder you may write to (--out or [run] output_dir)"
_ELSEWHERE = "check the disk, or write elsewhere with --out"
_WORDS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("disk full", _SPACE),
    getattr(errno, "EDQUOT", errno.ENOSPC): ("disk quota used up", _SPACE),
    errno.EACCES: ("permission denied", _ALLOWED),
    errno.EPERM: ("not permitted", _ALLOWED),
    errno.EROFS: ("the disk is read-only", _ALLOWED),
    errno.EIO: ("the disk failed to write (input/output error)", _ELSEWHERE),
    errno.EFBIG: ("the file is too large for that disk", _ELSEWHERE),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path (--out or [run] name)"),
    errno.ENOTDIR: ("part of the path is a file, not a folder", "check the path (--out)"),
    errno.EEXIST: ("it is a file, not a folder", "check the path (--out)"),
}
_FULL_TEXT = ("no space left", "disk is full", "disk full", "quota exceeded")


def plain_words(exc: OSError) -> tuple[str, str]:
    """What went wrong in plain words ("disk full" for ENOSPC), and what to do."""
    if exc.errno in _WORDS:
        return _WORDS[exc.errno]
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason, "check the path and that you may write there, or write elsewhere with --out"


def write_error(path: str | Path, exc: OSError, *, after: str = "") -> WriteError:
    """The :class:`WriteError` of ``exc`` at ``path``."""
    return WriteError(path, *plain_words(exc), after=after)


def disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether a library's own error (GDAL's SQLite, for one) is a full disk: it says so,
    or the disk has under 1 MB left."""
    if any(text in str(exc).lower() for text in _FULL_TEXT):
        return True
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False
