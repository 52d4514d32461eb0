"""Services and children's centres: a directory read into the canonical model, and placed.

:func:`load_services` reads one services file (CSV, Excel, vector points or a published
layout) and checks every column (:class:`_ServiceFields`). A service is placed by its
latitude/longitude, else easting/northing, else postcode (:func:`locate`), and given the
small area it lies in, or the nearest within :data:`STUDY_AREA_TOLERANCE_M` of it for a
point just off a generalised coastline (:func:`_place_in_study_area`).
"""

from __future__ import annotations

__all__ = ["STUDY_AREA_TOLERANCE_M", "empty_services", "load_services", "locate"]

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from earlyhelp.config import Config, ServicesInput
from earlyhelp.geography import normalise_postcode, to_analysis_crs
from earlyhelp.loading.tables import (
    InputRecord,
    existing_file,
    file_sha256,
    note_absent,
    per_distinct,
    read_input,
    read_table,
    read_vector,
)
from earlyhelp.provision import DELIVERY, SECTORS, STATUS
from earlyhelp.validation import (
    ValidationReport,
    check_ages,
    check_categories,
    check_choices,
    check_duplicates,
    check_lat_lon,
    check_non_negative,
    clean_text,
    drop_spreadsheet_guards,
    parse_numbers,
    require_columns,
    rows_where,
    strip_cells,
)

_VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".zip"}
# generalised boundaries miss points on the coast by this
STUDY_AREA_TOLERANCE_M = 250.0
# Directory text that reaches maps, reports and terminals: cleaned of unprintable characters.
_FREE_TEXT = ("name", "provider", "opening_times", "contact", "notes")
# Optional columns whose absence changes the results, and what happens without them.
_SERVICE_OPTIONAL = {
    "min_age": "every service is taken to serve from birth",
    "max_age": "every service is taken to serve up to 19",
    "capacity": "every service counts as one place",
    "annual_cost": "spend cannot be worked out",
    "delivery": "every service is taken to be in person",
    "status": "every service is taken to be active",
}


def load_services(
    spec: ServicesInput,
    role: str,
    cfg: Config,
    areas: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
    report: ValidationReport,
) -> tuple[gpd.GeoDataFrame, InputRecord]:
    path = existing_file(spec.path, role)
    raw, cols, rows = _read_services_file(spec, path, cfg.run.crs, report, role)
    record = InputRecord(role, str(path), file_sha256(path), rows_read=len(raw))
    required = ["service_id", "name"] + ([] if spec.category else ["categories"])
    if not require_columns(raw, cols, required, file=path, section=role, report=report):
        return empty_services(cfg.run.crs), record
    if not len(raw):
        _no_rows(path, role, report)
        return empty_services(cfg.run.crs), record
    note_absent(raw, cols, _SERVICE_OPTIONAL, file=path, section=role, report=report)
    fields = _ServiceFields(raw, cols, path, rows, report)
    out = _service_table(fields, spec, role, known=list(cfg.categories))
    if isinstance(raw, gpd.GeoDataFrame):
        geom = raw.geometry.to_numpy()
    else:
        geom = locate(raw, cols, postcodes, cfg.run.crs, path, report, rows, role)
    services = gpd.GeoDataFrame(out, geometry=geom, crs=cfg.run.crs)
    services = _place_in_study_area(services, areas, spec, path, report, rows, record)
    record.rows_used = len(services)
    return services, record


def _no_rows(path: Path, role: str, report: ValidationReport) -> None:
    """A directory with a header and no rows: an error for the services (nothing could be
    judged: every kind of help would be unknown), a warning for the optional centres."""
    if role == "services":
        report.error(
            path,
            "",
            "the file has a header but no services, so nothing could be judged (every kind "
            "of help would show as unknown)",
            "check that the export finished and holds the directory's rows, or point "
            'path = "..." under [services] at the right file',
        )
        return
    report.warn(
        path,
        "",
        f"the file has a header but no rows, so the run goes on with no {role}",
        f'check that the export finished, or set path = "" under [{role}] if there are none',
    )


def _read_services_file(
    spec: ServicesInput, path: Path, crs: str, report: ValidationReport, role: str
) -> tuple[pd.DataFrame, dict[str, str], list[int]]:
    """The raw table of a services file, its column mapping and each record's row number:
    a published layout (``format``), points from a vector file (feature numbers, in the
    analysis CRS) or a CSV or Excel table."""
    if spec.format:
        return read_input(spec, path, report)
    if path.suffix.lower() in _VECTOR_SUFFIXES:
        raw = read_vector(path, layer=spec.layer, report=report, key=spec.columns["service_id"])
        raw = to_analysis_crs(raw, crs=crs, file=path.name, assumed_crs=spec.crs, section=role)
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
        values = strip_cells(self.raw[col])[0].fillna(default)
        if name in _FREE_TEXT:
            values = clean_text(values, **self.where(name))
            values = drop_spreadsheet_guards(values, **self.where(name))
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
            "status": _statuses(fields).to_numpy(),
            "reach_areas": per_distinct(
                fields.text("reach_areas"), lambda s: [c.strip() for c in s.split(";") if c.strip()]
            ).to_numpy(),
            "opening_times": fields.text("opening_times").to_numpy(),
            "contact": fields.text("contact").to_numpy(),
            "notes": fields.text("notes").to_numpy(),
            "site_id": fields.text("site_id").to_numpy(),
            "core_service": fields.text("core_service").str.lower().to_numpy(),
            "source": role,
        }
    )


