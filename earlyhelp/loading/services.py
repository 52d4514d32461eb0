"""Loading: read areas, need, services, centres, postcodes and roads into the data model.

Each reader maps the user's headers to canonical names (``[<input>.columns]`` in config),
parses and checks every value into a :class:`~earlyhelp.validation.ValidationReport`,
and reprojects geometry to the analysis CRS. :func:`load_inputs` runs them all, then
raises once if any error was found. Inputs are only ever read.
"""

from __future__ import annotations

__all__ = [
    "InputRecord",
    "Inputs",
    "file_sha256",
    "load_inputs",
    "read_table",
    "read_vector",
]

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from earlyhelp.config import Config, NeedInput, PostcodeInput, ServicesInput
from earlyhelp.errors import InputError
from earlyhelp.geography import lsoa_vintage_hint, normalise_postcode, to_analysis_crs
from earlyhelp.need import AGE_BANDS
from earlyhelp.provision import DELIVERY, SECTORS, STATUS
from earlyhelp.sources._tables import Table, read_text_table
from earlyhelp.text import did_you_mean
from earlyhelp.validation import (
    ValidationReport,
    check_ages,
    check_area_codes,
    check_categories,
    check_choices,
    check_duplicates,
    check_lat_lon,
    check_non_negative,
    clean_text,
    parse_numbers,
    require_columns,
    rows_where,
    sheet_rows,
)

_VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".zip"}
# generalised boundaries miss points on the coast by this
STUDY_AREA_TOLERANCE_M = 250.0
# Directory text that reaches maps, reports and terminals: cleaned of unprintable characters.
_FREE_TEXT = ("name", "provider", "opening_times", "contact", "notes")


@dataclass
class InputRecord:
    """What the manifest says of one input file."""

    role: str
    path: str
    sha256: str
    rows_read: int = 0
    rows_used: int = 0
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Inputs:
    """Every loaded input in the canonical data model, with the validation report."""

    areas: gpd.GeoDataFrame
    need: pd.DataFrame
    services: gpd.GeoDataFrame
    postcodes: pd.DataFrame | None
    roads: gpd.GeoDataFrame | None
    report: ValidationReport
    records: tuple[InputRecord, ...]


# --------------------------------------------------------------------------- reading


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (for the manifest)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _exists(path: Path | None, role: str) -> Path:
    if path is None:
        raise InputError(f'config: no path is set for the {role} file; add path = "..."')
    if not path.exists():
        raise InputError(
            f'{path}: {role} file not found; check path = "..." in config.toml '
            "(relative paths start from the config file's folder)"
        )
    return path


def read_table(path: Path, *, sheet: str = "", report: ValidationReport) -> Table:
    """Read a CSV or Excel table with every cell as stripped text, blank rows left out.

    CSV is read as UTF-8 (with or without a byte-order mark); a file that is not UTF-8
    is read as Windows-1252 with a warning, as Excel on Windows often saves them.
    ``Table.lines`` gives each record's row number as a person sees it in Excel or a text
    editor (the header is row 1), so problems point at the right row even past blank
    lines.
    """
    return read_text_table(Path(path), report=report, sheet=sheet)


def _read_input(
    spec: NeedInput | ServicesInput | PostcodeInput,
    path: Path,
    report: ValidationReport,
    *,
    sheet: str = "",
) -> tuple[pd.DataFrame, dict[str, str], list[int]]:
    """The raw table of an input, its column mapping and each record's row number.

    A ``format`` names a published layout (Open Referral UK, GIAS, IoD, ONSPD...) that
    :mod:`earlyhelp.sources` turns into canonical columns, so the mapping is the identity.
    """
    if not spec.format:
        table = read_table(path, sheet=sheet, report=report)
        return table.frame, spec.columns, table.lines
    from earlyhelp.sources import read_source

    frame = read_source(spec.format, path, report=report, **spec.options)
    frame = frame.astype("string").fillna("")
    return frame, {c: c for c in spec.columns}, sheet_rows(range(len(frame)))


def read_vector(path: Path, *, layer: str = "") -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON or Shapefile layer (through pyogrio)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path, layer=layer or None, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(
            f"{path.name}: cannot read it as a GeoPackage, GeoJSON or Shapefile ({exc}); "
            'open it in QGIS to check it, and name the layer with layer = "..."'
        ) from None
    gdf.columns = [str(c).strip() if c != gdf.geometry.name else c for c in gdf.columns]
    return gdf


