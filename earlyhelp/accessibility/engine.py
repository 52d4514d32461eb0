"""Accessibility: how well each small area reaches each category of early help.

Measures are chosen by name through :data:`MEASURES` (``nearest``, ``within_reach``,
``count_within_reach``, ``2sfca``, ``e2sfca``, ``gravity``); each returns a Series
indexed by area code and named after the measure. :func:`compute_access` runs the
measures named in ``[access]`` for every category and returns an :class:`AccessResult`.

Eligibility
    Only ``status == "active"`` services count. ``online`` and ``phone`` services are
    listed per category in ``AccessResult.remote_services`` and never count as local
    presence. An ``outreach`` service travels to families, so it reaches
    ``outreach_extra_m`` further (in minutes: that distance at the travel-mode speed):
    its cost is lowered by that much, down to zero.
Demand
    A service serves an area's children only in its age range: its demand is the
    children in the age bands of the need table that overlap ``min_age``..``max_age``
    (the rule of :func:`earlyhelp.need.children_in_ages`), optionally times a per-area
    need weight.
Supply
    ``capacity`` (places or families a year), or 1 per service where it is missing;
    :class:`AccessResult` notes how many fell back.

Floating catchment measures follow PySAL ``access`` (``Access.two_stage_fca`` and
``enhanced_two_stage_fca``): a pair is in the catchment when its cost is at most the
catchment size, and the distance weight is applied in both stages. Unlike PySAL, an area
with no service in reach scores 0 (not missing), and a service with no demand in reach
adds nothing (not infinity).
"""

from __future__ import annotations

__all__ = [
    "DECAYS",
    "GRAVITY_MIN_COST",
    "MEASURES",
    "STEP_WEIGHTS",
    "AccessResult",
    "Catchment",
    "CategoryInputs",
    "Measure",
    "all_ages_within_reach",
    "band_reach",
    "build_catchment",
    "category_bands",
    "compute_access",
    "count_within",
    "decay_weights",
    "enhanced_two_step_fca",
    "gravity_access",
    "nearest_by_band",
    "nearest_service",
    "share_within_reach",
    "two_step_fca",
    "within_reach",
]

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from earlyhelp.config import AccessConfig, CategoryConfig
from earlyhelp.distance import (
    ZERO_COST,
    DistanceModel,
    EuclideanModel,
    make_distance_model,
    true_costs,
)
from earlyhelp.errors import ConfigError, EarlyHelpError, InputError
from earlyhelp.geography import representative_points
from earlyhelp.need import AGE_BANDS, bands_for
from earlyhelp.provision import (
    ROLES,
    age_band_mask,
    classify_services,
    numeric_column,
    reach_thresholds,
    service_supply,
    text_column,
)
from earlyhelp.text import did_you_mean
from earlyhelp.units import METRES, MINUTES

# Weights of equal bands of the catchment for step decay, nearest band first: Luo and Qi's
# (2009) 1, 0.68, 0.22 for 0-10, 10-20, 20-30 minutes, as in PySAL access.
STEP_WEIGHTS: tuple[float, ...] = (1.0, 0.68, 0.22)

# Gravity: costs below this count as this, so a service at the origin is not infinitely
# attractive (metres, or minutes).
GRAVITY_MIN_COST: dict[str, float] = {METRES: 100.0, MINUTES: 1.0}


# --------------------------------------------------------------------------------------
# Eligibility, supply and demand
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Costs from areas to services
# --------------------------------------------------------------------------------------


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
    parts = []
    for subset, extra in ((~out, 0.0), (out, outreach_extra)):
        if subset.any():
            m = model.costs(origins, geoms[subset], max_cost=max_cost + extra)
            if extra:  # outreach: closer by the extra reach, never below zero
                m.data = np.maximum(true_costs(m.data) - extra, ZERO_COST)
            parts.append((m, np.flatnonzero(subset)))
    if not parts:
        costs = sparse.csr_matrix(shape, dtype=float)
    elif len(parts) == 1:
        costs = parts[0][0]
    else:  # side by side, then columns back in the order of ``services``
        stacked = sparse.hstack([m for m, _ in parts], format="csr")
        costs = stacked[:, np.argsort(np.concatenate([where for _, where in parts]))]
    return Catchment(
        costs=costs,
        areas=pd.Index(origins.index, name="area_code"),
        services=pd.Index(services.index, name="service_id"),
        unit=model.unit,
        max_cost=float(max_cost),
    )


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
    """The nearest eligible service of each area and its cost, with no cutoff.

    Returns a DataFrame indexed like ``origins`` with ``service_id`` (missing where no
    service can be reached) and ``cost`` in the model's unit (NaN where none). Outreach
    services count ``outreach_extra`` nearer.
    """
    out = _is_outreach(services)
    ids = services.index.to_numpy()
    best_cost = np.full(len(origins), np.inf)
    best_id = np.full(len(origins), -1)
    for subset, extra in ((~out, 0.0), (out, outreach_extra)):
        if not subset.any():
            continue
        found = model.nearest(origins, services.geometry[subset])
        cost = np.maximum(found.cost - extra, 0.0)
        better = (found.index >= 0) & (cost < best_cost)
        best_cost[better] = cost[better]
        best_id[better] = np.flatnonzero(subset)[found.index[better]]
    has = best_id >= 0
    service_id = np.full(len(origins), None, dtype=object)
    service_id[has] = ids[best_id[has]]
    return pd.DataFrame(
        {
            "service_id": pd.array(service_id, dtype="string"),
            "cost": np.where(has, best_cost, np.nan),
        },
        index=pd.Index(origins.index, name="area_code"),
    )


