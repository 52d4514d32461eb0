"""One indicator's values for every area, wherever the indicator was published.

An indicator is read either from the need table itself (one value per small area, in the
column ``IndicatorConfig.column``) or, when it is published for another geography (MSOA,
ward, district, county) or in its own file, **placed** on the areas by the loader
(:func:`earlyhelp.need.placing.place_indicator`): each area then carries its containing
unit's value and interval in columns named ``<indicator>__<field>``
(:func:`indicator_column`), for example ``low_income__value``, ``low_income__lower``,
``low_income__unit``. :func:`indicator_values` reads either form, so the need index and
"calls for" treat them alike.

Kinds:

- ``count``: a number of children or events with a denominator. Shown as a crude rate per
  10,000 (:data:`RATE_PER`) with Poisson limits (:func:`earlyhelp.stats.rate_ci`), computed
  where the count was published: per small area for the need table's own columns, per
  unit (ward, MSOA...) for a placed indicator, never shared down to the small areas.
- ``rate``: an already-computed rate or percentage; its interval is the one published
  (``lower``/``upper``) or, for a placed indicator with a count and denominator, computed
  at its unit.
- ``score``: an index score such as an IoD domain score (higher means more of the thing).
- ``rank`` and ``decile``: ranks and deciles, always read as 1 = most deprived.
"""

from __future__ import annotations

__all__ = [
    "INDICATOR_FIELDS",
    "INDICATOR_KINDS",
    "RANKED",
    "RATE_PER",
    "county_value",
    "indicator_column",
    "indicator_values",
    "is_placed",
]

import numpy as np
import pandas as pd

from earlyhelp.config import IndicatorConfig
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.need.bands import children
from earlyhelp.stats import rate_ci

# Counts are shown as crude rates per this many of their denominator (children).
RATE_PER = 10_000

INDICATOR_KINDS = ("count", "rate", "score", "rank", "decile")
RANKED = ("rank", "decile")  # 1 = most deprived

# The columns a placed indicator adds to the need table, ``<indicator>__<field>``:
INDICATOR_FIELDS = {
    "value": "the value of the unit containing the area (a count as its rate per 10,000)",
    "lower": "lower 95% limit of that value (published, or computed at the unit)",
    "upper": "upper 95% limit",
    "unit": "code of the unit (MSOA, ward, district...) the area takes its value from",
    "unit_count": "the unit's count (for the whole unit: never add it up over areas)",
    "unit_denominator": "the unit's denominator (for the whole unit)",
    "interval": "where the interval comes from: supplied, computed (Poisson/Wilson), none",
    "comparator": "the published value the units are compared with (compare_with)",
    "compared": "the unit against the comparator: higher, similar, lower, not compared",
    "fit": "share of the area inside its unit, where the lookup says (best fit)",
}


def indicator_column(name: str, field: str) -> str:
    """The need-table column of one field of a placed indicator: ``<name>__<field>``."""
    if field not in INDICATOR_FIELDS:
        raise ValueError(f"unknown indicator field {field!r}")
    return f"{name}__{field}"


def is_placed(need: pd.DataFrame, name: str) -> bool:
    """Whether the loader placed this indicator on the areas (its own file or geography)."""
    return indicator_column(name, "value") in need.columns


def indicator_values(need: pd.DataFrame, name: str, ind: IndicatorConfig) -> pd.DataFrame:
    """One indicator for every area of ``need``: ``value``, ``lower``, ``upper``, ``count``,
    ``denominator`` (floats), ``unit`` (the code of the area the value belongs to: the
    small area itself, or its MSOA, ward...) and ``comparator`` (a published value to
    compare with, else missing)."""
    if ind.kind not in INDICATOR_KINDS:
        raise ConfigError(
            f"[indicators.{name}] kind = '{ind.kind}' is not known; "
            f"choose one of: {', '.join(INDICATOR_KINDS)}"
        )
    if is_placed(need, name):
        return _placed(need, name)
    return _own(need, name, ind)


def _placed(need: pd.DataFrame, name: str) -> pd.DataFrame:
    def col(field: str) -> pd.Series:
        column = indicator_column(name, field)
        if column not in need.columns:
            return pd.Series(np.nan, index=need.index)
        if field == "unit":
            return need[column]
        return pd.to_numeric(need[column], errors="coerce").astype(float)

    return pd.DataFrame(
        {
            "value": col("value"),
            "lower": col("lower"),
            "upper": col("upper"),
            "count": col("unit_count"),
            "denominator": col("unit_denominator"),
            "unit": col("unit"),
            "comparator": col("comparator"),
        },
        index=need.index,
    )


