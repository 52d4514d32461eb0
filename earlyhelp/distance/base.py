"""What every distance model provides, and the conventions they share.

Every model answers two questions about a set of origins (one point per small area) and
destinations (service sites), in its own unit (``model.unit``, ``"m"`` or ``"min"``):

- :meth:`~DistanceModel.costs`: the cost of every origin-destination pair within
  ``max_cost``, as a sparse matrix (rows = origins, columns = destinations);
- :meth:`~DistanceModel.nearest`: the cost and position of the nearest destination of
  every origin, with no cutoff;
- :meth:`~DistanceModel.describe`: what a cost is, in words for a reader (one place for
  that wording: :func:`earlyhelp.distance.describe_cost`).

A cost of exactly zero (a service at the origin) would vanish from a sparse matrix, so
:meth:`~DistanceModel.costs` stores it as :data:`ZERO_COST`; use :func:`true_costs` to
read the stored values back with those zeros restored.

The helpers here (:func:`point_xy`, :func:`sparse_costs`, :func:`no_nearest`) are shared
by the models of :mod:`earlyhelp.distance.euclidean`, :mod:`earlyhelp.distance.network`
and :mod:`earlyhelp.distance.matrix`.
"""

from __future__ import annotations

__all__ = [
    "ZERO_COST",
    "DistanceModel",
    "Nearest",
    "PairBlock",
    "csr_by_rows",
    "join_blocks",
    "no_nearest",
    "point_xy",
    "sparse_costs",
    "true_costs",
]

from collections.abc import Sequence
from typing import ClassVar, NamedTuple, Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse

from earlyhelp.config import AccessConfig
from earlyhelp.errors import InputError

# Stored in place of a cost of exactly 0 so that the pair stays in a sparse matrix.
# One nanometre or nano-minute: far below any meaningful travel cost.
ZERO_COST = 1e-9


class Nearest(NamedTuple):
    """The nearest destination of each origin.

    ``cost`` is in the model's unit (``inf`` where no destination can be reached) and
    ``position`` the destination's position (``-1`` where none can be reached).
    """

    cost: np.ndarray
    position: np.ndarray


@runtime_checkable
class DistanceModel(Protocol):
    """What every distance model provides."""

    name: ClassVar[str]
    # True when one cost matrix for all services, cut per category, is cheaper than a
    # query per category (a road network: one Dijkstra per origin instead of per category).
    shared_catchment: ClassVar[bool]

    @property
    def unit(self) -> str:
        """``"m"`` (metres) or ``"min"`` (minutes)."""
        ...

    def costs(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, max_cost: float
    ) -> sparse.csr_matrix:
        """Costs of the pairs within ``max_cost``; zeros stored as :data:`ZERO_COST`."""
        ...

    def nearest(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> Nearest:
        """Cost and position of the nearest destination of each origin."""
        ...

    @classmethod
    def describe(cls, cfg: AccessConfig, unit: str, *, short: bool = False) -> str:
        """What a cost of this model is under the ``[access]`` settings ``cfg``, in words
        for a reader (``"estimated road distance (straight line x 1.2)"``); ``short``
        leaves out how it is estimated. Read it through
        :func:`earlyhelp.distance.describe_cost`."""
        ...


def true_costs(values: np.ndarray) -> np.ndarray:
    """Return stored sparse costs with :data:`ZERO_COST` turned back into exact zeros."""
    values = np.asarray(values, dtype=float)
    return np.where(values <= ZERO_COST, 0.0, values)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def point_xy(points: gpd.GeoSeries, what: str, *, projected: bool) -> np.ndarray:
    """(n × 2) coordinates of point geometries; refuses missing or non-point ones."""
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if projected and geoms.crs is not None and not geoms.crs.is_projected:
        raise InputError(
            f"{what}: coordinates are in a geographic CRS (degrees); reproject to the "
            "analysis CRS (for example EPSG:27700) first"
        )
    arr = np.asarray(geoms.values if hasattr(geoms, "values") else geoms)
    xy = np.column_stack([shapely.get_x(arr), shapely.get_y(arr)]) if len(arr) else np.zeros((0, 2))
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        label = geoms.index[np.flatnonzero(bad)[0]]
        raise InputError(
            f"{what}: '{label}' has no point location ({int(bad.sum())} in all); give it "
            "coordinates or a postcode, or leave it out"
        )
    return xy


def sparse_costs(
    rows: np.ndarray, cols: np.ndarray, costs: np.ndarray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """CSR cost matrix from (row, column, cost) triples; zeros stored as :data:`ZERO_COST`."""
    data = np.maximum(np.asarray(costs, dtype=float), ZERO_COST)
    return sparse.csr_matrix((data, (np.asarray(rows), np.asarray(cols))), shape=shape)


def csr_by_rows(
    rows: np.ndarray, cols: np.ndarray, costs: np.ndarray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """CSR cost matrix from (row, column, cost) triples with no repeated pair and costs
    already at least :data:`ZERO_COST`, without the sort a COO conversion makes: the
    triples are grouped by row with a stable counting sort (a radix sort on 16-bit rows
    below 65,536 origins: England has 33,755 small areas), each row's columns left in the
    order given, which sparse products do not need."""
    key = rows.astype(np.uint16) if shape[0] <= 1 << 16 else rows
    order = np.argsort(key, kind="stable")
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    index = np.int32 if max(shape[1], len(order)) < 2**31 else np.int64
    return sparse.csr_matrix(
        (costs[order], cols[order].astype(index), indptr.astype(index)), shape=shape
    )


class PairBlock(NamedTuple):
    """Some origin-destination pairs as a model found them: ``i`` and ``j`` are positions
    among the origins and destinations searched (possibly views into the search's own
    output), ``cost`` the pairs' costs; ``origins`` maps ``i`` to positions among all the
    origins (None: they are the same)."""

    origins: np.ndarray | None
    i: np.ndarray
    j: np.ndarray
    cost: np.ndarray


def join_blocks(
    blocks: Sequence[tuple[PairBlock, np.ndarray | None]], index: type
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of several blocks as one (origin position, destination position, cost),
    each pair copied once into arrays made once: a block's ``i`` mapped through its
    ``origins``, its ``j`` through the destination positions given with it (None: as
    they are). Positions are of dtype ``index``; mapping arrays must be of it too."""
    total = sum(len(block.cost) for block, _ in blocks)
    rows: np.ndarray = np.empty(total, dtype=index)
    cols: np.ndarray = np.empty(total, dtype=index)
    cost = np.empty(total)
    at = 0
    for block, where in blocks:
        part = slice(at, at + len(block.cost))
        if block.origins is None:
            rows[part] = block.i
        else:
            np.take(block.origins, block.i, out=rows[part])
        if where is None:
            cols[part] = block.j
        else:
            np.take(where, block.j, out=cols[part])
        cost[part] = block.cost
        at = part.stop
    return rows, cols, cost


def no_nearest(n: int) -> Nearest:
    return Nearest(np.full(n, np.inf), np.full(n, -1, dtype=int))
