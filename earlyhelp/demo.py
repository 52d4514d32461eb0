"""The demo county: Wyvernshire, a fictional island county in the North Sea.

:func:`generate` writes every input the tool reads (small areas, the need profile, a
service directory, children's centres, a postcode lookup, roads and candidate sites) from
one seed, so a demo run, the tests and the documentation work without real data. The
county lies offshore in British National Grid (eastings 600-660 km, northings 465-525 km:
open sea east of Yorkshire), its codes start with ``X`` (never an ONS code), its postcodes
with ``Q`` (no UK postcode area does), its phone numbers are in Ofcom's drama range and its
e-mail addresses end in ``@example.org``, so it cannot be mistaken for a real place.

Four true stories are planted for the analysis to find; :func:`planted` returns the
identifiers of each:

- ``thin_district``: one district with much less provision per child than the rest,
  despite average need;
- ``rural_areas``: a rural stretch more than 10 km from any children's centre or family
  support service;
- ``estate_areas``: a deprived estate with high domestic abuse need and no domestic abuse
  service within 6 km, while every other town has one;
- ``critical_centre``: the only children's centre of a populous town, the next centre more
  than 8 km away.

Example
-------
>>> from pathlib import Path
>>> paths = generate(Path("data/demo"))          # doctest: +SKIP
>>> planted()["critical_centre"]                 # doctest: +SKIP
'C023'
"""

from __future__ import annotations

__all__ = ["DEFAULT_SEED", "generate", "planted"]

import copy
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from earlyhelp.need import AGE_BANDS

DEFAULT_SEED = 2011  # Munro

_CRS = "EPSG:27700"
_BOX = (600_000.0, 465_000.0, 660_000.0, 525_000.0)  # open North Sea, lon 1-2E, lat 54-54.6N
_CENTRE = np.array([630_000.0, 495_000.0])

