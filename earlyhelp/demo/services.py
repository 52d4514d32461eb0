"""The early help service directory: about 1,100 services with names, providers, ages,
capacity, cost and contact details, located by easting and northing.

Services are spread over districts by their share of children; the thin district gets
fewer and smaller ones (story 1), none offering family support comes near the remote
stretch (story 2), none offering domestic abuse support near the estate (story 3), and
every other town has an active, in-person domestic abuse service: an anchor. Capacities
are sized so that the county as a whole has 1.3-2 times the places the standards of
``config.toml`` ask for; more providers, not bigger ones, where one would be too big.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from earlyhelp.demo.areas import Areas
from earlyhelp.demo.geometry import cross, dist
from earlyhelp.demo.land import Land, nearest_settlement
from earlyhelp.demo.postcodes import jitter_inside, live_postcodes, nearest_postcode
from earlyhelp.demo.providers import provider_for, sector_for
from earlyhelp.demo.stories import (
    ESTATE_NO_DA_M,
    FAR_FROM_HELP_M,
    MARGIN_M,
    OUTREACH_EXTRA_M,
    THIN_CAPACITY,
    THIN_SERVICES,
)
from earlyhelp.demo.vocabulary import OPENING
from earlyhelp.need import AGE_BANDS

# How many services of each kind (its first category) the county lists, before the thin
# district's cut; children's centres have their own file. Early education is half the
# directory, as in a real Family Information Service: a nursery or pre-school has 30-120
# places, so the places a county's under-fives need take hundreds of providers.
_SERVICE_COUNT = {
    "family_support": 96,
    "parenting": 66,
    "domestic_abuse": 42,
    "mental_health": 54,
    "substance_misuse": 30,
    "youth_work": 72,
    "health_visiting": 70,
    "speech_language": 36,
    "send_support": 48,
    "money_housing_advice": 48,
    "early_education": 560,
}
# A service's second category, if it has one. Its one capacity counts as places of both
# kinds, so a second kind is never one that needs far fewer places than the first offers
# (a youth club's 400 young people are not 400 substance misuse places, nor a clinic's
# 1,000 visits parenting places): health visiting clinics and advice services have none.
_SECOND_CATEGORY: dict[str, tuple[str, ...]] = {
    "family_support": ("domestic_abuse", "money_housing_advice"),
    "parenting": ("family_support", "speech_language"),
    "domestic_abuse": ("family_support", "mental_health"),
    "mental_health": ("send_support",),
    "substance_misuse": ("mental_health",),
    "youth_work": ("mental_health", "send_support"),
    "health_visiting": (),
    "speech_language": ("send_support", "early_education"),
    "send_support": ("speech_language",),
    "money_housing_advice": (),
    "early_education": ("send_support", "speech_language"),
}
_SERVICE_NAMES = {
    "family_support": (
        "{loc} Family Support Team", "Families Together {loc}", "{loc} Early Help Hub",
        "Family Links {loc}", "{loc} Family Key Workers",
    ),
    "parenting": (
        "Positive Parenting {loc}", "{loc} Parenting Circle", "Calm Families Course ({loc})",
        "{loc} Dads & Carers Group", "Parent Talk {loc}",
    ),
    "domestic_abuse": (
        "Safe Harbour {loc}", "{loc} Domestic Abuse Outreach", "Freedom Steps ({loc})",
        "{loc} Family Safety Service", "Children Recovering Together {loc}",
    ),
    "mental_health": (
        "{loc} Wellbeing Team", "Quiet Harbour Counselling {loc}",
        "{loc} Perinatal Mental Health", "Steady Minds {loc}", "{loc} Emotional Wellbeing Service",
    ),
    "substance_misuse": (
        "Steady Tide {loc}", "{loc} Young People's Substance Service",
        "Clear Path Recovery ({loc})", "{loc} Hidden Harm Project",
    ),
    "youth_work": (
        "{loc} Youth Club", "Lighthouse Youth Project {loc}", "{loc} Detached Youth Work",
        "Open Door Youth ({loc})", "{loc} Young Carers Group",
    ),
    "health_visiting": (
        "{loc} Health Visiting Team", "{loc} Baby Clinic", "Growing Well Clinic {loc}",
    ),
    "speech_language": (
        "{loc} Chatterbox Group", "Talking Tides ({loc})", "{loc} Speech & Language Drop-in",
        "Little Voices {loc}",
    ),
    "send_support": (
        "{loc} SEND Family Support", "Rainbow Inclusion Group ({loc})", "{loc} Portage Service",
        "Bright Sparks SEND Club {loc}",
    ),
    "money_housing_advice": (
        "{loc} Money & Housing Advice", "Tidewater Advice ({loc})",
        "{loc} Welfare Benefits Clinic", "Warm Homes Advice {loc}",
    ),
    "early_education": (
        "{loc} Nursery", "Little Acorns {loc}", "{loc} Pre-school", "Sprout & Sparrow {loc}",
        "{loc} Two-Year-Old Places",
    ),
}  # fmt: skip
_AGES = {
    "family_support": ((0, 17), (0, 19), (0, 18)),
    "parenting": ((0, 11), (0, 17), (0, 5)),
    "domestic_abuse": ((0, 17), (0, 19), (5, 17)),
    "mental_health": ((5, 17), (11, 19), (0, 19), (0, 4)),
    "substance_misuse": ((11, 19), (0, 17), (13, 19)),
    "youth_work": ((11, 19), (8, 19), (13, 19), (11, 17)),
    "health_visiting": ((0, 4), (0, 5)),
    "speech_language": ((0, 5), (2, 11), (0, 17)),
    "send_support": ((0, 19), (0, 25), (5, 17)),
    "money_housing_advice": ((0, 19), (0, 17)),
    "early_education": ((2, 4), (0, 4), (3, 4)),
}
# Capacity (places or families a year): the median, and the least and most one provider
# of the kind believably offers (a nursery 30-120 places, a parenting course a few groups a
# year, a health visiting clinic about 30 families a week); and cost per place (GBP).
_CAPACITY = {
    "family_support": (125, 30, 400, 2_500),
    "parenting": (55, 12, 120, 600),
    "domestic_abuse": (45, 15, 150, 3_000),
    "mental_health": (560, 140, 1_600, 1_800),
    "substance_misuse": (26, 8, 90, 2_200),
    "youth_work": (440, 80, 1_000, 400),
    "health_visiting": (900, 300, 1_700, 450),
    "speech_language": (720, 100, 1_500, 700),
    "send_support": (80, 20, 300, 1_500),
    "money_housing_advice": (300, 50, 1_000, 150),
    "early_education": (85, 30, 120, 4_500),
}
_REMOTE_OPENING = ("Online, Mon-Fri 9:00-20:00", "Helpline Mon-Fri 9:00-17:00", "Helpline 24 hours")
_NOTES = (
    "",
    "",
    "Referral through the Early Help Hub",
    "Self-referral welcome",
    "Waiting list about {w} weeks",
    "Dads & male carers group on Saturdays",
    "Funded until March {y}",
    "Interpreters available on request",
    "Drop-in, no appointment needed",
    "Home visits across {district}",
    "Step-down support after social work involvement",
    "Families can bring 'little ones' along",
)
_DELIVERY = ("in_person", "outreach", "online", "phone")
_STATUS = ("active", "planned", "closed")


def place_services(
    rng: np.random.Generator,
    areas: Areas,
    land: Land,
    need: pd.DataFrame,
    postcodes: pd.DataFrame,
    thin: int,
    estate: np.ndarray,
    core: np.ndarray,
) -> pd.DataFrame:
    """About 1,100 services; the thin district gets fewer and smaller ones."""
    live = live_postcodes(postcodes).reset_index(drop=True)
    pxy = live[["easting", "northing"]].to_numpy().astype(float)
    p_area = live["area"].to_numpy()
    p_district = areas.district[p_area]
    forbid_fs, forbid_da = _planted_gaps(areas, pxy, estate, core)
    idaci = need["idaci_score"].to_numpy()
    anchors = _anchors(areas, land.towns, pxy, p_area, idaci, forbid_da[1])
    n_anchor = len(anchors)
    per_district = _random_per_district(rng, areas, need, thin, p_district[anchors])

    first, second = _categories(rng, n_anchor, per_district.size)
    n = len(first)
    delivery = rng.choice(4, n, p=[0.74, 0.12, 0.07, 0.07])
    status = rng.choice(3, n, p=[0.88, 0.05, 0.07])
    delivery[:n_anchor] = 0
    delivery[first == list(_SERVICE_COUNT).index("early_education")] = 0  # nurseries in person
    status[:n_anchor] = 0

    bad = _in_a_gap(first, second, delivery, forbid_fs, forbid_da)
    weight = _postcode_weight(areas, need, p_area)
    drawn = _draw_postcodes(rng, areas, pxy, p_district, weight, per_district, bad[n_anchor:], thin)
    where = np.r_[np.asarray(anchors, dtype=int), drawn]
    area = p_area[where]
    xy = jitter_inside(rng, areas, area, pxy[where])

    return _service_rows(
        rng,
        areas,
        land,
        live,
        first=first,
        second=second,
        delivery=delivery,
        status=status,
        xy=xy,
        area=area,
        thin=thin,
        n_anchor=n_anchor,
    )


# ---------------------------------------------------------------------------------------
# Where: the planted gaps, the anchors, how many per district, which postcode


def _planted_gaps(
    areas: Areas, pxy: np.ndarray, estate: np.ndarray, core: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Postcodes where family support, and where domestic abuse support, may not be: each
    a pair (for in-person help, for outreach, which is kept 3 km further away again)."""
    d_core = cKDTree(areas.rep[core]).query(pxy)[0]
    d_estate = cKDTree(areas.rep[estate]).query(pxy)[0]
    fs_clear = FAR_FROM_HELP_M + MARGIN_M
    da_clear = ESTATE_NO_DA_M + MARGIN_M
    forbid_fs = (d_core <= fs_clear, d_core <= fs_clear + OUTREACH_EXTRA_M)
    forbid_da = (d_estate <= da_clear, d_estate <= da_clear + OUTREACH_EXTRA_M)
    return forbid_fs, forbid_da


