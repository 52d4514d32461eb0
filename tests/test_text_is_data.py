"""Text is data everywhere (issue 13): every CSV quotes line breaks, spreadsheet guards
apply only at the spreadsheet boundary, and codes used in file names are checked."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from earlyhelp import outputs
from earlyhelp.cli import app

runner = CliRunner()

AWKWARD = ["West\r=1+1", "North\nEast", 'The "Old" Mill', "Alton, Hants", "\rLeading", "plain"]


def test_a_csv_quotes_every_line_break_and_reads_back_the_same_frame(tmp_path):
    frame = pd.DataFrame(
        {
            "name": AWKWARD,
            "label\r": ["a\r\nb", "c\n", "", "d", "e", "f"],
            "count": [1, 2, 3, 4, 5, 6],
        }
    )
    path = outputs.write_csv(frame, tmp_path / "t.csv", guard=False)
    raw = path.read_bytes()
    back = pd.read_csv(path, dtype={"count": int}, keep_default_na=False)
    pd.testing.assert_frame_equal(back, frame)
    assert b"\r\n" not in raw.replace(b'a\r\nb"', b"")  # line ends are \n; in a cell, kept
    assert raw.startswith(b'name,"label\r",count\n"West\r=1+1",')
    # with the guard (a run's tables), the cell that starts with \r is shown as text
    guarded = pd.read_csv(outputs.write_csv(frame, tmp_path / "g.csv"), keep_default_na=False)
    assert len(guarded) == 6 and guarded.loc[4, "name"] == "'\rLeading"
    assert list(guarded["name"].drop(4)) == [n for i, n in enumerate(AWKWARD) if i != 4]


def test_a_line_break_in_a_district_name_or_label_leaves_the_run_tables_whole(tiny):
    """A carriage return once split a row of district_summary.csv, leaving a line whose
    first cell was a live formula; compare --run then printed shifted numbers."""
    areas = gpd.read_file(tiny.path("areas.geojson"))
    areas["district_name"] = areas["district_name"].replace(
        {"West": "West\r=HYPERLINK(1)", "East": "East\nSide"}
    )
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")
    tiny.set_config(replace=('label = "Parenting"', 'label = "Parenting\\rsupport"'))
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny"
    summary = pd.read_csv(folder / "tables" / "district_summary.csv", dtype=str)
    assert list(summary["district_code"]) == ["E07000001", "E07000002", "County"]
    assert list(summary["district_name"])[:2] == ["West\r=HYPERLINK(1)", "East\nSide"]
    for table in (folder / "tables").glob("*.csv"):
        lines = pd.read_csv(table, dtype=str)
        assert not lines.iloc[:, 0].fillna("").str.startswith("=").any(), table.name
    analysed = runner.invoke(app, ["compare", "--config", str(tiny.config)])
    read = runner.invoke(app, ["compare", "--config", str(tiny.config), "--run", str(folder)])
    assert analysed.exit_code == 0 and read.exit_code == 0, read.output
    assert read.stdout == analysed.stdout
    pair = [
        "compare",
        "--config",
        str(tiny.config),
        "--run",
        str(folder),
        "--district",
        "E07000001",
        "--with",
        "E07000002",
    ]
    result = runner.invoke(app, pair)
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------- guards at the boundary only

ORUK = Path(__file__).parent / "fixtures" / "sources" / "openreferral"


def test_import_writes_directory_text_as_it_is_with_no_spreadsheet_guard(tmp_path):
    page = (ORUK / "pages" / "page1.json").read_text(encoding="utf-8")
    page = page.replace("01256 000001", "+44 1632 960000")
    page = page.replace('"name": "Hartley Children’s Centre"', '"name": "-Dash Trust"', 1)
    (tmp_path / "page1.json").write_text(page, encoding="utf-8")
    out = tmp_path / "services.csv"
    result = runner.invoke(
        app,
        [
            "import",
            "openreferral",
            str(tmp_path / "page1.json"),
            "--out",
            str(out),
            "--option",
            f"categories={ORUK / 'taxonomy_map.csv'}",
        ],
    )
    assert result.exit_code == 0, result.output
    services = pd.read_csv(out, dtype=str, keep_default_na=False)
    first = services.iloc[0]
    assert first["provider"] == "-Dash Trust"
    assert first["contact"] == "+44 1632 960000; bumps@example.org"
    assert "'" not in out.read_text(encoding="utf-8").replace("’", "")


def test_a_guard_written_by_an_older_import_is_removed_with_a_warning(tiny):
    """A directory imported by an older earlyhelp holds '+44 ...: the offer shows the
    number as it is, the warning names the rows, and the run's spreadsheets still guard."""
    frame = tiny.read("services.csv")
    frame.loc[0, "provider"] = "'-Dash Trust"
    frame.loc[0, "contact"] = "'+44 1632 960000"
    frame.loc[1, "contact"] = "'+44 1632 960001"
    tiny.write("services.csv", frame)
    check = runner.invoke(app, ["validate", "--config", str(tiny.config)])
    assert check.exit_code == 0, check.output
    assert (
        "warning: services.csv, row 2, field 'provider': 1 value(s) start with an apostrophe "
        'before + - = or @ (e.g. "\'-Dash Trust"), the spreadsheet guard that earlier '
        "versions of earlyhelp import wrote into their tables; it was removed, so they read "
        '"-Dash Trust"; import the file again with this version of earlyhelp, or delete the '
        "apostrophes"
    ) in check.output
    assert "services.csv, row 2, 3, field 'contact': 2 value(s)" in check.output
    asked = ["offer", "--config", str(tiny.config), "--postcode", "QX1 1AA", "--age", "3"]
    offer = runner.invoke(app, asked, terminal_width=200)
    assert offer.exit_code == 0, offer.output
    assert "+44 1632 960000" in offer.output and "'+44" not in offer.output
    assert "-Dash Trust" in offer.output and "'-Dash" not in offer.output
    as_json = runner.invoke(app, [*asked, "--format", "json"])
    assert '"contact": "+44 1632 960000"' in as_json.stdout
    run = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert run.exit_code == 0, run.output
    folder = tiny.root / "out" / "tiny"
    services = gpd.read_file(folder / "results.gpkg", layer="services")
    assert services.set_index("service_id").loc["S1", "contact"] == "+44 1632 960000"
    report = pd.read_csv(folder / "validation.csv", dtype=str)
    assert report["problem"].str.startswith("1 value(s) start with an apostrophe").any()


