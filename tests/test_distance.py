"""Distance models: straight line, road network and imported matrix on tiny inputs."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import Delaunay
from scipy.spatial.distance import cdist

from earlyhelp.config import AccessConfig
from earlyhelp.distance import (
    DISTANCE_MODELS,
    ROAD_CLASS_KPH,
    ZERO_COST,
    DistanceModel,
    EuclideanModel,
    MatrixModel,
    NetworkModel,
    describe_cost,
    make_distance_model,
    read_cost_matrix,
    true_costs,
)
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.units import metres_to_minutes

CRS = "EPSG:27700"


def _points(xy, prefix: str, crs: str = CRS) -> gpd.GeoSeries:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoSeries(
        shapely.points(xy), index=[f"{prefix}{i}" for i in range(len(xy))], crs=crs
    )


# --------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------


def test_registry_names_every_model_and_builds_from_config():
    assert set(DISTANCE_MODELS) == {"euclidean", "network", "matrix"}
    model = make_distance_model(AccessConfig(distance_model="euclidean", circuity=1.3))
    assert isinstance(model, EuclideanModel)
    assert isinstance(model, DistanceModel)
    assert model.unit == "m" and model.circuity == 1.3


def test_a_cost_is_described_as_what_it_is():
    """One description of a cost, from the model and its settings: a circuity above 1 is
    an estimate of road distance, not a straight line."""
    assert (
        describe_cost(AccessConfig(circuity=1.2), "m")
        == "estimated road distance (straight line x 1.2)"
    )
    assert describe_cost(AccessConfig(circuity=1.2), "m", short=True) == "estimated road distance"
    assert describe_cost(AccessConfig(circuity=1.0), "m") == "straight-line distance"
    assert describe_cost(AccessConfig(circuity=1.0), "m", short=True) == "straight-line distance"
    walk = AccessConfig(distance_model="network", travel_mode="walk")
    drive = AccessConfig(distance_model="network", travel_mode="drive")
    assert describe_cost(walk, "min") == "walking time along the road network"
    assert describe_cost(drive, "min") == "driving time along the road network"
    matrix = AccessConfig(distance_model="matrix")
    assert describe_cost(matrix, "min") == "travel time from the imported matrix"
    assert describe_cost(matrix, "m") == "distance from the imported matrix"
    with pytest.raises(ConfigError, match="did you mean 'network'"):
        describe_cost(AccessConfig(distance_model="netwrk"), "min")


def test_unknown_model_name_suggests_the_closest():
    with pytest.raises(ConfigError, match="did you mean 'euclidean'"):
        make_distance_model(AccessConfig(distance_model="euclidian"))


def test_network_model_without_roads_says_what_to_set():
    with pytest.raises(ConfigError, match=r"\[roads\]"):
        make_distance_model(AccessConfig(distance_model="network"))


def test_metres_to_minutes():
    assert metres_to_minutes(4800.0, kph=4.8) == pytest.approx(60.0)


# --------------------------------------------------------------------------------------
# Straight line
# --------------------------------------------------------------------------------------


def test_euclidean_costs_match_brute_force_within_the_cutoff():
    rng = np.random.default_rng(3)
    o = rng.uniform(0, 10_000, size=(60, 2))
    d = rng.uniform(0, 10_000, size=(25, 2))
    model = EuclideanModel(circuity=1.25)
    got = model.costs(_points(o, "a"), _points(d, "s"), max_cost=3000.0)
    want = cdist(o, d) * 1.25
    assert got.shape == (60, 25)
    assert got.nnz == int((want <= 3000).sum())  # sparse: only pairs within reach
    dense = got.toarray()
    inside = want <= 3000
    np.testing.assert_allclose(dense[inside], want[inside], rtol=1e-12)
    assert not dense[~inside].any()


def test_zero_distance_is_kept_in_the_sparse_matrix():
    origins = _points([[0, 0], [500, 0]], "a")
    sites = _points([[0, 0]], "s")
    costs = EuclideanModel().costs(origins, sites, max_cost=1000)
    assert costs.nnz == 2  # the service at the origin did not vanish
    assert costs[0, 0] == ZERO_COST
    np.testing.assert_array_equal(true_costs(costs.toarray()[:, 0]), [0.0, 500.0])


def test_euclidean_nearest_matches_brute_force():
    rng = np.random.default_rng(4)
    o = rng.uniform(0, 5000, size=(40, 2))
    d = rng.uniform(0, 5000, size=(9, 2))
    found = EuclideanModel(circuity=1.1).nearest(_points(o, "a"), _points(d, "s"))
    full = cdist(o, d)
    np.testing.assert_array_equal(found.position, full.argmin(axis=1))
    np.testing.assert_allclose(found.cost, full.min(axis=1) * 1.1)


def test_nearest_with_no_destinations_is_infinite():
    found = EuclideanModel().nearest(_points([[0, 0]], "a"), _points(np.zeros((0, 2)), "s"))
    assert np.isinf(found.cost).all() and (found.position == -1).all()


def test_euclidean_refuses_degrees_missing_points_and_mixed_crs():
    model = EuclideanModel()
    sites = _points([[0, 0]], "s")
    with pytest.raises(InputError, match="geographic CRS"):
        model.costs(_points([[-1.5, 52.0]], "a", crs="EPSG:4326"), sites, max_cost=10)
    missing = gpd.GeoSeries([None], index=["a0"], crs=CRS)
    with pytest.raises(InputError, match="'a0' has no point location"):
        model.nearest(missing, sites)
    with pytest.raises(InputError, match="reproject both"):
        model.costs(_points([[0, 0]], "a", crs="EPSG:3857"), sites, max_cost=10)


def test_circuity_below_one_is_refused():
    with pytest.raises(ConfigError, match="circuity"):
        EuclideanModel(circuity=0.8)


# --------------------------------------------------------------------------------------
# Road network
# --------------------------------------------------------------------------------------


def _random_roads(seed: int, *, n: int = 40, extent: float = 5000.0) -> gpd.GeoDataFrame:
    """A connected planar road network: a Delaunay triangulation, some edges bent."""
    rng = np.random.default_rng(seed)
    nodes = rng.uniform(0, extent, size=(n, 2))
    tri = Delaunay(nodes)
    edges = set()
    for simplex in tri.simplices:
        for a, b in ((0, 1), (1, 2), (0, 2)):
            edges.add(tuple(sorted((int(simplex[a]), int(simplex[b])))))
    lines = []
    for k, (a, b) in enumerate(sorted(edges)):
        if k % 4 == 0:  # a bent road: one extra vertex off the straight line
            mid = (nodes[a] + nodes[b]) / 2 + rng.normal(0, 40, size=2)
            lines.append(shapely.linestrings([nodes[a], mid, nodes[b]]))
        else:
            lines.append(shapely.linestrings([nodes[a], nodes[b]]))
    # A parallel, longer road between two nodes: the graph must keep the shorter one.
    a, b = sorted(edges)[1]
    detour = (nodes[a] + nodes[b]) / 2 + np.array([800.0, 800.0])
    lines.append(shapely.linestrings([nodes[a], detour, nodes[b]]))
    road_class = rng.choice(["A Road", "B Road", "residential", "Unclassified"], len(lines))
    return gpd.GeoDataFrame({"road_class": road_class}, geometry=lines, crs=CRS)


def _networkx_graph(roads: gpd.GeoDataFrame, kph: np.ndarray) -> nx.Graph:
    g = nx.Graph()
    for line, speed in zip(roads.geometry, kph, strict=True):
        xy = shapely.get_coordinates(line)
        for p, q in itertools.pairwise(xy):
            w = float(np.hypot(*(q - p))) * 0.06 / speed
            u, v = tuple(p), tuple(q)
            if not g.has_edge(u, v) or g[u][v]["weight"] > w:
                g.add_edge(u, v, weight=w)
    return g


def _expected_minutes(g: nx.Graph, origins: np.ndarray, sites: np.ndarray, walk_kph: float):
    nodes = list(g.nodes)
    node_xy = np.array(nodes)
    snap_o = cdist(origins, node_xy)
    snap_d = cdist(sites, node_xy)
    o_node, d_node = snap_o.argmin(axis=1), snap_d.argmin(axis=1)
    o_walk = snap_o.min(axis=1) * 0.06 / walk_kph
    d_walk = snap_d.min(axis=1) * 0.06 / walk_kph
    out = np.empty((len(origins), len(sites)))
    for j, dn in enumerate(d_node):
        lengths = nx.single_source_dijkstra_path_length(g, nodes[dn], weight="weight")
        for i, on in enumerate(o_node):
            out[i, j] = lengths.get(nodes[on], np.inf) + o_walk[i] + d_walk[j]
    return out


@pytest.mark.parametrize(
    ("mode", "n", "extent", "max_cost"),
    [
        ("walk", 40, 5000.0, 40.0),  # one tile: Dijkstra over the whole graph
        ("walk", 200, 20_000.0, 30.0),  # many tiles, each on its own subgraph
        ("drive", 200, 40_000.0, 3.0),  # speeds by road class, on subgraphs too
    ],
)
def test_network_costs_and_nearest_equal_networkx_dijkstra(mode, n, extent, max_cost):
    roads = _random_roads(seed=11, n=n, extent=extent)
    model = NetworkModel.from_roads(roads, travel_mode=mode, walk_kph=4.8)
    if mode == "walk":
        kph = np.full(len(roads), 4.8)
    else:
        kph = roads["road_class"].str.lower().map(ROAD_CLASS_KPH).to_numpy(dtype=float)
    rng = np.random.default_rng(12)
    vertices = shapely.get_coordinates(roads.geometry.to_numpy())
    near = vertices[rng.integers(0, len(vertices), 75)] + rng.normal(0, 30, size=(75, 2))
    origins = np.vstack([near[:45], rng.uniform(0, extent, size=(15, 2))])
    sites = near[45:]
    want = _expected_minutes(_networkx_graph(roads, kph), origins, sites, 4.8)

    got = model.costs(_points(origins, "a"), _points(sites, "s"), max_cost=max_cost)
    inside = want <= max_cost
    assert 0 < inside.sum() < inside.size  # the cutoff matters
    assert got.nnz == int(inside.sum())
    np.testing.assert_allclose(true_costs(got.toarray())[inside], want[inside], rtol=1e-9)

    found = model.nearest(_points(origins, "a"), _points(sites, "s"))
    np.testing.assert_allclose(found.cost, want.min(axis=1), rtol=1e-9)
    np.testing.assert_allclose(want[np.arange(len(origins)), found.position], want.min(axis=1))


def test_network_costs_run_from_the_smaller_side():
    roads = _random_roads(seed=5)
    model = NetworkModel.from_roads(roads)
    rng = np.random.default_rng(6)
    few, many = (
        _points(rng.uniform(0, 5000, (3, 2)), "a"),
        _points(rng.uniform(0, 5000, (20, 2)), "s"),
    )
    a = model.costs(few, many, max_cost=30).toarray()
    b = model.costs(many, few, max_cost=30).toarray()
    np.testing.assert_allclose(a, b.T, rtol=1e-12)


def test_network_zero_cost_at_a_node_is_kept():
    roads = gpd.GeoDataFrame(geometry=[shapely.linestrings([[0, 0], [480, 0]])], crs=CRS)
    model = NetworkModel.from_roads(roads, walk_kph=4.8)
    here = _points([[0, 0], [480, 0]], "a")
    costs = model.costs(here, _points([[0, 0]], "s"), max_cost=60)
    assert costs.nnz == 2 and costs[0, 0] == ZERO_COST
    assert costs[1, 0] == pytest.approx(6.0)  # 480 m at 4.8 km/h
    assert model.nearest(here, _points([[0, 0]], "s")).cost[0] == 0.0


def test_driving_speeds_come_from_speed_class_or_default():
    line = [[0, 0], [1000, 0]]
    roads = gpd.GeoDataFrame(
        {
            "road_class": ["Motorway", "A Road", None, "footway"],
            "speed_kph": [None, 30.0, None, None],
        },
        geometry=[shapely.linestrings(np.add(line, [0, 1000 * k])) for k in range(4)],
        crs=CRS,
    )
    drive = NetworkModel.from_roads(roads, travel_mode="drive", drive_kph=20.0)
    starts = _points([[0, 1000 * k] for k in range(4)], "a")
    ends = _points([[1000, 1000 * k] for k in range(4)], "s")
    minutes = np.diag(drive.costs(starts, ends, max_cost=100).toarray())
    # motorway at 100 km/h, the A road's own 30 km/h, the default 20 km/h
    np.testing.assert_allclose(minutes[:3], [0.6, 2.0, 3.0])
    # no cars on footways: its ends snap 1000 m to the road below, walked at 4.8 km/h
    assert minutes[3] == pytest.approx(3.0 + 2 * 12.5)
    # Nobody walks on a motorway: from its ends, walk 1000 m to the A road and back.
    walk = NetworkModel.from_roads(roads, travel_mode="walk", walk_kph=6.0)
    assert walk.nearest(starts[:1], ends[:1]).cost[0] == pytest.approx(30.0)


def test_network_refuses_a_geographic_crs():
    roads = gpd.GeoDataFrame(
        geometry=[shapely.linestrings([[-1.5, 52], [-1.4, 52]])], crs="EPSG:4326"
    )
    with pytest.raises(InputError, match="geographic CRS"):
        NetworkModel.from_roads(roads)


# --------------------------------------------------------------------------------------
# Imported matrix
# --------------------------------------------------------------------------------------


def test_matrix_model_reads_a_small_table(tmp_path):
    path = tmp_path / "od.csv"
    path.write_text(
        "area_code,service_id,minutes\n"
        "E01000001,00123,0\n"
        "E01000001,S2,12.5\n"
        "E01000002,S2,7\n"
        "E01000002,S2,9\n"  # duplicate pair: the lower cost wins
        "E01000003,S9,3\n",  # a service not asked about
        encoding="utf-8",
    )
    model = make_distance_model(AccessConfig(distance_model="matrix", matrix_path=path))
    assert isinstance(model, MatrixModel) and model.unit == "min"
    origins = pd.Series(0, index=["E01000001", "E01000002", "E01000003"])
    sites = pd.Series(0, index=["00123", "S2"])
    costs = model.costs(origins, sites, max_cost=10)
    assert costs.shape == (3, 2) and costs.nnz == 2
    assert costs[0, 0] == ZERO_COST  # zero kept; leading zeros of the id kept
    assert costs[1, 1] == 7.0
    found = model.nearest(origins, sites)
    np.testing.assert_array_equal(found.cost, [0.0, 7.0, np.inf])
    np.testing.assert_array_equal(found.position, [0, 1, -1])


def test_matrix_table_problems_name_the_fix(tmp_path):
    with pytest.raises(InputError, match="missing: service_id"):
        MatrixModel.from_table(pd.DataFrame({"area_code": ["a"], "minutes": [1.0]}))
    with pytest.raises(InputError, match="minutes or metres"):
        MatrixModel.from_table(pd.DataFrame({"area_code": ["a"], "service_id": ["s"]}))
    with pytest.raises(InputError, match="row 2, field metres: costs cannot be negative"):
        MatrixModel.from_table(
            pd.DataFrame({"area_code": ["a"], "service_id": ["s"], "metres": [-1.0]})
        )
    with pytest.raises(InputError, match="not found"):
        read_cost_matrix(tmp_path / "nope.csv")
    metres = MatrixModel.from_table(
        pd.DataFrame({"area_code": ["a"], "service_id": ["s"], "metres": [5.0]})
    )
    assert metres.unit == "m"
