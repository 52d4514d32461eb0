"""The demo county's family hub network, and the deprivation deciles it is judged by.

Drawn after (and from) every other table, with its own random stream, so the county's
other files and stories are unchanged. Three files:

- ``deprivation.csv``: each area's national IMD and IDACI decile (fictional, as the
  Indices of Deprivation 2025 would give them: IDACI from the area's IDACI score against
  England's decile cut-points, IMD close to it);
- ``family_hubs.csv``: the council's own hub list: hubs, spokes and outreach venues, in
  existing children's centres (by postcode) and libraries (by easting and northing);
- ``hub_services.csv``: the services delivered at, from (outreach) or virtually by the
  hubs, read like the directory, each naming its site (``site_id``, spokes' by location
  only) and the core service it is (``core_service``).

The planted story: **a hub network that misses the deprived estate**. The council put
its hubs in the town-centre children's centres, in the least deprived area of each town:
far fewer than 70% of hubs are in the 30% most deprived areas, no hub or spoke is within
reach of the estate, and two hubs give no capacity (so the share of capacity is unknown).
"""

from __future__ import annotations

__all__ = ["HUB_SERVICE_COLUMNS", "HubNetwork", "draw_hub_network"]

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

# England's IDACI 2019 score at the upper edge of deciles 1..9 (decile 1 most deprived),
# rounded; IDACI 2025 is on the same scale.
IDACI_CUTS = (0.28, 0.21, 0.165, 0.13, 0.10, 0.08, 0.06, 0.045, 0.03)
ESTATE_CLEAR_M = 2_000.0  # no hub or spoke within this of the estate (reach: 2 km by road)
RURAL_CLEAR_M = 13_000.0  # no family support at a hub this near the rural stretch
DA_CLEAR_M = 12_000.0  # no domestic abuse service at a hub this near the estate
HUB_SERVICE_COLUMNS = (
    "service_id", "name", "provider", "sector", "categories", "min_age", "max_age",
    "capacity", "annual_cost", "delivery", "status", "easting", "northing", "postcode",
    "site_id", "core_service", "opening_times", "contact", "notes",
)  # fmt: skip
COUNCIL = "Wyvernshire County Council"
_NHS = "Wyvernshire Community Health NHS Trust"

# core service, service name, category, ages, delivery, capacity range, where offered:
# "all" hubs, "some" (every other), "few" (every third), "one" (the network's virtual offer)
_TIMETABLE = (
    ("health_visiting", "Health visiting clinic", "health_visiting", (0, 4),
     "in_person", (150, 300), "all"),
    ("infant_feeding", "Infant feeding drop-in", "health_visiting", (0, 4),
     "in_person", (30, 60), "all"),
    ("early_learning", "Stay and play", "parenting", (0, 4), "in_person", (20, 40), "all"),
    ("infant_feeding", "Infant feeding support online", "health_visiting", (0, 4),
     "online", (100, 200), "one"),
    ("parenting", "Parenting group", "parenting", (0, 11), "in_person", (10, 20), "some"),
    ("parenting", "Parenting course online", "parenting", (0, 11), "online", (40, 80), "one"),
    ("early_language", "Talk and play (early language)", "speech_language", (0, 4),
     "in_person", (10, 25), "some"),
    ("perinatal_mental_health", "Perinatal mental health group", "mental_health", (0, 4),
     "in_person", (8, 15), "few"),
    ("perinatal_mental_health", "Perinatal wellbeing support online", "mental_health",
     (0, 4), "online", (40, 80), "one"),
    ("send", "SEND drop-in", "send_support", (0, 19), "in_person", (10, 20), "some"),
    ("family_help", "Family help drop-in", "family_support", (0, 17), "in_person",
     (10, 25), "all"),
    ("money_advice", "Money and housing advice surgery", "money_housing_advice", (0, 17),
     "in_person", (20, 40), "all"),
    ("domestic_abuse", "Domestic abuse outreach", "domestic_abuse", (0, 17), "outreach",
     (5, 12), "few"),
    ("youth", "Youth club", "youth_work", (11, 19), "in_person", (20, 40), "few"),
)  # fmt: skip


@dataclass(frozen=True)
class HubNetwork:
    """The three files and the planted story's identifiers and figures."""

    deprivation: pd.DataFrame
    hubs: pd.DataFrame
    services: pd.DataFrame
    story: dict[str, Any]


def national_deciles(score: np.ndarray, cuts=IDACI_CUTS) -> np.ndarray:
    """Decile 1 (most deprived) to 10 of each score against England's cut-points."""
    return 1 + np.searchsorted(-np.asarray(cuts), -np.asarray(score), side="right")


