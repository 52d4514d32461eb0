"""The accessibility engine: every measure of every category at once.

:func:`compute_access` runs the measures named in ``[access]`` (:data:`MEASURES`) for
every category and returns an :class:`AccessResult`.

Eligibility
    Only ``status == "active"`` services count. ``online`` and ``phone`` services are
    listed per category in ``AccessResult.remote_services`` and never count as local
    presence. An ``outreach`` service travels to families, so it reaches
    ``outreach_extra_m`` further (in minutes: that distance at the travel-mode speed):
    for reach its cost is lowered by that much, down to zero (its effective cost,
    ``nearest__<category>``). The true cost to the same service, the one to show a
    reader, is ``distance__<category>``, and ``nearest_outreach__<category>`` says
    whether that service is an outreach one (the companions of ``nearest``; see
    :mod:`earlyhelp.accessibility.measures`).
Demand
    A service serves an area's children only in its age range: its demand is the
    children in the age bands of the need table that overlap ``min_age``..``max_age``
    (the rule of :func:`earlyhelp.need.children_in_ages`), optionally times a per-area
    need weight.
Supply
    ``capacity`` (places or families a year), or 1 per service where it is missing;
    :class:`AccessResult` notes how many fell back, and with E2SFCA the wide table's
    ``capacity_unknown__<category>`` is 1 where such a service lies in an area's catchment
    (so its places per child are a lower bound).
"""

from __future__ import annotations

__all__ = ["AccessResult", "compute_access"]

import dataclasses
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from earlyhelp.accessibility.costs import (
    Catchment,
    build_catchment,
    nearest_by_band,
    nearest_service,
)
from earlyhelp.accessibility.fca import GRAVITY_MIN_COST, STEP_WEIGHTS, check_decay
from earlyhelp.accessibility.measures import MEASURES, CategoryInputs
from earlyhelp.accessibility.reach import band_reach, catchment_band_reach, category_bands
from earlyhelp.columns import measure_column, split_measure_column
from earlyhelp.config import AccessConfig, CategoryConfig
from earlyhelp.distance import (
    DistanceModel,
    EuclideanModel,
    describe_cost,
    make_distance_model,
)
from earlyhelp.errors import ConfigError, EarlyHelpError, InputError
from earlyhelp.forking import Beside, beside, stop_all
from earlyhelp.geography import representative_points
from earlyhelp.need import AGE_BANDS
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
from earlyhelp.units import MINUTES


