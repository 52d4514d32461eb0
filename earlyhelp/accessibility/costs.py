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
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from earlyhelp.distance import (
    ZERO_COST,
    DistanceModel,
    PairBlock,
    csr_by_rows,
    join_blocks,
    true_costs,
)
from earlyhelp.provision import age_band_mask, text_column


@dataclass(frozen=True, eq=False)
class Catchment:
    """Costs from every area to every service within a largest cost per area.

    The pairs are kept as three aligned arrays in no particular order (the measures sum
    over them with :func:`numpy.bincount`, which needs no sorting): ``rows`` (area
    position in ``areas``), ``cols`` (service position in ``services``) and ``cost``, the
    effective cost in ``unit`` (outreach services already have their extra reach taken
    off; a cost of zero is an exact 0). ``limits`` is the largest cost kept for each area
    (every pair within it is there), ``max_cost`` the largest of them. :attr:`costs` is
    the same as a CSR matrix, made on first use.
    """

    rows: np.ndarray
    cols: np.ndarray
    cost: np.ndarray
    areas: pd.Index
    services: pd.Index
    unit: str
    max_cost: float
    limits: np.ndarray

    @cached_property
    def costs(self) -> sparse.csr_matrix:
        """The pairs as a CSR matrix (rows follow ``areas``, columns ``services``), a cost
        of zero stored as :data:`earlyhelp.distance.ZERO_COST` (read the values with
        :func:`earlyhelp.distance.true_costs`)."""
        shape = (len(self.areas), len(self.services))
        return csr_by_rows(self.rows, self.cols, np.maximum(self.cost, ZERO_COST), shape)

    @property
    def pair_rows(self) -> np.ndarray:
        """Row (area position) of each stored pair."""
        return self.rows

    def within(self, limits: np.ndarray) -> Catchment:
        """The same catchment cut to a smaller largest cost per area (``limits``, one per
        area in the order of ``areas``; NaN keeps nothing): the pairs of each area's
        reach, say, for every measure of reach to read without looking at the rest."""
        limits = np.asarray(limits, dtype=float)
        if (limits > self.limits + np.abs(self.limits) * 1e-12).any():
            raise ValueError("a catchment cannot be cut to more than it holds")
        keep = self.cost <= limits[self.rows]
        return Catchment(
            rows=self.rows[keep],
            cols=self.cols[keep],
            cost=self.cost[keep],
            areas=self.areas,
            services=self.services,
            unit=self.unit,
            max_cost=float(np.nanmax(limits, initial=-np.inf)) if len(limits) else self.max_cost,
            limits=limits,
        )

    def subset(self, service_ids: Iterable[Any]) -> Catchment:
        """The same catchment restricted to ``service_ids`` (columns in that order)."""
        ids = pd.Index(service_ids, name="service_id")
        pos = self.services.get_indexer(ids)
        if (pos < 0).any():
            raise KeyError(f"service '{ids[pos < 0][0]}' is not in the catchment")
        new = np.full(len(self.services), -1, dtype=np.int64)
        new[pos] = np.arange(len(ids))
        cols = new[self.cols]
        keep = cols >= 0
        return Catchment(
            rows=self.rows[keep],
            cols=cols[keep].astype(self.cols.dtype),
            cost=self.cost[keep],
            areas=self.areas,
            services=ids,
            unit=self.unit,
            max_cost=self.max_cost,
            limits=self.limits,
        )


def _named(index: pd.Index, name: str) -> pd.Index:
    """``index`` named ``name``: the very same object when it already is (as an area or
    service table's index is), so pandas sees a result is aligned to it (``Index.is_``)
    without comparing 33,755 labels each time."""
    return index if index.name == name else index.rename(name)


def _is_outreach(services: pd.DataFrame) -> np.ndarray:
    return (text_column(services, "delivery", "in_person") == "outreach").to_numpy(dtype=bool)


def build_catchment(
    model: DistanceModel,
    origins: gpd.GeoSeries,
    services: gpd.GeoDataFrame,
    *,
    max_cost: float | np.ndarray,
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
        Largest cost kept, in the model's unit: one for every origin, or one per origin
        (a rural area's reach is longer than a town's, and keeping a town's pairs out to
        the rural reach would only be thrown away).
    outreach_extra
        Extra reach of outreach services, in the model's unit.
    """
    out = _is_outreach(services)
    limits = np.broadcast_to(np.asarray(max_cost, dtype=float), (len(origins),)).copy()
    index = np.int32 if max(len(origins), len(services)) < 2**31 else np.int64
    blocks = []
    for subset, extra in ((~out, 0.0), (out, outreach_extra)):
        if subset.any():
            where = np.flatnonzero(subset).astype(index)
            for block in _blocks(model, origins, services.geometry[subset], limits, extra):
                _effective(block.cost, extra)
                blocks.append((block, where))
    rows, cols, cost = join_blocks(blocks, index)
    return Catchment(
        rows=rows,
        cols=cols,
        cost=cost,
        areas=_named(origins.index, "area_code"),
        services=_named(services.index, "service_id"),
        unit=model.unit,
        max_cost=float(limits.max()) if len(limits) else float(np.max(max_cost, initial=0.0)),
        limits=limits,
    )


def _effective(cost: np.ndarray, extra: float) -> None:
    """Turn costs (at least ZERO_COST) into effective ones in place: an outreach
    service's ``extra`` reach taken off, never below zero, and zeros made exact (as
    :func:`~earlyhelp.distance.true_costs` reads them)."""
    if extra:  # outreach: closer by the extra reach, never below zero
        cost[cost <= ZERO_COST] = 0.0
        cost -= extra
        np.maximum(cost, ZERO_COST, out=cost)
    cost[cost <= ZERO_COST] = 0.0


def _blocks(
    model: DistanceModel,
    origins: gpd.GeoSeries,
    destinations: gpd.GeoSeries,
    limits: np.ndarray,
    extra: float,
) -> list[PairBlock]:
    """The pairs within each origin's limit plus ``extra`` (costs at least ZERO_COST):
    the model's own blocks where it gives them (a KD-tree per distinct limit), else cut
    from its sparse matrix."""
    # an origin that keeps nothing (a limit below zero) gets no outreach pair either
    reach = np.where(limits >= 0, limits + extra, -1.0)
    if hasattr(model, "pair_blocks"):
        return list(model.pair_blocks(origins, destinations, max_cost=reach))
    if not (reach >= 0).any():
        return []
    m = model.costs(origins, destinations, max_cost=float(reach.max())).tocsr()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    keep = true_costs(m.data) <= reach[rows]
    return [PairBlock(origins=None, i=rows[keep], j=m.indices[keep], cost=m.data[keep])]


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
        index=_named(origins.index, "area_code"),
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
    return pd.DataFrame(columns, index=_named(origins.index, "area_code"))
