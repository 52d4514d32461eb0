"""The postcode lookup, and placing things at postcodes.

Postcodes start with ``Q`` (no UK postcode area does): ``QW``, ``QX`` or ``QY`` after the
nearest of the three largest towns, then district, sector and unit, e.g. ``QX12 3AB``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from earlyhelp.demo.areas import Areas
from earlyhelp.demo.land import Land

# OSGB36 -> WGS 84 by the published seven-parameter Helmert transformation (EPSG:1314),
# named in full so latitudes and longitudes do not depend on which PROJ grids are installed.
_TO_WGS84 = (
    "+proj=pipeline +step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 "
    "+y_0=-100000 +ellps=airy +step +proj=push +v_3 +step +proj=cart +ellps=airy "
    "+step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 "
    "+s=-20.489 +convention=position_vector +step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)


def draw_postcodes(rng: np.random.Generator, areas: Areas, land: Land) -> pd.DataFrame:
    """A fictional postcode lookup: 3-6 postcodes inside each area.

    Besides the written columns it holds ``area``, the index of the postcode's area,
    which is dropped when written.
    """
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
    postcode = _postcode_names(rng, land, x, y)

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


def live_postcodes(postcodes: pd.DataFrame) -> pd.DataFrame:
    """The postcodes that are not terminated."""
    return postcodes[postcodes["terminated"] == ""]


def nearest_postcode(live: pd.DataFrame, xy: np.ndarray) -> np.ndarray:
    """The postcode in ``live`` nearest each point of ``xy`` (n, 2)."""
    idx = cKDTree(live[["easting", "northing"]].to_numpy()).query(xy)[1]
    return live["postcode"].to_numpy()[idx]


def jitter_inside(
    rng: np.random.Generator, areas: Areas, area: np.ndarray, xy: np.ndarray
) -> np.ndarray:
    """Points moved up to 30 m from postcode centroids, staying in their own area."""
    moved = xy + rng.integers(-30, 31, xy.shape)
    ok = shapely.contains_xy(areas.gdf.geometry.to_numpy()[area], moved[:, 0], moved[:, 1])
    return np.where(ok[:, None], moved, xy)


def _postcode_names(
    rng: np.random.Generator, land: Land, x: np.ndarray, y: np.ndarray
) -> pd.Series:
    """A postcode for each point: area letters, district by 5 km cell, sector by
    1 km cell, and a shuffled two-letter unit."""
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
    return group.str.cat(pd.Series(alphabet[unit // 20]).str.cat(pd.Series(alphabet[unit % 20])))
