"""Long tables of indicators: one row per area x indicator (x period, sex, age...), as JSNA
teams, Fingertips and most statistical releases publish them.

The columns are found by their usual headers, ignoring case, spaces and punctuation
(:data:`HEADERS`): the area code (or any column named like a code whose cells are ONS
codes, "MSOA21 code" say), the indicator's name and code, its measure, period, value, 95%
limits, count and denominator. A byte-order mark, spaces around codes, thousands
separators, % signs and suppression symbols are read and reported in one line; a
withheld value stays missing, never 0.

:func:`read_long_table` reads the rows; :func:`choose` keeps one indicator, measure and
period (names matched exactly, with a did-you-mean on the names found);
:func:`one_per_area` makes its one row per area. :func:`read_long` is the ``long`` format
of ``earlyhelp import``: one indicator, or every indicator pivoted into columns
``<name>_value``, ``_lower``, ``_upper``, ``_count``, ``_denominator`` (a pivot never
turns an absent value into 0).
"""

from __future__ import annotations

__all__ = [
    "HEADERS",
    "LongTable",
    "as_columns",
    "choose",
    "find_area_column",
    "find_name_column",
    "one_per_area",
    "pick_indicator",
    "read_long",
    "read_long_table",
    "stem",
]

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import (
    ONS_CODE,
    Table,
    as_counts,
    find_column,
    norm,
    published_numbers,
    read_text_table,
    report_tidied,
    subset,
    text,
)
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

# canonical name -> usual headers, in order of preference (Fingertips' among them)
HEADERS: dict[str, list[str]] = {
    "area_code": ["Area Code", "AreaCode", "area_code", "geography code", "Geography_code",
                  "GSS code", "ONS code", "Code"],
    "area_name": ["Area Name", "AreaName", "area_name", "geography", "Name"],
    "indicator": ["Indicator Name", "Indicator", "IndicatorName", "indicator_name"],
    "indicator_code": ["Indicator ID", "IndicatorID", "Indicator code", "indicator_id"],
    "measure": ["Measure", "Unit", "Measure type", "Value type"],
    "period": ["Time period", "Timeperiod", "Period", "Year", "Financial year", "Date"],
    "sortable": ["Time period Sortable", "TimeperiodSortable"],
    "value": ["Value", "Indicator value"],
    "lower": ["Lower CI 95.0 limit", "LowerCI95.0limit", "Lower CI", "LCI", "Lower 95% CI",
              "Lower CI 95", "Lower confidence limit", "Lower confidence interval",
              "Lower limit", "Lower 95% confidence limit"],
    "upper": ["Upper CI 95.0 limit", "UpperCI95.0limit", "Upper CI", "UCI", "Upper 95% CI",
              "Upper CI 95", "Upper confidence limit", "Upper confidence interval",
              "Upper limit", "Upper 95% confidence limit"],
    "count": ["Count", "Numerator"],
    "denominator": ["Denominator"],
    "note": ["Value note", "Valuenote", "Note", "Notes"],
    "sex": ["Sex"],
    "age": ["Age"],
    "area_type": ["Area Type", "AreaType"],
    "category": ["Category"],
}  # fmt: skip
NUMBERS = ("value", "lower", "upper", "count", "denominator")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class LongTable:
    """A long table read: its rows (``table``, every cell text), the header of each
    canonical column found (``cols``; None where absent) and the numbers (``numbers``:
    value, lower, upper, count, denominator as floats, aligned to the rows)."""

    table: Table
    cols: dict[str, str | None]
    numbers: pd.DataFrame
    chosen: dict[str, str] = field(default_factory=dict)

    def column(self, key: str) -> pd.Series:
        return text(self.table, self.cols.get(key))

    def keep(self, mask: np.ndarray, **chosen: str) -> LongTable:
        return LongTable(
            subset(self.table, mask),
            self.cols,
            self.numbers.loc[mask].reset_index(drop=True),
            {**self.chosen, **chosen},
        )


def read_long_table(
    path: str | Path,
    *,
    report: ValidationReport,
    sheet: str = "",
    area_column: str = "",
    headers: Mapping[str, list[str]] = HEADERS,
) -> LongTable:
    """Read a long table: find its columns, read its numbers, report what was tidied.

    ``area_column`` names the column of area codes when the file has several (a
    district's and an MSOA's, say); by default it is the column of codes with the most
    different codes, the finest geography.
    """

    def is_header(row) -> bool:
        return find_column(row, headers["value"]) is not None and len(row) >= 2

    table = read_text_table(Path(path), report=report, sheet=sheet, is_header=is_header)
    cols = {key: find_column(table.frame.columns, names) for key, names in headers.items()}
    code = find_area_column(table, area_column, cols["area_code"])
    cols["area_code"] = code
    cols["area_name"] = find_name_column(table, code) or cols["area_name"]
    if cols["indicator"] is None and cols["indicator_code"] is not None:
        cols["indicator"] = cols["indicator_code"]
    tidied: list[str] = []
    numbers = pd.DataFrame(
        {key: published_numbers(table, cols[key], report=report, tidied=tidied) for key in NUMBERS}
    )
    report_tidied(table, report, tidied)
    return LongTable(table, cols, numbers)