# OSGB36 -> WGS 84 by the published seven-parameter Helmert transformation (EPSG:1314),
# named in full so latitudes and longitudes do not depend on which PROJ grids are installed.
_TO_WGS84 = (
    "+proj=pipeline +step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 "
    "+y_0=-100000 +ellps=airy +step +proj=push +v_3 +step +proj=cart +ellps=airy "
    "+step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 "
    "+s=-20.489 +convention=position_vector +step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)

# Distances that make the planted stories unmistakable (metres).
_FAR_FROM_HELP_M = 10_000.0  # story b: nearest centre or family support beyond this
_ESTATE_NO_DA_M = 6_000.0  # story c: no domestic abuse service within this
_CRITICAL_GAP_M = 8_000.0  # story d: next nearest centre beyond this
_MARGIN_M = 500.0  # kept clear beyond each threshold
_OUTREACH_EXTRA_M = 3_000.0  # outreach services are kept this much further away again

# ---------------------------------------------------------------------------------------
# Names: all invented. Whimsical on purpose so that none is a real English place.
_COUNTY = "Wyvernshire"
_COUNCIL = "Wyvernshire County Council"
_NHS = "Wyvernshire Community Health NHS Trust"
_TOWN_NAMES = (
    "Wyvernport",  # the county town
    "Larkspire",
    "Cinderholt",
    "Tallowmere",
    "Brindlecote",
    "Merrowfen",
    "Kestrelwick",
    "Saltmarrow",
    "Gossamer Bay",
    "Thistlecombe",
    "Quillhaven",
)
_VILLAGE_NAMES = (
    "Wyrmsby", "Gryphley", "Drakeholt", "Hobbledown", "Spritewell", "Newtmarsh",
    "Toadwhistle", "Tansyford", "Yarrowden", "Quillthorpe", "Embercott", "Glimmerby",
    "Bramblewyck", "Nettlestow", "Wispham", "Fablehurst", "Runewell", "Cobbleholt",
    "Tumbledene", "Whistlecombe", "Puckmere", "Owlwhistle", "Lanternby", "Sorrelwyck",
    "Cindervale", "Gorsewyvern", "Hollowmist", "Foxglove End", "Puddlewick", "Kettlewyck",
    "Dapplemere", "Brackenwisp", "Saltwhistle", "Marrowby", "Wrenwhistle", "Fernwyvern",
    "Larkwhistle", "Mothwyck", "Gryphonsend", "Puddingstow",
)  # fmt: skip
_LANDSCAPES = (
    "Wyvern Wolds",
    "Gryphon Fells",
    "Sprite Marshes",
    "Hollowmist Moors",
    "Lantern Levels",
    "Dapple Heath",
    "Glimmer Vale",
    "Rune Downs",
    "Ember Coast",
    "Wisp Carrs",
)
_FEATURES = (
    "Harbourside", "Orchard Lane", "Beacon Rise", "Willow Court", "Meadowbank", "Kingfisher",
    "Rainbow", "Sunflower", "Acorn", "Puffin", "Seashell", "Wyvern Way", "Lighthouse",
    "Driftwood", "Sandpiper", "Bluebell",
)  # fmt: skip
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
_SAINTS = ("St Wyrmald's", "St Ebbwyn's", "St Gryffa's", "St Lanterna's", "St Quilla's")

_TAXONOMY = (
    "childrens_centre",
    "family_support",
    "parenting",
    "domestic_abuse",
    "mental_health",
    "substance_misuse",
    "youth_work",
    "health_visiting",
    "speech_language",
    "send_support",
    "money_housing_advice",
    "early_education",
)
# Service directory categories (children's centres have their own file) and their shares.
_SERVICE_SHARE = {
    "family_support": 0.16,
    "parenting": 0.11,
    "domestic_abuse": 0.07,
    "mental_health": 0.09,
    "substance_misuse": 0.05,
    "youth_work": 0.12,
    "health_visiting": 0.07,
    "speech_language": 0.06,
    "send_support": 0.08,
    "money_housing_advice": 0.08,
    "early_education": 0.11,
}
_SECOND_CATEGORY = {
    "family_support": ("parenting", "domestic_abuse", "money_housing_advice"),
    "parenting": ("family_support", "speech_language"),
    "domestic_abuse": ("family_support", "mental_health"),
    "mental_health": ("substance_misuse", "family_support"),
    "substance_misuse": ("mental_health",),
    "youth_work": ("mental_health", "substance_misuse"),
    "health_visiting": ("speech_language", "parenting"),
    "speech_language": ("send_support", "early_education"),
    "send_support": ("speech_language", "parenting"),
    "money_housing_advice": ("family_support",),
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
_SECTORS = ("statutory", "voluntary", "community", "private")
_SECTOR_P = {
    "family_support": (0.55, 0.30, 0.15, 0.00),
    "parenting": (0.35, 0.35, 0.25, 0.05),
    "domestic_abuse": (0.20, 0.75, 0.05, 0.00),
    "mental_health": (0.50, 0.35, 0.05, 0.10),
    "substance_misuse": (0.40, 0.60, 0.00, 0.00),
    "youth_work": (0.30, 0.35, 0.35, 0.00),
    "health_visiting": (1.00, 0.00, 0.00, 0.00),
    "speech_language": (0.60, 0.15, 0.10, 0.15),
    "send_support": (0.50, 0.30, 0.15, 0.05),
    "money_housing_advice": (0.30, 0.60, 0.10, 0.00),
    "early_education": (0.25, 0.10, 0.20, 0.45),
}
_VOLUNTARY = {
    "domestic_abuse": ("Safe Harbour Wyvern", "Freedom Steps Trust"),
    "substance_misuse": ("Steady Tide Recovery", "Clear Path Charity"),
    "mental_health": ("Quiet Harbour Counselling", "Open Tide Listening Service"),
    "money_housing_advice": ("Tidewater Advice", "Northern Lights Money Advice"),
    "youth_work": ("Kindling Youth Trust", "Lighthouse Youth Projects"),
    "": ("Lantern Families Trust", "Brightwater Children's Charity", "Puffin Parents Trust"),
}
_COMMUNITY = (
    "{loc} Community Association",
    "{loc} Parents' Forum",
    "Friends of {loc} Library",
    "{loc} Methodist Church",
)
_PRIVATE = {
    "early_education": ("Sprout & Sparrow Childcare Ltd", "Little Acorns Nurseries Ltd"),
    "speech_language": ("Harbourside Speech Therapy Ltd",),
    "mental_health": ("Clearwater Therapies Ltd",),
    "": ("Tidepool Learning Ltd", "Clearwater Therapies Ltd"),
}
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
# Median capacity (places or families a year) and cost per place (GBP).
_CAPACITY = {
    "family_support": (90, 2_500),
    "parenting": (60, 600),
    "domestic_abuse": (45, 3_000),
    "mental_health": (70, 1_800),
    "substance_misuse": (40, 2_200),
    "youth_work": (150, 400),
    "health_visiting": (600, 450),
    "speech_language": (110, 700),
    "send_support": (80, 1_500),
    "money_housing_advice": (300, 150),
    "early_education": (40, 4_500),
}
_OPENING = (
    "Mon-Fri 9:00-17:00",
    "Mon-Thu 8:30-17:00, Fri 8:30-16:30",
    "Tue & Thu 10:00-14:00",
    "Mon, Wed, Fri 9:30-12:30",
    "Sat 10:00-13:00",
    "Term time, Mon-Fri 8:45-15:15",
    "Wed 16:00-20:00",
    "By appointment",
)
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


# What each file holds, for the README: file -> (what it is, ((column, meaning), ...)).
_FILE_DOCS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "areas.geojson": (
        "Small areas (like LSOAs): polygons in EPSG:27700.",
        (
            ("area_code", "X01000001, X01000002, ..."),
            ("area_name", '"<district name> 001A", in the style of LSOA names'),
            ("district_code", "X07000001, X07000002, ..."),
            ("district_name", "named after its largest town, or a landscape"),
            ("locality", "the nearest town"),
            ("rural_urban", "urban (in or near a town) or rural"),
        ),
    ),
    "need.csv": (
        "The JSNA need profile, one row per area. Counts are for a year and many are 0-5: "
        "publish them only through disclosure control.",
        (
            ("area_code", "the area"),
            (
                "pop_0_4 ... pop_18_19",
                "children by age band (pop_0_4, pop_5_10, pop_11_15, pop_16_17, pop_18_19)",
            ),
            ("pop_0_17", "sum of the first four bands: the denominator of every count"),
            ("idaci_score", "income deprivation affecting children, 0-1, higher is worse"),
            ("referrals", "referrals to children's social care"),
            ("children_in_need", "children in need"),
            ("cp_plans", "child protection plans"),
            ("da_factor", "assessments with domestic abuse as a factor"),
            ("mh_factor", "assessments with parental mental health as a factor"),
            ("sm_factor", "assessments with substance misuse as a factor"),
        ),
    ),
    "services.csv": (
        "The early help directory: one row per service, located by easting and northing.",
        (
            ("service_id", "S0001, S0002, ..."),
            ("name, provider", "invented; some contain & and apostrophes"),
            ("sector", "statutory, voluntary, community or private"),
            ("categories", "taxonomy keys separated by ';' (a quarter of services have two)"),
            ("min_age, max_age", "ages served, whole years, inclusive"),
            ("capacity", "places or families a year; about 5% blank"),
            ("annual_cost", "GBP a year; about 10% blank"),
            ("delivery", "in_person, outreach, online or phone (mostly in_person)"),
            ("status", "active, planned or closed (mostly active)"),
            ("easting, northing", "EPSG:27700, metres"),
            ("postcode", "the nearest live postcode in postcodes.csv"),
            (
                "opening_times, contact, notes",
                "free text; phones 01632 960xxx, e-mail @example.org",
            ),
        ),
    ),
    "childrens_centres.csv": (
        "Children's centres and family hubs, placed by postcode only: geocode them through "
        "postcodes.csv. Their category, childrens_centre, is implied (config sets it).",
        (
            ("service_id", "C001, C002, ..."),
            ("name, provider, sector", "as in services.csv"),
            ("min_age, max_age", "0-5, or 0-19 for family hubs"),
            ("capacity, annual_cost", "families a year and GBP; a few blank"),
            ("delivery, status", "in_person; active, or a few closed or planned"),
            ("postcode", "a live postcode in postcodes.csv"),
            (
                "reach_areas",
                "area codes the centre is responsible for, separated by ';': "
                "every area belongs to exactly one active centre; closed and planned have none",
            ),
            ("opening_times, contact, notes", "free text"),
        ),
    ),
    "postcodes.csv": (
        "A postcode lookup in the spirit of the ONS Postcode Directory.",
        (
            ("postcode", "QW, QX or QY + district + sector + unit, e.g. 'QX12 3AB'"),
            ("easting, northing", "EPSG:27700, metres, inside the area"),
            ("latitude, longitude", "WGS 84 by the Helmert transformation EPSG:1314, 6 dp"),
            ("lsoa", "the area code"),
            ("terminated", "blank, or the year-month a postcode was terminated"),
        ),
    ),
    "roads.geojson": (
        "A connected road network, line segments in EPSG:27700; every area's "
        "representative point is a node.",
        (
            ("road_class", "motorway, a_road, b_road or minor"),
            ("speed_kph", "typical speed, km/h"),
        ),
    ),
    "candidate_sites.csv": (
        "Buildings where new provision could open.",
        (
            ("site_id", "K001, K002, ..."),
            ("name", "invented"),
            ("kind", "school, library, community_centre or gp_surgery"),
            ("easting, northing", "EPSG:27700, metres"),
        ),
    ),
}


# ---------------------------------------------------------------------------------------
# Public API


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo county files into out_dir; return the paths written.

    Deterministic: the same seed gives byte-identical files. Files are written to a
    temporary name and renamed into place. See the ``README.md`` written beside them for
    every file, its columns and the planted stories.
    """
    county = _build(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [
        _write_geojson(county.areas, out_dir / "areas.geojson", layer="areas"),
        _write_csv(county.need, out_dir / "need.csv"),
        _write_csv(county.services, out_dir / "services.csv"),
        _write_csv(county.centres, out_dir / "childrens_centres.csv"),
        _write_csv(county.postcodes, out_dir / "postcodes.csv"),
        _write_geojson(county.roads, out_dir / "roads.geojson", layer="roads"),
        _write_csv(county.sites, out_dir / "candidate_sites.csv"),
        _write_text(county.readme, out_dir / "README.md"),
    ]
    return written


def planted(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Identifiers of the planted stories of the county generated from ``seed``.

    Keys: ``thin_district`` (district code), ``rural_areas`` (area codes more than 10 km
    from any children's centre or family support), ``estate_areas`` (area codes of the
    deprived estate), ``critical_centre`` (centre id), and for convenience
    ``thin_district_name``, ``estate_town``, ``critical_town`` and
    ``critical_reach_areas``. Computed once per seed (a few seconds) and cached.
    """
    return copy.deepcopy(_planted_cached(seed))


@functools.lru_cache(maxsize=4)
def _planted_cached(seed: int) -> dict[str, Any]:
    return _build(seed).planted


# ---------------------------------------------------------------------------------------
# The county as tables


@dataclass(frozen=True)
class _Land:
    """Outline, towns and villages: the shape every table is drawn on."""

    outline: shapely.Polygon
    stretch_xy: np.ndarray  # centre of the remote rural stretch
    towns: pd.DataFrame  # name, x, y, sigma_m, n_points, role
    villages: pd.DataFrame  # name, x, y


@dataclass(frozen=True)
class _Areas:
    """Small areas in output order, with what later stages need to know about them."""

    gdf: gpd.GeoDataFrame
    rep: np.ndarray  # (n, 2) representative points, rounded to 1 m
    adj: sparse.csr_array  # edge adjacency
    urban: np.ndarray
    town: np.ndarray  # index of the nearest town
    district: np.ndarray  # 0-based district index (code order)
    district_codes: list[str]
    district_names: list[str]


@dataclass(frozen=True)
class _County:
    areas: gpd.GeoDataFrame
    need: pd.DataFrame
    services: pd.DataFrame
    centres: pd.DataFrame
    postcodes: pd.DataFrame
    roads: gpd.GeoDataFrame
    sites: pd.DataFrame
    planted: dict[str, Any]
    readme: str = field(repr=False)


def _build(seed: int) -> _County:
    """Every table of the county from one seed, with the planted stories checked."""
    rng = np.random.default_rng(seed)
    land = _land(rng)
    areas = _areas(rng, land)
    stretch_core = _stretch_core(areas, land)
    estate, other_estates = _estates(rng, areas, land)
    need = _need(rng, areas, land, estate, other_estates)
    thin = _thin_district(areas, need, land, estate, stretch_core)
    postcodes = _postcodes(rng, areas, land)
    centres, critical_id = _centres(rng, areas, land, need, postcodes, stretch_core)
    services = _services(rng, areas, land, need, postcodes, thin, estate, stretch_core)
    sites = _sites(rng, areas, land, need, postcodes, estate, stretch_core)
    roads = _roads(areas, land)

    rural = _far_from_help(areas, centres, services, postcodes)
    codes = areas.gdf["area_code"].to_numpy()
    crit_row = centres.index[centres["service_id"] == critical_id][0]
    reach = centres.at[crit_row, "reach_areas"].split(";")
    story = {
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
    facts = _check_stories(areas, need, services, centres, postcodes, story, land)
    readme = _readme(seed, areas, need, services, centres, postcodes, roads, sites, story, facts)
    return _County(
        areas=areas.gdf,
        need=need,
        services=services,
        centres=centres,
        postcodes=postcodes,
        roads=roads,
        sites=sites,
        planted=story,
        readme=readme,
    )


# ---------------------------------------------------------------------------------------
# Geometry helpers


def _dist(points: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Distance (m) from each of ``points`` (n, 2) to one point ``xy``."""
    return np.hypot(points[:, 0] - xy[0], points[:, 1] - xy[1])


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance matrix (m) between points ``a`` (n, 2) and ``b`` (m, 2)."""
    return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])


def _round_geoms(geoms: np.ndarray) -> np.ndarray:
    """Coordinates rounded to 1 m, repeated vertices dropped."""
    return shapely.remove_repeated_points(shapely.transform(geoms, np.round))


def _points_in(rng: np.random.Generator, poly: shapely.Polygon, n: int) -> np.ndarray:
    """``n`` uniform random points inside ``poly``."""
    x0, y0, x1, y1 = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy = rng.uniform((x0, y0), (x1, y1), (3 * n, 2))
        out = np.vstack([out, xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]])
    return out[:n]


