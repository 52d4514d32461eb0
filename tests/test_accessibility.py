"""Accessibility measures on tiny grids with closed-form answers, and parity with PySAL."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from access import Access, weights

from earlyhelp.accessibility import (
    DECAYS,
    MEASURES,
    STEP_WEIGHTS,
    AccessResult,
    build_catchment,
    compute_access,
    count_within,
    decay_weights,
    enhanced_two_step_fca,
    gravity_access,
    nearest_service,
    two_step_fca,
)
from earlyhelp.config import AccessConfig, CategoryConfig
from earlyhelp.distance import EuclideanModel, true_costs
from earlyhelp.errors import ConfigError, EarlyHelpError
from earlyhelp.need import AGE_BANDS, children_in_ages
from earlyhelp.provision import age_band_mask, classify_services

CRS = "EPSG:27700"
BANDS = list(AGE_BANDS)


def _areas(xy, rural=None) -> gpd.GeoDataFrame:
    """Square areas of 100 m centred on ``xy``, indexed A0, A1, ..."""
    xy = np.asarray(xy, dtype=float)
    index = pd.Index([f"A{i}" for i in range(len(xy))], name="area_code")
    return gpd.GeoDataFrame(
        {
            "area_name": list(index),
            "district_code": "E07000001",
            "district_name": "Testshire",
            "rural_urban": rural if rural is not None else ["urban"] * len(xy),
        },
        geometry=shapely.points(xy).tolist(),
        index=index,
        crs=CRS,
    ).assign(geometry=lambda d: d.buffer(50, cap_style="square"))


def _origins(areas: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The exact centres of the square areas, so distances are known."""
    return areas.geometry.centroid.rename("origin")


def _need(index, children) -> pd.DataFrame:
    """Every child in one band (5-10) unless a table of bands is given."""
    children = np.asarray(children, dtype=float)
    if children.ndim == 1:
        table = np.zeros((len(children), len(BANDS)))
        table[:, 1] = children
    else:
        table = children
    return pd.DataFrame(table, index=pd.Index(index, name="area_code"), columns=BANDS)


def _services(xy, **columns) -> gpd.GeoDataFrame:
    n = len(xy)
    base = {
        "name": [f"Service {i}" for i in range(n)],
        "provider": "Test provider",
        "sector": "voluntary",
        "categories": [["family_support"] for _ in range(n)],
        "min_age": 0.0,
        "max_age": 19.0,
        "capacity": 10.0,
        "annual_cost": np.nan,
        "delivery": "in_person",
        "status": "active",
        "reach_areas": [[] for _ in range(n)],
    }
    base.update(columns)
    return gpd.GeoDataFrame(
        base,
        geometry=shapely.points(np.asarray(xy, dtype=float)).tolist(),
        index=pd.Index([f"S{i}" for i in range(n)], name="service_id"),
        crs=CRS,
    )


CATS = {"family_support": CategoryConfig(reach_urban_m=2000.0, reach_rural_m=8000.0)}


def _run(areas, need, services, **cfg) -> AccessResult:
    options = {"distance_model": "euclidean", "outreach_extra_m": 0.0}
    options.update(cfg)
    return compute_access(
        areas, need, services, CATS, AccessConfig(**options), origins=_origins(areas)
    )


# --------------------------------------------------------------------------------------
# Floating catchments: closed forms
# --------------------------------------------------------------------------------------


def test_one_huge_catchment_gives_total_supply_over_total_demand_everywhere():
    rng = np.random.default_rng(1)
    areas = _areas(rng.uniform(0, 20_000, size=(25, 2)))
    children = rng.integers(10, 500, size=25)
    services = _services(rng.uniform(0, 20_000, size=(7, 2)), capacity=rng.uniform(5, 50, 7))
    result = _run(
        areas,
        _need(areas.index, children),
        services,
        catchment_m=1e7,
        measures=("2sfca", "e2sfca"),
        decay="step",
    )
    want = services["capacity"].sum() / children.sum()
    np.testing.assert_allclose(result.wide["2sfca__family_support"], want, rtol=1e-12)
    # A step catchment whose first band holds everything is the plain 2SFCA.
    np.testing.assert_allclose(result.wide["e2sfca__family_support"], want, rtol=1e-12)


