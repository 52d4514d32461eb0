"""Areas and need: the small-area boundaries, and the need profile keyed by them.

:func:`load_areas` reads the boundary polygons (codes, names, districts, the rural/urban
class), repairs invalid polygons with make_valid and reports empty or non-polygon ones.
:func:`load_need` reads the need table onto those areas: the age bands (a band may add
several columns), each indicator's columns, and codes that match no area or mix 2011 and
2021 LSOAs. :func:`load_origins` reads population-weighted centroids
(``[areas] population_points``), the points distances are measured from.
"""

from __future__ import annotations

__all__ = ["load_areas", "load_need", "load_origins"]

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from earlyhelp.config import Config
from earlyhelp.geography import ORIGIN_COLUMNS, lsoa_vintage_hint, to_analysis_crs
from earlyhelp.loading.indicators import place_indicators, report_coverage
from earlyhelp.loading.tables import (
    InputRecord,
    existing_file,
    file_sha256,
    note_absent,
    read_input,
    read_table,
    read_vector,
)
from earlyhelp.need import AGE_BANDS
from earlyhelp.sources._tables import find_column
from earlyhelp.text import did_you_mean
from earlyhelp.validation import (
    ValidationReport,
    check_area_codes,
    check_duplicates,
    check_file_codes,
    check_non_negative,
    clean_text,
    parse_numbers,
    require_columns,
    rows_where,
)

# Optional columns whose absence changes the results, and what happens without them.
_AREA_OPTIONAL = {
    "area_name": "area codes are shown instead of names",
    "district_name": "district codes are shown instead of names",
    "rural_urban": "every area gets the urban (shorter) reach thresholds",
}


# --------------------------------------------------------------------------- areas


def load_areas(cfg: Config, report: ValidationReport) -> tuple[gpd.GeoDataFrame, InputRecord]:
    spec = cfg.areas
    path = existing_file(cfg.required_path("areas"), "areas")
    cols = spec.columns
    gdf = read_vector(path, layer=spec.layer, report=report, key=cols["area_code"])
    unreadable = list(gdf.attrs.get("unreadable", []))  # reported already, with the reason
    record = InputRecord("areas", str(path), file_sha256(path), rows_read=len(gdf))
    if not require_columns(
        gdf, cols, ["area_code", "district_code"], file=path, section="areas", report=report
    ):
        return _empty_areas(cfg.run.crs), record
    gdf = to_analysis_crs(
        gdf, crs=cfg.run.crs, file=path.name, assumed_crs=spec.crs, section="areas"
    )
    rows = list(range(1, len(gdf) + 1))  # feature numbers
    note_absent(gdf, cols, _AREA_OPTIONAL, file=path, section="areas", report=report)

    code = check_area_codes(
        gdf[cols["area_code"]],
        reference=None,
        file=path,
        field=cols["area_code"],
        report=report,
        rows=rows,
    )
    check_duplicates(code, file=path, field=cols["area_code"], report=report, rows=rows)
    out = pd.DataFrame({"area_code": code.to_numpy()})
    for name, fallback in (("area_name", "area_code"), ("district_name", "district_code")):
        col = cols[name]
        out[name] = (
            clean_text(gdf[col], file=path, field=col, report=report, rows=rows).to_numpy()
            if col in gdf
            else out.get(fallback)
        )
    out["district_code"] = gdf[cols["district_code"]].astype("string").str.strip().to_numpy()
    check_file_codes(
        out["district_code"],
        what="district",
        pattern="district-{}.html",
        file=path,
        field=cols["district_code"],
        report=report,
        rows=rows,
        reserved={
            "county": "the whole county (its row in the tables, its map)",
            "not recorded": "the cases whose district the case system did not record",
        },
    )
    if "district_name" not in out or out["district_name"].isna().all():
        out["district_name"] = out["district_code"]
    out["locality"] = (
        gdf[cols["locality"]].astype("string").to_numpy() if cols["locality"] in gdf else None
    )
    out["rural_urban"] = (
        _rural_urban(gdf[cols["rural_urban"]], path, cols["rural_urban"], report, rows)
        if cols["rural_urban"] in gdf
        else None
    )
    geom = _clean_polygons(
        gdf.geometry, path, report, rows, unreadable=unreadable, codes=out["area_code"]
    )
    areas = gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs=gdf.crs)
    areas = areas[~areas.geometry.is_empty & areas.geometry.notna()]
    record.rows_used = len(areas)
    if len(areas) < record.rows_read:
        record.dropped["empty geometry"] = record.rows_read - len(areas)
    return areas.set_index("area_code"), record