# Optional columns whose absence changes the results, and what happens without them.
_AREA_OPTIONAL = {
    "area_name": "area codes are shown instead of names",
    "district_name": "district codes are shown instead of names",
    "rural_urban": "every area gets the urban (shorter) reach thresholds",
}
_SERVICE_OPTIONAL = {
    "min_age": "every service is taken to serve from birth",
    "max_age": "every service is taken to serve up to 19",
    "capacity": "every service counts as one place",
    "annual_cost": "spend cannot be worked out",
    "delivery": "every service is taken to be in person",
    "status": "every service is taken to be active",
}


def _note_absent(
    frame: pd.DataFrame,
    cols: dict[str, str],
    optional: dict[str, str],
    *,
    file: Path,
    section: str,
    report: ValidationReport,
) -> None:
    """One warning for each optional column that is not in the file, saying what follows
    and how to map it if it is there under another name."""
    headers = [str(c) for c in frame.columns]
    for canonical, consequence in optional.items():
        header = cols[canonical]
        if header in frame.columns:
            continue
        hint = did_you_mean(header, headers)
        report.warn(
            file,
            header,
            f"optional column '{header}' is not in the file{hint}, so {consequence}",
            f'map it with {canonical} = "<your header>" under [{section}.columns] if the '
            "file has it under another name",
        )


# --------------------------------------------------------------------------- areas


def _load_areas(cfg: Config, report: ValidationReport) -> tuple[gpd.GeoDataFrame, InputRecord]:
    spec = cfg.areas
    path = _exists(spec.path, "areas")
    gdf = read_vector(path, layer=spec.layer)
    record = InputRecord("areas", str(path), file_sha256(path), rows_read=len(gdf))
    cols = spec.columns
    if not require_columns(
        gdf, cols, ["area_code", "district_code"], file=path, section="areas", report=report
    ):
        return _empty_areas(cfg.run.crs), record
    gdf = to_analysis_crs(gdf, crs=cfg.run.crs, file=path.name, assumed_crs=spec.crs)
    rows = list(range(1, len(gdf) + 1))  # feature numbers
    _note_absent(gdf, cols, _AREA_OPTIONAL, file=path, section="areas", report=report)

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
    geom = _clean_polygons(gdf.geometry, path, report, rows)
    areas = gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs=gdf.crs)
    areas = areas[~areas.geometry.is_empty & areas.geometry.notna()]
    record.rows_used = len(areas)
    if len(areas) < record.rows_read:
        record.dropped["empty geometry"] = record.rows_read - len(areas)
    return areas.set_index("area_code"), record


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


def _clean_polygons(geom: gpd.GeoSeries, path, report, rows) -> gpd.GeoSeries:
    """Repair invalid polygons with make_valid (never buffer(0)); report empty ones."""
    empty = (geom.isna() | geom.is_empty).to_numpy()
    if empty.any():
        report.error(
            path,
            "geometry",
            f"{empty.sum()} area(s) have no geometry",
            "draw the missing boundaries or remove those rows from the areas file",
            rows=rows_where(rows, empty),
        )
    invalid = ~empty & ~geom.is_valid.to_numpy()
    if invalid.any():
        repaired = shapely.make_valid(
            geom[invalid].to_numpy(), method="structure", keep_collapsed=False
        )
        geom = geom.copy()
        geom[invalid] = repaired
        report.warn(
            path,
            "geometry",
            f"{invalid.sum()} invalid polygon(s) were repaired with make_valid",
            "check those boundaries in QGIS (Vector > Geometry Tools > Check Validity)",
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


# --------------------------------------------------------------------------- need


def _band_columns(spec: str) -> list[str]:
    """A band may be mapped to several columns added together: "age_0+age_1+age_2"."""
    return [c.strip() for c in spec.split("+") if c.strip()]


def _load_need(
    cfg: Config, areas: gpd.GeoDataFrame, report: ValidationReport
) -> tuple[pd.DataFrame, InputRecord]:
    spec = cfg.need
    path = _exists(spec.path, "need")
    raw, cols, rows = _read_input(spec, path, report, sheet=spec.sheet)
    record = InputRecord("need", str(path), file_sha256(path), rows_read=len(raw))
    band_sources = {band: _band_columns(cols[band]) for band in AGE_BANDS}
    indicator_cols = sorted(
        {c for ind in cfg.indicators.values() for c in (ind.column, ind.denominator) if c}
    )
    ok = require_columns(raw, cols, ["area_code"], file=path, section="need", report=report)
    for band, sources in band_sources.items():
        for source in sources:
            ok &= require_columns(
                raw, {band: source}, [band], file=path, section="need", report=report
            )
    ok &= _require_indicator_columns(raw, cfg, path, report)
    if not ok:
        return pd.DataFrame(index=pd.Index([], name="area_code")), record

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
    return need.reindex(areas.index), record


def _require_indicator_columns(
    raw: pd.DataFrame, cfg: Config, path: Path, report: ValidationReport
) -> bool:
    """Each indicator's column (and denominator) must be in the need table; the fix names
    the indicator's own section of the config."""
    ok = True
    headers = [str(c) for c in raw.columns]
    for name, ind in cfg.indicators.items():
        for key, column in (("column", ind.column), ("denominator", ind.denominator)):
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
            f"(e.g. '{area_codes[missing][0]}'); their children count as zero",
            "add the missing areas to the need file",
        )