def test_a_tiny_catchment_gives_each_site_its_own_ratio():
    # One service on each area's centre (distance 0), areas 5 km apart, catchment 1 m.
    xy = [[0, 0], [5000, 0], [0, 5000], [5000, 5000]]
    areas = _areas(xy)
    children = np.array([100.0, 40.0, 250.0, 80.0])
    capacity = np.array([10.0, 20.0, 5.0, 8.0])
    services = _services(xy, capacity=capacity)
    result = _run(
        areas,
        _need(areas.index, children),
        services,
        catchment_m=1.0,
        measures=("2sfca", "e2sfca", "gravity", "nearest"),
    )
    want = capacity / children
    for measure in ("2sfca", "e2sfca", "gravity"):
        np.testing.assert_allclose(result.wide[f"{measure}__family_support"], want, rtol=1e-12)
    np.testing.assert_array_equal(result.wide["nearest__family_support"], 0.0)
    assert list(result.nearest_service["family_support"]) == ["S0", "S1", "S2", "S3"]


def test_step_decay_e2sfca_closed_form():
    # Catchment 9 km in bands of 3 km weighted 1, 0.68, 0.22 (Luo and Qi).
    areas = _areas([[1000, 0], [5000, 0], [8000, 0], [9500, 0]])
    children = np.array([100.0, 50.0, 30.0, 1000.0])
    services = _services([[0, 0]], capacity=[10.0])
    result = _run(
        areas,
        _need(areas.index, children),
        services,
        catchment_m=9000.0,
        measures=("e2sfca",),
        decay="step",
    )
    demand = 100 * 1.0 + 50 * 0.68 + 30 * 0.22  # the 4th area is outside the catchment
    want = np.array([1.0, 0.68, 0.22, 0.0]) * 10.0 / demand
    np.testing.assert_allclose(result.wide["e2sfca__family_support"], want, rtol=1e-12)


def test_fca_conserves_total_supply():
    """Σ_i demand_i × access_i equals Σ_j supply_j when every service has demand in reach."""
    rng = np.random.default_rng(7)
    areas = _areas(rng.uniform(0, 10_000, size=(40, 2)))
    demand = pd.Series(rng.uniform(10, 200, 40), index=areas.index)
    services = _services(rng.uniform(2000, 8000, size=(6, 2)), capacity=rng.uniform(1, 9, 6))
    catchment = build_catchment(EuclideanModel(), _origins(areas), services, max_cost=4000.0)
    supply = services["capacity"]
    for value in (
        two_step_fca(catchment, demand=demand, supply=supply),
        enhanced_two_step_fca(catchment, demand=demand, supply=supply, decay="linear"),
        gravity_access(catchment, demand=demand, supply=supply, beta=2.0, min_cost=50.0),
    ):
        assert (demand * value).sum() == pytest.approx(supply.sum(), rel=1e-12)


def test_decays_are_one_at_the_site_and_zero_beyond_the_catchment():
    for name in DECAYS:
        w = decay_weights(np.array([0.0, 500.0, 1000.0, 1000.1]), decay=name, catchment_cost=1000)
        assert w[0] == 1.0 and w[-1] == 0.0 and (np.diff(w) <= 0).all()
    step = decay_weights(np.array([0, 1, 1.0001, 2, 2.5, 3, 3.1]), decay="step", catchment_cost=3)
    np.testing.assert_allclose(step, [1, 1, 0.68, 0.68, 0.22, 0.22, 0])
    with pytest.raises(ConfigError, match="did you mean 'gaussian'"):
        decay_weights(np.zeros(1), decay="gausian", catchment_cost=1)


# --------------------------------------------------------------------------------------
# Eligibility
# --------------------------------------------------------------------------------------


def test_closed_planned_and_online_services_do_not_count_as_local():
    areas = _areas([[0, 0]])
    services = _services(
        [[0, 0], [100, 0], [200, 0], [300, 0], [400, 0]],
        status=["active", "closed", "planned", "active", "active"],
        delivery=["in_person", "in_person", "in_person", "online", "phone"],
    )
    result = _run(
        areas,
        _need(areas.index, [100]),
        services,
        measures=("count_within_reach", "2sfca"),
    )
    assert result.wide.loc["A0", "count_within_reach__family_support"] == 1
    assert result.wide.loc["A0", "2sfca__family_support"] == pytest.approx(10 / 100)
    assert list(result.remote_services["service_id"]) == ["S3", "S4"]
    assert list(result.remote_services["delivery"]) == ["online", "phone"]
    row = result.eligibility.loc["family_support"]
    assert (row["local"], row["not_active"], row["remote"]) == (1, 2, 2)
    assert any("planned or closed" in n for n in result.notes)