# --------------------------------------------------------------------------- origins

# Area code and coordinate columns of population-weighted centroid files (ONS publishes
# LSOA21CD with x, y, in metres or degrees as downloaded; older files LSOA11CD, X, Y).
_ORIGIN_CODES = ("area_code", "LSOA21CD", "LSOA11CD", "lsoa_code", "OA21CD", "code")
_ORIGIN_XY = (("x", "y"), ("easting", "northing"), ("longitude", "latitude"), ("long", "lat"))


def load_origins(
    cfg: Config, areas: gpd.GeoDataFrame, report: ValidationReport
) -> tuple[gpd.GeoDataFrame, list[InputRecord]]:
    """``areas`` with each area's population-weighted centroid (``[areas]
    population_points``) as the columns ``origin_x``, ``origin_y``: distances are then
    measured from where people live rather than from a point inside the polygon
    (:func:`~earlyhelp.geography.representative_points` reads them).

    Reads a table (CSV or Excel) with an area code and x, y (metres in British National
    Grid, or longitude and latitude: the numbers say which) or a point layer (GeoPackage,
    GeoJSON, Shapefile). A centroid that falls outside its own area (another LSOA year or
    a wrong code) is not used, with a warning: that area keeps a point inside it, as do
    areas the file does not cover."""
    path = cfg.areas.population_points
    if path is None or areas.empty:
        return areas, []
    path = existing_file(path, "population-weighted centroids ([areas] population_points)")
    record = InputRecord("population_points", str(path), file_sha256(path))
    if path.suffix.lower() in (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".ods"):
        points, codes = _origin_table(path, report)
    else:
        points, codes = _origin_layer(path, cfg, report)
    record.rows_read = len(codes)
    if points is None:
        return areas, [record]
    keyed = gpd.GeoSeries(points.to_crs(areas.crs).to_numpy(), index=codes.to_numpy())
    keyed = keyed[~keyed.index.duplicated()].reindex(areas.index).set_crs(areas.crs)
    given = keyed.notna().to_numpy() & ~keyed.is_empty.to_numpy()
    inside = np.zeros(len(areas), dtype=bool)
    inside[given] = shapely.covers(areas.geometry.to_numpy()[given], keyed.to_numpy()[given])
    field = "population_points"
    outside = areas.index[given & ~inside]
    if len(outside):
        report.warn(
            path.name,
            field,
            f"{len(outside)} centroid(s) lie outside their own area (e.g. {outside[0]}), so "
            "those areas are measured from a point inside them instead",
            "use the centroids of the same boundaries (LSOA 2021 centroids for 2021 LSOAs)",
        )
    if not given.all():
        report.warn(
            path.name,
            field,
            f"{int((~given).sum())} of {len(areas)} area(s) have no centroid in the file "
            f"(e.g. {areas.index[~given][0]}), so they are measured from a point inside them",
            "add their centroids, or leave it: a point inside an area is a fair stand-in",
        )
    used = given & inside
    record.rows_used = int(used.sum())
    unmatched = int((~pd.Index(codes).isin(areas.index)).sum())
    if unmatched:
        record.dropped["not a study area"] = unmatched
    out = areas.copy()
    out[ORIGIN_COLUMNS[0]] = np.where(used, keyed.x.to_numpy(), np.nan)
    out[ORIGIN_COLUMNS[1]] = np.where(used, keyed.y.to_numpy(), np.nan)
    return out, [record]


def _origin_table(path: Path, report: ValidationReport) -> tuple[gpd.GeoSeries | None, pd.Series]:
    table = read_table(path, report=report)
    raw, rows = table.frame, table.lines
    code = find_column(raw.columns, _ORIGIN_CODES)
    pair = next(
        (
            (x, y)
            for x, y in (
                (find_column(raw.columns, [a]), find_column(raw.columns, [b]))
                for a, b in _ORIGIN_XY
            )
            if x is not None and y is not None
        ),
        None,
    )
    if code is None or pair is None:
        lacking = "an area code column (LSOA21CD or area_code)" if code is None else ""
        if pair is None:
            lacking += (" and " if lacking else "") + "coordinate columns (x and y)"
        report.error(
            path.name,
            "population_points",
            f"the file has no {lacking}; its columns are {', '.join(map(str, raw.columns))}",
            "use the ONS population-weighted centroids CSV as downloaded (LSOA21CD, x, y), "
            "or a table with area_code, x, y",
        )
        return None, pd.Series([], dtype=str)
    x = parse_numbers(raw[pair[0]], file=path, field=pair[0], report=report, rows=rows)
    y = parse_numbers(raw[pair[1]], file=path, field=pair[1], report=report, rows=rows)
    ok = x.notna() & y.notna()
    degrees = bool(ok.any()) and bool((x[ok].abs() <= 180).all() and (y[ok].abs() <= 90).all())
    crs = "EPSG:4326" if degrees else "EPSG:27700"
    points = gpd.GeoSeries(gpd.points_from_xy(x.where(ok), y.where(ok)), crs=crs)
    return points, raw[code].astype(str).str.strip()


