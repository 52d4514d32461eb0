"""Children by age band: the need table's bands and the one rule that maps ages onto them."""

from __future__ import annotations

__all__ = ["AGE_BANDS", "bands_for", "children", "children_in_ages"]

import pandas as pd

# Canonical age bands of the need table: column -> (first age, last age), in whole years.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "pop_0_4": (0, 4),
    "pop_5_10": (5, 10),
    "pop_11_15": (11, 15),
    "pop_16_17": (16, 17),
    "pop_18_19": (18, 19),
}


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


def children(need: pd.DataFrame) -> pd.Series:
    """Children 0-19 per area: missing where the area has no need row (never 0)."""
    bands = [b for b in AGE_BANDS if b in need.columns]
    if not bands:
        return pd.Series(float("nan"), index=need.index, name="children")
    return need[bands].astype(float).sum(axis=1, min_count=1).rename("children")
