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


# --------------------------------------------------------------------------- services


def test_latitude_longitude_zero_zero_is_an_error_naming_the_rows_and_the_fix(tiny):
    frame = tiny.read("services.csv")
    frame["latitude"], frame["longitude"] = "", ""
    frame.loc[[1, 3], ["latitude", "longitude"]] = "0"
    frame.loc[[1, 3], ["easting", "northing"]] = ""
    tiny.write("services.csv", frame)
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    assert problems(result)[0] == (
        "error: services.csv, row 3, 5, field 'latitude': 2 point(s) are at latitude 0, "
        "longitude 0, in the Atlantic off West Africa: a blank location exported as zeros; "
        "give the right latitude and longitude, or leave both 'latitude' and 'longitude' "
        "empty and give a postcode"
    )
    assert "outside the study area" not in result.output


def test_easting_northing_zero_zero_is_an_error_that_says_so(tiny):
    frame = tiny.read("services.csv")
    frame.loc[1, ["easting", "northing"]] = "0"
    tiny.write("services.csv", frame)
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    assert problems(result)[0] == (
        "error: services.csv, row 3, field 'easting': 1 point(s) are at easting 0, northing 0, "
        "off the Isles of Scilly: a blank location exported as zeros; give the right easting "
        "and northing, or leave both 'easting' and 'northing' empty and give a postcode"
    )
    assert "look like degrees" not in result.output


def test_a_services_file_with_a_header_and_no_rows_is_refused(tiny):
    """It ran with 0 warnings, every kind of help unknown."""
    frame = tiny.read("services.csv")
    tiny.write("services.csv", frame.iloc[:0])
    result = invoke(tiny, "run")
    assert result.exit_code == 2
    assert problems(result) == [
        "error: services.csv: the file has a header but no services, so nothing could be "
        "judged (every kind of help would show as unknown); check that the export finished "
        'and holds the directory\'s rows, or point path = "..." under [services] at the '
        "right file"
    ]
    assert not (tiny.root / "out" / "tiny").exists()


def test_a_centres_file_with_a_header_and_no_rows_is_a_warning(tiny):
    frame = tiny.read("services.csv")
    tiny.write("centres.csv", frame.iloc[:0])
    tiny.set_config(replace=('[centres]\npath = ""', '[centres]\npath = "centres.csv"'))
    result = invoke(tiny, "validate")
    assert result.exit_code == 0, result.output
    assert (
        "warning: centres.csv: the file has a header but no rows, so the run goes on with no "
        'centres; check that the export finished, or set path = "" under [centres] if there '
        "are none"
    ) in problems(result)


def test_a_repeated_header_is_refused_naming_its_columns(tiny):
    """The second 'name' column (pandas reads it as 'name.1') was silently dropped."""
    text = tiny.path("services.csv").read_text(encoding="utf-8").splitlines()
    text[0] = text[0].replace("capacity", "name")
    tiny.path("services.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    assert problems(result)[0] == (
        "error: services.csv, field 'name': the header 'name' appears 2 times (columns B and "
        "H), so which column holds its values is unclear; rename or delete the repeated "
        "column so that each header appears once"
    )


def test_a_repeated_header_in_a_workbook_is_refused_too(tiny):
    frame = tiny.read("services.csv")
    frame.columns = [c if c != "provider" else "name " for c in frame.columns]
    frame.to_excel(tiny.path("services.xlsx"), index=False)
    tiny.set_config(replace=('path = "services.csv"', 'path = "services.xlsx"'))
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    assert problems(result)[0].startswith(
        "error: services.xlsx, field 'name': the header 'name' appears 2 times (columns B and C)"
    )


@pytest.mark.parametrize(
    ("said", "read_as", "follows"),
    [
        ("inactive", "closed", "counted nowhere as provision"),
        ("Ceased", "closed", "counted nowhere as provision"),
        ("temporarily closed", "closed", "counted nowhere as provision"),
        ("Proposed", "planned", "not counted as provision until they open"),
    ],
)
def test_a_usual_word_for_closed_or_planned_is_read_so_with_a_warning(tiny, said, read_as, follows):
    """'inactive' was answered "did you mean 'active'?": following it would reopen it."""
    frame = tiny.read("services.csv")
    frame.loc[[0, 2], "status"] = said
    tiny.write("services.csv", frame)
    result = invoke(tiny, "validate")
    assert result.exit_code == 0, result.output
    key = said.lower().replace(" ", "_")
    assert (
        f"warning: services.csv, row 2, 4, field 'status': 2 service(s) have status '{key}', "
        f"read as '{read_as}' (so they are {follows}); write {read_as} in those rows to say so "
        "plainly (statuses are: active, planned, closed)"
    ) in problems(result)
    assert "'active'" not in result.output
    run = invoke(tiny, "run")
    assert run.exit_code == 0, run.output
    services = gpd.read_file(tiny.root / "out" / "tiny" / "results.gpkg", layer="services")
    assert services.set_index("service_id").loc[["S1", "S3"], "status"].tolist() == [read_as] * 2