def _own(need: pd.DataFrame, name: str, ind: IndicatorConfig) -> pd.DataFrame:
    """An indicator of the need table itself: one value per small area."""
    raw = _column(need, name, ind.column, "column")
    empty = pd.Series(np.nan, index=need.index)
    unit = pd.Series(need.index, index=need.index).where(raw.notna())
    if ind.kind != "count":
        lower = _column(need, name, ind.lower, "lower") if ind.lower else empty
        upper = _column(need, name, ind.upper, "upper") if ind.upper else empty
        return pd.DataFrame(
            {"value": raw, "lower": lower, "upper": upper, "count": empty,
             "denominator": empty, "unit": unit, "comparator": empty}
        )  # fmt: skip
    if not ind.denominator:
        raise ConfigError(
            f'[indicators.{name}] is a count and needs denominator = "...", '
            "the need-table column it is a count of"
        )
    denom = _column(need, name, ind.denominator, "denominator")
    if (raw < 0).any() or (denom < 0).any():
        raise InputError(
            f"need table: indicator '{name}' has a negative count or denominator "
            f"(columns '{ind.column}', '{ind.denominator}'); counts must be 0 or more"
        )
    ci = rate_ci(raw, denom, per=RATE_PER)
    return pd.DataFrame(
        {"value": ci["rate"], "lower": ci["lower"], "upper": ci["upper"], "count": raw,
         "denominator": denom, "unit": unit, "comparator": empty}
    )  # fmt: skip


def county_value(
    need: pd.DataFrame, name: str, ind: IndicatorConfig, values: pd.DataFrame
) -> float:
    """The value each area is compared with, over the areas of ``need`` (the study area).

    - a published comparator (``compare_with``: the county or England as published) when
      the indicator has one;
    - ranks and deciles: the median area (they are compared by percentile instead);
    - otherwise from the **units** the study area's values come from, each counted once:
      a count pooled, ``sum(count) / sum(denominator)`` per :data:`RATE_PER`; a rate or
      score weighted by its denominator when there is one; else the mean of the need
      table's own small areas, or, for an indicator placed from larger units, the mean of
      the units weighted by the study area's children in each.
    """
    published = values["comparator"].dropna()
    if len(published):
        return float(published.iloc[0])
    if ind.kind in RANKED:
        return float(values["value"].median())
    has = values["value"].notna() & values["unit"].notna()
    frame = values[has].assign(children=children(need).reindex(values.index)[has])
    units = frame.groupby("unit", sort=False).agg(
        value=("value", "first"), count=("count", "first"),
        denominator=("denominator", "first"), children=("children", "sum"),
    )  # fmt: skip
    if ind.kind == "count":
        both = units[["count", "denominator"]].dropna()
        return float(rate_ci([both["count"].sum()], [both["denominator"].sum()], per=RATE_PER)
                     .iloc[0]["rate"])  # fmt: skip
    weights = units["denominator"]
    if not is_placed(need, name):
        if not ind.denominator:
            return float(units["value"].mean())
        weights = (
            _column(need, name, ind.denominator, "denominator")
            .groupby(values["unit"])
            .sum(min_count=1)
            .reindex(units.index)
        )
    elif weights.isna().all():
        weights = units["children"]
    ok = units["value"].notna() & weights.notna() & (weights > 0)
    if ok.any():
        return float(np.average(units["value"][ok], weights=weights[ok]))
    return float(units["value"].mean()) if len(units) else np.nan


def _column(need: pd.DataFrame, name: str, column: str, key: str) -> pd.Series:
    """A need-table column as floats, or an InputError that names the indicator and the fix."""
    if column not in need.columns:
        raise InputError(
            f"need table has no column '{column}' for [indicators.{name}] {key}; "
            f"columns are: {', '.join(map(str, need.columns))}"
        )
    values = pd.to_numeric(need[column], errors="coerce")
    bad = values.isna() & need[column].notna()
    if bad.any():
        first = need.index[bad.to_numpy()][0]
        raise InputError(
            f"need table, area {first}: column '{column}' ([indicators.{name}] {key}) "
            f"holds {need[column][bad].iloc[0]!r}, not a number; leave it empty if unknown"
        )
    return values.astype(float)