def _gaussian_in(
    rng: np.random.Generator, poly: shapely.Polygon, centres: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """One Gaussian point about each row of ``centres``, redrawn until inside ``poly``."""
    out = np.empty_like(centres)
    todo = np.arange(len(centres))
    while todo.size:
        xy = centres[todo] + rng.normal(0.0, 1.0, (todo.size, 2)) * sigma[todo, None]
        ok = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
        out[todo[ok]] = xy[ok]
        todo = todo[~ok]
    return out


def _greedy_spread(points: np.ndarray, min_gap: np.ndarray | float, limit: int) -> list[int]:
    """Indices of ``points`` taken in order, skipping any closer than ``min_gap`` to one taken."""
    taken: list[int] = []
    for i in range(len(points)):
        if taken:
            d = _dist(points[taken], points[i])
            if np.any(d < (min_gap if np.isscalar(min_gap) else min_gap[taken])):
                continue
        taken.append(i)
        if len(taken) == limit:
            break
    return taken


# ---------------------------------------------------------------------------------------
# Land: outline, towns, villages


def _land(rng: np.random.Generator) -> _Land:
    theta = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
    k = np.arange(2, 6)
    amp = rng.uniform(0.04, 0.08, k.size) / np.sqrt(k - 1)
    phase = rng.uniform(0.0, 2 * np.pi, k.size)
    wobble = (amp[:, None] * np.cos(k[:, None] * theta + phase[:, None])).sum(axis=0)
    lobe = rng.uniform(0.0, 2 * np.pi)
    gap = np.angle(np.exp(1j * (theta - lobe)))
    radius = 20_500.0 * (1 + wobble) + 7_500.0 * np.exp(-((gap / 0.4) ** 2))
    radius = np.clip(radius, 12_000.0, 28_500.0)
    ring = np.round(_CENTRE + np.c_[radius * np.cos(theta), radius * np.sin(theta)])
    outline = shapely.Polygon(ring)
    r_lobe = radius[np.argmin(np.abs(gap))]
    stretch = _CENTRE + 0.8 * r_lobe * np.array([np.cos(lobe), np.sin(lobe)])
    towns = _place_towns(rng, outline, stretch)
    villages = _place_villages(rng, outline, towns)
    return _Land(outline=outline, stretch_xy=stretch, towns=towns, villages=villages)


def _place_towns(
    rng: np.random.Generator, outline: shapely.Polygon, stretch: np.ndarray
) -> pd.DataFrame:
    """Towns spread over the county, none near the remote stretch; roles assigned."""
    cand = _points_in(rng, outline.buffer(-3_500.0), 4_000)
    cand = cand[_dist(cand, stretch) > 18_000.0]
    away = _CENTRE + 4_000.0 * (_CENTRE - stretch) / np.linalg.norm(_CENTRE - stretch)
    first = int(np.argmin(_dist(cand, away)))
    cand = np.vstack([cand[first], np.delete(cand, first, axis=0)])
    for sep in (9_000.0, 8_000.0, 7_000.0):
        gap = np.full(len(cand), sep)
        gap[0] += 2_000.0  # the county town stands further apart
        taken = _greedy_spread(cand, gap, len(_TOWN_NAMES))
        if len(taken) >= 9:
            break
    xy = cand[taken]
    n = len(xy)
    d = _cross(xy, xy)
    np.fill_diagonal(d, np.inf)
    isolation = d.min(axis=1)
    isolation[0] = -1.0
    order = np.argsort(-isolation, kind="stable")
    critical, estate = int(order[0]), int(order[1])
    sizes = np.array([95, 80, 66, 56, 50, 45, 40, 36, 32, 30])[: n - 1]
    n_points = np.empty(n, dtype=int)
    n_points[0], n_points[critical], n_points[estate] = 170, sizes[0], sizes[1]
    rest = [i for i in range(1, n) if i not in (critical, estate)]
    n_points[rest] = rng.permutation(sizes[2:])
    role = np.array(["town"] * n, dtype=object)
    role[0], role[critical], role[estate] = "county", "critical", "estate"
    names = [_TOWN_NAMES[0], *rng.permutation(np.array(_TOWN_NAMES[1:]))[: n - 1].tolist()]
    return pd.DataFrame(
        {
            "name": names,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "sigma_m": 1_000.0 * np.sqrt(n_points / 40.0),
            "n_points": n_points,
            "role": role.astype(str),
        }
    )


def _place_villages(
    rng: np.random.Generator, outline: shapely.Polygon, towns: pd.DataFrame
) -> pd.DataFrame:
    cand = _points_in(rng, outline.buffer(-1_200.0), 3_000)
    txy = towns[["x", "y"]].to_numpy()
    clear = (_cross(cand, txy) - 2.6 * towns["sigma_m"].to_numpy()).min(axis=1) > 1_000.0
    cand = cand[clear]
    taken = _greedy_spread(cand, 3_000.0, 34)
    names = rng.permutation(np.array(_VILLAGE_NAMES))[: len(taken)]
    return pd.DataFrame({"name": names, "x": cand[taken, 0], "y": cand[taken, 1]})


# ---------------------------------------------------------------------------------------
# Small areas and districts


def _areas(rng: np.random.Generator, land: _Land) -> _Areas:
    towns = land.towns
    t_xy = towns[["x", "y"]].to_numpy()
    t_sigma = towns["sigma_m"].to_numpy()
    n_pts = towns["n_points"].to_numpy()
    v_xy = land.villages[["x", "y"]].to_numpy()
    parts = [
        _gaussian_in(rng, land.outline, np.repeat(t_xy, n_pts, axis=0), np.repeat(t_sigma, n_pts)),
        _gaussian_in(rng, land.outline, np.repeat(v_xy, 2, axis=0), np.full(2 * len(v_xy), 450.0)),
        _points_in(rng, land.outline, 360),
    ]
    seeds = np.vstack(parts)
    pairs = cKDTree(seeds).query_pairs(150.0, output_type="ndarray")
    keep = np.ones(len(seeds), dtype=bool)
    keep[pairs.max(axis=1)] = False
    seeds = np.round(seeds[keep])

    geoms = _tessellate(seeds, land.outline)
    rep = np.round(shapely.get_coordinates(shapely.point_on_surface(geoms)))
    adj = _adjacency(geoms)
    d_town = _cross(rep, t_xy)
    town = d_town.argmin(axis=1)
    urban = (d_town / t_sigma).min(axis=1) <= 2.2
    label = _districts(rep, adj, k=10)

    # Districts numbered north to south; areas within a district in a snake order.
    k = label.max() + 1
    cx = np.bincount(label, rep[:, 0], k) / np.bincount(label, minlength=k)
    cy = np.bincount(label, rep[:, 1], k) / np.bincount(label, minlength=k)
    d_order = np.lexsort((cx, -np.round(cy, -3)))
    rank_of = np.empty(k, dtype=int)
    rank_of[d_order] = np.arange(k)
    district = rank_of[label]
    band = np.floor((_BOX[3] - rep[:, 1]) / 4_000.0).astype(int)
    order = np.lexsort((np.where(band % 2 == 0, rep[:, 0], -rep[:, 0]), band, district))
    geoms, rep, urban, town, district = (a[order] for a in (geoms, rep, urban, town, district))
    adj = sparse.csr_array(adj[order][:, order])

    # District names: the largest town whose centre lies in it, else a landscape.
    centre_district = district[cKDTree(rep).query(t_xy)[1]]
    names: list[str] = []
    spare = iter(rng.permutation(np.array(_LANDSCAPES)).tolist())
    for d in range(k):
        inside = np.flatnonzero(centre_district == d)
        names.append(
            str(towns["name"].iloc[inside[np.argmax(n_pts[inside])]])
            if inside.size
            else next(spare)
        )
    codes = [f"X07{d + 1:06d}" for d in range(k)]

    rank = pd.Series(district).groupby(district).cumcount().to_numpy()
    dname = np.array(names, dtype=object)[district]
    area_name = [
        f"{dn} {r // 5 + 1:03d}{'ABCDE'[r % 5]}" for dn, r in zip(dname, rank, strict=True)
    ]
    gdf = gpd.GeoDataFrame(
        {
            "area_code": [f"X01{i + 1:06d}" for i in range(len(geoms))],
            "area_name": area_name,
            "district_code": np.array(codes, dtype=object)[district].astype(str),
            "district_name": dname.astype(str),
            "locality": towns["name"].to_numpy()[town].astype(str),
            "rural_urban": np.where(urban, "urban", "rural"),
        },
        geometry=geoms,
        crs=_CRS,
    )
    return _Areas(gdf, rep, adj, urban, town, district, codes, names)


def _tessellate(seeds: np.ndarray, outline: shapely.Polygon) -> np.ndarray:
    """Voronoi cells of ``seeds`` clipped to the outline, one polygon each, on a 1 m grid."""
    extent = shapely.box(*_BOX).buffer(20_000.0)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=extent, ordered=True)
    )
    cells = _round_geoms(shapely.intersection(_round_geoms(cells), outline))
    # A cell cut in two by a bay of the outline keeps only its larger part.
    parts, idx = shapely.get_parts(cells, return_index=True)
    best = pd.Series(shapely.area(parts)).groupby(idx).idxmax().to_numpy()
    cells = parts[best]
    bad = ~shapely.is_valid(cells)
    if bad.any():
        cells[bad] = shapely.make_valid(cells[bad])
    return cells


