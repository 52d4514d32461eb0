"""Finding the offer: the active services that fit one child and family, ranked by reach.

Munro (2011) Recommendation 10 asks how "the early help that a particular child and
family need is identified and offered". Given where a family lives (a postcode, latitude
and longitude, or easting and northing), the child's age and the kinds of help they need
(taxonomy keys), :func:`find_offer` lists the **active** services that fit:

- of each category asked for, taking a child of that age (``min_age <= age <= max_age``,
  whole years, inclusive);
- in person or outreach, those within the category's reach threshold (urban or rural,
  from the family's small area) first, then nearest first by the distance shown, so the
  order is true of what is printed;
- online and phone services apart, as available anywhere.

Distance is measured with the configured distance model and described in its words
(:func:`earlyhelp.distance.describe_cost`: "estimated road distance (straight line x
1.2)" by default). Every distance shown is the real one. An outreach service comes to
families, so for reach it counts ``outreach_extra_m`` nearer, down to zero, as in
:mod:`earlyhelp.accessibility` (``distance_for_reach``); the offer says it comes to
families and how far it travels (``outreach_travels``).

When a need has no service within reach, the offer says so plainly and names the nearest
one and how far it is.
"""

from __future__ import annotations

__all__ = [
    "OFFER_COLUMNS",
    "Offer",
    "distance_text",
    "find_offer",
    "outreach_text",
    "parse_needs",
]

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import Point

from earlyhelp.config import CategoryConfig
from earlyhelp.distance import describe_cost, true_costs
from earlyhelp.errors import InputError
from earlyhelp.offer.directory import Directory, Place
from earlyhelp.offer.plain import OFFER_COLUMNS, need_line
from earlyhelp.offer.words import (
    age_notes,
    check_request,
    distance_text,
    message,
    outreach_text,
    parse_needs,
)
from earlyhelp.provision import classify_services, reach_thresholds


@dataclass(frozen=True, eq=False)
class Offer:
    """The services that fit one child and family, and what to tell them.

    Attributes
    ----------
    place
        Where the family lives.
    age
        The child's age in completed years.
    needs
        One row per need asked for (index ``need``): ``label``, ``reach_threshold``,
        ``unit``, ``within_reach`` (how many local services are), ``local`` (active
        in-person or outreach services taking the child's age, anywhere),
        ``remote`` (online or phone ones), ``nearest_name``, ``nearest_distance`` and
        ``message``, a plain sentence for the family's worker.
    services
        The services listed, one row per need and service (:data:`OFFER_COLUMNS`):
        local ones ranked (within reach first, then nearest first by ``distance``), then
        those available anywhere (online, phone; no distance). ``distance`` is the real
        distance (or travel time) in ``unit``; ``distance_for_reach`` the cost reach is
        decided on (an outreach service's distance less how far it travels, down to 0);
        ``outreach_travels`` how far an outreach service travels to families (blank for
        others).
    notes
        Notes about the location and the inputs (a terminated postcode, for example).
    params
        The distance model, what its costs are (``cost_description``), its unit,
        circuity, outreach reach and the listing limit.
    """

    place: Place
    age: int
    needs: pd.DataFrame
    services: pd.DataFrame
    notes: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


def find_offer(
    directory: Directory,
    place: Place,
    *,
    age: int,
    needs: Sequence[str] | None = None,
    limit: int = 5,
) -> Offer:
    """The active services that fit a child of ``age`` at ``place`` for each need.

    Parameters
    ----------
    directory
        From :func:`load_directory`.
    place
        From :func:`locate`.
    age
        The child's age in completed years (0 for a baby or an expected baby).
    needs
        Taxonomy keys (see :func:`parse_needs`); None means every category.
    limit
        Most services listed per need, in person or outreach and online or phone each
        (0 lists all); the need's message counts those left out.
    """
    cfg = directory.config
    check_request(age, limit)
    keys = parse_needs(needs, cfg.categories)
    unit = directory.model.unit
    extra = cfg.access.outreach_extra(unit)
    roles = _fitting_roles(directory.services, keys, age)
    cost, effective = _family_costs(directory, place, roles, extra)
    rows: list[pd.DataFrame] = []
    summary: list[dict[str, Any]] = []
    notes = list(place.notes)
    for key in keys:
        category = cfg.categories[key]
        notes.extend(age_notes(category, key, age))
        listed, need_row = _need_offer(
            key,
            category,
            directory.services,
            roles[roles["category"] == key],
            cost=cost,
            effective=effective,
            place=place,
            age=age,
            unit=unit,
            extra=extra,
            limit=limit,
        )
        rows.append(listed)
        summary.append(need_row)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    table["unit"] = unit
    table = table.reindex(columns=list(OFFER_COLUMNS))
    notes.extend(_responsible_centres(directory.services, place))
    return Offer(
        place=place,
        age=int(age),
        needs=pd.DataFrame(summary).set_index("need"),
        services=table,
        notes=tuple(dict.fromkeys(notes)),
        params=_offer_params(directory, extra=extra, limit=limit, place=place),
    )