def _anchors(
    areas: Areas,
    towns: pd.DataFrame,
    pxy: np.ndarray,
    p_area: np.ndarray,
    idaci: np.ndarray,
    forbid_da: np.ndarray,
) -> list[int]:
    """Postcodes of the anchors: an active, in-person domestic abuse service in the most
    deprived part of every town but the estate's (nearest the town centre among equals)."""
    anchors: list[int] = []
    for t in np.flatnonzero(towns["role"] != "estate"):
        ok = np.flatnonzero(areas.urban[p_area] & (areas.town[p_area] == t) & ~forbid_da)
        if ok.size:
            t_xy = towns[["x", "y"]].to_numpy()[t]
            best = np.lexsort((dist(pxy[ok], t_xy), -idaci[p_area[ok]]))[0]
            anchors.append(int(ok[best]))
    return anchors


def _random_per_district(
    rng: np.random.Generator,
    areas: Areas,
    need: pd.DataFrame,
    thin: int,
    anchor_district: np.ndarray,
) -> np.ndarray:
    """The district of each service besides the anchors: each district's share of the
    county's services by its children, times a factor of 0.85-1.2 (``THIN_SERVICES`` for
    the thin district), less its anchors."""
    k = len(areas.district_codes)
    share = np.bincount(areas.district, need["pop_0_17"].to_numpy(), k)
    share = share / share.sum()
    factor = rng.uniform(0.85, 1.2, k)
    factor[thin] = THIN_SERVICES
    total = sum(_SERVICE_COUNT.values())
    target = np.round(total * share * factor / (share * factor).sum()).astype(int)
    target -= np.bincount(anchor_district, minlength=k)
    return np.repeat(np.arange(k), np.maximum(target, 0))