def category_bands(category: CategoryConfig) -> list[str]:
    """The need table's age bands that overlap the category's ages."""
    return bands_for(category.min_age, category.max_age)


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
    return pd.DataFrame(
        {
            band: nearest_service(
                model,
                origins,
                services[serves[band].to_numpy(dtype=bool)],
                outreach_extra=outreach_extra,
            )["cost"]
            for band in bands
        },
        index=pd.Index(origins.index, name="area_code"),
    )


def within_reach(nearest_cost: pd.Series, *, threshold: pd.Series | float) -> pd.Series:
    """Whether the nearest service is within the area's reach threshold (same unit).

    Named ``within_reach``; False where no service can be reached.
    """
    if isinstance(threshold, pd.Series):
        threshold = threshold.reindex(nearest_cost.index)
    hit = (nearest_cost <= threshold).fillna(False).astype(bool)
    return hit.rename("within_reach")


def band_reach(band_cost: pd.DataFrame, *, threshold: pd.Series) -> pd.DataFrame:
    """Per area and age band: is a service taking children of that band within reach?"""
    return band_cost.le(threshold.reindex(band_cost.index), axis=0).fillna(False)


def share_within_reach(
    band_cost: pd.DataFrame, children: pd.DataFrame, *, threshold: pd.Series
) -> pd.Series:
    """Share (0-1) of the category's children with a service that takes their age within
    reach. A service for the under-fives does not reach a fourteen-year-old, however near.
    Areas with no children of the category's ages get 1 if any band is reached, else 0.
    Named ``share_within_reach``."""
    reached = band_reach(band_cost, threshold=threshold)
    kids = children.reindex(columns=band_cost.columns).fillna(0.0)
    total = kids.sum(axis=1)
    share = (kids * reached).sum(axis=1) / total.where(total > 0)
    return share.fillna(reached.any(axis=1).astype(float)).rename("share_within_reach")


def all_ages_within_reach(
    band_cost: pd.DataFrame, children: pd.DataFrame, *, threshold: pd.Series
) -> pd.Series:
    """Whether every child of the category's ages in the area has a service taking their
    age within reach (the category is "within reach" of the area). Named ``within_reach``."""
    share = share_within_reach(band_cost, children, threshold=threshold)
    return (share >= 1.0 - 1e-12).rename("within_reach")


def count_within(catchment: Catchment, *, threshold: pd.Series | float) -> pd.Series:
    """Number of eligible services within each area's reach threshold.

    ``threshold`` is in the catchment's unit, one value or one per area; it may not
    exceed ``catchment.max_cost``, or services beyond that would go uncounted. Named
    ``count_within_reach``.
    """
    t = _per_area(threshold, catchment.areas)
    if len(t) and np.nanmax(t) > catchment.max_cost * (1 + 1e-12):
        raise ValueError(
            f"count_within: a threshold of {np.nanmax(t)} exceeds the catchment's "
            f"max_cost of {catchment.max_cost}; build the catchment with a larger max_cost"
        )
    rows = catchment.pair_rows
    hit = true_costs(catchment.costs.data) <= t[rows]
    count = np.bincount(rows[hit], minlength=len(catchment.areas))
    return pd.Series(count, index=catchment.areas, name="count_within_reach")


def _step(cost: np.ndarray, catchment_cost: float, step_weights: Sequence[float]) -> np.ndarray:
    k = len(step_weights)
    edges = catchment_cost * np.arange(1, k + 1) / k
    edges[-1] = catchment_cost
    band = np.searchsorted(edges, cost, side="left")  # first edge with cost <= edge
    w = np.append(np.asarray(step_weights, dtype=float), 0.0)
    return w[band]


