"""Candidate sites: read from a table of points, or laid on a regular grid over the study area.

A candidate is a point indexed by ``site_id`` with a ``name`` and a ``kind`` (school,
library, ``grid``...). :func:`candidate_sites` chooses between a file
(:func:`read_candidates`: ``site_id``, ``name``, ``kind``, ``easting``, ``northing``) and a
grid (:func:`grid_candidates`) as the run's ``[siting]`` settings and options say.
"""

from __future__ import annotations

__all__ = ["CANDIDATE_COLUMNS", "candidate_sites", "grid_candidates", "read_candidates"]

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.loading import read_table
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport, check_duplicates, parse_numbers, rows_where

CANDIDATE_COLUMNS = ("site_id", "name", "kind", "easting", "northing")
_MAX_GRID_POINTS = 20_000


def read_candidates(path: str | Path, *, crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    """Read candidate sites from a CSV (or Excel) table of points.

    Columns: ``site_id`` (unique), ``name``, ``kind`` (optional: school, library, ...),
    ``easting`` and ``northing`` (EPSG:27700 metres). Every problem is collected and
    reported once (:class:`~earlyhelp.errors.ValidationFailed`). Returns points in ``crs``
    indexed by ``site_id``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"{path}: candidate sites file not found; pass --candidates with a CSV of "
            "site_id, name, kind, easting, northing (or leave it out to use a grid)"
        )
    report = ValidationReport()
    table = read_table(path, report=report)
    raw = table.frame
    missing = [c for c in ("site_id", "easting", "northing") if c not in raw.columns]
    for col in missing:
        report.error(
            path,
            col,
            f"the column '{col}' is missing{did_you_mean(col, [str(c) for c in raw.columns])}",
            f"candidate sites need columns {', '.join(CANDIDATE_COLUMNS)} (EPSG:27700 "
            "metres; name and kind may be left out); rename the header",
        )
    report.raise_if_errors()
    rows = table.lines
    ids = raw["site_id"].astype("string").str.strip()
    blank = (ids.fillna("") == "").to_numpy()
    if blank.any():
        report.error(
            path,
            "site_id",
            f"{int(blank.sum())} row(s) have no site_id",
            "give every candidate site an id",
            rows=rows_where(rows, blank),
        )
    check_duplicates(ids, file=path, field="site_id", report=report, rows=rows)
    xy = {}
    for col in ("easting", "northing"):
        xy[col] = parse_numbers(raw[col], file=path, field=col, report=report, rows=rows)
    absent = (xy["easting"].isna() | xy["northing"].isna()).to_numpy()
    if absent.any():
        report.error(
            path,
            "easting",
            f"{int(absent.sum())} row(s) have no easting or northing",
            "give each site its EPSG:27700 coordinates in metres, or delete the row",
            rows=rows_where(rows, absent),
        )
    degrees = ((xy["easting"].abs() <= 180) & (xy["northing"].abs() <= 90)).to_numpy()
    if degrees.any():
        report.error(
            path,
            "easting",
            f"{int(degrees.sum())} row(s) look like longitude/latitude in degrees",
            "give easting and northing in EPSG:27700 metres (convert them in QGIS)",
            rows=rows_where(rows, degrees),
        )
    report.raise_if_errors()

    def text(col: str) -> np.ndarray:
        if col not in raw.columns:
            return np.full(len(raw), "", dtype=object)
        return raw[col].astype("string").str.strip().fillna("").to_numpy(dtype=object)

    names = text("name")
    names = np.where(names == "", ids.to_numpy(dtype=object), names)
    points = gpd.GeoSeries(
        gpd.points_from_xy(xy["easting"], xy["northing"]), crs="EPSG:27700"
    ).to_crs(crs)
    return gpd.GeoDataFrame(
        {"name": names, "kind": text("kind")},
        geometry=points.to_numpy(),
        index=pd.Index(ids.to_numpy(dtype=object), name="site_id"),
        crs=crs,
    )


def grid_candidates(areas: gpd.GeoDataFrame, *, spacing_m: float) -> gpd.GeoDataFrame:
    """Candidate sites on a regular grid over the study area (the union of ``areas``).

    Points are the centres of square cells ``spacing_m`` apart that fall inside an area;
    ids are ``G00001``..., named by their coordinates, kind ``grid``.
    """
    if not spacing_m > 0:
        raise ConfigError(f"[siting] grid_spacing_m must be above 0, not {spacing_m!r}")
    if areas.crs is not None and not areas.crs.is_projected:
        raise InputError("areas: a grid needs a projected CRS in metres; set [run] crs")
    x0, y0, x1, y1 = areas.total_bounds
    xs = np.arange(np.floor(x0 / spacing_m) * spacing_m + spacing_m / 2, x1, spacing_m)
    ys = np.arange(np.floor(y0 / spacing_m) * spacing_m + spacing_m / 2, y1, spacing_m)
    if len(xs) * len(ys) > 4 * _MAX_GRID_POINTS:
        raise ConfigError(
            f"[siting] grid_spacing_m = {spacing_m:g} gives over {_MAX_GRID_POINTS:,} grid "
            "points; use a larger spacing or a candidate sites file"
        )
    gx, gy = np.meshgrid(xs, ys)
    pts = gpd.points_from_xy(gx.ravel(), gy.ravel(), crs=areas.crs)
    inside = np.unique(areas.sindex.query(pts, predicate="intersects")[0])
    if len(inside) > _MAX_GRID_POINTS:
        raise ConfigError(
            f"[siting] grid_spacing_m = {spacing_m:g} gives {len(inside):,} grid points; "
            f"use a larger spacing (at most {_MAX_GRID_POINTS:,} points)"
        )
    pts = pts[inside]
    ids = [f"G{i + 1:05d}" for i in range(len(pts))]
    names = [f"Grid point {p.x:.0f}, {p.y:.0f}" for p in pts]
    return gpd.GeoDataFrame(
        {"name": names, "kind": "grid"},
        geometry=pts,
        index=pd.Index(ids, name="site_id"),
        crs=areas.crs,
    )


def candidate_sites(
    cfg: Config,
    areas: gpd.GeoDataFrame,
    *,
    path: str | Path | None = None,
    grid_spacing_m: float | None = None,
) -> tuple[gpd.GeoDataFrame, Path | str]:
    """The candidate sites of a run and where they came from (a file, or ``grid (N m)``).

    ``path`` (else ``[siting] candidates``) names a file; ``grid_spacing_m`` asks for a
    grid instead; with neither, a grid ``[siting] grid_spacing_m`` apart.
    """
    if path is None and grid_spacing_m is None:
        path = cfg.siting.candidates
    if path is not None:
        return read_candidates(path, crs=cfg.run.crs), Path(path).resolve()
    spacing = cfg.siting.grid_spacing_m if grid_spacing_m is None else grid_spacing_m
    return grid_candidates(areas, spacing_m=spacing), f"grid ({spacing:g} m)"
