"""Benchmark of the accessibility engine (prints figures; not a timed test).

1. England scale: 33,755 small areas, 200,000 services in 12 categories, a 10 km
   catchment; nearest, within reach, count within reach and E2SFCA for every category
   through ``compute_access``. Targets: under 60 s and 8 GB on 2 cores.
2. E2SFCA beside PySAL ``access`` (``Access.enhanced_two_stage_fca``) on identical,
   smaller inputs: the speed ratio (aim: 50x or more) and the largest difference.

Run::

    .venv/bin/python benchmarks/bench_access.py           # full size
    .venv/bin/python benchmarks/bench_access.py --small   # seconds
"""

from __future__ import annotations

import argparse
import math
import resource
import time
import tracemalloc
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from figures import figure
from scipy.spatial import cKDTree

from earlyhelp.accessibility import (
    build_catchment,
    compute_access,
    enhanced_two_step_fca,
)
from earlyhelp.config import AccessConfig, CategoryConfig
from earlyhelp.distance import EuclideanModel
from earlyhelp.need import AGE_BANDS

CRS = "EPSG:27700"
CATEGORIES = [
    "childrens_centre",
    "family_support",
    "parenting",
    "health_visiting",
    "early_years",
    "youth_work",
    "mental_health",
    "domestic_abuse",
    "substance_misuse",
    "send_support",
    "housing_advice",
    "debt_advice",
]
AGE_RANGES = [(0, 4), (0, 19), (5, 10), (11, 19), (0, 17), (5, 17), (16, 19)]


