"""Road network: shortest travel time (minutes) over a road graph, by scipy's csgraph.

:class:`NetworkModel` turns road lines into a sparse graph once, snaps origins and
destinations to its nodes and runs Dijkstra from them; :data:`ROAD_CLASS_KPH` gives the
driving speed of a road with none of its own.
"""

from __future__ import annotations

__all__ = ["NO_DRIVE_CLASSES", "NO_WALK_CLASSES", "ROAD_CLASS_KPH", "NetworkModel"]

from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from earlyhelp.config import AccessConfig
from earlyhelp.distance.base import Nearest, no_nearest, point_xy, sparse_costs
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.text import did_you_mean

# Default driving speeds by road class (km/h), used where a road has no speed_kph.
# Keys are lower case; both OS Open Roads classes and OpenStreetMap highway tags appear.
ROAD_CLASS_KPH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "a road": 60.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "b road": 50.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "classified unnumbered": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "not classified": 30.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 15.0,
}
# Road classes nobody may walk on, and paths no car may drive on.
NO_WALK_CLASSES = frozenset({"motorway", "motorway_link"})
NO_DRIVE_CLASSES = frozenset(
    {"footway", "path", "cycleway", "pedestrian", "steps", "bridleway", "track"}
)


@dataclass(frozen=True, eq=False)
class NetworkModel:
    """Shortest travel time (minutes) over a road network.

    The network is turned into a sparse graph once (:meth:`from_roads`). Origins and
    destinations are snapped to the nearest graph node and the snap distance is added
    at walking speed. Roads are treated as two-way.

    Attributes
    ----------
    graph
        Square CSR matrix of edge travel times in minutes, both directions stored.
    node_xy
        Node coordinates (n × 2, metres in the analysis CRS).
    walk_kph
        Walking speed used for the snap distance (km/h).
    travel_mode
        ``"walk"`` or ``"drive"``: how the edge times were made.
    """

    name: ClassVar[str] = "network"
    shared_catchment: ClassVar[bool] = True
    graph: sparse.csr_matrix
    node_xy: np.ndarray
    walk_kph: float = 4.8
    travel_mode: str = "walk"
    crs: Any = None
    max_kph: float = np.inf  # fastest edge; bounds how far a cost can reach
    node_precision_m: float = 1.0
    _tree: cKDTree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tree", cKDTree(self.node_xy))

    @property
    def unit(self) -> str:
        return "min"

    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return self.graph.shape[0]

    @classmethod
    def from_config(
        cls, cfg: AccessConfig, *, roads: gpd.GeoDataFrame | None = None, matrix: Any = None
    ) -> NetworkModel:
        """Build the graph from ``roads`` with the ``[access]`` travel mode and speeds."""
        if roads is None:
            raise ConfigError(
                "distance_model = 'network' needs a road network; set path = \"...\" in [roads]"
            )
        return cls.from_roads(
            roads, travel_mode=cfg.travel_mode, walk_kph=cfg.walk_kph, drive_kph=cfg.drive_kph
        )

    @classmethod
    def describe(cls, cfg: AccessConfig, unit: str, *, short: bool = False) -> str:
        """What a cost is under these settings: ``"walking time along the road network"``
        or ``"driving time along the road network"``. Always minutes (``unit`` unused)."""
        how = "driving" if cfg.travel_mode == "drive" else "walking"
        return f"{how} time along the road network"

    @classmethod
    def from_roads(
        cls,
        roads: gpd.GeoDataFrame,
        *,
        travel_mode: str = "walk",
        walk_kph: float = 4.8,
        drive_kph: float = 40.0,
        class_kph: dict[str, float] | None = None,
        node_precision_m: float = 1.0,
    ) -> NetworkModel:
        """Turn road lines into a graph whose edge weights are minutes of travel.

        Parameters
        ----------
        roads
            LineStrings (or MultiLineStrings) in a projected CRS, optionally with
            ``speed_kph`` and ``road_class`` columns. Every consecutive pair of vertices
            becomes an edge; vertices closer than ``node_precision_m`` become one node.
        travel_mode
            ``"walk"``: every road at ``walk_kph`` except motorways. ``"drive"``: each road
            at its ``speed_kph``, else the default of its ``road_class``
            (:data:`ROAD_CLASS_KPH` or ``class_kph``), else ``drive_kph``; footpaths
            are left out.
        walk_kph, drive_kph
            Speeds in km/h.
        class_kph
            Driving speed by road class (lower case), replacing :data:`ROAD_CLASS_KPH`.
        node_precision_m
            Vertices are rounded to this grid (metres) to find where roads meet.
        """
        if travel_mode not in ("walk", "drive"):
            hint = did_you_mean(travel_mode, ["walk", "drive"])
            raise ConfigError(
                f"[access] travel_mode is '{travel_mode}'{hint}; choose walk or drive"
            )
        if roads.crs is not None and not roads.crs.is_projected:
            raise InputError(
                "roads: the road network is in a geographic CRS (degrees); reproject it to "
                "the analysis CRS (for example EPSG:27700) before building the graph"
            )
        speeds = _road_speeds(
            roads,
            travel_mode=travel_mode,
            walk_kph=walk_kph,
            drive_kph=drive_kph,
            class_kph=ROAD_CLASS_KPH if class_kph is None else class_kph,
        )
        usable = speeds > 0
        geoms = roads.geometry.to_numpy()[usable]
        speeds = speeds[usable]
        parts, part_of = shapely.get_parts(geoms, return_index=True)
        lines = shapely.get_type_id(parts) == 1  # LineString
        parts, part_of = parts[lines], part_of[lines]
        xy, line_of = shapely.get_coordinates(parts, return_index=True)
        if len(xy) < 2:
            raise InputError("roads: the road network has no usable lines for this travel mode")
        same = line_of[1:] == line_of[:-1]
        a = np.flatnonzero(same)  # segment from vertex a to vertex a + 1
        b = a + 1
        length_m = np.hypot(*(xy[b] - xy[a]).T)
        minutes = length_m * 0.06 / speeds[part_of[line_of[a]]]

        grid = np.round(xy / node_precision_m).astype(np.int64)
        grid -= grid.min(axis=0)
        key = grid[:, 0] * (grid[:, 1].max() + 1) + grid[:, 1]
        _, first, node_of = np.unique(key, return_index=True, return_inverse=True)
        node_xy = xy[first]
        u, v = node_of[a], node_of[b]
        real = u != v  # a segment shorter than the precision is a self-loop
        u, v, minutes = u[real], v[real], minutes[real]
        graph = _symmetric_min_graph(u, v, minutes, len(node_xy))
        return cls(
            graph=graph,
            node_xy=node_xy,
            walk_kph=walk_kph,
            travel_mode=travel_mode,
            crs=roads.crs,
            max_kph=float(speeds.max()),
            node_precision_m=node_precision_m,
        )

    def snap(self, points: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
        """Nearest graph node of each point and the walk to it in minutes."""
        xy = point_xy(points, "points", projected=True)
        if self.crs is not None and points.crs is not None and not points.crs.equals(self.crs):
            raise InputError(
                "network: points and roads are in different CRS; reproject both to the analysis CRS"
            )
        if not len(xy):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        dist, node = self._tree.query(xy, k=1, workers=-1)
        return np.asarray(node, dtype=np.int64), dist * 0.06 / self.walk_kph

    def costs(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, max_cost: float
    ) -> sparse.csr_matrix:
        """Travel times (minutes) of the origin-destination pairs within ``max_cost``.

        Runs a Dijkstra with ``limit=max_cost`` from each distinct snapped node on the
        smaller side, in chunks that keep memory bounded.
        """
        o_node, o_off = self.snap(origins)
        d_node, d_off = self.snap(destinations)
        shape = (len(o_node), len(d_node))
        if not shape[0] or not shape[1]:
            return sparse.csr_matrix(shape, dtype=float)
        if len(np.unique(o_node)) < len(np.unique(d_node)):
            i, j, c = self._pairs(o_node, o_off, d_node, d_off, max_cost)
        else:
            j, i, c = self._pairs(d_node, d_off, o_node, o_off, max_cost)
        return sparse_costs(i, j, c, shape)

    def nearest(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, max_cost: float = np.inf
    ) -> Nearest:
        """Travel time (minutes) to, and position of, the nearest destination.

        One multi-source Dijkstra (``min_only=True``) over the graph plus one extra node
        per destination, joined to its snapped node by the snap walk, so that every
        destination starts with its own offset.
        """
        o_node, o_off = self.snap(origins)
        d_node, d_off = self.snap(destinations)
        if not len(d_node):
            return no_nearest(len(o_node))
        n, k = self.n_nodes, len(d_node)
        g = self.graph
        extra = g.indptr[-1] + np.arange(1, k + 1, dtype=g.indptr.dtype)
        augmented = sparse.csr_matrix(
            (
                np.concatenate([g.data, d_off]),
                np.concatenate([g.indices, d_node.astype(g.indices.dtype)]),
                np.concatenate([g.indptr, extra]),
            ),
            shape=(n + k, n + k),
        )
        dist, _, source = csgraph.dijkstra(
            augmented,
            directed=True,
            indices=np.arange(n, n + k),
            return_predecessors=True,
            min_only=True,
            limit=max_cost,
        )
        cost = dist[o_node] + o_off
        index = source[o_node] - n
        far = ~(cost <= max_cost) | (index < 0)
        cost[far] = np.inf
        index[far] = -1
        return Nearest(cost, index.astype(int))

    def _pairs(
        self,
        src_node: np.ndarray,
        src_off: np.ndarray,
        tgt_node: np.ndarray,
        tgt_off: np.ndarray,
        max_cost: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(source position, target position, cost) of every pair within ``max_cost``.

        No road is faster than ``max_kph``, so everything a source reaches within
        ``max_cost`` lies within ``max_cost`` at that speed of it (plus a margin of 5% and
        ten node roundings for vertices merged into one node). Sources are grouped in
        square tiles and each tile's Dijkstra runs on the subgraph of nodes that close to
        it, so the work follows the size of the catchment, not of the whole network.
        """
        reach_m = max_cost * self.max_kph / 0.06
        radius = reach_m * 1.05 + 10 * self.node_precision_m
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if not np.isfinite(radius) or radius <= 0:
            groups = [np.arange(len(src_node))]
            tile = np.inf
        else:
            tile = max(2 * radius, 1000.0)
            cell = np.floor(self.node_xy[src_node] / tile).astype(np.int64)
            _, cell_of = np.unique(cell, axis=0, return_inverse=True)
            order = np.argsort(cell_of.ravel(), kind="stable")
            bounds = np.flatnonzero(np.diff(cell_of.ravel()[order])) + 1
            groups = np.split(order, bounds)
        lookup = np.full(self.n_nodes, -1, dtype=np.int64)
        for group in groups:
            nodes = None
            if np.isfinite(tile):
                centre = (np.floor(self.node_xy[src_node[group[0]]] / tile) + 0.5) * tile
                nodes = np.asarray(
                    self._tree.query_ball_point(centre, tile / np.sqrt(2) + radius), dtype=int
                )
                if len(nodes) > self.n_nodes // 2:
                    nodes = None
            if nodes is None:
                graph, src_local = self.graph, src_node[group]
                tgt_sel, tgt_local = np.arange(len(tgt_node)), tgt_node
            else:
                lookup[nodes] = np.arange(len(nodes))
                graph = _subgraph(self.graph, nodes, lookup)
                src_local = lookup[src_node[group]]
                tgt_sel = np.flatnonzero(lookup[tgt_node] >= 0)
                tgt_local = lookup[tgt_node[tgt_sel]]
                lookup[nodes] = -1
            if not len(tgt_sel):
                continue
            found.append(
                _dijkstra_pairs(
                    graph, src_local, src_off[group], tgt_local, tgt_off[tgt_sel], max_cost
                )
            )
            found[-1] = (group[found[-1][0]], tgt_sel[found[-1][1]], found[-1][2])
        if not found:
            return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
        s, t, c = zip(*found, strict=True)
        return np.concatenate(s), np.concatenate(t), np.concatenate(c)


def _subgraph(graph: sparse.csr_matrix, nodes: np.ndarray, lookup: np.ndarray) -> sparse.csr_matrix:
    """The graph among ``nodes`` (``lookup`` maps a node to its position there, else -1)."""
    rows = graph[nodes]
    local = lookup[rows.indices]
    keep = local >= 0
    row_of = np.repeat(np.arange(len(nodes)), np.diff(rows.indptr))
    return sparse.csr_matrix(
        (rows.data[keep], (row_of[keep], local[keep])), shape=(len(nodes), len(nodes))
    )


def _dijkstra_pairs(
    graph: sparse.csr_matrix,
    src_node: np.ndarray,
    src_off: np.ndarray,
    tgt_node: np.ndarray,
    tgt_off: np.ndarray,
    max_cost: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs within ``max_cost`` by Dijkstra from each source, in memory-bounded chunks."""
    chunk = max(1, int(2.5e7 // max(graph.shape[0], len(tgt_node))))
    found_s, found_t, found_c = [], [], []
    for start in range(0, len(src_node), chunk):
        stop = min(start + chunk, len(src_node))
        nodes, row = np.unique(src_node[start:stop], return_inverse=True)
        dist = csgraph.dijkstra(graph, directed=True, indices=nodes, limit=max_cost)
        block = dist[:, tgt_node][row] + src_off[start:stop, None] + tgt_off[None, :]
        s, t = np.nonzero(block <= max_cost)
        found_s.append(s + start)
        found_t.append(t)
        found_c.append(block[s, t])
    return np.concatenate(found_s), np.concatenate(found_t), np.concatenate(found_c)


def _road_speeds(
    roads: gpd.GeoDataFrame,
    *,
    travel_mode: str,
    walk_kph: float,
    drive_kph: float,
    class_kph: dict[str, float],
) -> np.ndarray:
    """Speed (km/h) of each road for the travel mode; 0 where it cannot be used."""
    n = len(roads)
    if "road_class" in roads.columns:
        road_class = roads["road_class"].astype("string").str.strip().str.lower()
    else:
        road_class = pd.Series(pd.NA, index=roads.index, dtype="string")
    if travel_mode == "walk":
        speeds = np.full(n, float(walk_kph))
        speeds[road_class.isin(NO_WALK_CLASSES).to_numpy(dtype=bool)] = 0.0
        return speeds
    by_class = road_class.map(class_kph).astype(float).to_numpy()
    speeds = np.where(np.isnan(by_class), float(drive_kph), by_class)
    if "speed_kph" in roads.columns:
        given = pd.to_numeric(roads["speed_kph"], errors="coerce").to_numpy(dtype=float)
        speeds = np.where(given > 0, given, speeds)
    speeds[road_class.isin(NO_DRIVE_CLASSES).to_numpy(dtype=bool)] = 0.0
    return speeds


def _symmetric_min_graph(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sparse.csr_matrix:
    """CSR graph with both directions of each edge, keeping the cheapest parallel edge."""
    uu = np.concatenate([u, v])
    vv = np.concatenate([v, u])
    ww = np.concatenate([w, w])
    key = uu.astype(np.int64) * n + vv
    order = np.lexsort((ww, key))
    key, uu, vv, ww = key[order], uu[order], vv[order], ww[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    # csr_matrix keeps explicit zeros, which csgraph treats as zero-cost edges.
    return sparse.csr_matrix((ww[first], (uu[first], vv[first])), shape=(n, n))
