"""The loaders on real published Hampshire data (skipped where ../shared/realdata is absent)."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from earlyhelp.config import load_config
from earlyhelp.errors import ValidationFailed
from earlyhelp.loading import load_inputs

CONFIG = """
[run]
name = "hampshire"
output_dir = "out"

[areas]
path = "{root}/boundaries/{areas}"
[areas.columns]
area_code = "{code}"
district_code = "{district}"

[need]
path = "{root}/population/hampshire_pop_mid2020_lsoa11_age0_19.csv"
[need.columns]
area_code = "lsoa11cd"
pop_0_4 = "pop_0_4"
pop_5_10 = "age_5+age_6+age_7+age_8+age_9+age_10"
pop_11_15 = "age_11+age_12+age_13+age_14+age_15"
pop_16_17 = "age_16+age_17"
pop_18_19 = "age_18+age_19"

[services]
path = "{root}/services/hampshire_gias_open_establishments_20250524.csv"
category = "early_education"
outside_study_area = "drop"
[services.columns]
service_id = "urn"
name = "establishment_name"

[centres]
path = ""

[postcodes]
path = ""

[categories.early_education]
label = "Early education"
"""


def write_config(tmp_path, realdata, *, vintage: str):
    areas, code, district = {
        "2011": ("hampshire_lsoa11_bgc.geojson", "lsoa11cd", "lad13cd"),
        "2021": ("hampshire_lsoa21_bsc.geojson", "lsoa21cd", "lad24cd"),
    }[vintage]
    path = tmp_path / "config.toml"
    path.write_text(
        CONFIG.format(root=realdata, areas=areas, code=code, district=district), "utf-8"
    )
    return load_config(path)


def test_hampshire_2011_lsoas_with_mid_2020_ages_and_schools(tmp_path, realdata):
    inputs = load_inputs(write_config(tmp_path, realdata, vintage="2011"))
    assert len(inputs.areas) == 1105
    assert inputs.areas["district_code"].nunique() == 13
    assert inputs.areas.crs.to_epsg() == 27700
    assert inputs.areas.geometry.is_valid.all()  # two invalid polygons repaired
    # the README's published total of children aged 0-19
    assert (
        inputs.need[["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]].to_numpy().sum()
        == 424_770
    )
    warnings = [p.line() for p in inputs.report.warnings]
    repaired = [w for w in warnings if "invalid boundary(ies) were repaired" in w]
    assert len(repaired) == 1 and "area E01022519: its outline touches itself" in repaired[0]
    # the one Surrey school lies outside the study area and is dropped, by name
    outside = [w for w in warnings if "outside the study area" in w]
    assert len(outside) == 1 and "1 service(s)" in outside[0]
    assert len(inputs.services) == 765
    # GIAS easting/northing and the file's own 2021 LSOA agree for nearly every school
    bounds = inputs.areas.total_bounds
    assert inputs.services.geometry.x.between(bounds[0] - 1000, bounds[2] + 1000).all()


def test_2011_coded_need_on_2021_boundaries_is_refused_with_the_bridge(tmp_path, realdata):
    with pytest.raises(ValidationFailed) as info:
        load_inputs(write_config(tmp_path, realdata, vintage="2021"))
    lines = [p.line() for p in info.value.report.errors]
    assert len(lines) == 1
    assert lines[0].startswith(
        "hampshire_pop_mid2020_lsoa11_age0_19.csv, field 'area_code': the need file looks "
        "2011-coded: 28 LSOA codes"
    )
    assert "ONS LSOA 2011 to 2021 lookup" in lines[0]


def test_need_read_straight_from_the_published_layout_with_format(tmp_path, realdata):
    """format = "population" reads the ONS single-year file as published: no band mapping."""
    text = CONFIG.format(
        root=realdata, areas="hampshire_lsoa11_bgc.geojson", code="lsoa11cd", district="lad13cd"
    )
    start = text.index("[need.columns]")
    end = text.index("[services]")
    text = text[:start] + 'format = "population"\n\n' + text[end:]
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    inputs = load_inputs(load_config(path))
    bands = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]
    assert inputs.need[bands].to_numpy().sum() == 424_770


def test_a_format_in_the_wrong_section_is_refused(tmp_path):
    from earlyhelp.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text('[services]\nformat = "iod"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"format = 'iod' in \[services\] reads need"):
        load_config(path)
    path.write_text('[services]\nformat = "openreferal"\n', "utf-8")
    with pytest.raises(ConfigError, match="did you mean 'openreferral'"):
        load_config(path)


def test_the_whole_run_on_real_hampshire_data(tmp_path, realdata):
    """An analyst's first run on the real files: every output written, the children of
    the published mid-2020 estimates conserved into the district summary and the map."""
    from earlyhelp.assessment import assess
    from earlyhelp.publish.folder import write_product
    from earlyhelp.publish.run import run_product

    cfg = write_config(tmp_path, realdata, vintage="2011")
    run = assess(cfg)
    summary = run.sufficiency.summary
    assert summary.loc["County", "children"] == 424_770
    assert len(summary) == 14  # 13 districts and the county
    folder = write_product(run_product(run), tmp_path / "run")
    names = {p.name for p in folder.iterdir()}
    assert {"index.html", "report.html", "results.gpkg", "commissioners.xlsx"} <= names
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Portsmouth" in page and '<script src="http' not in page


ROUTE_CONFIG = """
[run]
name = "hampshire"
output_dir = "out"
description = "Hampshire"

