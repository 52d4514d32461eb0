"""The commissioners' workbook: one sheet per table, ready to read, sort and filter in Excel.

Written with XlsxWriter: a workbook of up to :data:`STREAM_ABOVE_CELLS` cells is held
in memory and its repeated texts (district names, kinds of help, measures) written once
each (a quarter faster, and smaller, than cell by cell); a larger one is streamed
(constant-memory mode), so a large table never sits in memory as cells. Each sheet has
plain-English headers with units
(:func:`~earlyhelp.outputs.formats.column_format`), a number format per column (whole
counts, percentages and rates to one decimal, whole pounds), labels instead of keys
(kinds of help by their label, yes/no instead of True/False, measures in words), an
autofilter on the header row and frozen panes (the header and the first column stay in
view). A sheet that is not for publication says so in its first row. An "About" sheet
comes first: what each sheet is, the unit convention, the attribution and the licence.
"""

from __future__ import annotations

__all__ = ["EXCEL_MAX_ROWS", "STREAM_ABOVE_CELLS", "sheet_title", "write_workbook"]

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.outputs.formats import ColumnFormat, column_format
from earlyhelp.outputs.writing import atomic_path, spreadsheet_safe

EXCEL_MAX_ROWS = 1_048_576
# above this many cells the workbook is streamed rather than held (about 0.2 KB a cell)
STREAM_ABOVE_CELLS = 1_000_000
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
    import xlsxwriter

    with atomic_path(Path(path)) as tmp:
        # text is never read as a formula, number or link: it is shown as written
        cells = sum(frame.size for frame in tables.values())
        options = {
            "constant_memory": cells > STREAM_ABOVE_CELLS,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        }
        book = xlsxwriter.Workbook(str(tmp), options)
        book.set_properties(
            {"author": "earlyhelp", "title": "Early help: tables for commissioners"}
        )
        styles = _Styles(book)
        if about:
            _about_sheet(book, about, styles)
        for name, frame in tables.items():
            _table_sheet(book, name, frame, styles, labels=labels or {}, cost_unit=cost_unit)
        book.close()
    return Path(path)


class _Styles:
    """The workbook's cell formats, each made once (XlsxWriter shares them by object)."""

    def __init__(self, book: Any):
        self.book = book
        self.bold_wrap = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.link = book.add_format(
            {"text_wrap": True, "valign": "top", "font_color": "#0563C1", "underline": 1}
        )
        self.warning = book.add_format({"bold": True, "font_color": "#" + _WARNING_COLOUR})
        self.header = book.add_format(
            {
                "bold": True,
                "bg_color": "#" + _HEADER_FILL,
                "pattern": 1,
                "text_wrap": True,
                "valign": "top",
                "bottom": 1,
                "bottom_color": "#808080",
            }
        )
        self._numbers: dict[str, Any] = {}

    def number(self, excel: str) -> Any:
        """The format of a column of numbers (None for General)."""
        if excel == "General":
            return None
        if excel not in self._numbers:
            self._numbers[excel] = self.book.add_format({"num_format": excel})
        return self._numbers[excel]


def _publishable(frame: pd.DataFrame) -> bool:
    flag = frame.attrs.get("publishable")
    if flag is not None:
        return bool(flag)
    return frame.attrs.get("earlyhelp_publication") == "suppressed"


def _about_sheet(book: Any, rows: Sequence[tuple[str, str]], styles: _Styles) -> None:
    sheet = book.add_worksheet("About")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 110)
    for r, (label, text) in enumerate(rows):
        sheet.write_string(r, 0, str(_safe_text(label)), styles.bold_wrap)
        body = str(_safe_text(text))
        if str(text).startswith(("http://", "https://")):
            sheet.write_url(r, 1, str(text), styles.link, string=body)
        else:
            sheet.write_string(r, 1, body, styles.wrap)


def _safe_text(value: Any) -> Any:
    """Text that Excel would run as a formula, shown as text (see spreadsheet_safe)."""
    if not isinstance(value, str):
        return value
    return spreadsheet_safe(pd.DataFrame({"v": [value]}))["v"].iloc[0]


def sheet_title(name: str) -> str:
    """A table's sheet name in words: ``district_summary`` -> ``District summary``."""
    return name.replace("_", " ").strip().capitalize()[:31] or "Sheet"


def _table_sheet(
    book: Any,
    name: str,
    frame: pd.DataFrame,
    styles: _Styles,
    *,
    labels: Mapping[str, str],
    cost_unit: str | None,
) -> None:
    sheet = book.add_worksheet(sheet_title(name))
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
    header = 1 if banner else 0  # the header's row (from 0)
    room = EXCEL_MAX_ROWS - header - 2  # a last row for a note when cut
    cut = len(shown) > room
    rows = shown.iloc[:room] if cut else shown
    n_cols = max(len(formats), 1)
    number_formats = [styles.number(f.excel) for f in formats]
    for i, (column, fmt) in enumerate(zip(shown.columns, formats, strict=True)):
        sheet.set_column(i, i, _width(fmt, shown[column]))
    sheet.freeze_panes(header + 1, 1 if _freeze_first(formats) else 0)
    if len(rows):
        sheet.autofilter(header, 0, header + len(rows), n_cols - 1)
    sheet.repeat_rows(header)
    if banner:
        sheet.write_string(0, 0, _NOT_FOR_PUBLICATION, styles.warning)
    for i, fmt in enumerate(formats):
        sheet.write_string(header, i, str(_safe_text(fmt.header)), styles.header)
    r = header
    for r, values in enumerate(rows.itertuples(index=False, name=None), start=header + 1):
        for i, value in enumerate(values):
            value = _cell_value(value)
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, i, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, i, value)
            else:
                sheet.write_number(r, i, value, number_formats[i])
    if cut:
        note = (
            f"Only the first {room:,} of {len(shown):,} rows fit in a sheet; the whole "
            "table is in the tables folder as CSV."
        )
        sheet.write_string(r + 1, 0, note, styles.warning)


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