# --------------------------------------------------------------------------- services


def _load_postcodes(cfg: Config, report: ValidationReport) -> tuple[pd.DataFrame | None, list]:
    spec = cfg.postcodes
    if spec.path is None:
        return None, []
    path = _exists(spec.path, "postcode lookup")
    raw, cols, rows = _read_input(spec, path, report)
    record = InputRecord("postcodes", str(path), file_sha256(path), rows_read=len(raw))
    has_en = cols["easting"] in raw and cols["northing"] in raw
    needed = ["postcode"] + (["easting", "northing"] if has_en else ["latitude", "longitude"])
    if not require_columns(raw, cols, needed, file=path, section="postcodes", report=report):
        return None, [record]
    xy = ("easting", "northing") if has_en else ("longitude", "latitude")
    x = parse_numbers(raw[cols[xy[0]]], file=path, field=cols[xy[0]], report=report, rows=rows)
    y = parse_numbers(raw[cols[xy[1]]], file=path, field=cols[xy[1]], report=report, rows=rows)
    crs = "EPSG:27700" if has_en else "EPSG:4326"
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs).to_crs(cfg.run.crs)
    terminated = (
        raw[cols["terminated"]].astype("string").str.strip().fillna("") != ""
        if cols["terminated"] in raw
        else pd.Series(False, index=raw.index)
    )
    table = pd.DataFrame(
        {
            "postcode": normalise_postcode(raw[cols["postcode"]]).to_numpy(),
            "x": pts.x.to_numpy(),
            "y": pts.y.to_numpy(),
            "terminated": terminated.to_numpy(),
        }
    ).dropna(subset=["postcode"])
    table = table.drop_duplicates("postcode").set_index("postcode")
    record.rows_used = len(table)
    return table, [record]


def _load_services(
    spec: ServicesInput,
    role: str,
    cfg: Config,
    areas: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
    report: ValidationReport,
) -> tuple[gpd.GeoDataFrame, InputRecord]:
    path = _exists(spec.path, role)
    raw, cols, rows = _read_services_file(spec, path, cfg.run.crs, report)
    record = InputRecord(role, str(path), file_sha256(path), rows_read=len(raw))
    required = ["service_id", "name"] + ([] if spec.category else ["categories"])
    if not require_columns(raw, cols, required, file=path, section=role, report=report):
        return _empty_services(cfg.run.crs), record
    _note_absent(raw, cols, _SERVICE_OPTIONAL, file=path, section=role, report=report)
    fields = _ServiceFields(raw, cols, path, rows, report)
    out = _service_table(fields, spec, role, known=list(cfg.categories))
    if isinstance(raw, gpd.GeoDataFrame):
        geom = raw.geometry.to_numpy()
    else:
        geom = _locate(raw, cols, postcodes, cfg.run.crs, path, report, rows, role)
    services = gpd.GeoDataFrame(out, geometry=geom, crs=cfg.run.crs)
    services = _place_in_study_area(services, areas, spec, path, report, rows, record)
    record.rows_used = len(services)
    return services, record


