"""What an analyst or commissioner sees in Excel, QGIS and pandas: the demo run's tables,
workbook and GeoPackage opened as they would open them.

Every CSV reads with a plain ``pandas.read_csv`` (its publication status is in its name
and the manifest, never a line inside it), in one unit convention (percentages 0-100,
places per 1,000 children) at sensible precision; the workbook has number formats per
column, plain headers with units, labels instead of keys, an autofilter and frozen panes;
the GeoPackage says per 1,000 as the tables do and carries QGIS styles.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from earlyhelp.config import load_config
from earlyhelp.errors import ConfigError
from earlyhelp.need import AGE_BANDS
from earlyhelp.outputs import column_format, write_workbook
from earlyhelp.publish.folder import UNPUBLISHED_SUFFIX
from earlyhelp.publish.hubs import HUB_TABLES


@pytest.fixture(scope="module")
def folder(demo_run_folder):
    return demo_run_folder


@pytest.fixture(scope="module")
def manifest(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _decimals(values: pd.Series) -> int:
    """The most decimals any value of a numeric column is written with."""
    text = values.dropna().map(lambda v: f"{v!r}")
    if text.empty:  # every value missing: none is written with decimals
        return 0
    return int(text.map(lambda s: len(s.split(".")[1]) if "." in s else 0).max())


# ----------------------------------------------------------------------------- CSV


def test_every_table_reads_with_a_plain_read_csv(folder, manifest):
    tables = sorted((folder / "tables").glob("*.csv"))
    assert len(tables) >= 10
    for path in tables:
        frame = pd.read_csv(path)  # no skiprows, no comment=, nothing
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert list(frame.columns) == header.split(","), path.name
        assert len(frame.columns) > 1 and len(frame) > 0, path.name
        assert not header.startswith("#")
        status = manifest["outputs"][f"tables/{path.name}"]
        unpublished = path.stem.endswith(UNPUBLISHED_SUFFIX)
        assert status.startswith("analyst") == unpublished, path.name
        assert status.startswith("published") != unpublished, path.name
    published = {p.name for p in tables if not p.stem.endswith(UNPUBLISHED_SUFFIX)}
    hubs = {f"{name}.csv" for name in HUB_TABLES}  # the demo sets [hubs] and [childcare]
    assert published == {"district_summary.csv", "kinds_of_help.csv", *hubs}


def test_tables_share_one_unit_convention_at_sensible_precision(folder, demo_assessment):
    tables = {
        p.stem.removesuffix(UNPUBLISHED_SUFFIX): pd.read_csv(p)
        for p in (folder / "tables").glob("*.csv")
    }
    for name, frame in tables.items():
        for column in frame.columns:
            if column.startswith("pct_") and pd.api.types.is_numeric_dtype(frame[column]):
                values = frame[column].dropna()
                assert values.between(0, 100).all(), (name, column)
                assert _decimals(values) <= 1, (name, column)
    # a share of children is a percentage everywhere: the funnel as the summary
    funnel = tables["funnel"].set_index("district_code")
    summary = tables["district_summary"].set_index("district_code")
    assert funnel["value"].max() > 1  # not a proportion
    shown = pd.to_numeric(summary["pct_full_core_range"], errors="coerce")
    both = shown.dropna().index.intersection(funnel.index)
    assert np.allclose(funnel.loc[both, "value"], shown[both], atol=0.051)
    # places per 1,000 children, never per child: the gaps table is the access measure x 1000
    access = tables["access"]
    assert not access["measure"].isin(["e2sfca", "share_within_reach"]).any()
    e2sfca = demo_assessment.access.wide["e2sfca__parenting"]
    places = access[(access["measure"] == "places_per_1000") & (access["category"] == "parenting")]
    places = places.set_index("area_code")["value"]
    assert np.allclose(places, (e2sfca.reindex(places.index) * 1000).round(1))
    assert set(access["unit"]) >= {"m", "% of children", "places a year per 1,000 children"}
    # a unit says what the value is: only distances are in metres (reach_bands, bits of
    # the age bands, once said "m")
    assert set(access.loc[access["unit"] == "m", "measure"]) == {"nearest", "distance"}
    bands = access.loc[access["measure"] == "reach_bands", "unit"]
    each = [f"{1 << i} = {a}-{b}" for i, (a, b) in enumerate(AGE_BANDS.values())]
    assert len(bands) and (bands == "sum of " + ", ".join(each)).all()
    comparison = tables["district_comparison"]
    money = comparison.loc[comparison["unit"] == "GBP per child", ["value", "county"]]
    assert len(money) and (money == money.round()).all().all()  # whole pounds
    # no demo service says how many it reached: unknown (empty), never 0 children reached
    assert tables["resourcing"]["reached"].isna().all()
    gaps = tables["gaps"]
    assert _decimals(gaps["places_per_1000"]) <= 1
    assert (gaps["children"] == gaps["children"].round()).all()
    text = (folder / "tables" / f"access{UNPUBLISHED_SUFFIX}.csv").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{5,}", text)  # no 2822.312561798633
    assert ",2822," in text or not re.search(r",\d+\.0,", text)  # whole numbers written whole


def test_the_notes_beside_the_tables_say_what_each_is_and_credit_the_sources(folder):
    notes = (folder / "tables" / "README.txt").read_text(encoding="utf-8")
    for path in (folder / "tables").glob("*.csv"):
        assert path.name in notes
    assert "gaps_NOT_FOR_PUBLICATION.csv" in notes
    assert "places_per_1000: Places a year (per 1,000 children)" in notes
    assert "pct_full_core_range: Children with the full core range within reach (%)" in notes
    assert "Fictional data made by earlyhelp" in notes  # the demo config's statement
    assert "Open Government Licence v3.0" in notes


def test_the_manifest_records_the_attribution(manifest):
    credit = manifest["attribution"]
    assert credit["licence"] == "Open Government Licence v3.0"
    assert credit["licence_url"].startswith("https://")
    assert any("Fictional" in line for line in credit["statements"])


# ----------------------------------------------------------------------------- Excel


def test_the_workbook_opens_ready_to_sort_and_filter(folder, demo_assessment):
    book = load_workbook(folder / "commissioners.xlsx")
    assert book.sheetnames[0] == "About"
    assert all("_" not in name for name in book.sheetnames)  # names in words, not keys
    for sheet in book.worksheets[1:]:
        published = not str(sheet["A1"].value).startswith("NOT FOR PUBLICATION")
        header = 1 if published else 2
        headers = [c.value for c in sheet[header]]
        assert all(h and "_" not in h for h in headers), (sheet.title, headers)
        assert len(set(headers)) == len(headers), (sheet.title, headers)  # each its own
        last = sheet.cell(row=header, column=len(headers)).column_letter
        assert sheet.auto_filter.ref == f"A{header}:{last}{sheet.max_row}", sheet.title
        assert sheet.freeze_panes in (f"A{header + 1}", f"B{header + 1}"), sheet.title
        assert sheet.cell(row=header, column=1).font.bold
    summary = book["District summary"]
    headers = {c.value: i for i, c in enumerate(summary[1], start=1)}
    row = 2
    formats = {
        "Children": "#,##0",
        "Children with the full core range within reach (%)": "0.0",
        "Capacity, places a year (per 1,000 children)": "#,##0.0",
        "Spend per child (GBP)": '"£"#,##0',
    }
    for title, wanted in formats.items():
        cell = summary.cell(row=row, column=headers[title])
        assert cell.data_type == "n" and cell.number_format == wanted, title
    assert summary.cell(row=row, column=headers["Children"]).value == pytest.approx(30340)
    gaps = book["Gaps"]
    heads = {c.value: i for i, c in enumerate(gaps[2], start=1)}
    labels = {c.label for c in demo_assessment.config.categories.values()}
    kinds = {gaps.cell(row=r, column=heads["Kind of help"]).value for r in range(3, 200)}
    assert kinds <= labels and len(kinds) > 1  # labels, not keys
    flags = {gaps.cell(row=r, column=heads["Within reach (yes/no)"]).value for r in range(3, 200)}
    assert flags <= {"Yes", "No"}
    share = gaps.cell(row=3, column=heads["Places a year (per 1,000 children)"])
    assert share.number_format == "#,##0.0" and share.data_type == "n"
    comparison = book["District comparison"]
    heads = {c.value: i for i, c in enumerate(comparison[2], start=1)}
    rows = range(3, comparison.max_row + 1)
    measures = {comparison.cell(row=r, column=heads["Measure"]).value for r in rows}
    assert "Children within reach (%)" in measures
    assert not any(m and "_" in m for m in measures)


def test_the_workbook_about_sheet_credits_the_sources(folder):
    about = load_workbook(folder / "commissioners.xlsx")["About"]
    text = [str(c.value) for row in about.iter_rows() for c in row if c.value]
    assert any("Fictional data made by earlyhelp" in t for t in text)
    assert any("Open Government Licence v3.0" in t for t in text)
    assert any(t.startswith("Sheet: Gaps") for t in text)
    assert any("NOT FOR PUBLICATION" in t for t in text)


@pytest.mark.parametrize("streamed", [False, True])
def test_the_workbook_writes_numbers_text_and_missing_values_as_excel_expects(
    tmp_path, monkeypatch, streamed
):
    """The same cells whether the workbook is held in memory (texts written once each)
    or streamed (a workbook of more than STREAM_ABOVE_CELLS cells)."""
    from earlyhelp.outputs import workbook as workbook_module

    if streamed:
        monkeypatch.setattr(workbook_module, "STREAM_ABOVE_CELLS", 0)
    frame = pd.DataFrame(
        {
            "district_name": ["North", "=cmd()", None],
            "children": ["12", "*", "30"],  # a suppressed column: text in, numbers out
            "pct_lower": [12.34, np.nan, 50.0],
            "within_reach": [True, False, None],
            "category": ["parenting", "youth_work", pd.NA],
        }
    )
    frame.attrs["publishable"] = True
    path = write_workbook({"t": frame}, tmp_path / "t.xlsx", labels={"parenting": "Parents"})
    sheet = load_workbook(path)["T"]
    assert [c.value for c in sheet[1]] == [
        "District",
        "Children",
        "Lower 95% confidence limit (%)",
        "Within reach (yes/no)",
        "Kind of help",
    ]
    assert sheet["A3"].value == "'=cmd()"  # shown as text, never run
    assert sheet["B2"].value == 12 and sheet["B2"].number_format == "#,##0"
    assert sheet["B3"].value == "*" and sheet["B3"].data_type == "s"
    assert sheet["C3"].value is None and sheet["C2"].number_format == "0.0"
    assert [sheet["D2"].value, sheet["D3"].value] == ["Yes", "No"]
    assert [sheet["E2"].value, sheet["E3"].value] == ["Parents", "youth_work"]
    assert sheet.auto_filter.ref == "A1:E4" and sheet.freeze_panes == "B2"


# ------------------------------------------------------------------------- GeoPackage


def test_the_geopackage_says_per_1000_and_percent_as_the_tables_do(folder):
    areas = gpd.read_file(folder / "results.gpkg", layer="areas").set_index("area_code")
    assert not [c for c in areas.columns if c.startswith(("e2sfca", "share_"))]
    gaps = pd.read_csv(folder / "tables" / f"gaps{UNPUBLISHED_SUFFIX}.csv")
    one = gaps[gaps["category"] == "parenting"].set_index("area_code")["places_per_1000"]
    assert np.allclose(areas.loc[one.index, "places_per_1000__parenting"], one)
    assert areas["pct_within_reach__parenting"].between(0, 100).all()
    assert areas["pct_within_reach__parenting"].max() == 100


def test_the_geopackage_opens_styled_in_qgis(folder):
    from earlyhelp.publish.maps import _PRIORITY_COLOURS
    from earlyhelp.publish.qgis import PRIORITY_COLOURS
    from earlyhelp.sufficiency import PRIORITY_CLASSES

    assert PRIORITY_COLOURS == _PRIORITY_COLOURS  # the map's colours, in QGIS
    styles = gpd.read_file(folder / "results.gpkg", layer="layer_styles")
    defaults = styles[styles["useAsDefault"].astype(bool)]
    assert set(defaults["f_table_name"]) == {"areas", "districts", "services"}
    assert (styles["f_geometry_column"] == "geom").all()
    areas = gpd.read_file(folder / "results.gpkg", layer="areas")
    assert set(areas["priority"].dropna()) <= set(PRIORITY_CLASSES)
    for qml in styles["styleQML"]:
        root = ET.fromstring(qml.split(">", 1)[1])  # after the DOCTYPE
        assert root.tag == "qgis" and root.find("renderer-v2") is not None
    priority = ET.fromstring(
        defaults.set_index("f_table_name").loc["areas", "styleQML"].split(">", 1)[1]
    )
    renderer = priority.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "priority"
    assert [c.get("value") for c in renderer.iter("category")] == list(PRIORITY_CLASSES)
    services = ET.fromstring(
        defaults.set_index("f_table_name").loc["services", "styleQML"].split(">", 1)[1]
    )
    rules = [r.get("label") for r in services.iter("rule")]
    assert "Parenting programmes" in rules


# ---------------------------------------------------------------------- attribution


def test_attribution_defaults_credit_the_sources_the_importers_read(tiny):
    cfg = load_config(tiny.config)
    lines = cfg.attribution_lines(year=2025)
    assert "Contains OS data © Crown copyright and database right 2025" in lines
    assert any("Office for National Statistics" in line for line in lines)
    assert any("MHCLG" in line for line in lines)
    assert any("Open Government Licence v3.0" in line for line in lines)
    assert any("Royal Mail" in line for line in lines)  # the tiny county has postcodes


def test_attribution_is_configured_once_and_checked(tiny):
    tiny.set_config('\n[attribution]\nstatements = ["Source: our own survey, {year}"]\n')
    cfg = load_config(tiny.config)
    assert cfg.attribution_lines(year=2024) == ["Source: our own survey, 2024"]
    tiny.set_config('\n[attribution]\nlicence_url = "javascript:alert(1)"\n')
    with pytest.raises(ConfigError, match=r"licence_url = .* is not a web address"):
        load_config(tiny.config)


def test_every_header_names_its_unit():
    assert column_format("spend_per_child").header == "Spend per child (GBP)"
    assert column_format("lower_99_8", table="funnel").header == "Lower 99.8% control limit (%)"
    assert column_format(
        "distance__parenting", cost_unit="m", labels={"parenting": "P"}
    ).header == ("Distance to the nearest service: P (m)")
    assert column_format("places_per_1000__parenting").header.endswith("(per 1,000 children)")
