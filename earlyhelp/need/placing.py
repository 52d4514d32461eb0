"""Placing an indicator published for other areas (MSOAs, wards, districts, a county) onto
the small areas of the analysis.

The rule is simple and stated in every output: **each small area takes the value of the
unit that contains it**, and the unit's 95% interval with it. The interval is the one the
publisher gave ("supplied") or, when none was given, one computed *at the unit* from its
count and denominator ("computed"): Poisson limits of a count's rate per 10,000 or of a
rate, Wilson limits of a percentage. Nothing is shared down: a ward's count is never split
among its small areas, so no small area gets an interval with precision the data do not
have, and every small area in a ward inherits the ward's significance.

:func:`unit_statistics` makes the unit table (value, limits, count, denominator) and says
where its interval comes from; :func:`place_indicator` gives each area its unit's row in
the need table's ``<indicator>__<field>`` columns (:data:`~earlyhelp.need.values.INDICATOR_FIELDS`).
"""

from __future__ import annotations

__all__ = ["INTERVALS", "place_indicator", "unit_statistics"]

import math

import numpy as np
import pandas as pd

from earlyhelp.config import IndicatorConfig
from earlyhelp.errors import InputError
from earlyhelp.need.values import RATE_PER, indicator_column
from earlyhelp.stats import compare_with, rate_ci, wilson_ci

# Where an indicator's 95% interval comes from, as the method and the need table say it.
INTERVALS = {
    "supplied": "supplied by the publisher",
    "computed (Poisson)": "computed at its own geography: Poisson limits of count / denominator",
    "computed (Wilson)": "computed at its own geography: Wilson limits of count / denominator",
    "none": "no interval (no count and denominator, and none published): no significance test",
}
_UNIT_COLUMNS = ("value", "lower", "upper", "count", "denominator")


def unit_statistics(
    units: pd.DataFrame, ind: IndicatorConfig, *, name: str, file: str = ""
) -> tuple[pd.DataFrame, str]:
    """Each unit's value and 95% interval, and where the interval comes from.

    ``units`` is indexed by unit code with any of ``value``, ``lower``, ``upper``,
    ``count`` and ``denominator`` (floats; missing stays missing).

    - ``count``: the rate per 10,000 of ``count`` (or of ``value`` when the table holds the
      count there) over ``denominator``, with Poisson limits, computed at the unit (any
      published limits are of a value on another scale and are not used).
    - ``rate`` or ``score`` with published ``lower``/``upper``: used as published.
    - ``rate`` with ``count`` and ``denominator`` but no published limits: computed at the
      unit, Wilson limits when the value is a percentage of its denominator, Poisson limits
      scaled to the value otherwise (per 1,000, per 10,000...); none when the value is not
      ``count / denominator`` on a power-of-ten scale (an age-standardised rate, say).
    - otherwise no interval.

    Returns the table (columns ``value``, ``lower``, ``upper``, ``count``,
    ``denominator``) and a key of :data:`INTERVALS`.
    """
    table = units.reindex(columns=list(_UNIT_COLUMNS)).astype(float)
    if ind.kind == "count":
        count = table["count"] if table["count"].notna().any() else table["value"]
        if table["denominator"].isna().all() or count.isna().all():
            raise InputError(
                f"{file or 'indicator table'}: [indicators.{name}] is a count, but the table "
                'gives no count and denominator; set kind = "rate" to use its values as '
                "published, or give a table with a count and a denominator"
            )
        if (count < 0).any() or (table["denominator"] < 0).any():
            raise InputError(
                f"{file}: [indicators.{name}] has a negative count or denominator; counts "
                "must be 0 or more"
            )
        ci = rate_ci(count, table["denominator"], per=RATE_PER)
        out = pd.DataFrame({"value": ci["rate"], "lower": ci["lower"], "upper": ci["upper"],
                            "count": count, "denominator": table["denominator"]})  # fmt: skip
        return out, "computed (Poisson)"
    if table[["lower", "upper"]].notna().any().any():
        return table, "supplied"
    if ind.kind == "rate":
        computed = _computed_rate_interval(table)
        if computed is not None:
            return computed
    return table, "none"


