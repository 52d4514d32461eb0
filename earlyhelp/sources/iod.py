"""English Indices of Deprivation (IoD 2019 and IoD 2025) by LSOA.

Reads the published CSV files (File 7 "all ranks, scores, deciles and population
denominators", or any of Files 1-6) as downloaded: a UTF-8 byte-order mark, headers such as
``LSOA code (2011)``, ``Income Deprivation Affecting Children Index (IDACI) Score (rate)``,
``... Rank (where 1 is most deprived)``, ``... Decile (where 1 is most deprived 10% of
LSOAs)``, and numbers written as "13404.00". IoD 2019 is keyed by 2011 LSOAs and ranks
32,844 of them; IoD 2025 is keyed by 2021 LSOAs (``LSOA code (2021)``) and ranks 33,755.
Snake_case extracts (``lsoa11cd``, ``idaci_rank``, ``imd_decile``...) are read too.

Every indicator becomes ``<index>_score``, ``<index>_rank`` or ``<index>_decile`` with a
short index name (:data:`INDEX_NAMES`): ``imd``, ``idaci``, ``income``... Ranks and
deciles keep the IoD convention, 1 = most deprived.
"""

from __future__ import annotations

__all__ = ["INDEX_NAMES", "read_iod"]

import re
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.geography import lsoa_vintage_hint
from earlyhelp.sources._tables import (
    as_counts,
    find_column,
    norm,
    numbers,
    read_text_table,
    text,
)
from earlyhelp.validation import ValidationReport, check_duplicates

# The published name of each index, domain and sub-domain -> its short name here.
INDEX_NAMES = {
    "Index of Multiple Deprivation (IMD)": "imd",
    "Income Deprivation Affecting Children Index (IDACI)": "idaci",
    "Income Deprivation Affecting Older People (IDAOPI)": "idaopi",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "barriers",
    "Living Environment": "living_environment",
    "Children and Young People Sub-domain": "children_and_young_people",
    "Adult Skills Sub-domain": "adult_skills",
    "Geographical Barriers Sub-domain": "geographical_barriers",
    "Wider Barriers Sub-domain": "wider_barriers",
    "Indoors Sub-domain": "indoors",
    "Outdoors Sub-domain": "outdoors",
}
# Other spellings seen in snake_case extracts -> the short names above.
_ALIASES = {
    "barriers_housing_services": "barriers",
    "barriers_to_housing_and_services": "barriers",
    "housing_and_services": "barriers",
    "environment": "living_environment",
    "children_young_people": "children_and_young_people",
}
_BY_KEY = {norm(k): v for k, v in INDEX_NAMES.items()}
_MEASURE = re.compile(r"^(?P<index>.+?)\s+(?P<measure>score|rank|decile)\b", re.IGNORECASE)
_SNAKE = re.compile(r"^(?P<index>[a-z0-9_]+?)_(?P<measure>score|rank|decile)$")
_POPULATION = (  # published denominator headers -> snake_case stem
    ("total population", "pop_total"),
    ("dependent children aged 0-15", "pop_children_0_15"),
    ("population aged 16-59", "pop_16_59"),
    ("older population aged 60 and over", "pop_60plus"),
    ("working age population", "pop_working_age"),
)
_CODE = ["LSOA code (2011)", "LSOA code (2021)", "lsoa11cd", "lsoa21cd", "area_code", "LSOA code"]
_NAME = ["LSOA name (2011)", "LSOA name (2021)", "lsoa11nm", "lsoa21nm", "area_name"]