def _gaussian(cost: np.ndarray, catchment_cost: float, step_weights: Sequence[float]) -> np.ndarray:
    floor = np.exp(-0.5)
    w = (np.exp(-0.5 * (cost / catchment_cost) ** 2) - floor) / (1 - floor)
    return np.where(cost <= catchment_cost, np.clip(w, 0.0, 1.0), 0.0)


def _linear(cost: np.ndarray, catchment_cost: float, step_weights: Sequence[float]) -> np.ndarray:
    return np.where(cost <= catchment_cost, np.clip(1 - cost / catchment_cost, 0.0, 1.0), 0.0)


# Distance decay within the catchment: weight 1 at cost 0, 0 beyond the catchment.
# Each takes (cost, catchment_cost, step_weights); only "step" uses step_weights.
DECAYS: dict[str, Callable[[np.ndarray, float, Sequence[float]], np.ndarray]] = {
    "step": _step,
    "gaussian": _gaussian,
    "linear": _linear,
}


def decay_weights(
    cost: np.ndarray,
    *,
    decay: str,
    catchment_cost: float,
    step_weights: Sequence[float] = STEP_WEIGHTS,
) -> np.ndarray:
    """Distance-decay weight of each cost (0 beyond ``catchment_cost``).

    ``step``: equal bands of the catchment weighted by ``step_weights`` (a cost on a band
    edge belongs to the nearer band, as in PySAL's ``step_fn``). ``gaussian``: Dai's
    (2010) kernel ``(exp(-½(d/d0)²) − exp(-½)) / (1 − exp(-½))``, 1 at the site and 0 at
    the catchment edge. ``linear``: ``1 − d/d0``.

    >>> decay_weights(np.array([0.0, 4.0, 10.0, 11.0]), decay="step", catchment_cost=10)
    array([1.  , 0.68, 0.22, 0.  ])
    """
    _check_decay(decay)
    return DECAYS[decay](np.asarray(cost, dtype=float), float(catchment_cost), step_weights)


def _fca(
    catchment: Catchment,
    weights: np.ndarray,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None,
) -> np.ndarray:
    """The two floating-catchment stages over a sparse weight matrix (PySAL's formula).

    Stage 1: each service's supply over the weighted demand in its catchment. Stage 2:
    each area sums the ratios of the services in its catchment, weighted again.
    """
    c = catchment.costs
    w = sparse.csr_matrix((weights, c.indices, c.indptr), shape=c.shape)
    s = supply.reindex(catchment.services).to_numpy(dtype=float)
    if np.isnan(s).any():
        raise ValueError("supply is missing for some services; use service_supply()")
    if isinstance(demand, pd.DataFrame):
        if serves is None:
            raise ValueError("an age-band demand table needs serves= (services × bands)")
        d = demand.reindex(catchment.areas).fillna(0.0).to_numpy(dtype=float)
        mask = serves.reindex(index=catchment.services, columns=demand.columns)
        by_band = w.T @ d  # services × bands
        total = (by_band * mask.fillna(False).to_numpy(dtype=float)).sum(axis=1)
    else:
        d = demand.reindex(catchment.areas).fillna(0.0).to_numpy(dtype=float)
        total = w.T @ d
    ratio = np.divide(s, total, out=np.zeros_like(s), where=total > 0)
    return np.asarray(w @ ratio, dtype=float)


def two_step_fca(
    catchment: Catchment,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None = None,
    catchment_cost: float | None = None,
) -> pd.Series:
    """Two-step floating catchment (Luo and Wang 2003): supply per head within reach.

    Parameters
    ----------
    catchment
        Costs from areas to services (:func:`build_catchment`).
    demand
        Children per area (Series), or children per area and age band (DataFrame of
        band columns) together with ``serves``.
    supply
        Places per service (:func:`service_supply`).
    serves
        Which bands each service serves (:func:`age_band_mask`), for band demand.
    catchment_cost
        Catchment size in the catchment's unit; default ``catchment.max_cost``.

    Returns
    -------
    pandas.Series
        Supply per child (places per child) indexed by area, named ``2sfca``.
    """
    size = catchment.max_cost if catchment_cost is None else catchment_cost
    cost = true_costs(catchment.costs.data)
    weights = (cost <= size).astype(float)
    value = _fca(catchment, weights, demand=demand, supply=supply, serves=serves)
    return pd.Series(value, index=catchment.areas, name="2sfca")


