"""The straight-line access kernel (unsorted KD-tree pairs, per-area catchment limits,
bands reached read from the pairs) against plain references on random inputs: the
engine's general path (a model that gives no pairs: nearest search per age band, one
largest cost for every area), dense distances, and the dense two-step formula.

Coordinates lie on a 100 m grid and thresholds are whole kilometres, so many pairs sit
exactly at a reach distance (3-4-5 triangles, services on an area's row or column), and
some areas lie far from every service."""

from __future__ import annotations

from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from earlyhelp.accessibility import (
    MEASURES,
    build_catchment,
    catchment_band_reach,
    compute_access,
    enhanced_two_step_fca,
    two_step_fca,
)
from earlyhelp.config import AccessConfig, CategoryConfig
from earlyhelp.distance import EuclideanModel, Nearest
from earlyhelp.need import AGE_BANDS
from earlyhelp.provision import age_band_mask

CRS = "EPSG:27700"
BANDS = list(AGE_BANDS)
CATS = {
    "parenting": CategoryConfig(reach_urban_m=3000.0, reach_rural_m=5000.0, max_age=10),
    "youth_work": CategoryConfig(reach_urban_m=2000.0, reach_rural_m=6000.0, min_age=11),
    "family_support": CategoryConfig(reach_urban_m=4000.0, reach_rural_m=12000.0),
}
ALL_MEASURES = tuple(MEASURES)  # every measure the engine has


class _NoPairs:
    """The same straight lines through the general path: no ``cost_pairs``, so the
    engine searches the nearest service per age band and cuts one sparse matrix."""

    name: ClassVar[str] = "euclidean"
    shared_catchment: ClassVar[bool] = False

    def __init__(self, circuity: float) -> None:
        self._inner = EuclideanModel(circuity=circuity)
        self.circuity = circuity

    @property
    def unit(self) -> str:
        return "m"

    def costs(self, origins, destinations, *, max_cost):
        return self._inner.costs(origins, destinations, max_cost=max_cost)

    def nearest(self, origins, destinations) -> Nearest:
        return self._inner.nearest(origins, destinations)

    @classmethod
    def describe(cls, cfg, unit, *, short=False):
        return EuclideanModel.describe(cfg, unit, short=short)


def _county(seed: int, n_areas: int = 120, n_services: int = 90):
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 250, size=(n_areas, 2)) * 100.0
    xy[-5:] += 200_000.0  # far from every service: nothing in reach
    index = pd.Index([f"A{i}" for i in range(n_areas)], name="area_code")
    rural = np.where(rng.random(n_areas) < 0.3, "rural", "urban")
    areas = gpd.GeoDataFrame(
        {"area_name": index, "district_code": "E07000001", "district_name": "T"},
        geometry=shapely.points(xy).tolist(),
        index=index,
        crs=CRS,
    ).assign(rural_urban=rural, geometry=lambda d: d.buffer(20))
    origins = gpd.GeoSeries(shapely.points(xy), index=index, crs=CRS)
    # services at an area, or 3, 4 or 5 km from one along a 3-4-5 triangle or an axis
    at = xy[rng.integers(0, n_areas - 5, n_services)]
    steps = np.array([[0, 0], [3000, 0], [0, 4000], [1800, 2400], [3000, 4000], [2000, 0]])
    s_xy = at + steps[rng.integers(0, len(steps), n_services)] * rng.choice(
        [-1, 1], (n_services, 2)
    )
    ages = np.array([(0, 4), (0, 19), (5, 10), (11, 19), (16, 19)])[rng.integers(0, 5, n_services)]
    keys = list(CATS)
    services = gpd.GeoDataFrame(
        {
            "name": "s",
            "provider": "p",
            "sector": "voluntary",
            "categories": [list(rng.choice(keys, rng.integers(1, 3), replace=False)) for _ in at],
            "min_age": ages[:, 0].astype(float),
            "max_age": ages[:, 1].astype(float),
            "capacity": np.where(
                rng.random(n_services) < 0.8, rng.integers(5, 60, n_services), np.nan
            ),
            "annual_cost": np.nan,
            "delivery": rng.choice(["in_person", "outreach"], n_services, p=[0.7, 0.3]),
            "status": "active",
        },
        geometry=shapely.points(s_xy).tolist(),
        index=pd.Index([f"S{i}" for i in range(n_services)], name="service_id"),
        crs=CRS,
    )
    need = pd.DataFrame(
        rng.integers(0, 40, size=(n_areas, len(BANDS))).astype(float), index=index, columns=BANDS
    )
    need.iloc[:6] = 0.0  # areas with no children
    return areas, need, services, origins