def read_iod(path: str | Path, *, report: ValidationReport, sheet: str = "") -> pd.DataFrame:
    """Read an Indices of Deprivation file into area_code plus snake_case indicators.

    Parameters
    ----------
    path
        The CSV (or an Excel workbook of the same layout) as published by MHCLG.
    report
        Where problems are recorded (numbers that are not numbers, deciles outside 1-10,
        repeated or missing LSOA codes).
    sheet
        The sheet to read from a workbook (File 1-6 workbooks hold several).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``lsoa_vintage`` ("2011" or "2021"), ``area_name``,
        ``district_code``, ``district_name``, then ``<index>_score`` (floats),
        ``<index>_rank`` and ``<index>_decile`` (whole numbers, 1 = most deprived) and any
        population denominators (``pop_total_mid2015``, ``pop_children_0_15_mid2015``...).
        ``attrs["lsoa_vintage"]`` holds the vintage and ``attrs["column_kinds"]`` says of
        each column whether it is a count, a rate (scores), a rank or text.
    """
    table = read_text_table(Path(path), report=report, sheet=sheet, is_header=_is_header)
    frame = table.frame
    code_col = find_column(frame.columns, _CODE)
    if code_col is None:
        raise InputError(
            f"{table.file}: no LSOA code column (such as 'LSOA code (2011)' or "
            "'LSOA code (2021)') was found; this does not look like an Indices of "
            "Deprivation file by LSOA"
        )
    codes = text(table, code_col)
    blank = (codes == "").to_numpy()
    if blank.any():
        report.warn(
            table.file,
            code_col,
            f"{blank.sum()} row(s) have no LSOA code and were left out",
            "nothing to do if they are notes or totals; otherwise add the codes",
            rows=[table.lines[i] for i in np.flatnonzero(blank)],
        )
    rows = table.lines
    check_duplicates(codes.where(~blank), file=table.file, field=code_col, report=report, rows=rows)
    vintage = _vintage(code_col, codes[~blank])
    out = pd.DataFrame({"area_code": codes, "lsoa_vintage": vintage})
    kinds = {"area_code": "text", "lsoa_vintage": "text"}
    for name in ("area_name", "district_code", "district_name"):
        column = (
            find_column(frame.columns, _NAME)
            if name == "area_name"
            else _district(frame.columns, name)
        )
        out[name] = text(table, column)
        kinds[name] = "text"

    found = _indicator_columns(frame.columns)
    if not found:
        raise InputError(
            f"{table.file}: no score, rank or decile columns were recognised; check that "
            "this is an Indices of Deprivation file as published"
        )
    for header, (name, kind) in found.items():
        values = numbers(table, header, report=report)
        if kind == "decile":
            _check_range(values, 1, 10, table, header, report)
        if kind in ("rank", "decile", "count"):
            _check_range(values, 1 if kind != "count" else 0, np.inf, table, header, report)
            values = as_counts(values)
        out[name] = values
        kinds[name] = {"score": "rate", "decile": "rank"}.get(kind, kind)
    out = out.loc[~blank].reset_index(drop=True)
    out.attrs.update({"lsoa_vintage": vintage, "column_kinds": kinds})
    return out


def _is_header(row) -> bool:
    return find_column(row, _CODE) is not None


def _district(columns, name: str) -> str | None:
    """Any ``Local Authority District code (YYYY)`` or ``ladYYcd`` header."""
    want = "code" if name == "district_code" else "name"
    for column in columns:
        key = norm(column)
        if key.startswith("localauthoritydistrict" + want) or re.fullmatch(
            rf"lad\d\d{want[0]}{'d' if want == 'code' else 'm'}", key
        ):
            return str(column)
    return None


def _vintage(code_col: str, codes: pd.Series) -> str:
    said = re.search(r"(2011|2021|11|21)", code_col)
    if said:
        return "20" + said.group(1)[-2:]
    newer = lsoa_vintage_hint(codes)["2021_only"]
    return "2021" if newer else ""


def _indicator_columns(columns) -> dict[str, tuple[str, str]]:
    """Header -> (output name, kind) for every score, rank, decile and denominator."""
    out: dict[str, tuple[str, str]] = {}
    pop_year = ""
    for column in columns:
        low = str(column).lower()
        match = re.search(r"mid[- ]?(\d{4})", low)
        if match:
            pop_year = match.group(1)
    for column in map(str, columns):
        low = column.lower()
        stem = next((s for key, s in _POPULATION if low.startswith(key)), None)
        if stem is not None:
            match = re.search(r"mid[- ]?(\d{4})", low)
            year = match.group(1) if match else pop_year
            out[column] = (f"{stem}_mid{year}" if year else stem, "count")
            continue
        if re.fullmatch(r"pop_[a-z0-9_]+", column):  # already snake_case
            out[column] = (column, "count")
            continue
        snake = _SNAKE.match(column)
        if snake:
            index = _ALIASES.get(snake["index"], snake["index"])
            out[column] = (f"{index}_{snake['measure']}", snake["measure"])
            continue
        published = _MEASURE.match(column)
        if published:
            key = norm(published["index"])
            index = _BY_KEY.get(key) or re.sub(r"[^a-z0-9]+", "_", published["index"].lower())
            index = _ALIASES.get(index.strip("_"), index.strip("_"))
            measure = published["measure"].lower()
            out[column] = (f"{index}_{measure}", measure)
    return out


def _check_range(values, lo, hi, table, header, report: ValidationReport) -> None:
    bad = (values.notna() & ((values < lo) | (values > hi))).to_numpy()
    if bad.any():
        report.error(
            table.file,
            header,
            f"{bad.sum()} value(s) outside {lo} to {hi:g} (e.g. {values[bad].iloc[0]:g})",
            "check the column is the one its header says; deciles run 1 to 10 and ranks "
            "from 1 (most deprived)",
            rows=[table.lines[i] for i in np.flatnonzero(bad)],
        )
