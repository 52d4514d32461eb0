"""Children's centres and family hubs, placed by postcode.

About 70: k-means spread in each town, rural ones where they cover most areas otherwise
over 9.5 km from a centre, two closed and one planned, and more wherever one would be
responsible for more under-fives than it can reach. The critical centre stands alone in
its town (story 4), none is near the remote stretch (story 2), and those in the thin
district have a fraction of the capacity they would have (story 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from earlyhelp.demo.areas import Areas
from earlyhelp.demo.geometry import cross, dist
from earlyhelp.demo.land import Land
from earlyhelp.demo.postcodes import live_postcodes
from earlyhelp.demo.providers import COUNCIL
from earlyhelp.demo.stories import CRITICAL_GAP_M, FAR_FROM_HELP_M, MARGIN_M, THIN_CAPACITY
from earlyhelp.demo.vocabulary import FEATURES, OPENING
from earlyhelp.need import AGE_BANDS

_COMPASS = (
    "East",
    "North East",
    "North",
    "North West",
    "West",
    "South West",
    "South",
    "South East",
)
_RURAL_REACH_M = 9_500.0  # rural centres go where areas would otherwise be further away
# Families a year a centre reaches, for each child of its ages in its reach: a children's
# centre 1.1-1.5 for each under-five, a family hub (ages 0-19) about one for every three
# children, so that the county has 1.3-2 times the standard of places for under-fives;
# held to what one centre believably reaches, with more centres where that is too few.
_FAMILIES_PER_CHILD = {"centre": (1.1, 1.5), "hub": (0.28, 0.38)}
_FAMILIES_RANGE = (400, 1_500)
_MOST_UNDER_5 = 1_400  # under-fives one centre can be responsible for
_HUB_SHARE = 0.25  # the share of centres that are family hubs
_CENTRE_MAX_AGE = 4  # a children's centre is for under-fives: ages 0-4 in whole years


def place_centres(
    rng: np.random.Generator,
    areas: Areas,
    land: Land,
    need: pd.DataFrame,
    postcodes: pd.DataFrame,
    core: np.ndarray,
    thin: int,
) -> tuple[pd.DataFrame, str]:
    """About 70 centres by postcode; the critical one alone in its town, those in the
    district ``thin`` small.

    Returns the table (sorted by ``service_id``) and the critical centre's id.
    """
    live = live_postcodes(postcodes).reset_index(drop=True)
    pxy = live[["easting", "northing"]].to_numpy().astype(float)
    p_area = live["area"].to_numpy()
    crit_t = int(np.flatnonzero(land.towns["role"] == "critical")[0])
    d_core = cKDTree(areas.rep[core]).query(pxy)[0]
    crit_p = int(np.argmin(dist(pxy, land.towns[["x", "y"]].to_numpy()[crit_t])))
    allowed = (d_core > FAR_FROM_HELP_M + MARGIN_M) & (
        dist(pxy, pxy[crit_p]) > CRITICAL_GAP_M + MARGIN_M
    )

    chosen: list[int] = [crit_p]
    kind: list[str] = ["critical"]
    town = _town_centres(rng, areas, pxy, p_area, allowed, len(land.towns), crit_t)
    chosen += town
    kind += ["town"] * len(town)
    rural = _rural_centres(areas, pxy, chosen, np.flatnonzero(allowed))
    chosen += rural
    kind += ["rural"] * len(rural)
    # Two closed and one planned centre, in towns.
    in_towns = np.setdiff1d(np.flatnonzero(allowed & areas.urban[p_area]), chosen)
    chosen += rng.choice(in_towns, 3, replace=False).tolist()
    kind += ["closed", "closed", "planned"]
    # Numbered before more are added where one centre would have too many under-fives, so
    # that no centre's number depends on how many more that takes.
    n = len(chosen)
    ids = [f"C{i + 1:03d}" for i in rng.permutation(n)]
    in_crit_town = areas.urban[p_area] & (areas.town[p_area] == crit_t)
    more = _more_centres(
        areas, need, pxy, p_area, chosen, kind, np.flatnonzero(allowed & ~in_crit_town)
    )
    ids += [f"C{n + i + 1:03d}" for i in range(len(more))]
    kind += ["rural" if not areas.urban[p_area[p]] else "town" for p in more]
    chosen += more

    chosen_a = np.asarray(chosen)
    xy = pxy[chosen_a]
    status = np.where(np.isin(kind, ["closed", "planned"]), np.asarray(kind), "active")
    owner, reach_areas = _reach(areas, xy, status)
    hub = np.r_[rng.random(n) < _HUB_SHARE, np.zeros(len(more), dtype=bool)]
    hub[0] = True  # the critical centre is the family hub of its town
    names = _centre_names(rng, xy, kind, hub, land.towns, land.villages)
    frame = _centre_table(
        rng,
        need,
        ids=ids,
        names=names,
        xy=xy,
        status=status,
        hub=hub,
        owner=owner,
        postcode=live["postcode"].to_numpy()[chosen_a],
        reach_areas=reach_areas,
        in_thin=areas.district[p_area[chosen_a]] == thin,
    )
    critical_id = ids[0]
    frame = frame.sort_values("service_id", kind="stable").reset_index(drop=True)
    return frame, critical_id


def _town_centres(
    rng: np.random.Generator,
    areas: Areas,
    pxy: np.ndarray,
    p_area: np.ndarray,
    allowed: np.ndarray,
    n_towns: int,
    crit_t: int,
) -> list[int]:
    """Postcodes (rows of ``pxy``) of the centres of every town but the critical one: one
    per 9 urban areas (1-14 a town), spread by k-means over the town's allowed postcodes."""
    chosen: list[int] = []
    for t in range(n_towns):
        if t == crit_t:
            continue
        in_town = np.flatnonzero(allowed & areas.urban[p_area] & (areas.town[p_area] == t))
        n_urban = int((areas.urban & (areas.town == t)).sum())
        k = int(np.clip(round(n_urban / 9), 1, 14))
        if not in_town.size:
            continue
        k = min(k, in_town.size)
        centres = pxy[rng.choice(in_town, k, replace=False)]
        for _ in range(10):  # k-means over the town's postcodes spreads the centres
            lab = cKDTree(centres).query(pxy[in_town])[1]
            for c in range(k):
                if np.any(lab == c):
                    centres[c] = pxy[in_town][lab == c].mean(axis=0)
        picks = in_town[cKDTree(pxy[in_town]).query(centres)[1]]
        chosen += list(dict.fromkeys(picks.tolist()))
    return chosen


