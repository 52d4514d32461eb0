"""The rest of the duty on the demo county: the planted stories of README-extracts.md show
in the published tables, the maps and the board report, and nothing published reveals a
child."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from earlyhelp import commands, demo
from earlyhelp.config import load_config
from earlyhelp.errors import EarlyHelpError
from earlyhelp.publish.folder import redraw_pages
from earlyhelp.publish.run import report_page

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cfg():
    return load_config(REPO / "config.toml")


@pytest.fixture(scope="module")
def story():
    return demo.planted_extracts()


@pytest.fixture(scope="module")
def products(cfg, demo_run_folder):
    """The three products written beside the session's demo run folder."""
    parent = demo_run_folder.parent
    return {
        name: getattr(commands, name)(cfg, out=parent / f"demo-{name}")[0]
        for name in ("casework", "expertise", "benchmark")
    }


@pytest.fixture(scope="module")
def report_html(products, demo_run_folder, demo_assessment, cfg):
    redraw_pages(demo_run_folder, (report_page(demo_assessment),), cfg=cfg)
    return (demo_run_folder / "report.html").read_text(encoding="utf-8")


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)


def test_the_step_up_district_is_significantly_higher(products, story):
    districts = table(products["casework"], "casework_districts").set_index("district_code")
    higher = districts[districts["stepped_up_vs"] == "higher"].index.tolist()
    assert higher == [story["stepup_district"]]
    assert float(districts.loc[story["stepup_district"], "stepped_up_pct"]) > 30


def test_the_lead_organisation_s_families_come_back_more_often(products, story):
    leads = table(products["casework"], "casework_lead_organisations").set_index(
        "lead_organisation"
    )
    assert leads[leads["rereferred_vs"] == "higher"].index.tolist() == [story["rereferral_lead"]]


def test_the_far_settings_are_the_planted_ones(products, story, cfg):
    far = table(products["expertise"], "expertise_far_settings")
    assert sorted(far["site_id"]) == story["far_settings"]
    assert set(far["district_name"]) == {story["far_district_name"]}
    assert set(far["phone_or_online_consultation"]) == {"yes"}


def test_training_is_thin_for_the_step_up_district_s_schools(products, story):
    training = table(products["expertise"], "training_by_district").set_index("district | sector")
    row = training.loc[f"{story['stepup_district']} | education"]
    assert row["places_vs"] == "lower" and float(row["places_per_100_staff"]) < 10


def test_wyvernshire_re_refers_more_than_its_neighbours(products):
    latest = table(products["benchmark"], "benchmark_latest").set_index("indicator")
    row = latest.loc["Re-referrals within 12 months of a previous referral"]
    assert row["vs_neighbours"] == "higher"
    assert float(row["value"]) > float(row["neighbours_mean"]) + 4


def test_the_maps_and_the_benchmark_page_show_the_stories(products, story):
    casework_map = (products["casework"] / "map.html").read_text(encoding="utf-8")
    assert "Closed episodes stepped up to social care (%)" in casework_map
    assert "Step-up compared with the county" in casework_map
    assert story["stepup_district_name"] in casework_map
    expertise_map = (products["expertise"] / "map.html").read_text(encoding="utf-8")
    assert "Distance to in-person social work consultation" in expertise_map
    assert "More than 12 km from in-person social work consultation" in expertise_map
    page = (products["benchmark"] / "benchmark.html").read_text(encoding="utf-8")
    assert page.count("<section id=") == 14
    assert 'data-role="council"' in page and "<script" not in page


def test_the_board_report_shows_the_three_sections_in_section_7(report_html, story):
    offer = report_html[report_html.index('id="offer"') : report_html.index('id="sources"')]
    kinds = re.findall(r'data-section="(casework|expertise|benchmark)"', offer)
    assert kinds == ["casework", "expertise", "benchmark"]
    assert 'data-section="identification-not-run"' not in report_html
    for text in (
        story["stepup_district_name"],
        story["rereferral_lead"],
        story["far_district_name"],
        "never verdicts and never causal estimates",
        "Consultation by phone or online",
    ):
        assert text.replace("'", "&#39;") in offer or text in offer, text


def test_a_report_without_them_says_they_were_not_run(demo_assessment):
    from earlyhelp.publish.report import build_report

    html = build_report(demo_assessment)
    assert 'data-section="identification-not-run"' in html


def test_no_published_file_names_a_child(products):
    """Child references of the demo extract (C + 8 digits) appear in no output."""
    pseudonym = re.compile(r"\bC\d{8}\b")
    for folder in products.values():
        for path in folder.rglob("*"):
            if path.suffix in (".csv", ".json", ".html"):
                assert not pseudonym.search(path.read_text(encoding="utf-8")), path


def test_published_tables_and_sections_are_listed_as_published(products):
    for name, folder in products.items():
        outputs = json.loads((folder / "manifest.json").read_text())["outputs"]
        published = [k for k, v in outputs.items() if v.startswith("published")]
        assert "report_section.json" in published, name
        for path in published:
            if path.endswith(".csv"):
                assert not (folder / path).read_text(encoding="utf-8").startswith("# NOT"), path


def test_a_small_count_edited_into_a_section_is_refused(products, demo_run_folder, cfg):
    from earlyhelp.publish.folder import ReportSection
    from earlyhelp.publish.report.document import further_sections

    data = json.loads((products["casework"] / "report_section.json").read_text())
    data["rows"][0][1] = "3"
    with pytest.raises(EarlyHelpError, match="refusing to publish"):
        further_sections([ReportSection.from_dict(data)])
