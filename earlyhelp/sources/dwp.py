"""DWP Children in Low Income Families (CiLIF): local area statistics, as published.

The workbook's sheets (and CSVs saved from them) hold one row per local authority or ward
and, for each financial year ending (FYE), the **number** of children (aged 0-15) in
relative or absolute low income and the **percentage** of children they are. Layouts read:

- FYE 2015 to 2021 (before housing costs): ``Local Authority [note 2]`` or ``Ward [note 2]``,
  ``Area Code``, ``Number of children FYE 2015`` ..., ``Percentage of children FYE 2015
  (%)`` ... with percentages stored as fractions (0.155);
- FYE 2022 to 2025 (after housing costs): ``Local Authority``, ``Area Code``, ``Ward``,
  ``Area Code`` (the ward's), numbers with thousands separators ("3,296,672") and
  percentages with % signs ("26.3%").

Notes above the header (rows 1-9 of the sheets), line breaks and ``[note n]`` marks in the
headers, a ``[p]`` (provisional) year and the United Kingdom row (K02000001, a comparator)
are all handled. The table does not give the child population; the **denominator** is
derived as number / percentage (to within the rounding of the published percentage), so
that an interval can be computed for each ward or district.
"""

from __future__ import annotations

__all__ = ["read_dwp_cilif"]

import re
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import (
    as_counts,
    norm,
    published_numbers,
    read_text_table,
    report_tidied,
    text,
)
from earlyhelp.sources.long import stem
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

_YEAR = re.compile(r"FYE\s*(\d{4})", re.IGNORECASE)


def _is_header(row) -> bool:
    keys = [norm(c) for c in row]
    return any(k.startswith("areacode") for k in keys) and any(
        k.startswith("numberofchildren") for k in keys
    )


def read_dwp_cilif(
    path: str | Path,
    *,
    report: ValidationReport,
    period: str = "",
    name: str = "low_income_children",
    sheet: str = "",
) -> pd.DataFrame:
    """Read a DWP Children in Low Income Families local-area table (LA or ward).

    Parameters
    ----------
    path
        The workbook (name the sheet, such as ``5_Relative_Ward``) or a CSV of one sheet.
    report
        Where problems are recorded (what was tidied, areas without a value).
    period
        The financial year ending to read ("FYE 2021", "2021"); the latest by default.
    name
        The stem of the output columns, in snake_case.
    sheet
        The sheet of a workbook.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name`` (the ward or local authority), for ward tables that
        give them ``district_code`` and ``district_name``, then ``<name>_count`` (children
        in low income), ``<name>_percent`` (per 100 children) and ``<name>_denominator``
        (children, derived). ``attrs``: ``period``, ``provisional``, ``geography`` (ward
        or district).
    """
    table = read_text_table(Path(path), report=report, sheet=sheet, is_header=_is_header)
    headers = list(table.frame.columns)
    codes = [h for h in headers if norm(h).startswith("areacode")]
    names = [h for h in headers if norm(h).startswith(("localauthority", "ward"))]
    years = _years(headers)
    if not codes or not years:
        raise InputError(
            f"{table.file}: no 'Area Code' and 'Number of children FYE ...' columns; this "
            "does not look like a DWP Children in Low Income Families local-area table"
        )
    year = _pick_year(years, period, table.file)
    ward = any(norm(h).startswith("ward") for h in names)
    tidied: list[str] = []
    count = published_numbers(table, years[year]["count"], report=report, tidied=tidied)
    percent = _percentages(table, years[year].get("percent"), report, tidied)
    report_tidied(table, report, tidied)
    key = stem(name, "low_income_children")
    out = pd.DataFrame(
        {
            "area_code": table.frame[codes[-1]],
            "area_name": text(table, names[-1] if names else None),
        }
    )
    if len(codes) > 1:
        out["district_code"] = table.frame[codes[0]]
        out["district_name"] = text(table, names[0] if len(names) > 1 else None)
    out[f"{key}_count"] = as_counts(count)
    out[f"{key}_percent"] = percent
    derived = np.divide(count * 100, percent, out=np.full(len(count), np.nan), where=percent > 0)
    out[f"{key}_denominator"] = as_counts(pd.Series(np.round(derived), index=out.index))
    _report_missing(table, count, report)
    if years[year]["provisional"]:
        report.warn(
            table.file,
            years[year]["count"],
            f"FYE {year} figures are provisional ([p]); DWP revises them a year later",
            "use them as provisional, or choose a final year with the period option",
        )
    out.attrs.update(
        {
            "period": f"FYE {year}",
            "provisional": years[year]["provisional"],
            "geography": "ward" if ward else "district",
            "column_kinds": {f"{key}_count": "count", f"{key}_percent": "rate",
                             f"{key}_denominator": "count"},
        }
    )  # fmt: skip
    return out


def _percentages(table, column: str | None, report: ValidationReport, tidied: list[str]):
    """Percentages per 100 children: "26.3%" as written, and the fractions of the FYE
    2015-2021 sheets (0.155) times 100."""
    percent = published_numbers(table, column, report=report, tidied=tidied)
    fractions = percent.notna().any() and percent.dropna().le(1).all()
    if fractions and not text(table, column).str.endswith("%").any():
        tidied.append(f"percentages in '{column}' given as fractions")
        return percent * 100
    return percent


def _years(headers: list[str]) -> dict[str, dict]:
    """Per financial year ending, its count and percentage columns and whether it is
    provisional ([p])."""
    found: dict[str, dict] = {}
    for header in headers:
        match = _YEAR.search(header)
        if not match:
            continue
        year = found.setdefault(match.group(1), {"provisional": False})
        key = norm(header)
        if key.startswith("numberofchildren"):
            year["count"] = header
        elif key.startswith("percentageofchildren"):
            year["percent"] = header
        year["provisional"] |= "[p]" in header
    return {y: v for y, v in sorted(found.items()) if "count" in v}


def _pick_year(years: dict[str, dict], wanted: str, file: str) -> str:
    if not wanted:
        return list(years)[-1]
    digits = re.sub(r"\D", "", wanted)
    if digits not in years:
        listed = ", ".join(f"FYE {y}" for y in years)
        raise InputError(
            f"{file}: period '{wanted}' is not in the table"
            f"{did_you_mean(digits, list(years))}; it holds {listed}"
        )
    return digits


def _report_missing(table, count: pd.Series, report: ValidationReport) -> None:
    missing = count.isna().to_numpy()
    if missing.any():
        report.warn(
            table.file,
            "Number of children",
            f"{missing.sum()} area(s) have no number of children in low income",
            "DWP withholds small numbers; they are left empty, not zero",
            rows=[table.lines[i] for i in np.flatnonzero(missing)],
        )
