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
    "read_input",
    "read_table",
    "read_vector",
]

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from earlyhelp.config import NeedInput, PostcodeInput, ServicesInput
from earlyhelp.errors import InputError
from earlyhelp.sources._tables import Table, read_text_table
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport, sheet_rows


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
    return read_text_table(Path(path), report=report, sheet=sheet)


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


def read_vector(path: Path, *, layer: str = "") -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON or Shapefile layer (through pyogrio)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path, layer=layer or None, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(
            f"{path.name}: cannot read it as a GeoPackage, GeoJSON or Shapefile ({exc}); "
            'open it in QGIS to check it, and name the layer with layer = "..."'
        ) from None
    gdf.columns = [str(c).strip() if c != gdf.geometry.name else c for c in gdf.columns]
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