def enhanced_two_step_fca(
    catchment: Catchment,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None = None,
    catchment_cost: float | None = None,
    decay: str = "gaussian",
    step_weights: Sequence[float] = STEP_WEIGHTS,
) -> pd.Series:
    """Enhanced two-step floating catchment (Luo and Qi 2009): 2SFCA with distance decay.

    As :func:`two_step_fca`, with each pair weighted by :func:`decay_weights` in both
    stages. Returns supply per child indexed by area, named ``e2sfca``.
    """
    size = catchment.max_cost if catchment_cost is None else catchment_cost
    weights = decay_weights(
        true_costs(catchment.costs.data),
        decay=decay,
        catchment_cost=size,
        step_weights=step_weights,
    )
    value = _fca(catchment, weights, demand=demand, supply=supply, serves=serves)
    return pd.Series(value, index=catchment.areas, name="e2sfca")


def gravity_access(
    catchment: Catchment,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None = None,
    catchment_cost: float | None = None,
    beta: float = 1.5,
    min_cost: float = 100.0,
) -> pd.Series:
    """Gravity accessibility with competition (Joseph and Bantock 1982; Shen 1998).

    ``A_i = Σ_j S_j f(d_ij) / Σ_k P_k f(d_kj)`` with ``f(d) = (max(d, min_cost) /
    min_cost)^-beta`` within the catchment: a floating catchment whose weight is a power
    of cost. ``min_cost`` (catchment unit) keeps a service at the origin finite.
    Returns supply per child indexed by area, named ``gravity``.
    """
    size = catchment.max_cost if catchment_cost is None else catchment_cost
    cost = true_costs(catchment.costs.data)
    weights = np.where(cost <= size, (np.maximum(cost, min_cost) / min_cost) ** -beta, 0.0)
    value = _fca(catchment, weights, demand=demand, supply=supply, serves=serves)
    return pd.Series(value, index=catchment.areas, name="gravity")


@dataclass(frozen=True, eq=False)
class CategoryInputs:
    """Everything a measure needs for one category (built by :func:`compute_access`)."""

    category: str
    nearest: pd.DataFrame  # service_id, cost per area (nearest_service)
    band_cost: pd.DataFrame  # per area and age band of the category: nearest taking it
    children: pd.DataFrame  # children per area in the category's age bands (not weighted)
    threshold: pd.Series  # reach threshold per area, model unit
    catchment: Catchment | None  # None when no measure asked needs it
    catchment_cost: float
    demand: pd.DataFrame  # children per area and age band, need-weighted
    supply: pd.Series  # per eligible service
    serves: pd.DataFrame  # eligible services × age bands
    decay: str
    step_weights: tuple[float, ...]
    gravity_beta: float
    gravity_min_cost: float


@dataclass(frozen=True)
class Measure:
    """One accessibility measure of the registry.

    ``compute`` turns a :class:`CategoryInputs` into a Series by area; ``unit`` says
    what the value is; ``needs_catchment`` whether it reads the sparse cost matrix.
    """

    name: str
    label: str
    unit: str
    needs_catchment: bool
    compute: Callable[[CategoryInputs], pd.Series]


def _fca_kwargs(x: CategoryInputs) -> dict[str, Any]:
    assert x.catchment is not None
    return {
        "demand": x.demand,
        "supply": x.supply,
        "serves": x.serves,
        "catchment_cost": x.catchment_cost,
    }


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "nearest",
            "Travel cost to the nearest service",
            "cost",
            False,
            lambda x: x.nearest["cost"].rename("nearest"),
        ),
        Measure(
            "within_reach",
            "Every child of the category's ages has a service taking their age in reach",
            "bool",
            False,
            lambda x: all_ages_within_reach(x.band_cost, x.children, threshold=x.threshold),
        ),
        Measure(
            "share_within_reach",
            "Share of the category's children with a service taking their age in reach",
            "share",
            False,
            lambda x: share_within_reach(x.band_cost, x.children, threshold=x.threshold),
        ),
        Measure(
            "count_within_reach",
            "Services within the reach threshold",
            "count",
            True,
            lambda x: count_within(x.catchment, threshold=x.threshold),
        ),
        Measure(
            "2sfca",
            "Places per child within the catchment (2SFCA)",
            "supply per child",
            True,
            lambda x: two_step_fca(x.catchment, **_fca_kwargs(x)),
        ),
        Measure(
            "e2sfca",
            "Places per child, nearer places counting more (E2SFCA)",
            "supply per child",
            True,
            lambda x: enhanced_two_step_fca(
                x.catchment, **_fca_kwargs(x), decay=x.decay, step_weights=x.step_weights
            ),
        ),
        Measure(
            "gravity",
            "Places per child, gravity model with competition",
            "supply per child",
            True,
            lambda x: gravity_access(
                x.catchment, **_fca_kwargs(x), beta=x.gravity_beta, min_cost=x.gravity_min_cost
            ),
        ),
    )
}


