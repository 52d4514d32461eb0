"""The gazetteer of a board map: every place its search finds besides areas and services.

Built offline, at drawing time, from what the user supplies or the tool already reads:

* the **districts** and **localities** (towns) of the areas file, found by name or code,
  each zoomed to the areas it covers;
* the places of ``[map] gazetteer`` (OS Open Names, ONS place names or built-up areas,
  or a plain table; :func:`earlyhelp.sources.places.read_places`), with town and
  village names written on the map at zooms where they fit;
* **postcode districts** (``SO23``) and **sectors** (``SO23 8``) from the postcode lookup
  of ``[postcodes]`` (ONSPD or any table), else from OS Open Names' postcode entries, else
  roughly, from the postcode district each gazetteer place lies in.

Only places within the study area (and 3 km around it) are kept, so a national gazetteer
adds a county's places to a county's map. Every name goes through
:func:`~earlyhelp.maps.safety.escape_text`; search keys are letters and digits only.
"""

from __future__ import annotations

__all__ = ["PLACE_LEVELS", "gazetteer", "map_extras"]

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from earlyhelp.config import Config
from earlyhelp.errors import EarlyHelpError
from earlyhelp.loading import load_postcodes
from earlyhelp.maps.controls import attribution_html
from earlyhelp.maps.safety import escape_text, search_key
from earlyhelp.sources.places import read_places
from earlyhelp.validation import ValidationReport

# kind -> (what the search says it is, zoom to show it at, label level: 0 none, 1 written
# from zoom 10, 2 from zoom 12, 3 from zoom 14)
PLACE_LEVELS: dict[str, tuple[str, int, int]] = {
    "city": ("city", 12, 1),
    "town": ("town", 13, 1),
    "built-up area": ("built-up area", 13, 1),
    "locality": ("town or locality", 13, 0),
    "village": ("village", 14, 2),
    "suburb": ("suburb", 14, 3),
    "hamlet": ("hamlet", 15, 3),
    "parish": ("parish", 13, 0),
    "place": ("place", 14, 3),
    "district": ("district", 11, 0),
    "postcode district": ("postcode district", 13, 0),
    "postcode sector": ("postcode sector", 14, 0),
}
_AROUND_M = 3000.0


def map_extras(
    cfg: Config, areas: gpd.GeoDataFrame, *, postcodes: pd.DataFrame | None = None
) -> dict[str, Any]:
    """What every map of a run adds to its layers: the gazetteer (``places``) and the
    attribution (``attribution``, escaped HTML from ``[attribution]``). ``postcodes``:
    the run's postcode lookup as loaded (None: read it again, if configured)."""
    credit = cfg.attribution
    return {
        "places": gazetteer(cfg, areas, postcodes=postcodes),
        "attribution": attribution_html(
            cfg.attribution_lines(),
            licence=credit.licence,
            licence_url=credit.licence_url,
            publisher=credit.publisher,
        ),
    }


def gazetteer(
    cfg: Config, areas: gpd.GeoDataFrame, *, postcodes: pd.DataFrame | None = None
) -> list[dict[str, Any]]:
    """The places a board map of ``areas`` (projected, metres) can find, nearest the
    top of the list the ones found first on a tie. Each is ``n`` (escaped name), ``k``
    (what it is), ``q`` (its search key), ``ll`` ([lat, lon]), ``b`` (bounds
    [[south, west], [north, east]] or None), ``z`` (zoom) and ``l`` (label level).
    ``postcodes`` is the run's postcode lookup as loaded (None: read it again)."""
    extent = shapely.box(*areas.total_bounds).buffer(_AROUND_M)  # the union's envelope
    frames = [_districts(areas), _localities(areas)]
    places = _configured(cfg, areas.crs)
    if places is not None:
        places = places[places.geometry.within(extent)]
        frames.append(_postcodes(cfg, areas.crs, extent, places, postcodes))
        frames.append(places[places["kind"] != "postcode"])
    else:
        frames.append(_postcodes(cfg, areas.crs, extent, None, postcodes))
    found = pd.concat([f for f in frames if f is not None and len(f)], ignore_index=True)
    if found.empty:
        return []
    found = gpd.GeoDataFrame(found, geometry="geometry", crs=areas.crs)
    gazetted = ~found["kind"].isin(["locality", "district", "postcode district", "postcode sector"])
    named = set(found.loc[gazetted, "name"].str.lower())
    duplicate = (found["kind"] == "locality") & found["name"].str.lower().isin(named)
    found = found[~duplicate]  # a town in the gazetteer is found as the town
    entries = _entries(found, labels=cfg.map.place_labels)
    districts = {e["n"] for e in entries if e["k"] == "district"}
    for entry in entries:  # a town named as its district: the district's label says it
        if entry["n"] in districts and entry["k"] != "district":
            entry["l"] = 0
    return entries


