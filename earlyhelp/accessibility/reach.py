"""Reach: is a service taking the children's ages within an area's reach threshold?

Thresholds are per area (urban or rural) in the distance model's unit. A service for the
under-fives does not reach a fourteen-year-old, however near: reach is counted per age
band of the category (:func:`category_bands`), and :func:`count_within` counts the
services within the threshold.
"""

from __future__ import annotations

__all__ = [
    "all_ages_within_reach",
    "all_reached",
    "band_reach",
    "catchment_band_reach",
    "category_bands",
    "count_within",
    "reach_bands",
    "reached_bits",
    "share_reached",
    "share_within_reach",
    "within_reach",
]

import numpy as np
import pandas as pd

from earlyhelp.accessibility.costs import Catchment
from earlyhelp.config import CategoryConfig
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


def catchment_band_reach(
    catchment: Catchment, serves: pd.DataFrame, *, threshold: pd.Series, bands: list[str]
) -> pd.DataFrame:
    """Per area and age band: is a service of ``catchment`` taking children of that band
    within the area's reach ``threshold``? The same as :func:`band_reach` of the nearest
    by band, read from the catchment's pairs, which must hold every pair within the
    threshold (``catchment.limits`` at least the threshold in every area)."""
    n = len(catchment.areas)
    t = _within_limits(catchment, threshold, "catchment_band_reach")
    hit = catchment.cost <= t[catchment.rows]
    rows, cols = catchment.rows[hit], catchment.cols[hit]
    takes = serves.reindex(index=catchment.services, columns=bands)
    takes = takes.fillna(False).to_numpy(dtype=bool)
    reached = np.zeros((n, len(bands)), dtype=bool)
    if len(bands) and len(rows):
        # each service's bands as one pattern, so every pair is looked at once
        code = takes.astype(np.int64) @ (1 << np.arange(len(bands), dtype=np.int64))
        patterns, which = np.unique(code, return_inverse=True)
        seen = np.bincount(rows * len(patterns) + which[cols], minlength=n * len(patterns)) > 0
        bits = (patterns[:, None] >> np.arange(len(bands))) & 1
        reached = (seen.reshape(n, len(patterns)).astype(np.int64) @ bits) > 0
    return pd.DataFrame(reached, index=catchment.areas, columns=pd.Index(bands))


def share_reached(reached: pd.DataFrame, children: pd.DataFrame) -> pd.Series:
    """Share (0-1) of the children with a service taking their age within reach, from
    which bands are reached per area (:func:`band_reach`); areas with no children of
    those ages get 1 if any band is reached, else 0. Named ``share_within_reach``."""
    kids = children.reindex(columns=reached.columns).fillna(0.0)
    total = kids.sum(axis=1)
    share = (kids * reached).sum(axis=1) / total.where(total > 0)
    return share.fillna(reached.any(axis=1).astype(float)).rename("share_within_reach")


def share_within_reach(
    band_cost: pd.DataFrame, children: pd.DataFrame, *, threshold: pd.Series
) -> pd.Series:
    """Share (0-1) of the category's children with a service that takes their age within
    reach. A service for the under-fives does not reach a fourteen-year-old, however near.
    Areas with no children of the category's ages get 1 if any band is reached, else 0.
    Named ``share_within_reach``."""
    return share_reached(band_reach(band_cost, threshold=threshold), children)


def reached_bits(reached: pd.DataFrame) -> pd.Series:
    """The bands reached per area (:func:`band_reach`) as bits of the need table's bands
    in order: see :func:`reach_bands`. Named ``reach_bands``."""
    order = list(AGE_BANDS)
    bits = np.array([1 << order.index(band) for band in reached.columns], dtype=np.int64)
    return pd.Series(
        reached.to_numpy(dtype=np.int64) @ bits, index=reached.index, name="reach_bands"
    )


def reach_bands(band_cost: pd.DataFrame, *, threshold: pd.Series) -> pd.Series:
    """Which age bands have a service taking them within reach, as bits of the need
    table's bands in order (:data:`~earlyhelp.need.AGE_BANDS`): 1 the first band, 2 the
    second, 4 the third... Named ``reach_bands``."""
    return reached_bits(band_reach(band_cost, threshold=threshold))


def all_reached(reached: pd.DataFrame, children: pd.DataFrame) -> pd.Series:
    """Whether every child of the bands has a service taking their age within reach, from
    the bands reached per area (:func:`band_reach`). Named ``within_reach``."""
    return (share_reached(reached, children) >= 1.0 - 1e-12).rename("within_reach")


def all_ages_within_reach(
    band_cost: pd.DataFrame, children: pd.DataFrame, *, threshold: pd.Series
) -> pd.Series:
    """Whether every child of the category's ages in the area has a service taking their
    age within reach (the category is "within reach" of the area). Named ``within_reach``."""
    return all_reached(band_reach(band_cost, threshold=threshold), children)


def count_within(catchment: Catchment, *, threshold: pd.Series | float) -> pd.Series:
    """Number of eligible services within each area's reach threshold.

    ``threshold`` is in the catchment's unit, one value or one per area; it may not
    exceed the catchment's limit in any area (``catchment.limits``), or services beyond
    that would go uncounted. Named ``count_within_reach``.
    """
    t = _within_limits(catchment, threshold, "count_within")
    rows = catchment.rows
    count = np.bincount(rows[catchment.cost <= t[rows]], minlength=len(catchment.areas))
    return pd.Series(count, index=catchment.areas, name="count_within_reach")


def _within_limits(catchment: Catchment, threshold: pd.Series | float, what: str) -> np.ndarray:
    """The threshold per area, after checking the catchment holds every pair within it."""
    t = _per_area(threshold, catchment.areas)
    over = t > catchment.limits + np.abs(catchment.limits) * 1e-12
    if over.any():
        raise ValueError(
            f"{what}: a threshold of {np.nanmax(t[over])} exceeds the catchment's "
            f"max_cost of {catchment.limits[over].min()}; build the catchment with a "
            "larger max_cost"
        )
    return t


def _per_area(value: pd.Series | float, index: pd.Index) -> np.ndarray:
    if isinstance(value, pd.Series):
        return value.reindex(index).to_numpy(dtype=float)
    return np.full(len(index), float(value))