def _rural_centres(areas: Areas, pxy: np.ndarray, chosen: list[int], cand: np.ndarray) -> list[int]:
    """Rural centres (postcodes among ``cand``), each where it covers most areas that would
    otherwise be over 9.5 km from a centre, until none is (at most 40)."""
    added: list[int] = []
    for _ in range(40):
        far = cKDTree(pxy[chosen + added]).query(areas.rep)[0] > _RURAL_REACH_M
        if not far.any():
            break
        cover = (cross(pxy[cand], areas.rep[far]) <= _RURAL_REACH_M).sum(axis=1)
        if cover.max() == 0:
            break
        added.append(int(cand[np.argmax(cover)]))
    return added


def _more_centres(
    areas: Areas,
    need: pd.DataFrame,
    pxy: np.ndarray,
    p_area: np.ndarray,
    chosen: list[int],
    kind: list[str],
    cand: np.ndarray,
) -> list[int]:
    """Postcodes (among ``cand``) of more centres: while an active centre other than the
    critical one is nearest to more than ``_MOST_UNDER_5`` under-fives, one more in its
    patch, where it splits the patch's under-fives most evenly."""
    under_5 = need["pop_0_4"].to_numpy()
    active = [p for p, k in zip(chosen, kind, strict=True) if k not in ("closed", "planned")]
    free = np.setdiff1d(cand, chosen)
    full: set[int] = {chosen[0]}  # the critical centre stays alone (story 4)
    added: list[int] = []
    for _ in range(40):
        sites = np.asarray(active + added)
        owner = cKDTree(pxy[sites]).query(areas.rep)[1]
        load = np.bincount(owner, under_5, len(sites))
        load[[i for i, p in enumerate(sites) if p in full]] = 0
        big = int(np.argmax(load))
        if load[big] <= _MOST_UNDER_5:
            break
        patch = np.flatnonzero(owner == big)
        here = free[np.isin(p_area[free], patch)]
        if not here.size:
            full.add(int(sites[big]))
            continue
        # under-fives of the patch nearer each candidate than the centre
        nearer = cross(pxy[here], areas.rep[patch]) < dist(areas.rep[patch], pxy[sites[big]])
        split = nearer.astype(float) @ under_5[patch]
        best = int(here[np.argmin(np.abs(split - load[big] / 2))])
        added.append(best)
        free = free[free != best]
    return added


