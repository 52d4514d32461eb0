"""Reach: is a service taking the children's ages within an area's reach threshold?

Thresholds are per area (urban or rural) in the distance model's unit. A service for the
under-fives does not reach a fourteen-year-old, however near: reach is counted per age
band of the category (:func:`category_bands`), and :func:`count_within` counts the
services within the threshold.
"""

from __future__ import annotations

__all__ = [
    "all_ages_within_reach",
    "band_reach",
    "category_bands",
    "count_within",
    "reach_bands",
    "share_within_reach",
    "within_reach",
]

import numpy as np
import pandas as pd

from earlyhelp.accessibility.costs import Catchment
from earlyhelp.config import CategoryConfig
from earlyhelp.distance import true_costs
from earlyhelp.need import AGE_BANDS, bands_for


def category_bands(category: CategoryConfig) -> list[str]:
    """The need table's age bands that overlap the category's ages."""
    return bands_for(category.min_age, category.max_age)


def within_reach(nearest_cost: pd.Series, *, threshold: pd.Series | float) -> pd.Series:
    """Whether the nearest service is within the area's reach threshold (same unit).

    Named ``within_reach``; False where no service can be reached.
    """
    if isinstance(threshold, pd.Series):
        threshold = threshold.reindex(nearest_cost.index)
    hit = (nearest_cost <= threshold).fillna(False).astype(bool)
    return hit.rename("within_reach")


def band_reach(band_cost: pd.DataFrame, *, threshold: pd.Series) -> pd.DataFrame:
    """Per area and age band: is a service taking children of that band within reach?"""
    return band_cost.le(threshold.reindex(band_cost.index), axis=0).fillna(False)


def share_within_reach(
    band_cost: pd.DataFrame, children: pd.DataFrame, *, threshold: pd.Series
) -> pd.Series:
    """Share (0-1) of the category's children with a service that takes their age within
    reach. A service for the under-fives does not reach a fourteen-year-old, however near.
    Areas with no children of the category's ages get 1 if any band is reached, else 0.
    Named ``share_within_reach``."""
    reached = band_reach(band_cost, threshold=threshold)
    kids = children.reindex(columns=band_cost.columns).fillna(0.0)
    total = kids.sum(axis=1)
    share = (kids * reached).sum(axis=1) / total.where(total > 0)
    return share.fillna(reached.any(axis=1).astype(float)).rename("share_within_reach")


def reach_bands(band_cost: pd.DataFrame, *, threshold: pd.Series) -> pd.Series:
    """Which age bands have a service taking them within reach, as bits of the need
    table's bands in order (:data:`~earlyhelp.need.AGE_BANDS`): 1 the first band, 2 the
    second, 4 the third... Named ``reach_bands``."""
    reached = band_reach(band_cost, threshold=threshold)
    order = list(AGE_BANDS)
    bits = np.array([1 << order.index(band) for band in reached.columns], dtype=np.int64)
    return pd.Series(
        reached.to_numpy(dtype=np.int64) @ bits, index=reached.index, name="reach_bands"
    )


def all_ages_within_reach(
    band_cost: pd.DataFrame, children: pd.DataFrame, *, threshold: pd.Series
) -> pd.Series:
    """Whether every child of the category's ages in the area has a service taking their
    age within reach (the category is "within reach" of the area). Named ``within_reach``."""
    share = share_within_reach(band_cost, children, threshold=threshold)
    return (share >= 1.0 - 1e-12).rename("within_reach")


def count_within(catchment: Catchment, *, threshold: pd.Series | float) -> pd.Series:
    """Number of eligible services within each area's reach threshold.

    ``threshold`` is in the catchment's unit, one value or one per area; it may not
    exceed ``catchment.max_cost``, or services beyond that would go uncounted. Named
    ``count_within_reach``.
    """
    t = _per_area(threshold, catchment.areas)
    if len(t) and np.nanmax(t) > catchment.max_cost * (1 + 1e-12):
        raise ValueError(
            f"count_within: a threshold of {np.nanmax(t)} exceeds the catchment's "
            f"max_cost of {catchment.max_cost}; build the catchment with a larger max_cost"
        )
    rows = catchment.pair_rows
    hit = true_costs(catchment.costs.data) <= t[rows]
    count = np.bincount(rows[hit], minlength=len(catchment.areas))
    return pd.Series(count, index=catchment.areas, name="count_within_reach")


def _per_area(value: pd.Series | float, index: pd.Index) -> np.ndarray:
    if isinstance(value, pd.Series):
        return value.reindex(index).to_numpy(dtype=float)
    return np.full(len(index), float(value))
