"""Every validation rule: a small broken fixture and the exact message the user reads."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Polygon
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.errors import InputError, ValidationFailed
from earlyhelp.loading import load_inputs


def problems(tiny, severity: str | None = None) -> list[str]:
    """Every problem line the inputs give, without raising."""
    try:
        report = load_inputs(load_config(tiny.config)).report
    except ValidationFailed as exc:
        report = exc.report
    return [p.line() for p in report.problems if severity in (None, p.severity)]


def break_services(tiny, **changes) -> None:
    frame = tiny.read("services.csv")
    for (row, col), value in changes.get("cells", {}).items():
        frame.loc[row, col] = value
    if "rename" in changes:
        frame = frame.rename(columns=changes["rename"])
    tiny.write("services.csv", frame)


def test_valid_tiny_county_has_no_errors(tiny):
    assert problems(tiny, "error") == []


def test_missing_required_column_suggests_closest_header(tiny):
    break_services(tiny, rename={"name": "service_name"})
    assert problems(tiny, "error") == [
        "services.csv, field 'name': required column 'name' is missing (did you mean "
        "'service_name'?); set name = \"service_name\" under [services.columns] in config.toml"
    ]


def test_duplicate_ids_name_every_row(tiny):
    break_services(tiny, cells={(1, "service_id"): "S1"})
    assert problems(tiny, "error") == [
        "services.csv, row 2, 3, field 'service_id': id 'S1' appears 2 times; "
        "give each row its own id, or remove the repeated rows"
    ]


def test_numbers_that_do_not_parse(tiny):
    break_services(
        tiny,
        cells={(0, "capacity"): "1 200", (1, "capacity"): "n/a", (2, "annual_cost"): "£3,000"},
    )
    fix = (
        "write plain numbers such as 3000 or 12.5 (no £, commas, spaces or words); "
        "leave the cell empty if the value is unknown"
    )
    assert problems(tiny, "error") == [
        f"services.csv, row 2, 3, field 'capacity': 2 value(s) are not numbers: "
        f'"1 200", "n/a"; {fix}',
        f"services.csv, row 4, field 'annual_cost': 1 value(s) are not numbers: \"£3,000\"; {fix}",
    ]


def test_negative_capacity_and_cost(tiny):
    break_services(tiny, cells={(0, "capacity"): "-5", (3, "annual_cost"): "-100"})
    assert problems(tiny, "error") == [
        "services.csv, row 2, field 'capacity': 1 negative value(s), e.g. -5; capacity "
        "cannot be below zero; correct the value or leave it empty if unknown",
        "services.csv, row 5, field 'annual_cost': 1 negative value(s), e.g. -100; "
        "annual_cost cannot be below zero; correct the value or leave it empty if unknown",
    ]


def test_min_age_above_max_age(tiny):
    break_services(tiny, cells={(3, "min_age"): "19", (3, "max_age"): "11"})
    assert problems(tiny, "error") == [
        "services.csv, row 5, field 'min_age': 1 row(s) have min_age above max_age "
        "(e.g. 19 > 11); swap 'min_age' and 'max_age' where they were entered the wrong "
        "way round"
    ]


def test_unknown_category_suggests_nearest_key(tiny):
    break_services(tiny, cells={(3, "categories"): "parentng"})
    assert problems(tiny, "error") == [
        "services.csv, row 5, field 'categories': unknown category 'parentng' (did you "
        "mean 'parenting'?); use a key from [categories] in config.toml, or add the "
        "category there"
    ]


def test_missing_crs_is_refused_with_the_fix(tiny):
    areas = gpd.read_file(tiny.path("areas.geojson"))
    with pytest.warns(UserWarning, match="'crs' was not provided"):  # the broken fixture
        areas.set_crs(None, allow_override=True).to_file(tiny.path("areas.gpkg"))
    tiny.set_config(replace=('path = "areas.geojson"', 'path = "areas.gpkg"'))
    with pytest.raises(InputError) as info:
        load_inputs(load_config(tiny.config))
    assert str(info.value) == (
        "areas.gpkg: the file has no coordinate reference system (CRS); add crs = "
        '"EPSG:27700" (or the right code) to [areas] in config.toml, or save it again '
        "with a CRS in QGIS"
    )
    # The fix the message gives works.
    tiny.set_config(replace=('path = "areas.geojson"', 'path = "areas.gpkg"\ncrs = "EPSG:27700"'))
    assert len(load_inputs(load_config(tiny.config)).areas) == 16


def test_swapped_latitude_and_longitude(tiny):
    frame = tiny.read("services.csv").drop(columns=["easting", "northing"])
    frame["latitude"] = ["1.2", "54.2", "54.2", "54.2", ""]  # row 2 swapped
    frame["longitude"] = ["54.2", "1.2", "1.2", "1.2", ""]
    tiny.write("services.csv", frame)
    assert problems(tiny, "error") == [
        "services.csv, row 2, field 'latitude': 1 point(s) look like latitude and longitude "
        'swapped (e.g. latitude 1.2); swap the mapping: latitude = "longitude" and '
        'longitude = "latitude"'
    ]


def test_grid_metres_declared_as_degrees(tiny):
    frame = tiny.read("services.csv")
    frame = frame.rename(columns={"easting": "longitude", "northing": "latitude"})
    tiny.write("services.csv", frame)
    assert problems(tiny, "error") == [
        "services.csv, row 2, 3, 4, 5, field 'latitude': 4 coordinate(s) are far too large "
        "for degrees (e.g. 470500); they look like British National Grid metres; map these "
        "columns as easting and northing under [services.columns] instead of latitude = "
        '"latitude" and longitude = "longitude"'
    ]


@pytest.mark.parametrize("action,kept", [("keep", 5), ("drop", 4)])
def test_services_outside_study_area_are_listed_then_kept_or_dropped(tiny, action, kept):
    break_services(tiny, cells={(1, "easting"): "650000"})
    tiny.set_config(
        replace=('path = "services.csv"', f'path = "services.csv"\noutside_study_area = "{action}"')
    )
    inputs = load_inputs(load_config(tiny.config))
    lines = [p.line() for p in inputs.report.warnings]
    assert lines == [
        f"services.csv, row 3, field 'location': 1 service(s) lie outside the study area and "
        f'were {action}ed (\'Safe Homes\'); set outside_study_area = "drop" or "keep" in its '
        "section of config.toml; keeping them lets services over the border serve children "
        "near it".replace("keeped", "kept").replace("droped", "dropped")
    ]
    assert len(inputs.services) == kept


def _rewrite_area(tiny, i, geometry):
    areas = gpd.read_file(tiny.path("areas.geojson"))
    areas.loc[i, "geometry"] = geometry
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")


def test_invalid_polygon_is_repaired_and_reported(tiny):
    bowtie = Polygon([(600000, 470000), (601000, 471000), (601000, 470000), (600000, 471000)])
    _rewrite_area(tiny, 0, bowtie)
    inputs = load_inputs(load_config(tiny.config))
    assert [p.line() for p in inputs.report.warnings] == [
        "areas.geojson, row 1, field 'geometry': 1 invalid boundary(ies) were repaired with "
        "make_valid: area E01000001: its outline crosses itself at (600500, 470500), now 2 "
        "part(s) of 50.0 ha; the repaired shape is what the map draws and what services and "
        "families are placed in; check those boundaries in QGIS (Vector > Geometry Tools > "
        "Check Validity) and correct them in the areas file"
    ]
    repaired = inputs.areas.geometry.iloc[0]
    assert repaired.is_valid and repaired.area == pytest.approx(500_000)  # two triangles


def test_empty_geometry_is_an_error(tiny):
    _rewrite_area(tiny, 4, None)
    assert problems(tiny, "error") == [
        "areas.geojson, row 5, field 'geometry': 1 area(s) have no geometry; draw the missing "
        "boundaries or remove those rows from the areas file"
    ]


def test_area_codes_turned_into_decimals(tiny):
    need = tiny.read("need.csv")
    need.loc[2, "area_code"] = "1000003.0"
    tiny.write("need.csv", need)
    assert problems(tiny, "error") == [
        "need.csv, row 4, field 'area_code': 1 area code(s) look like numbers turned into "
        "decimals (e.g. '1000003.0'); re-export the file keeping the code column as text (in "
        "Excel, format the column as Text before pasting)"
    ]


def test_area_codes_that_lost_leading_zeros(tiny):
    areas = gpd.read_file(tiny.path("areas.geojson"))
    areas["area_code"] = [f"{i:05d}" for i in range(1, 17)]
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")
    need = tiny.read("need.csv")
    need["area_code"] = [str(i) for i in range(1, 17)]
    tiny.write("need.csv", need)
    errors = problems(tiny, "error")
    assert errors == [
        "need.csv, row 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 6 more, field 'area_code': 16 area "
        "code(s) lost their leading zeros (e.g. '1' for '00001'); re-export the file keeping "
        "the code column as text, so codes keep their leading zeros"
    ]


def test_need_rows_without_area_and_areas_without_need(tiny):
    need = tiny.read("need.csv")
    need.loc[0, "area_code"] = "E01009999"  # no such area; and E01000001 loses its need row
    tiny.write("need.csv", need)
    assert problems(tiny, "warning") == [
        "need.csv, row 2, field 'area_code': 1 row(s) have an area code that is not in the "
        "areas file (e.g. 'E01009999'); they are left out; check the codes, or that both "
        "files cover the same areas and year",
        "need.csv, field 'area_code': 1 area(s) have no row in the need file (e.g. "
        "'E01000001'); their children are unknown: the map shows no data there, no gap "
        "there is judged, and district and county totals leave them out; add the missing "
        "areas to the need file",
    ]


def test_mix_of_2011_and_2021_lsoa_codes(tiny):
    need = tiny.read("need.csv")
    need.loc[0, "area_code"] = "E01034060"  # a code created in 2021
    tiny.write("need.csv", need)
    assert problems(tiny, "error") == [
        "need.csv, field 'area_code': the need file uses 2021 LSOA codes (e.g. E01034060) but "
        "the areas file uses 2011 LSOAs, so 1 rows match no area; use 2021 LSOA boundaries "
        "for the areas, or bring the need data onto 2011 LSOAs with the ONS LSOA 2011 to 2021 "
        "lookup"
    ]


def test_csv_not_utf8_is_read_as_cp1252_with_a_warning(tiny):
    frame = tiny.read("services.csv")
    frame.loc[0, "name"] = "Café £ Club"
    frame.to_csv(tiny.path("services.csv"), index=False, encoding="cp1252")
    inputs = load_inputs(load_config(tiny.config))
    assert [p.line() for p in inputs.report.warnings] == [
        "services.csv: the file is not UTF-8; it was read as Windows-1252 (cp1252); check "
        "that names with accents, curly apostrophes or £ signs look right, or save it as "
        "'CSV UTF-8' in Excel"
    ]
    assert inputs.services.loc["S1", "name"] == "Café £ Club"


def test_utf8_with_byte_order_mark_reads_cleanly(tiny):
    frame = tiny.read("services.csv")
    frame.to_csv(tiny.path("services.csv"), index=False, encoding="utf-8-sig")
    inputs = load_inputs(load_config(tiny.config))
    assert inputs.report.problems == []
    assert "S1" in inputs.services.index


def test_every_problem_is_collected_before_stopping(tiny):
    break_services(
        tiny,
        cells={
            (0, "capacity"): "n/a",
            (1, "categories"): "parentng",
            (2, "min_age"): "7",
            (2, "max_age"): "3",
        },
    )
    assert len(problems(tiny, "error")) == 3


def test_validate_command_prints_one_line_per_problem_and_exits_2(tiny):
    break_services(tiny, cells={(0, "capacity"): "n/a", (1, "categories"): "parentng"})
    report = tiny.path("report.csv")
    result = CliRunner().invoke(
        app, ["validate", "--config", str(tiny.config), "--report", str(report)]
    )
    assert result.exit_code == 2
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("error: services.csv, row 3, field 'categories': ")
    assert lines[1].startswith("error: services.csv, row 2, field 'capacity': ")
    assert lines[-1] == f"2 error(s), 0 warning(s); report written to {report}"
    assert "Traceback" not in result.output
    written = report.read_text(encoding="utf-8").splitlines()
    assert written[0] == "severity,file,row,field,problem,fix" and len(written) == 3


def test_a_service_gets_the_area_that_contains_it_or_the_nearest_within_250_m(tiny):
    # 100 m inside area 2 (x 601000-602000), next to area 1; and 200 m off the grid's edge
    break_services(
        tiny,
        cells={(0, "easting"): "601100", (0, "northing"): "470500", (1, "easting"): "599800"},
    )
    services = load_inputs(load_config(tiny.config)).services
    assert services.loc["S1", "area_code"] == "E01000002"
    assert services.loc["S2", "area_code"] == "E01000005"  # x 599800, y 471500: row 2, col 1


def test_row_numbers_stay_true_past_blank_lines(tiny):
    text = tiny.path("services.csv").read_text(encoding="utf-8").splitlines()
    text.insert(2, "")  # a blank line after the first record
    text[5] = text[5].replace(",30,", ",thirty,")  # S4's capacity, now on line 6
    tiny.path("services.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    [line] = problems(tiny, "error")
    assert line.startswith("services.csv, row 6, field 'capacity': 1 value(s) are not numbers")


def test_a_missing_indicator_column_points_at_the_indicator_section(tiny):
    need = tiny.read("need.csv").rename(columns={"cp_plans": "cpp"})
    tiny.write("need.csv", need)
    assert problems(tiny, "error") == [
        "need.csv, field 'cp_plans': the column of indicator 'cp_plans' is missing (did you "
        "mean 'cpp'?); set column = \"<the header in this file>\" under "
        "[indicators.cp_plans] in the config, or add the column to the need table"
    ]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Urban: Nearer to a major town or city", "urban"),
        ("Larger rural: Further from a major town or city", "rural"),
        ("Smaller rural: Nearer to a major town or city", "rural"),
        ("RSF1", "rural"),
        ("UN1", "urban"),
        ("Rural village", "rural"),
        ("C1", "urban"),
    ],
)
def test_ons_rural_urban_classes_2011_and_2021(tiny, value, expected):
    areas = gpd.read_file(tiny.path("areas.geojson"))
    areas["rural_urban"] = value
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")
    loaded = load_inputs(load_config(tiny.config)).areas
    assert set(loaded["rural_urban"]) == {expected}


def test_validate_reports_a_section_without_a_path_and_reads_nothing(tiny):
    """A copied config whose [centres] lost its path line: validate says so in one line
    (it used to read data/demo/services.csv as the centres) and checks no input."""
    tiny.plant_demo()
    tiny.set_config(replace=('[centres]\npath = ""', '[centres]\ncategory = "childrens_centre"'))
    report = tiny.path("report.csv")
    result = CliRunner().invoke(
        app, ["validate", "--config", str(tiny.config), "--report", str(report)]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f'earlyhelp: error: {tiny.config}: [centres] has no path; add path = "..." (your '
        "children's centres or family hubs, read like the services), or remove [centres] if "
        "you have none; nothing is read from the demo county unless you point at it"
    ]
    assert result.stdout == "" and not report.exists()


def test_vectorised_text_checks_agree_with_python_on_every_character():
    """The Arrow (RE2) searches used on large inputs find exactly what Python's do:
    unprintable characters, spreadsheet guards and spaces around cells."""
    import re

    import pandas as pd

    from earlyhelp.validation import (
        _GUARD,
        _GUARD_RE2,
        UNPRINTABLE,
        UNPRINTABLE_RE2,
        contains,
        strip_cells,
    )

    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000]
    cells = pd.Series(["ab" + c + "x" for c in chars] + [None, ""], dtype="string")
    python = [bool(UNPRINTABLE.search(v)) if isinstance(v, str) else False for v in cells]
    assert contains(cells, UNPRINTABLE_RE2).tolist() == python
    assert sum(python) > 80
    guards = pd.Series(["'" + c + "x" for c in chars[:400]] + ["x'=", None, "'"], dtype="string")
    python = [bool(_GUARD.search(v)) if isinstance(v, str) else False for v in guards]
    assert contains(guards, _GUARD_RE2).tolist() == python
    assert sum(python) == 6
    padded = pd.Series([c + "a" + c for c in chars[:0x3100]] + [None, "", " "], dtype="string")
    stripped, n = strip_cells(padded)
    expected = padded.str.strip()
    assert stripped.equals(expected)
    assert n == int((padded != expected).fillna(False).sum())
    assert re.fullmatch(r"\s", "\x1c")  # Python's spaces include these: strip_cells too