def _adjacency(geoms: np.ndarray) -> sparse.csr_array:
    """Symmetric matrix of areas that share a boundary longer than 1 m."""
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(geoms[i]), shapely.boundary(geoms[j]))
    )
    i, j = i[shared > 1.0], j[shared > 1.0]
    n = len(geoms)
    a = sparse.coo_array((np.ones(2 * i.size, dtype=bool), (np.r_[i, j], np.r_[j, i])), (n, n))
    return sparse.csr_array(a)


def _districts(rep: np.ndarray, adj: sparse.csr_array, *, k: int) -> np.ndarray:
    """About ``k`` compact districts of similar size, each contiguous."""
    seeds = [rep[np.argmin(_dist(rep, _CENTRE))]]
    for _ in range(k - 1):  # farthest-point start, then Lloyd iterations
        seeds.append(rep[np.argmax(cKDTree(np.asarray(seeds)).query(rep)[0])])
    centres = np.asarray(seeds)
    offset = np.zeros(k)  # power-diagram weights (m^2) that even out district sizes
    target = len(rep) / k
    for _ in range(60):
        label = (_cross(rep, centres) ** 2 + offset).argmin(axis=1)
        counts = np.bincount(label, minlength=k)
        offset += 4_000.0**2 * (counts - target) / target
        centres = np.c_[
            np.bincount(label, rep[:, 0], k) / np.maximum(counts, 1),
            np.bincount(label, rep[:, 1], k) / np.maximum(counts, 1),
        ]
    label = (_cross(rep, centres) ** 2 + offset).argmin(axis=1)
    return _make_contiguous(label, adj)


def _make_contiguous(label: np.ndarray, adj: sparse.csr_array) -> np.ndarray:
    """Move every detached piece of a district to the neighbour it borders most."""
    label = label.copy()
    for _ in range(20):
        moved = False
        for d in np.unique(label):
            members = np.flatnonzero(label == d)
            n_comp, comp = csgraph.connected_components(adj[members][:, members], directed=False)
            if n_comp == 1:
                continue
            main = np.argmax(np.bincount(comp))
            for c in range(n_comp):
                if c == main:
                    continue
                piece = members[comp == c]
                neighbours = adj[piece].indices
                others = label[neighbours][label[neighbours] != d]
                if others.size:
                    label[piece] = np.bincount(others).argmax()
                    moved = True
        if not moved:
            break
    return np.unique(label, return_inverse=True)[1]


def _stretch_core(areas: _Areas, land: _Land) -> np.ndarray:
    """Indices of the rural areas around the centre of the remote stretch."""
    d = _dist(areas.rep, land.stretch_xy)
    core = np.flatnonzero((d < 3_500.0) & ~areas.urban)
    if core.size < 6:
        rural = np.flatnonzero(~areas.urban)
        core = rural[np.argsort(d[rural])[:6]]
    return core


def _grow(adj: sparse.csr_array, start: int, allowed: np.ndarray, d: np.ndarray, size: int):
    """A contiguous cluster grown from ``start`` by adding the nearest allowed neighbour."""
    inside = np.zeros(adj.shape[0], dtype=bool)
    inside[start] = True
    for _ in range(size - 1):
        frontier = np.zeros_like(inside)
        frontier[adj[np.flatnonzero(inside)].indices] = True
        cand = np.flatnonzero(frontier & ~inside & allowed)
        if not cand.size:
            break
        inside[cand[np.argmin(d[cand])]] = True
    return np.flatnonzero(inside)


def _estates(rng: np.random.Generator, areas: _Areas, land: _Land):
    """The planted deprived estate and three smaller deprived estates elsewhere."""
    towns = land.towns
    t_xy = towns[["x", "y"]].to_numpy()

    def estate_in(t: int, direction: np.ndarray, size: int, taken: np.ndarray) -> np.ndarray:
        centre = t_xy[t] + 0.8 * towns["sigma_m"].iloc[t] * direction
        allowed = areas.urban & (areas.town == t) & ~taken
        cand = np.flatnonzero(allowed)
        d = _dist(areas.rep, centre)
        return _grow(areas.adj, int(cand[np.argmin(d[cand])]), allowed, d, size)

    e = int(np.flatnonzero(towns["role"] == "estate")[0])
    others = np.delete(np.arange(len(towns)), e)
    nearest = others[np.argmin(_dist(t_xy[others], t_xy[e]))]
    away = (t_xy[e] - t_xy[nearest]) / np.linalg.norm(t_xy[e] - t_xy[nearest])
    none = np.zeros(len(areas.rep), dtype=bool)
    estate = estate_in(e, away, int(rng.integers(10, 14)), none)

    taken = none.copy()
    taken[estate] = True
    small = []
    for t in rng.permutation(others[towns["role"].to_numpy()[others] != "critical"])[:3]:
        angle = rng.uniform(0.0, 2 * np.pi)
        idx = estate_in(int(t), np.array([np.cos(angle), np.sin(angle)]), 4, taken)
        taken[idx] = True
        small.append(idx)
    return estate, np.concatenate(small)


# ---------------------------------------------------------------------------------------
# Need


def _need(
    rng: np.random.Generator,
    areas: _Areas,
    land: _Land,
    estate: np.ndarray,
    other_estates: np.ndarray,
) -> pd.DataFrame:
    """Child population by age band, IDACI score and JSNA counts for each area."""
    n = len(areas.rep)
    rep = areas.rep
    bumps = rng.uniform(_BOX[:2], _BOX[2:], (6, 2))
    height = rng.normal(0.0, 0.45, 6)
    field_ = (height * np.exp(-(_cross(rep, bumps) ** 2) / (2 * 8_000.0**2))).sum(axis=1)
    t_xy = land.towns[["x", "y"]].to_numpy()
    t_sigma = land.towns["sigma_m"].to_numpy()
    inner = np.exp(-0.5 * (_dist_to(rep, t_xy[areas.town]) / t_sigma[areas.town]) ** 2)
    z = -2.2 + field_ + areas.urban * (0.4 + 0.8 * inner) + rng.normal(0.0, 0.35, n)
    idaci = np.clip(1 / (1 + np.exp(-z)), 0.01, 0.52)
    idaci[other_estates] = rng.uniform(0.42, 0.55, other_estates.size)
    idaci[estate] = rng.uniform(0.62, 0.80, estate.size)
    idaci = np.round(idaci, 3)

    total = np.round(rng.lognormal(np.log(np.where(areas.urban, 325.0, 265.0)), 0.18))
    share = np.array([0.245, 0.30, 0.245, 0.10, 0.11]) * rng.lognormal(0.0, 0.08, (n, 5))
    share[estate, 0] *= 1.3  # young families on the estate
    share /= share.sum(axis=1, keepdims=True)
    pop = rng.multinomial(total.astype(np.int64), share)
    bands = list(AGE_BANDS)
    need = pd.DataFrame(pop, columns=bands)
    need.insert(0, "area_code", areas.gdf["area_code"].to_numpy())
    pop_0_17 = pop[:, :4].sum(axis=1)
    need["pop_0_17"] = pop_0_17
    need["idaci_score"] = idaci

    spread = rng.gamma(8.0, 1 / 8.0, n)  # areas differ beyond what deprivation explains
    rates = {  # per child aged 0-17 a year at IDACI 0.15, and the rise with deprivation
        "referrals": (0.042, 3.0),
        "children_in_need": (0.028, 3.2),
        "cp_plans": (0.0035, 3.8),
        "da_factor": (0.0045, 3.4),
        "mh_factor": (0.0045, 2.6),
        "sm_factor": (0.002, 3.0),
    }
    for column, (base, rise) in rates.items():
        lam = pop_0_17 * base * np.exp(rise * (idaci - 0.15)) * spread
        if column == "da_factor":
            lam[estate] *= 2.2
        elif column in ("mh_factor", "sm_factor"):
            lam[estate] *= 1.4
        need[column] = np.minimum(rng.poisson(lam), pop_0_17)
    return need