@pytest.mark.parametrize(
    ("seed", "circuity", "extra"), [(0, 1.0, 1000.0), (1, 1.2, 600.0), (2, 1.0, 0.0)]
)
def test_the_pair_path_gives_the_general_path_s_answers(seed, circuity, extra):
    areas, need, services, origins = _county(seed)
    cfg = AccessConfig(
        circuity=circuity, outreach_extra_m=extra, catchment_m=5000.0, measures=ALL_MEASURES
    )
    fast = compute_access(
        areas, need, services, CATS, cfg, origins=origins, model=EuclideanModel(circuity)
    )
    plain = compute_access(
        areas, need, services, CATS, cfg, origins=origins, model=_NoPairs(circuity)
    )
    assert list(fast.wide.columns) == list(plain.wide.columns)
    for column in fast.wide.columns:
        if column.split("__")[0] in ("2sfca", "e2sfca", "gravity"):
            np.testing.assert_allclose(fast.wide[column], plain.wide[column], rtol=1e-12)
        else:  # reach, counts, bands and the nearest: exactly the same
            pd.testing.assert_series_equal(fast.wide[column], plain.wide[column])
    pd.testing.assert_frame_equal(fast.nearest_service, plain.nearest_service)
    reach = fast.wide.filter(regex="^within_reach__")
    assert reach.to_numpy().any() and not reach.iloc[-5:].to_numpy().any()
    assert (fast.wide.filter(regex="^count_within_reach__").iloc[-5:] == 0).all().all()


def _dense_costs(origins, services, circuity, extra) -> np.ndarray:
    """Effective cost of every area-service pair, computed as the KD-tree does."""
    o = np.column_stack([origins.x, origins.y])
    s = np.column_stack([services.geometry.x, services.geometry.y])
    dx, dy = o[:, None, 0] - s[None, :, 0], o[:, None, 1] - s[None, :, 1]
    cost = np.sqrt(dx * dx + dy * dy) * circuity
    out = (services["delivery"] == "outreach").to_numpy()
    cost[:, out] = np.maximum(cost[:, out] - extra, 0.0)
    return cost


@pytest.mark.parametrize("seed", [3, 4])
def test_catchment_pairs_counts_and_bands_match_dense_distances(seed):
    areas, _, services, origins = _county(seed)
    rng = np.random.default_rng(seed)
    limit = np.where(rng.random(len(areas)) < 0.5, 3000.0, 5000.0)
    limit[:3] = -1.0  # keeps nothing
    catchment = build_catchment(
        EuclideanModel(1.0), origins, services, max_cost=limit, outreach_extra=1000.0
    )
    dense = _dense_costs(origins, services, 1.0, 1000.0)
    want = dense <= limit[:, None]
    got = np.zeros_like(want)
    got[catchment.rows, catchment.cols] = True
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(catchment.cost, dense[catchment.rows, catchment.cols])
    assert len(catchment.rows) == want.sum()  # no pair twice
    threshold = pd.Series(np.where(limit > 3000, 5000.0, 3000.0), index=areas.index)
    threshold.iloc[:3] = -1.0
    serves = age_band_mask(services)
    reached = catchment_band_reach(catchment, serves, threshold=threshold, bands=BANDS)
    within = dense <= threshold.to_numpy()[:, None]
    expect = within.astype(int) @ serves[BANDS].to_numpy(dtype=int) > 0
    np.testing.assert_array_equal(reached.to_numpy(), expect)
    assert expect.any() and not expect.all()


def _dense_fca(costs, weight, demand, supply, serves) -> np.ndarray:
    """The two-step formula with dense matrices, band by band."""
    w = np.where(np.isfinite(costs), weight(np.where(np.isfinite(costs), costs, 0.0)), 0.0)
    d, m = demand.to_numpy(), serves.to_numpy(dtype=float)
    total = ((w.T @ d) * m).sum(axis=1)
    ratio = np.divide(supply, total, out=np.zeros_like(supply), where=total > 0)
    by_band = w @ (ratio[:, None] * m)
    kids = d.sum(axis=1)
    return np.divide((by_band * d).sum(axis=1), kids, out=by_band.mean(axis=1), where=kids > 0)


@pytest.mark.parametrize("seed", [5, 6])
def test_floating_catchments_match_the_dense_formula(seed):
    _, need, services, origins = _county(seed)
    size = 5000.0
    catchment = build_catchment(
        EuclideanModel(1.0), origins, services, max_cost=size, outreach_extra=1000.0
    )
    dense = _dense_costs(origins, services, 1.0, 1000.0)
    dense[dense > size] = np.inf
    supply = services["capacity"].fillna(1.0)
    serves = age_band_mask(services)
    got = two_step_fca(catchment, demand=need, supply=supply, serves=serves)
    want = _dense_fca(dense, lambda c: (c <= size).astype(float), need, supply.to_numpy(), serves)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    got = enhanced_two_step_fca(
        catchment, demand=need, supply=supply, serves=serves, decay="gaussian"
    )
    floor = np.exp(-0.5)
    want = _dense_fca(
        dense,
        lambda c: np.clip((np.exp(-0.5 * (c / size) ** 2) - floor) / (1 - floor), 0, 1),
        need,
        supply.to_numpy(),
        serves,
    )
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert (got.iloc[-5:] == 0).all() and (got > 0).any()