# Words directories use for a status, read as earlyhelp's: only ever as not running
# (closed or planned), which counts nothing as provision that the file did not say is.
_STATUS_READ_AS = {
    "closed": (  # noqa: SIM905 - words, not code
        "inactive not_active non_active no_longer_running ceased suspended withdrawn ended "
        "discontinued decommissioned terminated defunct finished stopped expired paused "
        "on_hold temporarily_closed archived retired cancelled canceled"
    ).split(),
    "planned": (  # noqa: SIM905
        "proposed upcoming future pending coming_soon not_yet_open not_open_yet "
        "in_development proposed_to_open"
    ).split(),
}
# Words that would say a service is running: not guessed (that would count it), refused
# with 'active' suggested.
_STATUS_ACTIVE_WORDS = "open live current running operational operating available".split()  # noqa: SIM905
_STATUS_FOLLOWS = {
    "closed": "counted nowhere as provision",
    "planned": "not counted as provision until they open",
}


def _statuses(fields: _ServiceFields) -> pd.Series:
    """Each service's status (blank is active): the usual words for closed and planned
    are read as those, with a warning naming the rows; words for running are refused with
    'active' suggested; anything else is refused (never with a suggestion that says the
    opposite, such as 'active' for 'inactive')."""
    values = fields.text("status", "active").replace("", "active")
    key = per_distinct(values, lambda v: re.sub(r"[\s\-]+", "_", v.strip().lower()))
    seen = set(pd.unique(key.dropna()))  # each word looked for only where it is written
    where = fields.where("status")
    for status, words in _STATUS_READ_AS.items():
        for word in words:
            if word not in seen:
                continue
            hit = (key == word).fillna(False).to_numpy()
            fields.report.warn(
                where["file"],
                where["field"],
                f"{hit.sum()} service(s) have status '{word}', read as '{status}' (so they "
                f"are {_STATUS_FOLLOWS[status]})",
                f"write {status} in those rows to say so plainly (statuses are: "
                f"{', '.join(STATUS)})",
                rows=rows_where(fields.rows, hit),
            )
            values = values.where(~hit, status)
    for word in _STATUS_ACTIVE_WORDS:
        hit = (key == word).fillna(False).to_numpy() if word in seen else np.zeros(0, bool)
        if hit.any():
            fields.report.error(
                where["file"],
                where["field"],
                f"'{word}' is not a valid status (did you mean 'active'?)",
                "write active for a service that is running now (statuses are: "
                f"{', '.join(STATUS)}); earlyhelp does not guess that a service is running, "
                "as that would count it as provision",
                rows=rows_where(fields.rows, hit),
            )
            values = values.where(~hit, "active")
    return check_choices(values, choices=STATUS, **where)


def _service_categories(
    fields: _ServiceFields, spec: ServicesInput, *, known: list[str]
) -> pd.Series:
    """Each service's category keys: the input's one ``category``, or the keys in its
    categories cell (split on ``category_separator``, lower case) checked against ``known``."""
    if spec.category:
        return pd.Series([[spec.category]] * len(fields.raw), index=fields.raw.index, dtype=object)
    sep = spec.category_separator
    categories = per_distinct(
        fields.text("categories"), lambda s: [c.strip().lower() for c in s.split(sep) if c.strip()]
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


def empty_services(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"service_id": pd.Series([], dtype="string")}, geometry=gpd.GeoSeries([], crs=crs)
    )


def locate(
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
    ok = (lat.abs() <= 90) & (lon.abs() <= 180) & ~((lat == 0) & (lon == 0))  # 0, 0: blank
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
    zero = (e == 0) & (nn == 0)
    if zero.any():
        report.error(
            path,
            cols["easting"],
            f"{zero.sum()} point(s) are at easting 0, northing 0, off the Isles of Scilly: a "
            "blank location exported as zeros",
            f"give the right easting and northing, or leave both '{cols['easting']}' and "
            f"'{cols['northing']}' empty and give a postcode",
            rows=rows_where(rows, zero.to_numpy()),
        )
    degrees = (e.abs() <= 180) & (nn.abs() <= 90) & e.notna() & nn.notna() & ~zero
    if degrees.any():
        report.error(
            path,
            cols["easting"],
            f"{degrees.sum()} easting/northing value(s) look like degrees "
            f"(e.g. {e[degrees].iloc[0]:g}, {nn[degrees].iloc[0]:g})",
            f"map these columns as latitude and longitude under [{role}.columns]",
            rows=rows_where(rows, degrees.to_numpy()),
        )
    unusable = degrees | zero
    pts = gpd.GeoSeries(
        gpd.points_from_xy(e.where(~unusable), nn.where(~unusable)), crs="EPSG:27700"
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
        # the area containing the point (the first, for a point on a boundary): each
        # area asks a tree of the points (GEOS prepares the area once, where a tree of
        # areas would test every point against its candidate areas unprepared) ...
        area_at, point_at = shapely.STRtree(points).query(
            np.asarray(areas.geometry.values), predicate="intersects"
        )
        first = pd.Series(area_at, index=point_at).groupby(level=0).min()
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