def test_a_service_serves_only_the_children_in_its_age_range():
    areas = _areas([[0, 0], [1000, 0]])
    bands = np.array([[60.0, 30, 0, 0, 0], [20, 90, 0, 0, 0]])  # under-5s, 5-10s
    services = _services([[500, 0], [500, 0]], min_age=[0.0, 5.0], max_age=[4.0, 10.0])
    result = _run(areas, _need(areas.index, bands), services, catchment_m=5000, measures=("2sfca",))
    # S0 (ages 0-4) shares 10 places among 80 under-5s, S1 (5-10) among 120 children 5-10;
    # each reaches only the children of its ages: A0's 60 under-5s get 10/80 each and its
    # 30 children 5-10 get 10/120 each, so its 90 children average 10/90 places
    want = [(60 * 10 / 80 + 30 * 10 / 120) / 90, (20 * 10 / 80 + 90 * 10 / 120) / 110]
    got = result.wide["2sfca__family_support"]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # supply is conserved: the places the areas' children get add up to the 20 places
    assert (got * bands.sum(axis=1)).sum() == pytest.approx(20.0)


def test_age_band_mask_follows_children_in_ages():
    services = _services(
        [[0, 0]] * 5, min_age=[0.0, 3.5, 11.0, 18.0, np.nan], max_age=[4.0, 12.0, 11.0, 25.0, 2.0]
    )
    need = _need(["A0"], np.array([[1.0, 10, 100, 1000, 10000]]))
    mask = age_band_mask(services)
    for sid, row in services.fillna({"min_age": 0.0}).iterrows():
        expected = children_in_ages(need, min_age=row["min_age"], max_age=row["max_age"])
        assert (need[BANDS].to_numpy() @ mask.loc[sid].to_numpy())[0] == expected.iloc[0]


def test_services_outside_every_band_or_without_location_are_left_out():
    services = _services([[0, 0], [0, 0], [0, 0]], min_age=[0.0, 25.0, 0.0])
    services.loc["S2", "geometry"] = None
    roles = classify_services(services, categories=["family_support"])
    assert list(roles["role"]) == ["local", "no_ages", "no_location"]


def test_outreach_reaches_further():
    areas = _areas([[0, 0]])
    services = _services([[4000, 0]], delivery=["outreach"])
    result = _run(
        areas,
        _need(areas.index, [50]),
        services,
        outreach_extra_m=3000.0,
        measures=("nearest", "within_reach", "count_within_reach"),
    )
    assert result.wide.loc["A0", "nearest__family_support"] == pytest.approx(1000.0)
    assert result.wide.loc["A0", "within_reach__family_support"]  # 2 km urban threshold
    assert result.wide.loc["A0", "count_within_reach__family_support"] == 1
    in_person = _run(
        areas,
        _need(areas.index, [50]),
        services.assign(delivery="in_person"),
        outreach_extra_m=3000.0,
        measures=("within_reach",),
    )
    assert not in_person.wide.loc["A0", "within_reach__family_support"]


def test_outreach_never_goes_below_zero_and_nearest_prefers_it_when_closer():
    areas = _areas([[0, 0]])
    services = _services([[2000, 0], [1500, 0]], delivery=["outreach", "in_person"])
    found = nearest_service(EuclideanModel(), _origins(areas), services, outreach_extra=3000.0)
    assert found.loc["A0", "service_id"] == "S0" and found.loc["A0", "cost"] == 0.0


def test_an_outreach_service_shows_its_true_distance_beside_its_effective_cost():
    """An outreach service 1.8 km away (straight line 1.5 km x 1.2) travels 3 km to
    families: for reach it counts as 0 m away, but the distance shown is 1.8 km."""
    areas = _areas([[0, 0], [9000, 0]])
    services = _services([[1500, 0], [9000, 0]], delivery=["outreach", "in_person"])
    result = _run(
        areas,
        _need(areas.index, [50, 50]),
        services,
        circuity=1.2,
        outreach_extra_m=3000.0,
        measures=("nearest", "within_reach"),
    )
    row = result.wide.loc["A0"]
    assert row["nearest__family_support"] == 0.0  # effective: what reach is decided on
    assert row["distance__family_support"] == pytest.approx(1800.0)  # true: what is shown
    assert row["nearest_outreach__family_support"]
    assert row["within_reach__family_support"]
    other = result.wide.loc["A1"]  # an in-person service on the spot: both costs agree
    assert other["distance__family_support"] == other["nearest__family_support"] == 0.0
    assert not other["nearest_outreach__family_support"]
    assert set(result.tidy["measure"]) == {
        "nearest",
        "distance",
        "nearest_outreach",
        "within_reach",
    }
    assert result.params["cost_description"] == "estimated road distance (straight line x 1.2)"


