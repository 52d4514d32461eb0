"""Siting: where k new sites of one category would bring most need-weighted children in reach.

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
  reach.

Methods (:data:`SITING_METHODS`):

``exact``
    A mixed-integer programme solved by HiGHS (``highspy``): binary ``y_j`` per candidate,
    ``0 <= x_i <= 1`` per uncovered area (continuous: at an optimum each is 0 or 1), maximise
    ``sum_i w_i x_i`` subject to ``x_i <= sum_j a_ij y_j`` and ``sum_j y_j <= k``. The coverage
    matrix ``a`` is built sparse with scipy and passed to HiGHS column-wise; areas already
    covered, with no children or with no candidate in reach are left out of the model. The
    greedy solution is given to HiGHS as a starting point. The gap reported is HiGHS's
    relative gap between the solution and its proven bound (0 when proven optimal).
``greedy``
    Greedy by marginal gain, then 1-swap local search (swap one chosen site for one
    unchosen candidate while the objective improves; best improvement first), vectorised
    over every (chosen, candidate) pair with sparse products. The gap it reports is an
    upper bound on its true gap to the optimum, from the smaller of two proven bounds on the
    best objective: the LP relaxation of the MILP above (solved by HiGHS, a few hundredths of
    a second for a county) and the data-dependent bound for monotone submodular functions
    (Nemhauser, Wolsey and Fisher 1978; Leskovec et al. 2007): no k sites can do better than
    the solution plus the k largest marginal gains left. The true gap is usually much
    smaller than either (``benchmarks/bench_siting.py``).

Capacitated variant (``capacity`` given; ``exact`` only)
    Each new site can take at most ``capacity`` children (of the category's ages) a year.
    Assignment variables ``0 <= z_ij <= 1`` (the share of area i's children a new site j
    takes) exist only for pairs within reach; ``sum_j z_ij <= 1`` per area,
    ``sum_i c_i z_ij <= capacity * y_j`` per site, ``z_ij <= y_j`` (a tighter relaxation),
    ``sum_j y_j <= k``; maximise ``sum_ij w_i z_ij``. An area's children may be split between
    sites and an area may be only partly reached (``share_reached_after``). Existing services
    are not capacity-limited here: areas they reach stay covered.

Candidates come from a CSV of points (:func:`read_candidates`: ``site_id``, ``name``,
``kind``, ``easting``, ``northing``) or a regular grid over the study area
(:func:`grid_candidates`). :func:`site_services` runs it all and returns a
:class:`SitingResult`; :mod:`earlyhelp.publish.siting` writes its folder.

Example
-------
>>> from scipy import sparse
>>> a = sparse.csr_matrix([[1, 0], [1, 1], [0, 1]])    # 3 areas x 2 candidates
>>> solve_max_cover(a, [5.0, 1.0, 4.0], 1, method="greedy").chosen   # doctest: +SKIP
array([0])
"""

from __future__ import annotations

__all__ = [
    "CANDIDATE_COLUMNS",
    "NEED_WEIGHTS",
    "SITING_METHODS",
    "CoverSolution",
    "CoverageProblem",
    "SitingResult",
    "candidate_sites",
    "coverage_problem",
    "grid_candidates",
    "need_factor",
    "read_candidates",
    "site_services",
    "solve_max_cover",
]

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
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
from earlyhelp.config import CategoryConfig, Config, SitingConfig
from earlyhelp.distance import DistanceModel, make_distance_model, true_costs
from earlyhelp.errors import ConfigError, EarlyHelpError, InputError
from earlyhelp.geography import representative_points
from earlyhelp.loading import Inputs, read_table
from earlyhelp.need import area_need_index, children_in_ages
from earlyhelp.provision import band_ages, classify_services, reach_thresholds
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport, check_duplicates, parse_numbers, rows_where

CANDIDATE_COLUMNS = ("site_id", "name", "kind", "easting", "northing")
_MAX_GRID_POINTS = 20_000
_IMPROVE_TOL = 1e-9  # relative improvement below which a swap is not worth making


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


# --------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------


