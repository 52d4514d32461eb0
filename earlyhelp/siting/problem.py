"""The coverage problem of one category: who each candidate would reach, and how much they weigh.

This is the maximal covering location problem (MCLP; Church and ReVelle 1974) with the
existing provision fixed:

- **Demand** is each small area's children of the category's ages
  (:func:`earlyhelp.need.children_in_ages`), each child weighted by its area's need
  (:data:`NEED_WEIGHTS`; by default ``1 + need_index / 100``, so every child counts and a
  child in the neediest area counts up to twice).
- **Covered already**: an area whose nearest active, in-person or outreach service of the
  category is within the category's reach threshold (the ``within_reach`` measure of
  :mod:`earlyhelp.accessibility`, same eligibility and outreach rule). Its children are
  already reached and add nothing.
- **A candidate covers** an area when the cost from the area's representative point to the
  candidate is within the area's reach threshold (urban or rural; metres or minutes, as the
  distance model measures). A new site is an in-person service serving the category's ages.
- **Choose** at most ``k`` candidates to maximise the need-weighted children newly within
  reach (:mod:`earlyhelp.siting.solvers`).

:func:`coverage_problem` builds a :class:`CoverageProblem`: the sparse coverage matrix, the
costs of the pairs within reach, and the children, need and weight of every area.
"""

from __future__ import annotations

__all__ = ["NEED_WEIGHTS", "CoverageProblem", "category_config", "coverage_problem", "need_factor"]

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from earlyhelp.accessibility import (
    all_ages_within_reach,
    category_bands,
    nearest_by_band,
)
from earlyhelp.config import CategoryConfig
from earlyhelp.distance import DistanceModel, true_costs
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.geography import representative_points
from earlyhelp.need import children_in_ages
from earlyhelp.provision import classify_services, reach_thresholds
from earlyhelp.text import did_you_mean

# --------------------------------------------------------------------------------------
# Need weights
# --------------------------------------------------------------------------------------


def _one_plus_index(index: np.ndarray) -> np.ndarray:
    return 1.0 + index / 100.0


def _index(index: np.ndarray) -> np.ndarray:
    return index / 50.0


def _none(index: np.ndarray) -> np.ndarray:
    return np.ones_like(index)


# How a child's need weighs, from its area's need index (0-100; a missing index counts as
# 50, the county median by construction). Name -> (what it means, function).
NEED_WEIGHTS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "one_plus_index": (
        "children x (1 + need index / 100): every child counts, the neediest up to twice",
        _one_plus_index,
    ),
    "index": (
        "children x need index / 50: a child in an area at the county median counts 1, "
        "one in the least needy area almost 0",
        _index,
    ),
    "none": ("children only: need does not weigh", _none),
}