# --------------------------------------------------------------------------------------
# All categories at once
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AccessResult:
    """Accessibility of every area to every category, and the parameters that made it.

    Attributes
    ----------
    tidy
        Long table: ``area_code``, ``category``, ``measure``, ``value`` (float; True is 1).
    wide
        One row per area (index ``area_code``), one column per ``<measure>__<category>``.
    nearest_service
        Service id of the nearest eligible service, one column per category.
    remote_services
        Active online and phone services: ``category``, ``service_id``, ``delivery``.
    eligibility
        Per category, how many services had each role (:data:`ROLES`) and how many
        local ones fell back to a supply of 1 (``capacity_missing``).
    notes
        Plain-language notes for the report and manifest.
    params
        Every parameter used, JSON-ready.
    """

    tidy: pd.DataFrame
    wide: pd.DataFrame
    nearest_service: pd.DataFrame
    remote_services: pd.DataFrame
    eligibility: pd.DataFrame
    notes: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


def compute_access(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: gpd.GeoDataFrame,
    categories: Mapping[str, CategoryConfig],
    access_cfg: AccessConfig,
    *,
    roads: gpd.GeoDataFrame | None = None,
    matrix: pd.DataFrame | None = None,
    need_weight: pd.Series | pd.DataFrame | None = None,
    origins: gpd.GeoSeries | None = None,
    model: DistanceModel | None = None,
    step_weights: Sequence[float] = STEP_WEIGHTS,
) -> AccessResult:
    """Run the measures named in ``access_cfg.measures`` for every category.

    Parameters
    ----------
    areas
        Small areas indexed by ``area_code`` (``rural_urban`` chooses the threshold).
    need
        Child population by age band, indexed by ``area_code``.
    services
        Canonical services indexed by ``service_id`` (points in the analysis CRS).
    categories
        The taxonomy: category key -> :class:`~earlyhelp.config.CategoryConfig`.
    access_cfg
        The ``[access]`` settings.
    roads
        Road network for ``distance_model = "network"``.
    matrix
        Origin-destination table for ``distance_model = "matrix"`` (else
        ``matrix_path`` is read).
    need_weight
        Demand weight per area (Series), or per area and category (DataFrame with one
        column per category; a missing column or area weighs 1). Used only when
        ``access_cfg.weight_demand_by_need`` is true.
    origins
        One point per area (population-weighted centroids); areas without one use a
        point inside the polygon.
    model
        A distance model already built (for example one road graph shared by many
        scenario runs); overrides ``access_cfg.distance_model``.
    step_weights
        Band weights for ``decay = "step"``.

    Returns
    -------
    AccessResult
    """
    measures = _check_settings(access_cfg, areas, services)
    notes: list[str] = []
    if model is None:
        model = make_distance_model(access_cfg, roads=roads, matrix=matrix)
    points = representative_points(areas, origins)
    bands = _band_demand(areas.index, need, notes)
    weight = _need_weights(need_weight, access_cfg, areas.index, list(categories), notes)
    notes.extend(_rural_urban_notes(areas))
    eligible = _eligible_services(services, categories)
    costing = _costing(model, points, areas, services, eligible, categories, measures, access_cfg)
    wide, nearest_df, fallbacks = _measure_categories(
        areas, categories, measures, costing, eligible, bands, weight, access_cfg, step_weights
    )
    eligibility = _eligibility_table(eligible.roles, list(categories), fallbacks)
    notes.extend(
        _role_notes(eligibility, services, eligible.roles, categories, fca=costing.need_catchment)
    )
    return AccessResult(
        tidy=_tidy(wide),
        wide=wide,
        nearest_service=nearest_df,
        remote_services=eligible.remote_services(),
        eligibility=eligibility,
        notes=tuple(notes),
        params=_access_params(
            costing, access_cfg, categories, measures, step_weights, weight, areas, services
        ),
    )


# --------------------------------------------------------------------------------------
# Steps of compute_access
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Eligible:
    """The services of one run by role (:func:`earlyhelp.provision.classify_services`),
    with what each supplies and the age bands it takes."""

    roles: pd.DataFrame  # category, service_id, role, delivery: one row per pair
    local: pd.DataFrame  # the rows of ``roles`` whose role is "local"
    serves: pd.DataFrame  # service x age band: True where it takes children of the band
    supply: pd.Series  # places a year per service (1 where capacity is missing)
    capacity_missing: pd.Series  # True where a service has no capacity

    def local_ids(self, category: str) -> pd.Index:
        """Ids of the active in-person and outreach services of ``category``."""
        return pd.Index(self.local.loc[self.local["category"] == category, "service_id"])

    def remote_services(self) -> pd.DataFrame:
        """Active online and phone services: ``category``, ``service_id``, ``delivery``."""
        remote = self.roles.loc[
            self.roles["role"] == "remote", ["category", "service_id", "delivery"]
        ]
        return remote.reset_index(drop=True)


