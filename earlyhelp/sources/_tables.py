"""Shared helpers for the outside formats: published tables read as text, line by line.

Published files carry byte-order marks, Windows-1252 text, blank lines, notes above the
header (ONS workbooks) and numbers written as "13404.00". :func:`read_text_table` reads
any of them with every cell as text and remembers the line each record came from, so a
problem names the line a person sees when they open the file.
"""

from __future__ import annotations

__all__ = [
    "ONS_CODE",
    "Table",
    "as_counts",
    "expand_paths",
    "find_column",
    "norm",
    "numbers",
    "postcodes",
    "published_numbers",
    "read_text_table",
    "report_tidied",
    "subset",
    "text",
]

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.geography import normalise_postcode
from earlyhelp.validation import ValidationReport, parse_numbers, strip_cells

# ONS GSS codes: a letter for the nation and eight digits (E01000001, W01000001, E06000044).
ONS_CODE = re.compile(r"^[EWSNKLM]\d{8}$")
_HEADER_SEARCH_ROWS = 30  # ONS workbooks put up to a dozen lines of notes above the header


@dataclass(frozen=True)
class Table:
    """A published table read as text.

    ``frame`` has every cell as stripped text ("" when empty) and no blank records;
    ``lines`` gives, for each record, the line of a CSV file or the row of a sheet that a
    person sees; ``file`` is the name used in problem lines.
    """

    frame: pd.DataFrame
    lines: list[int]
    file: str
    # what was tidied on reading, in words ("a byte-order mark", "3 cells with spaces
    # around them in 'Area Code'"), for readers that report it (:func:`report_tidied`)
    tidied: tuple[str, ...] = ()
    # the header as a sheet wrote it, before repeated names were made unique ("Area
    # Code", "Area Code.1"); a CSV's as pandas read it
    header: tuple[str, ...] = ()


