"""Need: the child population by age band and the JSNA indicators of each small area.

Indicators are declared in config (:class:`earlyhelp.config.IndicatorConfig`) and read from
the need table (index ``area_code``). Five kinds are understood:

- ``count``: a number of children or events, with ``denominator`` naming the need-table
  column it is a count of. Shown as a crude rate per 10,000 (:data:`RATE_PER`) with Poisson
  confidence limits (:func:`earlyhelp.stats.rate_ci`: exact below 10 events, Byar's method
  from 10, as Fingertips).
- ``rate``: an already-computed rate or percentage; ``denominator``, when given, weights the
  county value.
- ``score``: an index score such as an IoD domain score (higher means more of the thing).
- ``rank`` and ``decile``: Indices of Deprivation ranks and deciles, always read as
  1 = most deprived (``direction`` is not used for them).

``direction`` says which way is worse for counts, rates and scores: ``higher_is_worse``
(for example children in low-income families) or ``higher_is_better`` (for example a good
level of development at age 5).
"""

from __future__ import annotations

__all__ = [
    "AGE_BANDS",
    "INDICATOR_KINDS",
    "RATE_PER",
    "area_need_index",
    "bands_for",
    "calls_for",
    "children_in_ages",
    "need_index",
]

from collections.abc import Mapping

import numpy as np
import pandas as pd

from earlyhelp.config import IndicatorConfig
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.stats import rate_ci

# Canonical age bands of the need table: column -> (first age, last age), in whole years.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "pop_0_4": (0, 4),
    "pop_5_10": (5, 10),
    "pop_11_15": (11, 15),
    "pop_16_17": (16, 17),
    "pop_18_19": (18, 19),
}

# Counts are shown as crude rates per this many of their denominator (children).
RATE_PER = 10_000

INDICATOR_KINDS = ("count", "rate", "score", "rank", "decile")
_RANKED = ("rank", "decile")  # 1 = most deprived


def bands_for(min_age: float, max_age: float) -> list[str]:
    """The need table's age bands that overlap ``min_age``..``max_age`` (years,
    inclusive): a band counts whole when any of its ages falls in the range, as the need
    table has no finer detail. The one rule for services, categories and children."""
    return [band for band, (lo, hi) in AGE_BANDS.items() if lo <= max_age and hi >= min_age]


def children_in_ages(need: pd.DataFrame, *, min_age: float, max_age: float) -> pd.Series:
    """Children in the age bands that overlap ``min_age``..``max_age`` (years, inclusive).

    See :func:`bands_for`. Returns a Series aligned to ``need`` named ``children``.
    """
    cols = bands_for(min_age, max_age)
    if not cols:
        return pd.Series(0.0, index=need.index, name="children")
    return need[cols].sum(axis=1).astype(float).rename("children")


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
       rate per :data:`RATE_PER` (10,000) of its denominator, so large areas do not look
       needier for being large.
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
        pct = _percentile(_oriented(_values(need, name, ind)["value"], ind))
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
    for every category of help it lists in ``categories``. The county value is taken over
    the areas of ``need`` with a value: for a ``count`` the pooled rate,
    ``sum(count) / sum(denominator)`` per :data:`RATE_PER`; for a ``rate`` or ``score`` the
    mean over areas, weighted by ``denominator`` when one is configured. "Well above"
    means worse than the county value by a margin and not by chance:

    - ``count``: the area's rate is more than ``ratio`` times the county rate **and** the
      lower 95% confidence limit of the area's rate is above the county rate (significantly
      higher, as Fingertips). With ``higher_is_better`` both are mirrored: the rate is below
      the county rate divided by ``ratio`` and the upper limit is below the county rate.
    - ``rate`` and ``score``: the value is more than ``ratio`` times the county value
      (``higher_is_better``: below the county value divided by ``ratio``). No interval is
      available, so no significance test. Assumes values of 0 or more.
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
        values = _values(need, name, ind)
        county = _county_value(need, name, ind, values)
        hits = _well_above(values, county, ind, ratio=ratio, top_share=top_share)
        for cat in ind.categories:
            out[cat] = out[cat] | hits
    return out


def _county_value(
    need: pd.DataFrame, name: str, ind: IndicatorConfig, values: pd.DataFrame
) -> float:
    """The county value of one indicator from its area values (see :func:`calls_for`);
    for ranks and deciles the median area, though they are compared by percentile."""
    if ind.kind == "count":
        both = values[["count", "denominator"]].dropna()
        count, denom = both["count"].sum(), both["denominator"].sum()
        return rate_ci([count], [denom], per=RATE_PER).iloc[0]["rate"]
    if ind.kind in _RANKED:
        return values["value"].median()
    if ind.denominator:
        weights = _column(need, name, ind.denominator, "denominator")
        ok = values["value"].notna() & weights.notna()
        if weights[ok].sum() > 0:
            return float(np.average(values["value"][ok], weights=weights[ok]))
        return np.nan
    return values["value"].mean()


def _well_above(
    values: pd.DataFrame, county: float, ind: IndicatorConfig, *, ratio: float, top_share: float
) -> pd.Series:
    """Boolean Series: the indicator is well above the county value (see :func:`calls_for`)."""
    value = values["value"]
    if ind.kind in _RANKED:
        pct = _percentile(_oriented(value, ind))
        return pct > 1 - top_share  # NaN compares False: no value, no call
    if np.isnan(county):
        return pd.Series(False, index=values.index)
    if ind.direction == "higher_is_better":
        hit = value < county / ratio
        if ind.kind == "count":
            hit &= values["upper"] < county
    else:
        hit = value > county * ratio
        if ind.kind == "count":
            hit &= values["lower"] > county
    return hit


def _oriented(value: pd.Series, ind: IndicatorConfig) -> pd.Series:
    """The value turned so that higher means more need (see :func:`need_index`, step 2)."""
    if ind.kind in _RANKED or ind.direction == "higher_is_better":
        return -value
    return value


def _percentile(oriented: pd.Series) -> pd.Series:
    """Mid-rank percentile within the county, strictly between 0 and 1 (missing stays missing)."""
    return (oriented.rank(method="average") - 0.5) / oriented.count()


def _values(need: pd.DataFrame, name: str, ind: IndicatorConfig) -> pd.DataFrame:
    """One indicator for every area: value, lower, upper, count, denominator (floats)."""
    if ind.kind not in INDICATOR_KINDS:
        raise ConfigError(
            f"[indicators.{name}] kind = '{ind.kind}' is not known; "
            f"choose one of: {', '.join(INDICATOR_KINDS)}"
        )
    raw = _column(need, name, ind.column, "column")
    empty = pd.Series(np.nan, index=need.index)
    if ind.kind != "count":
        return pd.DataFrame(
            {"value": raw, "lower": empty, "upper": empty, "count": empty, "denominator": empty}
        )
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
        {
            "value": ci["rate"],
            "lower": ci["lower"],
            "upper": ci["upper"],
            "count": raw,
            "denominator": denom,
        }
    )


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
