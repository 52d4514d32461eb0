"""The four planted stories: the distances that make them unmistakable, their
identifiers, and their checks, measured as the analysis will measure them.

- thin district: much less provision per child than the rest, despite average need: help
  within reach, but too few places;
- rural areas: more than 10 km from any children's centre or family support service;
- deprived estate: high domestic abuse need and no domestic abuse service within 6 km;
- critical centre: the only children's centre of a populous town, the next over 8 km away.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from earlyhelp.demo.areas import Areas, containing_area
from earlyhelp.demo.geometry import dist
from earlyhelp.demo.land import Land

# Distances that make the planted stories unmistakable (metres).
FAR_FROM_HELP_M = 10_000.0  # story b: nearest centre or family support beyond this
ESTATE_NO_DA_M = 6_000.0  # story c: no domestic abuse service within this
CRITICAL_GAP_M = 8_000.0  # story d: next nearest centre beyond this
MARGIN_M = 500.0  # kept clear beyond each threshold
OUTREACH_EXTRA_M = 3_000.0  # outreach services are kept this much further away again
# Story a: the thin district's share of the county's services, and of the capacity each
# of its services and centres would have elsewhere.
THIN_SERVICES = 0.2
THIN_CAPACITY = 0.3


def planted_story(
    areas: Areas,
    land: Land,
    centres: pd.DataFrame,
    services: pd.DataFrame,
    postcodes: pd.DataFrame,
    *,
    thin: int,
    estate: np.ndarray,
    critical_id: str,
) -> dict[str, Any]:
    """The identifiers of each planted story, as :func:`earlyhelp.demo.planted` gives them."""
    rural = far_from_help(areas, centres, services, postcodes)
    codes = areas.gdf["area_code"].to_numpy()
    crit_row = centres.index[centres["service_id"] == critical_id][0]
    reach = centres.at[crit_row, "reach_areas"].split(";")
    return {
        "thin_district": areas.district_codes[thin],
        "thin_district_name": areas.district_names[thin],
        "rural_areas": sorted(codes[rural].tolist()),
        "estate_areas": sorted(codes[estate].tolist()),
        "estate_town": land.towns.at[int(np.flatnonzero(land.towns.role == "estate")[0]), "name"],
        "critical_centre": critical_id,
        "critical_town": land.towns.at[
            int(np.flatnonzero(land.towns.role == "critical")[0]), "name"
        ],
        "critical_reach_areas": sorted(reach),
    }


def far_from_help(
    areas: Areas, centres: pd.DataFrame, services: pd.DataFrame, postcodes: pd.DataFrame
) -> np.ndarray:
    """Areas more than 10 km from every centre and family support service (any status)."""
    help_xy = _help_points(centres, services, postcodes)
    return np.flatnonzero(cKDTree(help_xy).query(areas.rep)[0] > FAR_FROM_HELP_M)


def check_stories(
    areas: Areas,
    need: pd.DataFrame,
    services: pd.DataFrame,
    centres: pd.DataFrame,
    postcodes: pd.DataFrame,
    story: dict[str, Any],
    land: Land,
) -> dict[str, Any]:
    """Measure each planted story; raise if a seed failed to plant one clearly.

    Returns the figures the README quotes: services per 1,000 children and capacity per
    child by district, distances in km, ratios to the county rate.
    """
    problems: list[str] = []
    codes = areas.gdf["area_code"].to_numpy()
    index = {c: i for i, c in enumerate(codes)}
    area_of = containing_area(areas, services[["easting", "northing"]].to_numpy())
    s_district = areas.district[area_of]
    k = len(areas.district_codes)
    pop = np.bincount(areas.district, need["pop_0_17"].to_numpy(), k)
    per_1000 = np.bincount(s_district, minlength=k) / pop * 1_000
    cap = services["capacity"].fillna(0).to_numpy(dtype=float)
    cap_per_child = np.bincount(s_district, cap, k) / pop
    thin = areas.district_codes.index(story["thin_district"])
    others = np.delete(per_1000, thin)
    if not per_1000[thin] < 0.6 * others.min():
        problems.append("the thin district is not clearly thinnest")
    if not cap_per_child[thin] < np.delete(cap_per_child, thin).min():
        problems.append("the thin district does not have the least capacity per child")

    rural = np.array([index[c] for c in story["rural_areas"]], dtype=int)
    if rural.size < 5 or areas.urban[rural].any():
        problems.append("the rural stretch is too small or not rural")
    elif csgraph.connected_components(areas.adj[rural][:, rural], directed=False)[0] != 1:
        problems.append("the rural stretch is not one contiguous stretch")

    estate = np.array([index[c] for c in story["estate_areas"]], dtype=int)
    da = services["categories"].str.split(";").apply(lambda c: "domestic_abuse" in c)
    da_xy = services.loc[da, ["easting", "northing"]].to_numpy(dtype=float)
    d_da = cKDTree(da_xy).query(areas.rep[estate])[0]
    if d_da.min() <= ESTATE_NO_DA_M:
        problems.append("a domestic abuse service is within reach of the estate")
    da_active = da & (services["status"] == "active") & (services["delivery"] == "in_person")
    da_towns = set(areas.town[area_of[da_active.to_numpy()]].tolist())
    e_town = int(np.flatnonzero(land.towns["role"] == "estate")[0])
    missing = set(range(len(land.towns))) - da_towns - {e_town}
    if missing:
        problems.append(f"towns without a domestic abuse service: {sorted(missing)}")

    lookup = postcodes.set_index("postcode")[["easting", "northing"]]
    c_xy = lookup.loc[centres["postcode"]].to_numpy(dtype=float)
    crit = int(np.flatnonzero(centres["service_id"] == story["critical_centre"])[0])
    gap = np.delete(dist(c_xy, c_xy[crit]), crit).min()
    if gap <= CRITICAL_GAP_M:
        problems.append("another centre is near the critical centre")
    if problems:
        raise RuntimeError("demo county: " + "; ".join(problems) + " (try another seed)")

    reach = np.array([index[c] for c in story["critical_reach_areas"]], dtype=int)
    rural_d = cKDTree(_help_points(centres, services, postcodes)).query(areas.rep[rural])[0]
    da_rate = need["da_factor"].to_numpy() / np.maximum(need["pop_0_17"].to_numpy(), 1)
    return {
        "per_1000": per_1000,
        "cap_per_child": cap_per_child,
        "thin_referral_ratio": (
            need["referrals"].to_numpy()[areas.district == thin].sum()
            / pop[thin]
            / (need["referrals"].sum() / pop.sum())
        ),
        "rural_km": (rural_d.min() / 1_000, rural_d.max() / 1_000),
        "estate_idaci": (need["idaci_score"].iloc[estate].min(), need["idaci_score"].max()),
        "estate_da_ratio": da_rate[estate].mean() / (need["da_factor"].sum() / pop.sum()),
        "estate_da_km": d_da.min() / 1_000,
        "critical_gap_km": gap / 1_000,
        "critical_children": int(need["pop_0_17"].iloc[reach].sum()),
        "critical_n_areas": int(reach.size),
    }


def _help_points(
    centres: pd.DataFrame, services: pd.DataFrame, postcodes: pd.DataFrame
) -> np.ndarray:
    """Where a family can find help for story b: every children's centre (by postcode) and
    every family support service, whatever their status or delivery."""
    lookup = postcodes.set_index("postcode")[["easting", "northing"]]
    c_xy = lookup.loc[centres["postcode"]].to_numpy()
    fs = services["categories"].str.split(";").apply(lambda c: "family_support" in c)
    s_xy = services.loc[fs, ["easting", "northing"]].to_numpy()
    return np.vstack([c_xy, s_xy]).astype(float)