def _reach(areas: Areas, xy: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Every area belongs to its nearest active centre: each area's centre (row of ``xy``),
    and each centre's area codes joined by ';' (empty for closed and planned ones)."""
    active = np.flatnonzero(status == "active")
    owner = active[cKDTree(xy[active]).query(areas.rep)[1]]
    codes = areas.gdf["area_code"].to_numpy()
    reach_areas = [""] * len(xy)
    for c, group in pd.Series(codes).groupby(owner):
        reach_areas[int(c)] = ";".join(sorted(group))
    return owner, reach_areas


def _centre_names(
    rng: np.random.Generator,
    xy: np.ndarray,
    kind: list[str],
    hub: np.ndarray,
    towns: pd.DataFrame,
    villages: pd.DataFrame,
) -> list[str]:
    """Town centres by quarter of town ("Larkspire North ..."), rural ones by village; a
    second of the same name by a feature ("Kingfisher Children's Centre, Larkspire")."""
    t_xy = towns[["x", "y"]].to_numpy()
    t_sigma = towns["sigma_m"].to_numpy()
    v_xy = villages[["x", "y"]].to_numpy()
    nearest_town = cKDTree(t_xy).query(xy)[1]
    nearest_village = cKDTree(v_xy).query(xy)[1]
    features = iter(rng.permutation(np.array(FEATURES)).tolist())
    names: list[str] = []
    for i in range(len(xy)):
        suffix = "Family Hub" if hub[i] else "Children's Centre"
        t = nearest_town[i]
        if kind[i] == "rural":
            base = f"{villages['name'].iloc[nearest_village[i]]} {suffix}"
        elif kind[i] == "critical":
            base = f"{towns['name'].iloc[t]} {suffix}"
        else:
            off = xy[i] - t_xy[t]
            if np.hypot(*off) < 0.5 * t_sigma[t]:
                quarter = "Central"
            else:
                quarter = _COMPASS[int(np.round(np.arctan2(off[1], off[0]) / (np.pi / 4))) % 8]
            base = f"{towns['name'].iloc[t]} {quarter} {suffix}"
        if base in names:
            place = villages["name"].iloc[nearest_village[i]] if kind[i] == "rural" else None
            base = f"{next(features)} {suffix}, {place or towns['name'].iloc[t]}"
        names.append(base)
    return names


def _centre_table(
    rng: np.random.Generator,
    need: pd.DataFrame,
    *,
    ids: list[str],
    names: list[str],
    xy: np.ndarray,
    status: np.ndarray,
    hub: np.ndarray,
    owner: np.ndarray,
    postcode: np.ndarray,
    reach_areas: list[str],
    in_thin: np.ndarray,
) -> pd.DataFrame:
    """The centres' rows in placing order (the critical centre first), with capacity,
    cost, provider, contact and notes drawn; about 1% blank capacity, 10% blank cost."""
    n = len(ids)
    capacity, cost = _centre_capacity(rng, need, owner, status, hub, in_thin)
    sector, provider = _centre_providers(rng, n)
    notes = _centre_notes(rng, names, xy, status)
    frame = pd.DataFrame(
        {
            "service_id": ids,
            "name": names,
            "provider": provider,
            "sector": sector,
            "min_age": 0,
            "max_age": np.where(hub, 19, _CENTRE_MAX_AGE),
            "capacity": pd.array(capacity.astype(np.int64), dtype="Int64"),
            "annual_cost": pd.array(cost.astype(np.int64), dtype="Int64"),
            "delivery": "in_person",
            "status": status,
            "postcode": postcode,
            "reach_areas": reach_areas,
            "opening_times": np.where(hub, "Mon-Fri 8:30-18:00, Sat 9:00-12:00", OPENING[0]),
            "contact": [f"01632 960 {v:03d}" for v in rng.integers(0, 1000, n)],
            "notes": notes,
        }
    )
    blank_cap = rng.random(n) < 0.01
    blank_cap[0] = False
    frame.loc[blank_cap, "capacity"] = pd.NA
    frame.loc[rng.random(n) < 0.10, "annual_cost"] = pd.NA
    return frame


def _centre_capacity(
    rng: np.random.Generator,
    need: pd.DataFrame,
    owner: np.ndarray,
    status: np.ndarray,
    hub: np.ndarray,
    in_thin: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity in families a year, to the 10: ``_FAMILIES_PER_CHILD`` for each child of
    its ages in the centre's reach (under-fives, or 0-19 for a hub), held to
    ``_FAMILIES_RANGE``, and ``THIN_CAPACITY`` of that in the thin district; 150-400 for
    closed and planned centres. Annual cost: GBP 350-650 a family, to the 1,000."""
    n = len(status)
    under_5 = np.bincount(owner, need["pop_0_4"].to_numpy(), n)
    all_ages = np.bincount(owner, need[list(AGE_BANDS)].sum(axis=1).to_numpy(), n)
    u = rng.random(n)
    (c_lo, c_hi), (h_lo, h_hi) = _FAMILIES_PER_CHILD["centre"], _FAMILIES_PER_CHILD["hub"]
    families = np.where(
        hub, all_ages * (h_lo + (h_hi - h_lo) * u), under_5 * (c_lo + (c_hi - c_lo) * u)
    )
    capacity = np.round(np.clip(families, *_FAMILIES_RANGE), -1)
    capacity[in_thin] = np.round(capacity[in_thin] * THIN_CAPACITY, -1)
    capacity[status != "active"] = np.round(rng.uniform(150, 400, (status != "active").sum()), -1)
    cost = np.round(capacity * rng.uniform(350, 650, n), -3)
    return capacity, cost


def _centre_providers(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sector and provider of each centre; the critical centre (first) is the council's."""
    sector_p = np.array([0.6, 0.25, 0.15])
    sector = np.array(["statutory", "voluntary", "community"])[rng.choice(3, n, p=sector_p)]
    sector[0] = "statutory"
    provider = np.select(
        [sector == "statutory", sector == "voluntary"],
        [COUNCIL, "Lantern Families Trust"],
        "Little Acorns Community Nurseries CIC",
    )
    return sector, provider


def _centre_notes(
    rng: np.random.Generator, names: list[str], xy: np.ndarray, status: np.ndarray
) -> list[str]:
    """Notes: where families of a closed centre now go, when a planned one opens, and that
    the critical centre (first) is its town's only one."""
    n = len(names)
    active = np.flatnonzero(status == "active")
    nearest_active = [names[int(active[np.argsort(dist(xy[active], xy[i]))[0]])] for i in range(n)]
    notes = []
    for i in range(n):
        if status[i] == "closed":
            notes.append(f"Closed in 2023; families now go to {nearest_active[i]}")
        elif status[i] == "planned":
            notes.append("Opening in 2026 in the new community building")
        elif i == 0:
            notes.append(
                "The only children's centre in the town; families also come from nearby villages"
            )
        else:
            notes.append(
                ("", "Stay & play sessions daily", "Midwife clinic on Tuesdays")[rng.integers(3)]
            )
    return notes
