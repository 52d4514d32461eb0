"""Roads: a connected network of straight segments between the areas' representative
points, classed as motorway, A road, B road or minor, with a typical speed for each.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from earlyhelp.demo.areas import Areas
from earlyhelp.demo.geometry import CRS, cross, dist_to
from earlyhelp.demo.land import Land

_CLASSES = np.array(["minor", "b_road", "a_road", "motorway"])  # by rank 0-3


def draw_roads(areas: Areas, land: Land) -> gpd.GeoDataFrame:
    """A Gabriel graph over the areas' representative points, classed by the routes between
    towns (A roads, one motorway) and from villages to towns (B roads)."""
    rep = areas.rep
    n = len(rep)
    e, length, lines = _road_edges(rep, land.outline)
    rank = _road_ranks(rep, land, e, length)
    walkable = rank < 3  # walkers may not use the motorway, but must reach every area
    on_foot = sparse.coo_array((length[walkable], (e[walkable, 0], e[walkable, 1])), (n, n))
    if csgraph.connected_components(on_foot, directed=False)[0] > 1:
        rank[rank == 3] = 2
    classes = _CLASSES[rank]
    urban_edge = areas.urban[e[:, 0]] & areas.urban[e[:, 1]]
    speed = np.select([rank == 3, rank == 2, rank == 1, urban_edge], [110, 80, 60, 30], default=50)
    order = np.lexsort((e[:, 1], e[:, 0], -rank))
    return gpd.GeoDataFrame(
        {"road_class": classes[order], "speed_kph": speed[order].astype(np.int64)},
        geometry=lines[order],
        crs=CRS,
    )


def _road_edges(
    rep: np.ndarray, outline: shapely.Polygon
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Road segments: the Gabriel edges of the Delaunay triangulation that stay over land
    (within 300 m of the outline), plus the minimum spanning tree so every area is reached.
    Returns node pairs (m, 2), lengths (m) and the segments as lines."""
    n = len(rep)
    tri = Delaunay(rep)
    e = np.vstack([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]], tri.simplices[:, [0, 2]]])
    e = np.unique(np.sort(e, axis=1), axis=0)
    length = dist_to(rep[e[:, 0]], rep[e[:, 1]])
    mid = (rep[e[:, 0]] + rep[e[:, 1]]) / 2
    d, idx = cKDTree(rep).query(mid, k=3)
    other = (idx != e[:, [0]]) & (idx != e[:, [1]])
    nearest_other = np.where(other, d, np.inf).min(axis=1)
    gabriel = nearest_other >= length / 2 - 1e-6
    graph = sparse.coo_array((length, (e[:, 0], e[:, 1])), (n, n)).tocsr()
    tree = csgraph.minimum_spanning_tree(graph)
    mst = np.zeros(len(e), dtype=bool)
    t = tree.tocoo()
    key = {(min(a, b), max(a, b)) for a, b in zip(t.row.tolist(), t.col.tolist(), strict=True)}
    mst[[i for i, (a, b) in enumerate(e.tolist()) if (a, b) in key]] = True
    lines = shapely.linestrings(np.stack([rep[e[:, 0]], rep[e[:, 1]]], axis=1))
    land_ok = shapely.within(lines, outline.buffer(300.0))
    keep = mst | (gabriel & land_ok)
    return e[keep], length[keep], lines[keep]


def _road_ranks(rep: np.ndarray, land: Land, e: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Rank of each segment (0 minor, 1 B road, 2 A road, 3 motorway): the shortest routes
    from each town to its two nearest towns are A roads, from the county town to the next
    two largest the motorway, from each village to its nearest town B roads."""
    n = len(rep)
    m = len(e)
    edge_of = sparse.coo_array((np.arange(m) + 1, (e[:, 0], e[:, 1])), (n, n)).tocsr()
    edge_of = edge_of + edge_of.T
    graph = sparse.coo_array((length, (e[:, 0], e[:, 1])), (n, n)).tocsr()
    graph = graph + graph.T
    t_xy = land.towns[["x", "y"]].to_numpy()
    node_town = cKDTree(rep).query(t_xy)[1]
    node_village = cKDTree(rep).query(land.villages[["x", "y"]].to_numpy())[1]
    _, pred = csgraph.dijkstra(graph, indices=node_town, return_predecessors=True)

    rank = np.zeros(m, dtype=int)

    def mark(src_row: int, target: int, level: int) -> None:
        node = target
        while pred[src_row, node] >= 0:
            prev = pred[src_row, node]
            j = edge_of[prev, node] - 1
            rank[j] = max(rank[j], level)
            node = prev

    d_towns = cross(t_xy, t_xy)
    np.fill_diagonal(d_towns, np.inf)
    for a in range(len(t_xy)):
        for b in np.argsort(d_towns[a])[:2]:
            mark(a, node_town[b], 2)
    big = np.argsort(-land.towns["n_points"].to_numpy(), kind="stable")[1:3]
    for b in big:
        mark(0, node_town[b], 3)
    village_town = cKDTree(t_xy).query(rep[node_village])[1]
    for v, t_ in zip(node_village.tolist(), village_town.tolist(), strict=True):
        mark(t_, v, 1)
    return rank
