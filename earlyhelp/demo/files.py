"""Writing the demo county's files: each to a temporary name, then renamed into place,
with fixed line endings and coordinate precision so the same seed gives the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

if TYPE_CHECKING:
    from earlyhelp.demo.county import County


def write_county(county: County, out_dir: Path) -> list[Path]:
    """Write every file of ``county`` into ``out_dir`` (created if need be); return the
    paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        _write_geojson(county.areas, out_dir / "areas.geojson", layer="areas"),
        _write_csv(county.need, out_dir / "need.csv"),
        _write_csv(county.services, out_dir / "services.csv"),
        _write_csv(county.centres, out_dir / "childrens_centres.csv"),
        _write_csv(county.postcodes, out_dir / "postcodes.csv"),
        _write_geojson(county.roads, out_dir / "roads.geojson", layer="roads"),
        _write_csv(county.sites, out_dir / "candidate_sites.csv"),
        _write_csv(county.places, out_dir / "places.csv"),
        _write_text(county.readme, out_dir / "README.md"),
    ]


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    """``df`` as UTF-8 CSV with ``\\n`` line ends, without the internal ``area`` column."""
    tmp = _atomic(path)
    df.drop(columns=["area"], errors="ignore").to_csv(
        tmp, index=False, lineterminator="\n", encoding="utf-8"
    )
    os.replace(tmp, path)
    return path


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, *, layer: str) -> Path:
    """``gdf`` as GeoJSON with coordinates to whole metres."""
    tmp = _atomic(path)
    tmp.unlink(missing_ok=True)
    gdf.to_file(
        tmp,
        driver="GeoJSON",
        layer=layer,
        engine="pyogrio",
        layer_options={"COORDINATE_PRECISION": 0},
    )
    os.replace(tmp, path)
    return path


def _write_text(text: str, path: Path) -> Path:
    """``text`` as UTF-8 with ``\\n`` line ends."""
    tmp = _atomic(path)
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)
    return path


def _atomic(path: Path) -> Path:
    """The temporary name ``path`` is written under before it is renamed into place."""
    return path.with_name(f".{path.name}.tmp")