def need_factor(score: pd.Series, *, need_weight: str = "one_plus_index") -> pd.Series:
    """The weight of one child in each area from its need index (see :data:`NEED_WEIGHTS`).

    Returns a Series aligned to ``score`` named ``need_factor``.
    """
    if need_weight not in NEED_WEIGHTS:
        raise ConfigError(
            f"[siting] need_weight is '{need_weight}'{did_you_mean(need_weight, NEED_WEIGHTS)};"
            f" choose one of: {', '.join(NEED_WEIGHTS)}"
        )
    values = pd.to_numeric(score, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values = np.where(np.isnan(values), 50.0, values)
    return pd.Series(NEED_WEIGHTS[need_weight][1](values), index=score.index, name="need_factor")


def category_config(category: str, categories: Mapping[str, CategoryConfig]) -> CategoryConfig:
    """The taxonomy entry of ``category``; a :class:`~earlyhelp.errors.ConfigError` naming
    the nearest key when it is not there."""
    if category not in categories:
        keys = list(categories)
        raise ConfigError(
            f"category '{category}' is not in [categories]{did_you_mean(category, keys)}; "
            f"categories are: {', '.join(keys)}"
        )
    return categories[category]


# --------------------------------------------------------------------------------------
# The coverage problem
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CoverageProblem:
    """Who each candidate would bring within reach, and how much each area weighs.

    Attributes
    ----------
    areas
        Area codes, the row order of every array here.
    candidates
        Candidate sites (points indexed by ``site_id``), the column order.
    coverage
        CSR matrix (areas x candidates), 1.0 where the candidate is within the area's reach
        threshold.
    costs
        The same pairs' costs in ``unit`` (a zero stored as ``ZERO_COST``).
    children
        Children of the category's ages per area.
    factor
        Weight of one child per area (:func:`need_factor`).
    need_score
        Need index per area (0-100).
    covered_before
        Whether an existing eligible service already has the area within reach.
    threshold
        The area's reach threshold in ``unit``.
    """

    category: str
    areas: pd.Index
    candidates: gpd.GeoDataFrame
    coverage: sparse.csr_matrix
    costs: sparse.csr_matrix
    children: np.ndarray
    factor: np.ndarray
    need_score: np.ndarray
    covered_before: np.ndarray
    threshold: np.ndarray
    unit: str

    @property
    def weights(self) -> np.ndarray:
        """Need-weighted children still to reach: 0 where already covered."""
        return np.where(self.covered_before, 0.0, self.children * self.factor)

    @property
    def uncovered_children(self) -> np.ndarray:
        """Children not yet within reach (0 where already covered)."""
        return np.where(self.covered_before, 0.0, self.children)


def coverage_problem(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    category: str,
    categories: Mapping[str, CategoryConfig],
    access_cfg: Any,
    model: DistanceModel,
    need_score: pd.Series | None = None,
    need_weight: str = "one_plus_index",
) -> CoverageProblem:
    """Build the coverage problem of one category.

    Parameters
    ----------
    areas, need, services
        The canonical tables (need indexed by area code).
    candidates
        Candidate sites: points indexed by ``site_id`` in the analysis CRS.
    category
        The taxonomy key to site for.
    categories
        The taxonomy (reach thresholds and ages).
    access_cfg
        The ``[access]`` settings (outreach reach of existing services).
    model
        The distance model (``model.unit`` decides metres or minutes).
    need_score
        Need index per area (0-100); None weighs every area at the median (50).
    need_weight
        A key of :data:`NEED_WEIGHTS`.
    """
    cat = category_config(category, categories)
    _check_candidates(candidates)
    unit = model.unit
    points = representative_points(areas)
    threshold = reach_thresholds(areas, cat, unit=unit).to_numpy(dtype=float)
    within, cover = _candidate_reach(model, points, candidates, threshold)
    need_a = need.reindex(areas.index)
    before = _covered_before(
        areas, need_a, services, category=category, cat=cat, access_cfg=access_cfg,
        model=model, points=points,
    )  # fmt: skip
    kids = children_in_ages(need_a.fillna(0.0), min_age=cat.min_age, max_age=cat.max_age)
    score = (
        pd.Series(50.0, index=areas.index)
        if need_score is None
        else need_score.reindex(areas.index)
    )
    return CoverageProblem(
        category=category,
        areas=pd.Index(areas.index, name="area_code"),
        candidates=candidates,
        coverage=cover,
        costs=within,
        children=kids.to_numpy(dtype=float),
        factor=need_factor(score, need_weight=need_weight).to_numpy(),
        need_score=score.to_numpy(dtype=float, na_value=np.nan),
        covered_before=before.to_numpy(dtype=bool),
        threshold=threshold,
        unit=unit,
    )


def _check_candidates(candidates: gpd.GeoDataFrame) -> None:
    """Raise :class:`~earlyhelp.errors.InputError` unless there are sites, each id once."""
    if not candidates.index.is_unique:
        dup = candidates.index[candidates.index.duplicated()][0]
        raise InputError(f"candidate sites: site_id '{dup}' appears more than once")
    if not len(candidates):
        raise InputError("candidate sites: there are none; give a file with at least one site")


def _candidate_reach(
    model: DistanceModel,
    points: gpd.GeoSeries,
    candidates: gpd.GeoDataFrame,
    threshold: np.ndarray,
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """The (area, candidate) pairs within each area's threshold: their costs, and 1.0 each."""
    costs = model.costs(points, candidates.geometry, max_cost=float(threshold.max()))
    rows = np.repeat(np.arange(costs.shape[0]), np.diff(costs.indptr))
    keep = true_costs(costs.data) <= threshold[rows]
    shape = (len(points), len(candidates))
    within = sparse.csr_matrix((costs.data[keep], (rows[keep], costs.indices[keep])), shape=shape)
    cover = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (rows[keep], costs.indices[keep])), shape=shape
    )
    return within, cover


def _covered_before(
    areas: gpd.GeoDataFrame,
    need_a: pd.DataFrame,
    services: gpd.GeoDataFrame,
    *,
    category: str,
    cat: CategoryConfig,
    access_cfg: Any,
    model: DistanceModel,
    points: gpd.GeoSeries,
) -> pd.Series:
    """Whether existing services of the category already have each area within reach.

    Every child of the category's ages has a service taking their age in reach: the
    accessibility engine's within_reach (a new site takes them all).
    """
    unit = model.unit
    roles = classify_services(services, categories=[category])
    ids = pd.Index(pd.unique(roles.loc[roles["role"] == "local", "service_id"]))
    bands = category_bands(cat)
    band_cost = nearest_by_band(
        model,
        points,
        services.loc[ids],
        bands=bands,
        outreach_extra=access_cfg.outreach_extra(unit),
    )
    return all_ages_within_reach(
        band_cost,
        need_a.reindex(columns=bands).fillna(0.0),
        threshold=reach_thresholds(areas, cat, unit=unit),
    )
