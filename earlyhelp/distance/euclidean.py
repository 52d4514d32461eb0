"""Straight-line distance, times a circuity factor, from KD-trees.

Example
-------
>>> import geopandas as gpd
>>> from shapely import Point
>>> areas = gpd.GeoSeries([Point(0, 0), Point(3000, 0)], index=["A", "B"], crs=27700)
>>> sites = gpd.GeoSeries([Point(0, 0)], index=["s1"], crs=27700)
>>> model = EuclideanModel(circuity=1.2)
>>> model.costs(areas, sites, max_cost=5000).toarray().round(3)
array([[   0.],
       [3600.]])
>>> model.nearest(areas, sites).cost
array([   0., 3600.])
"""

from __future__ import annotations

__all__ = ["EuclideanModel"]

from dataclasses import dataclass
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from earlyhelp.config import AccessConfig
from earlyhelp.distance.base import (
    ZERO_COST,
    Nearest,
    PairBlock,
    csr_by_rows,
    join_blocks,
    no_nearest,
    point_xy,
)
from earlyhelp.errors import ConfigError, InputError


@dataclass(frozen=True)
class EuclideanModel:
    """Straight-line distance in metres, times an optional circuity factor.

    ``circuity`` (1.0 or more) stands in for roads that do not run straight; about 1.2
    to 1.4 is typical of English towns. Costs come from KD-trees, never a dense matrix.
    """

    name: ClassVar[str] = "euclidean"
    shared_catchment: ClassVar[bool] = False
    circuity: float = 1.0

    def __post_init__(self) -> None:
        if not self.circuity >= 1.0:
            raise ConfigError(
                f"[access] circuity must be 1.0 or more (got {self.circuity}); "
                "use 1.0 for straight lines"
            )

    @property
    def unit(self) -> str:
        return "m"

    @classmethod
    def from_config(
        cls, cfg: AccessConfig, *, roads: gpd.GeoDataFrame | None = None, matrix: Any = None
    ) -> EuclideanModel:
        """Build the model from ``[access]`` settings (``roads`` and ``matrix`` unused)."""
        return cls(circuity=cfg.circuity)

    @classmethod
    def describe(cls, cfg: AccessConfig, unit: str, *, short: bool = False) -> str:
        """What a cost is under these settings: ``"straight-line distance"`` with a
        circuity of 1, else ``"estimated road distance (straight line x 1.2)"`` (``short``:
        ``"estimated road distance"``). Always metres, so ``unit`` is unused."""
        if cfg.circuity == 1.0:
            return "straight-line distance"
        what = "estimated road distance"
        return what if short else f"{what} (straight line x {cfg.circuity:g})"

    def costs(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, max_cost: float
    ) -> sparse.csr_matrix:
        """Distances (m) of the origin-destination pairs no further apart than ``max_cost``."""
        o_xy = point_xy(origins, "origins", projected=True)
        d_xy = point_xy(destinations, "destinations", projected=True)
        _same_crs(origins, destinations)
        shape = (len(o_xy), len(d_xy))
        if not len(o_xy) or not len(d_xy) or max_cost < 0:
            return sparse.csr_matrix(shape, dtype=float)
        return csr_by_rows(*self.cost_pairs(origins, destinations, max_cost=max_cost), shape)

    def cost_pairs(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, max_cost: float | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs within ``max_cost`` (one for every origin, or one per origin) as
        (origin position, destination position, cost in metres, at least
        :data:`ZERO_COST`), in no particular order: what :meth:`costs` makes its matrix of
        (:func:`~earlyhelp.distance.base.csr_by_rows`), for a caller that sums over the
        pairs. Positions are 32-bit below 2**31 points. The blocks of
        :meth:`pair_blocks`, joined."""
        blocks = self.pair_blocks(origins, destinations, max_cost=max_cost)
        index = np.int32 if max(len(origins), len(destinations)) < 2**31 else np.int64
        return join_blocks([(block, None) for block in blocks], index)

    def pair_blocks(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, max_cost: float | np.ndarray
    ) -> list[PairBlock]:
        """The pairs within ``max_cost`` (one for every origin, or one per origin) as the
        KD-trees give them, one :class:`~earlyhelp.distance.base.PairBlock` per distinct
        ``max_cost``: origins are searched in one KD-tree per distinct limit, each out to
        its own, so no pair beyond an origin's limit is ever made. A caller joining several
        sets of pairs copies each pair once (:func:`~earlyhelp.distance.base.join_blocks`)."""
        o_xy = point_xy(origins, "origins", projected=True)
        d_xy = point_xy(destinations, "destinations", projected=True)
        _same_crs(origins, destinations)
        limits = np.broadcast_to(np.asarray(max_cost, dtype=float), (len(o_xy),))
        if not len(o_xy) or not len(d_xy):
            return []
        index = np.int32 if max(len(o_xy), len(d_xy)) < 2**31 else np.int64
        tree = cKDTree(d_xy)
        blocks = []
        for limit in np.unique(limits[limits >= 0]):
            group = limits == limit
            whole = bool(group.all())
            i, j, cost = self._within(o_xy if whole else o_xy[group], tree, float(limit))
            where = None if whole else np.flatnonzero(group).astype(index)
            blocks.append(PairBlock(origins=where, i=i, j=j, cost=cost))
        return blocks

    def _within(
        self, o_xy: np.ndarray, tree: cKDTree, max_cost: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs of origins ``o_xy`` and the destinations of ``tree`` within one
        ``max_cost``: (origin position, destination position, cost); the positions are
        views of the KD-tree's output."""
        radius = max_cost / self.circuity
        pairs = cKDTree(o_xy).sparse_distance_matrix(
            tree, radius * (1 + 1e-12), output_type="ndarray"
        )
        cost = pairs["v"] * self.circuity
        np.maximum(cost, ZERO_COST, out=cost)  # a service at the origin stays in the matrix
        keep = cost <= max_cost
        if keep.all():
            return pairs["i"], pairs["j"], cost
        return pairs["i"][keep], pairs["j"][keep], cost[keep]

    def nearest(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> Nearest:
        """Distance (m) to, and position of, the nearest destination of each origin."""
        o_xy = point_xy(origins, "origins", projected=True)
        d_xy = point_xy(destinations, "destinations", projected=True)
        _same_crs(origins, destinations)
        if not len(d_xy):
            return no_nearest(len(o_xy))
        dist, idx = cKDTree(d_xy).query(o_xy, k=1, workers=-1)
        return Nearest(np.asarray(dist, dtype=float) * self.circuity, np.asarray(idx, dtype=int))


def _same_crs(a: gpd.GeoSeries, b: gpd.GeoSeries) -> None:
    if a.crs is not None and b.crs is not None and not a.crs.equals(b.crs):
        raise InputError(
            f"origins are in {a.crs.to_string()} but destinations in {b.crs.to_string()}; "
            "reproject both to the analysis CRS"
        )