def _dist_to(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise distance (m) between points ``a`` and ``b``, both (n, 2)."""
    return np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])


def _thin_district(
    areas: _Areas, need: pd.DataFrame, land: _Land, estate: np.ndarray, core: np.ndarray
) -> int:
    """The district of average need that will get much less provision than the rest."""
    k = len(areas.district_codes)
    d = areas.district
    pop = np.bincount(d, need["pop_0_17"].to_numpy(), k)
    referrals = np.bincount(d, need["referrals"].to_numpy(), k)
    rate = referrals / pop
    county_rate = referrals.sum() / pop.sum()
    t_xy = land.towns[["x", "y"]].to_numpy()
    centre_district = d[cKDTree(areas.rep).query(t_xy)[1]]
    roles = land.towns["role"].to_numpy()
    excluded = set(d[estate]) | set(d[core]) | set(centre_district[roles != "town"])
    ok = np.array([i not in excluded for i in range(k)]) & (pop >= 0.6 * np.median(pop))
    if not ok.any():
        ok = np.array([i not in set(d[estate]) | set(d[core]) for i in range(k)])
    gap = np.where(ok, np.abs(rate / county_rate - 1), np.inf)
    return int(np.argmin(gap))


# ---------------------------------------------------------------------------------------
# Postcodes


def _postcodes(rng: np.random.Generator, areas: _Areas, land: _Land) -> pd.DataFrame:
    """A fictional postcode lookup: 3-6 postcodes inside each area."""
    geoms = areas.gdf.geometry.to_numpy()
    n = len(geoms)
    wanted = np.where(areas.urban, rng.integers(4, 7, n), rng.integers(3, 5, n))
    tries = 48
    bounds = shapely.bounds(geoms).astype(np.int64)
    ai = np.repeat(np.arange(n), tries)
    x = rng.integers(bounds[ai, 0], bounds[ai, 2] + 1)
    y = rng.integers(bounds[ai, 1], bounds[ai, 3] + 1)
    inside = shapely.contains_xy(geoms[ai], x, y)
    rank = inside.reshape(n, tries).cumsum(axis=1).ravel()
    keep = inside & (rank <= wanted[ai])
    none = np.flatnonzero(np.bincount(ai[keep], minlength=n) == 0)
    area = np.r_[ai[keep], none]
    x = np.r_[x[keep], areas.rep[none, 0].astype(np.int64)]
    y = np.r_[y[keep], areas.rep[none, 1].astype(np.int64)]

    # Postcode area: nearest of the three largest towns (QW, QX, QY from west to east).
    towns = land.towns.sort_values("n_points", ascending=False, kind="stable").head(3)
    towns = towns.sort_values("x", kind="stable")
    letters = np.array(["QW", "QX", "QY"])[
        cKDTree(towns[["x", "y"]].to_numpy()).query(np.c_[x, y])[1]
    ]
    cell = (-(y // 5_000)) * 1_000 + x // 5_000
    df = pd.DataFrame({"letters": letters, "cell": cell})
    number = df.groupby("letters")["cell"].rank(method="dense").astype(int).to_numpy()
    sector = (x // 1_000 + 3 * (y // 1_000)) % 9 + 1
    outward = pd.Series(letters).str.cat(pd.Series(number).astype(str))
    group = pd.Series(outward).str.cat(pd.Series(sector).astype(str), sep=" ")
    shuffled = rng.permutation(len(x))
    within = np.empty(len(x), dtype=np.int64)
    within[shuffled] = group.iloc[shuffled].groupby(group.iloc[shuffled]).cumcount().to_numpy()
    gid = group.astype("category").cat.codes.to_numpy()
    offset = rng.integers(0, 400, gid.max() + 1)[gid]
    unit = (offset + 37 * within) % 400
    alphabet = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    postcode = group.str.cat(
        pd.Series(alphabet[unit // 20]).str.cat(pd.Series(alphabet[unit % 20]))
    )

    lon, lat = Transformer.from_pipeline(_TO_WGS84).transform(x.astype(float), y.astype(float))
    terminated = np.full(len(x), "", dtype=object)
    gone = rng.random(len(x)) < 0.02
    years = rng.integers(2012, 2024, len(x))
    months = rng.integers(1, 13, len(x))
    terminated[gone] = [f"{a}-{b:02d}" for a, b in zip(years[gone], months[gone], strict=True)]
    out = pd.DataFrame(
        {
            "postcode": postcode.to_numpy(),
            "easting": x,
            "northing": y,
            "latitude": np.char.mod("%.6f", lat),
            "longitude": np.char.mod("%.6f", lon),
            "lsoa": areas.gdf["area_code"].to_numpy()[area],
            "terminated": terminated.astype(str),
        }
    )
    out["area"] = area  # internal: dropped when written
    return out.sort_values("postcode", kind="stable").reset_index(drop=True)


def _live(postcodes: pd.DataFrame) -> pd.DataFrame:
    return postcodes[postcodes["terminated"] == ""]


def _nearest_postcode(live: pd.DataFrame, xy: np.ndarray) -> np.ndarray:
    idx = cKDTree(live[["easting", "northing"]].to_numpy()).query(xy)[1]
    return live["postcode"].to_numpy()[idx]


def _jitter_inside(
    rng: np.random.Generator, areas: _Areas, area: np.ndarray, xy: np.ndarray
) -> np.ndarray:
    """Points moved up to 30 m from postcode centroids, staying in their own area."""
    moved = xy + rng.integers(-30, 31, xy.shape)
    ok = shapely.contains_xy(areas.gdf.geometry.to_numpy()[area], moved[:, 0], moved[:, 1])
    return np.where(ok[:, None], moved, xy)


# ---------------------------------------------------------------------------------------
# Children's centres


def _centres(
    rng: np.random.Generator,
    areas: _Areas,
    land: _Land,
    need: pd.DataFrame,
    postcodes: pd.DataFrame,
    core: np.ndarray,
) -> tuple[pd.DataFrame, str]:
    """About 60 centres by postcode; the critical one alone in its town."""
    live = _live(postcodes).reset_index(drop=True)
    pxy = live[["easting", "northing"]].to_numpy().astype(float)
    p_area = live["area"].to_numpy()
    towns = land.towns
    t_xy = towns[["x", "y"]].to_numpy()
    crit_t = int(np.flatnonzero(towns["role"] == "critical")[0])
    d_core = cKDTree(areas.rep[core]).query(pxy)[0]
    crit_p = int(np.argmin(_dist(pxy, t_xy[crit_t])))
    allowed = (d_core > _FAR_FROM_HELP_M + _MARGIN_M) & (
        _dist(pxy, pxy[crit_p]) > _CRITICAL_GAP_M + _MARGIN_M
    )

    chosen: list[int] = [crit_p]
    kind: list[str] = ["critical"]
    for t in range(len(towns)):
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
        for p in dict.fromkeys(picks.tolist()):
            chosen.append(p)
            kind.append("town")

    # Rural centres where they cover most areas that would otherwise be over 9.5 km away.
    reach = 9_500.0
    cand = np.flatnonzero(allowed)
    for _ in range(40):
        far = cKDTree(pxy[chosen]).query(areas.rep)[0] > reach
        if not far.any():
            break
        cover = (_cross(pxy[cand], areas.rep[far]) <= reach).sum(axis=1)
        if cover.max() == 0:
            break
        chosen.append(int(cand[np.argmax(cover)]))
        kind.append("rural")

    # Two closed and one planned centre, in towns.
    in_towns = np.flatnonzero(allowed & areas.urban[p_area])
    in_towns = np.setdiff1d(in_towns, chosen)
    extra = rng.choice(in_towns, 3, replace=False)
    chosen += extra.tolist()
    kind += ["closed", "closed", "planned"]

    chosen_a = np.asarray(chosen)
    xy = pxy[chosen_a]
    n = len(chosen_a)
    status = np.where(np.isin(kind, ["closed", "planned"]), np.asarray(kind), "active")
    ids = [f"C{i + 1:03d}" for i in rng.permutation(n)]

    # Reach: every area belongs to its nearest active centre.
    active = np.flatnonzero(status == "active")
    owner = active[cKDTree(xy[active]).query(areas.rep)[1]]
    codes = areas.gdf["area_code"].to_numpy()
    reach_areas = [""] * n
    for c, group in pd.Series(codes).groupby(owner):
        reach_areas[int(c)] = ";".join(sorted(group))

    hub = rng.random(n) < 0.25
    hub[0] = True  # the critical centre is the family hub of its town
    names = _centre_names(rng, xy, kind, hub, towns, land.villages)
    pop_0_4 = np.bincount(owner, need["pop_0_4"].to_numpy(), n)
    capacity = np.round(np.clip(pop_0_4, 300, 3_000) * rng.uniform(0.3, 0.5, n), -1)
    capacity[status != "active"] = np.round(rng.uniform(150, 400, (status != "active").sum()), -1)
    cost = np.round(capacity * rng.uniform(350, 650, n), -3)
    sector_p = np.array([0.6, 0.25, 0.15])
    sector = np.array(["statutory", "voluntary", "community"])[rng.choice(3, n, p=sector_p)]
    sector[0] = "statutory"
    provider = np.select(
        [sector == "statutory", sector == "voluntary"],
        [_COUNCIL, "Lantern Families Trust"],
        "Little Acorns Community Nurseries CIC",
    )
    nearest_active = [names[int(active[np.argsort(_dist(xy[active], xy[i]))[0]])] for i in range(n)]
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
    frame = pd.DataFrame(
        {
            "service_id": ids,
            "name": names,
            "provider": provider,
            "sector": sector,
            "min_age": 0,
            "max_age": np.where(hub, 19, 5),
            "capacity": pd.array(capacity.astype(np.int64), dtype="Int64"),
            "annual_cost": pd.array(cost.astype(np.int64), dtype="Int64"),
            "delivery": "in_person",
            "status": status,
            "postcode": live["postcode"].to_numpy()[chosen_a],
            "reach_areas": reach_areas,
            "opening_times": np.where(hub, "Mon-Fri 8:30-18:00, Sat 9:00-12:00", _OPENING[0]),
            "contact": [f"01632 960 {v:03d}" for v in rng.integers(0, 1000, n)],
            "notes": notes,
        }
    )
    blank_cap = rng.random(n) < 0.05
    blank_cap[0] = False
    frame.loc[blank_cap, "capacity"] = pd.NA
    frame.loc[rng.random(n) < 0.10, "annual_cost"] = pd.NA
    critical_id = ids[0]
    frame = frame.sort_values("service_id", kind="stable").reset_index(drop=True)
    return frame, critical_id


def _centre_names(
    rng: np.random.Generator,
    xy: np.ndarray,
    kind: list[str],
    hub: np.ndarray,
    towns: pd.DataFrame,
    villages: pd.DataFrame,
) -> list[str]:
    """Town centres by quarter of town ("Larkspire North ..."), rural ones by village."""
    t_xy = towns[["x", "y"]].to_numpy()
    t_sigma = towns["sigma_m"].to_numpy()
    v_xy = villages[["x", "y"]].to_numpy()
    nearest_town = cKDTree(t_xy).query(xy)[1]
    nearest_village = cKDTree(v_xy).query(xy)[1]
    features = iter(rng.permutation(np.array(_FEATURES)).tolist())
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
            base = f"{next(features)} {suffix}, {towns['name'].iloc[t]}"
        names.append(base)
    return names


# ---------------------------------------------------------------------------------------
# Service directory


def _services(
    rng: np.random.Generator,
    areas: _Areas,
    land: _Land,
    need: pd.DataFrame,
    postcodes: pd.DataFrame,
    thin: int,
    estate: np.ndarray,
    core: np.ndarray,
) -> pd.DataFrame:
    """About 600 services; the thin district gets a quarter of its share."""
    live = _live(postcodes).reset_index(drop=True)
    pxy = live[["easting", "northing"]].to_numpy().astype(float)
    p_area = live["area"].to_numpy()
    p_district = areas.district[p_area]
    n_areas = len(areas.rep)
    k = len(areas.district_codes)
    towns = land.towns

    # Where each kind of help may not be (the planted gaps), for in-person and outreach.
    d_core = cKDTree(areas.rep[core]).query(pxy)[0]
    d_estate = cKDTree(areas.rep[estate]).query(pxy)[0]
    fs_clear = _FAR_FROM_HELP_M + _MARGIN_M
    da_clear = _ESTATE_NO_DA_M + _MARGIN_M
    forbid_fs = (d_core <= fs_clear, d_core <= fs_clear + _OUTREACH_EXTRA_M)
    forbid_da = (d_estate <= da_clear, d_estate <= da_clear + _OUTREACH_EXTRA_M)

    idaci = need["idaci_score"].to_numpy()
    pop = need[list(AGE_BANDS)].sum(axis=1).to_numpy()
    npc = np.bincount(p_area, minlength=n_areas)
    w_area = pop * np.where(areas.urban, 3.0, 1.0) * (1 + 2 * idaci) / np.maximum(npc, 1)
    weight = w_area[p_area]

    # Anchors: an active, in-person domestic abuse service in the most deprived part of
    # every town but the estate's.
    anchors: list[int] = []
    for t in np.flatnonzero(towns["role"] != "estate"):
        ok = np.flatnonzero(areas.urban[p_area] & (areas.town[p_area] == t) & ~forbid_da[1])
        if ok.size:
            t_xy = towns[["x", "y"]].to_numpy()[t]
            best = np.lexsort((_dist(pxy[ok], t_xy), -idaci[p_area[ok]]))[0]
            anchors.append(int(ok[best]))
    n_anchor = len(anchors)

    # How many services each district gets: its share of children, times a factor.
    share = np.bincount(areas.district, need["pop_0_17"].to_numpy(), k)
    share = share / share.sum()
    factor = rng.uniform(0.85, 1.2, k)
    factor[thin] = 0.25
    target = np.round(600 * share * factor / (share * factor).sum()).astype(int)
    target -= np.bincount(p_district[anchors], minlength=k)
    per_district = np.repeat(np.arange(k), np.maximum(target, 0))
    n_random = per_district.size
    n = n_anchor + n_random

    keys = list(_SERVICE_SHARE)
    p = np.array(list(_SERVICE_SHARE.values()))
    first = np.r_[
        np.full(n_anchor, keys.index("domestic_abuse")), rng.choice(len(keys), n_random, p=p)
    ]
    second = np.full(n, -1)
    two = rng.random(n) < 0.25
    two[:n_anchor] = False
    pick = rng.random(n)
    for c, key in enumerate(keys):
        rows = np.flatnonzero(two & (first == c))
        options = [keys.index(o) for o in _SECOND_CATEGORY[key]]
        second[rows] = np.asarray(options)[(pick[rows] * len(options)).astype(int)]
    delivery = rng.choice(4, n, p=[0.74, 0.12, 0.07, 0.07])
    status = rng.choice(3, n, p=[0.88, 0.05, 0.07])
    delivery[:n_anchor] = 0
    status[:n_anchor] = 0

    # Where: a postcode in the service's district, weighted by children and need, never
    # inside the planted gaps. Gumbel-max draws one postcode per row at once.
    has = np.zeros((n, len(keys)), dtype=bool)
    has[np.arange(n), first] = True
    has[np.flatnonzero(second >= 0), second[second >= 0]] = True
    outreach = delivery == 1
    fs = has[:, keys.index("family_support")]
    da = has[:, keys.index("domestic_abuse")]
    bad = (fs[:, None] & np.where(outreach[:, None], forbid_fs[1], forbid_fs[0])) | (
        da[:, None] & np.where(outreach[:, None], forbid_da[1], forbid_da[0])
    )
    home = per_district[:, None] == p_district[None, :]
    w = np.where(home & ~bad[n_anchor:], weight, 0.0)
    empty = w.sum(axis=1) == 0
    if empty.any():  # the district is all gap for this kind of help: go next door
        dcx = np.bincount(areas.district, areas.rep[:, 0], k) / np.bincount(areas.district)
        dcy = np.bincount(areas.district, areas.rep[:, 1], k) / np.bincount(areas.district)
        near = _cross(np.c_[dcx, dcy][per_district[empty]], pxy)
        w[empty] = np.where(
            ~bad[n_anchor:][empty] & (p_district != thin), weight * np.exp(-near / 3_000.0), 0.0
        )
    with np.errstate(divide="ignore"):
        score = np.log(w) + rng.gumbel(size=w.shape)
    where = np.r_[np.asarray(anchors, dtype=int), score.argmax(axis=1)]
    area = p_area[where]
    xy = _jitter_inside(rng, areas, area, pxy[where])

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


def _service_rows(
    rng: np.random.Generator,
    areas: _Areas,
    land: _Land,
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
    ``n_anchor`` rows are the domestic abuse anchors.
    """
    n = len(first)
    keys = list(_SERVICE_SHARE)
    towns = land.towns
    settle_xy = np.vstack([towns[["x", "y"]].to_numpy(), land.villages[["x", "y"]].to_numpy()])
    settle = np.r_[towns["name"].to_numpy(), land.villages["name"].to_numpy()].astype(str)
    loc = settle[cKDTree(settle_xy).query(xy)[1]]
    district_name = np.array(areas.district_names, dtype=object)[areas.district[area]]
    u = rng.random((n, 8))
    cats, names, providers, sectors, ages = [], [], [], [], []
    for i in range(n):
        key = keys[first[i]]
        cats.append(key if second[i] < 0 else f"{key};{keys[second[i]]}")
        templates = _SERVICE_NAMES[key]
        names.append(templates[int(u[i, 0] * len(templates))].format(loc=loc[i]))
        s = int(np.searchsorted(np.cumsum(_SECTOR_P[key]), u[i, 1], side="right"))
        s = min(s, 3)
        sectors.append(_SECTORS[s])
        providers.append(_provider(key, _SECTORS[s], loc[i], u[i, 2]))
        opts = _AGES[key]
        ages.append(opts[int(u[i, 3] * len(opts))])
    sectors_a = np.asarray(sectors)
    if n_anchor:
        sectors_a[:n_anchor] = "voluntary"
        for i in range(n_anchor):
            providers[i] = "Safe Harbour Wyvern"
            names[i] = f"Safe Harbour {loc[i]}"
    med = np.array([_CAPACITY[keys[c]][0] for c in first], dtype=float)
    unit = np.array([_CAPACITY[keys[c]][1] for c in first], dtype=float)
    capacity = np.maximum(5, np.round(med * rng.lognormal(0.0, 0.45, n) / 5) * 5)
    capacity[areas.district[area] == thin] = np.maximum(
        5, np.round(capacity[areas.district[area] == thin] * 0.45 / 5) * 5
    )
    cost = np.round(capacity * unit * rng.lognormal(0.0, 0.3, n), -2)
    remote = np.isin(delivery, [2, 3])
    opening = np.where(
        remote,
        np.asarray(_REMOTE_OPENING)[(u[:, 4] * len(_REMOTE_OPENING)).astype(int)],
        np.asarray(_OPENING)[(u[:, 4] * len(_OPENING)).astype(int)],
    )
    phone = [f"01632 960 {v:03d}" for v in rng.integers(0, 1000, n)]
    contact = [phone[i] if u[i, 5] < 0.6 else f"{_slug(names[i])}@example.org" for i in range(n)]
    years = rng.integers(2025, 2028, n)
    weeks = rng.integers(2, 13, n)
    notes = []
    for i in range(n):
        if status[i] == 2:
            notes.append(f"Closed in {years[i] - 3}; contact the Early Help Hub")
        elif status[i] == 1:
            notes.append(f"Planned to open in {years[i]}")
        else:
            note = _NOTES[int(u[i, 6] * len(_NOTES))]
            notes.append(note.format(w=weeks[i], y=years[i], district=district_name[i]))

    frame = pd.DataFrame(
        {
            "service_id": "",
            "name": names,
            "provider": providers,
            "sector": sectors_a,
            "categories": cats,
            "min_age": [a for a, _ in ages],
            "max_age": [b for _, b in ages],
            "capacity": pd.array(capacity.astype(np.int64), dtype="Int64"),
            "annual_cost": pd.array(cost.astype(np.int64), dtype="Int64"),
            "delivery": np.asarray(_DELIVERY)[delivery],
            "status": np.asarray(_STATUS)[status],
            "easting": xy[:, 0].astype(np.int64),
            "northing": xy[:, 1].astype(np.int64),
            "postcode": _nearest_postcode(live, xy),
            "opening_times": opening,
            "contact": contact,
            "notes": notes,
        }
    )
    blank_cap = rng.random(n) < 0.05
    blank_cost = blank_cap | (rng.random(n) < 0.06)
    frame.loc[blank_cap, "capacity"] = pd.NA
    frame.loc[blank_cost, "annual_cost"] = pd.NA
    frame = frame.iloc[rng.permutation(n)].reset_index(drop=True)
    frame["service_id"] = [f"S{i + 1:04d}" for i in range(n)]
    return frame


def _provider(key: str, sector: str, loc: str, u: float) -> str:
    if sector == "statutory":
        health = ("health_visiting", "speech_language", "mental_health")
        return _NHS if key in health else _COUNCIL
    if sector == "voluntary":
        pool = _VOLUNTARY.get(key, _VOLUNTARY[""])
    elif sector == "community":
        pool = (*_COMMUNITY, "Wyvern Dads' Network") if key == "parenting" else _COMMUNITY
    else:
        pool = _PRIVATE.get(key, _PRIVATE[""])
    return pool[int(u * len(pool))].format(loc=loc)


def _slug(text: str) -> str:
    kept = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return ".".join(kept.split())[:40].strip(".")


# ---------------------------------------------------------------------------------------
# Candidate sites


def _sites(
    rng: np.random.Generator,
    areas: _Areas,
    land: _Land,
    need: pd.DataFrame,
    postcodes: pd.DataFrame,
    estate: np.ndarray,
    core: np.ndarray,
) -> pd.DataFrame:
    """About 300 buildings where new provision could go."""
    live = _live(postcodes).reset_index(drop=True)
    pxy = live[["easting", "northing"]].to_numpy().astype(float)
    p_area = live["area"].to_numpy()
    npc = np.bincount(p_area, minlength=len(areas.rep))
    w = need["pop_0_17"].to_numpy() * np.where(areas.urban, 2.0, 1.0) / np.maximum(npc, 1)
    w = w[p_area]
    picked = rng.choice(len(live), 295, replace=False, p=w / w.sum())
    # Make sure there is somewhere to put help on the estate and in the remote stretch.
    on_estate = np.flatnonzero(np.isin(p_area, estate))
    in_core = np.flatnonzero(np.isin(p_area, core))
    extra = np.r_[rng.choice(on_estate, 2, replace=False), rng.choice(in_core, 3, replace=False)]
    picked = np.r_[picked, np.setdiff1d(extra, picked)]
    n = len(picked)
    kind_names = np.array(["school", "community_centre", "gp_surgery", "library"])
    kind = kind_names[rng.choice(4, n, p=[0.45, 0.25, 0.18, 0.12])]
    xy = _jitter_inside(rng, areas, p_area[picked], pxy[picked])
    settle_xy = np.vstack([land.towns[["x", "y"]].to_numpy(), land.villages[["x", "y"]].to_numpy()])
    settle = np.r_[land.towns["name"].to_numpy(), land.villages["name"].to_numpy()].astype(str)
    loc = settle[cKDTree(settle_xy).query(xy)[1]]
    rural = ~areas.urban[p_area[picked]]
    u = rng.random((n, 2))
    patterns = {
        "school": ("{loc} Primary School", "{loc} {feature} Primary School", "{loc} Academy",
                   "{saint} C of E Primary School, {loc}"),
        "community_centre": ("{loc} Community Centre", "{feature} Community Hub, {loc}",
                             "{loc} Village Hall"),
        "gp_surgery": ("{loc} Medical Practice", "{feature} Surgery, {loc}",
                       "{loc} Health Centre"),
        "library": ("{loc} Library",),
    }  # fmt: skip
    names = []
    for i in range(n):
        options = patterns[kind[i]]
        if kind[i] == "community_centre" and not rural[i]:
            options = options[:2]
        names.append(
            options[int(u[i, 0] * len(options))].format(
                loc=loc[i],
                feature=_FEATURES[int(u[i, 1] * len(_FEATURES))],
                saint=_SAINTS[int(u[i, 1] * len(_SAINTS))],
            )
        )
    frame = pd.DataFrame(
        {
            "name": names,
            "kind": kind,
            "easting": xy[:, 0].astype(np.int64),
            "northing": xy[:, 1].astype(np.int64),
        }
    )
    frame = frame.sort_values(["northing", "easting"], ascending=[False, True], kind="stable")
    frame.insert(0, "site_id", [f"K{i + 1:03d}" for i in range(n)])
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Roads


def _roads(areas: _Areas, land: _Land) -> gpd.GeoDataFrame:
    """A Gabriel graph over the areas' representative points, classed by the routes between
    towns (A roads, one motorway) and from villages to towns (B roads)."""
    rep = areas.rep
    n = len(rep)
    tri = Delaunay(rep)
    e = np.vstack([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]], tri.simplices[:, [0, 2]]])
    e = np.unique(np.sort(e, axis=1), axis=0)
    length = _dist_to(rep[e[:, 0]], rep[e[:, 1]])
    mid = (rep[e[:, 0]] + rep[e[:, 1]]) / 2
    d, idx = cKDTree(rep).query(mid, k=3)
    other = (idx != e[:, [0]]) & (idx != e[:, [1]])
    nearest_other = np.where(other, d, np.inf).min(axis=1)
    gabriel = nearest_other >= length / 2 - 1e-6
    graph = sparse.coo_array((length, (e[:, 0], e[:, 1])), (n, n)).tocsr()
    tree = csgraph.minimum_spanning_tree(graph)
    mst = np.zeros(len(e), dtype=bool)
    t = tree.tocoo()
    key = {(min(a, b), max(a, b)) for a, b in zip(t.row.tolist(), t.col.tolist(), strict=True)}
    mst[[i for i, (a, b) in enumerate(e.tolist()) if (a, b) in key]] = True
    lines = shapely.linestrings(np.stack([rep[e[:, 0]], rep[e[:, 1]]], axis=1))
    land_ok = shapely.within(lines, land.outline.buffer(300.0))
    keep = mst | (gabriel & land_ok)
    e, length, lines = e[keep], length[keep], lines[keep]
    m = len(e)

    edge_of = sparse.coo_array((np.arange(m) + 1, (e[:, 0], e[:, 1])), (n, n)).tocsr()
    edge_of = edge_of + edge_of.T
    graph = sparse.coo_array((length, (e[:, 0], e[:, 1])), (n, n)).tocsr()
    graph = graph + graph.T
    t_xy = land.towns[["x", "y"]].to_numpy()
    node_town = cKDTree(rep).query(t_xy)[1]
    node_village = cKDTree(rep).query(land.villages[["x", "y"]].to_numpy())[1]
    _, pred = csgraph.dijkstra(graph, indices=node_town, return_predecessors=True)

    rank = np.zeros(m, dtype=int)  # 0 minor, 1 b_road, 2 a_road, 3 motorway

    def mark(src_row: int, target: int, level: int) -> None:
        node = target
        while pred[src_row, node] >= 0:
            prev = pred[src_row, node]
            j = edge_of[prev, node] - 1
            rank[j] = max(rank[j], level)
            node = prev

    d_towns = _cross(t_xy, t_xy)
    np.fill_diagonal(d_towns, np.inf)
    for a in range(len(t_xy)):
        for b in np.argsort(d_towns[a])[:2]:
            mark(a, node_town[b], 2)
    big = np.argsort(-land.towns["n_points"].to_numpy(), kind="stable")[1:3]
    for b in big:
        mark(0, node_town[b], 3)
    village_town = cKDTree(t_xy).query(rep[node_village])[1]
    for v, t_ in zip(node_village.tolist(), village_town.tolist(), strict=True):
        mark(t_, v, 1)

    walkable = rank < 3  # walkers may not use the motorway, but must reach every area
    on_foot = sparse.coo_array((length[walkable], (e[walkable, 0], e[walkable, 1])), (n, n))
    if csgraph.connected_components(on_foot, directed=False)[0] > 1:
        rank[rank == 3] = 2
    classes = np.array(["minor", "b_road", "a_road", "motorway"])[rank]
    urban_edge = areas.urban[e[:, 0]] & areas.urban[e[:, 1]]
    speed = np.select([rank == 3, rank == 2, rank == 1, urban_edge], [110, 80, 60, 30], default=50)
    order = np.lexsort((e[:, 1], e[:, 0], -rank))
    return gpd.GeoDataFrame(
        {"road_class": classes[order], "speed_kph": speed[order].astype(np.int64)},
        geometry=lines[order],
        crs=_CRS,
    )