def norm(name: object) -> str:
    """A header as lower-case letters and digits: "Lower CI 95.0 limit" -> "lowerci950limit"."""
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def find_column(columns: Iterable[object], candidates: Sequence[str]) -> str | None:
    """The first of ``candidates`` present in ``columns``, ignoring case, spaces and punctuation."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(norm(column), str(column))
    for candidate in candidates:
        found = by_key.get(norm(candidate))
        if found is not None:
            return found
    return None


def expand_paths(path: str | Path | Sequence[str | Path], *, pattern: str) -> list[Path]:
    """One file, a folder (its files matching ``pattern``, in natural order) or a list of files."""
    if isinstance(path, str | Path):
        path = Path(path)
        if path.is_dir():
            found = sorted(path.glob(pattern), key=_natural)
            if not found:
                raise InputError(
                    f"{path}: the folder holds no files matching '{pattern}'; "
                    "point to the downloaded files themselves"
                )
            return found
        paths = [path]
    else:
        paths = [Path(p) for p in path]
    for p in paths:
        if not p.exists():
            raise InputError(
                f"{p}: file not found; check the path (and that the download finished)"
            )
    return paths


def _natural(path: Path) -> list[object]:
    """Sort key that puts page2 before page10."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def read_text_table(
    path: Path,
    *,
    report: ValidationReport,
    sheet: str = "",
    is_header: Callable[[Sequence[str]], bool] | None = None,
    usecols: Callable[[str], bool] | None = None,
) -> Table:
    """Read a CSV or Excel table as published, every cell as text.

    CSV is read as UTF-8 with or without a byte-order mark; a file that is not UTF-8 is
    read as Windows-1252 (as Excel on Windows saves it) with a warning. When
    ``is_header`` is given and the first row is not the header, the first of the next
    rows that is becomes the header (ONS workbooks put notes above it). ``usecols``
    keeps only the columns it accepts (by stripped header), which keeps very large files
    such as the ONS Postcode Directory small in memory.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame, first_line = _read_excel(path, sheet=sheet, is_header=is_header)
    elif suffix in (".csv", ".txt", ".tsv"):
        frame, first_line = _read_csv(path, report=report, is_header=is_header, usecols=usecols)
    else:
        raise InputError(
            f"{path.name}: a table must be .csv or .xlsx, not '{suffix or 'no extension'}'; "
            "save it as CSV"
        )
    header = tuple(str(c).strip() for c in frame.columns)
    frame.columns = _unique(list(header))
    if usecols is not None:
        frame = frame[[c for c in frame.columns if usecols(c)]]
    frame = frame.astype("string").fillna("")
    cleaned = {c: strip_cells(frame[c]) for c in frame.columns}  # each column once
    padded = {c: n for c, (_, n) in cleaned.items()}
    if len(frame.columns):
        frame = pd.DataFrame({c: v for c, (v, _) in cleaned.items()}, index=frame.index)
    lines = np.arange(len(frame)) + first_line
    blank = (
        (frame == "").all(axis=1).to_numpy() if len(frame.columns) else np.ones(len(frame), bool)
    )
    frame = frame.loc[~blank].reset_index(drop=True)
    tidied = ["a byte-order mark"] if _has_bom(path) else []
    tidied += [
        f"{int(n):,} cell(s) with spaces around them in '{c}'" for c, n in padded.items() if n
    ]
    return Table(frame, [int(i) for i in lines[~blank]], path.name, tuple(tidied), header)


def _unique(headers: list[str]) -> list[str]:
    """Headers made unique as pandas does for CSV ("Area Code", "Area Code.1"), so a
    sheet whose header repeats a name (DWP's ward tables) reads the same as its CSV."""
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        n = seen.get(header, 0)
        seen[header] = n + 1
        out.append(header if n == 0 else f"{header}.{n}")
    return out


def _has_bom(path: Path) -> bool:
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return False
    with path.open("rb") as fh:
        return fh.read(3) == b"\xef\xbb\xbf"


def _read_csv(path, *, report, is_header, usecols) -> tuple[pd.DataFrame, int]:
    kwargs = {
        "dtype": str,
        "keep_default_na": False,
        "skip_blank_lines": False,
        "sep": "\t" if path.suffix.lower() == ".tsv" else ",",
    }
    if usecols is not None:
        kwargs["usecols"] = lambda c: usecols(str(c).strip())
    try:
        frame = _read_csv_from(path, 0, kwargs, report)
    except pd.errors.ParserError as exc:
        at = _header_line(path, is_header) if is_header is not None else None
        if at is None and is_header is not None:
            raise InputError(
                f"{path.name}: no header row with the expected columns was found in the "
                f"first {_HEADER_SEARCH_ROWS} lines (lines above it are read as notes), and "
                f"the file does not read as one table ({str(exc).strip()}); check that this "
                "is the file as published"
            ) from None
        if at is None:
            raise InputError(f"{path.name}: not a well-formed CSV file: {exc}") from None
        # notes above the header, each one cell wide (Ofsted's title lines): read from it
        return _read_csv_from(path, at, kwargs, report), at + 2
    except pd.errors.EmptyDataError:
        raise InputError(f"{path.name}: the file is empty; download it again") from None
    if is_header is None or is_header([str(c).strip() for c in frame.columns]):
        return frame, 2
    frame, at = _promote_header(frame, is_header, path)
    return frame, at + 3  # the header is data row `at` (line at + 2); records follow it


def _header_line(path: Path, is_header) -> int | None:
    """The line (from 0) of the header among the first lines of a CSV with notes above
    it, read with the csv module (the notes have fewer cells than the table)."""
    import csv

    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding, newline="") as fh:
                for at, row in enumerate(csv.reader(fh)):
                    if at >= _HEADER_SEARCH_ROWS:
                        return None
                    if is_header([c.strip() for c in row]):
                        return at
        except UnicodeDecodeError:
            continue
    return None