def _origin_layer(
    path: Path, cfg: Config, report: ValidationReport
) -> tuple[gpd.GeoSeries | None, pd.Series]:
    gdf = read_vector(path, report=report)
    code = find_column(gdf.columns, _ORIGIN_CODES)
    if code is None or not gdf.geom_type.dropna().isin(["Point"]).all():
        report.error(
            path.name,
            "population_points",
            "the layer needs points with an area code column (LSOA21CD or area_code)",
            "use the ONS population-weighted centroids layer as downloaded",
        )
        return None, pd.Series([], dtype=str)
    gdf = to_analysis_crs(
        gdf, crs=cfg.run.crs, file=path.name, assumed_crs=cfg.areas.crs, section="areas"
    )
    return gdf.geometry.reset_index(drop=True), gdf[code].astype(str).str.strip()


def _empty_areas(crs: str) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        columns=["area_name", "district_code", "district_name", "locality", "rural_urban"],
        index=pd.Index([], name="area_code", dtype="string"),
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs))


def _rural_urban(values, path, field, report, rows) -> np.ndarray:
    """Accept 'urban'/'rural', or an ONS 2011 or 2021 rural-urban class, written out or coded."""
    text = values.astype("string").str.strip().str.lower()
    codes = {
        "a1": "urban",
        "b1": "urban",
        "c1": "urban",
        "c2": "urban",
        "d1": "rural",
        "d2": "rural",
        "e1": "rural",
        "e2": "rural",
        "f1": "rural",
        "f2": "rural",
    }
    out = text.map(lambda v: codes.get(v) if v in codes else v, na_action="ignore")
    # 2011 classes ("Urban city and town", "Rural village") and 2021 ones ("Urban: Nearer
    # to a major town or city", "Larger rural: ...", "Smaller rural: ..."; codes UN1, UF1,
    # RLN1, RLF1, RSN1, RSF1)
    rural = out.str.match(r"^(rural|larger rural|smaller rural|r[ls][nf]\d)").fillna(False)
    urban = out.str.match(r"^(urban|u[nf]\d)").fillna(False)
    out = out.where(~urban, "urban").where(~rural, "rural")
    bad = out.notna() & (out != "") & ~out.isin(["urban", "rural"])
    if bad.any():
        report.error(
            path,
            field,
            f"'{values[bad].iloc[0]}' is not urban or rural",
            "write urban or rural (or an ONS rural-urban class such as 'Rural village')",
            rows=rows_where(rows, bad.to_numpy()),
        )
    return out.where(out.isin(["urban", "rural"])).to_numpy()


def _clean_polygons(
    geom: gpd.GeoSeries, path, report, rows, *, unreadable: list[int], codes: pd.Series
) -> gpd.GeoSeries:
    """Repair invalid polygons with make_valid (never buffer(0)), saying for each which
    area, why and what the repair made of it; report empty ones (but not those whose
    geometry could not be read, reported with the reason already)."""
    empty = (geom.isna() | geom.is_empty).to_numpy()
    empty_unsaid = empty.copy()
    empty_unsaid[unreadable] = False
    if empty_unsaid.any():
        report.error(
            path,
            "geometry",
            f"{empty_unsaid.sum()} area(s) have no geometry",
            "draw the missing boundaries or remove those rows from the areas file",
            rows=rows_where(rows, empty_unsaid),
        )
    invalid = ~empty & ~geom.is_valid.to_numpy()
    if invalid.any():
        before = geom[invalid].to_numpy()
        repaired = shapely.make_valid(before, method="structure", keep_collapsed=False)
        geom = geom.copy()
        geom[invalid] = repaired
        said = [
            _repair_said(str(code), old, new)
            for code, old, new in zip(codes[invalid], before, repaired, strict=True)
        ]
        report.warn(
            path,
            "geometry",
            f"{invalid.sum()} invalid boundary(ies) were repaired with make_valid: "
            f"{'; '.join(said[:5])}{' ...' if len(said) > 5 else ''}; the repaired shape is "
            "what the map draws and what services and families are placed in",
            "check those boundaries in QGIS (Vector > Geometry Tools > Check Validity) and "
            "correct them in the areas file",
            rows=rows_where(rows, invalid),
        )
    polygonal = geom.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    wrong = ~empty & ~polygonal
    if wrong.any():
        report.error(
            path,
            "geometry",
            f"{wrong.sum()} area(s) are not polygons (e.g. {geom[wrong].geom_type.iloc[0]})",
            "areas must be polygons; use the boundary file, not centroids",
            rows=rows_where(rows, wrong),
        )
    return geom


