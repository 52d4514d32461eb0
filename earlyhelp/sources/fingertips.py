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
"""

from __future__ import annotations

__all__ = ["read_fingertips"]

import re
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import (
    Table,
    as_counts,
    find_column,
    numbers,
    read_text_table,
    subset,
    text,
)
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

_COLUMNS = {  # canonical -> published header (the API's run-together names match too)
    "indicator_id": "Indicator ID",
    "indicator_name": "Indicator Name",
    "area_code": "Area Code",
    "area_name": "Area Name",
    "area_type": "Area Type",
    "sex": "Sex",
    "age": "Age",
    "category_type": "Category Type",
    "category": "Category",
    "time_period": "Time period",
    "value": "Value",
    "lower": "Lower CI 95.0 limit",
    "upper": "Upper CI 95.0 limit",
    "count": "Count",
    "denominator": "Denominator",
    "value_note": "Value note",
    "sortable": "Time period Sortable",
}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


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
    table = read_text_table(Path(path), report=report, is_header=_is_header)
    cols = _fingertips_columns(table)
    if cols["category"] is not None:
        table = subset(table, (text(table, cols["category"]) == "").to_numpy())
    ind_ids = text(table, cols["indicator_id"])
    ind_names = text(table, cols["indicator_name"])
    table, chosen_id = _pick_indicator(table, ind_ids, ind_names, indicator)
    chosen_name = text(table, cols["indicator_name"]).iloc[0] if len(table.frame) else ""
    stem = _stem(name, chosen_id)
    chosen: dict[str, str] = {"indicator_id": chosen_id, "indicator_name": chosen_name}
    for key, wanted, default in (
        ("sex", sex, "Persons"),
        ("age", age, ""),
        ("area_type", area_type, "most areas"),
    ):
        table, chosen[key] = _pick(table, cols[key], wanted, default, key)
    table, chosen["time_period"] = _pick_period(table, cols, time_period)
    codes = text(table, cols["area_code"])
    _report_repeated_areas(table, cols, codes, report)
    out = _indicator_values(table, cols, codes, stem, report)
    out.attrs.update(chosen)
    out.attrs["column_kinds"] = _column_kinds(stem)
    out.attrs["rate_denominators"] = {f"{stem}_value": f"{stem}_denominator"}
    return out.reset_index(drop=True)


def _fingertips_columns(table: Table) -> dict[str, str | None]:
    """Canonical name -> the file's header (None where absent); an area code and a value
    are required."""
    cols = {key: find_column(table.frame.columns, [h]) for key, h in _COLUMNS.items()}
    for key in ("area_code", "value"):
        if cols[key] is None:
            raise InputError(
                f"{table.file}: no '{_COLUMNS[key]}' column; this does not look like a "
                "Fingertips export (use 'Export table to CSV file' or the API's CSV)"
            )
    return cols


def _stem(name: str, indicator_id: str) -> str:
    """The stem of the output columns: ``name``, or ``fingertips_<indicator id>``; it
    must be snake_case."""
    stem = name or f"fingertips_{re.sub(r'[^0-9a-z]+', '_', indicator_id.lower()) or 'indicator'}"
    if not _NAME.match(stem):
        raise InputError(
            f"fingertips: name '{stem}' must be snake_case (small letters, digits and _), "
            "such as low_income_children"
        )
    return stem


def _report_repeated_areas(
    table: Table, cols: dict[str, str | None], codes: pd.Series, report: ValidationReport
) -> None:
    """An error for areas left with more than one row once the rows are chosen."""
    repeated = codes.duplicated(keep=False).to_numpy()
    if repeated.any():
        report.error(
            table.file,
            cols["area_code"],
            f"{len(pd.unique(codes[repeated]))} area(s) have more than one row for the same "
            f"indicator, period, sex and age (e.g. '{codes[repeated].iloc[0]}')",
            "export one indicator at a time, or name the rows to keep with the indicator, "
            "sex, age and area_type options",
            rows=[table.lines[i] for i in np.flatnonzero(repeated)],
        )


def _indicator_values(
    table: Table,
    cols: dict[str, str | None],
    codes: pd.Series,
    stem: str,
    report: ValidationReport,
) -> pd.DataFrame:
    """One row per area: its code and name and the indicator's value, 95% limits, count
    and denominator as ``<stem>_value``...; areas without a value are reported."""
    out = pd.DataFrame(
        {"area_code": codes, "area_name": text(table, cols["area_name"])},
    )
    for key in ("value", "lower", "upper", "count", "denominator"):
        values = numbers(table, cols[key], report=report)
        out[f"{stem}_{key}"] = as_counts(values) if key in ("count", "denominator") else values
    _report_missing(table, cols, out[f"{stem}_value"], report)
    return out


def _column_kinds(stem: str) -> dict[str, str]:
    """How each output column is brought onto 2021 LSOAs (see ``to_lsoa21``)."""
    return {
        "area_code": "text",
        "area_name": "text",
        f"{stem}_value": "rate",
        f"{stem}_lower": "rank",  # confidence limits cannot be rebuilt for a new area
        f"{stem}_upper": "rank",
        f"{stem}_count": "count",
        f"{stem}_denominator": "count",
    }


def _is_header(row) -> bool:
    return find_column(row, ["Area Code"]) is not None


def _listing(values: pd.Series) -> str:
    counts = values.value_counts()
    return ", ".join(f"'{v}' ({n} rows)" for v, n in counts.head(10).items())


def _pick_indicator(table: Table, ids: pd.Series, names: pd.Series, wanted: str):
    keys = ids.where(ids != "", names)
    found = pd.unique(keys)
    if wanted:
        hit = (ids.str.lower() == wanted.lower()) | (names.str.lower() == wanted.lower())
        if not hit.any():
            raise InputError(
                f"{table.file}: indicator '{wanted}' is not in the file"
                f"{did_you_mean(wanted, [*pd.unique(ids), *pd.unique(names)])}; it holds: "
                f"{_listing(ids + ' ' + names)}"
            )
        table = subset(table, hit.to_numpy())
        return table, ids[hit].iloc[0]
    if len(found) > 1:
        raise InputError(
            f"{table.file}: the file holds {len(found)} indicators "
            f"({_listing(ids + ' ' + names)}); choose one with the indicator option "
            "(its ID or name)"
        )
    return table, (ids.iloc[0] if len(ids) else "")


def _pick(table: Table, column: str | None, wanted: str, default: str, key: str):
    """Keep one value of a dimension: the one asked for, the only one, or the default."""
    if column is None:
        return table, ""
    values = text(table, column)
    found = list(pd.unique(values))
    if wanted:
        hit = values.str.lower() == wanted.lower()
        if not hit.any():
            raise InputError(
                f"{table.file}: {key} '{wanted}' is not in the file"
                f"{did_you_mean(wanted, found)}; it holds: {_listing(values)}"
            )
        return subset(table, hit.to_numpy()), values[hit].iloc[0]
    if len(found) <= 1:
        return table, (found[0] if found else "")
    if default == "most areas":
        codes = text(table, find_column(table.frame.columns, ["Area Code"]))
        chosen = codes.groupby(values.to_numpy()).nunique().idxmax()
        return subset(table, (values == chosen).to_numpy()), chosen
    if default and default in found:
        return subset(table, (values == default).to_numpy()), default
    raise InputError(
        f"{table.file}: the file holds several values of {key} ({_listing(values)}); "
        f"choose one with the {key} option"
    )


def _pick_period(table: Table, cols, wanted: str):
    periods = text(table, cols["time_period"])
    if wanted:
        hit = periods.str.replace(" ", "") == wanted.replace(" ", "")
        if not hit.any():
            raise InputError(
                f"{table.file}: time_period '{wanted}' is not in the file"
                f"{did_you_mean(wanted, list(pd.unique(periods)))}; it holds: {_listing(periods)}"
            )
        return subset(table, hit.to_numpy()), periods[hit].iloc[0]
    if not len(periods):
        return table, ""
    sortable = pd.to_numeric(text(table, cols["sortable"]), errors="coerce")
    if sortable.isna().all():  # no sortable column: the first year written in the period
        sortable = pd.to_numeric(periods.str.extract(r"(\d{4})")[0], errors="coerce")
    latest = sortable.max()
    hit = (sortable == latest).to_numpy() if pd.notna(latest) else np.ones(len(periods), bool)
    return subset(table, hit), periods[hit].iloc[0]


def _report_missing(table: Table, cols, values: pd.Series, report: ValidationReport) -> None:
    missing = values.isna().to_numpy()
    if not missing.any():
        return
    notes = text(table, cols["value_note"])[missing]
    said = "; ".join(f"'{n}'" for n in pd.unique(notes[notes != ""])[:3])
    report.warn(
        table.file,
        cols["value"],
        f"{missing.sum()} area(s) have no value"
        + (f" (Value note: {said})" if said else "")
        + f", e.g. '{text(table, cols['area_name'])[missing].iloc[0]}'",
        "small numbers are suppressed by the publisher; leave them empty, not zero",
        rows=[table.lines[i] for i in np.flatnonzero(missing)],
    )