def test_the_true_distance_is_to_the_service_nearest_for_reach():
    """An in-person service 2 km away and an outreach one 4 km away that travels 3 km:
    the outreach one is nearest for reach (1 km effective), and its 4 km is shown."""
    areas = _areas([[0, 0]])
    services = _services([[2000, 0], [4000, 0]], delivery=["in_person", "outreach"])
    found = nearest_service(EuclideanModel(), _origins(areas), services, outreach_extra=3000.0)
    assert found.loc["A0"].to_dict() == {
        "service_id": "S1",
        "cost": 1000.0,
        "distance": 4000.0,
        "outreach": True,
    }
    none = nearest_service(EuclideanModel(), _origins(areas), services.iloc[:0])
    assert pd.isna(none.loc["A0", "distance"]) and not none.loc["A0", "outreach"]


def test_companion_measures_are_not_chosen_by_name():
    assert [m.name for m in MEASURES["nearest"].with_companions()] == [
        "nearest",
        "distance",
        "nearest_outreach",
    ]
    assert "distance" not in MEASURES and "nearest_outreach" not in MEASURES
    areas = _areas([[0, 0]])
    result = _run(areas, _need(areas.index, [5]), _services([[0, 0]]), measures=("2sfca",))
    assert list(result.wide.columns) == ["2sfca__family_support"]


def test_catchment_keeps_the_order_of_services_when_outreach_is_mixed_in():
    areas = _areas([[0, 0], [9000, 0]])
    services = _services(
        [[1000, 0], [4000, 0], [500, 0], [9000, 0]],
        delivery=["in_person", "outreach", "in_person", "outreach"],
    )
    catchment = build_catchment(
        EuclideanModel(), _origins(areas), services, max_cost=2000.0, outreach_extra=3000.0
    )
    assert list(catchment.services) == ["S0", "S1", "S2", "S3"]
    costs = true_costs(catchment.costs.toarray())
    np.testing.assert_allclose(costs, [[1000, 1000, 500, 0], [0, 2000, 0, 0]])
    stored = catchment.costs.toarray() > 0
    np.testing.assert_array_equal(stored, [[1, 1, 1, 0], [0, 1, 0, 1]])  # 0 m kept
    part = catchment.subset(["S3", "S0"])
    np.testing.assert_allclose(true_costs(part.costs.toarray()), [[0, 1000], [0, 0]])
    assert list(part.services) == ["S3", "S0"]


def test_capacity_falls_back_to_one_place_and_is_reported():
    areas = _areas([[0, 0]])
    services = _services([[0, 0], [10, 0], [20, 0]], capacity=[10.0, np.nan, np.nan])
    result = _run(areas, _need(areas.index, [120]), services, measures=("2sfca",))
    assert result.wide.loc["A0", "2sfca__family_support"] == pytest.approx(12 / 120)
    assert result.eligibility.loc["family_support", "capacity_missing"] == 2
    assert any("2 of 3 services have no capacity" in n for n in result.notes)


# --------------------------------------------------------------------------------------
# Reach
# --------------------------------------------------------------------------------------


def test_urban_and_rural_areas_have_their_own_thresholds():
    # Three areas 5 km from the only service: urban (2 km), rural (8 km), unclassified.
    areas = _areas([[5000, 0], [0, 5000], [-5000, 0]], rural=["urban", "rural", None])
    services = _services([[0, 0]])
    result = _run(
        areas,
        _need(areas.index, [10, 10, 10]),
        services,
        measures=("within_reach", "count_within_reach"),
    )
    assert list(result.wide["within_reach__family_support"]) == [False, True, False]
    assert list(result.wide["count_within_reach__family_support"]) == [0, 1, 0]
    assert result.params["reach_thresholds"]["family_support"] == {"urban": 2000, "rural": 8000}
    assert any("1 areas have no rural/urban class" in n for n in result.notes)


