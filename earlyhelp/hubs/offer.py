"""The core offer matrix: which core family hub services each hub and locality offers, how.

For each active site (hub, spoke, outreach venue) and each service of the core offer
(``[core_offer]``), the ways the site offers it (:data:`~earlyhelp.hubs.sites.MODES`:
in person, outreach, virtual) from the services joined to it; for each locality, the
ways its sites offer it, and the network's virtual services (which reach every
locality). A required core service a hub does not offer in any way is a **gap**, named
per hub. A core service that no service in the inputs is at all (not listed anywhere,
and mapped to no category that has services) is **unknown** everywhere rather than a gap
at every hub: the inputs cannot say.
"""

from __future__ import annotations

__all__ = ["NONE", "UNKNOWN", "CoreOffer", "core_offer"]

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from earlyhelp.config import CoreServiceConfig
from earlyhelp.hubs.sites import MODES

NONE = "none"  # offered in no way
UNKNOWN = "unknown"  # no service in the inputs is this core service at all


@dataclass(frozen=True)
class CoreOffer:
    """The core offer matrix (see the module).

    ``by_site``: one row per active site (index ``site_id``): ``name``, ``kind``,
    ``locality``, ``district_code``, one column per core service key (``in person +
    virtual``, ``outreach``, ``none``, ``unknown``...), ``core_offered`` (how many core
    services it offers in any way) and ``gaps`` (required ones it lacks, by label; hubs
    only). ``by_locality``: the same per locality. ``counts``: per core service, the
    hubs offering it in person, by outreach, virtually, and not at all. ``unknown``:
    the core services no input service is.
    """

    by_site: pd.DataFrame
    by_locality: pd.DataFrame
    counts: pd.DataFrame
    unknown: tuple[str, ...]
    labels: dict[str, str]


def _modes_text(modes: set[str]) -> str:
    shown = [m for m in MODES if m in modes]
    return " + ".join(shown) if shown else NONE


def core_offer(
    sites: pd.DataFrame,
    links: pd.DataFrame,
    core_of: pd.Series,
    core: Mapping[str, CoreServiceConfig],
    *,
    locality: pd.Series,
    district: pd.Series,
    counted_kinds: tuple[str, ...],
) -> CoreOffer:
    """The core offer matrix of the active ``sites`` (``kind``, ``status``,
    ``area_code``), from the ``links`` of :func:`~earlyhelp.hubs.sites.link_services`
    and each service's core services ``core_of``; ``locality`` and ``district`` give
    each small area's locality and district."""
    labels = {k: c.label or k for k, c in core.items()}
    active = sites[sites["status"] == "active"]
    offered_anywhere = {k for keys in core_of for k in (keys or [])}
    unknown = tuple(k for k in core if k not in offered_anywhere)
    modes = _site_modes(links, core_of)
    rows = {}
    for site in active.index:
        have = modes.get(str(site), {})
        rows[site] = {k: UNKNOWN if k in unknown else _modes_text(have.get(k, set())) for k in core}
    by_site = pd.DataFrame.from_dict(rows, orient="index", columns=list(core))
    area = active["area_code"]
    by_site.insert(0, "name", active["name"])
    by_site.insert(1, "kind", active["kind"])
    by_site.insert(2, "locality", area.map(locality).fillna("outside the study area"))
    by_site.insert(3, "district_code", area.map(district).fillna(""))
    by_site["core_offered"] = _offered(by_site, core)
    is_hub = by_site["kind"].isin(counted_kinds)
    by_site["gaps"] = [
        _gaps(r, core, labels) if hub else ""
        for (_, r), hub in zip(by_site.iterrows(), is_hub, strict=True)
    ]
    by_site.index.name = "site_id"
    places = sorted(set(locality.dropna().astype(str)))
    by_locality = _by_locality(by_site, links, core_of, core, labels, unknown, places)
    counts = _counts(by_site[is_hub], core, labels, unknown)
    return CoreOffer(by_site, by_locality, counts, unknown, labels)


def _site_modes(links: pd.DataFrame, core_of: pd.Series) -> dict[str, dict[str, set[str]]]:
    """Per site, per core service, the modes it is offered in."""
    out: dict[str, dict[str, set[str]]] = {}
    for _, link in links.iterrows():
        for key in core_of.get(link["service_id"], []) or []:
            out.setdefault(str(link["site_id"]), {}).setdefault(key, set()).add(link["mode"])
    return out


def _offered(table: pd.DataFrame, core: Mapping[str, CoreServiceConfig]) -> pd.Series:
    cells = table[list(core)]
    return (~cells.isin([NONE, UNKNOWN])).sum(axis=1).astype(int)


def _gaps(row: pd.Series, core, labels) -> str:
    return "; ".join(labels[k] for k, c in core.items() if c.required and row[k] == NONE)


def _by_locality(by_site, links, core_of, core, labels, unknown, places) -> pd.DataFrame:
    """Per locality (every one of ``places``, with a site or not): the modes its sites
    offer each core service, with the network's virtual services (they reach every
    locality)."""
    virtual_keys = {
        k
        for sid in links.loc[links["mode"] == "virtual", "service_id"]
        for k in (core_of.get(sid, []) or [])
    }
    rows = {}
    groups = dict(tuple(by_site.groupby("locality", sort=True)))
    for place in sorted(set(places) | set(groups)):
        group = groups.get(place, by_site.iloc[:0])
        row: dict[str, object] = {"sites": len(group)}
        for key in core:
            if key in unknown:
                row[key] = UNKNOWN
                continue
            modes = {m for cell in group[key] for m in str(cell).split(" + ") if m in MODES}
            if key in virtual_keys:
                modes.add("virtual")
            row[key] = _modes_text(modes)
        rows[place] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    if len(table):
        table["core_offered"] = _offered(table, core)
        table["gaps"] = [_gaps(r, core, labels) for _, r in table.iterrows()]
    table.index.name = "locality"
    return table


def _counts(hubs: pd.DataFrame, core, labels, unknown) -> pd.DataFrame:
    """Per core service: hubs offering it in person, by outreach, virtually, not at all."""
    rows = []
    for key in core:
        cells = hubs[key].astype(str)
        rows.append(
            {
                "core_service": key,
                "label": labels[key],
                "required": bool(core[key].required),
                "hubs": len(hubs),
                "in_person": int(cells.str.contains("in person").sum()),
                "outreach": int(cells.str.contains("outreach").sum()),
                "virtual": int(cells.str.contains("virtual").sum()),
                "none": int((cells == NONE).sum()),
                "state": "unknown, because no service in the inputs is it"
                if key in unknown
                else "",
            }
        )
    return pd.DataFrame(rows).set_index("core_service")
