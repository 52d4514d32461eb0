"""Geography: CRS discipline, small-area codes and their vintages, representative points,
and lookups between geographies.

Analysis happens in one projected CRS (EPSG:27700, British National Grid, by default);
data are reprojected on load and converted to EPSG:4326 only when drawn.

Lookups: an indicator published for MSOAs, wards, districts or a county reaches the small
areas through a lookup from area codes to unit codes. :func:`lookup_pairs` finds the two
columns of any lookup by the codes in them (no header names needed), :func:`msoa_by_name`
derives LSOA 2021 -> MSOA 2021 from the ONS naming rule (an LSOA's name is its MSOA's
name and a letter) and :func:`best_fit` from boundaries (the unit with the largest share
of each area, and that share).
"""

from __future__ import annotations

__all__ = [
    "GEOGRAPHIES",
    "LSOA_2011_LAST",
    "ORIGIN_COLUMNS",
    "best_fit",
    "code_geography",
    "dissolve_districts",
    "is_comparator",
    "lookup_pairs",
    "lsoa_vintage_hint",
    "msoa_by_name",
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

# The geographies an indicator may be published for, as they are named in sentences.
GEOGRAPHIES = {
    "area": "small area",
    "lsoa": "LSOA",
    "msoa": "MSOA",
    "ward": "ward",
    "district": "district",
    "county": "county",
}
# ONS (GSS) code prefixes and the geography they name.
_PREFIXES = {
    "E00": "output area", "W00": "output area",
    "E01": "LSOA", "W01": "LSOA",
    "E02": "MSOA", "W02": "MSOA",
    "E05": "ward", "W05": "ward",
    "E06": "district", "E07": "district", "E08": "district", "E09": "district",
    "W06": "district",
    "E10": "county", "E11": "county", "E12": "region", "E13": "region",
    "E92": "country", "W92": "country", "K02": "country", "K03": "country", "K04": "country",
}  # fmt: skip
_COMPARATORS = ("region", "country")  # never a unit of a small-area lookup

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


# An area's population-weighted centroid, in the areas' CRS, where one was read
# (``[areas] population_points``, :func:`earlyhelp.loading.areas.load_origins`).
ORIGIN_COLUMNS = ("origin_x", "origin_y")


def representative_points(
    areas: gpd.GeoDataFrame, points: gpd.GeoSeries | None = None
) -> gpd.GeoSeries:
    """One origin point per area, indexed like ``areas``, named ``origin``: where
    distances are measured from.

    Uses ``points`` (indexed by area code) where given, else the areas' population-weighted
    centroids (:data:`ORIGIN_COLUMNS`) where read, and otherwise a point guaranteed to lie
    inside the polygon (not the centroid, which can fall outside a crescent-shaped area or
    in the sea).
    """
    inside = areas.geometry.representative_point()
    x, y = ORIGIN_COLUMNS
    if points is None and x in areas.columns and y in areas.columns:
        xs, ys = areas[x].to_numpy(dtype=float), areas[y].to_numpy(dtype=float)
        given = np.isfinite(xs) & np.isfinite(ys)
        if given.any():
            weighted = gpd.GeoSeries(gpd.points_from_xy(xs, ys), index=areas.index)
            points = weighted[given]
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


def code_geography(code: str) -> str:
    """The geography an ONS code names, from its prefix ("E02004675" -> "MSOA"); "" when
    the prefix is not one of them."""
    return _PREFIXES.get(str(code).strip()[:3].upper(), "")


def is_comparator(code: str) -> bool:
    """Whether an ONS code names a region or a country (England, the UK): a benchmark row
    of a published table, not a unit any small area lies in."""
    return code_geography(code) in _COMPARATORS


def lookup_pairs(
    lookup: pd.DataFrame, from_codes: pd.Index, to_codes: pd.Index
) -> tuple[str, str] | None:
    """The columns of ``lookup`` holding ``from_codes`` and ``to_codes``: for each, the
    column sharing most distinct codes with them (the other excluded). None when either
    shares none. Any ONS lookup works, whatever its headers and vintage."""
    text = {c: lookup[c].astype(str).str.strip() for c in lookup.columns}

    def best(codes: pd.Index, skip: str | None) -> tuple[str, int]:
        wanted = set(codes.astype(str))
        found = [(c, len(set(v) & wanted)) for c, v in text.items() if c != skip]
        return max(found, key=lambda pair: pair[1], default=("", 0))

    source, hits = best(from_codes, None)
    if not hits:
        return None
    target, hits = best(to_codes, source)
    return (source, target) if hits else None


def msoa_by_name(lsoas: pd.DataFrame, msoas: pd.DataFrame) -> pd.DataFrame:
    """LSOA 2021 -> MSOA 2021 by the ONS naming rule: an LSOA's name is its MSOA's name
    followed by one letter ("Winchester 012C" is in "Winchester 012").

    ``lsoas`` has ``code`` and ``name`` of each LSOA, ``msoas`` ``code`` and ``name`` of
    each MSOA. Returns, per LSOA (index: its code), ``unit_code`` and ``unit_name``,
    missing where no MSOA has the name (a renamed or Welsh-language name, say). LSOAs
    nest exactly in MSOAs in 2021, so a match is a whole fit.
    """
    names = lsoas["name"].astype(str).str.strip()
    stem = names.str.replace(r"[A-Z]$", "", regex=True).str.strip()
    stem = stem.where(names.str.fullmatch(r".*\d[A-Z]"))
    by_name = msoas.assign(name=msoas["name"].astype(str).str.strip()).drop_duplicates("name")
    codes = by_name.set_index("name")["code"]
    out = pd.DataFrame(
        {"unit_code": stem.map(codes).to_numpy(), "unit_name": stem.where(stem.map(codes).notna())
         .to_numpy()},
        index=pd.Index(lsoas["code"].astype(str).str.strip().to_numpy(), name="area_code"),
    )  # fmt: skip
    return out


def best_fit(
    areas: gpd.GeoSeries,
    units: gpd.GeoSeries,
    *,
    assigned: pd.Series | None = None,
    crs: str = "EPSG:27700",
) -> pd.DataFrame:
    """Each area's best-fit unit from boundaries: the unit holding the largest share of the
    area, and that share (``fit``, 0-1) of the part of the area that lies in any unit.

    ``areas`` and ``units`` are polygons indexed by their codes, in any declared CRS (both
    are measured in ``crs``). With ``assigned`` (a unit code per area code, such as an
    ONS best-fit lookup) the units are those given and ``fit`` measures them instead.
    Returns ``unit_code`` and ``fit`` per area (index: area code); an area touching no
    unit has none. Generalised boundaries of different resolutions overlap imperfectly,
    so a fit near but below 1 is normal for areas that nest; ONS best-fit lookups use
    population-weighted centroids instead.
    """
    a = gpd.GeoDataFrame({"area_code": areas.index.astype(str)}, geometry=areas.to_crs(crs).values)
    u = gpd.GeoDataFrame({"unit_code": units.index.astype(str)}, geometry=units.to_crs(crs).values)
    pieces = gpd.overlay(a, u, how="intersection", keep_geom_type=True)
    pieces["m2"] = pieces.geometry.area
    # share of the area's part that lies in any unit: land beyond every unit (the sea of a
    # boundary clipped differently) is no evidence against the fit
    pieces["share"] = pieces["m2"] / pieces.groupby("area_code")["m2"].transform("sum")
    if assigned is None:
        top = pieces.sort_values("share", ascending=False).drop_duplicates("area_code")
        out = top.set_index("area_code")[["unit_code", "share"]]
    else:
        given = assigned.rename(index=str).astype(str)
        mine = pieces[pieces["unit_code"] == pieces["area_code"].map(given)]
        share = mine.groupby("area_code")["share"].sum()
        out = pd.DataFrame({"unit_code": given, "share": share.reindex(given.index).fillna(0.0)})
    out = out.rename(columns={"share": "fit"}).reindex(a["area_code"].to_numpy())
    out.index.name = "area_code"
    out["fit"] = out["fit"].clip(upper=1.0)
    return out
