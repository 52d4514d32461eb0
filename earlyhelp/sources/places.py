"""Place names for finding a place on the map: a gazetteer read from open data.

Reads, by their published headers:

* **OS Open Names** (Ordnance Survey, OGL): the CSV files as distributed (with the
  separate header file's columns, or without a header at all) or any extract of them.
  Populated places (``TYPE`` = populatedPlace: cities, towns, villages, hamlets, suburbs)
  are kept; with ``postcodes=true`` also its postcode entries, which the map groups into
  postcode districts and sectors;
* **ONS Index of Place Names** (``place22nm`` or ``place23nm``, ``descnm``, ``lat``,
  ``long``) and **ONS built-up areas** with their coordinates (``BUA22NM`` or
  ``BUA24NM`` with ``BNG_E``/``BNG_N`` or ``LAT``/``LONG``, or a boundary file, whose
  polygons are placed at a point inside each);
* a plain table of ``name``, ``kind`` and ``easting``/``northing`` (British National
  Grid) or ``latitude``/``longitude``, such as ``earlyhelp import places`` writes and
  the demo county ships.

Each becomes the canonical places table: ``name``, ``kind`` (city, town, village,
hamlet, suburb, place, built-up area, postcode...), ``easting``, ``northing`` (EPSG:27700
metres) and, where the file says, ``district`` (its local authority's name) and
``postcode_district``. A file of names without coordinates (the ONS built-up area names
lookup) is refused with what to use instead.
"""

from __future__ import annotations

__all__ = ["OS_OPEN_NAMES_HEADER", "PLACE_COLUMNS", "read_places"]

import re
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import Table, find_column, numbers, read_text_table, text
from earlyhelp.validation import ValidationReport

PLACE_COLUMNS = ("name", "kind", "easting", "northing", "district", "postcode_district")
# The columns of OS Open Names, as in its separate header file (OS_Open_Names_Header.csv).
OS_OPEN_NAMES_HEADER = (
    "ID", "NAMES_URI", "NAME1", "NAME1_LANG", "NAME2", "NAME2_LANG", "TYPE", "LOCAL_TYPE",
    "GEOMETRY_X", "GEOMETRY_Y", "MOST_DETAIL_VIEW_RES", "LEAST_DETAIL_VIEW_RES", "MBR_XMIN",
    "MBR_YMIN", "MBR_XMAX", "MBR_YMAX", "POSTCODE_DISTRICT", "POSTCODE_DISTRICT_URI",
    "POPULATED_PLACE", "POPULATED_PLACE_URI", "POPULATED_PLACE_TYPE", "DISTRICT_BOROUGH",
    "DISTRICT_BOROUGH_URI", "DISTRICT_BOROUGH_TYPE", "COUNTY_UNITARY", "COUNTY_UNITARY_URI",
    "COUNTY_UNITARY_TYPE", "REGION", "REGION_URI", "COUNTRY", "COUNTRY_URI",
    "RELATED_SPATIAL_OBJECT", "SAME_AS_DBPEDIA", "SAME_AS_GEONAMES",
)  # fmt: skip
# OS Open Names' LOCAL_TYPE of populated places, as earlyhelp's kinds.
_OS_KINDS = {
    "city": "city",
    "capital city": "city",
    "town": "town",
    "village": "village",
    "hamlet": "hamlet",
    "suburban area": "suburb",
    "other settlement": "place",
    "postcode": "postcode",
}
# The ONS Index of Place Names' descnm, as earlyhelp's kinds.
_IPN_KINDS = {"LOC": "place", "BUA": "built-up area", "BUASD": "built-up area", "PAR": "parish"}
_GEOMETRY_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}


