"""The whole siting run: :func:`site_services` and the :class:`SitingResult` it returns.

:func:`site_services` builds the coverage problem of one category
(:mod:`earlyhelp.siting.problem`), solves it (:mod:`earlyhelp.siting.solvers`) and
assembles the result: the chosen sites, every area before and after, the districts and
every candidate. :mod:`earlyhelp.publish.siting` writes its folder.
"""

from __future__ import annotations

__all__ = ["SitingResult", "site_services"]

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from earlyhelp.config import CategoryConfig, Config, SitingConfig
from earlyhelp.distance import DistanceModel, make_distance_model, true_costs
from earlyhelp.loading import Inputs
from earlyhelp.need import area_need_index
from earlyhelp.provision import band_ages
from earlyhelp.siting.problem import (
    NEED_WEIGHTS,
    CoverageProblem,
    category_config,
    coverage_problem,
)
from earlyhelp.siting.solvers import CoverSolution, solve_max_cover


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
    credit
        Areas (rows, as ``areas``) x chosen sites (columns, in rank order): the share of
        each area's children not yet in reach that each site is credited with (what
        ``sites.children_newly_reached`` sums).
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
    credit: sparse.csr_matrix | None = None

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
        Candidate sites (:func:`~earlyhelp.siting.candidates.read_candidates` or
        :func:`~earlyhelp.siting.candidates.grid_candidates`).
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
    cat = category_config(category, cfg.categories)
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
    areas = _areas_table(inputs.areas, problem, solution)
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
        sites=_sites_table(problem, solution),
        areas=areas,
        districts=_district_table(areas),
        candidates=_candidates_table(problem, solution.chosen),
        credit=sparse.csr_matrix(solution.assignment[:, solution.chosen]),
        objective=solution.objective,
        bound=solution.bound,
        gap=solution.gap,
        solve_seconds=solution.seconds,
        notes=_notes(solution, k),
        params=_params(cfg, problem, solution, k=k, cat=cat, need_weight=need_weight, model=model),
    )


def _sites_table(problem: CoverageProblem, solution: CoverSolution) -> gpd.GeoDataFrame:
    """The chosen sites in order of marginal gain, with what each brings within reach."""
    cands = problem.candidates
    chosen = solution.chosen
    credit = solution.assignment  # areas x candidates
    per_site_children = np.asarray(credit.T @ problem.uncovered_children).ravel()[chosen]
    per_site_areas = np.asarray((credit > 0).sum(axis=0)).ravel()[chosen]
    xy = cands.geometry.to_crs("EPSG:27700") if cands.crs != "EPSG:27700" else cands.geometry
    return gpd.GeoDataFrame(
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


def _nearest_new_site(
    problem: CoverageProblem, solution: CoverSolution
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per area: the nearest chosen site within reach (or the site it is assigned to when
    capacitated), the cost to it, and whether any chosen site is within reach."""
    n = len(problem.areas)
    chosen = solution.chosen
    credit = solution.assignment
    sub_cost = problem.costs[:, chosen].toarray() if len(chosen) else np.zeros((n, 0))
    sub_cost = np.where(sub_cost > 0, true_costs(sub_cost), np.inf)
    if solution.capacity is not None and len(chosen):
        z = credit[:, chosen].toarray()
        best = np.argmax(z, axis=1)
        has = z.max(axis=1) > 0
    else:
        best = np.argmin(sub_cost, axis=1) if len(chosen) else np.zeros(n, int)
        has = np.isfinite(sub_cost.min(axis=1)) if len(chosen) else np.zeros(n, bool)
    site_ids = problem.candidates.index.to_numpy()[chosen]
    new_site = np.where(has, site_ids[best] if len(chosen) else None, None)
    cost_new = np.where(has, sub_cost[np.arange(n), best] if len(chosen) else 0, np.nan)
    in_reach_new = np.isfinite(sub_cost).any(axis=1) if len(chosen) else np.zeros(n, bool)
    return np.asarray(new_site), np.asarray(cost_new), np.asarray(in_reach_new)


def _areas_table(
    areas: gpd.GeoDataFrame, problem: CoverageProblem, solution: CoverSolution
) -> gpd.GeoDataFrame:
    """Every area with its children, need and weight, and who is within reach before and
    after the new sites open."""
    share = np.minimum(np.asarray(solution.assignment.sum(axis=1)).ravel(), 1.0)
    new_site, cost_new, in_reach_new = _nearest_new_site(problem, solution)
    out = areas[[c for c in ("area_name", "district_code", "district_name", "rural_urban")
                 if c in areas.columns] + ["geometry"]].copy()  # fmt: skip
    out["children"] = problem.children
    out["need_index"] = problem.need_score
    out["need_factor"] = problem.factor
    out["weight"] = problem.children * problem.factor
    out["within_reach_before"] = problem.covered_before
    out["within_reach_after"] = problem.covered_before | in_reach_new
    out["share_reached_after"] = np.where(problem.covered_before, 1.0, share)
    out["children_newly_reached"] = problem.uncovered_children * share
    out["new_site_id"] = pd.array(new_site, dtype="string")
    out["cost_to_new_site"] = cost_new
    return out


def _candidates_table(problem: CoverageProblem, chosen: np.ndarray) -> gpd.GeoDataFrame:
    """Every candidate with what it would add on its own and its rank (0: not chosen)."""
    cands = problem.candidates
    gain_alone = np.asarray(problem.coverage.T @ problem.weights).ravel()
    kids_alone = np.asarray(problem.coverage.T @ problem.uncovered_children).ravel()
    rank = np.zeros(len(cands), dtype=int)
    rank[chosen] = np.arange(1, len(chosen) + 1)
    return cands.assign(gain_alone=gain_alone, children_alone=kids_alone, rank=rank)


def _notes(solution: CoverSolution, k: int) -> tuple[str, ...]:
    """The solver's notes, then fewer sites than asked for and the capacity, if so."""
    notes = list(solution.notes)
    if len(solution.chosen) < k:
        notes.append(
            f"only {len(solution.chosen)} of the {k} sites asked for add anyone: every child a "
            "candidate can reach is then within reach"
        )
    if solution.capacity is not None:
        notes.append(
            f"each new site takes at most {solution.capacity:,.0f} children; an area's "
            "children may be shared between sites or only partly reached"
        )
    return tuple(notes)


def _params(
    cfg: Config,
    problem: CoverageProblem,
    solution: CoverSolution,
    *,
    k: int,
    cat: CategoryConfig,
    need_weight: str,
    model: DistanceModel,
) -> dict[str, Any]:
    """The parameters of the run, JSON-ready (the manifest's record of what was asked)."""
    return {
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
        "candidates": len(problem.candidates),
        "coverage_pairs": int(problem.coverage.nnz),
        "time_limit_s": cfg.siting.time_limit_s,
        "mip_rel_gap": cfg.siting.mip_rel_gap,
        "max_swaps": cfg.siting.max_swaps,
    }


def _district_table(areas: pd.DataFrame) -> pd.DataFrame:
    """Children within reach before and after, per district and for the county."""
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