def _read_services_file(
    spec: ServicesInput, path: Path, crs: str, report: ValidationReport
) -> tuple[pd.DataFrame, dict[str, str], list[int]]:
    """The raw table of a services file, its column mapping and each record's row number:
    a published layout (``format``), points from a vector file (feature numbers, in the
    analysis CRS) or a CSV or Excel table."""
    if spec.format:
        return _read_input(spec, path, report)
    if path.suffix.lower() in _VECTOR_SUFFIXES:
        raw = read_vector(path, layer=spec.layer)
        raw = to_analysis_crs(raw, crs=crs, file=path.name, assumed_crs=spec.crs)
        return raw, spec.columns, list(range(1, len(raw) + 1))
    table = read_table(path, sheet=spec.sheet, report=report)
    return table.frame, spec.columns, table.lines


@dataclass(frozen=True)
class _ServiceFields:
    """The columns of one services file, each read with its checks recorded in ``report``.

    A column the file does not have reads as its default in every row.
    """

    raw: pd.DataFrame
    cols: dict[str, str]
    path: Path
    rows: list[int]
    report: ValidationReport

    def where(self, name: str) -> dict[str, Any]:
        """Where a problem in column ``name`` is reported: the keywords of the checks."""
        return {
            "file": self.path,
            "field": self.cols[name],
            "report": self.report,
            "rows": self.rows,
        }

    def text(self, name: str, default: str = "") -> pd.Series:
        """Stripped text; free text (names, contact, notes) cleaned of unprintable characters."""
        col = self.cols[name]
        if col not in self.raw:
            return pd.Series(default, index=self.raw.index, dtype="string")
        values = self.raw[col].astype("string").str.strip().fillna(default)
        if name in _FREE_TEXT:
            values = clean_text(values, **self.where(name))
        return values

    def number(self, name: str, default: float = np.nan) -> pd.Series:
        """Numbers; a cell that is not one is reported and missing."""
        col = self.cols[name]
        if col not in self.raw:
            return pd.Series(default, index=self.raw.index, dtype=float)
        return parse_numbers(self.raw[col], **self.where(name))

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> pd.Series:
        """One of ``choices`` (blank is ``default``); anything else is reported."""
        values = self.text(name, default).replace("", default)
        return check_choices(values, choices=choices, **self.where(name))


def _service_table(
    fields: _ServiceFields, spec: ServicesInput, role: str, *, known: list[str]
) -> pd.DataFrame:
    """The canonical columns of every service in a file (checked, before locating)."""
    ids = fields.text("service_id")
    check_duplicates(ids, **fields.where("service_id"))
    categories = _service_categories(fields, spec, known=known)
    min_age, max_age = _service_ages(fields)
    capacity, cost = fields.number("capacity"), fields.number("annual_cost")
    reached = fields.number("reached")
    for values, name in ((capacity, "capacity"), (cost, "annual_cost"), (reached, "reached")):
        check_non_negative(values, **fields.where(name))
    return pd.DataFrame(
        {
            "service_id": ids.to_numpy(),
            "name": fields.text("name").to_numpy(),
            "provider": fields.text("provider").to_numpy(),
            "sector": fields.choice("sector", SECTORS, "voluntary").to_numpy()
            if fields.cols["sector"] in fields.raw
            else pd.array([pd.NA] * len(fields.raw), dtype="string"),
            "categories": categories.to_numpy(),
            "min_age": min_age.to_numpy(),
            "max_age": max_age.to_numpy(),
            "capacity": capacity.to_numpy(),
            "annual_cost": cost.to_numpy(),
            "reached": reached.to_numpy(),
            "delivery": fields.choice("delivery", DELIVERY, "in_person").to_numpy(),
            "status": fields.choice("status", STATUS, "active").to_numpy(),
            "reach_areas": fields.text("reach_areas")
            .map(lambda s: [c.strip() for c in s.split(";") if c.strip()])
            .to_numpy(),
            "opening_times": fields.text("opening_times").to_numpy(),
            "contact": fields.text("contact").to_numpy(),
            "notes": fields.text("notes").to_numpy(),
            "source": role,
        }
    )