def read_places(
    path: str | Path,
    *,
    report: ValidationReport,
    postcodes: bool = False,
    kinds: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Read a gazetteer in any layout above into the canonical places table.

    Parameters
    ----------
    path
        The file: CSV (OS Open Names, ONS Index of Place Names, ONS built-up areas or a
        plain table), or a GeoJSON, GeoPackage or Shapefile of built-up areas or places.
    report
        Where problems are recorded (rows without a name or without coordinates are left
        out with a warning).
    postcodes
        OS Open Names: keep its postcode entries too (the map groups them into postcode
        districts and sectors).
    kinds
        Keep only these kinds (for example ``city,town,village``); all when empty.
    """
    path = Path(path)
    if path.suffix.lower() in _GEOMETRY_SUFFIXES:
        places = _from_geometries(path)
    else:
        table = _read(path, report)
        places = _from_table(table, report, postcodes=postcodes)
    if kinds:
        places = places[places["kind"].isin([k.strip().lower() for k in kinds])]
    places = places.drop_duplicates(["name", "kind", "easting", "northing"])
    out = places.reset_index(drop=True)[list(PLACE_COLUMNS)]
    out.attrs["format"] = "places"
    return out


def _read(path: Path, report: ValidationReport) -> Table:
    """The table, with OS Open Names' header added when the file has none."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the gazetteer: {exc.strerror or exc}") from None
    if first.startswith("osgb") and first.count(",") == len(OS_OPEN_NAMES_HEADER) - 1:
        frame = pd.read_csv(
            path, header=None, names=list(OS_OPEN_NAMES_HEADER), dtype=str,
            keep_default_na=False, encoding="utf-8-sig",
        )  # fmt: skip
        frame = frame.apply(lambda col: col.str.strip())
        return Table(frame, list(range(1, len(frame) + 1)), path.name)
    return read_text_table(path, report=report)


def _from_table(table: Table, report: ValidationReport, *, postcodes: bool) -> pd.DataFrame:
    columns = list(table.frame.columns)
    if find_column(columns, ["NAME1"]) and find_column(columns, ["LOCAL_TYPE"]):
        return _os_open_names(table, report, postcodes=postcodes)
    ipn = next((c for c in columns if re.fullmatch(r"place\d\dnm", c.lower())), None)
    if ipn is not None:
        kind = text(table, find_column(columns, ["descnm"])).map(
            lambda v: _IPN_KINDS.get(v.upper(), v.lower() or "place")
        )
        district = text(table, _lad_name(columns))
        return _placed(table, report, name=text(table, ipn), kind=kind, district=district)
    bua = next((c for c in columns if re.fullmatch(r"bua\d\dnm", c.lower())), None)
    if bua is not None:
        kind = pd.Series("built-up area", index=table.frame.index)
        district = text(table, _lad_name(columns))
        return _placed(table, report, name=text(table, bua), kind=kind, district=district)
    name = find_column(columns, ["name", "place", "place_name", "placename"])
    if name is None:
        raise InputError(
            f"{table.file}: no place name column; give OS Open Names, the ONS Index of Place "
            "Names or built-up areas as published, or a CSV with columns name, kind, "
            "easting, northing (or latitude, longitude)"
        )
    kind_column = find_column(columns, ["kind", "type", "local_type", "place_type"])
    kind = text(table, kind_column).str.lower().replace("", "place")
    district = text(table, find_column(columns, ["district", "district_name", "lad_name"]))
    postcode_district = text(table, find_column(columns, ["postcode_district", "outcode"]))
    return _placed(
        table, report, name=text(table, name), kind=kind, district=district,
        postcode_district=postcode_district,
    )  # fmt: skip


def _lad_name(columns: list[str]) -> str | None:
    return next((c for c in columns if re.fullmatch(r"lad\d\dnm", c.lower())), None)


def _os_open_names(table: Table, report: ValidationReport, *, postcodes: bool) -> pd.DataFrame:
    """OS Open Names: populated places (and postcodes when asked), in English first."""
    frame = table.frame
    local = frame[find_column(frame.columns, ["LOCAL_TYPE"])].str.lower()
    kind = local.map(_OS_KINDS)
    keep = kind.notna() & ((kind != "postcode") | postcodes)
    name = frame[find_column(frame.columns, ["NAME1"])]
    places = _placed(
        table,
        report,
        name=name,
        kind=kind.fillna(""),
        district=text(table, find_column(frame.columns, ["DISTRICT_BOROUGH"])),
        postcode_district=text(table, find_column(frame.columns, ["POSTCODE_DISTRICT"])),
        x=find_column(frame.columns, ["GEOMETRY_X"]),
        y=find_column(frame.columns, ["GEOMETRY_Y"]),
        keep=keep.to_numpy(),
    )
    return places


def _placed(
    table: Table,
    report: ValidationReport,
    *,
    name: pd.Series,
    kind: pd.Series,
    district: pd.Series,
    postcode_district: pd.Series | None = None,
    x: str | None = None,
    y: str | None = None,
    keep: np.ndarray | None = None,
) -> pd.DataFrame:
    """The places of ``table`` with their grid references (from easting/northing, or
    converted from latitude/longitude); rows without a name or a place are reported."""
    columns = list(table.frame.columns)
    x = x or find_column(columns, ["easting", "bng_e", "east1m", "x", "geometry_x"])
    y = y or find_column(columns, ["northing", "bng_n", "north1m", "y", "geometry_y"])
    lat = find_column(columns, ["latitude", "lat"])
    lon = find_column(columns, ["longitude", "long", "lon", "lng"])
    if (x is None or y is None) and (lat is None or lon is None):
        raise InputError(
            f"{table.file}: the places have names but no coordinates (easting and northing, "
            "or latitude and longitude); use OS Open Names, the ONS Index of Place Names or "
            "the built-up area boundaries (whose points are found inside each), not a list "
            "of names"
        )
    if x is not None and y is not None:
        east, north = numbers(table, x, report=report), numbers(table, y, report=report)
    else:
        east, north = _grid(numbers(table, lat, report=report), numbers(table, lon, report=report))
    out = pd.DataFrame(
        {
            "name": name.astype(str).str.strip(),
            "kind": kind.astype(str).str.strip().str.lower(),
            "easting": np.round(east.to_numpy(dtype=float)),
            "northing": np.round(north.to_numpy(dtype=float)),
            "district": district.astype(str),
            "postcode_district": (
                postcode_district
                if postcode_district is not None
                else pd.Series("", index=name.index)
            ).astype(str),
        }
    )
    wanted = np.ones(len(out), bool) if keep is None else keep
    unnamed = wanted & (out["name"] == "").to_numpy()
    unplaced = wanted & ~unnamed & ~(np.isfinite(out["easting"]) & np.isfinite(out["northing"]))
    for mask, what in ((unnamed, "without a name"), (unplaced, "without coordinates")):
        if mask.any():
            lines = [table.lines[i] for i in np.flatnonzero(mask)[:5]]
            report.warn(
                table.file, "", f"{int(mask.sum())} place(s) {what} left out (lines {lines})",
                "fill them in, or leave them out of the file",
            )  # fmt: skip
    return out[wanted & ~unnamed & ~unplaced]


def _grid(lat: pd.Series, lon: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude (WGS 84) as British National Grid eastings and northings."""
    from pyproj import Transformer

    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    ok = lat.notna() & lon.notna()
    east = pd.Series(np.nan, index=lat.index)
    north = pd.Series(np.nan, index=lat.index)
    if ok.any():
        e, n = to_grid.transform(lon[ok].to_numpy(), lat[ok].to_numpy())
        east[ok], north[ok] = e, n
    return east, north


def _from_geometries(path: Path) -> pd.DataFrame:
    """Places from a boundary or point file: a point inside each shape, named from its
    name column (``BUA22NM``, ``name``...)."""
    import geopandas as gpd

    try:
        shapes = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:
        raise InputError(f"{path.name}: cannot read it as a map file: {exc}") from None
    if shapes.crs is None:
        raise InputError(f"{path.name}: the file declares no coordinate system; save it with one")
    columns = [str(c) for c in shapes.columns]
    name = next((c for c in columns if re.fullmatch(r"(bua|place)\d\dnm", c.lower())), None)
    name = name or find_column(columns, ["name", "place_name"])
    if name is None:
        raise InputError(f"{path.name}: no name column (such as BUA22NM or name) for the places")
    kind_column = find_column(columns, ["kind", "type"])
    points = shapes.geometry.to_crs("EPSG:27700").representative_point()
    is_bua = re.fullmatch(r"bua\d\dnm", name.lower()) is not None
    kind = (
        shapes[kind_column].astype(str).str.lower()
        if kind_column
        else pd.Series("built-up area" if is_bua else "place", index=shapes.index)
    )
    lad = _lad_name(columns)
    return pd.DataFrame(
        {
            "name": shapes[name].astype(str).str.strip(),
            "kind": kind,
            "easting": np.round(points.x.to_numpy()),
            "northing": np.round(points.y.to_numpy()),
            "district": shapes[lad].astype(str) if lad else "",
            "postcode_district": "",
        }
    )[lambda t: (t["name"] != "") & points.notna().to_numpy()]
