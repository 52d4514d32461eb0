"""Costs from small areas to services: the sparse catchment and the nearest service.

A :class:`Catchment` holds the cost of every area-service pair within a largest cost
(:func:`build_catchment`); :func:`nearest_service` finds each area's nearest service with
no cutoff, and :func:`nearest_by_band` the nearest taking each age band.

Effective cost and true cost
    An ``outreach`` service travels to families, so for reach its cost is lowered by
    ``outreach_extra``, down to zero: its *effective* cost. Reach, catchments and the
    ``nearest`` measure use effective costs. A cost shown to a reader is the *true* one
    (``distance`` in :func:`nearest_service`): how far the service really is.
"""

from __future__ import annotations

__all__ = ["Catchment", "build_catchment", "nearest_by_band", "nearest_service"]

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from earlyhelp.distance import ZERO_COST, DistanceModel, csr_by_rows, true_costs
from earlyhelp.provision import age_band_mask, text_column


@dataclass(frozen=True, eq=False)
class Catchment:
    """Costs from every area to every service within ``max_cost``.

    ``costs`` is a CSR matrix (rows follow ``areas``, columns ``services``) of effective
    costs in ``unit``: outreach services already have their extra reach taken off, and a
    cost of zero is stored as :data:`earlyhelp.distance.ZERO_COST` (read the values with
    :func:`earlyhelp.distance.true_costs`).
    """

    costs: sparse.csr_matrix
    areas: pd.Index
    services: pd.Index
    unit: str
    max_cost: float

    @property
    def pair_rows(self) -> np.ndarray:
        """Row (area position) of each stored pair, in storage order."""
        return np.repeat(np.arange(self.costs.shape[0]), np.diff(self.costs.indptr))

    def subset(self, service_ids: Iterable[Any]) -> Catchment:
        """The same catchment restricted to ``service_ids`` (columns in that order)."""
        ids = pd.Index(service_ids, name="service_id")
        pos = self.services.get_indexer(ids)
        if (pos < 0).any():
            raise KeyError(f"service '{ids[pos < 0][0]}' is not in the catchment")
        return Catchment(
            costs=self.costs[:, pos],
            areas=self.areas,
            services=ids,
            unit=self.unit,
            max_cost=self.max_cost,
        )


def _is_outreach(services: pd.DataFrame) -> np.ndarray:
    return (text_column(services, "delivery", "in_person") == "outreach").to_numpy(dtype=bool)


def build_catchment(
    model: DistanceModel,
    origins: gpd.GeoSeries,
    services: gpd.GeoDataFrame,
    *,
    max_cost: float,
    outreach_extra: float = 0.0,
) -> Catchment:
    """Costs from each origin to each service within ``max_cost`` (model units).

    Parameters
    ----------
    model
        A distance model (:mod:`earlyhelp.distance`).
    origins
        One point per area, indexed by area code.
    services
        Eligible services, indexed by service id; ``delivery == "outreach"`` rows reach
        ``outreach_extra`` further.
    max_cost
        Largest cost kept, in the model's unit.
    outreach_extra
        Extra reach of outreach services, in the model's unit.
    """
    out = _is_outreach(services)
    geoms = services.geometry
    shape = (len(origins), len(services))
    if hasattr(model, "cost_pairs"):  # pairs of both kinds joined into one matrix at once
        empty = np.zeros(0, dtype=np.int64)
        triples = [(empty, empty, np.zeros(0))]
        for subset, extra in ((~out, 0.0), (out, outreach_extra)):
            if subset.any():
                i, j, c = model.cost_pairs(origins, geoms[subset], max_cost=max_cost + extra)
                if extra:  # outreach: closer by the extra reach, never below zero
                    c = np.maximum(true_costs(c) - extra, ZERO_COST)
                triples.append((i, np.flatnonzero(subset)[j], c))
        rows, cols, cost = (np.concatenate(t) for t in zip(*triples, strict=True))
        return Catchment(
            costs=csr_by_rows(rows, cols, cost, shape),
            areas=pd.Index(origins.index, name="area_code"),
            services=pd.Index(services.index, name="service_id"),
            unit=model.unit,
            max_cost=float(max_cost),
        )
    parts = []
    for subset, extra in ((~out, 0.0), (out, outreach_extra)):
        if subset.any():
            m = model.costs(origins, geoms[subset], max_cost=max_cost + extra)
            if extra:  # outreach: closer by the extra reach, never below zero
                m.data = np.maximum(true_costs(m.data) - extra, ZERO_COST)
            parts.append((m, np.flatnonzero(subset)))
    if not parts:
        costs = sparse.csr_matrix(shape, dtype=float)
    elif len(parts) == 1 and len(parts[0][1]) == shape[1]:
        costs = parts[0][0]
    else:  # row by row side by side, columns named by their place in ``services``
        costs = _side_by_side(parts, shape)
    return Catchment(
        costs=costs,
        areas=pd.Index(origins.index, name="area_code"),
        services=pd.Index(services.index, name="service_id"),
        unit=model.unit,
        max_cost=float(max_cost),
    )