def _fitting_roles(services: gpd.GeoDataFrame, keys: Sequence[str], age: int) -> pd.DataFrame:
    """The roles (:func:`~earlyhelp.provision.classify_services`) of the active local and
    remote services of the needs ``keys`` that take a child of ``age`` (blank ages: 0 and
    no upper limit)."""
    roles = classify_services(services, categories=keys)
    lo = pd.to_numeric(services["min_age"], errors="coerce").fillna(0.0)
    hi = pd.to_numeric(services["max_age"], errors="coerce").fillna(np.inf)
    takes_age = ((lo <= age) & (hi >= age)).reindex(roles["service_id"]).to_numpy()
    return roles[takes_age & roles["role"].isin(["local", "remote"]).to_numpy()]


def _family_costs(
    directory: Directory, place: Place, roles: pd.DataFrame, extra: float
) -> tuple[pd.Series, pd.Series]:
    """Cost from the family to each local service of ``roles`` (model unit), and the
    effective cost: an outreach service comes ``extra`` nearer, down to zero."""
    local_ids = pd.unique(roles.loc[roles["role"] == "local", "service_id"])
    cost = _costs(directory, place, pd.Index(local_ids))
    services = directory.services
    outreach = (services["delivery"] == "outreach").reindex(cost.index).to_numpy(dtype=bool)
    return cost, cost.where(~outreach, (cost - extra).clip(lower=0.0))