def draw_hub_network(
    seed: int,
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    centres: pd.DataFrame,
    postcodes: pd.DataFrame,
    sites: pd.DataFrame,
    story: dict[str, Any],
) -> HubNetwork:
    """The deciles, the hub list and the hubs' services (see the module)."""
    rng = np.random.default_rng([seed, 18])
    score = need["idaci_score"].to_numpy(dtype=float)
    idaci = national_deciles(score)
    imd = national_deciles(score * np.exp(rng.normal(0.0, 0.12, len(score))))
    deprivation = pd.DataFrame(
        {"area_code": areas["area_code"], "imd_decile": imd, "idaci_decile": idaci}
    )
    rep = np.round(
        np.column_stack([areas.representative_point().x, areas.representative_point().y])
    )
    code_at = areas["area_code"].to_numpy()
    hubs = _hub_list(rng, areas, rep, idaci, centres, postcodes, sites, story, code_at)
    services = _hub_services(rng, hubs, rep, code_at, story, postcodes)
    counted = hubs[(hubs["kind"] == "hub") & (hubs["status"] == "active")]
    in_aim = int((counted["idaci_decile"] <= 3).sum())
    facts = {
        "hubs": len(counted),
        "hubs_in_aim": in_aim,
        "spokes": int((hubs["kind"] == "spoke").sum()),
        "outreach": int((hubs["kind"] == "outreach venue").sum()),
        "no_capacity": int(counted["capacity"].isna().sum()),
        "estate_km": float(_nearest_m(hubs, rep, code_at, story["estate_areas"]) / 1000),
    }
    if not in_aim < 0.7 * len(counted) or facts["estate_km"] * 1000 <= ESTATE_CLEAR_M:
        raise RuntimeError(f"demo county: the hub story did not plant ({facts}; try another seed)")
    hub_story = {"hub_network_misses": story["estate_areas"], "hub_facts": facts}
    listed = hubs.drop(columns=["idaci_decile", "x", "y", "district"])
    listed["capacity"] = listed["capacity"].astype("Int64")
    return HubNetwork(deprivation, listed, services, hub_story)


def _centre_points(centres: pd.DataFrame, postcodes: pd.DataFrame) -> np.ndarray:
    lookup = postcodes.set_index("postcode")[["easting", "northing"]]
    return lookup.loc[centres["postcode"]].to_numpy(dtype=float)


def _hub_list(rng, areas, rep, idaci, centres, postcodes, sites, story, code_at) -> pd.DataFrame:
    """Hubs in each district's least deprived active centres (one, two where it has eight
    or more; two districts chose their most deprived), spokes in the next two, outreach
    venues in libraries; none near the estate."""
    active = centres[centres["status"] == "active"].reset_index(drop=True)
    xy = _centre_points(active, postcodes)
    area_of = areas.sindex.nearest(gpd.points_from_xy(xy[:, 0], xy[:, 1]), return_all=False)[1]
    estate = np.isin(code_at, story["estate_areas"])
    d_estate = cKDTree(rep[estate]).query(xy)[0]
    ok = d_estate > ESTATE_CLEAR_M
    district = areas["district_code"].to_numpy()
    rows, targeted = [], 0
    for code in sorted(pd.unique(district[area_of])):
        mine = np.flatnonzero((district[area_of] == code) & ok)
        if not len(mine):
            continue
        order = mine[np.argsort(-idaci[area_of[mine]], kind="stable")]  # least deprived first
        if targeted < 2 and idaci[area_of[order[-1]]] <= 3:  # two districts did target
            order, targeted = order[::-1], targeted + 1
        n_hubs = 2 if len(mine) >= 8 else 1
        for rank, i in enumerate(order[: n_hubs + 2]):
            kind = "hub" if rank < n_hubs else "spoke"
            row = _site_row(rng, active.loc[i], kind, xy[i], idaci[area_of[i]])
            rows.append(row | {"district": district[area_of[i]]})
    hubs = pd.DataFrame(rows)
    # one planned hub in the estate's town, in a deprived area (not open: it counts nowhere)
    planned = np.flatnonzero(~ok & (idaci[area_of] <= 3))
    if len(planned):
        row = _site_row(rng, active.loc[planned[0]], "hub", xy[planned[0]], 1)
        row |= {"status": "planned", "district": district[area_of[planned[0]]]}
        hubs = pd.concat([hubs, pd.DataFrame([row])], ignore_index=True)
    hubs = _number(hubs)
    hubs = pd.concat([hubs, _outreach_venues(sites, rep, code_at, story)], ignore_index=True)
    counted = np.flatnonzero((hubs["kind"] == "hub") & (hubs["status"] == "active"))
    hubs.loc[counted[[1, 4]], "capacity"] = np.nan  # two hubs give no capacity
    return hubs


def _site_row(rng, centre: pd.Series, kind: str, xy: np.ndarray, decile: int) -> dict:
    town_name = str(centre["name"]).split(" Children")[0].split(" Family Hub")[0]
    name = f"{town_name} Family Hub" if kind == "hub" else f"{town_name} Family Centre"
    return {
        "name": name.replace(", ", " "),
        "kind": kind,
        "status": "active",
        "capacity": float(rng.integers(6, 15) * 100) if kind == "hub" else np.nan,
        "postcode": centre["postcode"],
        "easting": "",
        "northing": "",
        "programme": "Best Start Family Hubs",
        "x": xy[0],
        "y": xy[1],
        "idaci_decile": int(decile),
    }


