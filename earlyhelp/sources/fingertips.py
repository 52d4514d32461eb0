"""Public health profile exports from Fingertips (OHID), as JSNA indicators.

Reads the CSV that Fingertips gives ("Export table" or the API's ``all_data/csv``), with
headers ``Indicator ID``, ``Indicator Name``, ``Area Code``, ``Area Name``, ``Area Type``,
``Sex``, ``Age``, ``Category Type``, ``Category``, ``Time period``, ``Value``,
``Lower CI 95.0 limit``, ``Upper CI 95.0 limit``, ``Count``, ``Denominator``, ``Value note``
and ``Time period Sortable``, or the same names run together as fingertipsR gives them
(``AreaCode``, ``Timeperiod``, ``LowerCI95.0limit``...).

One indicator, one time period (the latest by default), one sex and age and one area type
are picked, leaving one row per area with ``<name>_value``, ``<name>_lower`` and
``<name>_upper`` (95% confidence limits), ``<name>_count`` and ``<name>_denominator``.
Rows that break an indicator down by a category (deprivation decile, ethnic group) are
left out.

A Fingertips export is a long table (:mod:`earlyhelp.sources.long`) with a few defaults of
its own: persons rather than one sex, the area type with the most areas, no category rows.
The same file can be read straight into a run with ``format = "fingertips"`` under
``[indicators.<name>]``, its published 95% limits used as they are.
"""

from __future__ import annotations

__all__ = ["FINGERTIPS_DIMENSIONS", "read_fingertips", "read_fingertips_rows"]

from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import find_column
from earlyhelp.sources.long import (
    HEADERS,
    LongTable,
    as_columns,
    choose,
    one_per_area,
    pick_indicator,
    read_long_table,
    stem,
)
from earlyhelp.validation import ValidationReport

# Fingertips' own headers (the API's run-together names match them too)
_HEADERS = {**HEADERS, "area_code": ["Area Code"], "area_name": ["Area Name"]}
# the dimensions a Fingertips export breaks an indicator down by, and their defaults
FINGERTIPS_DIMENSIONS = {"sex": "Persons", "age": "", "area_type": "most areas"}


def read_fingertips(
    path: str | Path,
    *,
    report: ValidationReport,
    indicator: str = "",
    time_period: str = "",
    name: str = "",
    sex: str = "",
    age: str = "",
    area_type: str = "",
) -> pd.DataFrame:
    """Read one Fingertips indicator as one row per area.

    Parameters
    ----------
    path
        The CSV as exported from Fingertips.
    report
        Where problems are recorded (areas without a value, with the value note).
    indicator
        The indicator's ID or name; needed only when the file holds several.
    time_period
        The period as Fingertips writes it ("2022/23", "2020 - 22"); the latest when not
        given (by ``Time period Sortable``).
    name
        The stem of the output columns (``<name>_value``...), in snake_case;
        ``fingertips_<indicator id>`` when not given.
    sex, age
        Which sex and age to keep when the file has several ("Persons" by default).
    area_type
        Which area type to keep ("Districts & UAs (from Apr 2023)"...); by default the
        one with the most areas, so England and region rows are left out.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name`` and ``<name>_value``, ``<name>_lower``,
        ``<name>_upper``, ``<name>_count``, ``<name>_denominator``. ``attrs`` records the
        indicator, period, sex, age and area type chosen.
    """
    rows = read_fingertips_rows(
        path, report=report, indicator=indicator, time_period=time_period,
        sex=sex, age=age, area_type=area_type,
    )  # fmt: skip
    chosen_id = rows.chosen.get("indicator_code", "") or rows.chosen.get("indicator", "")
    key = stem(name, f"fingertips_{chosen_id or 'indicator'}")
    per_area = one_per_area(rows, report=report)
    out = as_columns(per_area, key)
    out.insert(0, "area_name", per_area["area_name"])
    out = out.rename_axis("area_code").reset_index()
    out.attrs.update(
        {
            "indicator_id": rows.chosen.get("indicator_code", ""),
            "indicator_name": rows.chosen.get("indicator", ""),
            **{k: rows.chosen.get(k, "") for k in ("sex", "age", "area_type")},
            "time_period": rows.chosen.get("period", ""),
        }
    )
    out.attrs["column_kinds"] = _column_kinds(key)
    out.attrs["rate_denominators"] = {f"{key}_value": f"{key}_denominator"}
    return out


def read_fingertips_rows(
    path: str | Path,
    *,
    report: ValidationReport,
    indicator: str = "",
    time_period: str = "",
    sex: str = "",
    age: str = "",
    area_type: str = "",
) -> LongTable:
    """The rows of one Fingertips indicator, period, sex, age and area type (see
    :func:`read_fingertips`); a comparator row (England, a region) of another area type
    is kept with ``area_type="all"``."""
    long = read_long_table(path, report=report, headers=_HEADERS)
    headers = list(long.table.frame.columns)
    for key, header in (("area_code", "Area Code"), ("value", "Value")):
        if find_column(headers, [header]) is None or long.cols[key] is None:
            raise InputError(
                f"{long.table.file}: no '{header}' column; this does not look like a "
                "Fingertips export (use 'Export table to CSV file' or the API's CSV)"
            )
    if long.cols["category"] is not None:
        long = long.keep((long.column("category") == "").to_numpy())
    wanted = {"sex": sex, "age": age, "area_type": area_type}
    if area_type.lower() == "all":
        wanted.pop("area_type")
    dimensions = {k: (wanted[k], FINGERTIPS_DIMENSIONS[k]) for k in wanted}
    long = _one_indicator(long, indicator)
    return choose(long, period=time_period, dimensions=dimensions)


def _one_indicator(long: LongTable, wanted: str) -> LongTable:
    """Choose by ID or name; the file must hold one when none is named."""
    ids, names = long.column("indicator_code"), long.column("indicator")
    keys = ids.where(ids != "", names)
    if not wanted and len(pd.unique(keys)) > 1:
        listing = ", ".join(
            f"'{v}' ({n} rows)" for v, n in (ids + " " + names).value_counts().head(10).items()
        )
        raise InputError(
            f"{long.table.file}: the file holds {len(pd.unique(keys))} indicators "
            f"({listing}); choose one with the indicator option (its ID or name)"
        )
    return pick_indicator(long, wanted) if wanted else long


def _column_kinds(stem_: str) -> dict[str, str]:
    """How each output column is brought onto 2021 LSOAs (see ``to_lsoa21``)."""
    return {
        "area_code": "text",
        "area_name": "text",
        f"{stem_}_value": "rate",
        f"{stem_}_lower": "rank",  # confidence limits cannot be rebuilt for a new area
        f"{stem_}_upper": "rank",
        f"{stem_}_count": "count",
        f"{stem_}_denominator": "count",
    }
