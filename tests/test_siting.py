"""Siting: the exact solver against spopt's MCLP, greedy against exact, capacity, and the
demo's estate that lacks domestic abuse support."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from typer.testing import CliRunner

from earlyhelp.assessment import analyse
from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.errors import ConfigError, InputError, ValidationFailed
from earlyhelp.loading import file_sha256, load_inputs
from earlyhelp.publish.siting import siting_summary
from earlyhelp.siting import (
    grid_candidates,
    need_factor,
    read_candidates,
    site_services,
    solve_max_cover,
)

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def random_instance(seed: int, n: int = 60, m: int = 25, existing: int = 5):
    """Areas and sites on a 10 x 10 km square, urban (2 km) or rural (4 km) thresholds."""
    rng = np.random.default_rng(seed)
    areas = rng.uniform(0, 10_000, (n, 2))
    sites = rng.uniform(0, 10_000, (m + existing, 2))
    threshold = np.where(rng.random(n) < 0.6, 2000.0, 4000.0)
    weights = rng.integers(1, 400, n).astype(float) * rng.uniform(1, 2, n)
    dist = np.hypot(*(areas[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    covered_before = (dist[:, m:] <= threshold[:, None]).any(axis=1)
    coverage = sparse.csr_matrix(dist[:, :m] <= threshold[:, None])
    return dist, threshold, weights, covered_before, coverage


def spopt_optimum(dist, threshold, weights, m, k) -> float:
    """spopt's MCLP with the existing sites predefined, solved by HiGHS through PuLP."""
    pulp = pytest.importorskip("pulp")
    MCLP = pytest.importorskip("spopt.locate").MCLP

    existing = dist.shape[1] - m
    predefined = np.r_[np.zeros(m), np.ones(existing)].astype(int)
    model = MCLP.from_cost_matrix(
        dist / threshold[:, None],  # cost in units of each area's own threshold
        weights,
        service_radius=1.0,
        p_facilities=k + existing,
        predefined_facilities_arr=predefined,
    )
    model = model.solve(pulp.HiGHS(msg=False, mip_rel_gap=1e-9))
    assert pulp.LpStatus[model.problem.status] == "Optimal"
    return float(pulp.value(model.problem.objective))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP 3 warns about PuLP 4
@pytest.mark.parametrize("seed", range(5))
def test_exact_objective_equals_spopt_mclp_optimum(seed):
    dist, threshold, weights, before, coverage = random_instance(seed)
    k = 3
    exact = solve_max_cover(coverage, np.where(before, 0.0, weights), k, method="exact")
    expected = spopt_optimum(dist, threshold, weights, 25, k)
    assert exact.objective + weights[before].sum() == pytest.approx(expected, rel=1e-9)
    assert exact.gap == pytest.approx(0.0, abs=1e-6)
    assert exact.status == "Optimal"
    assert len(exact.chosen) <= k and len(set(exact.chosen)) == len(exact.chosen)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [1, 3, 6])
def test_greedy_never_beats_exact_and_its_bound_is_valid(seed, k):
    _, _, weights, before, coverage = random_instance(100 + seed, n=80, m=30)
    w = np.where(before, 0.0, weights)
    exact = solve_max_cover(coverage, w, k, method="exact")
    greedy = solve_max_cover(coverage, w, k, method="greedy")
    assert greedy.objective <= exact.objective + 1e-9
    assert greedy.bound >= exact.objective - 1e-9  # the reported gap is an honest bound
    assert 0.0 <= greedy.gap < 1.0
    submodular = solve_max_cover(coverage, w, k, method="greedy", lp_bound=False)
    assert submodular.bound >= exact.objective - 1e-9  # the cheaper bound is honest too
    assert greedy.gap <= submodular.gap + 1e-12  # and the LP relaxation only tightens it
    assert list(submodular.chosen) == list(greedy.chosen)
    assert exact.bound >= exact.objective - 1e-9
    # gains are marginal, in decreasing order, and add up to the objective
    for sol in (exact, greedy):
        assert sol.gains.sum() == pytest.approx(sol.objective)
        assert np.all(np.diff(sol.gains) <= 1e-9)


def test_greedy_is_exact_when_sites_cover_disjoint_areas():
    # five sites, each the only one to reach its own pair of areas
    coverage = sparse.block_diag([np.ones((2, 1))] * 5, format="csr")
    weights = np.array([5, 1, 9, 9, 2, 2, 7, 0, 3, 3], dtype=float)  # pairs: 6, 18, 4, 7, 6
    greedy = solve_max_cover(coverage, weights, 2, method="greedy")
    exact = solve_max_cover(coverage, weights, 2, method="exact")
    assert list(greedy.chosen) == [1, 3] == list(exact.chosen)
    assert greedy.objective == exact.objective == 25.0
    assert list(greedy.gains) == [18.0, 7.0]


