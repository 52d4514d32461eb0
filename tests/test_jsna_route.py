"""The JSNA route of issue 17, as an analyst types it: a long MSOA profile that covers only
some districts, and a DWP ward table, into a run without a hand pivot; the uncovered
districts named with their children; the published intervals used.

First on the tiny county (always), then on the real Hampshire files with the fixture
profile of Hampshire's 170 county MSOAs (skipped where ../shared/realdata is absent).
"""

from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from test_indicators import area, msoa_of, write_lookups, write_msoa_profile
from test_need_sources import JSNA
from typer.testing import CliRunner

from earlyhelp.cli import app

runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def report_text(folder) -> str:
    page = (folder / "report.html").read_text("utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


CONFIG_ALONE = """
[indicators.children_in_need]
label = "Children in need (MSOA profile)"
path = "jsna_msoa.csv"
format = "long"
indicator = "Children in need"
kind = "rate"
geography = "msoa"
lookup = "lsoa_msoa_ward.csv"
compare_with = "E10000099"
categories = ["domestic_abuse"]
"""

IMPORTED = """
[indicators.gld]
label = "Good level of development (MSOA profile)"
path = "msoa.csv"
column = "good_level_of_development_value"
lower = "good_level_of_development_lower"
upper = "good_level_of_development_upper"
kind = "rate"
direction = "higher_is_better"
geography = "msoa"
lookup = "lsoa_msoa_ward.csv"
categories = ["parenting"]
"""


def test_the_tiny_route_by_import_and_by_config_alone(tiny, monkeypatch):
    monkeypatch.chdir(tiny.root)
    write_lookups(tiny)
    write_msoa_profile(tiny)
    said = invoke("import", "long", "jsna_msoa.csv", "--out", "msoa.csv")
    assert "read as published, after tidying: a byte-order mark" in said
    wide = pd.read_csv(tiny.path("msoa.csv"), dtype={"area_code": str}).set_index("area_code")
    assert wide.loc["E02000004", "good_level_of_development_value"] == 72.0
    assert pd.isna(wide.loc["E02000004", "children_in_need_value"])  # absent, not 0
    tiny.set_config(CONFIG_ALONE + IMPORTED)
    checked = runner.invoke(app, ["validate", "--config", str(tiny.config)])
    assert checked.exit_code == 0, checked.output
    flat = " ".join(checked.output.split())
    assert (
        "indicator 'children_in_need' (MSOA) has no value for 4 of 16 areas (800 of 3,200 "
        "children): 4 of 8 areas in East (800 children)" in flat
    )
    assert "4 of 16 areas are scored on fewer indicators than the others" in flat
    invoke("run", "--config", str(tiny.config))
    folder = tiny.root / "out" / "tiny"
    layer = gpd.read_file(folder / "results.gpkg", layer="areas").set_index("area_code")
    for i in range(1, 17):
        m = int(msoa_of(i)[-1])
        assert layer.loc[area(i), "children_in_need__unit"] == msoa_of(i)
        assert layer.loc[area(i), "gld__interval"] == "supplied"
        if m == 4:
            assert pd.isna(layer.loc[area(i), "children_in_need__value"])
            assert layer.loc[area(i), "indicators_scored"] == 2  # cp_plans and gld
    text = report_text(folder)
    assert (
        "95% intervals as published: Children in need (MSOA profile), Good level of "
        "development (MSOA profile)" in text
    )
    assert "gives each small area the value of the one containing it" in text
    assert (
        "Compared with the published value of another area (the county or England) "
        "rather than the study area's own: Children in need (MSOA profile) (E10000099)" in text
    )
    assert "4 small areas (East) are scored on fewer than the 3 indicators" in text
    manifest = json.loads((folder / "manifest.json").read_text())
    roles = {r["role"] for r in manifest["inputs"]}
    assert {"indicator:children_in_need", "lookup:children_in_need"} <= roles


def test_areas_without_any_indicator_are_said_to_have_no_need_index(tiny):
    """MSOAs as the issue's analyst first tried: areas the file does not cover get no need
    index, and validate says so rather than showing them as no priority."""
    from earlyhelp.config import load_config
    from earlyhelp.loading import load_inputs

    write_lookups(tiny)
    write_msoa_profile(tiny)
    tiny.set_config(
        CONFIG_ALONE, replace=("[indicators.cp_plans]", "[indicators.cp_plans]\nweight = 0")
    )
    found = [p.line() for p in load_inputs(load_config(tiny.config)).report.warnings]
    fewer = next(x for x in found if "scored on fewer indicators" in x)
    assert "and 4 have no need index at all" in fewer


# --------------------------------------------------------------------------- real files


def test_the_readme_jsna_route_on_real_hampshire_files(tmp_path, realdata, monkeypatch):
    """README "Need from JSNA tables": the profile of Hampshire's 170 county MSOAs, LSOA ->
    MSOA from the ONS naming rule, and DWP's 2025 ward table through the LSOA file's own
    ward column. Portsmouth and Southampton, outside the county council's JSNA, are named
    with their children; the run scores them on the indicators they have."""
    from test_realdata import ROUTE_CONFIG, _shipped_categories

    monkeypatch.chdir(tmp_path)
    pop, lookups = realdata / "population", realdata / "lookups"
    steps = [
        ["import", "population", str(pop / "hampshire_census2021_lsoa21_age6.csv"),
         "--out", "children21.csv", "--option", "bands=pop_0_15"],
        ["import", "population", str(pop / "hampshire_pop_mid2020_lsoa11_age0_19.csv"),
         "--out", "need.csv",
         "--option", f"to_lsoa21={realdata / 'boundaries' / 'hampshire_lookup_lsoa11_lsoa21.csv'}",
         "--option", "lsoa21_weights=children21.csv"],
        ["import", "iod", str(realdata / "deprivation" / "hampshire_iod2025_lsoa21.csv"),
         "--out", "need.csv", "--join", "need.csv"],
        ["import", "ons_lookup", str(lookups / "lsoa21_wd23_lad23_hampshire.csv"),
         "--out", "lsoa_msoa.csv", "--option", "to=msoa",
         "--option", f"msoa_names={lookups / 'msoa21_wd23_lad23_hampshire.csv'}"],
    ]  # fmt: skip
    for step in steps:
        invoke(*step)
    indicators = f"""
[indicators.low_income]
label = "Children in relative low income families (MSOA profile)"
path = "{JSNA}"
format = "long"
indicator = "Children in relative low income families (under 16s)"
options = {{ measure = "Percentage" }}
kind = "rate"
geography = "msoa"
lookup = "lsoa_msoa.csv"
compare_with = "E10000014"
categories = ["money_housing_advice"]

[indicators.low_income_wards]
label = "Children in low income families after housing costs (DWP, wards)"
path = "{realdata / "poverty" / "dwp_cilif_fye2024_2025_ahc_relative_ward_hampshire.csv"}"
format = "dwp_cilif"
kind = "rate"
geography = "ward"
lookup = "{realdata / "boundaries" / "hampshire_lsoa21_bsc.geojson"}"
categories = ["money_housing_advice"]
"""
    config = tmp_path / "config.toml"
    config.write_text(
        ROUTE_CONFIG.format(root=realdata) + indicators + _shipped_categories(), "utf-8"
    )
    checked = runner.invoke(app, ["validate", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    flat = " ".join(checked.output.split())
    assert (
        "indicator 'low_income' (MSOA) has no value for 277 of 1,142 areas (111,501 "
        "of 424,770 children): none in Portsmouth (125 areas, 51,215 children) or "
        "Southampton (152 areas, 60,286 children)" in flat
    )
    assert (
        "277 of 1,142 areas are scored on fewer indicators than the others (277 on 2 of 3" in flat
    )
    assert "indicator 'low_income_wards'" not in flat  # DWP's 222 wards cover every area
    invoke("run", "--config", str(config))
    folder = tmp_path / "out" / "hampshire"
    layer = gpd.read_file(folder / "results.gpkg", layer="areas").set_index("area_code")
    portsmouth = layer[layer["district_code"] == "E06000044"]
    assert portsmouth["need_index"].notna().all()  # scored on IDACI and the DWP wards
    assert portsmouth["low_income__value"].isna().all()
    county = layer[layer["low_income__value"].notna()]
    assert set(county["low_income__interval"]) == {"supplied"}
    assert set(county["low_income__comparator"]) == {14.0}  # Hampshire, as published
    assert set(layer["low_income_wards__interval"]) == {"computed (Wilson)"}
    # every LSOA of an MSOA carries the MSOA's value, interval and comparison
    per_msoa = county.groupby("low_income__unit")[
        ["low_income__value", "low_income__lower", "low_income__compared"]
    ].nunique()
    assert (per_msoa == 1).all().all() and len(per_msoa) == 170
    text = report_text(folder)
    assert (
        "95% intervals as published: Children in relative low income families (MSOA "
        "profile);" in text
    )
    assert (
        "computed at the indicator's own geography from its count and denominator: "
        "Children in low income families after housing costs (DWP, wards)" in text
    )


@pytest.mark.parametrize("fmt", ["fingertips"])
def test_a_fingertips_export_for_counties_and_unitaries_as_a_county_indicator(
    tmp_path, realdata, fmt
):
    """OHID's 90284 (injury admissions, 0-14) for Hampshire, Portsmouth and Southampton:
    each LSOA takes its county's or unitary's rate and published interval, compared with
    England's published value, through the ONS district -> county lookup."""
    from test_realdata import write_config

    from earlyhelp.config import load_config
    from earlyhelp.loading import load_inputs

    cfg = write_config(tmp_path, realdata, vintage="2011")
    text = (
        cfg.source.read_text("utf-8")
        + f"""
[indicators.injuries]
path = "{realdata / "health" / "ohid_fingertips_90284_child_injury_admissions_hampshire.csv"}"
format = "{fmt}"
kind = "rate"
geography = "county"
lookup = "{realdata / "lookups" / "ltla23_utla23_ew.csv"}"
compare_with = "E92000001"
"""
    )
    cfg.source.write_text(text, "utf-8")
    need = load_inputs(load_config(cfg.source)).need
    hants = need[need["injuries__unit"] == "E10000014"]
    assert len(need["injuries__unit"].dropna().unique()) == 3
    assert (
        hants["injuries__value"].nunique() == 1
        and hants["injuries__interval"].iloc[0] == "supplied"
    )
    assert need["injuries__compared"].notna().all()
