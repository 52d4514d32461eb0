"""The family hub targeting rule as a siting constraint, and what it costs in coverage.

``earlyhelp site --rule`` (or ``[siting] rule = true``) requires new sites to meet the
``[hubs]`` aim: ``aim_share`` of hubs in national deciles 1 to ``aim_deciles`` of the first
``[hubs] deprivation`` measure. A candidate counts as deprived when the small area it
stands in is. With ``[siting] rule_scope = "new"`` (the default) the new sites must meet
it among themselves; with ``"network"`` the open hubs of the hub list count too, so new
hubs must bring the whole network to the aim (or keep it there).

:func:`targeting_rule` builds the :class:`~earlyhelp.siting.solvers.TargetingRule`;
:func:`rule_report` compares the constrained choice with the unconstrained one: the
children the rule costs.
"""

from __future__ import annotations

__all__ = ["rule_report", "targeting_rule"]

from typing import Any

import geopandas as gpd
import numpy as np

from earlyhelp.config import Config
from earlyhelp.errors import ConfigError
from earlyhelp.geography import study_area
from earlyhelp.loading import Inputs
from earlyhelp.need import indicator_values
from earlyhelp.siting.problem import CoverageProblem
from earlyhelp.siting.solvers import CoverSolution, TargetingRule

_PLACE_TOLERANCE_M = 250.0  # a candidate just off a generalised coastline takes the nearest area


def _deciles(cfg: Config, inputs: Inputs, areas: gpd.GeoDataFrame, points) -> np.ndarray:
    """The national decile (first ``[hubs] deprivation`` measure) of the area at each point."""
    if not cfg.hubs.deprivation:
        raise ConfigError(
            'the targeting rule needs [hubs] deprivation = ["imd_decile"] (an '
            '[indicators.*] of kind = "decile", national deciles 1 = most deprived)'
        )
    name = cfg.hubs.deprivation[0]
    values = indicator_values(inputs.need.reindex(areas.index), name, cfg.indicators[name])
    decile = values["value"].to_numpy(dtype=float)
    out = np.full(len(points), np.nan)
    if len(points) and len(areas):
        hit = areas.sindex.nearest(points, max_distance=_PLACE_TOLERANCE_M, return_all=False)
        out[hit[0]] = decile[hit[1]]
    return out


def targeting_rule(
    cfg: Config, inputs: Inputs, areas: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame
) -> TargetingRule:
    """The rule for these candidates: which are deprived, and (network scope) how many of
    the open hubs of the study area already are."""
    spec = cfg.hubs
    deciles = _deciles(cfg, inputs, areas, candidates.geometry.to_numpy())
    deprived = np.nan_to_num(deciles, nan=99) <= spec.aim_deciles
    existing = existing_in = 0
    if cfg.siting.rule_scope == "network" and inputs.hubs is not None:
        study = study_area(areas, cfg.run.districts).index
        hubs = inputs.hubs
        open_ = hubs[
            (hubs["status"] == "active")
            & hubs["kind"].isin(spec.counted_kinds)
            & hubs["area_code"].isin(study)
        ]
        hub_deciles = _deciles(cfg, inputs, areas, open_.geometry.to_numpy())
        existing = len(open_)
        existing_in = int((np.nan_to_num(hub_deciles, nan=99) <= spec.aim_deciles).sum())
    return TargetingRule(deprived, spec.aim_share, existing_in=existing_in, existing=existing)


def _newly(problem: CoverageProblem, solution: CoverSolution) -> float:
    share = np.minimum(np.asarray(solution.assignment.sum(axis=1)).ravel(), 1.0)
    return float((problem.uncovered_children * share).sum())


def _proven(solution: CoverSolution) -> bool:
    return solution.gap is not None and solution.gap <= 1e-9


def rule_report(
    cfg: Config,
    rule: TargetingRule,
    problem: CoverageProblem,
    constrained: CoverSolution,
    free: CoverSolution,
    candidates: gpd.GeoDataFrame,
) -> dict[str, Any]:
    """The rule, the sites it led to and what it costs: children newly within reach with
    and without it (JSON-ready, with a sentence for the report)."""
    spec = cfg.hubs
    chosen = np.asarray(constrained.chosen, dtype=int)
    new_in = int(np.asarray(rule.deprived)[chosen].sum())
    with_rule, without = _newly(problem, constrained), _newly(problem, free)
    total = rule.existing + len(chosen)
    share_after = (rule.existing_in + new_in) / total if total else float("nan")
    cost = without - with_rule
    label = cfg.indicators[spec.deprivation[0]].label or spec.deprivation[0]
    where = (
        f"the {10 * spec.aim_deciles}% most deprived areas ({label}, deciles 1-{spec.aim_deciles})"
    )
    if cfg.siting.rule_scope == "network":
        aim = (
            f"at least {100 * spec.aim_share:.0f}% of the hub network ({rule.existing} open "
            f"hubs, {rule.existing_in} of them there, and the new sites) in {where}: "
            f"{new_in} of the {len(chosen)} new sites are, {100 * share_after:.0f}% of the "
            "network after"
        )
    else:
        aim = (
            f"at least {100 * spec.aim_share:.0f}% of the new sites in {where}: {new_in} of "
            f"the {len(chosen)} are"
        )
    proven = _proven(constrained) and _proven(free)
    caveat = (
        ""
        if proven
        else " Not both choices are proven the best possible (greedy, or a time limit "
        "reached), so the cost is an estimate."
    )
    sentence = (
        f"Targeting rule: {aim}. It costs {cost:,.0f} children newly within reach "
        f"({with_rule:,.0f} with it, {without:,.0f} without).{caveat}"
    )
    return {
        "measure": spec.deprivation[0],
        "measure_label": label,
        "aim_share": spec.aim_share,
        "aim_deciles": spec.aim_deciles,
        "scope": cfg.siting.rule_scope,
        "existing_hubs": rule.existing,
        "existing_in_aim": rule.existing_in,
        "candidates_deprived": int(np.asarray(rule.deprived).sum()),
        "new_sites": len(chosen),
        "new_in_aim": new_in,
        "share_after": share_after,
        "children_with_rule": with_rule,
        "children_without_rule": without,
        "children_cost": cost,
        "weighted_with_rule": constrained.objective,
        "weighted_without_rule": free.objective,
        "sites_without_rule": candidates.index.to_numpy()[free.chosen].tolist(),
        "cost_proven": proven,
        "sentence": sentence,
    }