def _service_categories(
    fields: _ServiceFields, spec: ServicesInput, *, known: list[str]
) -> pd.Series:
    """Each service's category keys: the input's one ``category``, or the keys in its
    categories cell (split on ``category_separator``, lower case) checked against ``known``."""
    if spec.category:
        return pd.Series([[spec.category]] * len(fields.raw), index=fields.raw.index, dtype=object)
    sep = spec.category_separator
    categories = fields.text("categories").map(
        lambda s: [c.strip().lower() for c in s.split(sep) if c.strip()]
    )
    check_categories(categories, known=known, **fields.where("categories"))
    return categories


def _service_ages(fields: _ServiceFields) -> tuple[pd.Series, pd.Series]:
    """The youngest and oldest ages served, in years (0 and 19 where not given), checked."""
    min_age, max_age = fields.number("min_age", 0.0), fields.number("max_age", 19.0)
    min_age, max_age = min_age.fillna(0.0), max_age.fillna(19.0)
    check_ages(
        min_age,
        max_age,
        file=fields.path,
        fields=(fields.cols["min_age"], fields.cols["max_age"]),
        report=fields.report,
        rows=fields.rows,
    )
    return min_age, max_age


def _empty_services(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"service_id": pd.Series([], dtype="string")}, geometry=gpd.GeoSeries([], crs=crs)
    )


def _locate(
    raw: pd.DataFrame,
    cols: dict[str, str],
    postcodes: pd.DataFrame | None,
    crs: str,
    path: Path,
    report: ValidationReport,
    rows: list[int],
    role: str,
) -> np.ndarray:
    """Points from latitude/longitude, else easting/northing, else postcode, row by row."""
    n = len(raw)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    has = {k: cols[k] in raw for k in ("latitude", "longitude", "easting", "northing")}
    if has["latitude"] and has["longitude"]:
        x, y = _from_lat_lon(raw, cols, crs, path, report, rows)
    if has["easting"] and has["northing"]:
        grid_x, grid_y = _from_grid(raw, cols, crs, path, report, rows, role)
        need = ~np.isfinite(x)  # blank latitude/longitude reproject to inf, not NaN
        x[need], y[need] = grid_x[need], grid_y[need]
    if cols["postcode"] in raw:
        x, y = _from_postcodes(raw, cols, postcodes, x, y, path, report, rows)
    points = gpd.points_from_xy(x, y)
    points[~(np.isfinite(x) & np.isfinite(y))] = None  # no location: no geometry, not NaN
    return points


def _from_lat_lon(
    raw: pd.DataFrame,
    cols: dict[str, str],
    crs: str,
    path: Path,
    report: ValidationReport,
    rows: list[int],
) -> tuple[np.ndarray, np.ndarray]:
    """x and y in ``crs`` from latitude and longitude (degrees); out of range is missing."""
    lat = parse_numbers(
        raw[cols["latitude"]], file=path, field=cols["latitude"], report=report, rows=rows
    )
    lon = parse_numbers(
        raw[cols["longitude"]], file=path, field=cols["longitude"], report=report, rows=rows
    )
    check_lat_lon(
        lat,
        lon,
        file=path,
        fields=(cols["latitude"], cols["longitude"]),
        report=report,
        rows=rows,
    )
    ok = (lat.abs() <= 90) & (lon.abs() <= 180)
    pts = gpd.GeoSeries(gpd.points_from_xy(lon.where(ok), lat.where(ok)), crs="EPSG:4326")
    pts = pts.to_crs(crs)
    return pts.x.to_numpy(copy=True), pts.y.to_numpy(copy=True)