def test_a_word_for_running_is_refused_with_active_suggested(tiny):
    frame = tiny.read("services.csv")
    frame.loc[1, "status"] = "Live"
    tiny.write("services.csv", frame)
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    assert problems(result)[0] == (
        "error: services.csv, row 3, field 'status': 'live' is not a valid status (did you "
        "mean 'active'?); write active for a service that is running now (statuses are: "
        "active, planned, closed); earlyhelp does not guess that a service is running, as "
        "that would count it as provision"
    )


@pytest.mark.parametrize("said", ["in-active", "unplanned", "non active now", "deactive"])
def test_a_negated_status_is_never_answered_with_its_opposite(tiny, said):
    frame = tiny.read("services.csv")
    frame.loc[1, "status"] = said
    tiny.write("services.csv", frame)
    result = invoke(tiny, "validate")
    assert result.exit_code == 2
    found = [line for line in problems(result) if "field 'status'" in line]
    assert found == [
        f"error: services.csv, row 3, field 'status': '{said.replace(' ', '_')}' is not a "
        "valid status; use one of: active, planned, closed"
    ]


# --------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("replace", "extra", "message"),
    [
        (
            ("reach_urban_m = 1500", "reach_urban_m = -3000"),
            "",
            "[categories.parenting] reach_urban_m = -3000 must be above 0: it is how far "
            "families travel to this kind of help in urban areas, in metres; use a value such "
            "as reach_urban_m = 2000",
        ),
        (
            ("reach_rural_m = 5000", "reach_rural_m = nan"),
            "",
            "[categories.parenting] reach_rural_m = nan must be above 0: it is how far "
            "families travel to this kind of help in rural areas, in metres; use a value such "
            "as reach_rural_m = 8000",
        ),
        (
            None,
            "\n[access]\ncircuity = 0.8\n",
            "[access] circuity = 0.8 must be at least 1: it is how much longer a road journey "
            "is than the straight line; use a value such as circuity = 1.2",
        ),
        (
            None,
            "\n[access]\ncatchment_m = -10000\n",
            "[access] catchment_m = -10000 must be above 0: it is the floating catchment size, "
            "in metres; use a value such as catchment_m = 10000",
        ),
        (
            None,
            "\n[access]\noutreach_extra_m = -1\n",
            "[access] outreach_extra_m = -1 must be at least 0: it is how much further an "
            "outreach service travels, in metres; use a value such as outreach_extra_m = 3000",
        ),
        (
            None,
            "\n[sufficiency]\nsector_reach_urban_m = 0\n",
            "[sufficiency] sector_reach_urban_m = 0 must be above 0: it is sector reach in "
            "urban areas, in metres; use a value such as sector_reach_urban_m = 3000",
        ),
        (
            ('label = "Parenting"', 'label = "Parenting"\nmin_age = 11\nmax_age = 4'),
            "",
            "[categories.parenting] min_age = 11 is above max_age = 4; give the youngest age "
            "first (min_age = 0, max_age = 19 covers every child)",
        ),
        (
            None,
            '\n[disclosure]\nsymbol = "0"\n',
            '[disclosure] symbol = "0" reads as a number, so a hidden cell would read as a '
            'count; use a symbol such as "*" or "c"',
        ),
        (
            None,
            '\n[disclosure]\nsymbol = ""\n',
            '[disclosure] symbol = "" is empty, so a hidden cell would look like an empty one; '
            'use a symbol such as "*" or "c"',
        ),
        (
            None,
            '\n[disclosure]\nsymbol = ".."\n',
            '[disclosure] symbol = ".." is what a missing value shows, so a hidden count would '
            'read as missing data; use a symbol such as "*" or "c"',
        ),
        (
            ('name = "tiny"', 'name = "../elsewhere"'),
            "",
            '[run] name = "../elsewhere" is a path, not a folder name (it would write outside '
            "output_dir); the run's folder is <output_dir>/<name>, so write a plain folder name "
            'such as name = "demo" or name = "wyvernshire-2026" (no /, \\ or :, not starting '
            'with "."), and say where it goes with output_dir',
        ),
        (
            ("[categories.parenting]", '[categories."Parenting Support"]'),
            "",
            "[categories.Parenting Support]: a category key must be lower-case letters, "
            "digits, _ and -, as the directory's categories are matched in lower case and the "
            "key names columns and folders; use [categories.parenting_support] (and the same "
            "key in the services file)",
        ),
    ],
)
def test_a_config_value_out_of_range_is_refused_at_load_with_the_fix(tiny, replace, extra, message):
    """reach_urban_m = -3000 was accepted; symbol = "0" was 'unexpected error ... report it'."""
    tiny.set_config(extra, replace=replace)
    result = invoke(tiny, "run")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"earlyhelp: error: {tiny.config}: {message}"
    assert not (tiny.root / "out").exists()


def test_the_refused_symbols_include_the_missing_marker_of_published_tables():
    from earlyhelp.config.checks import MISSING_MARKERS
    from earlyhelp.disclosure import MISSING

    assert MISSING in MISSING_MARKERS
