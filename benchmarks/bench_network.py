"""Benchmark of the road-network distance model (prints figures; not a timed test).

A synthetic road graph of about 200,000 nodes (a jittered grid of 100 m blocks with
some roads missing, mixed road classes), then:

- the graph build from the road GeoDataFrame (target under 10 s);
- one category's nearest travel time for all 33,755 origins with a multi-source
  Dijkstra (target under 0.5 s);
- for scale, per-service catchment costs (20 minutes' walk; 15 minutes' drive).

Run::

    .venv/bin/python benchmarks/bench_network.py           # full size
    .venv/bin/python benchmarks/bench_network.py --small   # seconds
"""

from __future__ import annotations

import argparse
import resource
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from figures import figure
from scipy.sparse import csgraph

from earlyhelp.distance import NetworkModel

CRS = "EPSG:27700"
CLASSES = ["A Road", "B Road", "Unclassified", "residential", "footway"]


def synthetic_roads(side: int, *, spacing_m: float = 100.0, seed: int = 0) -> gpd.GeoDataFrame:
    """A ``side`` × ``side`` grid of junctions, jittered, with 10% of roads missing."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    xy = np.column_stack([gx.ravel(), gy.ravel()]) * spacing_m
    xy = xy + rng.uniform(-0.3, 0.3, size=xy.shape) * spacing_m
    node = np.arange(side * side).reshape(side, side)
    a = np.concatenate([node[:-1, :].ravel(), node[:, :-1].ravel()])
    b = np.concatenate([node[1:, :].ravel(), node[:, 1:].ravel()])
    keep = rng.random(len(a)) > 0.1
    a, b = a[keep], b[keep]
    coords = np.stack([xy[a], xy[b]], axis=1)  # (edges, 2 vertices, 2)
    lines = shapely.linestrings(coords)
    road_class = rng.choice(CLASSES, size=len(a), p=[0.1, 0.15, 0.3, 0.4, 0.05])
    speed = np.where(rng.random(len(a)) < 0.2, rng.choice([20.0, 30.0, 50.0], len(a)), np.nan)
    return gpd.GeoDataFrame({"road_class": road_class, "speed_kph": speed}, geometry=lines, crs=CRS)


def points(n: int, extent: float, prefix: str, seed: int) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, extent, size=(n, 2))
    index = pd.Index([f"{prefix}{i:07d}" for i in range(n)])
    return gpd.GeoSeries(shapely.points(xy), index=index, crs=CRS)


def anchors(model: NetworkModel, origins, sites, t_ours: float) -> None:
    """The nearest service by road beside its floor (one multi-source csgraph Dijkstra
    between snapped nodes, nothing else) and networkx's multi-source Dijkstra."""
    import networkx as nx

    o_node, _ = model.snap(origins)
    d_node, _ = model.snap(sites)
    sources = np.unique(d_node)
    t0 = time.perf_counter()
    dist = csgraph.dijkstra(model.graph, directed=True, indices=sources, min_only=True)
    floor = dist[o_node]
    t_floor = time.perf_counter() - t0
    graph = nx.from_scipy_sparse_array(model.graph, create_using=nx.DiGraph)
    t0 = time.perf_counter()
    found = nx.multi_source_dijkstra_path_length(graph, set(sources.tolist()), weight="weight")
    theirs = np.array([found.get(int(n), np.inf) for n in o_node])
    t_nx = time.perf_counter() - t0
    same = np.allclose(floor, theirs)
    print(
        f"  anchors: csgraph floor {t_floor:.3f} s; networkx {t_nx:.2f} s "
        f"(same node distances: {same})"
    )
    scale = f"{model.n_nodes:,} nodes, {len(origins):,} origins"
    figure(
        "nearest service by road (drive)",
        scale,
        f"{t_ours * 1000:.0f} ms",
        f"csgraph floor {t_floor * 1000:.0f} ms; networkx {t_nx:.2f} s",
        f"{t_ours / t_floor:.2f}x the floor; {t_nx / t_ours:.0f}x faster than networkx",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run of a few seconds")
    args = parser.parse_args()
    side, n_origins, n_services = (100, 2_000, 1_000) if args.small else (448, 33_755, 17_000)

    t0 = time.perf_counter()
    roads = synthetic_roads(side)
    print(f"synthetic roads: {len(roads):,} lines ({time.perf_counter() - t0:.1f} s)")
    extent = (side - 1) * 100.0
    origins = points(n_origins, extent, "E01", seed=1)
    sites = points(n_services, extent, "S", seed=2)

    for mode in ("walk", "drive"):
        t0 = time.perf_counter()
        model = NetworkModel.from_roads(roads, travel_mode=mode)
        build = time.perf_counter() - t0
        print(
            f"[{mode}] graph build: {build:.2f} s for {model.n_nodes:,} nodes, "
            f"{model.graph.nnz // 2:,} edges"
        )
        model.nearest(origins[:10], sites[:10])  # warm up
        t0 = time.perf_counter()
        found = model.nearest(origins, sites)
        t_nearest = time.perf_counter() - t0
        reached = np.isfinite(found.cost)
        print(
            f"[{mode}] nearest of {n_services:,} services for {n_origins:,} origins: "
            f"{t_nearest:.3f} s (median {np.median(found.cost[reached]):.1f} min, "
            f"{(~reached).sum()} unreachable)"
        )
    anchors(model, origins, sites, t_nearest)
    walk = NetworkModel.from_roads(roads, travel_mode="walk")
    for mode, net, limit, n in (("walk", walk, 20.0, n_services), ("drive", model, 15.0, 2_000)):
        t0 = time.perf_counter()
        costs = net.costs(origins, sites[:n], max_cost=limit)
        print(
            f"[{mode}] catchment costs of {n:,} services within {limit:.0f} min for all "
            f"origins: {time.perf_counter() - t0:.1f} s, {costs.nnz:,} pairs"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak RSS {peak:.2f} GB")


if __name__ == "__main__":
    main()
