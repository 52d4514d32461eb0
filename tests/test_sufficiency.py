"""Sufficiency: the range-of-help rule by hand, gap classes, totals, and the demo's stories."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from earlyhelp.config import CategoryConfig, load_config
from earlyhelp.errors import InputError
from earlyhelp.sufficiency import compare_districts, range_of_help, resourcing

CATS = {
    "parenting": CategoryConfig(label="Parenting"),
    "domestic_abuse": CategoryConfig(label="Domestic abuse"),
    "youth_work": CategoryConfig(label="Youth work", required=False),
}


def gaps_of(reach: dict[str, dict[str, bool | None]]) -> pd.DataFrame:
    """A gap table from reach per area and category (None: the verdict is unknown)."""
    rows = [
        {
            "area_code": a,
            "category": c,
            "within_reach": bool(ok),
            "reach_known": ok is not None,
            "state": "unknown" if ok is None else ("sufficient" if ok else "out of reach"),
        }
        for a, cats in reach.items()
        for c, ok in cats.items()
    ]
    return pd.DataFrame(rows)


def test_range_of_help_lists_what_need_calls_for_but_is_out_of_reach():
    gaps = gaps_of(
        {
            "A": {"parenting": True, "domestic_abuse": False, "youth_work": False},
            "B": {"parenting": False, "domestic_abuse": True, "youth_work": True},
            "C": {"parenting": True, "domestic_abuse": True, "youth_work": False},
            "D": {"parenting": True, "domestic_abuse": None, "youth_work": False},
            "E": {"parenting": False, "domestic_abuse": None, "youth_work": False},
        }
    )
    called = pd.DataFrame(
        {
            "parenting": [False, False, True, False, False],
            "domestic_abuse": [True, False, False, True, True],
            "youth_work": [True, False, False, False, False],
        },
        index=["A", "B", "C", "D", "E"],
    )
    out = range_of_help(gaps, called, CATS)
    assert out.loc["A", "called_for"] == "Domestic abuse; Youth work"
    assert out.loc["A", "missing_called_for"] == "Domestic abuse; Youth work"
    assert out.loc["A", "missing_core"] == "Domestic abuse"  # youth work is not core
    assert out.loc["A", "n_missing"] == 2
    assert out.loc["B", "called_for"] == ""
    assert out.loc["B", "missing_called_for"] == ""
    assert out.loc["B", "missing_core"] == "Parenting"
    assert not out.loc["B", "full_core_range"]
    # C: everything it needs is in reach; youth work is out of reach but neither core nor needed
    assert out.loc["C", "missing_called_for"] == "" and out.loc["C", "n_missing"] == 0
    assert out.loc["C", "full_core_range"]
    # D: domestic abuse cannot be judged: not missing, not in reach; the full range unknown
    assert out.loc["D", "missing_called_for"] == "" and out.loc["D", "unknown"] == "Domestic abuse"
    assert pd.isna(out.loc["D", "full_core_range"])
    # E: a core kind known to be out of reach settles it, whatever else is unknown
    assert out.loc["E", "full_core_range"] == False  # noqa: E712 (a pandas boolean)


def test_resourcing_adds_districts_up_to_the_county():
    areas = gpd.GeoDataFrame(
        {
            "district_code": ["D1", "D1", "D2"],
            "district_name": ["One", "One", "Two"],
            "geometry": [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        },
        index=pd.Index(["A", "B", "C"], name="area_code"),
        crs="EPSG:27700",
    )
    need = pd.DataFrame(
        {b: [10.0, 20.0, 30.0] for b in ["pop_0_4", "pop_5_10"]}
        | {b: [0.0, 0.0, 0.0] for b in ["pop_11_15", "pop_16_17", "pop_18_19"]}
        | {"cin": [1.0, 2.0, 3.0]},
        index=areas.index,
    )
    services = pd.DataFrame(
        {
            "area_code": ["A", "C", "C", None],
            "status": ["active", "active", "closed", "active"],
            "annual_cost": [6000.0, 12000.0, 99999.0, 5000.0],
            "capacity": [10.0, 20.0, 5.0, 1.0],
            "reached": [5.0, np.nan, np.nan, np.nan],
        },
        index=["s1", "s2", "s3", "s4"],
    )
    out = resourcing(areas, need, services, in_need_column="cin")
    assert out.loc["D1", "children"] == 60 and out.loc["D2", "children"] == 60
    assert out.loc["county", "annual_cost"] == 18000  # closed and out-of-area not counted
    assert out.loc["D1", "spend_per_child"] == pytest.approx(100.0)
    assert out.loc["D2", "spend_per_child_in_need"] == pytest.approx(4000.0)
    assert out.loc["county", "cost_per_place"] == pytest.approx(600.0)
    assert out.loc["D1", "cost_per_child_reached"] == pytest.approx(1200.0)
    assert out.loc["D1", "capacity_used"] == pytest.approx(0.5)
    assert np.isnan(out.loc["D2", "cost_per_child_reached"])  # no take-up figures given
    assert out.loc["D1", "reached"] == 5 and np.isnan(out.loc["D2", "reached"])  # not 0
    numeric = out.drop(index="county").select_dtypes("number")
    sums = ["children", "annual_cost", "services", "places"]
    assert (numeric[sums].sum() == out.loc["county", sums].astype(float)).all()


@pytest.fixture(scope="module")
def demo_run(demo_assessment):
    return demo_assessment


def test_demo_district_totals_add_up_to_the_county(demo_run):
    summary = demo_run.sufficiency.summary
    counts = ["children", "children_full_core_range", "priority_gap_children", "areas"]
    districts = summary.drop(index="County")
    assert (districts[counts].sum() == summary.loc["County", counts]).all()
    assert summary.loc["County", "children"] == pytest.approx(
        demo_run.inputs.need[["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]]
        .sum()
        .sum()
    )
    long = demo_run.sufficiency.districts
    reach = long[(long["measure"] == "share_within_reach") & (long["category"] == "parenting")]
    gaps = demo_run.sufficiency.gaps
    parenting = gaps[gaps["category"] == "parenting"]
    assert reach["denominator"].sum() == pytest.approx(parenting["children"].sum())


def test_demo_thin_district_is_significantly_worse(demo_run):
    from earlyhelp.demo import planted

    thin = planted()["thin_district"]
    summary = demo_run.sufficiency.summary.drop(index="County")
    # fewest children where the core kinds of help have adequate places, significantly
    assert summary["pct_adequate_places"].idxmin() == thin
    assert summary.loc[thin, "adequate_vs_county"] == "lower"
    assert summary["capacity_per_1000"].idxmin() == thin
    assert summary["spend_per_child"].idxmin() == thin
    long = demo_run.sufficiency.districts
    places = long[(long["measure"] == "places_per_1000") & (long["district_code"] == thin)]
    # below the county's places per 1,000 in most categories of help
    assert (places["value"] < places["county"]).sum() >= 8
    adequate = long[(long["measure"] == "share_adequate_places") & (long["district_code"] == thin)]
    assert (adequate["comparison"] == "lower").sum() >= 8


def test_demo_estate_lacks_domestic_abuse_support(demo_run):
    from earlyhelp.demo import planted

    estate = planted()["estate_areas"]
    label = demo_run.config.categories["domestic_abuse"].label
    missing = demo_run.sufficiency.range.loc[estate, "missing_called_for"]
    assert missing.str.contains(label).all()
    gaps = demo_run.sufficiency.gaps
    da = gaps[(gaps["category"] == "domestic_abuse") & gaps["area_code"].isin(estate)]
    assert (da["priority"] == "priority gap").all()


def test_demo_rural_stretch_is_out_of_reach_of_childrens_centres(demo_run):
    from earlyhelp.demo import planted

    rural = planted()["rural_areas"]
    gaps = demo_run.sufficiency.gaps
    cc = gaps[(gaps["category"] == "childrens_centre") & gaps["area_code"].isin(rural)]
    assert not cc["within_reach"].any()
    assert (cc["children_out_of_reach"] == cc["children"]).all()


def test_any_district_can_be_compared_with_any_other(demo_run):
    from earlyhelp.demo import planted

    thin = planted()["thin_district"]
    other = "X07000006"
    table = compare_districts(demo_run.sufficiency.districts, thin, other)
    row = table[table["measure"] == "share_full_core_range"].iloc[0]
    assert row["verdict"] == "lower"
    assert row["difference"] == pytest.approx(row[thin] - row[other])
    with pytest.raises(InputError, match="no district 'X07999999'"):
        compare_districts(demo_run.sufficiency.districts, thin, "X07999999")


def test_weighting_demand_by_need_changes_the_competition_for_places(tiny):
    """With weight_demand_by_need the need index weighs each area's demand, so the
    floating-catchment scores change, and the manifest's parameters say so."""
    from earlyhelp.assessment import assess

    plain = assess(load_config(tiny.config))
    tiny.set_config("\n[access]\nweight_demand_by_need = true\n")
    weighted = assess(load_config(tiny.config))
    col = "e2sfca__domestic_abuse"
    assert not plain.access.wide[col].equals(weighted.access.wide[col])
    assert weighted.access.params["weight_demand_by_need"] is True


def test_a_category_may_set_its_own_standard_of_places(tiny):
    """Shortfall is children x (standard - places) / 1,000, with the category's own
    standard where it sets one and [sufficiency] places_per_1000 otherwise."""
    from earlyhelp.assessment import assess

    tiny.set_config(
        "\n[sufficiency]\nplaces_per_1000 = 50\n",
        replace=("[categories.parenting]\n", "[categories.parenting]\nplaces_per_1000 = 400\n"),
    )
    run = assess(load_config(tiny.config))
    gaps = run.sufficiency.gaps
    for key, standard in (("parenting", 400.0), ("domestic_abuse", 50.0)):
        rows = gaps[gaps["category"] == key]
        expected = (rows["children"] * (standard - rows["places_per_1000"]) / 1000).clip(lower=0)
        assert np.allclose(rows["shortfall_places"], expected)
    assert gaps.loc[gaps["category"] == "parenting", "shortfall_places"].sum() > 0
