"""The board report: its figures equal the results tables, small numbers never show,
outside text stays text, and it renders in a real browser with no network at all.

Browser tests drive Debian's chromium through playwright with every request that is not
for a local file refused; a tripwire (``window.__pwned``, ``alert``) catches any script
that runs. A screenshot of the demo county's report is left in tests/artifacts/report.png.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import ARTIFACTS, OfflinePage
from typer.testing import CliRunner

from earlyhelp.assessment import assess
from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.disclosure import suppress
from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.publish.folder import ReportSection
from earlyhelp.publish.report import build_report, write_report
from earlyhelp.publish.tables import run_publication

WHEN = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)
HOSTILE = (
    "<script>window.__pwned = true</script>",
    '<img src=x onerror="window.__pwned=true">',
    "<svg onload=alert(1)>",
    "Sure Start {{ 7*7 }} {% if true %}yes{% endif %}",
    'Quote" onmouseover="alert(1)',
    "</title></svg><script>window.__pwned=true</script>",
    "Tots & Teens <b>bold</b>",
)

runner = CliRunner()


def text_of(html: str) -> str:
    """The visible text of an HTML page (tags dropped, entities decoded, spaces joined)."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, name
    return unescape(found.group(1))


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo(demo_assessment):
    return demo_assessment


@pytest.fixture(scope="module")
def demo_report(demo, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("run")
    links = {"county": "index.html", "X07000003": folder / "district-X07000003.html"}
    return write_report(demo, folder / "report.html", map_links=links, generated=WHEN)


class Page(OfflinePage):
    """The report, opened offline: it may load no file but itself, and a console warning
    counts as an error."""

    def __init__(self, browser, path: Path, *, width: int = 1100):
        super().__init__(
            browser,
            path,
            width=width,
            height=900,
            files_allowed=lambda url: url.endswith(".html"),
            console=("error", "warning"),
        )

    def text(self, selector: str) -> str:
        return " ".join(self.page.locator(selector).first.inner_text().split())


@pytest.fixture
def demo_page(browser, demo_report):
    page = Page(browser, demo_report)
    yield page
    page.page.close()


# ---------------------------------------------------------------------------- figures


def test_headline_figures_equal_the_results_tables(demo, demo_report):
    html = demo_report.read_text(encoding="utf-8")
    summary = demo.sufficiency.summary
    county = summary.loc["County"]
    table = run_publication(demo).table("district_summary")
    published = table.loc["County"]
    assert figure(html, "county-children") == f"{int(county['children']):,}"
    assert figure(html, "county-children") == f"{int(published['children']):,}"
    assert figure(html, "county-pct-full-range") == f"{county['pct_full_core_range']:.1f}%"
    assert figure(html, "county-pct-full-range") == f"{published['pct_full_core_range']}%"
    assert figure(html, "county-pct-lower") == f"{county['pct_lower']:.1f}%"
    assert figure(html, "county-pct-upper") == f"{county['pct_upper']:.1f}%"
    lower = (summary.drop(index="County")["vs_county"] == "lower").sum()
    assert figure(html, "districts-lower") == str(lower)
    assert figure(html, "priority-gap-children") == f"{int(county['priority_gap_children']):,}"
    # the same numbers reach the district table, row by row
    for code, row in table.drop(index="County").iterrows():
        found = re.search(rf'<tr data-district="{code}">(.*?)</tr>', html, flags=re.S)
        cells = text_of(found.group(1))
        assert f"{int(row['children']):,}" in cells
        assert f"{row['pct_full_core_range']}%" in cells
        assert f"{row['pct_lower']}%–{row['pct_upper']}%" in cells
        assert row["vs_county"] in cells


def test_words_funnel_tables_and_map_legend_come_from_one_model(demo, demo_report, tmp_path):
    """The districts the report calls significantly lower are those outside the funnel's
    lower 95% line, drawn with the phi of the tables; the rules in the words are the
    rules in the map's legend."""
    from earlyhelp.publish.maps import board_layers
    from earlyhelp.sufficiency import high_need_rule

    text = text_of(demo_report.read_text(encoding="utf-8"))
    funnel = demo.sufficiency.funnel.set_index("district_code")
    below = set(funnel.index[funnel["value"] < funnel["lower_95"]])
    above = set(funnel.index[funnel["value"] > funnel["upper_95"]])
    summary = demo.sufficiency.summary.drop(index="County")
    assert set(summary.index[summary["vs_county"] == "lower"]) == below
    assert set(summary.index[summary["vs_county"] == "higher"]) == above
    phi = float(funnel["phi"].iloc[0])
    rows = demo.sufficiency.districts
    full = rows[rows["measure"] == "share_full_core_range"]
    assert (full["phi"] == phi).all()
    assert f"({phi:,.0f}, as for the intervals" in text  # the funnel's caption
    assert f"for the full core range, {phi:,.0f}" in text  # the method
    said = text.split("districts are significantly below the county")[1][:400]
    for code in below:
        assert summary.loc[code, "district_name"] in said
    assert "treat children as independent" not in text
    rule = high_need_rule(demo.config)
    assert rule in text
    areas = demo.areas.join(demo.require_sufficiency().need_index)
    _, layers = board_layers(
        areas.assign(
            **{f"priority__{k}": "sufficient" for k in demo.config.categories},
            children_published="*",
        ),
        demo.config,
    )
    note = next(layer.note for layer in layers if layer.column == "priority")
    assert rule in note and "Unknown" in note


def test_the_summary_names_the_planted_stories(demo, demo_report):
    html = demo_report.read_text(encoding="utf-8")
    text = text_of(html)
    summary = demo.sufficiency.summary
    lower = summary.drop(index="County").query("vs_county == 'lower'")["district_name"]
    sentence = text_of(re.search(r"<li>[^<]*significantly below the county[^<]*</li>", html)[0])
    assert sentence.startswith(f"{len(lower)} of {len(summary) - 1} districts")
    for name in lower:
        assert name in sentence
    # story 1: the thin district spends least per child
    spend = summary.drop(index="County")["spend_per_child"]
    assert spend.idxmin() == "X07000003"
    assert f"from £{spend.min():,.0f} in Gossamer Bay" in text
    # story 3: Brindlecote's estate lacks domestic abuse support (story 4, the critical
    # centre, is a closure: tests/test_scenario.py)
    gaps = re.search(r"Priority gaps ranked.*?</table>|Priority gaps ranked.*", text).group(0)
    assert "Brindlecote Domestic abuse support" in gaps
    # story 1 again: the thin district is named for too few places
    assert re.search(r"there is less of it in \d+ district\(s\).*?: Gossamer Bay \(", text)


def test_sections_follow_the_duty_and_optional_ones_say_not_run(demo_report):
    html = demo_report.read_text(encoding="utf-8")
    for section in ("summary", "range", "districts", "resourcing", "gaps", "siting", "sources"):
        assert f'id="{section}"' in html
    assert 'data-section="siting-not-run"' in html and 'data-section="scenarios-not-run"' in html
    text = text_of(html)
    assert "Recommendation 10" in text and "Recommendation 6" in text
    assert "Recommendation 4" in text
    assert "SHA-256" in text and "services.csv" in text


def test_inputs_are_listed_with_their_hashes(demo, demo_report):
    text = text_of(demo_report.read_text(encoding="utf-8"))
    for record in demo.inputs.records:
        assert record.sha256 in text
        assert Path(record.path).name in text


def test_maps_are_linked_relatively(demo_report):
    html = demo_report.read_text(encoding="utf-8")
    assert 'href="index.html"' in html
    assert 'href="district-X07000003.html"' in html  # an absolute path made relative
    assert "file://" not in html and 'href="/' not in html


def test_unsafe_map_links_are_refused(demo, tmp_path):
    for link in ("javascript:alert(1)", "https://example.org/map.html", "/etc/passwd"):
        with pytest.raises(InputError, match="relative to the report's folder"):
            build_report(demo, map_links={"county": link})


def test_no_maps_gives_a_placeholder(demo):
    html = build_report(demo, generated=WHEN)
    assert 'data-section="maps-not-drawn"' in html
    assert '<a href="index.html"' not in html


def test_the_report_has_no_script_and_fetches_nothing(demo_report):
    html = demo_report.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    tags = r"(?:img|link|iframe|source|object|embed|video|audio)"
    fetching = rf"""<{tags}\b[^>]*\b(?:src|href|data)=["']?(https?:)?//"""
    assert not re.search(fetching, html, re.I)
    # the one web address is the licence's, a link a reader may follow (it loads nothing)
    links = set(re.findall(r'href="(https?://[^"]+)"', html))
    assert links == {"https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}
    assert "@media print" in html and "break-before: page" in html


def test_the_same_inputs_give_the_same_report(demo):
    assert build_report(demo, generated=WHEN) == build_report(demo, generated=WHEN)


# ---------------------------------------------------------------------------- disclosure


def test_small_numbers_never_reach_the_report(tiny, tmp_path):
    # every district and small area of the tiny county holds 1,600 and 200 children; with
    # max_count above them every count of children must be hidden
    tiny.set_config("\n[disclosure]\nmax_count = 1700\n")
    a = assess(load_config(tiny.config))
    path = write_report(a, tmp_path / "report.html", generated=WHEN)
    html = path.read_text(encoding="utf-8")
    text = text_of(html)
    assert "1,600" not in text and "1600" not in text
    for code in ("E07000001", "E07000002"):
        row = text_of(re.search(rf'<tr data-district="{code}">(.*?)</tr>', html, re.S).group(1))
        assert row.count("*") >= 3  # children, share and its interval
    assert "Not shown (small numbers)" in text
    assert "(200 children" not in text
    areas = re.search(r"highest need with a priority gap.*?</table>", html, re.S)
    if areas:
        assert " 200 " not in text_of(areas.group(0))


def test_siting_and_scenario_sections_must_be_published_tables(demo):
    analyst = pd.DataFrame({"site": ["K001"], "children_newly_reached": [4.0]})
    raw = ReportSection("siting", "New sites", ("Two sites.",), analyst.set_index("site"))
    with pytest.raises(EarlyHelpError, match="small-number suppression"):
        build_report(demo, sections=[raw])
    published = suppress(analyst.set_index("site"), count_columns=["children_newly_reached"])
    sections = [
        ReportSection("siting", "New sites", ("Two sites.",), published),
        ReportSection("scenario", "What if", ("Closing one.",), published),
    ]
    html = build_report(demo, sections=sections, generated=WHEN)
    assert 'data-section="siting-not-run"' not in html
    assert 'data-section="scenarios-not-run"' not in html
    assert "K001" in html and ">*<" in html and "Two sites." in html


def test_an_access_only_run_is_refused(tiny):
    a = assess(load_config(tiny.config), sufficiency=False)
    with pytest.raises(EarlyHelpError, match="needs the sufficiency analysis"):
        build_report(a)


# ---------------------------------------------------------------------------- outside text


def make_hostile(tiny) -> None:
    """Put hostile text into district, area and service names and a category label."""
    areas = gpd.read_file(tiny.path("areas.geojson"))
    areas["district_name"] = areas["district_name"].map({"West": HOSTILE[0], "East": HOSTILE[1]})
    areas["area_name"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(areas))]
    areas.to_file(tiny.path("areas.geojson"), driver="GeoJSON")
    services = tiny.read("services.csv")
    services["name"] = list(HOSTILE[2:7])
    services["provider"] = HOSTILE[5]
    services["capacity"] = "10"  # every capacity known: shortfalls are gaps, not unknowns
    tiny.write("services.csv", services)
    tiny.set_config(
        # a standard no area meets: priority gaps, so the report names nearest services
        "[sufficiency]\nplaces_per_1000 = 100000\n",
        replace=(
            'label = "Parenting"',
            "label = '<b onmouseover=\"alert(1)\">Parenting</b> {{ 7*7 }}'",
        ),
    )


@pytest.fixture
def hostile_report(tiny, tmp_path) -> Path:
    make_hostile(tiny)
    a = assess(load_config(tiny.config))
    links = {"county": "index.html", "E07000001": "district-E07000001.html"}
    return write_report(a, tmp_path / "report.html", map_links=links, generated=WHEN)


def test_outside_text_is_escaped_in_the_html(hostile_report):
    html = hostile_report.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<img" not in html and "<b onmouseover" not in html and "<svg onload" not in html
    assert "&lt;script&gt;window.__pwned = true&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in unescape(html)  # Jinja syntax in data is shown, never run
    text = text_of(html)
    assert "Parenting</b> {{ 7*7 }}" in text and "Parenting</b> 49" not in text
    assert "Sure Start 49" not in text


def test_hostile_text_shows_literally_and_nothing_runs(browser, hostile_report):
    page = Page(browser, hostile_report)
    try:
        assert page.errors == [] and page.requests == [] and page.dialogs == []
        assert page.js("window.__pwned") is False
        assert page.js("document.querySelectorAll('script, img, iframe, object').length") == 0
        body = " ".join(page.page.inner_text("body").split())
        assert HOSTILE[0] in body  # a district name
        assert HOSTILE[1] in body
        assert '<b onmouseover="alert(1)">Parenting</b> {{ 7*7 }}' in body  # a config label
        assert HOSTILE[3] in body and HOSTILE[4] in body  # service names (nearest help)
        assert HOSTILE[5] in body  # an area name
        # the charts' SVG labels are text too
        svg_text = page.js(
            "[...document.querySelectorAll('svg text')].map(t => t.textContent).join('|')"
        )
        assert HOSTILE[0] in svg_text
        hover = page.page.locator("th", has_text="Parenting</b>").first
        hover.hover()
        assert page.js("window.__pwned") is False
    finally:
        page.page.close()


# ---------------------------------------------------------------------------- browser


def test_report_renders_offline_without_errors(demo, demo_page):
    page = demo_page
    assert page.errors == []
    assert page.requests == []
    assert page.dialogs == [] and page.js("window.__pwned") is False
    county = demo.sufficiency.summary.loc["County"]
    assert page.text("[data-figure=county-children]") == f"{int(county['children']):,}"
    assert page.text("[data-figure=county-pct-full-range]") == (
        f"{county['pct_full_core_range']:.1f}%"
    )
    n_lower = int((demo.sufficiency.summary["vs_county"] == "lower").sum())
    assert page.text("[data-figure=districts-lower]") == str(n_lower)
    assert page.text("[data-figure=priority-gap-children]") == (
        f"{int(county['priority_gap_children']):,}"
    )
    n_districts = len(demo.sufficiency.summary) - 1
    # dot-and-whisker: one row per district; funnel: one point per district
    assert page.js("document.querySelectorAll('#districts figure')[0]"
                   ".querySelectorAll('svg > g').length") == n_districts  # fmt: skip
    assert page.js("document.querySelectorAll('#districts figure')[1]"
                   ".querySelectorAll('svg circle').length") == n_districts  # fmt: skip
    # nothing wider than the page (tables wrap)
    assert page.js("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)


def test_report_prints_to_pdf_over_several_pages(demo_page, tmp_path):
    page = demo_page
    page.page.emulate_media(media="print")
    assert page.js("getComputedStyle(document.querySelector('nav.contents')).display") == "none"
    assert page.js("getComputedStyle(document.querySelector('#range')).breakBefore") == "page"
    pdf = page.page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 6  # a section a page, at least


# ---------------------------------------------------------------------------- command


def test_report_command_writes_into_the_run_folder_and_links_its_maps(tiny, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "index.html").write_text("<html></html>", encoding="utf-8")
    # the maps module names district maps with a lower-case safe file name
    (run / "district-e07000002.html").write_text("<html></html>", encoding="utf-8")
    result = runner.invoke(app, ["report", "--config", str(tiny.config), "--run", str(run)])
    assert result.exit_code == 0, result.output
    html = (run / "report.html").read_text(encoding="utf-8")
    assert 'href="index.html"' in html and 'href="district-e07000002.html"' in html
    assert "district-e07000001.html" not in html  # not drawn, not linked
    assert sorted(p.name for p in run.iterdir()) == [
        "district-e07000002.html",
        "index.html",
        "report.html",
    ]  # no temporary file left behind


def test_report_command_notes_a_run_folder_made_from_other_inputs(tiny):
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    services = tiny.read("services.csv")
    services.loc[0, "capacity"] = "121"
    tiny.write("services.csv", services)
    result = runner.invoke(app, ["report", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    html = (tiny.root / "out" / "tiny" / "report.html").read_text(encoding="utf-8")
    assert "made from different services files" in text_of(html)


def test_report_command_refuses_a_folder_that_holds_the_inputs(tiny):
    before = {p.name: p.read_bytes() for p in tiny.root.iterdir()}
    result = runner.invoke(app, ["report", "--config", str(tiny.config), "--run", str(tiny.root)])
    assert result.exit_code == 2
    assert "would overwrite the input" in result.output and "choose another" in result.output
    assert {p.name: p.read_bytes() for p in tiny.root.iterdir()} == before
