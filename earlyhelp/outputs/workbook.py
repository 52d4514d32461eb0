"""The commissioners' workbook: one sheet per table, ready to read, sort and filter in Excel.

Written with openpyxl in write-only (streaming) mode, so a large table never sits in
memory as cells. Each sheet has plain-English headers with units
(:func:`~earlyhelp.outputs.formats.column_format`), a number format per column (whole
counts, percentages and rates to one decimal, whole pounds), labels instead of keys
(kinds of help by their label, yes/no instead of True/False, measures in words), an
autofilter on the header row and frozen panes (the header and the first column stay in
view). A sheet that is not for publication says so in its first row. An "About" sheet
comes first: what each sheet is, the unit convention, the attribution and the licence.
"""

from __future__ import annotations

__all__ = ["EXCEL_MAX_ROWS", "sheet_title", "write_workbook"]

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.outputs.formats import ColumnFormat, column_format
from earlyhelp.outputs.writing import atomic_path, spreadsheet_safe

EXCEL_MAX_ROWS = 1_048_576
_NOT_FOR_PUBLICATION = (
    "NOT FOR PUBLICATION: analyst table with unsuppressed small numbers; publish only the "
    "published tables (tables/<name>.csv)"
)
_HEADER_FILL = "DDEBF7"
_WARNING_COLOUR = "9C0006"
_CATEGORY_COLUMNS = ("category", "label")
_FLAG_TEXT = {True: "Yes", False: "No"}


def write_workbook(
    tables: Mapping[str, pd.DataFrame],
    path: Path,
    *,
    about: Sequence[tuple[str, str]] = (),
    labels: Mapping[str, str] | None = None,
    cost_unit: str | None = None,
) -> Path:
    """Write ``tables`` as one formatted sheet each, after an About sheet.

    Parameters
    ----------
    tables
        Table name -> table; each sheet is named in words (:func:`sheet_title`). A table
        whose ``attrs["publishable"]`` (or ``attrs["earlyhelp_publication"] ==
        "suppressed"``) is not true opens with the NOT FOR PUBLICATION line. A suppressed
        table's counts come as text ("12", "*"): they are written as numbers where they
        are numbers.
    about
        Rows of the first sheet, "About": (label, text), for example the attribution.
    labels
        Category key -> label, shown instead of keys in category columns.
    cost_unit
        The unit of distances (``m`` or ``min``), for their headers and formats.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "earlyhelp"
    workbook.properties.title = "Early help: tables for commissioners"
    if about:
        _about_sheet(workbook, about)
    for name, frame in tables.items():
        _table_sheet(workbook, name, frame, labels=labels or {}, cost_unit=cost_unit)
    with atomic_path(Path(path)) as tmp:
        workbook.save(tmp)
    return Path(path)


def _publishable(frame: pd.DataFrame) -> bool:
    flag = frame.attrs.get("publishable")
    if flag is not None:
        return bool(flag)
    return frame.attrs.get("earlyhelp_publication") == "suppressed"


def _about_sheet(workbook: Any, rows: Sequence[tuple[str, str]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet("About")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    for label, text in rows:
        head = WriteOnlyCell(sheet, value=_safe_text(label))
        head.font = Font(bold=True)
        head.alignment = wrap
        body = WriteOnlyCell(sheet, value=_safe_text(text))
        body.alignment = wrap
        if str(text).startswith(("http://", "https://")):
            body.hyperlink = str(text)
            body.font = Font(color="0563C1", underline="single")
        sheet.append([head, body])


def _safe_text(value: Any) -> Any:
    """Text that Excel would run as a formula, shown as text (see spreadsheet_safe)."""
    if not isinstance(value, str):
        return value
    return spreadsheet_safe(pd.DataFrame({"v": [value]}))["v"].iloc[0]


def sheet_title(name: str) -> str:
    """A table's sheet name in words: ``district_summary`` -> ``District summary``."""
    return name.replace("_", " ").strip().capitalize()[:31] or "Sheet"


