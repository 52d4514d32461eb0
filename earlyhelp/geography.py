"""Geography: CRS discipline, small-area codes and their vintages, representative points.

Analysis happens in one projected CRS (EPSG:27700, British National Grid, by default);
data are reprojected on load and converted to EPSG:4326 only when drawn.
"""

from __future__ import annotations

__all__ = [
    "LSOA_2011_LAST",
    "dissolve_districts",
    "lsoa_vintage_hint",
    "normalise_postcode",
    "representative_points",
    "study_area",
    "to_analysis_crs",
]

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from earlyhelp.errors import InputError

# The last LSOA code issued in 2011 for England; codes above it were created in 2021.
LSOA_2011_LAST = 33768
_LSOA = re.compile(r"^E01(\d{6})$")


def to_analysis_crs(
    gdf: gpd.GeoDataFrame, *, crs: str, file: str, assumed_crs: str = "", section: str = ""
) -> gpd.GeoDataFrame:
    """Return ``gdf`` reprojected to ``crs``.

    A file with no CRS is refused unless ``assumed_crs`` (from the input's ``crs`` option,
    in config section ``section``) says what it is: guessing would put every point in the
    wrong place. So is a file said to hold longitude and latitude whose coordinates are far
    too large for degrees: a GeoJSON file without a ``crs`` member is read as WGS 84
    whatever it holds, so British National Grid metres saved that way read as degrees.
    There ``assumed_crs``, when it is projected, says what the numbers are.
    """
    try:
        target = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(
            f"config: crs '{crs}' is not a coordinate reference system; use for example "
            '"EPSG:27700"'
        ) from None
    where = f"[{section}]" if section else "its section"
    if gdf.crs is None:
        if not assumed_crs:
            raise InputError(
                f"{file}: the file has no coordinate reference system (CRS); add "
                f'crs = "EPSG:27700" (or the right code) to {where} in config.toml, '
                "or save it again with a CRS in QGIS"
            )
        gdf = gdf.set_crs(assumed_crs)
    elif (
        assumed_crs
        and _beyond_degrees(gdf).any()
        and not CRS.from_user_input(assumed_crs).is_geographic
    ):
        gdf = gdf.set_crs(assumed_crs, allow_override=True)
    far = _beyond_degrees(gdf)
    if far.any():
        first = int(np.flatnonzero(far)[0])
        x0, y0 = gdf.geometry.iloc[first].bounds[:2]
        grid = 0 <= x0 <= 700_000 and 0 <= y0 <= 1_300_000
        configured = bool(assumed_crs) and gdf.crs.equals(CRS.from_user_input(assumed_crs))
        said = (
            f'crs = "{assumed_crs}" in {where} says they are'
            if configured
            else f"the file is read as longitude/latitude ({gdf.crs.name}, as is any GeoJSON "
            'file without a "crs" member)'
        )
        code = "EPSG:27700" if grid else "<the right EPSG code>"
        raise InputError(
            f"{file}, feature {first + 1}: coordinates such as ({x0:.0f}, {y0:.0f}) are far "
            f"too large for longitude and latitude ({far.sum()} of {len(gdf)} features), yet "
            f"{said}; they look like {'British National Grid' if grid else 'projected'} "
            f'metres: {"set" if configured else "add"} crs = "{code}" '
            f"{'in' if configured else 'to'} {where} in config.toml, or save the file again "
            "with its CRS in QGIS"
        )
    if not gdf.crs.equals(target):
        gdf = gdf.to_crs(target)
    return gdf


def _beyond_degrees(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Features of a longitude/latitude layer with coordinates no degree can have."""
    if gdf.crs is None or not gdf.crs.is_geographic or not len(gdf):
        return np.zeros(len(gdf), dtype=bool)
    b = gdf.geometry.bounds
    return (
        (b["minx"] < -180) | (b["maxx"] > 180) | (b["miny"] < -90) | (b["maxy"] > 90)
    ).to_numpy()


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


def dissolve_districts(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One polygon per ``district_code`` (index) with its ``district_name``: the union of
    its areas, as ``areas.dissolve(by="district_code")`` gives, but as a coverage union
    (small areas tile a district edge to edge, so their shared edges simply dissolve:
    tens of times faster than a full union), falling back to a full union for a district
    whose areas are not exactly noded."""
    codes = areas["district_code"].to_numpy()
    values = np.asarray(areas.geometry.values)
    positions = pd.Series(np.arange(len(areas))).groupby(codes, sort=True)
    names = areas.groupby(codes, sort=True)["district_name"].first()
    shapes = []
    for _, where in positions:
        parts = values[where.to_numpy()]
        try:
            shapes.append(shapely.coverage_union_all(parts))
        except shapely.errors.GEOSException:
            shapes.append(shapely.union_all(parts))
    out = gpd.GeoDataFrame(
        geometry=shapes, index=pd.Index(names.index, name="district_code"), crs=areas.crs
    )
    out["district_name"] = names.to_numpy()  # after the geometry, as dissolve puts it
    return out