def _entries(found: gpd.GeoDataFrame, *, labels: bool) -> list[dict[str, Any]]:
    """One search entry per place (its columns read once, not row by row: England has
    tens of thousands of postcode sectors)."""
    points = found.geometry.to_crs("EPSG:4326")
    lat, lon = points.y.to_numpy(), points.x.to_numpy()
    bounds = gpd.GeoSeries(found["bounds"].to_numpy(), crs=found.crs)
    has_bounds = (bounds.notna() & ~bounds.is_empty).to_numpy()
    boxes = np.full((len(found), 4), np.nan)
    if has_bounds.any():
        boxes[has_bounds] = bounds[has_bounds].to_crs("EPSG:4326").bounds.to_numpy()
    empty = np.full(len(found), None, dtype=object)
    kinds, names = found["kind"].to_numpy(dtype=object), found["name"].to_numpy(dtype=object)
    codes = found["code"].to_numpy(dtype=object) if "code" in found else empty
    districts = found["district"].to_numpy(dtype=object) if "district" in found else empty
    out = []
    for i, (raw_kind, raw_name) in enumerate(zip(kinds, names, strict=True)):
        kind, zoom, label = PLACE_LEVELS.get(raw_kind, (raw_kind, 14, 0))
        name = escape_text(raw_name, max_chars=80)
        if not name:
            continue
        entry: dict[str, Any] = {
            "n": name,
            "k": escape_text(kind),
            "q": search_key(f"{raw_name} {_text(codes[i])}"),
            "ll": [round(float(lat[i]), 5), round(float(lon[i]), 5)],
            "b": None,
            "z": zoom,
            "l": label if labels else 0,
        }
        if has_bounds[i]:
            w, s, e, n = (float(v) for v in boxes[i])
            entry["b"] = [[round(s, 5), round(w, 5)], [round(n, 5), round(e, 5)]]
        district = escape_text(_text(districts[i]), max_chars=60)
        if district and raw_kind not in ("district", "postcode district", "postcode sector"):
            entry["k"] = f"{entry['k']} in {district}"
        out.append(entry)
    return out


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _frame(names, kinds, geometry, bounds, crs, **extra) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": list(names), "kind": list(kinds), "bounds": list(bounds), **extra},
        geometry=list(geometry),
        crs=crs,
    )


