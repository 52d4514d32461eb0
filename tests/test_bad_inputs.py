"""Bad inputs that once gave unclear results (issue 13): each now gives one clear message
(file, row or feature, area code, fix) and exit 2, or a warning that says what follows."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon
from typer.testing import CliRunner

from earlyhelp.cli import app

runner = CliRunner()


def invoke(tiny, command: str, *args: str):
    return runner.invoke(app, [command, "--config", str(tiny.config), *args])


def problems(result) -> list[str]:
    """The problem lines a command printed (validate prints them on stdout, run on stderr)."""
    text = result.stdout + result.stderr
    return [line for line in text.splitlines() if line.startswith(("error:", "warning:"))]


# --------------------------------------------------------------------------- areas


def _without_crs_member(tiny) -> None:
    path = tiny.path("areas.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("crs")
    path.write_text(json.dumps(data), encoding="utf-8")


def test_geojson_in_grid_metres_without_a_crs_member_is_refused_with_the_fix(tiny):
    """GeoJSON without "crs" reads as longitude/latitude: British National Grid metres
    saved that way once gave 'unexpected error: GEOSException' (exit 1)."""
    _without_crs_member(tiny)
    result = invoke(tiny, "run")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "earlyhelp: error: areas.geojson, feature 1: coordinates such as (600000, 470000) are "
        "far too large for longitude and latitude (16 of 16 features), yet the file is read "
        'as longitude/latitude (WGS 84, as is any GeoJSON file without a "crs" member); they '
        'look like British National Grid metres: add crs = "EPSG:27700" to [areas] in '
        "config.toml, or save the file again with its CRS in QGIS"
    )
    # the fix the message gives works
    tiny.set_config(
        replace=('path = "areas.geojson"', 'path = "areas.geojson"\ncrs = "EPSG:27700"')
    )
    fixed = invoke(tiny, "run")
    assert fixed.exit_code == 0, fixed.output
    areas = gpd.read_file(tiny.root / "out" / "tiny" / "results.gpkg", layer="areas")
    assert len(areas) == 16 and areas.total_bounds[0] == pytest.approx(600000)


def test_a_crs_option_in_degrees_for_grid_metres_is_refused(tiny):
    _without_crs_member(tiny)
    tiny.set_config(replace=('path = "areas.geojson"', 'path = "areas.geojson"\ncrs = "EPSG:4326"'))
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "earlyhelp: error: areas.geojson, feature 1: coordinates such as (600000, 470000) are "
        'far too large for longitude and latitude (16 of 16 features), yet crs = "EPSG:4326" '
        "in [areas] says they are; they look like British National Grid metres: set "
        'crs = "EPSG:27700" in [areas] in config.toml, or save the file again with its CRS in '
        "QGIS"
    )


def test_an_unclosed_ring_names_the_feature_its_area_and_the_fix(tiny):
    """It was one whole-file GEOS message with no feature, and advice about layers."""
    path = tiny.path("areas.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    ring = data["features"][3]["geometry"]["coordinates"][0]
    data["features"][3]["geometry"]["coordinates"][0] = ring[:-1]  # last point dropped
    path.write_text(json.dumps(data), encoding="utf-8")
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    assert problems(result)[0] == (
        "error: areas.geojson, row 4, field 'geometry': 1 feature(s) cannot be read "
        "(area_code E01000004): a ring is not closed (its last point is not its first); "
        "correct those boundaries in QGIS (Vector > Geometry Tools > Fix Geometries, or Check "
        "Validity to find them) and save the file again"
    )
    assert "layer" not in result.output and "no geometry" not in result.output
    assert invoke(tiny, "run").exit_code == 2


def test_a_bow_tie_is_repaired_with_a_warning_naming_the_area_why_and_what_follows(tiny):
    """It was repaired with a warning naming only a row, and a raw Python UserWarning
    (the map's boundaries are then no clean coverage) was printed."""
    areas = gpd.read_file(tiny.path("areas.geojson"))
    x0, y0, x1, y1 = areas.geometry[5].bounds
    crossed = Polygon([(x0, y0), (x1, y0), (x1, y1), (x0 + 500, y0 - 10), (x0, y1)])
    areas.loc[5, "geometry"] = crossed
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")
    result = invoke(tiny, "run")
    assert result.exit_code == 0, result.output
    report = pd.read_csv(tiny.root / "out" / "tiny" / "validation.csv", dtype=str)
    line = report[report["field"] == "geometry"].iloc[0]
    assert (line["severity"], line["row"]) == ("warning", "6")
    assert line["problem"] == (
        "1 invalid boundary(ies) were repaired with make_valid: area E01000006: its outline "
        "crosses itself at (601505, 471000), now 3 part(s) of 49.5 ha; the repaired shape is "
        "what the map draws and what services and families are placed in"
    )
    assert "UserWarning" not in result.output and "warnings.warn" not in result.output
    assert result.stderr.strip().splitlines() == [
        "earlyhelp: warning: area boundaries are not a clean coverage (they overlap or have "
        "gaps); each was simplified on its own, so neighbours may not meet exactly"
    ]


def test_areas_with_no_need_row_are_no_data_on_the_map_never_zero(tiny):
    need = tiny.read("need.csv")
    tiny.write("need.csv", need[need["area_code"] != "E01000006"])
    result = invoke(tiny, "run")
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny"
    report = pd.read_csv(folder / "validation.csv", dtype=str)
    assert report["problem"].tolist() == [
        "1 area(s) have no row in the need file (e.g. 'E01000006'); their children are "
        "unknown: the map shows no data there, no gap there is judged, and district and "
        "county totals leave them out"
    ]
    areas = gpd.read_file(folder / "results.gpkg", layer="areas").set_index("area_code")
    assert areas.loc["E01000006", ["pop_0_4", "pop_0_17"]].isna().all()
    page = (folder / "index.html").read_text(encoding="utf-8")
    shown = re.search(r'"E01000006"[^{}]*', page).group(0)
    assert '"children":"no data"' in shown and '"need_index":"no data"' in shown
    assert '"children":"0"' not in shown and '"children":0' not in shown
