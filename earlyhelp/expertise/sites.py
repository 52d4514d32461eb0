"""Tables of sites with a kind: frontline settings (schools, early years settings, GP
practices, health visiting bases...) and social work consultation points (locality
teams, a front door or MASH, a consultation line).

:func:`read_sites` reads either from a table in the config's columns (``site_id``,
``name``, ``kind``, easting/northing or latitude/longitude, and optionally ``sector``,
``staff``, ``delivery``, ``status``) or, with ``format = "gias"``, from a Get Information
About Schools extract as published (schools, and nurseries as early years settings).
"""

from __future__ import annotations

__all__ = ["KIND_SECTORS", "read_sites", "sector_of"]

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import SitesInput
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.loading import InputRecord, file_sha256, read_table
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport, check_duplicates, parse_numbers

# The sector of each usual kind of frontline setting (for training per 100 staff).
KIND_SECTORS = {
    "school": "education",
    "early_years": "early years",
    "nursery": "early years",
    "gp_practice": "health",
    "health_visiting_base": "health",
    "hospital": "health",
    "police": "police",
    "voluntary": "voluntary and community",
}


def sector_of(kind: str) -> str:
    """The sector a kind of setting belongs to (its own name when not a usual kind)."""
    return KIND_SECTORS.get(str(kind).strip().lower(), str(kind).strip().lower() or "other")


def read_sites(
    spec: SitesInput, *, role: str, crs: str, report: ValidationReport
) -> tuple[gpd.GeoDataFrame, InputRecord]:
    """Read a table of sites as points in ``crs``, indexed by ``site_id``.

    Columns out: ``name``, ``kind``, ``sector``, ``staff`` (NaN where not given),
    ``delivery`` (``in_person`` where blank), ``status`` (``active`` where blank); closed
    sites are left out. ``role`` names the table in messages and the manifest.
    """
    if spec.path is None:
        raise ConfigError(
            f'[expertise.{role}] has no path; add path = "..." (a table of site_id, name, '
            "kind and easting/northing or latitude/longitude)"
        )
    path = Path(spec.path)
    if not path.is_file():
        raise InputError(
            f"{path}: the {role} file is not found; check the path in config.toml (relative "
            "paths start from the config file's folder)"
        )
    if spec.format == "gias":
        frame, lines = _gias(path, spec, report)
    else:
        table = read_table(path, sheet=spec.sheet, report=report)
        frame = table.frame.rename(columns={v: k for k, v in spec.columns.items()})
        lines = table.lines
    record = InputRecord(f"expertise_{role}", str(path), file_sha256(path), rows_read=len(frame))
    sites = _points(frame, lines, path, crs, role, report)
    record.rows_used = len(sites)
    return sites, record


def _gias(path: Path, spec: SitesInput, report: ValidationReport) -> tuple[pd.DataFrame, list]:
    from earlyhelp.sources import read_source

    options = {"kind": "schools", **spec.options}
    frame = read_source("gias", path, report=report, **options).astype("string").fillna("")
    phase = frame.get("phase", pd.Series("", index=frame.index)).str.lower()
    frame["kind"] = np.where(phase.str.contains("nursery"), "early_years", "school")
    return frame, [i + 2 for i in range(len(frame))]


def _points(
    frame: pd.DataFrame, lines: list, path: Path, crs: str, role: str, report: ValidationReport
) -> gpd.GeoDataFrame:
    has_grid = {"easting", "northing"} <= set(frame.columns)
    has_degrees = {"latitude", "longitude"} <= set(frame.columns)
    for column in ("site_id", "name", "kind"):
        if column not in frame.columns:
            report.error(
                path,
                column,
                f"the {role} have no '{column}' column"
                f"{did_you_mean(column, [str(c) for c in frame.columns])}",
                f"add it, or map {column} to your header under [expertise.{role}.columns]",
            )
    if not (has_grid or has_degrees):
        report.error(
            path,
            "",
            f"the {role} have no location",
            "give easting and northing (EPSG:27700) or latitude and longitude columns",
        )
    report.raise_if_errors()
    ids = frame["site_id"].astype(str).str.strip()
    check_duplicates(ids, file=path, field="site_id", report=report, rows=lines)
    xy = ("easting", "northing") if has_grid else ("longitude", "latitude")
    x = parse_numbers(frame[xy[0]], file=path, field=xy[0], report=report, rows=lines)
    y = parse_numbers(frame[xy[1]], file=path, field=xy[1], report=report, rows=lines)
    staff = (
        parse_numbers(frame["staff"], file=path, field="staff", report=report, rows=lines)
        if "staff" in frame
        else pd.Series(np.nan, index=frame.index)
    )
    report.raise_if_errors()
    text = {c: _text(frame, c) for c in ("name", "kind", "sector", "delivery", "status")}
    kind = text["kind"].str.strip().str.lower().str.replace(" ", "_")
    sites = gpd.GeoDataFrame(
        {
            "name": text["name"].to_numpy(),
            "kind": kind.to_numpy(),
            "sector": text["sector"].where(text["sector"] != "", kind.map(sector_of)).to_numpy(),
            "staff": staff.to_numpy(),
            "delivery": text["delivery"].str.lower().replace("", "in_person").to_numpy(),
            "status": text["status"].str.lower().replace("", "active").to_numpy(),
        },
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:27700" if has_grid else "EPSG:4326",
        index=pd.Index(ids.to_numpy(), name="site_id"),
    ).to_crs(crs)
    unplaced = ~np.isfinite(x.to_numpy()) | ~np.isfinite(y.to_numpy())
    if unplaced.any():
        report.warn(
            path,
            xy[0],
            f"{int(unplaced.sum())} {role} have no location and are left out",
            "give every site its coordinates",
            rows=[lines[i] for i in np.flatnonzero(unplaced)][:10],
        )
    return sites[~unplaced & (sites["status"] != "closed")]


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[column].astype("string").fillna("").str.strip()