def _need_offer(
    key: str,
    category: CategoryConfig,
    services: gpd.GeoDataFrame,
    mine: pd.DataFrame,
    *,
    cost: pd.Series,
    effective: pd.Series,
    place: Place,
    age: int,
    unit: str,
    extra: float,
    limit: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The services listed for one need (local ranked, then remote; :data:`OFFER_COLUMNS`
    but ``unit``) and its row of :attr:`Offer.needs`. ``mine`` are the need's roles."""
    label = category.label or key
    area = pd.DataFrame({"rural_urban": [place.rural_urban or ""]})
    threshold = float(reach_thresholds(area, category, unit=unit).iloc[0])
    local = _ranked_local(services, mine, key, label, cost, effective, threshold, extra)
    reachable = local[local["distance"].notna()]
    nearest = reachable.iloc[0] if len(reachable) else None
    shown = local if limit == 0 else local.head(limit)
    remote = _remote_listing(services, mine, key, label, threshold)
    remote_shown = remote if limit == 0 else remote.head(limit)
    listed = pd.concat([shown, remote_shown], ignore_index=True)
    listed["rank"] = np.arange(1, len(listed) + 1)
    n_within = int(local["within_reach"].sum())
    text = message(
        label,
        age=age,
        threshold=threshold,
        unit=unit,
        rural=place.rural_urban == "rural",
        n_within=n_within,
        n_shown=int(shown["within_reach"].sum()),
        outreach_within=bool((local["within_reach"] & local["outreach_travels"].notna()).any()),
        nearest=nearest,
        n_remote=len(remote),
        n_remote_shown=len(remote_shown),
        extra=extra,
    )
    near = None
    if nearest is not None:
        near = {k: nearest[k] for k in ("service_id", "name", "delivery")}
        near["distance"] = float(nearest["distance"])
    line = need_line(key, label, threshold, unit, n_within, len(local), len(remote), near, text)
    return listed, line


def _ranked_local(
    services: gpd.GeoDataFrame,
    mine: pd.DataFrame,
    key: str,
    label: str,
    cost: pd.Series,
    effective: pd.Series,
    threshold: float,
    extra: float,
) -> pd.DataFrame:
    """The need's in-person and outreach services with their real distances, within
    reach first (decided on ``effective`` costs), then nearest first by the real distance
    shown (unreachable last), name and id."""
    local = _listing(services, mine[mine["role"] == "local"]["service_id"], key, label)
    local["distance"] = cost.reindex(local["service_id"]).to_numpy()
    local["distance_for_reach"] = effective.reindex(local["service_id"]).to_numpy()
    local["outreach_travels"] = np.where(local["delivery"] == "outreach", extra, np.nan)
    local["reach_threshold"] = threshold
    local["within_reach"] = (local["distance_for_reach"] <= threshold).to_numpy()
    local["available_anywhere"] = False
    return local.sort_values(
        ["within_reach", "distance", "name", "service_id"],
        ascending=[False, True, True, True],
        na_position="last",
        kind="stable",
    )


def _remote_listing(
    services: gpd.GeoDataFrame, mine: pd.DataFrame, key: str, label: str, threshold: float
) -> pd.DataFrame:
    """The need's online and phone services, available anywhere (no distance), by name."""
    remote = _listing(services, mine[mine["role"] == "remote"]["service_id"], key, label)
    return remote.assign(
        distance=np.nan,
        distance_for_reach=np.nan,
        outreach_travels=np.nan,
        reach_threshold=threshold,
        within_reach=pd.NA,
        available_anywhere=True,
    ).sort_values(["name", "service_id"], kind="stable")


def _offer_params(
    directory: Directory, *, extra: float, limit: int, place: Place
) -> dict[str, Any]:
    """The distance model, what its costs are, its unit, circuity, outreach reach and the
    listing limit."""
    model = directory.model
    return {
        "distance_model": getattr(model, "name", type(model).__name__),
        "cost_description": describe_cost(directory.config.access, model.unit),
        "unit": model.unit,
        "circuity": getattr(model, "circuity", None),
        "outreach_extra": extra,
        "limit": limit,
        "rural_urban": place.rural_urban or "urban (no class)",
    }


def _responsible_centres(services: gpd.GeoDataFrame, place: Place) -> list[str]:
    """Who is responsible for the family's area: the active children's centres whose
    ``reach_areas`` include it (the first door to knock on, whatever the need)."""
    if not place.area_code or "reach_areas" not in services:
        return []
    active = services[services["status"] == "active"]
    own = active[active["reach_areas"].map(lambda codes: place.area_code in (codes or []))]
    return [
        f"The children's centre responsible for this area is {row['name']}"
        + (f" ({row['contact']})" if row.get("contact") else "")
        + "."
        for _, row in own.iterrows()
    ]


def _listing(services: gpd.GeoDataFrame, ids: pd.Series, key: str, label: str) -> pd.DataFrame:
    """The directory's columns of the services ``ids``, for one need."""
    ids = pd.Index(pd.unique(ids), name="service_id")
    cols = ["name", "provider", "sector", "delivery", "min_age", "max_age"]
    cols += ["opening_times", "contact", "notes"]
    sub = pd.DataFrame(services.loc[ids]).reindex(columns=cols)
    sub = sub.reset_index()
    sub.insert(0, "need_label", label)
    sub.insert(0, "need", key)
    return sub


def _costs(directory: Directory, place: Place, ids: pd.Index) -> pd.Series:
    """Cost (model unit) from the family to each service; NaN where it cannot be reached."""
    if not len(ids):
        return pd.Series([], index=ids, dtype=float, name="distance")
    model = directory.model
    label = place.area_code or "family"
    if getattr(model, "name", "") == "matrix" and place.area_code is None:
        raise InputError(
            "offer: the matrix distance model measures from small areas, and this "
            "location is in none of them; use a location inside the study area"
        )
    origin = gpd.GeoSeries([Point(place.x, place.y)], index=[label], crs=directory.areas.crs)
    dests = directory.services.loc[ids].geometry
    matrix = model.costs(origin, dests, max_cost=math.inf).tocsr()
    values = np.full(len(ids), np.nan)
    row = matrix.getrow(0)
    values[row.indices] = true_costs(row.data)
    return pd.Series(values, index=ids, name="distance")
