"""Siting with the family hub targeting rule (issue 18).

The rule is one linear row of the exact model: at least ``share`` of the sites (new, or
the whole network with the existing hubs) in deprived areas. On small random cases the
exact method's objective equals a brute-force search over every set of at most k sites
that meets the rule, and the greedy method's choice always meets it and never beats it.
On the demo, new hubs sited with the rule stand in deprived areas and the cost of the rule
is what the unconstrained choice reaches more.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.errors import EarlyHelpError
from earlyhelp.siting import TargetingRule, site_services, solve_max_cover

runner = CliRunner()


def brute_force(a: np.ndarray, w: np.ndarray, k: int, rule: TargetingRule) -> float | None:
    """The best weight any set of at most k sites meeting the rule covers (None: none)."""
    best = None
    for r in range(k + 1):
        for sites in itertools.combinations(range(a.shape[1]), r):
            if not rule.holds(np.array(sites, dtype=int)):
                continue
            covered = a[:, list(sites)].any(axis=1) if sites else np.zeros(len(w), bool)
            value = float(w[covered].sum())
            best = value if best is None or value > best else best
    return best


CASES = [  # (seed, existing deprived, existing sites): new sites alone, and a network
    (seed, *existing) for seed in range(12) for existing in ((0, 0), (1, 4), (3, 4))
]


@pytest.mark.parametrize(("seed", "existing_in", "existing"), CASES)
def test_exact_equals_brute_force_and_greedy_keeps_the_rule(seed, existing_in, existing):
    rng = np.random.default_rng(seed)
    n, m, k = 14, 9, int(rng.integers(1, 5))
    a = rng.random((n, m)) < 0.3
    w = rng.integers(0, 20, n).astype(float)
    rule = TargetingRule(rng.random(m) < 0.4, 0.7, existing_in=existing_in, existing=existing)
    best = brute_force(a, w, k, rule)
    if best is None:  # k sites cannot meet it: both methods say so, with the fix
        for method in ("exact", "greedy"):
            with pytest.raises(EarlyHelpError, match="meets the targeting rule"):
                solve_max_cover(a, w, k, method=method, rule=rule)
        return
    exact = solve_max_cover(a, w, k, method="exact", rule=rule)
    greedy = solve_max_cover(a, w, k, method="greedy", rule=rule)
    assert exact.objective == pytest.approx(best)
    assert exact.gap == 0.0
    assert rule.holds(exact.chosen) and len(exact.chosen) <= k
    assert rule.holds(greedy.chosen) and len(greedy.chosen) <= k
    assert greedy.objective <= best + 1e-9
    assert greedy.bound >= best - 1e-9  # the bound it reports is a true bound


def test_the_rule_costs_coverage_and_keeps_sites_that_add_nothing():
    """Two areas: a big one reached only by a candidate in a comfortable area (0), a small
    one only by a deprived candidate (1). One site alone: the rule must take the small."""
    a = np.array([[1, 0, 0], [0, 1, 0]], dtype=bool)
    w = np.array([100.0, 10.0])
    free = solve_max_cover(a, w, 1, method="exact")
    rule = TargetingRule(np.array([False, True, True]), 0.7)
    kept = solve_max_cover(a, w, 1, method="exact", rule=rule)
    assert free.chosen.tolist() == [0] and free.objective == 100.0
    assert kept.chosen.tolist() == [1] and kept.objective == 10.0
    # at 70%, three sites need three deprived ones: the big area stays out of reach
    assert solve_max_cover(a, w, 3, method="exact", rule=rule).objective == 10.0
    # at 60%, sites 0 and 1 need a third, deprived one that adds nobody: it is kept
    rule60 = TargetingRule(np.array([False, True, True]), 0.6)
    three = solve_max_cover(a, w, 3, method="exact", rule=rule60)
    assert sorted(three.chosen.tolist()) == [0, 1, 2] and three.objective == 110.0
    assert three.gains[-1] == 0.0
    greedy = solve_max_cover(a, w, 3, method="greedy", rule=rule60)
    assert rule60.holds(greedy.chosen) and greedy.objective == 110.0


def test_a_network_below_the_aim_needs_enough_new_deprived_sites():
    rule = TargetingRule(np.array([True, True, False]), 0.7, existing_in=4, existing=13)
    assert rule.fewest_new() == 17  # (4 + x) / (13 + x) >= 0.7
    a = np.ones((3, 3), dtype=bool)
    with pytest.raises(EarlyHelpError) as info:
        solve_max_cover(a, np.ones(3), 3, rule=rule)
    assert "it needs at least 17 new site(s) in deprived areas" in str(info.value)


def test_new_hubs_sited_with_the_rule_on_the_demo(demo_assessment):
    a = demo_assessment
    cfg = a.config
    from earlyhelp.siting import candidate_sites

    candidates, _ = candidate_sites(cfg, a.inputs.areas)
    result = site_services(
        cfg, a.inputs, category="childrens_centre", candidates=candidates, k=3,
        model=a.model, rule=True,
    )  # fmt: skip
    rule = result.rule
    assert rule is not None and rule["scope"] == "new"
    assert rule["new_in_aim"] >= 0.7 * rule["new_sites"]
    assert rule["children_cost"] == pytest.approx(
        rule["children_without_rule"] - rule["children_with_rule"]
    )
    assert rule["children_cost"] >= 0 and rule["weighted_without_rule"] >= result.objective
    assert result.gap == 0.0
    assert rule["sentence"] in result.notes


def test_site_rule_from_the_command_line(tiny, tmp_path):
    from test_hubs import hub_county

    hub_county(tiny)
    text = tiny.config.read_text().replace(
        "[categories.childrens_centre]\n",
        "[categories.childrens_centre]\nreach_urban_m = 600\nreach_rural_m = 600\n",
    )
    tiny.config.write_text(text)
    services = tiny.read("services.csv")
    services.loc[services["service_id"] == "S3", "categories"] = "parenting"  # S1 alone
    tiny.write("services.csv", services)
    out = tmp_path / "site"
    args = ["site", "--config", str(tiny.config), "--category", "childrens_centre", "--k", "2"]
    result = runner.invoke(app, [*args, "--rule", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Targeting rule: at least 70% of the new sites in the 30% most deprived areas" in (
        result.output
    )
    assert "2 of the 2 are. It costs" in result.output
    assert "without)." in result.output and "without).." not in result.output
    # the report's line on what the rule costs is written from the audited figures
    import json

    section = json.loads((out / "report_section.json").read_text(encoding="utf-8"))
    line = section["lines"][1]
    assert line.startswith("These sites meet the targeting rule: at least 70% of the new sites")
    summary = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["results"]
    rule = summary["targeting_rule"]
    with_rule, without = rule["children_with_rule"], rule["children_without_rule"]
    assert with_rule == without == 400  # 8 areas of 50 children: neither is hidden
    assert "The rule costs 0 children newly within reach (400 with it, 400 without)." in line
    sites = pd.read_csv(out / "tables" / "sites_NOT_FOR_PUBLICATION.csv")
    deprived = {"E01000001", "E01000002", "E01000003", "E01000005"}  # deciles 1-2
    import geopandas as gpd

    areas = gpd.read_file(tiny.path("areas.geojson")).set_index("area_code")
    points = gpd.points_from_xy(sites["easting"], sites["northing"], crs=areas.crs)
    inside = [areas.index[areas.contains(p)][0] for p in points]
    assert set(inside) <= deprived
    help_text = runner.invoke(app, ["site", "--help"]).output
    assert "--rule" in help_text and "70%" in help_text