def find_area_column(table: Table, wanted: str, found: str | None) -> str:
    """The column of area codes: ``wanted``, else ``found`` when it holds ONS codes, else
    the column of ONS codes named like a code with the most different codes."""
    headers = list(table.frame.columns)
    if wanted:
        if wanted not in headers:
            raise InputError(
                f"{table.file}: no column '{wanted}'{did_you_mean(wanted, headers)} for "
                f"area_column; the columns are: {', '.join(headers)}"
            )
        return wanted
    codes = [h for h in headers if _looks_like_codes(table.frame[h])]
    named = [h for h in codes if "code" in norm(h) or norm(h).endswith("cd")]
    if found in codes:
        return found  # type: ignore[return-value]
    if named or codes:
        return max(named or codes, key=lambda h: table.frame[h].nunique())
    raise InputError(
        f"{table.file}: no column of area codes (such as E02004675) was found; name it with "
        f"the area_column option; the columns are: {', '.join(headers)}"
    )


def _looks_like_codes(values: pd.Series) -> bool:
    filled = values[values != ""]
    return len(filled) > 0 and filled.str.fullmatch(ONS_CODE).mean() >= 0.8


def find_name_column(table: Table, code: str) -> str | None:
    """The names beside the codes: "MSOA21 name" for "MSOA21 code", "LSOA21NM" for
    "LSOA21CD"."""
    key = norm(code)
    for stem in (key.removesuffix("code"), key.removesuffix("cd")):
        if stem and stem != key:
            found = find_column(table.frame.columns, [stem + "name", stem + "nm"])
            if found:
                return found
    return None


def choose(
    long: LongTable,
    *,
    indicator: str = "",
    period: str = "",
    dimensions: Mapping[str, tuple[str, str]] = {},
) -> LongTable:
    """The rows of one indicator, one value of each dimension and one period.

    ``indicator`` is matched exactly (ignoring case) against the names and codes in the
    file; when not given the file must hold one indicator. ``dimensions`` maps a column
    key (measure, sex, age, area_type) to ``(wanted, default)``: the value asked for, or
    the default ("most areas" keeps the value with most areas), or the only value.
    ``period`` is the time period as written (spaces ignored); the latest by default.
    """
    long = pick_indicator(long, indicator)
    for key, (wanted, default) in dimensions.items():
        long = _pick(long, key, wanted, default)
    return _pick_period(long, period)


def _listing(values: pd.Series) -> str:
    counts = values.value_counts(sort=False)
    return ", ".join(f"'{v}' ({n} rows)" for v, n in counts.head(12).items())


def pick_indicator(long: LongTable, wanted: str) -> LongTable:
    names, codes = long.column("indicator"), long.column("indicator_code")
    if long.cols["indicator"] is None:
        return long
    found = pd.unique(names)
    if wanted:
        key = wanted.strip().lower()
        hit = (names.str.lower() == key) | (codes.str.lower() == key)
        if not hit.any():
            raise InputError(
                f"{long.table.file}: indicator '{wanted}' is not in the file"
                f"{did_you_mean(wanted, [*found, *pd.unique(codes[codes != ''])])}; it holds: "
                f"{_listing(names)}; write the name exactly as in the file, or its code"
            )
        return long.keep(hit.to_numpy(), indicator=names[hit].iloc[0],
                         indicator_code=codes[hit].iloc[0])  # fmt: skip
    if len(found) > 1:
        raise InputError(
            f"{long.table.file}: the file holds {len(found)} indicators "
            f'({_listing(names)}); choose one with indicator = "..." (its name or code)'
        )
    return long.keep(np.ones(len(names), bool), indicator=found[0] if len(found) else "",
                     indicator_code=codes.iloc[0] if len(codes) else "")  # fmt: skip