_INVALID_REASONS = {
    "Ring Self-intersection": "its outline touches itself",
    "Self-intersection": "its outline crosses itself",
    "Hole lies outside shell": "a hole lies outside it",
    "Nested shells": "one of its parts lies inside another",
    "Interior is disconnected": "a hole cuts it in two",
    "Too few points in geometry component": "a part has too few points",
}


def _repair_said(code: str, old, new) -> str:
    """What was wrong with one area's boundary and what the repair made of it."""
    reason = shapely.is_valid_reason(old)
    name, _, at = reason.partition("[")
    words = _INVALID_REASONS.get(name.strip(), name.strip().lower())
    where = ""
    if at:
        try:
            x, y = (float(v) for v in at.rstrip("]").split()[:2])
            where = f" at ({x:.0f}, {y:.0f})"
        except ValueError:
            pass
    parts = len(getattr(new, "geoms", [new])) if not new.is_empty else 0
    return f"area {code}: {words}{where}, now {parts} part(s) of {new.area / 10_000:,.1f} ha"


# --------------------------------------------------------------------------- need


def _band_columns(spec: str) -> list[str]:
    """A band may be mapped to several columns added together: "age_0+age_1+age_2"."""
    return [c.strip() for c in spec.split("+") if c.strip()]


def load_need(
    cfg: Config, areas: gpd.GeoDataFrame, report: ValidationReport
) -> tuple[pd.DataFrame, list[InputRecord]]:
    """The need table on the areas (index: area code, one row per area, missing where an
    area has no row), with every indicator that has its own file placed on the areas
    (:mod:`earlyhelp.loading.indicators`) and ``indicators_scored``; and the manifest
    records of the need table and of each indicator file and lookup."""
    spec = cfg.need
    path = existing_file(cfg.required_path("need"), "need")
    raw, cols, rows = read_input(spec, path, report, sheet=spec.sheet)
    record = InputRecord("need", str(path), file_sha256(path), rows_read=len(raw))
    empty = pd.DataFrame(index=pd.Index([], name="area_code"))
    if _is_long(raw, cols, path, report):
        return empty, [record]
    band_sources = {band: _band_columns(cols[band]) for band in AGE_BANDS}
    own = [ind for ind in cfg.indicators.values() if ind.path is None]
    indicator_cols = sorted(
        {c for ind in own for c in (ind.column, ind.denominator, ind.lower, ind.upper) if c}
    )
    ok = require_columns(raw, cols, ["area_code"], file=path, section="need", report=report)
    for band, sources in band_sources.items():
        for source in sources:
            ok &= require_columns(
                raw, {band: source}, [band], file=path, section="need", report=report
            )
    ok &= _require_indicator_columns(raw, cfg, path, report)
    if not ok:
        return empty, [record]

    code = check_area_codes(
        raw[cols["area_code"]],
        reference=areas.index,
        file=path,
        field=cols["area_code"],
        report=report,
        rows=rows,
    )
    check_duplicates(code, file=path, field=cols["area_code"], report=report, rows=rows)
    need = pd.DataFrame(index=pd.Index(code.to_numpy(), name="area_code"))
    parsed: dict[str, pd.Series] = {}
    for column in sorted({s for v in band_sources.values() for s in v} | set(indicator_cols)):
        values = parse_numbers(raw[column], file=path, field=column, report=report, rows=rows)
        check_non_negative(values, file=path, field=column, report=report, rows=rows)
        parsed[column] = values
    for band, sources in band_sources.items():
        need[band] = np.sum([parsed[s].to_numpy() for s in sources], axis=0)
    for column in indicator_cols:
        if column not in need:
            need[column] = parsed[column].to_numpy()

    _check_need_coverage(need.index, areas.index, path, report, rows, record)
    need = need[need.index.isin(areas.index)]
    need = need[~need.index.duplicated()]
    record.rows_used = len(need)
    need, records = place_indicators(cfg, areas, need.reindex(areas.index), report)
    need["indicators_scored"] = report_coverage(cfg, areas, need, report)
    return need, [record, *records]