def test_the_swap_step_repairs_a_greedy_trap():
    # areas p q r s weigh 3, t weighs 0.5; X reaches q r t, Y reaches p q, Z reaches r s
    coverage = sparse.csr_matrix(
        np.array([[0, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1], [1, 0, 0]], dtype=float)
    )
    weights = np.array([3, 3, 3, 3, 0.5])
    plain = solve_max_cover(coverage, weights, 2, method="greedy", max_swaps=0)
    swapped = solve_max_cover(coverage, weights, 2, method="greedy")
    exact = solve_max_cover(coverage, weights, 2, method="exact")
    assert plain.objective == 9.5  # greedy alone takes X first
    assert swapped.objective == exact.objective == 12.0
    assert sorted(swapped.chosen) == [1, 2]


def test_fewer_sites_than_asked_when_more_add_nothing():
    coverage = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float))
    weights = np.array([2.0, 3.0, 4.0])
    for method in ("exact", "greedy"):
        sol = solve_max_cover(coverage, weights, 3, method=method)
        assert list(sol.chosen) == [0] and sol.objective == 5.0


def test_capacitated_variant_respects_capacity():
    _, _, weights, before, coverage = random_instance(7, n=60, m=25)
    children = np.round(weights / 1.5)
    w = np.where(before, 0.0, weights)
    kids = np.where(before, 0.0, children)
    capacity = 600.0
    sol = solve_max_cover(coverage, w, 3, method="exact", capacity=capacity, children=kids)
    z = sol.assignment
    assert len(sol.chosen) <= 3
    per_site = np.asarray(z.T @ kids).ravel()
    assert (per_site <= capacity + 1e-6).all()
    assert set(np.flatnonzero(per_site > 1e-9)) <= set(sol.chosen)
    assert (np.asarray(z.sum(axis=1)).ravel() <= 1 + 1e-9).all()
    pairs = z.tocoo()
    assert (coverage[pairs.row, pairs.col] == 1).all()  # only within reach
    assert sol.objective == pytest.approx(float(np.asarray(z.T @ w).sum()))
    free = solve_max_cover(coverage, w, 3, method="exact")
    assert sol.objective <= free.objective + 1e-6
    roomy = solve_max_cover(coverage, w, 3, method="exact", capacity=1e9, children=kids)
    assert roomy.objective == pytest.approx(free.objective, rel=1e-6)


def test_capacity_goes_to_the_neediest_children_first():
    coverage = sparse.csr_matrix(np.ones((2, 1)))
    children = np.array([100.0, 100.0])
    weights = children * np.array([1.9, 1.2])  # per-child weight 1.9 and 1.2
    sol = solve_max_cover(coverage, weights, 1, method="exact", capacity=150, children=children)
    assert sol.objective == pytest.approx(100 * 1.9 + 50 * 1.2)
    assert sol.assignment.toarray().ravel().tolist() == pytest.approx([1.0, 0.5])


def test_bad_options_are_refused_with_the_fix():
    a = sparse.csr_matrix(np.ones((2, 2)))
    with pytest.raises(ConfigError, match="did you mean 'exact'"):
        solve_max_cover(a, [1, 1], 1, method="exakt")
    with pytest.raises(ConfigError, match="solved exactly only"):
        solve_max_cover(a, [1, 1], 1, method="greedy", capacity=5, children=[1, 1])
    with pytest.raises(ConfigError, match="1 or more"):
        solve_max_cover(a, [1, 1], 0)


def test_need_factor_documented_choices():
    score = pd.Series([0.0, 50.0, 100.0, np.nan])
    assert need_factor(score).tolist() == [1.0, 1.5, 2.0, 1.5]
    assert need_factor(score, need_weight="index").tolist() == [0.0, 1.0, 2.0, 1.0]
    assert need_factor(score, need_weight="none").tolist() == [1.0] * 4
    with pytest.raises(ConfigError, match="did you mean 'index'"):
        need_factor(score, need_weight="indx")


# --- candidates --------------------------------------------------------------------------