def test_count_within_refuses_a_threshold_beyond_the_catchment():
    areas = _areas([[0, 0]])
    catchment = build_catchment(EuclideanModel(), _origins(areas), _services([[0, 0]]), max_cost=10)
    with pytest.raises(ValueError, match="larger max_cost"):
        count_within(catchment, threshold=20.0)


def test_minutes_models_use_minute_thresholds():
    table = pd.DataFrame(
        {"area_code": ["A0", "A1"], "service_id": ["S0", "S0"], "minutes": [10.0, 25.0]}
    )
    areas = _areas([[0, 0], [1, 1]], rural=["urban", "urban"])
    result = compute_access(
        areas,
        _need(areas.index, [5, 5]),
        _services([[0, 0]]),
        CATS,
        AccessConfig(
            distance_model="matrix",
            catchment_min=30.0,
            measures=("nearest", "within_reach", "count_within_reach", "2sfca"),
        ),
        matrix=table,
    )
    assert result.params["unit"] == "min"
    wide = result.wide
    assert list(wide["nearest__family_support"]) == [10.0, 25.0]
    assert list(wide["within_reach__family_support"]) == [True, False]  # 20 min urban
    assert list(wide["count_within_reach__family_support"]) == [1, 0]
    np.testing.assert_allclose(wide["2sfca__family_support"], [10 / 10, 10 / 10])


def test_network_model_runs_end_to_end():
    road = gpd.GeoDataFrame(geometry=[shapely.linestrings([[0, 0], [4800, 0]])], crs=CRS)
    areas = _areas([[0, 0], [4800, 0]])
    result = compute_access(
        areas,
        _need(areas.index, [5, 5]),
        _services([[0, 0]]),
        CATS,
        AccessConfig(distance_model="network", walk_kph=4.8, measures=("nearest", "2sfca")),
        roads=road,
        origins=_origins(areas),
    )
    np.testing.assert_allclose(result.wide["nearest__family_support"], [0.0, 60.0])
    # The second area is 60 minutes away, beyond the 30-minute catchment.
    np.testing.assert_allclose(result.wide["2sfca__family_support"], [10 / 5, 0.0])


def test_on_a_road_network_the_true_cost_is_the_walk_in_minutes():
    """An outreach service an hour's walk away travels 3 km (37.5 minutes at 4.8 km/h)
    to families: reach counts 22.5 minutes, the time shown is the real 60 minutes."""
    road = gpd.GeoDataFrame(geometry=[shapely.linestrings([[0, 0], [4800, 0]])], crs=CRS)
    areas = _areas([[0, 0], [4800, 0]])
    result = compute_access(
        areas,
        _need(areas.index, [5, 5]),
        _services([[4800, 0]], delivery=["outreach"]),
        CATS,
        AccessConfig(distance_model="network", walk_kph=4.8, outreach_extra_m=3000.0),
        roads=road,
        origins=_origins(areas),
    )
    np.testing.assert_allclose(result.wide["nearest__family_support"], [22.5, 0.0])
    np.testing.assert_allclose(result.wide["distance__family_support"], [60.0, 0.0])
    assert result.wide["nearest_outreach__family_support"].all()
    assert result.params["unit"] == "min"
    assert result.params["cost_description"] == "walking time along the road network"


# --------------------------------------------------------------------------------------
# The result and its options
# --------------------------------------------------------------------------------------


def test_result_tables_are_aligned_and_named():
    areas = _areas([[0, 0], [3000, 0], [9000, 0]])
    services = _services([[0, 0], [2500, 0]], categories=[["family_support"], ["parenting"]])
    cats = {**CATS, "parenting": CategoryConfig()}
    result = compute_access(
        areas,
        _need(areas.index, [10, 20, 30]),
        services,
        cats,
        AccessConfig(),
        origins=_origins(areas),
    )
    measures = AccessConfig().measures
    # nearest brings its companions, distance and nearest_outreach, right after it,
    # share_within_reach brings reach_bands, and e2sfca (last of the defaults)
    # capacity_unknown
    share = measures.index("share_within_reach") + 1
    columns = [
        *measures[:1],
        "distance",
        "nearest_outreach",
        *measures[1:share],
        "reach_bands",
        *measures[share:],
        "capacity_unknown",
    ]
    assert list(result.wide.columns) == [f"{m}__{c}" for c in cats for m in columns]
    assert result.wide.index.equals(areas.index)
    assert list(result.tidy.columns) == ["area_code", "category", "measure", "value"]
    assert len(result.tidy) == len(areas) * len(cats) * len(columns)
    one = result.tidy.query("measure == 'nearest' and category == 'parenting'")
    np.testing.assert_allclose(one["value"], [2500.0, 500.0, 6500.0])
    # family support's one service takes every age: every band (bits 1+2+4+8+16) is in
    # reach exactly where the service is
    pick = "category == 'family_support' and measure == "
    bands = result.tidy.query(pick + "'reach_bands'")["value"].to_numpy()
    within = result.tidy.query(pick + "'within_reach'")["value"].to_numpy()
    assert list(bands) == [31.0 if hit else 0.0 for hit in within] and within.any()
    assert list(result.nearest_service["parenting"]) == ["S1"] * 3
    assert result.params["measures"] == list(measures)