def _pick(long: LongTable, key: str, wanted: str, default: str) -> LongTable:
    """Keep one value of a dimension: the one asked for, the only one, or the default."""
    if long.cols.get(key) is None:
        return long
    values = long.column(key)
    found = list(pd.unique(values))
    if wanted:
        hit = values.str.lower() == wanted.strip().lower()
        if not hit.any():
            raise InputError(
                f"{long.table.file}: {key} '{wanted}' is not in the file for this indicator"
                f"{did_you_mean(wanted, found)}; it holds: {_listing(values)}"
            )
        return long.keep(hit.to_numpy(), **{key: values[hit].iloc[0]})
    if len(found) <= 1:
        return long.keep(np.ones(len(values), bool), **{key: found[0] if found else ""})
    if default == "most areas":
        chosen = long.column("area_code").groupby(values.to_numpy()).nunique().idxmax()
        return long.keep((values == chosen).to_numpy(), **{key: chosen})
    if default and default in found:
        return long.keep((values == default).to_numpy(), **{key: default})
    raise InputError(
        f"{long.table.file}: the file holds several values of {key} for this indicator "
        f"({_listing(values)}); choose one with the {key} option"
    )


def _pick_period(long: LongTable, wanted: str) -> LongTable:
    periods = long.column("period")
    if long.cols["period"] is None or not len(periods):
        return long.keep(np.ones(len(periods), bool), period="")
    if wanted:
        hit = periods.str.replace(" ", "") == wanted.replace(" ", "")
        if not hit.any():
            raise InputError(
                f"{long.table.file}: time_period '{wanted}' is not in the file"
                f"{did_you_mean(wanted, list(pd.unique(periods)))}; it holds: "
                f"{_listing(periods)}"
            )
        return long.keep(hit.to_numpy(), period=periods[hit].iloc[0])
    sortable = pd.to_numeric(long.column("sortable"), errors="coerce")
    if sortable.isna().all():  # no sortable column: the first year written in the period
        sortable = pd.to_numeric(periods.str.extract(r"(\d{4})")[0], errors="coerce")
    latest = sortable.max()
    hit = (sortable == latest).to_numpy() if pd.notna(latest) else np.ones(len(periods), bool)
    return long.keep(hit, period=periods[hit].iloc[0])


def one_per_area(long: LongTable, *, report: ValidationReport) -> pd.DataFrame:
    """The chosen rows as one row per area: index ``area_code``, columns ``area_name`` and
    :data:`NUMBERS`. Areas left with several rows are an error naming the columns that
    differ between them; areas without a value are reported (with the publisher's note)."""
    codes = long.column("area_code")
    repeated = codes.duplicated(keep=False).to_numpy()
    if repeated.any():
        report.error(
            long.table.file,
            long.cols["area_code"],
            f"{len(pd.unique(codes[repeated]))} area(s) have more than one row for the same "
            f"indicator, period, sex and age (e.g. '{codes[repeated].iloc[0]}')"
            + _differing(long, repeated),
            "choose the rows to keep with the indicator, measure, sex, age or period options",
            rows=[long.table.lines[i] for i in np.flatnonzero(repeated)],
        )
    out = long.numbers.copy()
    out.insert(0, "area_name", long.column("area_name").to_numpy())
    out.index = pd.Index(codes.to_numpy(), name="area_code")
    _report_missing(long, out["value"], report)
    return out[~out.index.duplicated()]


def _differing(long: LongTable, repeated: np.ndarray) -> str:
    rows = long.table.frame.loc[repeated]
    codes = rows[long.cols["area_code"]]
    skip = {long.cols[k] for k in ("area_code", *NUMBERS, "note")}
    varying = [
        c for c in rows.columns if c not in skip and rows.groupby(codes)[c].nunique().max() > 1
    ]
    return f"; they differ in {', '.join(repr(c) for c in varying)}" if varying else ""


def _report_missing(long: LongTable, values: pd.Series, report: ValidationReport) -> None:
    missing = values.isna().to_numpy()
    if not missing.any():
        return
    notes = long.column("note")[missing]
    said = "; ".join(f"'{n}'" for n in pd.unique(notes[notes != ""])[:3])
    names = long.column("area_name")[missing]
    example = names.iloc[0] or long.column("area_code")[missing].iloc[0]
    report.warn(
        long.table.file,
        long.cols["value"],
        f"{missing.sum()} area(s) have no value"
        + (f" (Value note: {said})" if said else "")
        + f", e.g. '{example}'",
        "small numbers are suppressed by the publisher; leave them empty, not zero",
        rows=[long.table.lines[i] for i in np.flatnonzero(missing)],
    )


