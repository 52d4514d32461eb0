"""The command line, run through Typer's CliRunner: help, outputs, exit codes, safety nets."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from earlyhelp import outputs
from earlyhelp.cli import app
from earlyhelp.loading import file_sha256

runner = CliRunner()


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_ending_with_an_example(name):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Example: earlyhelp " + name in text


LAST_WORDS = {  # how each command's example ends
    "compare": ["X07000006"],
    "import": ["categories=taxonomy_map.csv"],
    "offer": ["parenting,domestic_abuse"],
    "scenario": ["C003", "examples/scenario.toml"],
    "site": ["data/demo/candidate_sites.csv", "--rule"],
}


@pytest.mark.parametrize("name", sorted(LAST_WORDS))
def test_each_example_is_a_command_to_copy_whole_at_any_width(name):
    """Help text is wrapped to the terminal, but an example is not: each starts a line of
    its own (two once ran on as one), and a long one goes on with a shell's backslash."""
    result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "80"})
    lines = result.output.splitlines()
    examples = [i for i, line in enumerate(lines) if "Example:" in line]
    assert examples and all(lines[i].lstrip().startswith("Example:") for i in examples)
    commands = []
    for i in examples:
        command = lines[i].split("Example:", 1)[1].strip()
        while command.endswith("\\"):
            i += 1
            command = command[:-1] + lines[i].strip()
        commands.append(command)
    assert all(c.startswith(f"earlyhelp {name} ") for c in commands)
    assert [c.split()[-1] for c in commands] == LAST_WORDS[name]  # each whole, one a line


def inputs_hashes(tiny) -> dict[str, str]:
    return {p.name: file_sha256(p) for p in sorted(tiny.root.glob("*.*"))}


def test_run_writes_results_manifest_and_validation(tiny):
    before = inputs_hashes(tiny)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny"
    assert {p.name for p in folder.iterdir()} == {
        "commissioners.xlsx",
        "index.html",
        "manifest.json",
        "offer_index",
        "report.html",
        "results.gpkg",
        "tables",
        "validation.csv",
    }
    manifest = json.loads((folder / "manifest.json").read_text())
    areas_rec = next(r for r in manifest["inputs"] if r["role"] == "areas")
    assert areas_rec["rows_read"] == 16 and areas_rec["rows_used"] == 16
    assert areas_rec["sha256"] == before["areas.geojson"]
    assert manifest["counts"]["services"] == 5
    assert manifest["parameters"]["run"]["name"] == "tiny"
    assert "geopandas" in manifest["libraries"]
    areas = gpd.read_file(folder / "results.gpkg", layer="areas")
    assert len(areas) == 16 and areas["pop_0_4"].sum() == 16 * 50
    assert inputs_hashes(tiny) == before  # inputs are never modified


def test_running_twice_gives_the_same_results(tiny):
    tables = []
    for _ in range(2):
        assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
        folder = tiny.root / "out" / "tiny"
        layers = [gpd.read_file(folder / "results.gpkg", layer=n) for n in ("areas", "services")]
        tables.append((layers, pd.read_csv(folder / "validation.csv")))
    (a1, s1), v1 = tables[0]
    (a2, s2), v2 = tables[1]
    pd.testing.assert_frame_equal(a1, a2)
    pd.testing.assert_frame_equal(s1, s2)
    pd.testing.assert_frame_equal(v1, v2)


def test_bad_input_is_one_line_per_problem_and_exit_2_without_traceback(tiny):
    frame = tiny.read("services.csv")
    frame.loc[0, "capacity"] = "£3,000"
    tiny.write("services.csv", frame)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: services.csv, row 2, field 'capacity': 1 value(s) are not numbers: \"£3,000\"; "
        "write plain numbers such as 3000 or 12.5 (no £, commas, spaces or words); leave the "
        "cell empty if the value is unknown"
    ]
    assert "Traceback" not in result.output
    assert not (tiny.root / "out" / "tiny").exists()