def _categories(
    rng: np.random.Generator, n_anchor: int, n_random: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each service's first and second category, as indices into ``_SERVICE_COUNT``
    (second -1 for none): anchors are domestic abuse only, the rest in the proportions of
    ``_SERVICE_COUNT`` (largest remainders), shuffled; a quarter of them have two (those of
    a kind with no second, ``_SECOND_CATEGORY``, keep one)."""
    keys = list(_SERVICE_COUNT)
    quota = np.array(list(_SERVICE_COUNT.values()), dtype=float)
    quota *= n_random / quota.sum()
    count = np.floor(quota).astype(int)
    count[np.argsort(count - quota, kind="stable")[: n_random - count.sum()]] += 1
    first = np.r_[
        np.full(n_anchor, keys.index("domestic_abuse")),
        rng.permutation(np.repeat(np.arange(len(keys)), count)),
    ]
    n = n_anchor + n_random
    second = np.full(n, -1)
    two = rng.random(n) < 0.25
    two[:n_anchor] = False
    pick = rng.random(n)
    for c, key in enumerate(keys):
        rows = np.flatnonzero(two & (first == c))
        options = [keys.index(o) for o in _SECOND_CATEGORY[key]]
        if options:
            second[rows] = np.asarray(options)[(pick[rows] * len(options)).astype(int)]
    return first, second


def _in_a_gap(
    first: np.ndarray,
    second: np.ndarray,
    delivery: np.ndarray,
    forbid_fs: tuple[np.ndarray, np.ndarray],
    forbid_da: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """(services, postcodes): True where a service may not be, for its categories and
    delivery (outreach is kept further away)."""
    keys = list(_SERVICE_COUNT)
    n = len(first)
    has = np.zeros((n, len(keys)), dtype=bool)
    has[np.arange(n), first] = True
    has[np.flatnonzero(second >= 0), second[second >= 0]] = True
    outreach = delivery == 1
    fs = has[:, keys.index("family_support")]
    da = has[:, keys.index("domestic_abuse")]
    return (fs[:, None] & np.where(outreach[:, None], forbid_fs[1], forbid_fs[0])) | (
        da[:, None] & np.where(outreach[:, None], forbid_da[1], forbid_da[0])
    )


def _postcode_weight(areas: Areas, need: pd.DataFrame, p_area: np.ndarray) -> np.ndarray:
    """Weight of each postcode: its area's children aged 0-19, three times over in towns,
    times (1 + 2 IDACI), shared among the area's postcodes."""
    idaci = need["idaci_score"].to_numpy()
    pop = need[list(AGE_BANDS)].sum(axis=1).to_numpy()
    npc = np.bincount(p_area, minlength=len(areas.rep))
    w_area = pop * np.where(areas.urban, 3.0, 1.0) * (1 + 2 * idaci) / np.maximum(npc, 1)
    return w_area[p_area]


def _draw_postcodes(
    rng: np.random.Generator,
    areas: Areas,
    pxy: np.ndarray,
    p_district: np.ndarray,
    weight: np.ndarray,
    per_district: np.ndarray,
    bad: np.ndarray,
    thin: int,
) -> np.ndarray:
    """A postcode for each service in its district, weighted by children and need, never
    inside the planted gaps. Gumbel-max draws one postcode per row at once."""
    k = len(areas.district_codes)
    home = per_district[:, None] == p_district[None, :]
    w = np.where(home & ~bad, weight, 0.0)
    empty = w.sum(axis=1) == 0
    if empty.any():  # the district is all gap for this kind of help: go next door
        dcx = np.bincount(areas.district, areas.rep[:, 0], k) / np.bincount(areas.district)
        dcy = np.bincount(areas.district, areas.rep[:, 1], k) / np.bincount(areas.district)
        near = cross(np.c_[dcx, dcy][per_district[empty]], pxy)
        w[empty] = np.where(
            ~bad[empty] & (p_district != thin), weight * np.exp(-near / 3_000.0), 0.0
        )
    with np.errstate(divide="ignore"):
        score = np.log(w) + rng.gumbel(size=w.shape)
    return score.argmax(axis=1)


# ---------------------------------------------------------------------------------------
# What: names, providers, ages, capacity, cost, contact details


def _service_rows(
    rng: np.random.Generator,
    areas: Areas,
    land: Land,
    live: pd.DataFrame,
    *,
    first: np.ndarray,
    second: np.ndarray,
    delivery: np.ndarray,
    status: np.ndarray,
    xy: np.ndarray,
    area: np.ndarray,
    thin: int,
    n_anchor: int,
) -> pd.DataFrame:
    """Names, providers, ages, capacity, cost and contact details of placed services.

    ``first`` and ``second`` index the service categories (``second`` is -1 for none);
    ``delivery`` and ``status`` index ``_DELIVERY`` and ``_STATUS``. The first
    ``n_anchor`` rows are the domestic abuse anchors. Rows come out shuffled and numbered.
    """
    n = len(first)
    loc = nearest_settlement(land, xy)
    district_name = np.array(areas.district_names, dtype=object)[areas.district[area]]
    u = rng.random((n, 8))
    cats, names, providers, sectors, ages = _describe(first, second, u, loc)
    if n_anchor:
        sectors[:n_anchor] = "voluntary"
        for i in range(n_anchor):
            providers[i] = "Safe Harbour Wyvern"
            names[i] = f"Safe Harbour {loc[i]}"
    capacity, cost = _capacity_and_cost(rng, first, areas.district[area] == thin)
    frame = pd.DataFrame(
        {
            "service_id": "",
            "name": names,
            "provider": providers,
            "sector": sectors,
            "categories": cats,
            "min_age": [a for a, _ in ages],
            "max_age": [b for _, b in ages],
            "capacity": pd.array(capacity.astype(np.int64), dtype="Int64"),
            "annual_cost": pd.array(cost.astype(np.int64), dtype="Int64"),
            "delivery": np.asarray(_DELIVERY)[delivery],
            "status": np.asarray(_STATUS)[status],
            "easting": xy[:, 0].astype(np.int64),
            "northing": xy[:, 1].astype(np.int64),
            "postcode": nearest_postcode(live, xy),
            "opening_times": _opening_times(delivery, u[:, 4]),
            "contact": _contacts(rng, names, u[:, 5]),
            "notes": _service_notes(rng, status, u[:, 6], district_name),
        }
    )
    blank_cap = rng.random(n) < 0.01  # a few: each makes its catchment's shortfalls unknown
    blank_cost = blank_cap | (rng.random(n) < 0.06)
    frame.loc[blank_cap, "capacity"] = pd.NA
    frame.loc[blank_cost, "annual_cost"] = pd.NA
    frame = frame.iloc[rng.permutation(n)].reset_index(drop=True)
    frame["service_id"] = [f"S{i + 1:04d}" for i in range(n)]
    return frame


def _describe(
    first: np.ndarray, second: np.ndarray, u: np.ndarray, loc: np.ndarray
) -> tuple[list[str], list[str], list[str], np.ndarray, list[tuple[int, int]]]:
    """Categories (``key;key``), name, provider, sector and age range of each service, from
    its uniform draws ``u`` (columns 0-3) and its nearest settlement ``loc``."""
    keys = list(_SERVICE_COUNT)
    cats, names, providers, sectors, ages = [], [], [], [], []
    for i in range(len(first)):
        key = keys[first[i]]
        cats.append(key if second[i] < 0 else f"{key};{keys[second[i]]}")
        templates = _SERVICE_NAMES[key]
        names.append(templates[int(u[i, 0] * len(templates))].format(loc=loc[i]))
        sector = sector_for(key, u[i, 1])
        sectors.append(sector)
        providers.append(provider_for(key, sector, loc[i], u[i, 2]))
        opts = _AGES[key]
        ages.append(opts[int(u[i, 3] * len(opts))])
    return cats, names, providers, np.asarray(sectors), ages


def _capacity_and_cost(
    rng: np.random.Generator, first: np.ndarray, in_thin: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity (places or families a year, in fives) about the first category's median,
    held to what one provider of the kind offers, ``THIN_CAPACITY`` of that in the thin
    district (at least 5); and annual cost (GBP, to the 100) about its cost per place."""
    keys = list(_SERVICE_COUNT)
    n = len(first)
    med, low, high, unit = (
        np.array([_CAPACITY[keys[c]][i] for c in first], dtype=float) for i in range(4)
    )
    capacity = np.round(np.clip(med * rng.lognormal(0.0, 0.45, n), low, high) / 5) * 5
    capacity[in_thin] = np.maximum(5, np.round(capacity[in_thin] * THIN_CAPACITY / 5) * 5)
    cost = np.round(capacity * unit * rng.lognormal(0.0, 0.3, n), -2)
    return capacity, cost


def _opening_times(delivery: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Opening times by the uniform draw ``u``: helplines and online hours for online and
    phone services (delivery 2 and 3), in-person hours for the rest."""
    remote = np.isin(delivery, [2, 3])
    return np.where(
        remote,
        np.asarray(_REMOTE_OPENING)[(u * len(_REMOTE_OPENING)).astype(int)],
        np.asarray(OPENING)[(u * len(OPENING)).astype(int)],
    )


def _contacts(rng: np.random.Generator, names: list[str], u: np.ndarray) -> list[str]:
    """A drama-range phone number for 60% (by the uniform draw ``u``), else an e-mail
    address at example.org made from the name."""
    n = len(names)
    phone = [f"01632 960 {v:03d}" for v in rng.integers(0, 1000, n)]
    return [phone[i] if u[i] < 0.6 else f"{_slug(names[i])}@example.org" for i in range(n)]


def _slug(text: str) -> str:
    """``text`` lower-cased, words joined by dots, at most 40 characters."""
    kept = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return ".".join(kept.split())[:40].strip(".")


def _service_notes(
    rng: np.random.Generator, status: np.ndarray, u: np.ndarray, district_name: np.ndarray
) -> list[str]:
    """Notes: when a closed service closed or a planned one opens, else one of ``_NOTES``
    by the uniform draw ``u``."""
    n = len(status)
    years = rng.integers(2025, 2028, n)
    weeks = rng.integers(2, 13, n)
    notes = []
    for i in range(n):
        if status[i] == 2:
            notes.append(f"Closed in {years[i] - 3}; contact the Early Help Hub")
        elif status[i] == 1:
            notes.append(f"Planned to open in {years[i]}")
        else:
            note = _NOTES[int(u[i] * len(_NOTES))]
            notes.append(note.format(w=weeks[i], y=years[i], district=district_name[i]))
    return notes