def test_a_category_with_no_service_scores_zero_and_is_noted():
    areas = _areas([[0, 0]])
    cats = {**CATS, "youth_work": CategoryConfig()}
    result = compute_access(
        areas,
        _need(areas.index, [10]),
        _services([[0, 0]]),
        cats,
        AccessConfig(measures=("nearest", "within_reach", "count_within_reach", "e2sfca")),
        origins=_origins(areas),
    )
    row = result.wide.loc["A0"]
    assert np.isnan(row["nearest__youth_work"]) and not row["within_reach__youth_work"]
    assert row["count_within_reach__youth_work"] == 0 and row["e2sfca__youth_work"] == 0
    assert pd.isna(result.nearest_service.loc["A0", "youth_work"])
    assert "youth_work: no active in-person or outreach service" in result.notes


def test_need_weights_scale_demand():
    areas = _areas([[0, 0], [1000, 0]])
    services = _services([[500, 0]], capacity=[30.0])
    need = _need(areas.index, [10, 10])
    weight = pd.Series([2.0, 1.0], index=areas.index)
    result = compute_access(
        areas,
        need,
        services,
        CATS,
        AccessConfig(measures=("2sfca",), weight_demand_by_need=True),
        need_weight=weight,
        origins=_origins(areas),
    )
    np.testing.assert_allclose(result.wide["2sfca__family_support"], 30 / 30)
    with pytest.raises(EarlyHelpError, match="weight_demand_by_need"):
        compute_access(
            areas,
            need,
            services,
            CATS,
            AccessConfig(weight_demand_by_need=True),
            origins=_origins(areas),
        )


def test_unknown_measure_names_the_choices():
    areas = _areas([[0, 0]])
    with pytest.raises(ConfigError, match="did you mean 'e2sfca'"):
        _run(areas, _need(areas.index, [1]), _services([[0, 0]]), measures=("e2sfc",))
    assert set(MEASURES) == {
        "nearest",
        "within_reach",
        "share_within_reach",
        "count_within_reach",
        "2sfca",
        "e2sfca",
        "gravity",
    }


def test_inputs_are_not_modified():
    areas = _areas([[0, 0], [3000, 0]])
    need = _need(areas.index, [10, 20])
    services = _services([[0, 0]], capacity=[np.nan])
    before = (areas.copy(), need.copy(), services.copy())
    _run(areas, need, services, measures=tuple(MEASURES))
    for frame, copy in zip((areas, need, services), before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)


# --------------------------------------------------------------------------------------
# Parity with PySAL access
# --------------------------------------------------------------------------------------


