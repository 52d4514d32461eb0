"""Scenarios: reading and checking files and flags, applying changes, the differences they
make (on the tiny county by hand, and the demo's critical centre), and the command."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from earlyhelp.assessment import analyse
from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.distance import make_distance_model
from earlyhelp.errors import InputError
from earlyhelp.loading import file_sha256, load_inputs
from earlyhelp.publish.scenario import scenario_headline
from earlyhelp.scenario import (
    apply_scenario,
    combine,
    read_scenario,
    run_scenario,
    scenario_from_flags,
)

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()

GOOD = """
name = "Review option 2"
description = "Close one, open one"

[[close]]
service_id = "S2"

[[open]]
service_id = "N1"
name = "New Safe Homes"
categories = ["domestic_abuse"]
easting = 602500
northing = 471500
capacity = 40

[[move]]
service_id = "S1"
easting = 601400
northing = 470600

[[capacity]]
service_id = "S1"
capacity = 200
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tiny_run(tiny):
    cfg = load_config(tiny.config)
    inputs = load_inputs(cfg)
    model = make_distance_model(cfg.access, roads=inputs.roads)
    return cfg, inputs, model, analyse(cfg, inputs, model=model)


# --- reading -----------------------------------------------------------------------------


def test_read_scenario_gives_each_change_with_where_it_came_from(tmp_path):
    scenario = read_scenario(write(tmp_path, GOOD))
    assert scenario.name == "Review option 2"
    assert [(c.action, c.service_id) for c in scenario.changes] == [
        ("close", "S2"), ("open", "N1"), ("move", "S1"), ("capacity", "S1"),
    ]  # fmt: skip
    assert scenario.changes[1].where == "scenario.toml, [[open]] entry 1"
    assert scenario.changes[1].get("categories") == ["domestic_abuse"]
    assert scenario.changes[3].get("capacity") == 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('nme = "x"\n[[close]]\nservice_id = "S2"\n', "unknown key 'nme' (did you mean 'name'?)"),
        ('[close]\nservice_id = "S2"\n', "write [[close]] (double brackets)"),
        ("[[close]]\nservice = 'S2'\n", "[[close]] entry 1, field 'service': not a field"),
        ("[[close]]\nservice = 'S2'\n", "field 'service_id' is missing; add service_id"),
        (
            '[[capacity]]\nservice_id = "S1"\ncapacity = "200"\n',
            "[[capacity]] entry 1, field 'capacity': must be a number",
        ),
        (
            '[[capacity]]\nservice_id = "S1"\ncapacity = -5\n',
            "field 'capacity': cannot be below zero",
        ),
        ('[[move]]\nservice_id = "S1"\neasting = 600000\n', "give both easting and northing"),
        ('[[move]]\nservice_id = "S1"\n', "a move needs easting and northing, or a postcode"),
        (
            '[[open]]\nservice_id = "N1"\nmin_age = 12\nmax_age = 5\n',
            "[[open]] entry 1: min_age 12 is above max_age 5; swap them",
        ),
        (
            '[[open]]\nservice_id = "N1"\ncategories = [1, 2]\n',
            "field 'categories': must be a list of category keys",
        ),
        ('name = "empty"\n', "the scenario has no changes"),
        ("[[close]\n", "not valid TOML"),
    ],
)
def test_scenario_file_problems_name_file_entry_field_and_fix(tmp_path, text, message):
    with pytest.raises(InputError) as err:
        read_scenario(write(tmp_path, text))
    assert message in str(err.value)
    assert "scenario.toml" in str(err.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = '[[close]]\nservice = "S2"\n[[capacity]]\nservice_id = "S1"\ncapacity = "x"\n'
    with pytest.raises(InputError) as err:
        read_scenario(write(tmp_path, text))
    assert "3 problems in the scenario" in str(err.value)
    assert str(err.value).count("\n  - ") == 3


def test_flags_make_a_scenario_and_refuse_bad_shapes():
    scenario = scenario_from_flags(close=["C003"], move=["S1=601000,470900"], capacity=["S2=80"])
    assert [c.action for c in scenario.changes] == ["close", "move", "capacity"]
    assert scenario.changes[1].values == {"easting": 601000.0, "northing": 470900.0}
    assert scenario.changes[0].where == "--close C003"
    assert scenario_from_flags(close=["C003"]).name == "close C003"
    with pytest.raises(InputError, match=r"--move S1=1,2,3: write it as --move ID=EASTING"):
        scenario_from_flags(move=["S1=1,2,3"])
    with pytest.raises(InputError, match=r"--capacity S1=lots: 'lots' is not a number"):
        scenario_from_flags(capacity=["S1=lots"])
    with pytest.raises(InputError, match=r"--capacity S1: write it as"):
        scenario_from_flags(capacity=["S1"])


def test_combine_keeps_every_change():
    both = combine(scenario_from_flags(close=["A"]), scenario_from_flags(close=["B"]))
    assert [c.service_id for c in both.changes] == ["A", "B"]


# --- applying ----------------------------------------------------------------------------


def test_unknown_service_id_names_the_flag_and_lists_close_ids(tiny_run):
    cfg, inputs, _, _ = tiny_run
    with pytest.raises(InputError) as err:
        apply_scenario(
            inputs.services,
            scenario_from_flags(close=["s02"]),
            areas=inputs.areas,
            categories=cfg.categories,
        )
    text = str(err.value)
    assert text.startswith("--close s02: no service 's02' (did you mean 'S2'?)")
    assert "ids like it: S2" in text


def test_unknown_ids_and_categories_in_a_file_name_the_entry(tiny_run, tmp_path):
    cfg, inputs, _, _ = tiny_run
    text = (
        '[[close]]\nservice_id = "S9"\n'
        '[[open]]\nservice_id = "N1"\nname = "X"\ncategories = ["domestic_abus"]\n'
        "easting = 601000\nnorthing = 471000\n"
        '[[open]]\nservice_id = "S1"\n'
        '[[capacity]]\nservice_id = "S2"\ncapacity = 3\n'
        '[[close]]\nservice_id = "S2"\n'
    )
    scenario = read_scenario(write(tmp_path, text))
    with pytest.raises(InputError) as err:
        apply_scenario(inputs.services, scenario, areas=inputs.areas, categories=cfg.categories)
    text = str(err.value)
    assert "scenario.toml, [[close]] entry 1: no service 'S9'" in text
    assert "[[open]] entry 1, field 'categories': 'domestic_abus' is not in [categories]" in text
    assert "did you mean 'domestic_abuse'?" in text
    assert "[[open]] entry 2: service 'S1' is already active; use [[move]]" in text
    assert "service 'S2' is already changed by" in text


def test_a_place_far_outside_the_study_area_is_refused(tiny_run):
    cfg, inputs, _, _ = tiny_run
    with pytest.raises(InputError, match="km outside the study area; check easting and"):
        apply_scenario(
            inputs.services,
            scenario_from_flags(move=["S1=471000,601000"]),  # easting and northing swapped
            areas=inputs.areas,
            categories=cfg.categories,
        )


def test_apply_changes_a_copy_and_says_what_changed(tiny_run, tmp_path):
    cfg, inputs, _, _ = tiny_run
    before = inputs.services.copy()
    scenario = read_scenario(write(tmp_path, GOOD))
    services, changes = apply_scenario(
        inputs.services, scenario, areas=inputs.areas, categories=cfg.categories
    )
    pd.testing.assert_frame_equal(inputs.services, before)  # inputs never change
    assert services.loc["S2", "status"] == "closed"
    assert services.loc["N1", ["status", "capacity", "area_code"]].tolist() == [
        "active", 40.0, "E01000007",
    ]  # fmt: skip
    assert services.loc["N1", "categories"] == ["domestic_abuse"]
    assert (services.loc["S1", "geometry"].x, services.loc["S1", "capacity"]) == (601400, 200)
    assert services.loc["S1", "area_code"] == "E01000002"  # 100 m from E01000001, inside 002
    assert changes["action"].tolist() == ["open", "move", "capacity", "close"]
    assert changes.loc[changes["action"] == "capacity", "detail"].item() == "capacity 120 -> 200"


# --- the differences ---------------------------------------------------------------------


def test_closing_the_only_domestic_abuse_service_loses_exactly_who_it_reached(tiny_run):
    cfg, inputs, model, base = tiny_run
    result = run_scenario(
        cfg, inputs, scenario_from_flags(close=["S2"]), model=model, baseline=base
    )
    gaps = base.sufficiency.gaps
    da = gaps[gaps["category"] == "domestic_abuse"]
    reached = float((da["children"] * da["within_reach"]).sum())
    county = result.reach.set_index(["district_code", "category"]).loc["County"]
    assert county.loc["domestic_abuse", "children_losing_reach"] == reached > 0
    assert county.loc["domestic_abuse", "within_reach_after"] == 0
    assert county.drop("domestic_abuse")["net_change"].eq(0).all()  # nothing else moves
    by_district = result.reach[result.reach["district_code"] != "County"]
    assert by_district.groupby("category")["children_losing_reach"].sum().to_dict() == (
        county["children_losing_reach"].to_dict()
    )
    assert scenario_headline(result)[0].startswith(
        f"Closing Safe Homes (S2) leaves {reached:,.0f} children aged 0-19 with no domestic "
        "abuse within reach"
    )
    areas = result.areas
    assert isinstance(areas, gpd.GeoDataFrame) and areas.index.name == "area_code"
    lost = (
        areas["within_reach_before__domestic_abuse"] & ~areas["within_reach_after__domestic_abuse"]
    )
    assert areas.loc[lost, "categories_lost"].eq("Domestic abuse").all()
    assert areas["children_losing_reach"].sum() == reached


def test_closing_and_reopening_in_the_same_place_changes_nothing(tiny_run, tmp_path):
    cfg, inputs, model, base = tiny_run
    text = (
        '[[close]]\nservice_id = "S2"\n[[open]]\nservice_id = "N1"\nname = "Safe Homes 2"\n'
        'categories = ["domestic_abuse"]\neasting = 602500\nnorthing = 471500\ncapacity = 40\n'
    )
    result = run_scenario(cfg, inputs, read_scenario(write(tmp_path, text)), model=model,
                          baseline=base)  # fmt: skip
    assert result.reach["children_losing_reach"].eq(0).all()
    assert result.reach["children_gaining_reach"].eq(0).all()
    assert result.priority.empty
    assert scenario_headline(result)[0] == (
        "The scenario (2 changes) changes no child's reach of any kind of help."
    )


def test_reopening_a_closed_service_brings_its_category_back(tiny_run, tmp_path):
    cfg, inputs, model, base = tiny_run
    path = write(tmp_path, '[[open]]\nservice_id = "S4"\n')  # S4 parenting, closed
    result = run_scenario(cfg, inputs, read_scenario(path), model=model, baseline=base)
    assert result.changes["detail"].item() == "status closed -> active"
    county = result.reach.set_index(["district_code", "category"]).loc["County"]
    assert county.loc["parenting", "children_gaining_reach"] >= 0
    assert result.after.services.loc["S4", "status"] == "active"


def test_more_capacity_raises_places_per_1000_where_the_service_is(tiny_run):
    cfg, inputs, model, base = tiny_run
    result = run_scenario(cfg, inputs, scenario_from_flags(capacity=["S2=400"]), model=model,
                          baseline=base)  # fmt: skip
    places = result.places.set_index("district_code")
    # S2 is in the East district: 8 areas x 200 children; 360 more places
    assert places.loc["E07000002", "change"] == pytest.approx(1000 * 360 / 1600, abs=0.1)
    assert places.loc["E07000001", "change"] == 0
    assert result.reach["net_change"].eq(0).all()  # capacity does not move reach
    by_cat = result.places_by_category
    da = by_cat[(by_cat["category"] == "domestic_abuse")].set_index("district_code")
    assert (da["change"] > 0).any()


def test_opening_a_service_creates_no_priority_gap_anywhere(demo_baseline, tmp_path):
    """Judged against the baseline's cut-offs, new provision can only close gaps: an area
    far from the new site must not become a priority gap because the county's lines moved."""
    cfg, inputs, base = demo_baseline
    path = write(
        tmp_path,
        '[[open]]\nservice_id = "N1"\nname = "New refuge outreach"\n'
        'categories = ["domestic_abuse"]\neasting = 630000\nnorthing = 495000\ncapacity = 60\n',
    )
    result = run_scenario(cfg, inputs, read_scenario(path), baseline=base)
    assert result.new_priority_gaps.empty
    assert result.after.sufficiency.cutoffs is base.sufficiency.cutoffs
    assert result.after.model is base.model  # one distance model for both runs
    reach = result.reach.set_index(["district_code", "category"]).loc["County"]
    assert reach.loc["domestic_abuse", "children_gaining_reach"] >= 0


@pytest.fixture(scope="module")
def demo_baseline(demo_assessment):
    return demo_assessment.config, demo_assessment.inputs, demo_assessment


# --- the demo's critical centre ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_closure(demo_assessment):
    from earlyhelp.demo import planted

    story = planted()
    cfg, inputs = demo_assessment.config, demo_assessment.inputs
    closing = scenario_from_flags(close=[story["critical_centre"]])
    result = run_scenario(cfg, inputs, closing, baseline=demo_assessment)
    return story, inputs, result


def test_closing_the_critical_centre_strands_its_children(demo_closure):
    story, inputs, result = demo_closure
    areas = result.areas
    cat = "childrens_centre"
    reach = story["critical_reach_areas"]
    was = areas.loc[reach, f"within_reach_before__{cat}"]
    now = areas.loc[reach, f"within_reach_after__{cat}"]
    # nearly all of its areas that had a centre within reach lose it (a few on the edge of its
    # patch are near another centre)
    assert was.sum() > 40 and (was & ~now).sum() >= 0.8 * was.sum()
    lost_areas = areas.index[
        areas[f"within_reach_before__{cat}"] & ~areas[f"within_reach_after__{cat}"]
    ]
    assert set(lost_areas) <= set(reach)  # and nobody else
    bands = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17"]
    stranded_0_17 = inputs.need.loc[lost_areas, bands].to_numpy().sum()
    # the README: its reach areas hold 30,323 children aged 0-17, and the next centre is 9.4 km
    # away; those its areas had within reach (2 km in towns, 8 km in the country) lose it
    assert 10_000 < stranded_0_17 <= 30_323
    county = result.reach.set_index(["district_code", "category"]).loc["County"]
    # children of a children's centre's ages (0-4, in config.toml) in those areas
    assert county.loc[cat, "children_losing_reach"] >= inputs.need.loc[lost_areas, "pop_0_4"].sum()
    assert scenario_headline(result)[0].startswith(
        "Closing Saltmarrow Family Hub (C003) leaves "
    ) and scenario_headline(result)[0].endswith(f"most in {story['critical_town']}.")


# --- the command line ------------------------------------------------------------------


def test_scenario_command_writes_tables_layers_and_manifest(tiny, tmp_path):
    path = write(tmp_path, GOOD)
    out = tmp_path / "scen"
    args = ["scenario", "--config", str(tiny.config), "--file", str(path), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "The scenario 'Review option 2' (4 changes) changes no child's reach" in result.output
    names = {"changes", "reach_change", "priority_changes", "places_change",
             "places_by_category", "areas_changed"}  # fmt: skip
    assert {p.name for p in (out / "tables").iterdir()} == {
        "README.txt",
        *(f"{n}_NOT_FOR_PUBLICATION.csv" for n in names),
    }
    manifest = json.loads((out / "manifest.json").read_text())
    record = next(r for r in manifest["inputs"] if r["role"] == "scenario")
    assert record["sha256"] == file_sha256(path)
    assert manifest["scenario"]["name"] == "Review option 2"
    assert manifest["results"]["changes"] == 4
    services = gpd.read_file(out / "results.gpkg", layer="changed_services")
    assert sorted(services["service_id"]) == ["N1", "S1", "S2"]
    assert manifest["outputs"]["tables/changes_NOT_FOR_PUBLICATION.csv"].startswith("analyst")
    assert (out / "tables/changes_NOT_FOR_PUBLICATION.csv").read_text().startswith("action,")
    page = (out / "map.html").read_text(encoding="utf-8")  # the before/after map
    assert "Children who lose a kind of help within reach" in page


def test_scenario_command_errors_exit_2_with_one_message(tiny, tmp_path):
    base = ["scenario", "--config", str(tiny.config), "--out", str(tmp_path / "s")]
    result = runner.invoke(app, [*base, "--close", "S9"])
    assert result.exit_code == 2
    assert "earlyhelp: error: --close S9: no service 'S9'" in result.output
    result = runner.invoke(app, base)
    assert result.exit_code == 2 and "no changes given" in result.output
    bad = write(tmp_path, '[[close]]\nservice = "S2"\n')
    result = runner.invoke(app, [*base, "--file", str(bad)])
    assert result.exit_code == 2 and "field 'service': not a field of [[close]]" in result.output
    assert not (tmp_path / "s").exists()  # nothing half-written
    ok = runner.invoke(app, [*base, "--close", "S2"])
    assert ok.exit_code == 0, ok.output
    assert "Closing Safe Homes (S2) leaves" in ok.output