def test_read_candidates_reports_every_problem_once(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_id,name,kind,easting,northing\n"
        "K1,School,school,600500,470500\n"
        "K1,Library,library,601500,470500\n"
        "K3,Hall,community_centre,six hundred,470500\n"
        "K4,Surgery,gp_surgery,-1.5,53.2\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as err:
        read_candidates(path)
    lines = [p.line() for p in err.value.report.errors]
    assert any("row 2, 3" in line and "'K1' appears 2 times" in line for line in lines)
    assert any("row 4" in line and "six hundred" in line for line in lines)
    assert any("row 5" in line and "degrees" in line for line in lines)
    path.write_text("id,x,y\nK1,1,2\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="site_id' is missing"):
        read_candidates(path)
    with pytest.raises(InputError, match="not found"):
        read_candidates(tmp_path / "nope.csv")


def test_grid_candidates_lie_inside_the_study_area(tiny):
    cfg = load_config(tiny.config)
    areas = load_inputs(cfg).areas
    grid = grid_candidates(areas, spacing_m=500)
    assert len(grid) == 64  # a 4 x 4 km square, 500 m cells
    assert grid.index[0] == "G00001" and (grid["kind"] == "grid").all()
    assert grid.within(areas.union_all().buffer(1)).all()


# --- the whole siting run --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_assessment):
    cfg, inputs, model = demo_assessment.config, demo_assessment.inputs, demo_assessment.model
    candidates = read_candidates(REPO / "data/demo/candidate_sites.csv", crs=cfg.run.crs)
    return cfg, inputs, model, candidates


def test_one_new_domestic_abuse_site_goes_to_the_deprived_estate(demo):
    from earlyhelp.demo import planted

    cfg, inputs, model, candidates = demo
    story = planted()
    result = site_services(
        cfg, inputs, category="domestic_abuse", candidates=candidates, k=1, model=model
    )
    estate = inputs.areas.loc[story["estate_areas"]]
    site = result.sites.geometry.iloc[0]
    assert site.distance(estate.union_all().centroid) < 3000  # within a few km
    assert result.areas.loc[story["estate_areas"], "within_reach_after"].all()
    assert not result.areas.loc[story["estate_areas"], "within_reach_before"].any()
    assert result.gap == 0.0 and result.method == "exact"
    top = result.districts.sort_values("newly_reached").iloc[-2]  # the last row is County
    assert top["district_name"] == story["estate_town"]
    text = siting_summary(result)
    assert text.startswith(f"New domestic abuse support at {result.sites['name'].iloc[0]}")
    assert f"most in {story['estate_town']}" in text


def test_before_and_after_agree_with_the_accessibility_engine(demo):
    """Open the chosen sites as services, rerun the analysis: the same areas are in reach."""
    cfg, inputs, model, candidates = demo
    result = site_services(
        cfg, inputs, category="domestic_abuse", candidates=candidates, k=2, model=model,
        method="greedy",
    )  # fmt: skip
    base = analyse(cfg, inputs, model=model, sufficiency=False)
    before = base.access.wide["within_reach__domestic_abuse"].astype(bool)
    assert (result.areas["within_reach_before"] == before).all()

    new = result.sites.set_index("site_id")[["name", "geometry"]].assign(
        categories=[["domestic_abuse"]] * len(result.sites), status="active",
        delivery="in_person", min_age=0.0, max_age=19.0, capacity=np.nan, sector="voluntary",
    )  # fmt: skip
    services = pd.concat([inputs.services, new])
    opened = dataclasses.replace(
        inputs, services=gpd.GeoDataFrame(services, geometry="geometry", crs=inputs.areas.crs)
    )
    after = analyse(cfg, opened, model=model, sufficiency=False)
    within = after.access.wide["within_reach__domestic_abuse"].astype(bool)
    assert (result.areas["within_reach_after"] == within).all()
    # and the totals add up
    kids = result.areas["children"]
    assert result.reached_after == pytest.approx(float((kids * within).sum()))
    assert result.reached_after == pytest.approx(result.reached_before + result.newly_reached)
    county = result.districts.set_index("district_code").loc["County"]
    assert county["newly_reached"] == pytest.approx(result.sites["children_newly_reached"].sum())
    assert county["reached_after"] == pytest.approx(result.reached_after)


def test_capacitated_siting_on_the_demo(demo):
    cfg, inputs, model, candidates = demo
    result = site_services(
        cfg, inputs, category="domestic_abuse", candidates=candidates, k=3, model=model,
        capacity=1000,
    )  # fmt: skip
    assert (result.sites["children_newly_reached"] <= 1000 + 1e-6).all()
    assert result.newly_reached == pytest.approx(3000, rel=1e-6)  # the estate town needs more
    assert result.areas["share_reached_after"].between(0, 1).all()
    assert "at most 1,000 children" in siting_summary(result)


def test_unknown_category_is_refused(demo):
    cfg, inputs, model, candidates = demo
    with pytest.raises(ConfigError, match="did you mean 'domestic_abuse'"):
        site_services(cfg, inputs, category="domestic_abus", candidates=candidates, model=model)


# --- the command line ------------------------------------------------------------------


def test_site_command_writes_tables_layers_and_manifest(tiny, tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_id,name,kind,easting,northing\n"
        "K1,East School,school,603500,470500\n"
        "K2,West Library,library,600500,470500\n"
        "K3,Centre Hall,community_centre,602000,472000\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    args = ["site", "--config", str(tiny.config), "--category", "domestic_abuse", "--k", "1"]
    result = runner.invoke(app, [*args, "--candidates", str(sites), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "New domestic abuse at West Library (K2) would bring" in result.output
    assert "Wrote" in result.output
    assert {p.name for p in (out / "tables").iterdir()} == {
        "README.txt", *(f"{n}_NOT_FOR_PUBLICATION.csv" for n in
                        ("sites", "districts", "coverage", "areas_newly_reached"))
    }  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    record = next(r for r in manifest["inputs"] if r["role"] == "candidates")
    assert record["sha256"] == file_sha256(sites)
    assert manifest["parameters"]["category"] == "domestic_abuse"
    assert manifest["results"]["sites"] == [
        pd.read_csv(out / "tables/sites_NOT_FOR_PUBLICATION.csv")["site_id"].iloc[0]
    ]
    layers = {name: gpd.read_file(out / "results.gpkg", layer=name) for name in
              ("chosen_sites", "candidates", "areas")}  # fmt: skip
    assert len(layers["chosen_sites"]) == 1 and len(layers["candidates"]) == 3
    assert {"within_reach_before", "within_reach_after"} <= set(layers["areas"].columns)
    page = (out / "map.html").read_text(encoding="utf-8")  # the before/after map
    assert "New site 1: West Library" in page
    assert "Before: Domestic abuse within reach" in page
    assert "After: Domestic abuse within reach" in page


def test_site_command_grid_and_its_errors(tiny, tmp_path):
    base = ["site", "--config", str(tiny.config), "--out", str(tmp_path / "g")]
    ok = runner.invoke(app, [*base, "--category", "domestic_abuse", "--grid-spacing", "500",
                             "--method", "greedy", "--k", "2"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, [*base, "--category", "parenting", "--method", "exakt"])
    assert bad.exit_code == 2 and "did you mean 'exact'" in bad.output
    bad = runner.invoke(app, [*base, "--category", "parentin"])
    assert bad.exit_code == 2 and "did you mean 'parenting'" in bad.output
    bad = runner.invoke(app, [*base, "--category", "parenting", "--capacity", "50",
                              "--method", "greedy"])  # fmt: skip
    assert bad.exit_code == 2 and "--method exact" in bad.output


def test_siting_section_of_the_config(tiny, tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text("site_id,easting,northing\nK1,600500,470500\n", encoding="utf-8")
    tiny.set_config(f'\n[siting]\ncandidates = "{sites}"\nk = 2\nmethod = "greedy"\n')
    cfg = load_config(tiny.config)
    assert (cfg.siting.candidates, cfg.siting.k, cfg.siting.method) == (sites, 2, "greedy")
    assert cfg.to_dict()["siting"]["need_weight"] == "one_plus_index"
    out = tmp_path / "out"
    args = ["--category", "domestic_abuse", "--out", str(out)]
    result = runner.invoke(app, ["site", "--config", str(tiny.config), *args])
    assert result.exit_code == 0, result.output
    assert "(K1)" in result.output and "Method: greedy" in result.output
    tiny.set_config('\n[siting]\nmethod = "exakt"\n')
    with pytest.raises(ConfigError, match="did you mean 'exact'"):
        load_config(tiny.config)
    tiny.set_config('\n[siting]\nneed_weights = "index"\n')
    with pytest.raises(ConfigError, match="did you mean 'need_weight'"):
        load_config(tiny.config)


def test_exact_siting_reduced_and_warm_started_equals_brute_force():
    """Areas merged where the same candidates reach them, dominated candidates dropped,
    greedy with swaps as the start: the optimum is still the best of every k-subset."""
    from itertools import combinations

    from scipy import sparse as sp

    from earlyhelp.siting import solve_max_cover

    rng = np.random.default_rng(16)
    for _ in range(25):
        n, m, k = int(rng.integers(8, 20)), int(rng.integers(4, 10)), int(rng.integers(1, 4))
        dense = rng.random((n, m)) < rng.uniform(0.15, 0.5)
        dense[:, -1] = dense[:, 0]  # an identical candidate
        cover = sp.csr_matrix(dense)
        weights = np.where(rng.random(n) < 0.2, 0.0, rng.integers(1, 50, n).astype(float))
        best = max(
            weights[np.asarray(cover[:, list(c)].sum(axis=1)).ravel() > 0].sum()
            for c in combinations(range(m), min(k, m))
        )
        found = solve_max_cover(cover, weights, k, method="exact")
        assert found.objective == pytest.approx(best)
        assert found.status.startswith("Optimal") and len(found.chosen) <= k