def _pysal(catchment_m: float, seed: int):
    rng = np.random.default_rng(seed)
    a_xy = rng.uniform(0, 20_000, size=(60, 2))
    s_xy = rng.uniform(0, 20_000, size=(25, 2))
    areas = _areas(a_xy)
    demand = pd.Series(rng.uniform(50, 900, 60), index=areas.index, name="children")
    services = _services(s_xy, capacity=rng.uniform(1, 60, 25).round(1))
    origins = _origins(areas)
    catchment = build_catchment(EuclideanModel(), origins, services, max_cost=catchment_m)
    dist = np.hypot(*(a_xy[:, None, :] - s_xy[None, :, :]).transpose(2, 0, 1))
    cost_df = pd.DataFrame(
        {
            "origin": np.repeat(areas.index.to_numpy(), len(services)),
            "dest": np.tile(services.index.to_numpy(), len(areas)),
            "cost": dist.ravel(),
        }
    )
    acc = Access(
        demand_df=demand.to_frame(),
        demand_index=True,
        demand_value="children",
        supply_df=services[["capacity"]].copy(),
        supply_index=True,
        supply_value="capacity",
        cost_df=cost_df,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    return acc, catchment, demand, services["capacity"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_parity_with_pysal_access(seed):
    size = 6000.0
    acc, catchment, demand, supply = _pysal(size, seed)
    kw = {"demand": demand, "supply": supply}

    theirs = acc.two_stage_fca(name="t", max_cost=size)["t_capacity"].fillna(0.0)
    ours = two_step_fca(catchment, **kw)
    np.testing.assert_allclose(ours, theirs.reindex(ours.index), rtol=0, atol=1e-9)

    edges = size * np.arange(1, 4) / 3
    edges[-1] = size
    step = weights.step_fn(dict(zip(edges, STEP_WEIGHTS, strict=True)))
    theirs = acc.enhanced_two_stage_fca(name="e", max_cost=size, weight_fn=step)["e_capacity"]
    ours = enhanced_two_step_fca(catchment, **kw, decay="step")
    np.testing.assert_allclose(ours, theirs.fillna(0.0).reindex(ours.index), atol=1e-9)

    def gauss(d):
        return decay_weights(np.array([d]), decay="gaussian", catchment_cost=size)[0]

    theirs = acc.enhanced_two_stage_fca(name="g", max_cost=size, weight_fn=gauss)["g_capacity"]
    ours = enhanced_two_step_fca(catchment, **kw, decay="gaussian")
    np.testing.assert_allclose(ours, theirs.fillna(0.0).reindex(ours.index), atol=1e-9)

    grav = weights.gravity(scale=100.0, alpha=-1.5, min_dist=100.0)
    theirs = acc.two_stage_fca(name="v", max_cost=size, weight_fn=grav)["v_capacity"]
    ours = gravity_access(catchment, **kw, beta=1.5, min_cost=100.0)
    np.testing.assert_allclose(ours, theirs.fillna(0.0).reindex(ours.index), atol=1e-9)


def test_a_service_reaches_only_the_children_of_its_ages():
    """A group for the under-fives next door does not put a fourteen-year-old in reach:
    within reach means every child of the category's ages has a service for their age."""
    areas = _areas([[0, 0], [5000, 0]])
    bands = np.zeros((2, len(BANDS)))
    bands[:, 0] = 40.0  # 0-4
    bands[:, 2] = 60.0  # 11-15
    need = _need(areas.index, bands)
    services = _services(
        [[0, 0], [5000, 0], [5000, 100]], min_age=[0.0, 0.0, 11.0], max_age=[4.0, 4.0, 17.0]
    )
    result = _run(areas, need, services, measures=("within_reach", "share_within_reach"))
    wide = result.wide
    assert wide.loc["A0", "share_within_reach__family_support"] == pytest.approx(0.4)
    assert not wide.loc["A0", "within_reach__family_support"]
    assert wide.loc["A1", "share_within_reach__family_support"] == pytest.approx(1.0)
    assert wide.loc["A1", "within_reach__family_support"]


def test_a_uniform_need_weight_divides_places_per_child_by_it():
    """Weighting every area's demand by c spreads the same places over c times the
    children: E2SFCA and 2SFCA fall by exactly c; nearest and reach do not move."""
    rng = np.random.default_rng(11)
    areas = _areas(rng.uniform(0, 5000, size=(12, 2)))
    need = _need(areas.index, rng.integers(50, 300, size=12))
    services = _services(rng.uniform(0, 5000, size=(5, 2)))
    measures = ("nearest", "within_reach", "2sfca", "e2sfca")
    plain = _run(areas, need, services, measures=measures)
    weight = pd.Series(2.5, index=areas.index)
    weighted = compute_access(
        areas,
        need,
        services,
        CATS,
        AccessConfig(
            distance_model="euclidean",
            outreach_extra_m=0.0,
            measures=measures,
            weight_demand_by_need=True,
        ),
        origins=_origins(areas),
        need_weight=weight,
    )
    for m in ("2sfca", "e2sfca"):
        col = f"{m}__family_support"
        assert np.allclose(weighted.wide[col], plain.wide[col] / 2.5)
    for m in ("nearest", "within_reach"):
        col = f"{m}__family_support"
        pd.testing.assert_series_equal(weighted.wide[col], plain.wide[col])
