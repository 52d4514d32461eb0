"""One JSNA indicator from its own file, whatever the layout: the units it was published
for (MSOAs, wards, districts...) with value, 95% limits, count and denominator.

:func:`read_indicator` reads an ``[indicators.<name>]`` section's ``path`` in its
``format``: a long table (``long``: the indicator chosen by name or code), a Fingertips
export, DWP Children in Low Income Families, Census 2021 TS011, or (no format) a table
with one row per unit whose columns the section names (``column``, ``lower``, ``upper``,
``denominator``). Every layout becomes the same table, so the loader places them alike.
"""

from __future__ import annotations

__all__ = ["INDICATOR_OPTIONS", "UNIT_COLUMNS", "read_indicator"]

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.config import IndicatorConfig
from earlyhelp.errors import InputError
from earlyhelp.sources._tables import published_numbers, read_text_table, report_tidied
from earlyhelp.sources.census import read_ts011
from earlyhelp.sources.dwp import read_dwp_cilif
from earlyhelp.sources.fingertips import read_fingertips_rows
from earlyhelp.sources.long import (
    choose,
    find_area_column,
    find_name_column,
    one_per_area,
    read_long_table,
)
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

UNIT_COLUMNS = ("name", "value", "lower", "upper", "count", "denominator")
# the options each layout takes under [indicators.<name>] options = { ... }
INDICATOR_OPTIONS: dict[str, tuple[str, ...]] = {
    "": ("sheet", "area_column"),
    "long": ("measure", "sex", "age", "sheet", "area_column"),
    "fingertips": ("sex", "age", "area_type"),
    "dwp_cilif": ("sheet",),
    "census_ts011": ("dimensions",),
}


def read_indicator(
    ind: IndicatorConfig, *, name: str, report: ValidationReport
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read one indicator's own file (``ind.path``) in its layout (``ind.format``).

    Returns the units (index: code as published, stripped) with :data:`UNIT_COLUMNS`
    (floats but ``name``; missing stays missing, never 0), comparator rows such as England
    included, and what was read: ``indicator`` (as named in the file), ``period``,
    ``measure``.
    """
    if ind.path is None:
        raise InputError(f'[indicators.{name}] has no path = "..." to read')
    allowed = INDICATOR_OPTIONS.get(ind.format, ())
    for key in ind.options:
        if key not in allowed:
            raise InputError(
                f"[indicators.{name}] unknown option '{key}'{did_you_mean(key, list(allowed))} "
                f"for format '{ind.format or 'a table with one row per area'}'; its options "
                f"are: {', '.join(allowed) or 'none'}"
            )
    opts: dict[str, Any] = dict(ind.options)
    path = Path(ind.path)
    if ind.format == "long":
        return _long(path, ind, opts, report)
    if ind.format == "fingertips":
        return _fingertips(path, ind, opts, report)
    if ind.format == "dwp_cilif":
        table = read_dwp_cilif(path, report=report, period=ind.period, name="x", **opts)
        return _stemmed(table, "x", value="percent"), {"period": table.attrs["period"]}
    if ind.format == "census_ts011":
        table = read_ts011(path, report=report, name="x", **opts)
        what = f"households deprived in {table.attrs['dimensions']} or more dimensions"
        return _stemmed(table, "x", value="percent"), {"indicator": what}
    return _wide(path, ind, opts, name, report), {}


def _frame(codes: pd.Series, names: pd.Series, numbers: dict[str, pd.Series]) -> pd.DataFrame:
    out = pd.DataFrame({"name": names.to_numpy()}, index=pd.Index(codes.astype(str).str.strip()
                       .to_numpy(), name="code"))  # fmt: skip
    for key in UNIT_COLUMNS[1:]:
        values = numbers.get(key)
        out[key] = values.to_numpy(dtype=float) if values is not None else np.nan
    return out[~out.index.duplicated()]


def _long(path: Path, ind: IndicatorConfig, opts: dict, report) -> tuple[pd.DataFrame, dict]:
    long = read_long_table(
        path, report=report, sheet=opts.pop("sheet", ""), area_column=opts.pop("area_column", "")
    )
    dims = {k: (str(opts.get(k, "")), "") for k in ("measure", "sex", "age")}
    rows = choose(long, indicator=ind.indicator, period=ind.period, dimensions=dims)
    per_area = one_per_area(rows, report=report)
    numbers = {k: per_area[k] for k in UNIT_COLUMNS[1:]}
    units = _frame(pd.Series(per_area.index), per_area["area_name"], numbers)
    return units, {k: rows.chosen.get(k, "") for k in ("indicator", "period", "measure")}


def _fingertips(path: Path, ind: IndicatorConfig, opts: dict, report) -> tuple[pd.DataFrame, dict]:
    """The chosen area type's rows, and the rows of other area types (England, the
    region) after them as possible comparators."""
    kw = {"indicator": ind.indicator, "time_period": ind.period,
          "sex": str(opts.get("sex", "")), "age": str(opts.get("age", ""))}  # fmt: skip
    rows = read_fingertips_rows(path, report=report, area_type=str(opts.get("area_type", "")), **kw)
    every = read_fingertips_rows(path, report=ValidationReport(), area_type="all", **kw)
    main = one_per_area(rows, report=report)  # repeated areas, areas without a value
    units = _frame(pd.Series(main.index), main["area_name"],
                   {k: main[k] for k in UNIT_COLUMNS[1:]})  # fmt: skip
    every = every.keep(~every.column("area_code").duplicated().to_numpy())
    others = _frame(every.column("area_code"), every.column("area_name"),
                    {k: every.numbers[k] for k in UNIT_COLUMNS[1:]})  # fmt: skip
    units = pd.concat([units, others[~others.index.isin(units.index)]])
    what = {"indicator": rows.chosen.get("indicator", ""), "period": rows.chosen.get("period", "")}
    return units, what


def _stemmed(table: pd.DataFrame, key: str, *, value: str) -> pd.DataFrame:
    numbers = {
        "value": table[f"{key}_{value}"].astype(float),
        "count": table[f"{key}_count"].astype(float),
        "denominator": table[f"{key}_denominator"].astype(float),
    }
    return _frame(table["area_code"], table["area_name"], numbers)


def _wide(path: Path, ind: IndicatorConfig, opts: dict, name: str, report) -> pd.DataFrame:
    """A table with one row per unit, its columns named in the section."""
    table = read_text_table(path, report=report, sheet=str(opts.get("sheet", "")))
    code = find_area_column(table, str(opts.get("area_column", "")), None)
    headers = list(table.frame.columns)
    wanted = {"value": ind.column, "lower": ind.lower, "upper": ind.upper,
              "denominator": ind.denominator}  # fmt: skip
    for key, header in wanted.items():
        if header and header not in headers:
            raise InputError(
                f"{table.file}: no column '{header}'{did_you_mean(header, headers)} for "
                f"[indicators.{name}] {key if key != 'value' else 'column'}; fix the name "
                f"under [indicators.{name}], or the file"
            )
    tidied: list[str] = []
    numbers = {k: published_numbers(table, h or None, report=report, tidied=tidied)
               for k, h in wanted.items()}  # fmt: skip
    if ind.kind == "count":
        numbers["count"] = numbers["value"]
    report_tidied(table, report, tidied)
    names = find_name_column(table, code) or ("area_name" if "area_name" in headers else None)
    return _frame(table.frame[code], table.frame[names] if names else table.frame[code], numbers)