def _computed_rate_interval(table: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    """Limits of a published rate from its count and denominator, when the rate is
    ``count / denominator`` on a power-of-ten scale (see :func:`unit_statistics`)."""
    ok = (table["count"] > 0) & (table["denominator"] > 0) & (table["value"] > 0)
    if not ok.any() or (table["count"] < 0).any():
        return None
    ratio = (table["value"] * table["denominator"] / table["count"])[ok]
    scale = 10.0 ** round(math.log10(float(ratio.median())))
    if not (ratio / scale).between(0.9, 1.1).all():
        return None
    out = table.copy()
    known = table["count"].notna() & table["denominator"].notna()
    count, denom = table["count"].where(known), table["denominator"].where(known)
    if scale == 100 and bool(((count <= denom) | ~known).all()):
        lower, upper = wilson_ci(count.fillna(0), denom.fillna(0))
        out["lower"] = np.where(known, lower * 100, np.nan)
        out["upper"] = np.where(known, upper * 100, np.nan)
        return out, "computed (Wilson)"
    ci = rate_ci(count, denom, per=scale)
    out["lower"], out["upper"] = ci["lower"].to_numpy(), ci["upper"].to_numpy()
    return out, "computed (Poisson)"


def place_indicator(
    units: pd.DataFrame,
    unit_of: pd.Series,
    *,
    name: str,
    interval: str,
    comparator: float = float("nan"),
    fit: pd.Series | None = None,
) -> pd.DataFrame:
    """The need-table columns of one indicator: each area's containing unit's row.

    Parameters
    ----------
    units
        :func:`unit_statistics`' table, indexed by unit code.
    unit_of
        The unit of each area (index: area code); missing where the area has none.
    name
        The indicator's key in ``[indicators.*]``, the stem of the columns.
    interval
        Where the units' interval comes from (a key of :data:`INTERVALS`).
    comparator
        A published value (the county or England) to compare each unit with by its
        interval (:func:`earlyhelp.stats.compare_with`); missing for none.
    fit
        The share of each area that lies in its unit, when the lookup says (best fit).

    Returns
    -------
    DataFrame
        Indexed like ``unit_of``, columns ``<name>__value``, ``__lower``, ``__upper``,
        ``__unit``, ``__unit_count``, ``__unit_denominator``, ``__interval``,
        ``__comparator``, ``__compared`` and ``__fit``: missing, never 0, where the area
        has no unit or its unit no value.
    """
    codes = unit_of.astype("object").where(unit_of.notna())
    rows = units.reindex(codes.to_numpy())
    has = rows["value"].notna().to_numpy()
    compared = compare_with(rows["lower"], rows["upper"], comparator).to_numpy()
    fields = {
        "value": rows["value"].to_numpy(),
        "lower": rows["lower"].to_numpy(),
        "upper": rows["upper"].to_numpy(),
        "unit": codes.to_numpy(),
        "unit_count": rows["count"].to_numpy(),
        "unit_denominator": rows["denominator"].to_numpy(),
        "interval": pd.Series(interval, index=unit_of.index).where(has).to_numpy(),
        "comparator": np.where(has, comparator, np.nan),
        "compared": pd.Series(compared, index=unit_of.index)
        .where(has & ~np.isnan(comparator))
        .to_numpy(),
        "fit": (fit.reindex(unit_of.index) if fit is not None else pd.Series(np.nan,
                index=unit_of.index)).to_numpy(dtype=float),
    }  # fmt: skip
    out = pd.DataFrame(
        {indicator_column(name, k): v for k, v in fields.items()}, index=unit_of.index
    )
    for key in ("unit", "interval", "compared"):
        out[indicator_column(name, key)] = out[indicator_column(name, key)].astype("object")
    return out
