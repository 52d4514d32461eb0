"""The one publishing stage: every command's folder is written by write_product, and the
board report shows the siting and scenario results made for its run."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.disclosure import suppress
from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.publish.folder import (
    PUBLISHED,
    UNPUBLISHED,
    Product,
    ReportSection,
    related_sections,
    write_product,
)

runner = CliRunner()


def _section(children: float) -> ReportSection:
    table = pd.DataFrame({"children": [children]}, index=pd.Index(["All"], name="site"))
    return ReportSection(
        "siting", "New sites", ("One line.",), suppress(table, count_columns=["children"])
    )


def _page(folder):
    (folder / "page.html").write_text("<p>hi</p>", encoding="utf-8")
    return {"page.html": "a page"}


def test_a_product_folder_lists_every_file_and_whether_it_may_be_published(tiny, tmp_path):
    cfg = load_config(tiny.config)
    analyst = pd.DataFrame({"area": ["a", "b"], "children": [3, 40]})
    published = suppress(analyst.set_index("area"), count_columns=["children"])
    product = Product(
        "site",
        cfg,
        tables={"analyst": analyst, "published": published},
        pages=(_page,),
        report=_section(120.0),
    )
    folder = write_product(product, tmp_path / "out")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["command"] == "site"
    assert manifest["outputs"]["tables/analyst_NOT_FOR_PUBLICATION.csv"] == UNPUBLISHED
    assert manifest["outputs"]["tables/published.csv"] == PUBLISHED
    assert manifest["outputs"]["page.html"] == "a page"
    assert manifest["outputs"]["report_section.json"].startswith(PUBLISHED)
    # the status is in the name (and the manifest), never a line inside the file
    assert not (folder / "tables" / "analyst.csv").exists()
    analyst_csv = folder / "tables" / "analyst_NOT_FOR_PUBLICATION.csv"
    assert analyst_csv.read_text().startswith("area,children")
    assert (folder / "tables" / "published.csv").read_text().startswith("area,children")
    notes = (folder / "tables" / "README.txt").read_text(encoding="utf-8")
    assert "analyst_NOT_FOR_PUBLICATION.csv" in notes and "Status: NOT FOR PUBLICATION" in notes
    assert "published.csv" in notes and "Status: may be published" in notes
    back = ReportSection.from_dict(json.loads((folder / "report_section.json").read_text()))
    assert back.lines == ("One line.",) and back.table.loc["All", "children"] == "120"


def test_a_report_section_with_a_small_count_is_refused_before_anything_is_written(tiny, tmp_path):
    cfg = load_config(tiny.config)
    raw = ReportSection("siting", "New sites", (), pd.DataFrame({"children": [3]}))
    with pytest.raises(EarlyHelpError, match="small-number suppression"):
        write_product(Product("site", cfg, report=raw), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_product_never_writes_into_the_folder_of_its_inputs(tiny):
    cfg = load_config(tiny.config)
    with pytest.raises(InputError, match="would overwrite the input"):
        write_product(Product("run", cfg), tiny.root)


def test_a_section_edited_to_show_a_small_count_is_refused_when_read_back(tiny, tmp_path):
    cfg = load_config(tiny.config)
    folder = write_product(Product("site", cfg, report=_section(120.0)), tmp_path / "x")
    path = folder / "report_section.json"
    data = json.loads(path.read_text())
    data["rows"][0][1] = "3"
    path.write_text(json.dumps(data))
    back = ReportSection.from_dict(data)
    from earlyhelp.disclosure import is_publishable

    assert not is_publishable(back.table)


def test_the_report_shows_the_siting_and_scenario_results_made_for_its_run(tiny):
    config = str(tiny.config)
    assert runner.invoke(app, ["run", "--config", config]).exit_code == 0
    site = runner.invoke(app, ["site", "--config", config, "--category", "parenting"])
    assert site.exit_code == 0, site.output
    scenario = runner.invoke(app, ["scenario", "--config", config, "--close", "S2"])
    assert scenario.exit_code == 0, scenario.output
    report = runner.invoke(app, ["report", "--config", config])
    assert report.exit_code == 0, report.output
    html = (tiny.root / "out" / "tiny" / "report.html").read_text(encoding="utf-8")
    assert 'data-section="siting"' in html and 'data-section="siting-not-run"' not in html
    assert 'data-section="scenario"' in html and 'data-section="scenarios-not-run"' not in html
    manifest = json.loads((tiny.root / "out" / "tiny" / "manifest.json").read_text())
    assert manifest["outputs"]["report.html"].startswith("published")


def test_results_made_from_other_inputs_are_left_out_and_said_to_be(tiny):
    config = str(tiny.config)
    assert runner.invoke(app, ["run", "--config", config]).exit_code == 0
    assert (
        runner.invoke(app, ["site", "--config", config, "--category", "parenting"]).exit_code == 0
    )
    services = tiny.read("services.csv")
    services.loc[0, "capacity"] = "999"
    tiny.write("services.csv", services)
    cfg = load_config(tiny.config)
    from earlyhelp.loading import load_inputs

    sections, notes = related_sections(
        tiny.root / "out" / "tiny", cfg=cfg, inputs=load_inputs(cfg).records
    )
    assert sections == []
    assert len(notes) == 1 and "tiny-site-parenting" in notes[0] and "other input files" in notes[0]