def _from_grid(
    raw: pd.DataFrame,
    cols: dict[str, str],
    crs: str,
    path: Path,
    report: ValidationReport,
    rows: list[int],
    role: str,
) -> tuple[np.ndarray, np.ndarray]:
    """x and y in ``crs`` from easting and northing (British National Grid metres); values
    that look like degrees are an error and missing."""
    e = parse_numbers(
        raw[cols["easting"]], file=path, field=cols["easting"], report=report, rows=rows
    )
    nn = parse_numbers(
        raw[cols["northing"]], file=path, field=cols["northing"], report=report, rows=rows
    )
    degrees = (e.abs() <= 180) & (nn.abs() <= 90) & e.notna() & nn.notna()
    if degrees.any():
        report.error(
            path,
            cols["easting"],
            f"{degrees.sum()} easting/northing value(s) look like degrees "
            f"(e.g. {e[degrees].iloc[0]:g}, {nn[degrees].iloc[0]:g})",
            f"map these columns as latitude and longitude under [{role}.columns]",
            rows=rows_where(rows, degrees.to_numpy()),
        )
    pts = gpd.GeoSeries(
        gpd.points_from_xy(e.where(~degrees), nn.where(~degrees)), crs="EPSG:27700"
    ).to_crs(crs)
    return pts.x.to_numpy(), pts.y.to_numpy()


def _from_postcodes(
    raw: pd.DataFrame,
    cols: dict[str, str],
    postcodes: pd.DataFrame | None,
    x: np.ndarray,
    y: np.ndarray,
    path: Path,
    report: ValidationReport,
    rows: list[int],
) -> tuple[np.ndarray, np.ndarray]:
    """Copies of ``x`` and ``y`` with the rows not yet placed that have a postcode placed
    by the postcode lookup; a missing lookup or an unknown postcode is an error, a
    terminated postcode a warning (its last known place is used)."""
    x, y = x.copy(), y.copy()
    has_pc = (raw[cols["postcode"]].astype("string").str.strip() != "").to_numpy()
    need = ~np.isfinite(x) & has_pc
    if not need.any():
        return x, y
    pc = normalise_postcode(raw[cols["postcode"]])
    if postcodes is None:
        report.error(
            path,
            cols["postcode"],
            f"{need.sum()} row(s) are placed only by postcode but no postcode lookup is configured",
            'set path = "..." under [postcodes] to a postcode lookup file (such as '
            "the ONS Postcode Directory), or give coordinates",
            rows=rows_where(rows, need),
        )
        return x, y
    found = pc.isin(postcodes.index).to_numpy()
    unknown = need & ~found
    if unknown.any():
        report.error(
            path,
            cols["postcode"],
            f"{unknown.sum()} postcode(s) are not in the postcode lookup "
            f"(e.g. '{raw[cols['postcode']].iloc[np.flatnonzero(unknown)[0]]}')",
            "check the postcode, or give latitude/longitude for that row",
            rows=rows_where(rows, unknown),
        )
    hit = need & found
    looked = postcodes.reindex(pc[hit].to_numpy())
    x[hit], y[hit] = looked["x"].to_numpy(), looked["y"].to_numpy()
    stale = hit.copy()
    stale[hit] = looked["terminated"].to_numpy(dtype=bool)
    if stale.any():
        report.warn(
            path,
            cols["postcode"],
            f"{stale.sum()} postcode(s) are terminated; their last known place was used",
            "update the service's postcode in the directory",
            rows=rows_where(rows, stale),
        )
    return x, y


def _place_in_study_area(services, areas, spec, path, report, rows, record):
    """Give each service its area; list (and keep or drop) those outside every area."""
    located = ~(services.geometry.is_empty | services.geometry.isna()).to_numpy()
    located &= np.isfinite(services.geometry.x.to_numpy())
    remote = services["delivery"].isin(["online", "phone"]).to_numpy()
    lost = ~located & ~remote
    if lost.any():
        report.warn(
            path,
            "location",
            f"{lost.sum()} in-person or outreach service(s) have no location and are left out",
            "give each service coordinates or a postcode",
            rows=rows_where(rows, lost),
        )
        record.dropped["no location"] = int(lost.sum())
    area_code = np.full(len(services), None, dtype=object)
    if located.any() and len(areas):
        pos = np.flatnonzero(located)
        points = services.geometry.to_numpy()[pos]
        # the area containing the point (the first, for a point on a boundary) ...
        hit = areas.sindex.query(points, predicate="intersects")
        first = pd.Series(hit[1], index=hit[0]).groupby(level=0).min()
        area_code[pos[first.index]] = areas.index.to_numpy()[first.to_numpy()]
        # ... else the nearest area within the tolerance of generalised coastlines
        rest = np.setdiff1d(np.arange(len(pos)), first.index)
        if len(rest):
            near = areas.sindex.nearest(
                points[rest], max_distance=STUDY_AREA_TOLERANCE_M, return_all=False
            )
            area_code[pos[rest[near[0]]]] = areas.index.to_numpy()[near[1]]
    outside = located & pd.isna(area_code)
    if outside.any():
        action = "dropped" if spec.outside_study_area == "drop" else "kept"
        names = ", ".join(f"'{n}'" for n in services.loc[outside, "name"].head(3))
        report.warn(
            path,
            "location",
            f"{outside.sum()} service(s) lie outside the study area and were {action} "
            f"({names}{'...' if outside.sum() > 3 else ''})",
            'set outside_study_area = "drop" or "keep" in its section of config.toml; '
            "keeping them lets services over the border serve children near it",
            rows=rows_where(rows, outside),
        )
    services = services.assign(area_code=area_code)
    keep = ~lost & ~(outside & (spec.outside_study_area == "drop"))
    if spec.outside_study_area == "drop" and outside.any():
        record.dropped["outside study area"] = int(outside.sum())
    return services[keep]