def _eligible_services(
    services: gpd.GeoDataFrame, categories: Mapping[str, CategoryConfig]
) -> _Eligible:
    """Each service's role per category, its supply and ages (see the module's notes)."""
    roles = classify_services(services, categories=categories)
    serves = age_band_mask(services)
    supply = service_supply(services)
    capacity = numeric_column(services, "capacity", np.nan)
    return _Eligible(
        roles=roles,
        local=roles[roles["role"] == "local"],
        serves=serves,
        supply=supply,
        capacity_missing=pd.Series(np.isnan(capacity), index=services.index),
    )


def _rural_urban_notes(areas: gpd.GeoDataFrame) -> list[str]:
    """A note when some areas have no rural/urban class (they get the urban threshold)."""
    unclassified = int((~text_column(areas, "rural_urban", "").isin(["urban", "rural"])).sum())
    if not unclassified:
        return []
    return [
        f"{unclassified} areas have no rural/urban class; the urban reach threshold "
        "was used for them"
    ]


@dataclass(frozen=True, eq=False)
class _Costing:
    """How one run measures costs from its areas to a set of services (model unit)."""

    model: DistanceModel
    points: gpd.GeoSeries  # one origin per area
    services: gpd.GeoDataFrame
    catchment_cost: float  # the floating catchment size
    outreach_extra: float  # how much further outreach services reach
    thresholds: dict[str, pd.Series]  # reach threshold per category and area
    query_cost: float  # the largest cost a catchment keeps
    need_catchment: bool  # some measure asked for reads the sparse cost matrix
    shared: Catchment | None  # one catchment of every local service, cut per category

    def nearest(self, ids: pd.Index) -> pd.DataFrame:
        """The nearest of the services ``ids`` to each area (:func:`nearest_service`)."""
        return nearest_service(
            self.model, self.points, self.services.loc[ids], outreach_extra=self.outreach_extra
        )

    def catchment(self, ids: pd.Index) -> Catchment | None:
        """The catchment of the services ``ids``, or None when no measure needs one."""
        if self.shared is not None:
            return self.shared.subset(ids)
        if not self.need_catchment:
            return None
        return build_catchment(
            self.model,
            self.points,
            self.services.loc[ids],
            max_cost=self.query_cost,
            outreach_extra=self.outreach_extra,
        )

    def by_band(self, ids: pd.Index, bands: Sequence[str]) -> pd.DataFrame:
        """Per area and age band, the nearest of ``ids`` taking it (:func:`nearest_by_band`)."""
        return nearest_by_band(
            self.model,
            self.points,
            self.services.loc[ids],
            bands=bands,
            outreach_extra=self.outreach_extra,
        )


def _costing(
    model: DistanceModel,
    points: gpd.GeoSeries,
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    eligible: _Eligible,
    categories: Mapping[str, CategoryConfig],
    measures: Sequence[str],
    access_cfg: AccessConfig,
) -> _Costing:
    """The run's costing: its reach thresholds and sizes in the model's unit and, where
    the model gains by it, one catchment shared by every category."""
    unit = model.unit
    thresholds = {
        key: reach_thresholds(areas, cat_cfg, unit=unit) for key, cat_cfg in categories.items()
    }
    size = access_cfg.catchment(unit)
    extra = access_cfg.outreach_extra(unit)
    need_catchment = any(MEASURES[m].needs_catchment for m in measures)
    reach_max = max((float(t.max()) for t in thresholds.values()), default=0.0)
    query_cost = max(size, reach_max) if "count_within_reach" in measures else size
    # A road network is cheaper with one catchment for every local service, cut per
    # category (one Dijkstra per area, not one per category); a KD-tree per category is
    # cheaper than one large matrix cut twelve times.
    shared = None
    if need_catchment and getattr(model, "shared_catchment", False):
        shared = build_catchment(
            model,
            points,
            services.loc[pd.unique(eligible.local["service_id"])],
            max_cost=query_cost,
            outreach_extra=extra,
        )
    return _Costing(
        model=model,
        points=points,
        services=services,
        catchment_cost=size,
        outreach_extra=extra,
        thresholds=thresholds,
        query_cost=query_cost,
        need_catchment=need_catchment,
        shared=shared,
    )