def test_bad_config_exits_2_with_one_line(tiny):
    tiny.set_config("\n[map]\nclases = 5\n")
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown key 'clases' in [map] (did you mean 'classes'?)" in lines[0]


def test_unexpected_failure_exits_1_and_leaves_no_half_written_run(tiny, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("earlyhelp.publish.folder.write_json", broken)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(
        "earlyhelp: unexpected error: RuntimeError: disk on fire"
    )
    out = tiny.root / "out"
    assert list(out.iterdir()) == []  # no run folder, no staging folder left behind


def test_debug_shows_the_traceback(tiny):
    tiny.set_config("\n[map]\nclases = 5\n")
    result = runner.invoke(app, ["--debug", "run", "--config", str(tiny.config)])
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "ConfigError"


def test_an_output_folder_holding_an_input_is_refused(tiny):
    result = runner.invoke(app, ["run", "--config", str(tiny.config), "--out", str(tiny.root)])
    assert result.exit_code == 2
    assert "would overwrite the input" in result.stderr
    assert (tiny.root / "areas.geojson").exists()


def test_access_command_writes_access_alone(tiny):
    result = runner.invoke(app, ["access", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny-access"
    assert sorted(p.name for p in (folder / "tables").iterdir()) == [
        "README.txt",
        "access_NOT_FOR_PUBLICATION.csv",
        "remote_services_NOT_FOR_PUBLICATION.csv",
    ]
    access = pd.read_csv(folder / "tables" / "access_NOT_FOR_PUBLICATION.csv")
    assert set(access["measure"]) >= {"nearest", "within_reach"}
    assert len(gpd.read_file(folder / "results.gpkg", layer="areas")) == 16


def test_compare_prints_every_district_against_the_county(tiny):
    result = runner.invoke(app, ["compare", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    for name in ("West", "East", "County total", "vs county"):
        assert name in result.stdout
    pair = runner.invoke(
        app,
        [
            "compare",
            "--config",
            str(tiny.config),
            "--district",
            "E07000001",
            "--with",
            "E07000002",
        ],
    )
    assert pair.exit_code == 0, pair.output
    assert "West against East" in pair.stdout
    bad = runner.invoke(
        app,
        [
            "compare",
            "--config",
            str(tiny.config),
            "--district",
            "E07000001",
            "--with",
            "E07999999",
        ],
    )
    assert bad.exit_code == 2
    assert "no district 'E07999999' in this run" in bad.stderr


def test_import_writes_a_table_earlyhelp_reads_and_stops_on_errors(tmp_path, realdata):
    out = tmp_path / "need.csv"
    pop = realdata / "population" / "hampshire_pop_mid2020_lsoa11_age0_19.csv"
    result = runner.invoke(app, ["import", "population", str(pop), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert (
        table[["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]].to_numpy().sum()
        == 424_770
    )
    bad = runner.invoke(app, ["import", "iodd", str(pop), "--out", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2
    assert "unknown format 'iodd'" in bad.stderr and "did you mean 'iod'" in bad.stderr
    assert not (tmp_path / "x.csv").exists()
    census = realdata / "population" / "hampshire_census2021_lsoa21_age6.csv"
    coarse = runner.invoke(
        app, ["import", "population", str(census), "--out", str(tmp_path / "c.csv")]
    )
    assert coarse.exit_code == 2  # Census 2021 has no 0-4 band: refused, not invented
    assert not (tmp_path / "c.csv").exists()


def test_map_command_redraws_from_a_finished_run_with_district_maps(tiny):
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    folder = tiny.root / "out" / "tiny"
    before = (folder / "results.gpkg").read_bytes()
    tiny.set_config("\n[map]\ndistrict_maps = true\n")
    result = runner.invoke(app, ["map", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.glob("*.html"))
    assert names == [
        "district-e07000001.html",
        "district-e07000002.html",
        "index.html",
        "report.html",
    ]
    assert (folder / "results.gpkg").read_bytes() == before  # the run's data untouched
    missing = runner.invoke(app, ["map", "--config", str(tiny.config), "--run", str(tiny.root)])
    assert missing.exit_code == 2 and "no results.gpkg in this folder" in missing.stderr


def test_text_a_spreadsheet_would_run_is_written_as_text(tmp_path):
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "Safe"],
            "note": ["-5", "\tTab", "ok", None],
            "count": [1, -2, 3, 4],
        }
    )
    outputs.write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(back["name"]) == [
        '\'=HYPERLINK("http://x","y")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1+1)",
        "Safe",
    ]
    assert list(back["note"]) == ["-5", "'\tTab", "ok", ""]  # a number stays a number
    assert list(back["count"]) == ["1", "-2", "3", "4"]
    outputs.write_workbook({"t": frame}, tmp_path / "t.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "t.xlsx")["T"]
    cells = [sheet.cell(row=r, column=1).value for r in range(3, 7)]  # row 1: the banner
    assert cells[0].startswith("'=") and sheet.cell(row=3, column=1).data_type == "s"


def test_outside_text_cannot_drive_the_terminal_or_break_the_workbook(tiny):
    """Escape sequences, direction overrides and rich markup in directory text and area
    names are removed or shown as written; the run (with its workbook) still completes."""
    import geopandas as gpd

    areas = gpd.read_file(tiny.path("areas.geojson"))
    areas["district_name"] = areas["district_name"].replace(
        "West", "[link=http://evil.example]West[/link]\x1b[31m\u202e"
    )
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")
    frame = tiny.read("services.csv")
    frame.loc[0, "name"] = "Tots\x1b]0;pwned\x07 Club"
    frame.loc[1, "capacity"] = "\x1b[2J40"
    tiny.write("services.csv", frame)
    check = runner.invoke(app, ["validate", "--config", str(tiny.config)])
    assert check.exit_code == 2
    assert "\x1b" not in check.output and "\u202e" not in check.output
    frame.loc[1, "capacity"] = "40"
    tiny.write("services.csv", frame)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    warnings = pd.read_csv(tiny.root / "out" / "tiny" / "validation.csv")
    assert warnings["problem"].str.contains("direction-changing characters").sum() == 2
    compare = runner.invoke(app, ["compare", "--config", str(tiny.config)])
    assert "[link=http://evil" in compare.stdout  # shown as written, not obeyed
    assert "\x1b" not in compare.stdout


def test_a_folder_that_is_not_an_earlier_run_is_never_replaced(tiny, tmp_path):
    mine = tmp_path / "my documents"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    result = runner.invoke(app, ["access", "--config", str(tiny.config), "--out", str(mine)])
    assert result.exit_code == 2
    assert "holds files that earlyhelp did not write" in result.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    afile = tmp_path / "README.md"
    afile.write_text("mine")
    result = runner.invoke(app, ["run", "--config", str(tiny.config), "--out", str(afile)])
    assert result.exit_code == 2 and afile.read_text() == "mine"
    # an earlier run is replaced, as is an empty folder
    empty = tmp_path / "empty"
    empty.mkdir()
    for target in (empty, empty):
        again = runner.invoke(app, ["access", "--config", str(tiny.config), "--out", str(target)])
        assert again.exit_code == 0, again.output


def test_a_folder_that_cannot_be_made_is_exit_2_with_the_path(tiny, tmp_path):
    afile = tmp_path / "report.txt"
    afile.write_text("a file, not a folder")
    out = afile / "run"  # cannot make a folder inside a file
    result = runner.invoke(app, ["access", "--config", str(tiny.config), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"earlyhelp: error: cannot write {afile}: it is a file, not a folder; check the path "
        "(--out); nothing was written"
    )
    assert "Traceback" not in result.output
    assert afile.read_text() == "a file, not a folder"


def test_the_commissioners_workbook_has_frozen_headers_with_units(tiny):
    from openpyxl import load_workbook

    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    book = load_workbook(tiny.root / "out" / "tiny" / "commissioners.xlsx")
    assert book.sheetnames == [
        "About",
        "District summary",
        "Kinds of help",
        "District comparison",
        "Resourcing",
        "Range of help",
        "Gaps",
        "Funnel",
    ]
    summary = book["District summary"]
    assert summary.freeze_panes == "B2"  # published: the header is the first row
    headers = [c.value for c in summary[1]]
    assert "Spend per child (GBP)" in headers
    assert "Children with the full core range within reach (%)" in headers
    assert summary.cell(row=2, column=3).data_type == "n"  # children, as a number
    gaps = book["Gaps"]
    assert gaps["A1"].value.startswith("NOT FOR PUBLICATION")
    assert gaps.freeze_panes == "B3"


def test_import_list_shows_every_format_with_its_options():
    from earlyhelp.sources import SOURCES

    result = runner.invoke(app, ["import", "list"])
    assert result.exit_code == 0
    for name, source in SOURCES.items():
        assert f"{name}: makes a {source.produces} table" in result.stdout
        for option in source.options:
            assert f"    {option} (default: " in result.stdout, (name, option)
    assert "    kind (default: childrens_centres)" in result.stdout
    # each option's meaning, in words, not Python's reprs
    assert "Keep establishments whose status is Closed" in result.stdout
    assert not re.search(r"=None|=\(\)|=''|\bFalse\b|\bTrue\b", result.stdout)
    missing = runner.invoke(app, ["import", "iod"])
    assert missing.exit_code == 2 and "give the FILE to read and --out" in missing.output


def test_compare_reads_a_finished_run_the_same_as_analysing_again(tiny):
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    fresh = runner.invoke(app, ["compare", "--config", str(tiny.config)])
    folder = tiny.root / "out" / "tiny"
    read = runner.invoke(app, ["compare", "--config", str(tiny.config), "--run", str(folder)])
    assert read.exit_code == 0, read.output
    assert read.stdout == fresh.stdout
    pair = ["--district", "E07000001", "--with", "E07000002"]
    a = runner.invoke(app, ["compare", "--config", str(tiny.config), *pair])
    b = runner.invoke(app, ["compare", "--config", str(tiny.config), "--run", str(folder), *pair])
    assert b.exit_code == 0 and a.stdout == b.stdout
    gone = runner.invoke(app, ["compare", "--config", str(tiny.config), "--run", str(tiny.root)])
    assert gone.exit_code == 2 and "give --run the folder of a finished" in gone.stderr


def test_a_matrix_of_minutes_is_mapped_in_minutes(tiny):
    """Travel times imported as a matrix are shown as minutes on the map, not as metres
    divided into kilometres."""
    rows = [
        {"area_code": f"E01{i + 1:06d}", "service_id": sid, "minutes": 5 + i + k}
        for i in range(16)
        for k, sid in enumerate(["S1", "S2", "S3", "S4", "S5"])
    ]
    pd.DataFrame(rows).to_csv(tiny.path("times.csv"), index=False)
    tiny.set_config('\n[access]\ndistance_model = "matrix"\nmatrix_path = "times.csv"\n')
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Distance to Domestic abuse (travel time from the imported matrix)" in page
    assert " min" in page and "km (straight line)" not in page
    redraw = runner.invoke(app, ["map", "--config", str(tiny.config)])
    assert redraw.exit_code == 0
    assert " min" in (folder / "index.html").read_text(encoding="utf-8")


def test_gaps_writes_the_tables_without_maps_or_report(tiny):
    result = runner.invoke(app, ["gaps", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny-gaps"
    names = {p.name for p in folder.iterdir()}
    assert not names & {"index.html", "report.html"}
    assert {"commissioners.xlsx", "results.gpkg", "tables"} <= names
    assert (folder / "tables" / "gaps_NOT_FOR_PUBLICATION.csv").exists()


def test_the_manifest_is_strict_json_even_with_missing_need(tiny):
    need = tiny.read("need.csv")
    tiny.write("need.csv", need.iloc[1:])  # one area without need: its numbers are missing
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    text = (tiny.root / "out" / "tiny" / "manifest.json").read_text()
    manifest = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert manifest["counts"]["children_0_19"] == 15 * 200