def _is_long(raw: pd.DataFrame, cols: dict[str, str], path: Path, report) -> bool:
    """A long table (one row per area x indicator) given as the need table: one error that
    says how to read it, instead of one per repeated code."""
    code = cols["area_code"] if cols["area_code"] in raw.columns else None
    if code is None:
        found = [c for c in raw.columns if raw[c].astype(str).str.strip().str.fullmatch(
            r"[EWSNK]\d{8}").mean() > 0.8]  # fmt: skip
        code = max(found, key=lambda c: raw[c].nunique(), default=None)
    named = find_column(raw.columns, ["Indicator", "Indicator Name", "Indicator ID", "Measure"])
    if code is None or named is None:
        return False
    codes = raw[code].astype(str).str.strip()
    repeats = codes.value_counts()
    if repeats.max() <= 1:
        return False
    names = raw[named].astype(str).str.strip()
    report.error(
        path,
        code,
        f"the file is a long table, one row per area and indicator ('{repeats.index[0]}' "
        f"appears {repeats.iloc[0]} times; column '{named}' holds {names.nunique()} names, "
        f"e.g. '{names.iloc[0]}'), but the need table has one row per area",
        f'read its indicators under [indicators.<name>] with path = "{path.name}", '
        'format = "long" and indicator = "<a name in the file>" (with geography and lookup '
        f"if its areas are MSOAs or wards), or pivot it with: earlyhelp import long "
        f"{path.name} --out indicators.csv",
    )
    return True


def _require_indicator_columns(
    raw: pd.DataFrame, cfg: Config, path: Path, report: ValidationReport
) -> bool:
    """Each indicator's column (and denominator) must be in the need table; the fix names
    the indicator's own section of the config."""
    ok = True
    headers = [str(c) for c in raw.columns]
    for name, ind in cfg.indicators.items():
        if ind.path is not None:  # read from its own file
            continue
        keys = ("column", "denominator", "lower", "upper")
        for key, column in ((k, getattr(ind, k)) for k in keys):
            if not column or column in raw.columns:
                continue
            ok = False
            hint = did_you_mean(column, headers)
            report.error(
                path,
                column,
                f"the {key} of indicator '{name}' is missing{hint}",
                f'set {key} = "<the header in this file>" under [indicators.{name}] in the '
                "config, or add the column to the need table",
            )
    return ok


def _check_need_coverage(codes, area_codes, path, report, rows, record) -> None:
    """Need rows without an area, areas without need, and 2011/2021 LSOA code mixes."""
    unmatched = ~codes.isin(area_codes)
    codes_s = pd.Series(codes)
    need_new = lsoa_vintage_hint(codes_s)["2021_only"]
    area_new = lsoa_vintage_hint(pd.Series(area_codes))["2021_only"]
    if unmatched.any() and need_new and not area_new:
        report.error(
            path,
            "area_code",
            f"the need file uses 2021 LSOA codes (e.g. {need_new[0]}) but the areas file "
            "uses 2011 LSOAs, so {0} rows match no area".format(int(unmatched.sum())),
            "use 2021 LSOA boundaries for the areas, or bring the need data onto 2011 "
            "LSOAs with the ONS LSOA 2011 to 2021 lookup",
        )
        return
    if unmatched.any() and area_new and not need_new:
        old = sorted(codes_s[unmatched].astype(str))
        report.error(
            path,
            "area_code",
            f"the need file looks 2011-coded: {unmatched.sum()} LSOA codes (e.g. {old[0]}) "
            f"are not 2021 LSOAs, while the areas file uses 2021 codes (e.g. {area_new[0]})",
            "bring the need data onto 2021 LSOAs with the ONS LSOA 2011 to 2021 lookup, or "
            "use 2011 LSOA boundaries for the areas",
        )
        return
    if unmatched.any():
        report.warn(
            path,
            "area_code",
            f"{unmatched.sum()} row(s) have an area code that is not in the areas file "
            f"(e.g. '{codes_s[unmatched].iloc[0]}'); they are left out",
            "check the codes, or that both files cover the same areas and year",
            rows=rows_where(rows, unmatched),
        )
        record.dropped["area code not in areas file"] = int(unmatched.sum())
    missing = ~area_codes.isin(codes)
    if missing.any():
        report.warn(
            path,
            "area_code",
            f"{missing.sum()} area(s) have no row in the need file "
            f"(e.g. '{area_codes[missing][0]}'); their children are unknown: the map shows "
            "no data there, no gap there is judged, and district and county totals leave "
            "them out",
            "add the missing areas to the need file",
        )