def _measure_categories(
    areas: gpd.GeoDataFrame,
    categories: Mapping[str, CategoryConfig],
    measures: Sequence[str],
    costing: _Costing,
    eligible: _Eligible,
    bands: pd.DataFrame,
    weight: pd.DataFrame | None,
    access_cfg: AccessConfig,
    step_weights: Sequence[float],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Every measure of every category, by area; ``bands`` are the children per area and
    age band, ``weight`` their need weight per area and category (None: not weighted).

    Returns the wide table (``<measure>__<category>`` columns), the id of each area's
    nearest local service per category, and per category how many local services had
    no capacity (each counted as 1 place).
    """
    index = areas.index
    columns: dict[str, pd.Series] = {}
    nearest_ids: dict[str, pd.Series] = {}
    fallbacks: dict[str, int] = {}
    for key, category in categories.items():
        ids = eligible.local_ids(key)
        nearest = costing.nearest(ids)
        catchment = costing.catchment(ids)
        fallbacks[key] = int(eligible.capacity_missing.loc[ids].sum())
        demand = bands if weight is None else bands.mul(weight[key], axis=0)
        cat_bands = category_bands(category)
        inputs = CategoryInputs(
            category=key,
            nearest=nearest,
            band_cost=costing.by_band(ids, cat_bands),
            children=bands[cat_bands],
            threshold=costing.thresholds[key],
            catchment=catchment,
            catchment_cost=costing.catchment_cost,
            demand=demand,
            supply=eligible.supply.loc[ids],
            serves=eligible.serves.loc[ids],
            decay=access_cfg.decay,
            step_weights=tuple(step_weights),
            gravity_beta=access_cfg.gravity_beta,
            gravity_min_cost=GRAVITY_MIN_COST[costing.model.unit],
        )
        for name in measures:
            columns[f"{name}__{key}"] = MEASURES[name].compute(inputs).reindex(index)
        nearest_ids[key] = nearest["service_id"].reindex(index)
    wide = pd.DataFrame(columns, index=pd.Index(index, name="area_code"))
    return wide, pd.DataFrame(nearest_ids, index=wide.index), fallbacks


def _access_params(
    costing: _Costing,
    access_cfg: AccessConfig,
    categories: Mapping[str, CategoryConfig],
    measures: Sequence[str],
    step_weights: Sequence[float],
    weight: pd.DataFrame | None,
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
) -> dict[str, Any]:
    """Every parameter of the run, JSON-ready (:attr:`AccessResult.params`)."""
    model = costing.model
    unit = model.unit
    return {
        "distance_model": getattr(model, "name", type(model).__name__),
        "unit": unit,
        "circuity": model.circuity if isinstance(model, EuclideanModel) else None,
        "travel_mode": access_cfg.travel_mode if unit == MINUTES else None,
        "catchment": costing.catchment_cost,
        "outreach_extra": costing.outreach_extra,
        "measures": list(measures),
        "decay": access_cfg.decay,
        "step_weights": list(step_weights),
        "gravity_beta": access_cfg.gravity_beta,
        "gravity_min_cost": GRAVITY_MIN_COST[unit],
        "weight_demand_by_need": weight is not None,
        "reach_thresholds": {key: cat_cfg.reach(unit) for key, cat_cfg in categories.items()},
        "areas": len(areas),
        "services": len(services),
    }


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _check_settings(
    access_cfg: AccessConfig, areas: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> tuple[str, ...]:
    """The measures asked for, once each, after checking the settings and the codes."""
    measures = _check_measures(access_cfg.measures)
    _check_decay(access_cfg.decay)
    _check_unique(areas.index, "areas", "area_code")
    _check_unique(services.index, "services", "service_id")
    return measures


def _check_measures(names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(names)
    for name in names:
        if name not in MEASURES:
            raise ConfigError(
                f"[access] measures: unknown measure '{name}'{did_you_mean(name, MEASURES)}; "
                f"choose from: {', '.join(MEASURES)}"
            )
    return tuple(dict.fromkeys(names))


def _check_decay(name: str) -> None:
    if name not in DECAYS:
        raise ConfigError(
            f"[access] decay is '{name}'{did_you_mean(name, DECAYS)}; "
            f"choose one of: {', '.join(DECAYS)}"
        )


def _check_unique(index: pd.Index, what: str, column: str) -> None:
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise InputError(f"{what}: {column} '{dup}' appears more than once; codes must be unique")


def _per_area(value: pd.Series | float, index: pd.Index) -> np.ndarray:
    if isinstance(value, pd.Series):
        return value.reindex(index).to_numpy(dtype=float)
    return np.full(len(index), float(value))


def _band_demand(index: pd.Index, need: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Children per area and age band, aligned to ``index`` (0 where missing)."""
    present = [b for b in AGE_BANDS if b in need.columns]
    if not present:
        raise InputError(
            f"need: no child population columns; the need table needs {', '.join(AGE_BANDS)}"
        )
    absent = [b for b in AGE_BANDS if b not in need.columns]
    if absent:
        notes.append(f"need has no {', '.join(absent)}; those children counted as 0")
    table = need.reindex(columns=list(AGE_BANDS))
    table = table.apply(pd.to_numeric, errors="coerce").astype(float)
    missing = int((~index.isin(need.index)).sum())
    if missing:
        notes.append(f"{missing} areas have no row in the need table; their demand is 0")
    return table.reindex(index).fillna(0.0)


def _need_weights(
    need_weight: pd.Series | pd.DataFrame | None,
    cfg: AccessConfig,
    index: pd.Index,
    categories: list[str],
    notes: list[str],
) -> pd.DataFrame | None:
    """Demand weight per area and category, or None when demand is not weighted."""
    if not cfg.weight_demand_by_need:
        if need_weight is not None:
            notes.append("need weights were given but weight_demand_by_need is false; unused")
        return None
    if need_weight is None:
        raise EarlyHelpError(
            "weight_demand_by_need = true in [access] needs the need index to weight "
            "demand; set it to false or configure [indicators]"
        )
    if isinstance(need_weight, pd.Series):
        table = pd.DataFrame({c: need_weight for c in categories})
    else:
        table = need_weight.reindex(columns=categories)
    table = table.reindex(index).astype(float)
    if (table < 0).any().any():
        raise InputError("need weights cannot be negative; check the need index")
    gaps = int(table.isna().any(axis=1).sum())
    if gaps:
        notes.append(f"{gaps} areas have no need weight for some categories; weighted as 1")
    return table.fillna(1.0)


def _eligibility_table(
    roles: pd.DataFrame, categories: list[str], fallbacks: dict[str, int]
) -> pd.DataFrame:
    counts = pd.crosstab(roles["category"], roles["role"])
    table = counts.reindex(index=categories, columns=list(ROLES)).fillna(0).astype(int)
    table["capacity_missing"] = pd.Series(fallbacks).reindex(categories).fillna(0).astype(int)
    table.index.name = "category"
    table.columns.name = None
    return table


def _role_notes(
    eligibility: pd.DataFrame,
    services: pd.DataFrame,
    roles: pd.DataFrame,
    categories: Mapping[str, CategoryConfig],
    *,
    fca: bool,
) -> list[str]:
    notes = []
    for key, row in eligibility.iterrows():  # one row per category, about a dozen
        if fca and row["capacity_missing"]:
            notes.append(
                f"{key}: {row['capacity_missing']} of {row['local']} services have no "
                "capacity; each counted as 1 place"
            )
        if row["local"] == 0:
            notes.append(f"{key}: no active in-person or outreach service")
    per_service = roles.drop_duplicates("service_id").set_index("service_id")["role"]
    labels = {
        "not_active": "are planned or closed and were left out",
        "no_location": "have no location and were left out",
        "no_ages": "serve ages outside the need table's bands and were left out",
        "unknown_delivery": "have an unknown delivery mode and were left out",
        "remote": "are online or phone only; reported apart, not as local presence",
    }
    for role, text in labels.items():
        n = int((per_service == role).sum())
        if n:
            notes.append(f"{n} services {text}")
    listed = services["categories"].explode().dropna().astype("string").str.strip()
    unknown = sorted(set(listed) - set(categories))
    if unknown:
        notes.append(f"categories not in the taxonomy were ignored: {', '.join(unknown)}")
    return notes


def _tidy(wide: pd.DataFrame) -> pd.DataFrame:
    """Long form of the wide table: area_code, category, measure, value."""
    n, k = wide.shape
    measure, category = (
        zip(*(c.split("__", 1) for c in wide.columns), strict=True) if k else ((), ())
    )
    return pd.DataFrame(
        {
            "area_code": np.tile(wide.index.to_numpy(), k),
            "category": pd.Categorical(
                np.repeat(category, n), categories=list(dict.fromkeys(category))
            ),
            "measure": pd.Categorical(
                np.repeat(measure, n), categories=list(dict.fromkeys(measure))
            ),
            "value": wide.to_numpy(dtype=float, na_value=np.nan).ravel(order="F"),
        }
    )
