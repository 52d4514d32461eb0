"""Every input at once: :func:`load_inputs` and the :class:`Inputs` it returns.

The small areas, the need profile, the postcode lookup, the services and centres and the
road network (for the network distance model) are read in that order, every problem into
one :class:`~earlyhelp.validation.ValidationReport`; the postcode lookup and the roads are
read here.
"""

from __future__ import annotations

__all__ = ["Inputs", "load_inputs"]

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.geography import normalise_postcode, to_analysis_crs
from earlyhelp.loading.areas import load_areas, load_need, load_origins
from earlyhelp.loading.childcare import Childcare, load_childcare, register_services
from earlyhelp.loading.hubs import load_hubs
from earlyhelp.loading.services import empty_services, load_services
from earlyhelp.loading.tables import (
    InputRecord,
    existing_file,
    file_sha256,
    read_input,
    read_vector,
)
from earlyhelp.validation import ValidationReport, parse_numbers, require_columns


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
    hubs: gpd.GeoDataFrame | None = None  # family hub sites ([hubs]), indexed by site_id
    childcare: Childcare | None = None  # the Ofsted register and take-up ([childcare])


# --------------------------------------------------------------------------- postcodes


def _load_postcodes(cfg: Config, report: ValidationReport) -> tuple[pd.DataFrame | None, list]:
    spec = cfg.postcodes
    if spec.path is None:
        return None, []
    path = existing_file(spec.path, "postcode lookup")
    raw, cols, rows = read_input(spec, path, report)
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


def load_postcodes(cfg: Config) -> pd.DataFrame | None:
    """The configured postcode lookup alone (index ``postcode``; ``x``, ``y`` in the
    analysis CRS, ``terminated``), or None when there is none: for the map's search,
    which groups postcodes into districts and sectors. Its problems were reported when
    the run loaded it, so they are not reported again; an unreadable file gives None."""
    try:
        table, _ = _load_postcodes(cfg, ValidationReport())
    except EarlyHelpError:
        return None
    return table


# --------------------------------------------------------------------------- roads


def _load_roads(cfg: Config, report: ValidationReport) -> tuple[gpd.GeoDataFrame | None, list]:
    spec = cfg.roads
    if spec.path is None or cfg.access.distance_model != "network":
        return None, []
    path = existing_file(spec.path, "roads")
    roads = read_vector(path, layer=spec.layer, report=report)
    roads = to_analysis_crs(
        roads, crs=cfg.run.crs, file=path.name, assumed_crs=spec.crs, section="roads"
    )
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


def kinds_without_services(cfg: Config, services: pd.DataFrame) -> list[str]:
    """The category keys with no active service of any delivery in ``services``."""
    active = services[services["status"] == "active"] if len(services) else services
    offered = {c for cats in active.get("categories", []) for c in (cats or [])}
    return [key for key in cfg.categories if key not in offered]


def _warn_kinds_without_services(cfg: Config, services: pd.DataFrame, report) -> None:
    """One warning, listing every kind of help that has no active service: nothing about
    it can be judged, and every output will say unknown rather than gap or sufficient."""
    none = kinds_without_services(cfg, services)
    if not none:
        return
    labels = "; ".join(cfg.category_label(k) for k in none)
    report.warn(
        "services",
        "categories",
        f"{len(none)} of {len(cfg.categories)} kinds of help have no active service in the "
        f"inputs, so nothing about them can be judged (every output shows them as unknown): "
        f"{labels}",
        "add their services to the directory (with these category keys), or remove their "
        "[categories.<key>] sections if they are not part of this assessment",
    )


def load_inputs(cfg: Config, *, need: bool = True) -> Inputs:
    """Load and validate every input named in ``cfg``.

    With ``need=False`` the need profile is not read (the offer finder needs only the
    directory, the areas and the postcodes) and ``Inputs.need`` is empty.
    Raises :class:`~earlyhelp.errors.ValidationFailed` carrying the full report when any
    error is found; warnings are kept in ``Inputs.report``. No input has a default file:
    a required one without a path (possible only in a ``Config`` built in code, as
    :func:`~earlyhelp.config.load_config` refuses such a file) raises
    :class:`~earlyhelp.errors.ConfigError` before anything is read.
    """
    for section in ("areas", "need", "services") if need else ("areas", "services"):
        cfg.required_path(section)
    report = ValidationReport()
    if not cfg.categories:
        raise InputError(
            f"{cfg.source or 'config'}: no [categories.<key>] are defined; the taxonomy of "
            "help is needed to read services"
        )
    areas, area_rec = load_areas(cfg, report)
    areas, origin_recs = load_origins(cfg, areas, report)
    records = [area_rec, *origin_recs]
    if need:
        need_table, need_recs = load_need(cfg, areas, report)
        records.extend(need_recs)
    else:
        need_table = pd.DataFrame(index=areas.index)
    postcodes, pc_recs = _load_postcodes(cfg, report)
    frames = []
    records.extend(pc_recs)
    specs = (
        (cfg.services, "services"),
        (cfg.centres, "centres"),
        (cfg.hub_services, "hub_services"),
    )
    for spec, role in specs:
        if spec.path is None:  # no [centres] (or path = ""): no centres
            continue
        frame, rec = load_services(spec, role, cfg, areas, postcodes, report)
        frames.append(frame)
        records.append(rec)
    services = pd.concat(frames, ignore_index=True) if frames else empty_services(cfg.run.crs)
    _check_id_clash(frames, report)
    roads, road_recs = _load_roads(cfg, report)
    records.extend(road_recs)
    hubs, hub_recs = load_hubs(cfg, areas, postcodes, report)
    childcare, care_recs = load_childcare(cfg, areas, postcodes, report)
    records.extend([*hub_recs, *care_recs])
    report.raise_if_errors()
    if childcare is not None:
        services = register_services(
            childcare,
            services,
            category=cfg.childcare.category,
            replace=cfg.childcare.directory == "replace",
            crs=cfg.run.crs,
            report=report,
        )
    _warn_kinds_without_services(cfg, services, report)
    services = gpd.GeoDataFrame(services, geometry="geometry", crs=cfg.run.crs)
    return Inputs(
        areas=areas,
        need=need_table,
        services=services.set_index("service_id"),
        postcodes=postcodes,
        roads=roads,
        report=report,
        records=tuple(records),
        hubs=hubs,
        childcare=childcare,
    )


def _check_id_clash(frames: list[pd.DataFrame], report: ValidationReport) -> None:
    """An id in two of the services, centres and hub services files is an error."""
    seen: dict[str, str] = {}
    for frame in frames:
        role = str(frame["source"].iloc[0]) if len(frame) and "source" in frame else ""
        for sid in pd.unique(frame["service_id"]):
            if sid in seen and seen[sid] != role:
                report.error(
                    "services",
                    "service_id",
                    f"id '{sid}' appears in both the {seen[sid]} and {role} files",
                    "give each file's services ids of their own (for example a C prefix "
                    "for centres, H for hub services)",
                )
                return
            seen.setdefault(sid, role)