def _table_sheet(
    workbook: Any,
    name: str,
    frame: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    cost_unit: str | None,
) -> None:
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(sheet_title(name))
    formats = [
        column_format(str(c), table=name, cost_unit=cost_unit, labels=labels) for c in frame.columns
    ]
    if labels:  # category keys are shown as their labels
        formats = [
            replace(f, header="Kind of help") if str(c) == "category" else f
            for c, f in zip(frame.columns, formats, strict=True)
        ]
    shown = _readable(frame, formats, labels=labels)
    banner = not _publishable(frame)
    header_row = 2 if banner else 1
    room = EXCEL_MAX_ROWS - header_row - 1  # a last row for a note when cut
    cut = len(shown) > room
    rows = shown.iloc[:room] if cut else shown
    n_cols = max(len(formats), 1)
    for i, (column, fmt) in enumerate(zip(shown.columns, formats, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _width(fmt, shown[column])
    last = get_column_letter(n_cols)
    sheet.freeze_panes = f"{'B' if _freeze_first(formats) else 'A'}{header_row + 1}"
    if len(rows):
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + len(rows)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    if banner:
        sheet.append([_warning(sheet, _NOT_FOR_PUBLICATION)])
    sheet.append(_header_cells(sheet, formats))
    for values in _row_cells(sheet, rows, formats):
        sheet.append(values)
    if cut:
        note = (
            f"Only the first {room:,} of {len(shown):,} rows fit in a sheet; the whole "
            "table is in the tables folder as CSV."
        )
        sheet.append([_warning(sheet, note)])


def _freeze_first(formats: Sequence[ColumnFormat]) -> bool:
    """Keep the first column in view when it names the row (a code or a name)."""
    return len(formats) > 3 and formats[0].kind in ("code", "text")


def _width(fmt: ColumnFormat, values: pd.Series) -> float:
    """A column wide enough for its longest value (of the first 200) and for its header
    in up to three lines, between 8 and 50 characters."""
    sample = values.head(200).map(lambda v: len(f"{v:,.1f}") if _is_number(v) else len(str(v)))
    longest = int(sample.max()) if len(sample) else 0
    header = max(len(fmt.header) / 3, max((len(w) for w in fmt.header.split()), default=0))
    return float(min(max(longest + 2, header + 2, 8), 50))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _warning(sheet: Any, text: str) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True, color=_WARNING_COLOUR)
    return cell


def _header_cells(sheet: Any, formats: Sequence[ColumnFormat]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    font = Font(bold=True)
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    align = Alignment(wrap_text=True, vertical="top")
    border = Border(bottom=Side(style="thin", color="808080"))
    cells = []
    for fmt in formats:
        cell = WriteOnlyCell(sheet, value=_safe_text(fmt.header))
        cell.font, cell.fill, cell.alignment, cell.border = font, fill, align, border
        cells.append(cell)
    return cells


def _row_cells(
    sheet: Any, rows: pd.DataFrame, formats: Sequence[ColumnFormat]
) -> Iterator[list[Any]]:
    """Each row's cells: numbers with their column's format, text as it is, missing as
    empty. One styled cell per column is made once and copied (fast for long sheets)."""
    from openpyxl.cell import WriteOnlyCell

    protos: list[Any] = []
    for fmt in formats:
        if fmt.excel == "General":
            protos.append(None)
            continue
        proto = WriteOnlyCell(sheet, value=0)
        proto.number_format = fmt.excel
        protos.append(proto._style)
    for values in rows.itertuples(index=False, name=None):
        out: list[Any] = []
        for value, style in zip(values, protos, strict=True):
            value = _cell_value(value)
            if style is not None and _is_number(value):
                cell = WriteOnlyCell(sheet, value=value)
                cell._style = copy.copy(style)
                out.append(cell)
            else:
                out.append(value)
        yield out


def _cell_value(value: Any) -> Any:
    """A value Excel can hold: missing as empty, numpy scalars as Python ones, lists as
    ``a; b``, anything else that is not a number or text as its text."""
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(str(v) for v in value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


_NUMERIC_KINDS = ("count", "percent", "rate", "money", "distance", "index", "number")


def _readable(
    frame: pd.DataFrame, formats: Sequence[ColumnFormat], *, labels: Mapping[str, str]
) -> pd.DataFrame:
    """The table as people read it: numbers as numbers (a suppressed table's "12" too),
    yes/no for flags, labels for category keys and measures, text made formula-safe."""
    out = frame.copy()
    for column, fmt in zip(out.columns, formats, strict=True):
        values = out[column]
        if pd.api.types.is_bool_dtype(values) or _all_flags(values):
            out[column] = values.map(lambda v: _FLAG_TEXT.get(v, v), na_action="ignore")
            continue
        textual = values.dtype == object or pd.api.types.is_string_dtype(values)
        if textual and fmt.kind in _NUMERIC_KINDS:
            numeric = pd.to_numeric(values, errors="coerce")
            text = values.notna() & numeric.isna()
            if numeric.notna().any():
                out[column] = numeric.astype(object).where(~text, values)
        if column in _CATEGORY_COLUMNS and labels:
            out[column] = out[column].map(lambda v: labels.get(v, v), na_action="ignore")
        if column == "measure":
            out[column] = out[column].map(
                lambda v: column_format(str(v)).header if isinstance(v, str) else v
            )
    return spreadsheet_safe(out)


def _all_flags(values: pd.Series) -> bool:
    """An object column of True/False with gaps (pandas keeps it as object)."""
    if values.dtype != object:
        return False
    present = values.dropna()
    return len(present) > 0 and present.map(lambda v: isinstance(v, bool | np.bool_)).all()