def _number(hubs: pd.DataFrame) -> pd.DataFrame:
    """Ids FH01... for hubs and FS01... for spokes, in row order."""
    hubs = hubs.copy()
    for kind, prefix in (("hub", "FH"), ("spoke", "FS")):
        rows = np.flatnonzero(hubs["kind"] == kind)
        hubs.loc[rows, "site_id"] = [f"{prefix}{i + 1:02d}" for i in range(len(rows))]
    return hubs[["site_id", *[c for c in hubs.columns if c != "site_id"]]]


def _outreach_venues(sites, rep, code_at, story) -> pd.DataFrame:
    """Four libraries where hub staff run outreach sessions (placed by coordinates)."""
    libraries = sites[sites["kind"] == "library"].reset_index(drop=True)
    xy = libraries[["easting", "northing"]].to_numpy(dtype=float)
    estate = np.isin(code_at, story["estate_areas"])
    far = cKDTree(rep[estate]).query(xy)[0] > ESTATE_CLEAR_M
    chosen = libraries[far].drop_duplicates("name").head(4)
    return pd.DataFrame(
        {
            "site_id": [f"FO{i + 1:02d}" for i in range(len(chosen))],
            "name": chosen["name"].to_numpy(),
            "kind": "outreach venue",
            "status": "active",
            "capacity": np.nan,
            "postcode": "",
            "easting": chosen["easting"].astype(int).astype(str).to_numpy(),
            "northing": chosen["northing"].astype(int).astype(str).to_numpy(),
            "programme": "Best Start Family Hubs",
            "x": chosen["easting"].to_numpy(dtype=float),
            "y": chosen["northing"].to_numpy(dtype=float),
            "idaci_decile": 0,
            "district": "",
        }
    )


def _nearest_m(hubs, rep, code_at, codes) -> float:
    reach = hubs[hubs["kind"].isin(["hub", "spoke"]) & (hubs["status"] == "active")]
    inside = np.isin(code_at, codes)
    return float(cKDTree(reach[["x", "y"]].to_numpy()).query(rep[inside])[0].min())


def _hub_services(rng, hubs, rep, code_at, story, postcodes) -> pd.DataFrame:
    """Each open hub's timetable (in person, outreach, online), and a few sessions at each
    spoke that name no site (they join their spoke by location)."""
    live = hubs[hubs["status"] == "active"]
    estate = rep[np.isin(code_at, story["estate_areas"])]
    rural = rep[np.isin(code_at, story["rural_areas"])]
    rows = []
    hub_rows = live[live["kind"] == "hub"].reset_index(drop=True)
    for i, hub in hub_rows.iterrows():
        xy = np.array([hub["x"], hub["y"]])
        far_da = cKDTree(estate).query(xy)[0] > DA_CLEAR_M
        far_rural = cKDTree(rural).query(xy)[0] > RURAL_CLEAR_M
        for core, name, cat, ages, delivery, cap, where in _TIMETABLE:
            offered = {"all": True, "some": i % 2 == 0, "few": i % 3 == 0, "one": i == 0}[where]
            if not offered or (cat == "domestic_abuse" and not far_da):
                continue
            if cat == "family_support" and not far_rural:
                continue
            size = int(rng.integers(*cap)) // (
                3 if hub["district"] == story["thin_district"] else 1
            )
            rows.append(_service(hub, name, cat, ages, delivery, size, core, with_site=True))
    for _, spoke in live[live["kind"] == "spoke"].iterrows():
        for core, name, cat, ages, delivery, cap, _ in _TIMETABLE[:3]:
            rows.append(_service(spoke, name, cat, ages, delivery, int(rng.integers(*cap)) // 2,
                                 core, with_site=False))  # fmt: skip
    out = pd.DataFrame(rows)
    out.insert(0, "service_id", [f"H{i + 1:03d}" for i in range(len(out))])
    return out[list(HUB_SERVICE_COLUMNS)]


def _service(site, name, cat, ages, delivery, capacity, core, *, with_site) -> dict:
    where = str(site["name"]).replace(" Family Centre", "").replace(" Family Hub", "")
    online = delivery == "online"
    return {
        "name": f"{name} ({where})",
        "provider": COUNCIL if cat != "health_visiting" else _NHS,
        "sector": "statutory",
        "categories": cat,
        "min_age": ages[0],
        "max_age": ages[1],
        "capacity": max(capacity, 1),
        "annual_cost": "",
        "delivery": delivery,
        "status": "active",
        "easting": int(site["x"]),
        "northing": int(site["y"]),
        "postcode": site["postcode"],
        "site_id": site["site_id"] if with_site else "",
        "core_service": core if with_site else "",
        "opening_times": "Online, any time" if online else "Weekly, term time",
        "contact": "familyhubs@example.org",
        "notes": "Part of the Best Start family hub offer",
    }