# ------------------------------------------------------------- codes used in file names


def _district_codes(tiny, mapping: dict[str, str]) -> None:
    areas = gpd.read_file(tiny.path("areas.geojson"))
    for area, code in mapping.items():
        areas.loc[areas["area_code"] == area, "district_code"] = code
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")


def test_two_district_codes_that_would_share_a_map_file_are_refused(tiny):
    """E07000002 and e07000002 once gave one district-e07000002.html: one map fewer
    than districts, and the report linked one district to the other's map."""
    _district_codes(tiny, {"E01000004": "e07000002", "E01000008": "e07000002"})
    tiny.set_config("\n[map]\ndistrict_maps = true\n")
    assert tiny.refused() == (
        "error: areas.geojson, row 3, 4, 7, 8, 11, 12, 15, 16, field 'district_code': "
        "district codes 'E07000002' and 'e07000002' would share one map file, "
        "district-e07000002.html (file names keep only lower-case letters, digits and -), "
        "so one map would replace the other; write each district's code the same way in "
        "every row, and give different districts codes that differ in more than case, "
        "spaces or punctuation"
    )


def test_district_codes_that_cannot_name_a_file_or_are_blank_are_refused(tiny):
    _district_codes(tiny, {"E01000001": "../..", "E01000002": ""})
    result = runner.invoke(app, ["validate", "--config", str(tiny.config)])
    assert result.exit_code == 2
    assert (
        "error: areas.geojson, row 2, field 'district_code': 1 row(s) have no district code; "
        "give every row the code of its district: tables, maps and the report are made "
        "district by district"
    ) in result.output
    assert (
        "error: areas.geojson, row 1, field 'district_code': district code '../..' has no "
        "letter or digit, so it cannot name its map file; use the district's own code (such "
        "as E07000084), written the same way in every row"
    ) in result.output


def test_a_map_redrawn_from_an_older_run_with_clashing_codes_is_refused(tiny):
    """A run folder made before codes were checked: `earlyhelp map` draws nothing."""
    tiny.set_config("\n[map]\ndistrict_maps = true\n")
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    folder = tiny.root / "out" / "tiny"
    areas = gpd.read_file(folder / "results.gpkg", layer="areas")
    services = gpd.read_file(folder / "results.gpkg", layer="services")
    areas.loc[areas["district_code"] == "E07000002", "district_code"] = "E07-000002"
    areas.loc[areas["area_code"] == "E01000001", "district_code"] = "e07 000002"
    areas.to_file(folder / "results.gpkg", layer="areas", driver="GPKG")
    services.to_file(folder / "results.gpkg", layer="services", driver="GPKG")
    before = {p.name: p.read_bytes() for p in folder.glob("*.html")}
    result = runner.invoke(app, ["map", "--config", str(tiny.config)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "earlyhelp: error: district codes 'e07 000002' and 'E07-000002' would share one map "
        "file, district-e07-000002.html, so one district's map would replace the other's; "
        "write each district's code the same way in every row of the areas file, giving "
        "different districts codes that differ in more than case, spaces or punctuation, and "
        "run again"
    )
    assert {p.name: p.read_bytes() for p in folder.glob("*.html")} == before


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("County", "the whole county (its row in the tables, its map)"),
        ("Not Recorded", "the cases whose district the case system did not record"),
    ],
)
def test_a_district_coded_as_earlyhelp_names_something_else_is_refused(tiny, code, meaning):
    """'county' keys the whole county's row in the tables and its map, 'not recorded' the
    cases without a district: a district coded so would have its rows mixed with them."""
    _district_codes(tiny, {"E01000001": code, "E01000002": code})
    assert tiny.refused() == (
        f"error: areas.geojson, row 1, 2, field 'district_code': district code '{code}' is "
        f"what earlyhelp calls {meaning}, so that district's rows would be mixed with it; "
        "give the district its own code (such as E07000084)"
    )