def _load_roads(cfg: Config, report: ValidationReport) -> tuple[gpd.GeoDataFrame | None, list]:
    spec = cfg.roads
    if spec.path is None or cfg.access.distance_model != "network":
        return None, []
    path = _exists(spec.path, "roads")
    roads = read_vector(path, layer=spec.layer)
    roads = to_analysis_crs(roads, crs=cfg.run.crs, file=path.name, assumed_crs=spec.crs)
    record = InputRecord("roads", str(path), file_sha256(path), rows_read=len(roads))
    lines = roads.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    if not lines.all():
        report.warn(
            path,
            "geometry",
            f"{(~lines).sum()} feature(s) are not lines and are left out",
            "a road network holds only LineStrings",
        )
        record.dropped["not a line"] = int((~lines).sum())
    roads = roads[lines].explode(index_parts=False).reset_index(drop=True)
    rename = {cols: canon for canon, cols in spec.columns.items() if cols in roads}
    roads = roads.rename(columns=rename)
    record.rows_used = int(lines.sum())
    return roads, [record]


# --------------------------------------------------------------------------- all inputs


def load_inputs(cfg: Config, *, need: bool = True) -> Inputs:
    """Load and validate every input named in ``cfg``.

    With ``need=False`` the need profile is not read (the offer finder needs only the
    directory, the areas and the postcodes) and ``Inputs.need`` is empty.
    Raises :class:`~earlyhelp.errors.ValidationFailed` carrying the full report when any
    error is found; warnings are kept in ``Inputs.report``.
    """
    report = ValidationReport()
    if not cfg.categories:
        raise InputError(
            f"{cfg.source or 'config'}: no [categories.<key>] are defined; the taxonomy of "
            "help is needed to read services"
        )
    areas, area_rec = _load_areas(cfg, report)
    records = [area_rec]
    if need:
        need_table, need_rec = _load_need(cfg, areas, report)
        records.append(need_rec)
    else:
        need_table = pd.DataFrame(index=areas.index)
    postcodes, pc_recs = _load_postcodes(cfg, report)
    frames = []
    records.extend(pc_recs)
    for spec, role in ((cfg.services, "services"), (cfg.centres, "centres")):
        if spec.path is None:
            continue
        frame, rec = _load_services(spec, role, cfg, areas, postcodes, report)
        frames.append(frame)
        records.append(rec)
    services = pd.concat(frames, ignore_index=True) if frames else _empty_services(cfg.run.crs)
    clash = (
        sorted(set.intersection(*(set(f["service_id"]) for f in frames))) if len(frames) > 1 else []
    )
    if clash:
        report.error(
            "services",
            "service_id",
            f"{len(clash)} id(s) appear in both the services and centres files (e.g. '{clash[0]}')",
            "give centres ids of their own (for example a C prefix)",
        )
    roads, road_recs = _load_roads(cfg, report)
    records.extend(road_recs)
    report.raise_if_errors()
    services = gpd.GeoDataFrame(services, geometry="geometry", crs=cfg.run.crs)
    return Inputs(
        areas=areas,
        need=need_table,
        services=services.set_index("service_id"),
        postcodes=postcodes,
        roads=roads,
        report=report,
        records=tuple(records),
    )
