"""The need index (0-100 per area) and the kinds of help an area's need calls for.

Both read each indicator through :func:`earlyhelp.need.values.indicator_values`, so an
indicator published for a larger area (an MSOA, ward or district) counts with the value
of the unit containing each small area, and its significance is the one tested at that
unit (published with the figures, or computed there), inherited by every small area
inside it and never recomputed below it.
"""

from __future__ import annotations

__all__ = ["area_need_index", "calls_for", "need_index"]

from collections.abc import Mapping

import numpy as np
import pandas as pd

from earlyhelp.config import IndicatorConfig
from earlyhelp.errors import ConfigError
from earlyhelp.need.values import RANKED, county_value, indicator_values


def area_need_index(need: pd.DataFrame, indicators: Mapping[str, IndicatorConfig]) -> pd.Series:
    """:func:`need_index`, or 50 (the county median) everywhere when no indicator is set,
    so a run without JSNA indicators still works (every area has average need)."""
    if indicators:
        return need_index(need, indicators)
    return pd.Series(50.0, index=need.index, name="need_index")


def need_index(need: pd.DataFrame, indicators: Mapping[str, IndicatorConfig]) -> pd.Series:
    """A composite need index of each area, 0 (least need) to 100 (most), from the indicators.

    Exactly:

    1. **Value**: each indicator's value as given, except that a count becomes its crude
       rate per :data:`~earlyhelp.need.values.RATE_PER` (10,000) of its denominator, so
       large areas do not look needier for being large. An indicator published for a
       larger unit (MSOA, ward, district) gives each small area its unit's value.
    2. **Orientation**, so that higher always means more need: ``higher_is_better``
       indicators are negated; ranks and deciles are negated because 1 = most deprived.
    3. **Standardisation** to a rank-based percentile within the county:
       ``p = (r - 0.5) / m`` where ``r`` is the area's rank among the ``m`` areas with a
       value (1 = least need, ties given their average rank), so ``p`` lies strictly
       between 0 and 1 and the county's median area scores about 0.5 on every indicator.
       Percentiles, not z-scores, because the inputs mix kinds that z-scores treat badly:
       ranks and deciles are ordinal, and the rates of small areas (about 1,500 people, a
       few hundred children) are skewed, with the most extreme values often the noisiest
       (a handful of events over a small denominator). A z-score would let one such area
       dominate an indicator and would weight indicators by their skewness; a percentile
       gives every indicator the same spread and is unchanged by any monotone rescaling
       (rate per 1,000 or per 10,000, rank or score of the same domain).
    4. **Combination** by weights normalised to sum to 1 over the indicators the area has
       a value for (an area missing an indicator is scored on the others; an area missing
       every one is missing). Indicators with weight 0 are left out.
    5. **Scale**: the weighted mean percentile times 100. It is not stretched to 0..100:
       50 means "at the county median on average", and only an area that is the neediest
       on every indicator approaches 100.

    The index is relative to the county: it ranks areas for targeting, it is not a
    measure of absolute need and it cannot be compared between counties or runs with
    different areas.

    Returns
    -------
    Series
        Aligned to ``need``, named ``need_index``.
    """
    weights = {name: ind.weight for name, ind in indicators.items()}
    bad = [name for name, w in weights.items() if not w >= 0]
    if bad:
        raise ConfigError(
            f"indicator weights must be 0 or more; fix the weight of: {', '.join(bad)}"
        )
    used = {name: ind for name, ind in indicators.items() if ind.weight > 0}
    if not used:
        raise ConfigError(
            "the need index needs at least one indicator with a weight above 0; "
            "add [indicators.<name>] sections with weight = 1"
        )
    total = pd.Series(0.0, index=need.index)
    weight_sum = pd.Series(0.0, index=need.index)
    for name, ind in used.items():
        pct = _percentile(_oriented(indicator_values(need, name, ind)["value"], ind))
        has = pct.notna()
        total = total + pct.fillna(0.0) * ind.weight
        weight_sum = weight_sum + has * ind.weight
    index = 100 * total / weight_sum.where(weight_sum > 0)
    return index.rename("need_index")