# ---------------------------------------------------------------------------------------
# Stories: measured as the analysis will measure them


def _far_from_help(
    areas: _Areas, centres: pd.DataFrame, services: pd.DataFrame, postcodes: pd.DataFrame
) -> np.ndarray:
    """Areas more than 10 km from every centre and family support service (any status)."""
    help_xy = _help_points(centres, services, postcodes)
    return np.flatnonzero(cKDTree(help_xy).query(areas.rep)[0] > _FAR_FROM_HELP_M)


def _help_points(
    centres: pd.DataFrame, services: pd.DataFrame, postcodes: pd.DataFrame
) -> np.ndarray:
    lookup = postcodes.set_index("postcode")[["easting", "northing"]]
    c_xy = lookup.loc[centres["postcode"]].to_numpy()
    fs = services["categories"].str.split(";").apply(lambda c: "family_support" in c)
    s_xy = services.loc[fs, ["easting", "northing"]].to_numpy()
    return np.vstack([c_xy, s_xy]).astype(float)


def _check_stories(
    areas: _Areas,
    need: pd.DataFrame,
    services: pd.DataFrame,
    centres: pd.DataFrame,
    postcodes: pd.DataFrame,
    story: dict[str, Any],
    land: _Land,
) -> dict[str, Any]:
    """Measure each planted story; raise if a seed failed to plant one clearly."""
    problems: list[str] = []
    codes = areas.gdf["area_code"].to_numpy()
    index = {c: i for i, c in enumerate(codes)}
    area_of = _area_of(areas, services[["easting", "northing"]].to_numpy())
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
    if d_da.min() <= _ESTATE_NO_DA_M:
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
    gap = np.delete(_dist(c_xy, c_xy[crit]), crit).min()
    if gap <= _CRITICAL_GAP_M:
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


