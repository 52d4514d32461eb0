"""Text is data everywhere (issue 13): every CSV quotes line breaks, spreadsheet guards
apply only at the spreadsheet boundary, and codes used in file names are checked."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
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
        text = table.read_text(encoding="utf-8")
        lines = pd.read_csv(table, skiprows=1 if text.startswith("#") else 0, dtype=str)
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