def calls_for(
    need: pd.DataFrame,
    indicators: Mapping[str, IndicatorConfig],
    *,
    ratio: float,
    top_share: float = 0.2,
) -> pd.DataFrame:
    """Which categories of help each area's need calls for.

    An indicator that is **well above** the county value in an area calls, in that area,
    for every category of help it lists in ``categories``. The county value is the one of
    :func:`earlyhelp.need.values.county_value`: the published comparator when the indicator
    names one (``compare_with``), else computed over the study area's units (a count's
    pooled rate; a rate or score weighted by its denominator). "Well above" means worse
    than the county value by a margin and not by chance:

    - ``count``, and a ``rate`` or ``score`` with a 95% interval: the value is more than
      ``ratio`` times the county value **and** its lower 95% limit is above the county
      value (significantly higher, as Fingertips). With ``higher_is_better`` both are
      mirrored: below the county value divided by ``ratio``, upper limit below it. The
      interval is the one of the unit the value belongs to: computed for a count (Poisson)
      or a rate with a count and denominator (Wilson or Poisson), or as published; an
      indicator published for wards or MSOAs is tested there and every small area inside
      inherits the result. When an indicator has intervals, a unit without one is never
      called (chance cannot be ruled out).
    - ``rate`` and ``score`` without any interval: the value is more than ``ratio`` times
      the county value (``higher_is_better``: below it divided by ``ratio``); no
      significance test is possible. Assumes values of 0 or more.
    - ``rank`` and ``decile``: a ratio of ranks means nothing, so the area must be among the
      ``top_share`` most deprived areas of the county (by the percentile of
      :func:`need_index`, step 3: percentile above ``1 - top_share``; areas tied on a decile
      share one percentile and are all in or all out).

    A missing value calls for nothing. ``ratio`` is ``SufficiencyConfig.calls_for_ratio``.

    Returns
    -------
    DataFrame
        Boolean, indexed like ``need``, one column per category named by any indicator
        (in order of first mention); True where at least one of its indicators is well
        above the county value.
    """
    if not ratio > 0:
        raise ConfigError(f"calls_for_ratio must be above 0, not {ratio!r}")
    if not 0 < top_share <= 1:
        raise ConfigError(f"top_share must be above 0 and at most 1, not {top_share!r}")
    categories = list(dict.fromkeys(c for ind in indicators.values() for c in ind.categories))
    out = pd.DataFrame(False, index=need.index, columns=pd.Index(categories, dtype="str"))
    for name, ind in indicators.items():
        if not ind.categories:
            continue
        values = indicator_values(need, name, ind)
        county = county_value(need, name, ind, values)
        hits = _well_above(values, county, ind, ratio=ratio, top_share=top_share)
        for cat in ind.categories:
            out[cat] = out[cat] | hits
    return out


def _well_above(
    values: pd.DataFrame, county: float, ind: IndicatorConfig, *, ratio: float, top_share: float
) -> pd.Series:
    """Boolean Series: the indicator is well above the county value (see :func:`calls_for`)."""
    value = values["value"]
    if ind.kind in RANKED:
        pct = _percentile(_oriented(value, ind))
        return pct > 1 - top_share  # NaN compares False: no value, no call
    if np.isnan(county):
        return pd.Series(False, index=values.index)
    tested = ind.kind == "count" or values[["lower", "upper"]].notna().any().any()
    if ind.direction == "higher_is_better":
        hit = value < county / ratio
        if tested:
            hit &= values["upper"] < county  # NaN compares False: no interval, no call
    else:
        hit = value > county * ratio
        if tested:
            hit &= values["lower"] > county
    return hit


def _oriented(value: pd.Series, ind: IndicatorConfig) -> pd.Series:
    """The value turned so that higher means more need (see :func:`need_index`, step 2)."""
    if ind.kind in RANKED or ind.direction == "higher_is_better":
        return -value
    return value


def _percentile(oriented: pd.Series) -> pd.Series:
    """Mid-rank percentile within the county, strictly between 0 and 1 (missing stays missing)."""
    return (oriented.rank(method="average") - 0.5) / oriented.count()
