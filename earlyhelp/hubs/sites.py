"""Services joined to the family hub sites they are delivered at, from, or virtually.

A hub is a place; a service is delivered **in person** at it, **by outreach** from it
(staff go out to families from the hub) or **virtually** (online or by phone, run from
it). :func:`link_services` joins each active service to a site:

1. by id: the service's ``site_id`` cell names the site, or the hub list names the
   service (an Open Referral location's services);
2. else by location: the nearest site within ``[hubs] join_m`` of the service's point.

How it is delivered follows the service's ``delivery``. :func:`core_services_of` says
which services of the core offer (``[core_offer]``) a service is: those its
``core_service`` cell names, else those sharing a category with it.
"""

from __future__ import annotations

__all__ = ["MODES", "core_services_of", "link_services"]

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import CoreServiceConfig

# How a service reaches families from a site, best first, by its delivery.
MODES = ("in person", "outreach", "virtual")
_MODE_OF = {"in_person": "in person", "outreach": "outreach", "online": "virtual",
            "phone": "virtual"}  # fmt: skip


def link_services(
    sites: gpd.GeoDataFrame, services: gpd.GeoDataFrame, *, join_m: float
) -> tuple[pd.DataFrame, list[str]]:
    """Each active service delivered at, from or virtually by a site.

    Returns ``(links, notes)``: links has ``service_id``, ``site_id``, ``mode`` (one of
    :data:`MODES`) and ``how`` (``id`` or ``location``); notes say what could not be
    joined (a ``site_id`` naming no site).
    """
    notes: list[str] = []
    if not len(services) or not len(sites):
        return pd.DataFrame(columns=["service_id", "site_id", "mode", "how"]), notes
    active = services[services["status"] == "active"]
    named = _named(active, sites, notes)
    rest = active.drop(index=named["service_id"], errors="ignore")
    near = _nearby(rest, sites, join_m)
    links = pd.concat([named, near], ignore_index=True)
    delivery = active["delivery"].reindex(links["service_id"]).to_numpy()
    links["mode"] = pd.Series(delivery).map(_MODE_OF).fillna("in person").to_numpy()
    return links[["service_id", "site_id", "mode", "how"]], notes


def _named(active: pd.DataFrame, sites: gpd.GeoDataFrame, notes: list[str]) -> pd.DataFrame:
    """Links by id: the service's own ``site_id``, or the hub list's ``services``."""
    pairs: list[tuple[str, str]] = []
    own = active.get("site_id", pd.Series("", index=active.index)).astype("string").fillna("")
    own = own.str.strip()
    unknown = own[(own != "") & ~own.isin(sites.index)]
    if len(unknown):
        notes.append(
            f"{len(unknown)} service(s) name a site_id that is not in the hub list (e.g. "
            f"'{unknown.iloc[0]}'): they are joined by location instead, if near a site"
        )
    pairs += [(str(sid), str(site)) for sid, site in own[own.isin(sites.index)].items()]
    listed = sites.get("services", pd.Series("", index=sites.index)).astype("string").fillna("")
    for site, ids in listed.items():
        pairs += [(i, str(site)) for i in str(ids).split(";") if i and i in active.index]
    links = pd.DataFrame(pairs, columns=["service_id", "site_id"]).drop_duplicates("service_id")
    return links.assign(how="id")


def _nearby(rest: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, join_m: float) -> pd.DataFrame:
    """Links by location: the nearest site within ``join_m`` of each located service."""
    geom = rest.geometry
    ok = ~(geom.isna() | geom.is_empty).to_numpy()
    if not ok.any():
        return pd.DataFrame(columns=["service_id", "site_id", "how"])
    pos = np.flatnonzero(ok)
    hit = sites.sindex.nearest(geom.to_numpy()[pos], max_distance=join_m, return_all=False)
    return pd.DataFrame(
        {
            "service_id": rest.index.to_numpy()[pos[hit[0]]],
            "site_id": sites.index.to_numpy()[hit[1]],
            "how": "location",
        }
    )


def _key(text: str) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def core_services_of(
    services: pd.DataFrame, core: Mapping[str, CoreServiceConfig]
) -> tuple[pd.Series, list[str]]:
    """The core services each service is (a list per service id) and notes on
    ``core_service`` words that name no core service."""
    by_name = {_key(k): k for k in core} | {_key(c.label): k for k, c in core.items() if c.label}
    by_category: dict[str, list[str]] = {}
    for key, svc in core.items():
        for cat in svc.categories:
            by_category.setdefault(cat, []).append(key)
    unknown: set[str] = set()

    def of(row: pd.Series) -> list[str]:
        cell = row.get("core_service")
        said = [w for w in ("" if pd.isna(cell) else str(cell)).split(";") if w.strip()]
        if said:
            keys = [by_name.get(_key(w)) for w in said]
            unknown.update(w.strip() for w, k in zip(said, keys, strict=True) if k is None)
            return list(dict.fromkeys(k for k in keys if k))
        cats = row.get("categories") or []
        return list(dict.fromkeys(k for c in cats for k in by_category.get(c, [])))

    found = services.apply(of, axis=1) if len(services) else pd.Series(dtype=object)
    notes = []
    if unknown:
        notes.append(
            f"core_service names that are no [core_offer] service and were ignored: "
            f"{', '.join(sorted(unknown)[:5])}; use the keys or labels of [core_offer]"
        )
    return found, notes