[areas]
path = "{root}/boundaries/hampshire_lsoa21_bsc.geojson"
[areas.columns]
area_code = "lsoa21cd"
area_name = "lsoa21nm"
district_code = "lad24cd"
district_name = "lad24nm"

[need]
path = "need.csv"

[services]
path = "{root}/services/hampshire_gias_open_establishments_20250524.csv"
category = "early_education"
outside_study_area = "drop"
[services.columns]
service_id = "urn"
name = "establishment_name"

[indicators.idaci]
column = "idaci_decile"
label = "Income deprivation affecting children (IDACI 2025)"
kind = "decile"
categories = ["parenting", "childrens_centre"]

[sufficiency]
high_need = "indicator_deciles"
high_need_indicator = "idaci"
high_need_deciles = 3
"""


def _shipped_categories() -> str:
    """The [categories.*] sections of the shipped config.toml, as the README says to keep."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "config.toml").read_text("utf-8")
    start = text.index("\n[categories.") + 1
    end = text.index("\n# JSNA indicators")
    return text[start:end]


def test_the_readme_route_says_what_it_cannot_judge(tmp_path, realdata, monkeypatch):
    """The README's route on the real Hampshire files, followed literally: twelve kinds of
    help from the shipped config, services (schools as early education) for one. The
    report and map say which kinds have no data and draw no conclusion about them."""
    import json

    from typer.testing import CliRunner

    from earlyhelp.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    pop = realdata / "population"
    steps = [
        ["import", "population", str(pop / "hampshire_census2021_lsoa21_age6.csv"),
         "--out", "children21.csv", "--option", "bands=pop_0_15"],
        ["import", "population", str(pop / "hampshire_pop_mid2020_lsoa11_age0_19.csv"),
         "--out", "need.csv",
         "--option", f"to_lsoa21={realdata / 'boundaries' / 'hampshire_lookup_lsoa11_lsoa21.csv'}",
         "--option", "lsoa21_weights=children21.csv"],
        ["import", "iod", str(realdata / "deprivation" / "hampshire_iod2025_lsoa21.csv"),
         "--out", "need.csv", "--join", "need.csv"],
    ]  # fmt: skip
    for step in steps:
        result = runner.invoke(app, step)
        assert result.exit_code == 0, result.output
    config = tmp_path / "config.toml"
    config.write_text(ROUTE_CONFIG.format(root=realdata) + _shipped_categories(), "utf-8")
    run = runner.invoke(app, ["run", "--config", str(config)])
    assert run.exit_code == 0, run.output
    folder = tmp_path / "out" / "hampshire"

    kinds = pd.read_csv(folder / "tables" / "kinds_of_help.csv", dtype=str).set_index("category")
    unknown = kinds.drop(index="early_education")
    assert (unknown["children_unknown"] == unknown["children"]).all()
    assert unknown["unknown_because"].str.contains("no active service of this kind").all()
    # schools give no capacity: reach is judged (some children are out of reach), places
    # are not (unknown, never "too few places" from a count of 1 place per school)
    early = kinds.loc["early_education"]
    assert int(early["children_out_of_reach"]) > 0 and early["children_too_few_places"] == "0"
    assert "capacity not given" in early["unknown_because"]

    report = (folder / "report.html").read_text("utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(report)).split())
    assert "No conclusion is drawn about 11 of the 12 kinds of help" in text
    assert "services in reach gave no capacity: Early education" in text
    for label in ("Children's centre or family hub", "Domestic abuse support", "Youth work"):
        assert label in text.split("No conclusion is drawn about", 1)[1].split(".", 1)[0]
    # nothing claims the full core range, or adequate places, for kinds with no services
    assert "live where every core kind of early help is within reach" not in text
    assert "cannot be said for the county" in text
    assert "national deciles 1 to 3" in text

    page = (folder / "index.html").read_text("utf-8")
    classes = set(re.findall(r'"priority": ?"([a-z ,]+)"', page))
    assert classes and "sufficient" not in classes  # unknown is never drawn as sufficient
    assert "unknown" in classes
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["outputs"]["tables/kinds_of_help.csv"].startswith("published")