@dataclass(frozen=True, eq=False)
class AccessResult:
    """Accessibility of every area to every category, and the parameters that made it.

    Attributes
    ----------
    tidy
        Long table: ``area_code``, ``category``, ``measure``, ``value`` (float; True is 1).
    wide
        One row per area (index ``area_code``), one column per ``<measure>__<category>``
        (:func:`earlyhelp.columns.measure_column`). With ``nearest``: ``nearest__<c>``
        is the effective cost reach is decided on (outreach counted nearer),
        ``distance__<c>`` the true cost to the same service (to show a reader) and
        ``nearest_outreach__<c>`` whether that service is an outreach one.
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
    nearest_ids: bool = True,
) -> AccessResult:
    """Run the measures named in ``access_cfg.measures`` for every category: an
    :class:`AccessResult`.

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
    nearest_ids
        False: no nearest search unless ``nearest`` is asked for (``nearest_service`` is
        then empty), for a caller that reads other measures only.
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
    costing = dataclasses.replace(costing, find_nearest=nearest_ids or "nearest" in measures)
    common = _Common(areas, measures, costing, eligible, bands, weight, access_cfg,
                     tuple(step_weights))  # fmt: skip
    wide, nearest_df, fallbacks = _measure_categories(categories, common)
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

    local_by_category: dict[str, np.ndarray]  # positions of each category's local services

    def local_positions(self, category: str) -> np.ndarray:
        """Positions (in the services table) of the active in-person and outreach services
        of ``category``, in the order of ``roles``: ids are looked up once for all, as each
        lookup among 200,000 string ids costs tens of milliseconds."""
        return self.local_by_category.get(category, np.zeros(0, dtype=np.intp))

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
    local = roles[roles["role"] == "local"]
    pos = services.index.get_indexer(local["service_id"])
    by_category = pd.Series(pos).groupby(local["category"].to_numpy(), sort=False)
    return _Eligible(
        roles=roles,
        local=local,
        local_by_category={str(k): v.to_numpy() for k, v in by_category},
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
    limits: dict[str, np.ndarray | float]  # per category, the largest cost a catchment keeps
    need_catchment: bool  # some measure asked for reads the sparse cost matrix
    bands_from_pairs: bool  # the bands reached are read from the catchment's pairs
    reach_measures: bool  # a measure asked for reads the pairs within the reach threshold
    shared: Catchment | None  # one catchment of every local service, cut per category
    find_nearest: bool = True  # False: no nearest search (nothing asked for reads it)

    def nearest(self, chosen: gpd.GeoDataFrame) -> pd.DataFrame:
        """The nearest of the services ``chosen`` to each area (:func:`nearest_service`);
        none found anywhere when the search is not wanted."""
        if not self.find_nearest:
            return nearest_service(self.model, self.points, chosen.iloc[:0])
        return nearest_service(self.model, self.points, chosen, outreach_extra=self.outreach_extra)

    def catchment(self, key: str, chosen: gpd.GeoDataFrame) -> Catchment | None:
        """The catchment of the services ``chosen`` of category ``key``, or None when no
        measure needs one."""
        if self.shared is not None:
            return self.shared.subset(chosen.index)
        if key not in self.limits:
            return None
        return build_catchment(
            self.model,
            self.points,
            chosen,
            max_cost=self.limits[key],
            outreach_extra=self.outreach_extra,
        )

    def in_reach(self, key: str, catchment: Catchment | None) -> Catchment | None:
        """The pairs of ``catchment`` within each area's reach threshold of category
        ``key``, where the catchment holds all of them (else None): one cut that counting
        and the bands reached both read."""
        if catchment is None or not self.reach_measures:
            return None
        threshold = self.thresholds[key].reindex(catchment.areas).to_numpy(dtype=float)
        if (threshold > catchment.limits).any():
            return None
        return catchment.within(threshold)

    def reached(
        self,
        key: str,
        chosen: gpd.GeoDataFrame,
        bands: list[str],
        catchment: Catchment | None,
        serves: pd.DataFrame,
    ) -> pd.DataFrame:
        """Per area and age band of ``bands``: does a service of ``chosen`` taking it lie within
        the area's reach threshold? From the catchment's pairs where they are the very
        costs the model's nearest search gives (a KD-tree), else from the nearest service
        taking each band (:func:`nearest_by_band`)."""
        threshold = self.thresholds[key]
        if self.bands_from_pairs and catchment is not None:  # (cut to the threshold)
            return catchment_band_reach(catchment, serves, threshold=threshold, bands=bands)
        band_cost = nearest_by_band(
            self.model,
            self.points,
            chosen,
            bands=bands,
            outreach_extra=self.outreach_extra,
        )
        return band_reach(band_cost, threshold=threshold)


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
    """The run's costing: its reach thresholds and sizes in the model's unit, how far
    each category's catchment reaches and, where the model gains by it, one catchment
    shared by every category.

    With a model that gives its pairs (straight lines from KD-trees), a category's
    catchment reaches, in each area, the floating catchment size where a floating
    catchment measure is asked for, and the area's own reach threshold where a reach
    measure is (the pairs a town's areas would keep out to the longest, rural, reach are
    never made), and the bands reached are read from it. Other models keep one largest
    cost for every area."""
    unit = model.unit
    thresholds = {
        key: reach_thresholds(areas, cat_cfg, unit=unit) for key, cat_cfg in categories.items()
    }
    size = access_cfg.catchment(unit)
    extra = access_cfg.outreach_extra(unit)
    reads = {MEASURES[m].reads for m in measures}
    need_catchment = any(MEASURES[m].needs_catchment for m in measures)
    # bands read from pairs where a catchment is made anyway; else a nearest search per
    # band (k = 1) is cheaper than every pair out to a rural reach
    by_pairs = hasattr(model, "cost_pairs") and need_catchment
    limits: dict[str, np.ndarray | float] = {}
    if by_pairs and (need_catchment or "bands" in reads):
        for key, t in thresholds.items():
            limit = np.full(len(areas), size if "catchment" in reads else -np.inf)
            if reads & {"reach", "bands"}:
                limit = np.fmax(limit, t.reindex(areas.index).to_numpy(dtype=float))
            limits[key] = limit
    elif need_catchment:
        reach_max = max((float(t.max()) for t in thresholds.values()), default=0.0)
        query_cost = max(size, reach_max) if "reach" in reads else size
        limits = dict.fromkeys(thresholds, query_cost)
    # A road network is cheaper with one catchment for every local service, cut per
    # category (one Dijkstra per area, not one per category); a KD-tree per category is
    # cheaper than one large matrix cut twelve times.
    shared = None
    if need_catchment and getattr(model, "shared_catchment", False):
        shared = build_catchment(
            model,
            points,
            services.loc[pd.unique(eligible.local["service_id"])],
            max_cost=max((float(np.max(v)) for v in limits.values()), default=size),
            outreach_extra=extra,
        )
    return _Costing(
        model=model,
        points=points,
        services=services,
        catchment_cost=size,
        outreach_extra=extra,
        thresholds=thresholds,
        limits=limits,
        need_catchment=need_catchment,
        bands_from_pairs=by_pairs,
        reach_measures=bool(reads & {"reach", "bands"}),
        shared=shared,
    )


# areas x services above which half the kinds of help are measured by a process beside
# (:mod:`earlyhelp.forking`); below it a fork costs more than it saves
SPLIT_ABOVE_PAIRS = 100_000_000


@dataclass(frozen=True)
class _Common:
    """What every category's measures read: ``bands`` are the children per area and age
    band, ``weight`` their need weight per area and category (None: not weighted)."""

    areas: gpd.GeoDataFrame
    measures: Sequence[str]
    costing: _Costing
    eligible: _Eligible
    bands: pd.DataFrame
    weight: pd.DataFrame | None
    access_cfg: AccessConfig
    step_weights: tuple[float, ...]


def _measure_categories(
    categories: Mapping[str, CategoryConfig], common: _Common
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Every measure of every category, by area. Above :data:`SPLIT_ABOVE_PAIRS`, every
    other category is measured by a process beside this one (each category's measures
    depend on nothing of another's).

    Returns the wide table (``<measure>__<category>`` columns), the id of each area's
    nearest local service per category, and per category how many local services had
    no capacity (each counted as 1 place)."""
    index = common.areas.index
    keys = list(categories)
    theirs: Beside[dict[str, _Measured]] | None = None
    big = len(common.areas) * len(common.costing.services) > SPLIT_ABOVE_PAIRS
    # forked from the main thread only (not from the sectors' thread beside the gap tables)
    if len(keys) > 1 and big and threading.current_thread() is threading.main_thread():
        theirs = beside(_measured, {k: categories[k] for k in keys[1::2]}, common,
                        what="measuring access")  # fmt: skip
    try:
        done = _measured({k: categories[k] for k in (keys[0::2] if theirs else keys)}, common)
        if theirs is not None:
            done.update(theirs.result())
    except BaseException:
        if theirs is not None:
            stop_all([theirs])
        raise
    # in the categories' order, every column on the same index object (no aligning)
    index = index if index.name == "area_code" else index.rename("area_code")
    columns = {c: pd.Series(v, index=index) for key in keys for c, v in done[key].columns.items()}
    wide = pd.DataFrame(columns, index=index)
    nearest = {key: pd.Series(done[key].nearest_id, index=index) for key in keys}
    missing = {key: done[key].capacity_missing for key in keys}
    return wide, pd.DataFrame(nearest, index=index), missing


@dataclass(frozen=True)
class _Measured:
    """One category's results, by area as arrays in the areas' order (no index to send)."""

    columns: dict[str, ExtensionArray]
    nearest_id: ExtensionArray
    capacity_missing: int


def _measured(categories: Mapping[str, CategoryConfig], common: _Common) -> dict[str, _Measured]:
    """:func:`_measure_categories` for the ``categories`` given, each by itself."""
    areas, measures, costing = common.areas, common.measures, common.costing
    eligible, bands, weight, access_cfg = (common.eligible, common.bands, common.weight,
                                           common.access_cfg)  # fmt: skip
    index = areas.index
    by_band = any(MEASURES[m].reads == "bands" for m in measures)
    done: dict[str, _Measured] = {}
    for key, category in categories.items():
        pos = eligible.local_positions(key)
        chosen = costing.services.iloc[pos]
        nearest = costing.nearest(chosen)
        catchment = costing.catchment(key, chosen)
        in_reach = costing.in_reach(key, catchment)
        # labelled with the very index of ``chosen`` (they are in its order), so pandas
        # aligns them to the catchment's services without comparing 20,000 labels
        missing = eligible.capacity_missing.iloc[pos].set_axis(chosen.index)
        cat_bands = category_bands(category)
        serves = eligible.serves.iloc[pos].set_axis(chosen.index)
        # the category's children only: a service's places for this kind of help are for
        # the children of its ages that the service also takes
        demand = bands[cat_bands] if weight is None else bands[cat_bands].mul(weight[key], axis=0)
        inputs = CategoryInputs(
            category=key,
            nearest=nearest,
            reached=costing.reached(key, chosen, cat_bands, in_reach, serves) if by_band else None,
            children=bands[cat_bands],
            threshold=costing.thresholds[key],
            catchment=catchment,
            reach_catchment=in_reach,
            catchment_cost=costing.catchment_cost,
            demand=demand,
            supply=eligible.supply.iloc[pos].set_axis(chosen.index),
            capacity_missing=missing,
            serves=serves,
            decay=access_cfg.decay,
            step_weights=common.step_weights,
            gravity_beta=access_cfg.gravity_beta,
            gravity_min_cost=GRAVITY_MIN_COST[costing.model.unit],
        )
        columns = {}
        for name in measures:
            for measure in MEASURES[name].with_companions():
                column = measure.compute(inputs).reindex(index)
                columns[measure_column(measure.name, key)] = column.array
        done[key] = _Measured(
            columns=columns,
            nearest_id=nearest["service_id"].reindex(index).array,
            capacity_missing=int(missing.sum()),
        )
    return done


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
        "cost_description": describe_cost(access_cfg, unit),
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
    check_decay(access_cfg.decay)
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


def _check_unique(index: pd.Index, what: str, column: str) -> None:
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise InputError(f"{what}: {column} '{dup}' appears more than once; codes must be unique")


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
    unknown = sorted(set(listed.unique()) - set(categories))
    if unknown:
        notes.append(f"categories not in the taxonomy were ignored: {', '.join(unknown)}")
    return notes


def _tidy(wide: pd.DataFrame) -> pd.DataFrame:
    """Long form of the wide table: area_code, category, measure, value."""
    n, k = wide.shape
    pairs = [split_measure_column(c) or (str(c), "") for c in wide.columns]
    measure, category = zip(*pairs, strict=True) if k else ((), ())

    def repeated(names: tuple[str, ...]) -> pd.Categorical:
        """Each column's name n times, made from codes (no string hashed per row)."""
        levels = list(dict.fromkeys(names))
        codes = np.repeat(np.array([levels.index(v) for v in names], dtype=np.int32), n)
        return pd.Categorical.from_codes(codes, categories=levels)

    return pd.DataFrame(
        {
            "area_code": np.tile(wide.index.to_numpy(), k),
            "category": repeated(category),
            "measure": repeated(measure),
            "value": wide.to_numpy(dtype=float, na_value=np.nan).ravel(order="F"),
        }
    )