def synthetic_county(
    n_areas: int, n_services: int, *, side_m: float, seed: int = 0, spread: float = 1.0
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame, gpd.GeoSeries]:
    """Areas clustered in towns (80%) and scattered (20%, rural), services near areas.

    ``spread`` scales the size of towns: 0.5 packs the same areas four times as densely.
    """
    rng = np.random.default_rng(seed)
    n_towns = max(3, n_areas // 300)
    towns = rng.uniform(0.05 * side_m, 0.95 * side_m, size=(n_towns, 2))
    size = rng.pareto(1.2, n_towns) + 1  # a few cities, many towns
    radius = spread * (1500 + 1500 * np.sqrt(size / size.min()))
    n_urban = int(0.8 * n_areas)
    town = rng.choice(n_towns, size=n_urban, p=size / size.sum())
    urban = towns[town] + rng.normal(size=(n_urban, 2)) * radius[town, None]
    rural = rng.uniform(0, side_m, size=(n_areas - n_urban, 2))
    xy = np.vstack([urban, rural])
    codes = pd.Index([f"E01{i:06d}" for i in range(n_areas)], name="area_code")
    origins = gpd.GeoSeries(shapely.points(xy), index=codes, crs=CRS, name="origin")
    areas = gpd.GeoDataFrame(
        {
            "area_name": codes,
            "district_code": "E07000001",
            "district_name": "Synthetic",
            "rural_urban": np.where(np.arange(n_areas) < n_urban, "urban", "rural"),
        },
        geometry=origins.buffer(200, cap_style="square").values,
        index=codes,
        crs=CRS,
    )
    need = pd.DataFrame(
        rng.poisson([90, 110, 90, 35, 35], size=(n_areas, len(AGE_BANDS))).astype(float),
        index=codes,
        columns=list(AGE_BANDS),
    )

    at = rng.integers(0, n_areas, n_services)
    s_xy = xy[at] + rng.normal(0, 600, size=(n_services, 2))
    n_cats = rng.choice([1, 2, 3], size=n_services, p=[0.6, 0.3, 0.1])
    cats = [list(rng.choice(CATEGORIES, size=k, replace=False)) for k in n_cats]
    ages = np.array(AGE_RANGES)[rng.integers(0, len(AGE_RANGES), n_services)]
    capacity = np.where(rng.random(n_services) < 0.7, rng.lognormal(3, 0.8, n_services), np.nan)
    services = gpd.GeoDataFrame(
        {
            "name": "service",
            "provider": "provider",
            "sector": "voluntary",
            "categories": cats,
            "min_age": ages[:, 0].astype(float),
            "max_age": ages[:, 1].astype(float),
            "capacity": capacity,
            "annual_cost": np.nan,
            "delivery": rng.choice(
                ["in_person", "outreach", "online", "phone"],
                size=n_services,
                p=[0.85, 0.08, 0.04, 0.03],
            ),
            "status": rng.choice(
                ["active", "planned", "closed"], size=n_services, p=[0.9, 0.05, 0.05]
            ),
        },
        geometry=shapely.points(s_xy),
        index=pd.Index([f"S{i:07d}" for i in range(n_services)], name="service_id"),
        crs=CRS,
    )
    return areas, need, services, origins


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (GB; Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def cpu_s() -> float:
    """CPU seconds of this process and of the processes it started and waited for."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))  # fmt: skip
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_peak_gb() -> float:
    """Peak resident memory of the largest process this one started and waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2


def bench_england(n_areas: int, n_services: int, side_m: float, spread: float = 1.0) -> None:
    t0 = time.perf_counter()
    areas, need, services, origins = synthetic_county(
        n_areas, n_services, side_m=side_m, spread=spread
    )
    print(
        f"synthetic inputs: {n_areas:,} areas, {n_services:,} services, "
        f"{len(CATEGORIES)} categories, {side_m / 1000:.0f} km square, town spread {spread} "
        f"({time.perf_counter() - t0:.1f} s; peak RSS {peak_rss_gb():.2f} GB)"
    )
    cfg = AccessConfig(
        distance_model="euclidean",
        catchment_m=10_000.0,
        measures=("nearest", "within_reach", "count_within_reach", "e2sfca"),
        decay="gaussian",
    )
    categories = {key: CategoryConfig() for key in CATEGORIES}
    t0, c0 = time.perf_counter(), cpu_s()
    result = compute_access(areas, need, services, categories, cfg, origins=origins)
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    # at this size every other kind of help is measured by a process beside (two cores)
    beside = f" + {child_peak_gb():.2f} GB beside" if child_peak_gb() > 0 else ""
    processes = "two processes" if beside else "one process"
    # How big the catchments were, for context.
    local = services[(services["status"] == "active") & services["delivery"].isin(["in_person"])]
    one = local[local["categories"].map(lambda c: CATEGORIES[1] in c)]
    pairs = EuclideanModel().costs(origins, one.geometry, max_cost=10_000.0).nnz
    print(
        f"compute_access (nearest, within_reach, count_within_reach, e2sfca x 12): "
        f"{wall:.1f} s wall ({cpu:.1f} s CPU, every process), peak RSS "
        f"{peak_rss_gb():.2f} GB{beside}"
    )
    print(
        f"  e.g. {CATEGORIES[1]}: {len(one):,} in-person services, {pairs:,} area-service "
        f"pairs within 10 km ({pairs / n_areas:.0f} per area)"
    )
    print(f"  wide table {result.wide.shape}, tidy table {result.tidy.shape}")
    t_floor = _floor(origins, services)
    figure(
        "access: nearest, within reach, count and E2SFCA for 12 kinds of help",
        f"{n_areas:,} areas x {n_services:,} services, 10 km",
        f"{wall:.1f} s ({cpu:.1f} s CPU in {processes}), peak {peak_rss_gb():.2f} GB{beside}",
        f"floor (cKDTree pairs + bincount per kind, one process) {t_floor:.1f} s",
        f"{wall / t_floor:.1f}x the floor in wall time, {cpu / t_floor:.1f}x in CPU",
    )
    share = result.wide.filter(regex="^within_reach__").mean().mean()
    print(f"  mean share of areas within reach: {share:.2f}")


def _floor(origins: gpd.GeoSeries, services: gpd.GeoDataFrame) -> float:
    """Seconds of the least any engine must do: for each kind of help, the KD-tree pairs
    of areas and active services within 10 km and a count of them per area."""
    xy_o = np.column_stack([origins.x, origins.y])
    active = services[services["status"] == "active"]
    start = time.perf_counter()
    tree = cKDTree(xy_o)
    for key in CATEGORIES:
        one = active[active["categories"].map(lambda c, k=key: k in c)]
        xy_s = np.column_stack([one.geometry.x, one.geometry.y])
        pairs = tree.sparse_distance_matrix(cKDTree(xy_s), 10_000.0, output_type="ndarray")
        np.bincount(pairs["i"], minlength=len(xy_o))
        del pairs
    return time.perf_counter() - start


def _timed(fn):
    """(seconds, peak bytes numpy allocated above the start, result) of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, out


def bench_catchment(n_areas: int, n_services: int, side_m: float) -> None:
    """Building one category's catchment (KD-tree pairs to the pair arrays every measure
    reads; a CSR matrix is made only when asked for) beside its floor, the KD-trees' own
    pair search (``cKDTree.sparse_distance_matrix``)."""
    _, _, services, origins = synthetic_county(n_areas, n_services, side_m=side_m)
    local = services[(services["status"] == "active") & (services["delivery"] == "in_person")]
    one = local[local["categories"].map(lambda c: CATEGORIES[1] in c)]
    xy_o = np.column_stack([origins.x, origins.y])
    xy_s = np.column_stack([one.geometry.x, one.geometry.y])
    rows = []
    for _ in range(3):
        t_floor, _, pairs = _timed(
            lambda: cKDTree(xy_o).sparse_distance_matrix(
                cKDTree(xy_s), 10_000.0, output_type="ndarray"
            )
        )
        floor_bytes = pairs.nbytes
        del pairs
        t_ours, m_ours, built = _timed(
            lambda: build_catchment(EuclideanModel(), origins, one, max_cost=10_000.0)
        )
        rows.append((t_floor, floor_bytes, t_ours, m_ours, len(built.cost)))
        del built
    t_floor, m_floor, t_ours, m_ours, nnz = (float(np.median(c)) for c in zip(*rows, strict=True))
    print(
        f"catchment of one category ({n_areas:,} areas x {len(one):,} services, 10 km, "
        f"{nnz:,.0f} pairs; median of 3):"
    )
    print(
        f"  floor cKDTree.sparse_distance_matrix: {t_floor:.2f} s, its pairs "
        f"{m_floor / 1e9:.2f} GB; earlyhelp build_catchment: {t_ours:.2f} s, peak "
        f"+{m_ours / 1e9:.2f} GB ({m_ours / nnz:.0f} bytes a pair) "
        f"(ratio {t_ours / t_floor:.2f}x time, {m_ours / m_floor:.2f}x memory)"
    )
    figure(
        "catchment of one kind of help (KD-tree pairs to the measures' arrays)",
        f"{n_areas:,} areas x {len(one):,} services, {nnz / 1e6:.1f} M pairs",
        f"{t_ours:.2f} s",
        f"cKDTree.sparse_distance_matrix {t_floor:.2f} s",
        f"{t_ours / t_floor:.2f}x the floor",
    )


def bench_pysal(n_areas: int, n_services: int, side_m: float) -> None:
    from access import Access

    _, need, services, origins = synthetic_county(n_areas, n_services, side_m=side_m, seed=1)
    demand = need.sum(axis=1).rename("children")
    supply = services["capacity"].fillna(1.0)
    size = 10_000.0

    floor = math.exp(-0.5)

    def gaussian(d: float) -> float:
        """The same kernel as decay_weights(decay="gaussian"), for one distance: PySAL
        calls its weight function once per pair, so it gets an ordinary scalar one."""
        if d > size:
            return 0.0
        return min(max((math.exp(-0.5 * (d / size) ** 2) - floor) / (1 - floor), 0.0), 1.0)

    t0 = time.perf_counter()
    catchment = build_catchment(EuclideanModel(), origins, services, max_cost=size)
    t_costs = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = enhanced_two_step_fca(catchment, demand=demand, supply=supply, decay="gaussian")
    t_fca = time.perf_counter() - t0

    coo = catchment.costs.tocoo()
    cost_df = pd.DataFrame(
        {
            "origin": catchment.areas.to_numpy()[coo.row],
            "dest": catchment.services.to_numpy()[coo.col],
            "cost": coo.data,
        }
    )
    acc = Access(
        demand_df=demand.to_frame(),
        demand_index=True,
        demand_value="children",
        supply_df=supply.to_frame("supply"),
        supply_index=True,
        supply_value="supply",
        cost_df=cost_df,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = acc.enhanced_two_stage_fca(name="e", max_cost=size, weight_fn=gaussian)
    t_pysal = time.perf_counter() - t0
    theirs = theirs["e_supply"].reindex(ours.index).fillna(0.0)
    diff = float(np.abs(ours - theirs).max())
    print(
        f"E2SFCA vs PySAL access ({n_areas:,} areas, {n_services:,} services, "
        f"{len(cost_df):,} pairs within 10 km, gaussian decay):"
    )
    print(
        f"  PySAL enhanced_two_stage_fca (costs given; given a scalar weight function, its "
        f"best ordinary configuration): {t_pysal:.2f} s"
    )
    print(f"  earlyhelp enhanced_two_step_fca (costs given): {t_fca * 1000:.1f} ms")
    print(f"  earlyhelp costs from points (KD-tree): {t_costs * 1000:.1f} ms")
    print(
        f"  speed ratio: {t_pysal / t_fca:.0f}x on the measure alone, "
        f"{t_pysal / (t_fca + t_costs):.0f}x including building the costs"
    )
    print(f"  max abs difference: {diff:.3g} (values up to {float(ours.max()):.3g})")
    scale = f"{n_areas:,} areas x {n_services:,} services, {len(cost_df) / 1e6:.1f} M pairs"
    figure(
        "E2SFCA on the costs (PySAL given a scalar weight function)",
        scale,
        f"{t_fca * 1000:.0f} ms",
        f"PySAL access {t_pysal:.1f} s",
        f"{t_pysal / t_fca:.0f}x faster",
    )
    figure(
        "E2SFCA from points, building the costs included",
        scale,
        f"{(t_fca + t_costs) * 1000:.0f} ms",
        f"PySAL access on given costs {t_pysal:.1f} s",
        f"{t_pysal / (t_fca + t_costs):.0f}x faster; max difference {diff:.1g}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run of a few seconds")
    parser.add_argument(
        "--dense", action="store_true", help="towns half as wide (4x the pairs per area)"
    )
    args = parser.parse_args()
    spread = 0.5 if args.dense else 1.0
    if args.small:
        bench_england(2_000, 12_000, side_m=90_000, spread=spread)
        bench_catchment(2_000, 12_000, side_m=90_000)
        bench_pysal(400, 300, side_m=40_000)
    else:
        bench_england(33_755, 200_000, side_m=360_000, spread=spread)
        bench_catchment(33_755, 200_000, side_m=360_000)
        bench_pysal(5_000, 4_000, side_m=120_000)


if __name__ == "__main__":
    main()
