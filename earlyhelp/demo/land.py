"""The land: the island's outline, its towns and villages, and the remote stretch.

Every later table is drawn on this. Town roles plant two of the stories: the
``critical`` town gets a single children's centre, the ``estate`` town the deprived
estate; the ``county`` town is the largest.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from earlyhelp.demo.geometry import CENTRE, cross, dist, greedy_spread, points_in

# Names: all invented. Whimsical on purpose so that none is a real English place.
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


@dataclass(frozen=True)
class Land:
    """Outline, towns and villages: the shape every table is drawn on."""

    outline: shapely.Polygon
    stretch_xy: np.ndarray  # centre of the remote rural stretch
    towns: pd.DataFrame  # name, x, y, sigma_m, n_points, role
    villages: pd.DataFrame  # name, x, y


def draw_land(rng: np.random.Generator) -> Land:
    """The island (radius about 20 km, one lobe reaching further out to hold the remote
    stretch), then its towns and villages."""
    theta = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
    k = np.arange(2, 6)
    amp = rng.uniform(0.04, 0.08, k.size) / np.sqrt(k - 1)
    phase = rng.uniform(0.0, 2 * np.pi, k.size)
    wobble = (amp[:, None] * np.cos(k[:, None] * theta + phase[:, None])).sum(axis=0)
    lobe = rng.uniform(0.0, 2 * np.pi)
    gap = np.angle(np.exp(1j * (theta - lobe)))
    radius = 20_500.0 * (1 + wobble) + 7_500.0 * np.exp(-((gap / 0.4) ** 2))
    radius = np.clip(radius, 12_000.0, 28_500.0)
    ring = np.round(CENTRE + np.c_[radius * np.cos(theta), radius * np.sin(theta)])
    outline = shapely.Polygon(ring)
    r_lobe = radius[np.argmin(np.abs(gap))]
    stretch = CENTRE + 0.8 * r_lobe * np.array([np.cos(lobe), np.sin(lobe)])
    towns = _place_towns(rng, outline, stretch)
    villages = _place_villages(rng, outline, towns)
    return Land(outline=outline, stretch_xy=stretch, towns=towns, villages=villages)


def place_names(land: Land, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """The county's gazetteer: every town and village with its grid reference and the
    district it lies in (``places.csv``, which the board map's search reads)."""
    columns = ["name", "kind", "x", "y"]
    towns = land.towns.assign(kind="town")[columns]
    villages = land.villages.assign(kind="village")[columns]
    table = pd.concat([towns, villages], ignore_index=True)
    points = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["x"], table["y"]), crs=areas.crs
    )
    inside = gpd.sjoin(points, areas[["district_name", "geometry"]], how="left")
    inside = inside[~inside.index.duplicated()]
    return pd.DataFrame(
        {
            "name": table["name"].to_numpy(),
            "kind": table["kind"].to_numpy(),
            "easting": np.round(table["x"].to_numpy()).astype(int),
            "northing": np.round(table["y"].to_numpy()).astype(int),
            "district": inside["district_name"].fillna("").to_numpy(),
        }
    )


def nearest_settlement(land: Land, xy: np.ndarray) -> np.ndarray:
    """Name of the nearest town or village to each point of ``xy`` (n, 2)."""
    towns = land.towns
    settle_xy = np.vstack([towns[["x", "y"]].to_numpy(), land.villages[["x", "y"]].to_numpy()])
    settle = np.r_[towns["name"].to_numpy(), land.villages["name"].to_numpy()].astype(str)
    return settle[cKDTree(settle_xy).query(xy)[1]]


def _place_towns(
    rng: np.random.Generator, outline: shapely.Polygon, stretch: np.ndarray
) -> pd.DataFrame:
    """Towns spread over the county, none near the remote stretch; roles assigned."""
    cand = points_in(rng, outline.buffer(-3_500.0), 4_000)
    cand = cand[dist(cand, stretch) > 18_000.0]
    away = CENTRE + 4_000.0 * (CENTRE - stretch) / np.linalg.norm(CENTRE - stretch)
    first = int(np.argmin(dist(cand, away)))
    cand = np.vstack([cand[first], np.delete(cand, first, axis=0)])
    for sep in (9_000.0, 8_000.0, 7_000.0):
        gap = np.full(len(cand), sep)
        gap[0] += 2_000.0  # the county town stands further apart
        taken = greedy_spread(cand, gap, len(_TOWN_NAMES))
        if len(taken) >= 9:
            break
    xy = cand[taken]
    n = len(xy)
    d = cross(xy, xy)
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
    """Up to 34 villages at least 3 km apart, each over 1 km beyond 2.6 sigma of any town."""
    cand = points_in(rng, outline.buffer(-1_200.0), 3_000)
    txy = towns[["x", "y"]].to_numpy()
    clear = (cross(cand, txy) - 2.6 * towns["sigma_m"].to_numpy()).min(axis=1) > 1_000.0
    cand = cand[clear]
    taken = greedy_spread(cand, 3_000.0, 34)
    names = rng.permutation(np.array(_VILLAGE_NAMES))[: len(taken)]
    return pd.DataFrame({"name": names, "x": cand[taken, 0], "y": cand[taken, 1]})