def _districts(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each district, by name and code, zoomed to its areas."""
    groups = areas.groupby(areas["district_code"].astype(str), sort=False)
    codes, names, shapes = [], [], []
    for code, part in groups:
        name = part["district_name"].dropna().astype(str)
        codes.append(code)
        names.append(name.iloc[0] if len(name) else code)
        shapes.append(shapely.box(*part.total_bounds))
    centres = [s.centroid for s in shapes]
    return _frame(names, ["district"] * len(names), centres, shapes, areas.crs, code=codes)


def _localities(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Each locality (town) of the areas file, zoomed to its areas."""
    if "locality" not in areas:
        return None
    named = areas[areas["locality"].astype("string").fillna("").str.strip() != ""]
    if named.empty:
        return None
    names, shapes = [], []
    for name, part in named.groupby(named["locality"].astype(str).str.strip(), sort=True):
        names.append(name)
        shapes.append(shapely.box(*part.total_bounds))
    centres = [s.centroid for s in shapes]
    return _frame(names, ["locality"] * len(names), centres, shapes, areas.crs)


def _configured(cfg: Config, crs: Any) -> gpd.GeoDataFrame | None:
    """The places of ``[map] gazetteer`` (with its postcode entries), or None."""
    path = cfg.map.gazetteer
    if path is None:
        return None
    report = ValidationReport()
    try:
        table = read_places(path, report=report, postcodes=True)
    except (EarlyHelpError, OSError) as exc:
        warnings.warn(
            f"[map] gazetteer: {exc}; the map's search finds areas, districts and services only",
            stacklevel=2,
        )
        return None
    points = gpd.points_from_xy(table["easting"], table["northing"])
    places = gpd.GeoDataFrame(table.assign(bounds=None), geometry=points, crs="EPSG:27700").to_crs(
        crs
    )
    return places


def _postcodes(
    cfg: Config,
    crs: Any,
    extent: Any,
    places: gpd.GeoDataFrame | None,
    lookup: pd.DataFrame | None,
) -> gpd.GeoDataFrame | None:
    """Postcode districts and sectors: from the postcode lookup (``lookup``, else read),
    else the gazetteer's postcodes, else (districts only, roughly) the places' own
    postcode districts."""
    if lookup is None:
        lookup = load_postcodes(cfg)
    if lookup is not None and len(lookup):
        live = lookup[~lookup["terminated"].astype(bool)]
        codes = live.index.to_series().astype(str)
        points = gpd.GeoSeries(gpd.points_from_xy(live["x"], live["y"]), crs=cfg.run.crs)
        points.index = codes.index
        return _grouped(codes, points.to_crs(crs), extent, sectors=True)
    if places is None:
        return None
    coded = places[places["kind"] == "postcode"]
    if len(coded):
        return _grouped(coded["name"].astype(str), coded.geometry, extent, sectors=True)
    rough = places[places["postcode_district"].astype(str).str.strip() != ""]
    if rough.empty:
        return None
    return _grouped(rough["postcode_district"].astype(str), rough.geometry, extent, sectors=False)


def _grouped(
    postcodes: pd.Series, points: gpd.GeoSeries, extent: Any, *, sectors: bool
) -> gpd.GeoDataFrame | None:
    """Postcodes grouped into districts (``SO23``) and sectors (``SO23 8``): the middle
    of each group's points and the box around them."""
    inside = points.within(extent).to_numpy()
    text = postcodes[inside].str.upper().str.strip().reset_index(drop=True)
    pts = points[inside].reset_index(drop=True)
    if text.empty:
        return None
    parts = text.str.split(r"\s+", n=1, expand=True, regex=True)
    outward = parts[0]
    kinds = {"postcode district": outward}
    if sectors and parts.shape[1] > 1:
        inward = parts[1].fillna("").str[:1]
        kinds["postcode sector"] = (outward + " " + inward).where(inward != "")
    frames = []
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    for kind, keys in kinds.items():
        keys = keys.dropna()
        at = keys.index.to_numpy()
        table = pd.DataFrame({"key": keys.to_numpy(), "x": x[at], "y": y[at]})
        agg = table.groupby("key").agg(
            x=("x", "mean"), y=("y", "mean"), x0=("x", "min"), x1=("x", "max"),
            y0=("y", "min"), y1=("y", "max"),
        )  # fmt: skip
        boxes = _boxes(*(agg[c].to_numpy() for c in ("x0", "y0", "x1", "y1")))
        frames.append(
            _frame(
                agg.index,
                [kind] * len(agg),
                gpd.points_from_xy(agg["x"], agg["y"]),
                boxes,
                points.crs,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _boxes(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, *, least_m: float = 400.0
) -> np.ndarray:
    """Boxes around groups of points, each at least ``least_m`` across (one postcode is
    a point)."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = np.maximum((x1 - x0) / 2, least_m / 2)
    half_h = np.maximum((y1 - y0) / 2, least_m / 2)
    return shapely.box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