def _area_of(areas: _Areas, xy: np.ndarray) -> np.ndarray:
    """Index of the area containing each point (nearest area for the odd point outside)."""
    tree = shapely.STRtree(areas.gdf.geometry.to_numpy())
    pts = shapely.points(xy.astype(float))
    found, hit = tree.query(pts, predicate="within")
    out = np.full(len(xy), -1)
    out[found] = hit
    lost = out < 0
    if lost.any():
        out[lost] = tree.nearest(pts[lost])
    return out


# ---------------------------------------------------------------------------------------
# Writing


def _atomic(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    tmp = _atomic(path)
    df.drop(columns=["area"], errors="ignore").to_csv(
        tmp, index=False, lineterminator="\n", encoding="utf-8"
    )
    os.replace(tmp, path)
    return path


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, *, layer: str) -> Path:
    tmp = _atomic(path)
    tmp.unlink(missing_ok=True)
    gdf.to_file(
        tmp,
        driver="GeoJSON",
        layer=layer,
        engine="pyogrio",
        layer_options={"COORDINATE_PRECISION": 0},
    )
    os.replace(tmp, path)
    return path


def _write_text(text: str, path: Path) -> Path:
    tmp = _atomic(path)
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)
    return path


def _readme(
    seed: int,
    areas: _Areas,
    need: pd.DataFrame,
    services: pd.DataFrame,
    centres: pd.DataFrame,
    postcodes: pd.DataFrame,
    roads: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    story: dict[str, Any],
    facts: dict[str, Any],
) -> str:
    """The README of the demo folder, numbers filled in from this seed."""
    gdf = areas.gdf
    n_districts = len(areas.district_codes)
    thin = areas.district_codes.index(story["thin_district"])
    next_low = np.sort(np.delete(facts["per_1000"], thin))[0]
    districts = "\n".join(
        f"| {c} | {nm} | {int((areas.district == d).sum())} | "
        f"{int(need['pop_0_17'].to_numpy()[areas.district == d].sum()):,} | "
        f"{facts['per_1000'][d]:.1f} |"
        for d, (c, nm) in enumerate(zip(areas.district_codes, areas.district_names, strict=True))
    )
    rural = ", ".join(story["rural_areas"])
    in_rural = areas.gdf["area_code"].isin(story["rural_areas"]).to_numpy()
    rural_districts = ", ".join(
        f"{areas.district_codes[d]} {areas.district_names[d]}"
        for d in np.unique(areas.district[in_rural])
    )
    estate = ", ".join(story["estate_areas"])
    crit = centres.loc[centres["service_id"] == story["critical_centre"]].iloc[0]
    n_terminated = int((postcodes["terminated"] != "").sum())
    return f"""# {_COUNTY}: the fictional demo county

Everything in this folder is **invented**. {_COUNTY} is an island county placed in the
open North Sea (British National Grid eastings 600-660 km, northings 465-525 km, about
lon 1-2E, lat 54-54.6N), so no real base map can be mistaken for it. Every name of a
county, district, town, village, service, provider and building is made up; codes start
with `X` (areas `X01…`, districts `X07…`) so they cannot be taken for ONS codes;
postcodes start with `Q` (no UK postcode area does); phone numbers are in Ofcom's drama
range (01632 960xxx) and e-mail addresses end in `@example.org`.

The files are generated by `earlyhelp.demo.generate` from seed {seed}; the same seed gives
byte-identical files:

```python
from pathlib import Path
from earlyhelp.demo import generate, planted
generate(Path("data/demo"), seed={seed})
planted({seed})   # the identifiers of the planted stories below
```

{len(gdf):,} small areas in {n_districts} districts, {len(need):,} need rows,
{len(services):,} services, {len(centres)} children's centres, {len(postcodes):,}
postcodes, {len(roads):,} road segments and {len(sites)} candidate sites.

## Files

{_files_section(n_terminated)}

Taxonomy keys used: {", ".join(f"`{c}`" for c in _TAXONOMY)}. The key
`childrens_centre` appears only through `childrens_centres.csv`. Names and notes contain
`&` and apostrophes, as real directories do: escape them before they reach HTML.

## Districts

| Code | Name | Areas | Children 0-17 | Services per 1,000 children |
|---|---|---|---|---|
{districts}

## Planted stories

These are true of the data by construction and checked every time it is generated. An
analysis of the demo county should find each of them.

### 1. A thin district: {story["thin_district"]} ({story["thin_district_name"]})

- {facts["per_1000"][thin]:.1f} services per 1,000 children aged 0-17, against
  {next_low:.1f} in the next thinnest district (see the table above);
- the least capacity: {facts["cap_per_child"][thin]:.2f} places per child, against at least
  {np.delete(facts["cap_per_child"], thin).min():.2f} elsewhere;
- yet average need: its referral rate is {facts["thin_referral_ratio"]:.2f} times the
  county's.

### 2. Rural areas far from help

- {len(story["rural_areas"])} contiguous rural areas (in {rural_districts}) are more than
  10 km in a straight line from every children's centre and every family_support service,
  whatever their status or delivery: their nearest is {facts["rural_km"][0]:.1f} to
  {facts["rural_km"][1]:.1f} km away;
- every other area has one within 10 km;
- areas: {rural}.

### 3. A deprived estate with no domestic abuse support, in {story["estate_town"]}

- {len(story["estate_areas"])} contiguous urban areas with IDACI scores of
  {facts["estate_idaci"][0]:.3f} or more (no other area reaches that) and domestic abuse
  factors at {facts["estate_da_ratio"]:.1f} times the county rate per child;
- no domestic_abuse service of any status within 6 km (the nearest is
  {facts["estate_da_km"]:.1f} km away; no outreach one within 9 km), while every other
  town has an active in-person one;
- areas: {estate}.

### 4. A critical centre: {story["critical_centre"]}

- {crit["name"]} (postcode {crit["postcode"]}) is the only children's centre in
  {story["critical_town"]};
- it is responsible for {facts["critical_n_areas"]} areas with
  {facts["critical_children"]:,} children aged 0-17 (its `reach_areas`);
- the next nearest centre of any status is {facts["critical_gap_km"]:.1f} km away, so
  closing it strands them.

## Other things to expect

- Some services are `planned` or `closed`, some deliver `online` or by `phone` (their
  location is an office), and some have blank `capacity` or `annual_cost`.
- A few centres are closed or planned; their notes say so.
- Three smaller deprived estates (four areas each, IDACI 0.42-0.55) lie in other towns,
  and those towns have domestic abuse services: deprivation alone is not story 3.
"""


def _files_section(n_terminated: int) -> str:
    parts = []
    for name, (what, columns) in _FILE_DOCS.items():
        rows = "\n".join(f"| `{c}` | {m} |" for c, m in columns)
        if name == "postcodes.csv":
            what += f" {n_terminated} postcodes are terminated; no service or centre uses one."
        parts.append(f"### `{name}`\n\n{what}\n\n| Column | Meaning |\n|---|---|\n{rows}")
    return "\n\n".join(parts)