def stem(name: str, fallback: str, *, suffix: str = "") -> str:
    """The stem of output columns: ``name`` (which must be snake_case), or one made from
    ``fallback`` (an indicator's name or code, cut at a word within 40 letters) and
    ``suffix`` (a measure, when an indicator has several)."""
    if name:
        if not _NAME.match(name):
            raise InputError(
                f"name '{name}' must be snake_case (small letters, digits and _), such as "
                "low_income_children"
            )
        return "_".join(p for p in (name, _slug(suffix, 20)) if p)
    made = "_".join(p for p in (_slug(fallback, 40), _slug(suffix, 20)) if p)
    return made if made and made[0].isalpha() else f"indicator_{made or 'value'}"


def _slug(words: str, limit: int) -> str:
    made = re.sub(r"[^0-9a-z]+", "_", words.lower()).strip("_")
    if len(made) > limit:
        made = made[: limit + 1].rsplit("_", 1)[0] or made[:limit]
    return made


def as_columns(per_area: pd.DataFrame, name: str) -> pd.DataFrame:
    """One indicator's numbers as ``<name>_value``, ``_lower``, ``_upper``, ``_count`` and
    ``_denominator`` (counts as whole numbers where they are)."""
    out = pd.DataFrame(index=per_area.index)
    for key in NUMBERS:
        values = per_area[key]
        out[f"{name}_{key}"] = as_counts(values) if key in ("count", "denominator") else values
    return out


def read_long(
    path: str | Path,
    *,
    report: ValidationReport,
    indicator: str = "",
    measure: str = "",
    period: str = "",
    name: str = "",
    sex: str = "",
    age: str = "",
    sheet: str = "",
    area_column: str = "",
) -> pd.DataFrame:
    """Read a long table of indicators (area x indicator x value) into one row per area.

    Parameters
    ----------
    path
        The CSV or Excel file as published.
    report
        Where problems are recorded (what was tidied, areas without a value).
    indicator
        One indicator's name or code, exactly as in the file; every indicator when not
        given, each with its latest period.
    measure
        The measure to keep when an indicator has several (a count and a percentage).
    period
        The time period as written; the latest by default.
    name
        The stem of the columns of one indicator (snake_case); made from its name when
        not given.
    sex, age
        The sex or age to keep when the table breaks indicators down by them.
    sheet, area_column
        The sheet of a workbook; the column of area codes when the file has several.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name`` and, per indicator, ``<stem>_value``, ``_lower``,
        ``_upper``, ``_count``, ``_denominator`` (those the file gives): empty where the
        file has no value (never 0). ``attrs["indicators"]`` maps each stem to the
        indicator, measure and period.
    """
    long = read_long_table(path, report=report, sheet=sheet, area_column=area_column)
    groups = [indicator] if indicator else list(pd.unique(long.column("indicator"))) or [""]
    parts: list[pd.DataFrame] = []
    what: dict[str, dict[str, str]] = {}
    for wanted in groups:
        chosen = pick_indicator(long, wanted)
        measures = [measure] if measure else list(pd.unique(chosen.column("measure"))) or [""]
        for each in measures:
            dims = {"measure": (each, ""), "sex": (sex, ""), "age": (age, "")}
            rows = choose(chosen, period=period, dimensions=dims)
            label = rows.chosen.get("indicator", "") or Path(path).stem
            suffix = each if len(measures) > 1 else ""
            key = _unique_stem(stem(name if indicator else "", label, suffix=suffix), what)
            columns = as_columns(one_per_area(rows, report=report), key)
            empty = [c for c in columns if columns[c].isna().all() and not c.endswith("_value")]
            parts.append(columns.drop(columns=empty))
            what[key] = {k: rows.chosen.get(k, "") for k in ("indicator", "measure", "period")}
    names = long.column("area_name").groupby(long.column("area_code").to_numpy()).first()
    out = pd.concat(parts, axis=1, join="outer")  # absent stays missing, never 0
    out.insert(0, "area_name", names.reindex(out.index).to_numpy())
    out = out.rename_axis("area_code").reset_index()
    out.attrs["indicators"] = what
    kinds = {
        "value": "rate",
        "lower": "rank",
        "upper": "rank",
        "count": "count",
        "denominator": "count",
    }  # how each is brought onto 2021 LSOAs (to_lsoa21)
    out.attrs["column_kinds"] = {"area_code": "text", "area_name": "text"} | {
        f"{key}_{n}": kind for key in what for n, kind in kinds.items()
    }  # fmt: skip
    out.attrs["rate_denominators"] = {f"{key}_value": f"{key}_denominator" for key in what}
    return out


def _unique_stem(key: str, taken: Mapping[str, object]) -> str:
    n, out = 2, key
    while out in taken:
        out, n = f"{key}_{n}", n + 1
    return out