def read_candidates(path: str | Path, *, crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    """Read candidate sites from a CSV (or Excel) table of points.

    Columns: ``site_id`` (unique), ``name``, ``kind`` (optional: school, library, ...),
    ``easting`` and ``northing`` (EPSG:27700 metres). Every problem is collected and
    reported once (:class:`~earlyhelp.errors.ValidationFailed`). Returns points in ``crs``
    indexed by ``site_id``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"{path}: candidate sites file not found; pass --candidates with a CSV of "
            "site_id, name, kind, easting, northing (or leave it out to use a grid)"
        )
    report = ValidationReport()
    table = read_table(path, report=report)
    raw = table.frame
    missing = [c for c in ("site_id", "easting", "northing") if c not in raw.columns]
    for col in missing:
        report.error(
            path,
            col,
            f"the column '{col}' is missing{did_you_mean(col, [str(c) for c in raw.columns])}",
            f"candidate sites need columns {', '.join(CANDIDATE_COLUMNS)} (EPSG:27700 "
            "metres; name and kind may be left out); rename the header",
        )
    report.raise_if_errors()
    rows = table.lines
    ids = raw["site_id"].astype("string").str.strip()
    blank = (ids.fillna("") == "").to_numpy()
    if blank.any():
        report.error(
            path,
            "site_id",
            f"{int(blank.sum())} row(s) have no site_id",
            "give every candidate site an id",
            rows=rows_where(rows, blank),
        )
    check_duplicates(ids, file=path, field="site_id", report=report, rows=rows)
    xy = {}
    for col in ("easting", "northing"):
        xy[col] = parse_numbers(raw[col], file=path, field=col, report=report, rows=rows)
    absent = (xy["easting"].isna() | xy["northing"].isna()).to_numpy()
    if absent.any():
        report.error(
            path,
            "easting",
            f"{int(absent.sum())} row(s) have no easting or northing",
            "give each site its EPSG:27700 coordinates in metres, or delete the row",
            rows=rows_where(rows, absent),
        )
    degrees = ((xy["easting"].abs() <= 180) & (xy["northing"].abs() <= 90)).to_numpy()
    if degrees.any():
        report.error(
            path,
            "easting",
            f"{int(degrees.sum())} row(s) look like longitude/latitude in degrees",
            "give easting and northing in EPSG:27700 metres (convert them in QGIS)",
            rows=rows_where(rows, degrees),
        )
    report.raise_if_errors()

    def text(col: str) -> np.ndarray:
        if col not in raw.columns:
            return np.full(len(raw), "", dtype=object)
        return raw[col].astype("string").str.strip().fillna("").to_numpy(dtype=object)

    names = text("name")
    names = np.where(names == "", ids.to_numpy(dtype=object), names)
    points = gpd.GeoSeries(
        gpd.points_from_xy(xy["easting"], xy["northing"]), crs="EPSG:27700"
    ).to_crs(crs)
    return gpd.GeoDataFrame(
        {"name": names, "kind": text("kind")},
        geometry=points.to_numpy(),
        index=pd.Index(ids.to_numpy(dtype=object), name="site_id"),
        crs=crs,
    )


def grid_candidates(areas: gpd.GeoDataFrame, *, spacing_m: float) -> gpd.GeoDataFrame:
    """Candidate sites on a regular grid over the study area (the union of ``areas``).

    Points are the centres of square cells ``spacing_m`` apart that fall inside an area;
    ids are ``G00001``..., named by their coordinates, kind ``grid``.
    """
    if not spacing_m > 0:
        raise ConfigError(f"[siting] grid_spacing_m must be above 0, not {spacing_m!r}")
    if areas.crs is not None and not areas.crs.is_projected:
        raise InputError("areas: a grid needs a projected CRS in metres; set [run] crs")
    x0, y0, x1, y1 = areas.total_bounds
    xs = np.arange(np.floor(x0 / spacing_m) * spacing_m + spacing_m / 2, x1, spacing_m)
    ys = np.arange(np.floor(y0 / spacing_m) * spacing_m + spacing_m / 2, y1, spacing_m)
    if len(xs) * len(ys) > 4 * _MAX_GRID_POINTS:
        raise ConfigError(
            f"[siting] grid_spacing_m = {spacing_m:g} gives over {_MAX_GRID_POINTS:,} grid "
            "points; use a larger spacing or a candidate sites file"
        )
    gx, gy = np.meshgrid(xs, ys)
    pts = gpd.points_from_xy(gx.ravel(), gy.ravel(), crs=areas.crs)
    inside = np.unique(areas.sindex.query(pts, predicate="intersects")[0])
    if len(inside) > _MAX_GRID_POINTS:
        raise ConfigError(
            f"[siting] grid_spacing_m = {spacing_m:g} gives {len(inside):,} grid points; "
            f"use a larger spacing (at most {_MAX_GRID_POINTS:,} points)"
        )
    pts = pts[inside]
    ids = [f"G{i + 1:05d}" for i in range(len(pts))]
    names = [f"Grid point {p.x:.0f}, {p.y:.0f}" for p in pts]
    return gpd.GeoDataFrame(
        {"name": names, "kind": "grid"},
        geometry=pts,
        index=pd.Index(ids, name="site_id"),
        crs=areas.crs,
    )


def candidate_sites(
    cfg: Config,
    areas: gpd.GeoDataFrame,
    *,
    path: str | Path | None = None,
    grid_spacing_m: float | None = None,
) -> tuple[gpd.GeoDataFrame, Path | str]:
    """The candidate sites of a run and where they came from (a file, or ``grid (N m)``).

    ``path`` (else ``[siting] candidates``) names a file; ``grid_spacing_m`` asks for a
    grid instead; with neither, a grid ``[siting] grid_spacing_m`` apart.
    """
    if path is None and grid_spacing_m is None:
        path = cfg.siting.candidates
    if path is not None:
        return read_candidates(path, crs=cfg.run.crs), Path(path).resolve()
    spacing = cfg.siting.grid_spacing_m if grid_spacing_m is None else grid_spacing_m
    return grid_candidates(areas, spacing_m=spacing), f"grid ({spacing:g} m)"


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
    cat = _category(category, categories)
    if not candidates.index.is_unique:
        dup = candidates.index[candidates.index.duplicated()][0]
        raise InputError(f"candidate sites: site_id '{dup}' appears more than once")
    if not len(candidates):
        raise InputError("candidate sites: there are none; give a file with at least one site")
    unit = model.unit
    points = representative_points(areas)
    threshold = reach_thresholds(areas, cat, unit=unit).to_numpy(dtype=float)
    costs = model.costs(points, candidates.geometry, max_cost=float(threshold.max()))
    rows = np.repeat(np.arange(costs.shape[0]), np.diff(costs.indptr))
    keep = true_costs(costs.data) <= threshold[rows]
    shape = (len(areas), len(candidates))
    within = sparse.csr_matrix((costs.data[keep], (rows[keep], costs.indices[keep])), shape=shape)
    cover = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (rows[keep], costs.indices[keep])), shape=shape
    )

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
    need_a = need.reindex(areas.index)
    # covered already: every child of the category's ages has a service taking their age
    # in reach, the accessibility engine's within_reach (a new site takes them all)
    before = all_ages_within_reach(
        band_cost,
        need_a.reindex(columns=bands).fillna(0.0),
        threshold=reach_thresholds(areas, cat, unit=unit),
    )
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


# --------------------------------------------------------------------------------------
# Solvers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CoverSolution:
    """The sites a solver chose and what they gain.

    Attributes
    ----------
    chosen
        Candidate positions, in order of marginal gain (each adds the most given those
        before it; capacitated: by weight assigned).
    gains
        The weight each adds, in that order (sums to ``objective``).
    objective
        Weighted demand newly covered.
    bound
        A proven upper bound on the best objective (None when unknown).
    gap
        ``(bound - objective) / bound``: 0 when proven optimal; None when unknown.
    assignment
        Areas x candidates: the share of each area's demand credited to each chosen site
        (uncovered: 1 for the first site in ``chosen`` that reaches it; capacitated: the
        solver's ``z``).
    """

    chosen: np.ndarray
    gains: np.ndarray
    objective: float
    bound: float | None
    gap: float | None
    method: str
    status: str
    seconds: float
    assignment: sparse.csr_matrix
    capacity: float | None = None
    notes: tuple[str, ...] = ()


def _as_csr(coverage: Any) -> sparse.csr_matrix:
    a = sparse.csr_matrix(coverage, dtype=float)
    a.data = (a.data != 0).astype(float)
    a.eliminate_zeros()
    return a


def _order_by_gain(
    a: sparse.csr_matrix, w: np.ndarray, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
    """Chosen sites in order of marginal gain, their gains and the credit of each area.

    A site that adds nothing once those before it are open is dropped: a solver may pick it
    only to use up ``k``.
    """
    chosen = np.asarray(chosen, dtype=int)
    sub = a[:, chosen].tocsc()
    free = w.copy()
    order, gains = [], []
    credit_rows, credit_cols = [], []
    left = np.ones(len(chosen), dtype=bool)
    for _ in range(len(chosen)):  # k steps, each a sparse product
        g = np.asarray(sub.T @ free).ravel()
        g[~left] = -np.inf
        t = int(np.argmax(g))
        if not g[t] > 0:
            break  # the rest add nothing
        rows = sub.indices[sub.indptr[t] : sub.indptr[t + 1]]
        newly = rows[free[rows] > 0]
        credit_rows.append(newly)
        credit_cols.append(np.full(len(newly), chosen[t]))
        free[rows] = 0.0
        left[t] = False
        order.append(chosen[t])
        gains.append(float(g[t]))
    rows = np.concatenate(credit_rows) if credit_rows else np.zeros(0, int)
    cols = np.concatenate(credit_cols) if credit_cols else np.zeros(0, int)
    credit = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=a.shape)
    return np.asarray(order, dtype=int), np.asarray(gains, dtype=float), credit


def _greedy_swap(
    a: sparse.csr_matrix, w: np.ndarray, k: int, *, max_swaps: int
) -> tuple[np.ndarray, int]:
    """Greedy by marginal gain, then best-improvement 1-swaps; returns (sites, swaps made)."""
    m = a.shape[1]
    at = a.T.tocsr()  # candidates x areas
    free = w.copy()
    chosen: list[int] = []
    taken = np.zeros(m, dtype=bool)
    for _ in range(min(k, m)):
        gain = np.asarray(at @ free).ravel()
        gain[taken] = -np.inf
        j = int(np.argmax(gain))
        if not gain[j] > 0:
            break  # nothing left to gain: fewer than k sites are useful
        chosen.append(j)
        taken[j] = True
        free[at.indices[at.indptr[j] : at.indptr[j + 1]]] = 0.0
    swaps = 0
    tol = _IMPROVE_TOL * max(float(w.sum()), 1.0)
    while chosen and swaps < max_swaps:
        s = np.asarray(chosen)
        sub = a[:, s].tocsc()  # areas x chosen
        count = np.asarray(sub.sum(axis=1)).ravel()
        lonely = w * (count == 1)  # covered by exactly one chosen site
        gain_free = np.asarray(at @ (w * (count == 0))).ravel()  # per candidate
        loss = np.asarray(sub.T @ lonely).ravel()  # per chosen site
        # weight a candidate would keep covered if it replaced each chosen site
        kept = (at @ sub.multiply(lonely[:, None]).tocsc()).toarray()  # candidates x chosen
        delta = gain_free[:, None] + kept - loss[None, :]
        delta[s, :] = -np.inf
        j, t = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[j, t] > tol:
            break
        chosen[t] = int(j)
        swaps += 1
    return np.asarray(chosen, dtype=int), swaps


def _online_bound(a: sparse.csr_matrix, w: np.ndarray, chosen: np.ndarray, k: int) -> float:
    """Upper bound on the best objective of k sites given any set (submodularity)."""
    hit = (
        np.asarray(a[:, chosen].sum(axis=1)).ravel() > 0 if len(chosen) else np.zeros(len(w), bool)
    )
    gain = np.asarray(a.T @ (w * ~hit)).ravel()
    top = np.sort(gain)[::-1][:k]
    return float(w[hit].sum() + top[top > 0].sum())


def _relative_gap(bound: float, objective: float) -> float:
    """``(bound - objective) / bound``, 0 below rounding noise."""
    if not bound > 0:
        return 0.0
    gap = (bound - objective) / bound
    return 0.0 if gap < 1e-12 else float(gap)


def _solve_greedy(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    max_swaps: int = 1000,
    lp_bound: bool = True,
    time_limit_s: float = 60.0,
    **_: Any,
) -> CoverSolution:
    start = time.perf_counter()
    chosen, swaps = _greedy_swap(a, w, k, max_swaps=max_swaps)
    order, gains, credit = _order_by_gain(a, w, chosen)
    objective = float(gains.sum())
    bound = _online_bound(a, w, chosen, k)
    if lp_bound:
        relaxed = _lp_bound(a, w, k, time_limit_s=time_limit_s)
        if relaxed is not None:
            bound = min(bound, max(relaxed, objective))
    seconds = time.perf_counter() - start
    gap = _relative_gap(bound, objective)
    return CoverSolution(
        chosen=order,
        gains=gains,
        objective=objective,
        bound=bound,
        gap=gap,
        method="greedy",
        status=f"local optimum after {swaps} swap(s)",
        seconds=seconds,
        assignment=credit,
    )


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 (HiGHS prints a banner from C++ when first created)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _highs(time_limit_s: float, mip_rel_gap: float):
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is installed with earlyhelp's siting
        raise EarlyHelpError(
            "the exact siting method needs the HiGHS solver; install it with "
            "'pip install highspy', or use --method greedy"
        ) from None
    with _quiet_stdout():
        h = highspy.Highs()
    h.silent()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    return h, highspy


def _run_milp(
    *,
    cost: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    matrix: sparse.csc_matrix,
    row_upper: np.ndarray,
    time_limit_s: float,
    mip_rel_gap: float,
    start: np.ndarray | None,
) -> tuple[np.ndarray | None, str, float | None, float | None]:
    """Maximise ``cost @ v`` s.t. ``matrix @ v <= row_upper``, ``0 <= v <= upper`` with HiGHS.

    Returns (values or None, status, proven bound, relative gap).
    """
    h, highspy = _highs(time_limit_s, mip_rel_gap)
    matrix = sparse.csc_matrix(matrix)
    matrix.sort_indices()
    n_col, n_row = matrix.shape[1], matrix.shape[0]
    h.passModel(
        n_col,
        n_row,
        int(matrix.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        np.asarray(cost, dtype=np.float64),
        np.zeros(n_col),
        np.asarray(upper, dtype=np.float64),
        np.full(n_row, -np.inf),
        np.asarray(row_upper, dtype=np.float64),
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64),
        np.asarray(integer, dtype=np.int32),
    )
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start))
        h.setSolution(sol)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status != 2:  # 2 = feasible
        return None, status, None, None
    values = np.asarray(h.getSolution().col_value, dtype=float)
    bound = float(info.mip_dual_bound)
    gap = float(info.mip_gap)
    return values, status, bound if np.isfinite(bound) else None, gap if np.isfinite(gap) else None


def _cover_model(
    a: sparse.csr_matrix, w: np.ndarray, k: int
) -> tuple[np.ndarray, sparse.csr_matrix, dict[str, Any]]:
    """The MCLP over the areas worth covering: columns y (candidates) then x (areas).

    Returns the rows kept, their coverage, and the arguments of :func:`_run_milp`
    (``integer`` marks the y columns).
    """
    m = a.shape[1]
    rows = np.flatnonzero((w > 0) & (np.diff(a.indptr) > 0))
    ar = a[rows]
    nr = len(rows)
    # rows: x_i - sum_j a_ij y_j <= 0 for each area kept, then the budget sum_j y_j <= k
    top = sparse.hstack([-ar, sparse.identity(nr, format="csr")], format="csr")
    budget = sparse.csr_matrix(np.r_[np.ones(m), np.zeros(nr)][None, :])
    model = {
        "cost": np.r_[np.zeros(m), w[rows]],
        "upper": np.ones(m + nr),
        "integer": np.r_[np.ones(m), np.zeros(nr)],
        "matrix": sparse.vstack([top, budget], format="csc"),
        "row_upper": np.r_[np.zeros(nr), float(k)],
    }
    return rows, ar, model


def _lp_bound(a: sparse.csr_matrix, w: np.ndarray, k: int, *, time_limit_s: float) -> float | None:
    """The LP relaxation's optimum: an upper bound on any k sites (None if unavailable)."""
    rows, _, model = _cover_model(a, w, k)
    if not len(rows):
        return 0.0
    model["integer"] = np.zeros_like(model["integer"])
    try:
        values, status, _, _ = _run_milp(
            **model, time_limit_s=time_limit_s, mip_rel_gap=0.0, start=None
        )
    except EarlyHelpError:  # no HiGHS: the submodular bound alone
        return None
    if values is None or status != "Optimal":
        return None
    return float(model["cost"] @ values)


def _solve_exact(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    max_swaps: int = 1000,
    **_: Any,
) -> CoverSolution:
    begin = time.perf_counter()
    m = a.shape[1]
    rows, ar, model = _cover_model(a, w, k)
    greedy, _ = _greedy_swap(a, w, k, max_swaps=max_swaps)
    if not len(rows):  # nothing to gain anywhere
        chosen = greedy
        values, status, bound, gap = None, "Optimal (nothing to reach)", 0.0, 0.0
    else:
        y0 = np.zeros(m)
        y0[greedy] = 1.0  # the greedy solution is HiGHS's starting point
        x0 = np.minimum(np.asarray(ar @ y0).ravel(), 1.0)
        values, status, bound, gap = _run_milp(
            **model, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap, start=np.r_[y0, x0]
        )
        chosen = greedy if values is None else np.flatnonzero(values[:m] > 0.5)
    notes: tuple[str, ...] = ()
    if values is None and len(rows):
        notes = (f"HiGHS found no solution ({status}); the greedy solution is shown",)
    order, gains, credit = _order_by_gain(a, w, chosen)
    objective = float(gains.sum())
    if bound is not None:
        bound = max(bound, objective)
        gap = _relative_gap(bound, objective)
    return CoverSolution(
        chosen=order,
        gains=gains,
        objective=objective,
        bound=bound,
        gap=gap,
        method="exact",
        status=status,
        seconds=time.perf_counter() - begin,
        assignment=credit,
        notes=notes,
    )


def _solve_capacitated(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    children: np.ndarray,
    capacity: float,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    **_: Any,
) -> CoverSolution:
    begin = time.perf_counter()
    n, m = a.shape
    children = np.asarray(children, dtype=float)
    rows = np.flatnonzero((w > 0) & (children > 0) & (np.diff(a.indptr) > 0))
    ar = a[rows].tocsr()
    nr, npair = len(rows), ar.nnz
    pair_row = np.repeat(np.arange(nr), np.diff(ar.indptr))
    pair_col = ar.indices
    pairs = np.arange(npair)
    c = children[rows]
    # columns: y (m), z (npair); row blocks: areas (nr), sites (m), links (npair), budget (1)
    r_area = pair_row
    r_site = nr + np.r_[pair_col, np.arange(m)]
    r_link = nr + m + np.r_[pairs, pairs]
    triplets = (
        np.r_[r_area, r_site, r_link, np.full(m, nr + m + npair)],
        np.r_[m + pairs, m + pairs, np.arange(m), m + pairs, pair_col, np.arange(m)],
        np.r_[np.ones(npair), c[pair_row], np.full(m, -float(capacity)),
              np.ones(npair), -np.ones(npair), np.ones(m)],
    )  # fmt: skip
    matrix = sparse.csc_matrix(
        (triplets[2], (triplets[0], triplets[1])), shape=(nr + m + npair + 1, m + npair)
    )
    values, status, bound, gap = _run_milp(
        cost=np.r_[np.zeros(m), w[rows][pair_row]],
        upper=np.ones(m + npair),
        integer=np.r_[np.ones(m), np.zeros(npair)],
        matrix=matrix,
        row_upper=np.r_[np.ones(nr), np.zeros(m + npair), float(k)],
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        start=None,
    )
    if values is None:
        raise EarlyHelpError(
            f"the capacitated siting found no solution ({status}); raise [siting] "
            "time_limit_s or try without --capacity"
        )
    z = np.clip(values[m:], 0.0, 1.0)
    z[z < 1e-9] = 0.0
    assignment = sparse.csr_matrix((z, (rows[pair_row], pair_col)), shape=(n, m))
    assignment.eliminate_zeros()
    open_sites = np.flatnonzero(values[:m] > 0.5)
    site_gain = np.asarray(assignment.T @ w).ravel()[open_sites]
    order = np.argsort(-site_gain, kind="stable")
    objective = float(site_gain.sum())
    if bound is not None:
        bound = max(bound, objective)
        gap = _relative_gap(bound, objective)
    return CoverSolution(
        chosen=open_sites[order],
        gains=site_gain[order],
        objective=objective,
        bound=bound,
        gap=gap,
        method="exact",
        status=status,
        seconds=time.perf_counter() - begin,
        assignment=assignment,
        capacity=float(capacity),
    )


# Solvers by name: (coverage, weights, k, **options) -> CoverSolution.
SITING_METHODS: dict[str, Callable[..., CoverSolution]] = {
    "exact": _solve_exact,
    "greedy": _solve_greedy,
}


def solve_max_cover(
    coverage: Any,
    weights: Any,
    k: int,
    *,
    method: str = "exact",
    capacity: float | None = None,
    children: Any = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    max_swaps: int = 1000,
    lp_bound: bool = True,
) -> CoverSolution:
    """Choose at most ``k`` columns of ``coverage`` that cover the most weight.

    Parameters
    ----------
    coverage
        Areas x candidates, nonzero where the candidate reaches the area (any sparse or
        dense matrix).
    weights
        Weight of each area (0 where already covered).
    k
        Number of sites to choose (fewer when no more can add anything).
    method
        A key of :data:`SITING_METHODS`.
    capacity
        Demand each new site can take (capacitated variant; ``exact`` only) in the unit of
        ``children``; None for no limit.
    children
        Demand per area for the capacity (children); each area's weight per child is
        ``weights / children``.
    time_limit_s, mip_rel_gap
        HiGHS limits: seconds, and the relative gap at which it stops.
    max_swaps
        Most 1-swaps the local search makes.
    lp_bound
        ``greedy``: also solve the LP relaxation (HiGHS) for a tighter bound on the gap
        than submodularity alone gives.
    """
    a = _as_csr(coverage)
    w = np.asarray(weights, dtype=float).ravel()
    if a.shape[0] != len(w):
        raise ValueError(f"coverage has {a.shape[0]} rows but weights has {len(w)} values")
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and 0 or more")
    if method not in SITING_METHODS:
        raise ConfigError(
            f"siting method '{method}'{did_you_mean(method, SITING_METHODS)} is not known; "
            f"choose one of: {', '.join(SITING_METHODS)}"
        )
    if int(k) != k or k < 1:
        raise ConfigError(f"k must be a whole number of sites, 1 or more (got {k!r})")
    k = int(min(k, a.shape[1]))
    options = {"time_limit_s": time_limit_s, "mip_rel_gap": mip_rel_gap, "max_swaps": max_swaps}
    if method == "greedy":
        options["lp_bound"] = lp_bound
    if capacity is not None:
        if not capacity > 0:
            raise ConfigError(f"capacity must be above 0 children (got {capacity!r})")
        if method != "exact":
            raise ConfigError(
                "the capacitated variant (--capacity) is solved exactly only; use --method exact"
            )
        if children is None:
            raise ValueError("the capacitated variant needs children per area")
        return _solve_capacitated(
            a, w, k, children=np.asarray(children, float), capacity=capacity, **options
        )
    return SITING_METHODS[method](a, w, k, **options)


# --------------------------------------------------------------------------------------
# The whole siting run
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SitingResult:
    """Where k new sites of one category would bring most need-weighted children in reach.

    Attributes
    ----------
    sites
        The chosen sites in order of marginal gain (GeoDataFrame of points): ``rank``,
        ``site_id``, ``name``, ``kind``, ``gain`` (need-weighted children it adds given the
        sites ranked above it), ``children_newly_reached``, ``areas_newly_reached``,
        ``easting``, ``northing``.
    areas
        Every area (GeoDataFrame, index ``area_code``) with before/after columns for a
        map: ``children`` (of the category's ages), ``need_index``, ``need_factor``,
        ``weight``, ``within_reach_before``, ``within_reach_after`` (any new or existing
        site within reach), ``share_reached_after`` (0-1; below 1 only where capacity runs
        out), ``children_newly_reached``, ``new_site_id`` (the nearest chosen site within
        reach, or the one it is assigned to) and ``cost_to_new_site`` (``unit``).
    districts
        Per district and a ``County`` row: ``children``, ``reached_before``,
        ``reached_after``, ``newly_reached``, ``share_before``, ``share_after``.
    candidates
        Every candidate with ``gain_alone`` (need-weighted children it would add on its
        own), ``children_alone`` and ``rank`` (0 when not chosen).
    objective
        Need-weighted children newly within reach.
    bound, gap
        Proven upper bound on the objective and relative gap (0 = optimal); None if unknown.
    """

    category: str
    label: str
    ages: tuple[int, int]
    k: int
    method: str
    status: str
    capacity: float | None
    need_weight: str
    unit: str
    sites: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    districts: pd.DataFrame
    candidates: gpd.GeoDataFrame
    objective: float
    bound: float | None
    gap: float | None
    solve_seconds: float
    notes: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def children(self) -> float:
        """Children of the category's ages in the county."""
        return float(self.areas["children"].sum())

    @property
    def reached_before(self) -> float:
        """Children within reach of existing provision."""
        a = self.areas
        return float((a["children"] * a["within_reach_before"]).sum())

    @property
    def reached_after(self) -> float:
        """Children within reach once the new sites open (capacity-limited)."""
        return self.reached_before + self.newly_reached

    @property
    def newly_reached(self) -> float:
        """Children the new sites bring within reach."""
        return float(self.areas["children_newly_reached"].sum())

    @property
    def coverage(self) -> pd.DataFrame:
        """Before and after: children within reach and their share of the county's."""
        total = self.children
        reached = [self.reached_before, self.reached_after]
        return pd.DataFrame(
            {
                "children": [total, total],
                "children_within_reach": reached,
                "share_within_reach": [r / total if total else np.nan for r in reached],
            },
            index=pd.Index(["before", "after"], name="when"),
        )

    def summary(self) -> dict[str, Any]:
        """The headline figures, JSON-ready."""
        return {
            "category": self.category,
            "k": self.k,
            "method": self.method,
            "status": self.status,
            "capacity": self.capacity,
            "need_weight": self.need_weight,
            "objective_weighted_children": round(self.objective, 3),
            "bound": None if self.bound is None else round(self.bound, 3),
            "gap": self.gap,
            "solve_seconds": round(self.solve_seconds, 4),
            "children": self.children,
            "children_within_reach_before": self.reached_before,
            "children_within_reach_after": self.reached_after,
            "children_newly_reached": self.newly_reached,
            "share_before": self.coverage["share_within_reach"].iloc[0],
            "share_after": self.coverage["share_within_reach"].iloc[1],
            "sites": self.sites["site_id"].tolist(),
            "notes": list(self.notes),
        }


def _category(category: str, categories: Mapping[str, CategoryConfig]) -> CategoryConfig:
    if category not in categories:
        keys = list(categories)
        raise ConfigError(
            f"category '{category}' is not in [categories]{did_you_mean(category, keys)}; "
            f"categories are: {', '.join(keys)}"
        )
    return categories[category]


def site_services(
    cfg: Config,
    inputs: Inputs,
    *,
    category: str,
    candidates: gpd.GeoDataFrame,
    k: int | None = None,
    method: str | None = None,
    capacity: float | None = None,
    need_weight: str | None = None,
    model: DistanceModel | None = None,
    need_score: pd.Series | None = None,
) -> SitingResult:
    """Choose ``k`` candidate sites for ``category`` (options default to ``[siting]``).

    Parameters
    ----------
    cfg, inputs
        The run's configuration and loaded inputs (existing services stay as they are).
    category
        The taxonomy key to site for.
    candidates
        Candidate sites (:func:`read_candidates` or :func:`grid_candidates`).
    k, method, capacity, need_weight
        As ``[siting]`` (``capacity`` 0 or None: no limit).
    model
        A distance model already built (else from ``[access]``).
    need_score
        Need index per area (else computed from ``[indicators]``; 50 everywhere without).
    """
    s: SitingConfig = cfg.siting
    k = s.k if k is None else k
    method = s.method if method is None else method
    capacity = (s.capacity or None) if capacity is None else (capacity or None)
    need_weight = s.need_weight if need_weight is None else need_weight
    cat = _category(category, cfg.categories)
    if model is None:
        model = make_distance_model(cfg.access, roads=inputs.roads)
    areas = inputs.areas
    if need_score is None:
        need_score = area_need_index(inputs.need.reindex(areas.index), cfg.indicators)
    candidates = candidates.to_crs(areas.crs) if candidates.crs != areas.crs else candidates
    problem = coverage_problem(
        areas,
        inputs.need,
        inputs.services,
        candidates,
        category=category,
        categories=cfg.categories,
        access_cfg=cfg.access,
        model=model,
        need_score=need_score,
        need_weight=need_weight,
    )
    solution = solve_max_cover(
        problem.coverage,
        problem.weights,
        k,
        method=method,
        capacity=capacity,
        children=problem.uncovered_children,
        time_limit_s=s.time_limit_s,
        mip_rel_gap=s.mip_rel_gap,
        max_swaps=s.max_swaps,
    )
    return _result(cfg, inputs, problem, solution, k=k, label=cat.label or category, cat=cat,
                   need_weight=need_weight, model=model)  # fmt: skip


def _result(
    cfg: Config,
    inputs: Inputs,
    problem: CoverageProblem,
    solution: CoverSolution,
    *,
    k: int,
    label: str,
    cat: CategoryConfig,
    need_weight: str,
    model: DistanceModel,
) -> SitingResult:
    areas = inputs.areas
    cands = problem.candidates
    chosen = solution.chosen
    credit = solution.assignment  # areas x candidates
    children = problem.uncovered_children
    share = np.minimum(np.asarray(credit.sum(axis=1)).ravel(), 1.0)
    newly = children * share
    per_site_children = np.asarray(credit.T @ children).ravel()[chosen]
    per_site_areas = np.asarray((credit > 0).sum(axis=0)).ravel()[chosen]

    xy = cands.geometry.to_crs("EPSG:27700") if cands.crs != "EPSG:27700" else cands.geometry
    sites = gpd.GeoDataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1),
            "site_id": cands.index.to_numpy()[chosen],
            "name": cands["name"].to_numpy()[chosen] if "name" in cands else "",
            "kind": cands["kind"].to_numpy()[chosen] if "kind" in cands else "",
            "gain": solution.gains,
            "children_newly_reached": per_site_children,
            "areas_newly_reached": per_site_areas,
            "easting": xy.x.to_numpy()[chosen].round(0),
            "northing": xy.y.to_numpy()[chosen].round(0),
        },
        geometry=cands.geometry.to_numpy()[chosen],
        crs=cands.crs,
    )

    # nearest chosen site within reach of each area (or its assigned site when capacitated)
    sub_cost = problem.costs[:, chosen].toarray() if len(chosen) else np.zeros((len(areas), 0))
    sub_cost = np.where(sub_cost > 0, true_costs(sub_cost), np.inf)
    if solution.capacity is not None and len(chosen):
        z = credit[:, chosen].toarray()
        best = np.argmax(z, axis=1)
        has = z.max(axis=1) > 0
    else:
        best = np.argmin(sub_cost, axis=1) if len(chosen) else np.zeros(len(areas), int)
        has = np.isfinite(sub_cost.min(axis=1)) if len(chosen) else np.zeros(len(areas), bool)
    site_ids = cands.index.to_numpy()[chosen]
    new_site = np.where(has, site_ids[best] if len(chosen) else None, None)
    cost_new = np.where(has, sub_cost[np.arange(len(areas)), best] if len(chosen) else 0, np.nan)
    in_reach_new = np.isfinite(sub_cost).any(axis=1) if len(chosen) else np.zeros(len(areas), bool)

    out = areas[[c for c in ("area_name", "district_code", "district_name", "rural_urban")
                 if c in areas.columns] + ["geometry"]].copy()  # fmt: skip
    out["children"] = problem.children
    out["need_index"] = problem.need_score
    out["need_factor"] = problem.factor
    out["weight"] = problem.children * problem.factor
    out["within_reach_before"] = problem.covered_before
    out["within_reach_after"] = problem.covered_before | in_reach_new
    out["share_reached_after"] = np.where(problem.covered_before, 1.0, share)
    out["children_newly_reached"] = newly
    out["new_site_id"] = pd.array(new_site, dtype="string")
    out["cost_to_new_site"] = cost_new

    districts = _district_table(out)
    gain_alone = np.asarray(problem.coverage.T @ problem.weights).ravel()
    kids_alone = np.asarray(problem.coverage.T @ children).ravel()
    rank = np.zeros(len(cands), dtype=int)
    rank[chosen] = np.arange(1, len(chosen) + 1)
    cand_table = cands.assign(gain_alone=gain_alone, children_alone=kids_alone, rank=rank)
    notes = list(solution.notes)
    if len(chosen) < k:
        notes.append(
            f"only {len(chosen)} of the {k} sites asked for add anyone: every child a "
            "candidate can reach is then within reach"
        )
    if solution.capacity is not None:
        notes.append(
            f"each new site takes at most {solution.capacity:,.0f} children; an area's "
            "children may be shared between sites or only partly reached"
        )
    params = {
        "category": problem.category,
        "k": k,
        "method": solution.method,
        "capacity": solution.capacity,
        "need_weight": need_weight,
        "need_weight_meaning": NEED_WEIGHTS[need_weight][0],
        "ages": list(band_ages(cat)),
        "distance_model": getattr(model, "name", type(model).__name__),
        "unit": problem.unit,
        "reach_threshold": cat.reach(problem.unit),
        "candidates": len(cands),
        "coverage_pairs": int(problem.coverage.nnz),
        "time_limit_s": cfg.siting.time_limit_s,
        "mip_rel_gap": cfg.siting.mip_rel_gap,
        "max_swaps": cfg.siting.max_swaps,
    }
    return SitingResult(
        category=problem.category,
        label=label,
        ages=band_ages(cat),
        k=k,
        method=solution.method,
        status=solution.status,
        capacity=solution.capacity,
        need_weight=need_weight,
        unit=problem.unit,
        sites=sites,
        areas=out,
        districts=districts,
        candidates=cand_table,
        objective=solution.objective,
        bound=solution.bound,
        gap=solution.gap,
        solve_seconds=solution.seconds,
        notes=tuple(notes),
        params=params,
    )


def _district_table(areas: pd.DataFrame) -> pd.DataFrame:
    kids = areas["children"]
    before = kids * areas["within_reach_before"]
    grouped = pd.DataFrame(
        {
            "children": kids,
            "reached_before": before,
            "newly_reached": areas["children_newly_reached"],
        }
    ).groupby(areas["district_code"])
    table = grouped.sum()
    table.loc["County"] = table.sum()
    table["reached_after"] = table["reached_before"] + table["newly_reached"]
    total = table["children"].where(table["children"] > 0)
    table["share_before"] = table["reached_before"] / total
    table["share_after"] = table["reached_after"] / total
    names = areas.groupby("district_code")["district_name"].first()
    table.insert(0, "district_name", names.reindex(table.index).fillna("County total"))
    table.index.name = "district_code"
    cols = ["district_name", "children", "reached_before", "reached_after", "newly_reached",
            "share_before", "share_after"]  # fmt: skip
    return table[cols].reset_index()