def _side_by_side(
    parts: list[tuple[sparse.csr_matrix, np.ndarray]], shape: tuple[int, int]
) -> sparse.csr_matrix:
    """CSR matrices of some columns each (``where``: their columns in the whole) as one
    matrix of ``shape``: each row's entries of every part together, in one pass."""
    counts = sum(np.diff(m.indptr) for m, _ in parts)
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    data = np.empty(int(indptr[-1]))
    indices = np.empty(int(indptr[-1]), dtype=np.int64)
    filled = indptr[:-1].copy()
    for m, where in parts:
        n = np.diff(m.indptr)
        rows = np.repeat(np.arange(shape[0]), n)
        at = filled[rows] + (np.arange(m.nnz) - m.indptr[rows])
        data[at] = m.data
        indices[at] = where[m.indices]
        filled += n
    index = np.int32 if max(shape[1], len(data)) < 2**31 else np.int64
    return sparse.csr_matrix((data, indices.astype(index), indptr.astype(index)), shape=shape)


# --------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------


def nearest_service(
    model: DistanceModel,
    origins: gpd.GeoSeries,
    services: gpd.GeoDataFrame,
    *,
    outreach_extra: float = 0.0,
) -> pd.DataFrame:
    """The nearest eligible service of each area for reach, and its cost, with no cutoff.

    Outreach services travel to families, so for reach they count ``outreach_extra``
    nearer, down to zero: the nearest for reach is the service of lowest *effective* cost.

    Returns a DataFrame indexed like ``origins`` with

    - ``service_id``: the nearest service for reach (missing where none can be reached);
    - ``cost``: its effective cost in the model's unit, the one reach is decided on
      (NaN where none);
    - ``distance``: its true cost in the model's unit, with no outreach credit (the
      distance or travel time to show a reader; equal to ``cost`` for an in-person
      service; NaN where none);
    - ``outreach``: whether that service is an outreach one (False where none).
    """
    out = _is_outreach(services)
    ids = services.index.to_numpy()
    best_cost = np.full(len(origins), np.inf)
    best_true = np.full(len(origins), np.inf)
    best_id = np.full(len(origins), -1)
    for subset, extra in ((~out, 0.0), (out, outreach_extra)):
        if not subset.any():
            continue
        found = model.nearest(origins, services.geometry[subset])
        cost = np.maximum(found.cost - extra, 0.0)
        better = (found.position >= 0) & (cost < best_cost)
        best_cost[better] = cost[better]
        best_true[better] = found.cost[better]
        best_id[better] = np.flatnonzero(subset)[found.position[better]]
    has = best_id >= 0
    service_id = np.full(len(origins), None, dtype=object)
    service_id[has] = ids[best_id[has]]
    outreach = np.zeros(len(origins), dtype=bool)
    outreach[has] = out[best_id[has]]
    return pd.DataFrame(
        {
            "service_id": pd.array(service_id, dtype="string"),
            "cost": np.where(has, best_cost, np.nan),
            "distance": np.where(has, best_true, np.nan),
            "outreach": outreach,
        },
        index=pd.Index(origins.index, name="area_code"),
    )


def nearest_by_band(
    model: DistanceModel,
    origins: gpd.GeoSeries,
    services: gpd.GeoDataFrame,
    *,
    bands: Sequence[str],
    outreach_extra: float = 0.0,
) -> pd.DataFrame:
    """Per area and age band, the cost to the nearest of ``services`` that takes children
    of that band (NaN where none can be reached). Columns are ``bands``."""
    serves = age_band_mask(services)
    out = _is_outreach(services)
    geoms = services.geometry
    columns = {}
    for band in bands:
        takes = serves[band].to_numpy(dtype=bool)
        best = np.full(len(origins), np.inf)  # the effective cost of nearest_service
        for subset, extra in ((takes & ~out, 0.0), (takes & out, outreach_extra)):
            if subset.any():
                found = model.nearest(origins, geoms[subset])
                cost = np.where(found.position >= 0, np.maximum(found.cost - extra, 0.0), np.inf)
                np.minimum(best, cost, out=best)
        columns[band] = np.where(np.isfinite(best), best, np.nan)
    return pd.DataFrame(columns, index=pd.Index(origins.index, name="area_code"))