def _read_csv_from(path: Path, at: int, kwargs: dict, report: ValidationReport) -> pd.DataFrame:
    """The CSV from line ``at`` (from 0), as UTF-8, else as Windows-1252 with a warning
    (given once the file has read)."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig", skiprows=at, **kwargs)
    except UnicodeDecodeError:
        frame = pd.read_csv(path, encoding="cp1252", skiprows=at, **kwargs)
        report.warn(
            path,
            "",
            "the file is not UTF-8; it was read as Windows-1252 (cp1252)",
            "check that names with accents, curly apostrophes or £ signs look right, "
            "or save it as 'CSV UTF-8' in Excel",
        )
        return frame


def _read_excel(path, *, sheet, is_header) -> tuple[pd.DataFrame, int]:
    try:
        raw = pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=str)
    except ValueError as exc:
        raise InputError(
            f'{path.name}: cannot read sheet "{sheet}": {exc}; name the sheet with the sheet option'
        ) from None
    raw = raw.fillna("")
    header = [str(v).strip() for v in raw.iloc[0]] if len(raw) else []
    if is_header is None or is_header(header):
        frame = raw.iloc[1:].reset_index(drop=True)
        frame.columns = header
        return frame, 2
    frame, at = _promote_header(raw.rename(columns=lambda i: f"_{i}"), is_header, path, sheet)
    return frame, at + 2


def _promote_header(frame: pd.DataFrame, is_header, path: Path, sheet: str = ""):
    """Find the header among the first rows (notes above it) and make it the header."""
    for at in range(min(_HEADER_SEARCH_ROWS, len(frame))):
        row = [str(v).strip() for v in frame.iloc[at].fillna("")]
        if is_header(row):
            body = frame.iloc[at + 1 :].reset_index(drop=True)
            body.columns = row
            return body, at
    where = f' (sheet "{sheet}")' if sheet else ""
    raise InputError(
        f"{path.name}{where}: no header row with the expected columns was found in the first "
        f"{_HEADER_SEARCH_ROWS} rows; check that this is the file as published (or name the "
        "right sheet with the sheet option)"
    )


def text(table: Table, column: str | None) -> pd.Series:
    """A column as text, or empty text when the file has no such column."""
    if column is None or column not in table.frame:
        return pd.Series("", index=table.frame.index, dtype="string")
    return table.frame[column]


def numbers(table: Table, column: str | None, *, report: ValidationReport) -> pd.Series:
    """A column of numbers written as text ("13404.00" is fine); NaN where blank or missing.

    Anything that is not a plain number is an error naming the lines (through
    :func:`earlyhelp.validation.parse_numbers`).
    """
    if column is None or column not in table.frame:
        return pd.Series(np.nan, index=table.frame.index, dtype=float)
    return parse_numbers(
        table.frame[column], file=table.file, field=column, report=report, rows=table.lines
    )


def as_counts(values: pd.Series) -> pd.Series:
    """Whole numbers as nullable integers (so a CSV says 140, not 140.0); others as floats."""
    finite = values.dropna()
    if len(finite) and np.all(np.mod(finite.to_numpy(dtype=float), 1) == 0):
        return values.round().astype("Int64")
    if not len(finite):
        return values.astype("Int64")
    return values.astype(float)


postcodes = normalise_postcode  # one normaliser for loaders, sources and the offer finder


def subset(table: Table, keep: np.ndarray) -> Table:
    """The records of ``table`` where ``keep`` is true, with their line numbers."""
    lines = [line for line, k in zip(table.lines, keep, strict=True) if k]
    frame = table.frame.loc[keep].reset_index(drop=True)
    return Table(frame, lines, table.file, table.tidied, table.header)


# Symbols publishers write for a value withheld or not available (DfE, ONS, DWP, OHID):
# read as missing, never as 0.
SUPPRESSED = frozenset(
    {"c", "x", "z", "u", "k", "low", ":", "..", "*", "**", "-", "~", "[c]", "[x]", "[z]",
     "[u]", "[k]", "[low]"}
)  # fmt: skip
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?%?$")
_PERCENT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)%$")


def published_numbers(
    table: Table, column: str | None, *, report: ValidationReport, tidied: list[str] | None = None
) -> pd.Series:
    """A column of numbers as publishers write them: "3,296,672" (thousands separators),
    "26.3%" (read as 26.3) and suppression symbols ("c", "[x]", "..", "*": missing, never
    0) are read; anything else that is not a number is an error naming the lines. What
    was tidied is added to ``tidied`` in words, for :func:`report_tidied`."""
    if column is None or column not in table.frame:
        return pd.Series(np.nan, index=table.frame.index, dtype=float)
    raw = table.frame[column]
    withheld = raw.str.lower().isin(SUPPRESSED)
    thousands = raw.str.fullmatch(_THOUSANDS).fillna(False).astype(bool)
    percent = (raw.str.fullmatch(_PERCENT) | (thousands & raw.str.endswith("%"))).fillna(False)
    clean = raw.where(~withheld, "").str.replace(",", "", regex=False).where(thousands, raw)
    clean = clean.where(~withheld, "").str.replace(r"%$", "", regex=True)
    if tidied is not None:
        for n, what in (
            (thousands.sum(), "with thousands separators"),
            (percent.sum(), "with % signs (read as percentages)"),
            (withheld.sum(), "withheld by the publisher (read as missing, not 0)"),
        ):
            if n:
                tidied.append(f"{int(n):,} value(s) in '{column}' {what}")  # fmt: skip
    values = parse_numbers(clean, file=table.file, field=column, report=report, rows=table.lines)
    return values.astype(float)


def report_tidied(table: Table, report: ValidationReport, tidied: Sequence[str] = ()) -> None:
    """One warning saying what was tidied on reading a published file (a byte-order mark,
    spaces around codes, thousands separators, % signs, suppression symbols), so an
    analyst can check it against the file; nothing when the file needed no tidying."""
    found = [*table.tidied, *tidied]
    if found:
        report.warn(
            table.file,
            "",
            "read as published, after tidying: " + "; ".join(found),
            "nothing to do; check a few values against the published file",
        )
