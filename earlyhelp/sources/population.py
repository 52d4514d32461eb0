"""Child population by LSOA from ONS mid-year estimates and Census 2021 counts.

Reads population tables by small area and age, wide or long, as published:

- ONS small area population estimates by single year of age (``LSOA Code``, ``All Ages``,
  ``0``, ``1`` ... ``89``, ``90+``; the 2021-based files split by sex: ``LSOA 2021 Code``,
  ``Total``, ``F0`` ... ``F90``, ``M0`` ... ``M90``), from CSV or the Excel workbook (notes
  above the header are skipped, and the "Persons" sheet is found by itself);
- Census 2021 tables from Nomis (``geography code``, ``Age: Aged under 1 year``,
  ``Age: Aged 1 year`` ... with or without ``; measures: Value``), and the long
  "create a custom dataset" layout (area code, ``Age (101 categories) Code``,
  ``Observation``);
- snake_case extracts (``lsoa11cd``, ``age_0`` ... ``age_19``, ``pop_0_4``, ``age_0_15``).

The ages are added up into earlyhelp's need bands (:data:`earlyhelp.need.AGE_BANDS`) plus
``pop_0_17``. A band is formed only from age groups that fit inside it exactly; when the
file has only coarser groups (Census "0 to 15") the band is not invented by splitting a
group: the reader says which bands cannot be formed and which file would do.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BANDS", "read_population"]

import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.geography import lsoa_vintage_hint
from earlyhelp.need import AGE_BANDS
from earlyhelp.sources._tables import (
    ONS_CODE,
    Table,
    as_counts,
    find_column,
    norm,
    read_text_table,
    text,
)
from earlyhelp.validation import ValidationReport, check_duplicates, parse_numbers

DEFAULT_BANDS = (*AGE_BANDS, "pop_0_17")
_INF = math.inf
_CODE_HEADERS = [
    "area_code",
    "LSOA 2021 Code",
    "LSOA 2011 Code",
    "LSOA Code",
    "LSOA21CD",
    "LSOA11CD",
    "geography code",
    "Lower layer Super Output Areas Code",
    "Lower Layer Super Output Areas Code",
    "LSOA code (2021)",
    "LSOA code (2011)",
    "Area Code",
    "Code",
]
_COUNT_HEADERS = ["count", "observation", "observations", "obs_value", "value", "population"]
_SEX = r"(?:sex:\s*(?P<sexword>female|male|persons|all persons)\s*;\s*)?"
_PATTERNS = [  # on a lower-case, "Age: "-less label; each gives (sex, first age, last age)
    (re.compile(r"^(?P<sex>[fm])(?P<lo>\d+)$"), "single"),
    (re.compile(r"^(?P<sex>[fm])(?P<lo>\d+)\s*(?:to|-)\s*(?P<hi>\d+)$"), "band"),
    (re.compile(r"^(?P<sex>[fm])(?P<lo>\d+)\s*(?:\+|and over|plus)$"), "open"),
    (re.compile(r"^(?:age|aged|pop)?[ _]*(?P<lo>\d+)$"), "single"),
    (re.compile(r"^aged under 1 year$"), "zero"),
    (re.compile(r"^(?:aged )?(?P<lo>\d+) years?$"), "single"),
    (re.compile(r"^(?:aged )?(?P<hi>\d+) years? and under$"), "under"),
    (re.compile(r"^(?:age|aged|pop)?[ _]*(?P<lo>\d+)(?:\+|[ _]plus| and over| years and over)$"),
     "open"),
    (re.compile(r"^(?:age|aged|pop)?[ _]*(?P<lo>\d+)[ _]*(?:-|_|to)[ _]*(?P<hi>\d+)(?: years)?$"),
     "band"),
]  # fmt: skip
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def read_population(
    path: str | Path,
    *,
    report: ValidationReport,
    sheet: str = "",
    area_column: str = "",
    bands: Sequence[str] = (),
) -> pd.DataFrame:
    """Read population by LSOA and age into the need table's age bands.

    Parameters
    ----------
    path
        A CSV file or an Excel workbook, as downloaded from ONS or Nomis.
    report
        Where problems are recorded (bands that cannot be formed, counts that are not
        numbers, repeated areas).
    sheet
        The workbook sheet; when not given the first sheet named "...Persons" (or else the
        first with a recognisable header) is read.
    area_column
        The header of the area code column, when it cannot be found by itself.
    bands
        The bands to form, named ``pop_<first age>_<last age>`` (such as ``pop_0_15``);
        by default the need bands of :data:`earlyhelp.need.AGE_BANDS` and ``pop_0_17``.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``lsoa_vintage`` and one column of children per band that could be
        formed (whole numbers). A band that cannot be formed is an error in ``report`` and
        is left out of the table.
    """
    path = Path(path)
    wanted = {b: _band_ages(b) for b in (bands or DEFAULT_BANDS)}
    if not sheet and path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = _choose_sheet(path)
    table = read_text_table(path, report=report, sheet=sheet, is_header=_is_header)
    code_col = _code_column(table, area_column)
    ages = {c: a for c in table.frame.columns if c != code_col and (a := _age_interval(c))}
    if len(ages) >= 2:
        groups, codes, rows = _wide(table, code_col, ages, report)
    else:
        groups, codes, rows = _long(table, code_col, report)
    check_duplicates(codes, file=table.file, field=code_col, report=report, rows=rows)

    out = pd.DataFrame({"area_code": codes.to_numpy(), "lsoa_vintage": _vintage(code_col, codes)})
    missing = []
    for band, (lo, hi) in wanted.items():
        values = _band(groups, lo, hi)
        if values is None:
            missing.append(band)
        else:
            out[band] = as_counts(values.reset_index(drop=True))
    if missing:
        report.error(
            table.file,
            "",
            f"{', '.join(missing)} cannot be formed from the age groups in this file "
            f"({_describe(groups)}); earlyhelp does not split an age group to invent a band",
            "use population by single year of age: the ONS 'Lower layer Super Output Area "
            "population estimates' (single year of age) or Census 2021 table TS007 (age by "
            "single year); or ask only for bands the file has with the bands option",
        )
    kinds = {c: "count" for c in out.columns} | {"area_code": "text", "lsoa_vintage": "text"}
    out.attrs.update({"lsoa_vintage": out["lsoa_vintage"].iloc[0] if len(out) else ""})
    out.attrs["column_kinds"] = kinds
    return out


# --------------------------------------------------------------------------- ages


def _age_interval(label: object) -> tuple[str, float, float] | None:
    """(sex, first age, last age) of a header or value; sex is "", "f" or "m"."""
    low = " ".join(str(label).lower().split())
    low = re.sub(r";\s*measures:\s*value$", "", low)
    sex = ""
    match = re.match(_SEX, low)
    if match and match["sexword"]:
        sex = {"female": "f", "male": "m"}.get(match["sexword"], "")
        low = low[match.end() :]
    low = re.sub(r"^age\s*:\s*", "", low)
    for pattern, shape in _PATTERNS:
        m = pattern.match(low)
        if not m:
            continue
        groups = m.groupdict()
        sex = groups.get("sex") or sex
        if shape == "zero":
            return sex, 0, 0
        if shape == "under":
            return sex, 0, int(groups["hi"])
        lo = int(groups["lo"])
        if lo > 120:  # a year, not an age
            return None
        if shape == "single":
            return sex, lo, lo
        if shape == "open":
            return sex, lo, _INF
        hi = int(groups["hi"])
        return (sex, lo, hi) if hi >= lo else None
    return None


def _band_ages(band: str) -> tuple[int, int]:
    if band in AGE_BANDS:
        return AGE_BANDS[band]
    match = re.fullmatch(r"pop_(\d+)_(\d+)", band)
    if not match or int(match[2]) < int(match[1]):
        raise InputError(
            f"population: band '{band}' is not a band; name bands pop_<first age>_<last age>, "
            "such as pop_0_4 or pop_0_17"
        )
    return int(match[1]), int(match[2])


def _cover(intervals: dict[str, tuple[float, float]], lo: int, hi: int) -> list[str] | None:
    """Columns whose ages fill ``lo``..``hi`` exactly once, finest groups preferred."""
    starts: dict[float, list[tuple[float, str]]] = {}
    for column, (a, b) in intervals.items():
        if a >= lo and b <= hi:
            starts.setdefault(a, []).append((b - a, column))
    reach: dict[float, list[str]] = {lo: []}
    for age in range(lo, hi + 1):
        if age not in reach:
            continue
        for _, column in sorted(starts.get(age, [])):
            end = intervals[column][1] + 1
            reach.setdefault(end, reach[age] + [column])
    return reach.get(hi + 1)


def _band(groups: dict[str, pd.DataFrame], lo: int, hi: int) -> pd.Series | None:
    """Children aged lo..hi: from the persons columns, else females plus males."""
    persons = groups.get("")
    if persons is not None:
        cols = _cover(persons.attrs["ages"], lo, hi)
        if cols is not None:
            return persons[cols].sum(axis=1, min_count=1)
    parts = []
    for sex in ("f", "m"):
        frame = groups.get(sex)
        if frame is None:
            return None
        cols = _cover(frame.attrs["ages"], lo, hi)
        if cols is None:
            return None
        parts.append(frame[cols].sum(axis=1, min_count=1))
    return parts[0] + parts[1]


def _describe(groups: dict[str, pd.DataFrame]) -> str:
    spans = sorted({ages for g in groups.values() for ages in g.attrs["ages"].values()})
    shown = [f"{int(a)}+" if b == _INF else (f"{int(a)}" if a == b else f"{int(a)}-{int(b)}")
             for a, b in spans]  # fmt: skip
    text_ = ", ".join(shown[:12])
    return f"ages {text_}{'...' if len(shown) > 12 else ''}" if shown else "no age groups"


# --------------------------------------------------------------------------- layouts


def _wide(table: Table, code_col: str, ages, report: ValidationReport):
    """Columns per age: parse only those a band can use (ages up to 20)."""
    codes, rows, keep = _codes(table, code_col, report)
    groups: dict[str, pd.DataFrame] = {}
    for column, (sex, lo, hi) in ages.items():
        if lo > 20:
            continue
        values = _numbers(table.frame[column], table, column, report)
        frame = groups.setdefault(sex, pd.DataFrame(index=range(int(keep.sum()))))
        frame[column] = values[keep].to_numpy()
        frame.attrs.setdefault("ages", {})[column] = (lo, hi)
    return groups, codes, rows


def _long(table: Table, code_col: str, report: ValidationReport):
    """Rows of (area, age, count), summed over sexes unless a persons row is given."""
    frame = table.frame
    count_col = find_column(frame.columns, _COUNT_HEADERS)
    age_col = None
    for column in frame.columns:
        if column in (code_col, count_col) or "age" not in norm(column):
            continue
        values = frame[column][frame[column] != ""]
        parsed = values.map(_age_interval)
        if len(values) and parsed.notna().mean() >= 0.95:
            age_col = column
            break
    if age_col is None or count_col is None:
        raise InputError(
            f"{table.file}: no age columns were recognised (such as '0', 'F0', 'age_0', "
            "'Age: Aged 1 year' or '0-4'), and no long layout (an age column and a count "
            "column such as 'Observation'); check this is a population table by age"
        )
    _, rows, keep = _codes(table, code_col, report)
    sex_col = find_column(frame.columns, ["sex", "Sex (2 categories)", "gender"])
    use = keep.copy()
    if sex_col is not None:
        sexes = frame[sex_col].str.lower()
        persons = sexes.isin(["persons", "all persons", "total", "all"]).to_numpy()
        if persons.any():
            use &= persons
    spans = frame[age_col].map(_age_interval)
    counts = _numbers(frame[count_col], table, count_col, report)
    long = pd.DataFrame(
        {
            "area": frame[code_col].to_numpy(),
            "span": [None if s is None else (s[1], s[2]) for s in spans],
            "count": counts.to_numpy(),
        }
    )[use & spans.notna().to_numpy()]
    wide = long.pivot_table(index="area", columns="span", values="count", aggfunc="sum")
    order = pd.unique(frame.loc[keep, code_col])
    wide = wide.reindex(order)
    persons = pd.DataFrame(
        {f"{int(a)}-{b}": wide[(a, b)].to_numpy() for a, b in wide.columns},
        index=range(len(wide)),
    )
    persons.attrs["ages"] = {f"{int(a)}-{b}": (a, b) for a, b in wide.columns}
    firsts = pd.Series(rows, index=frame.loc[keep, code_col].to_numpy())
    firsts = firsts[~firsts.index.duplicated()].reindex(order)
    return {"": persons}, pd.Series(order, dtype="string"), firsts.tolist()


def _codes(table: Table, code_col: str, report: ValidationReport):
    codes = text(table, code_col)
    blank = (codes == "").to_numpy()
    if blank.any():
        report.warn(
            table.file,
            code_col,
            f"{blank.sum()} row(s) have no area code and were left out",
            "nothing to do if they are notes, sources or totals below the table",
            rows=[table.lines[i] for i in np.flatnonzero(blank)],
        )
    keep = ~blank
    rows = [line for line, k in zip(table.lines, keep, strict=True) if k]
    return codes[keep].reset_index(drop=True), rows, keep


def _numbers(values: pd.Series, table: Table, column: str, report: ValidationReport) -> pd.Series:
    """Counts, allowing thousands separators ("1,234") as ONS tables sometimes write them."""
    clean = values.where(~values.str.match(_THOUSANDS), values.str.replace(",", ""))
    return parse_numbers(clean, file=table.file, field=column, report=report, rows=table.lines)


def _is_header(row) -> bool:
    if find_column(row, _CODE_HEADERS) is not None:
        return True
    return sum(_age_interval(c) is not None for c in row if str(c).strip()) >= 3


def _code_column(table: Table, area_column: str) -> str:
    columns = table.frame.columns
    if area_column:
        if area_column not in columns:
            raise InputError(
                f"{table.file}: area_column '{area_column}' is not a column of the file "
                f"(columns: {', '.join(columns[:8])}...)"
            )
        return area_column
    found = find_column(columns, _CODE_HEADERS)
    if found is not None:
        return found
    for column in columns:  # the first column that holds ONS codes
        values = table.frame[column][table.frame[column] != ""]
        if len(values) and values.str.fullmatch(ONS_CODE.pattern).mean() >= 0.9:
            return column
    raise InputError(
        f"{table.file}: no area code column was found (such as 'LSOA Code' or 'geography "
        "code'); name it with the area_column option"
    )


def _vintage(code_col: str, codes: pd.Series) -> str:
    said = re.search(r"20(11|21)|(11|21)cd", code_col.lower())
    if said:
        return "20" + (said.group(1) or said.group(2))
    return "2021" if lsoa_vintage_hint(codes)["2021_only"] else ""


def _choose_sheet(path: Path) -> str:
    """The persons sheet of an ONS workbook, else its first data sheet."""
    try:
        names = pd.ExcelFile(path).sheet_names
    except ValueError as exc:
        raise InputError(f"{path.name}: cannot open the workbook: {exc}") from None
    persons = [n for n in names if "person" in n.lower()]
    if persons:
        return persons[0]
    skip = ("content", "note", "cover", "info", "metadata", "readme")
    data = [n for n in names if not any(s in n.lower() for s in skip)]
    return (data or names)[0]
