"""Geography: CRS discipline, small-area codes and their vintages, representative points.

Analysis happens in one projected CRS (EPSG:27700, British National Grid, by default);
data are reprojected on load and converted to EPSG:4326 only when drawn.
"""

from __future__ import annotations

__all__ = [
    "LSOA_2011_LAST",
    "lsoa_vintage_hint",
    "normalise_postcode",
    "representative_points",
    "study_area",
    "to_analysis_crs",
]

import re

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError

from earlyhelp.errors import InputError

# The last LSOA code issued in 2011 for England; codes above it were created in 2021.
LSOA_2011_LAST = 33768
_LSOA = re.compile(r"^E01(\d{6})$")


def to_analysis_crs(
    gdf: gpd.GeoDataFrame, *, crs: str, file: str, assumed_crs: str = ""
) -> gpd.GeoDataFrame:
    """Return ``gdf`` reprojected to ``crs``.

    A file with no CRS is refused unless ``assumed_crs`` (from the input's ``crs`` option)
    says what it is: guessing would put every point in the wrong place.
    """
    try:
        target = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(
            f"config: crs '{crs}' is not a coordinate reference system; use for example "
            '"EPSG:27700"'
        ) from None
    if gdf.crs is None:
        if not assumed_crs:
            raise InputError(
                f"{file}: the file has no coordinate reference system (CRS); add "
                f'crs = "EPSG:27700" (or the right code) to its section in config.toml, '
                "or save it again with a CRS in QGIS"
            )
        gdf = gdf.set_crs(assumed_crs)
    if not gdf.crs.equals(target):
        gdf = gdf.to_crs(target)
    return gdf


def representative_points(
    areas: gpd.GeoDataFrame, points: gpd.GeoSeries | None = None
) -> gpd.GeoSeries:
    """One origin point per area, indexed like ``areas``, named ``origin``.

    Uses ``points`` (population-weighted centroids, indexed by area code) where given and
    otherwise a point guaranteed to lie inside the polygon (not the centroid, which can
    fall outside a crescent-shaped area or in the sea).
    """
    inside = areas.geometry.representative_point()
    if points is not None:
        weighted = points.reindex(areas.index)
        inside = weighted.where(weighted.notna() & ~weighted.is_empty, inside)
        inside = gpd.GeoSeries(inside, crs=areas.crs)
    return inside.rename("origin")


def lsoa_vintage_hint(codes: pd.Series) -> dict[str, list[str]]:
    """Split English LSOA codes by what their number says about their vintage.

    Returns ``{"2021_only": [...]}``: codes numbered above the last 2011 code can only be
    2021 LSOAs. (A 2011 code retired in 2021 cannot be told from its number alone; the
    ONS lookup tells.)
    """
    found = codes.astype(str).str.extract(_LSOA)[0].dropna().astype(int)
    newer = codes.loc[found.index][found > LSOA_2011_LAST]
    return {"2021_only": sorted(newer.astype(str).unique())}


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Postcodes as the ONS writes them (``pcds``): " ab12cd" -> "AB1 2CD".

    Upper case, one space before the last three characters; NA when too short to be one.
    """
    compact = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    return (compact.str[:-3] + " " + compact.str[-3:]).where(compact.str.len() >= 5)


def study_area(areas: gpd.GeoDataFrame, districts: tuple[str, ...] | list[str]) -> gpd.GeoDataFrame:
    """The areas of the districts analysed (``[run] districts``: codes or names, any case);
    every area when none are named. An unknown district is an :class:`InputError` that
    lists the districts the areas file has."""
    if not districts:
        return areas
    codes = areas["district_code"].astype(str)
    names = areas["district_name"].astype(str) if "district_name" in areas else codes
    known = {c.lower(): c for c in codes.unique()} | {
        n.lower(): c for n, c in zip(names, codes, strict=True)
    }
    chosen: list[str] = []
    unknown: list[str] = []
    for wanted in districts:
        code = known.get(str(wanted).strip().lower())
        (chosen if code else unknown).append(code or wanted)
    if unknown:
        listed = "; ".join(sorted({f"{c} {n}" for c, n in zip(codes, names, strict=True)}))
        raise InputError(
            f"[run] districts: {', '.join(map(repr, unknown))} is not a district of the areas "
            f"file; use a code or name from: {listed}"
        )
    return areas[codes.isin(chosen).to_numpy()]
