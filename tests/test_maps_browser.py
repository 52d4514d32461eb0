"""Board maps in a real browser (Debian's chromium through playwright), with no network.

Every request that is not for a local file is refused, so these tests also prove that a
self-contained map needs nothing from outside. Hostile service and area names are drawn
into the map; a tripwire (``window.__pwned``, ``alert``) and a dialog handler catch any
that runs, and each must show as its literal text. A screenshot is left in
tests/artifacts/board_map.png for people to look at.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import ARTIFACTS, OfflinePage
from synthetic import HOSTILE_TEXT, synthetic_county

from earlyhelp.config import MapConfig
from earlyhelp.maps import board_map, save_map
from earlyhelp.maps.controls import attribution_html

N_SERVICES = len(HOSTILE_TEXT) + 9


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def county():
    county = synthetic_county(6, 6, services=N_SERVICES, names=HOSTILE_TEXT)
    areas = county.areas.copy()
    areas.loc["E01000002", "area_name"] = HOSTILE_TEXT[1]  # an area with a hostile name
    categories = dict(county.categories)  # and a category label
    categories["family_support"] = replace(categories["family_support"], label=HOSTILE_TEXT[9])
    return replace(county, categories=categories), areas


@pytest.fixture(scope="module")
def hostile_places(tmp_path_factory, county):
    """The gazetteer of the synthetic county, every place named with hostile text, read
    from a CSV as a user's file would be (through earlyhelp.publish.gazetteer)."""
    from earlyhelp.config import Config
    from earlyhelp.publish.gazetteer import gazetteer

    _, areas = county
    x0, y0, x1, y1 = areas.total_bounds
    rows = [
        {
            "name": text,
            "kind": "town" if i % 2 else "village",
            "easting": x0 + (x1 - x0) * (i + 1) / (len(HOSTILE_TEXT) + 2),
            "northing": (y0 + y1) / 2,
        }
        for i, text in enumerate(HOSTILE_TEXT)
    ]
    path = tmp_path_factory.mktemp("places") / "places.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return gazetteer(Config(map=MapConfig(gazetteer=path, tiles="")), areas)


@pytest.fixture(scope="module")
def map_file(tmp_path_factory, county, hostile_places):
    county, areas = county
    m = board_map(
        areas,
        county.services,
        layers=county.layers,
        categories=county.categories,
        map_cfg=MapConfig(tiles=""),
        title="Early help and need",
        subtitle="A synthetic county",
        data_date="March 2026",
        details={"nearest_help": "Nearest help"},
        places=hostile_places,
        attribution=attribution_html(
            [HOSTILE_TEXT[0], "Contains OS data © Crown copyright and database right 2025"],
            licence=HOSTILE_TEXT[8],
            licence_url='javascript:alert(1)"',
            publisher=HOSTILE_TEXT[1],
        ),
    )
    return save_map(m, tmp_path_factory.mktemp("maps") / "board.html", self_contained=True)


class Page(OfflinePage):
    """A board map, opened offline once its layers are drawn."""

    def __init__(self, browser, path: Path):
        super().__init__(browser, path, ready="window.earlyhelp && window.earlyhelp.ready")

    def visible_legends(self) -> list[str]:
        return self.js(
            """() => [...document.querySelectorAll('.eh-legend')]
                .filter(el => el.offsetParent !== null)
                .map(el => el.querySelector('.eh-legend-title').textContent)"""
        )


@pytest.fixture
def page(browser, map_file):
    opened = Page(browser, map_file)
    yield opened
    opened.page.close()


def test_map_draws_offline_without_errors(page, county):
    county, areas = county
    assert page.errors == []
    assert page.requests == []  # nothing asked of the network
    paths = page.js("document.querySelectorAll('.leaflet-overlay-pane path').length")
    assert paths == len(areas)
    markers = page.js("window.earlyhelp.cluster.getLayers().length")
    assert markers == len(county.services)
    assert page.js("document.querySelector('h1').textContent") == "Early help and need"
    facts = page.js("document.querySelector('.eh-facts').textContent")
    assert "March 2026" in facts and "Counts from 1 to 5 are not shown" in facts
    assert page.js("document.querySelectorAll('.eh-district-label').length") == 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "board_map.png"))


def test_choosing_a_layer_switches_the_legend_and_colours(page, county):
    county, _ = county
    first, second = county.layers[0].label, county.layers[1].label
    assert page.visible_legends() == [first]
    fill = "document.querySelector('.leaflet-overlay-pane path').getAttribute('fill')"
    before = [
        page.js(
            "[...document.querySelectorAll('.leaflet-overlay-pane path')]"
            ".map(p => p.getAttribute('fill'))"
        )
    ]
    page.page.get_by_label(second).check()
    assert page.visible_legends() == [second]
    after = [
        page.js(
            "[...document.querySelectorAll('.leaflet-overlay-pane path')]"
            ".map(p => p.getAttribute('fill'))"
        )
    ]
    assert before != after and page.js(fill)
    page.page.get_by_label(county.layers[-1].label).check()  # the categorical layer
    assert page.visible_legends() == [county.layers[-1].label]
    assert page.errors == []


def test_hovering_an_area_says_its_value_in_words(page, county):
    page.js("() => { window.earlyhelp.areas.byIndex[0].openTooltip(); }")
    tip = page.js("document.querySelector('.leaflet-tooltip').textContent")
    assert "Area 001" in tip and "Children aged 0 to 19:" in tip


def test_search_finds_an_area_and_a_service(page):
    box = page.page.get_by_label("Find a place, postcode, area or service")
    box.fill("area 007")
    results = page.page.locator("#eh-search-results button")
    assert results.first.text_content().startswith("Area 007")
    box.press("Enter")
    page.page.wait_for_selector(".leaflet-popup-content")
    assert page.js("document.querySelector('.leaflet-popup-content h3').textContent") == "Area 007"
    box.fill("service 020")
    results.first.click()
    page.page.wait_for_function(
        "document.querySelector('.leaflet-popup-content h3')"
        " && document.querySelector('.leaflet-popup-content h3').textContent === 'Service 020'"
    )
    assert page.errors == []


def test_unticking_a_category_hides_its_services(page, county):
    county, _ = county
    label = county.categories["domestic_abuse"].label
    only = sum(cats == ["domestic_abuse"] for cats in county.services["categories"])
    total = page.js("window.earlyhelp.cluster.getLayers().length")
    page.page.get_by_label(label).uncheck()
    assert page.js("window.earlyhelp.cluster.getLayers().length") == total - only
    page.page.get_by_label(label).check()
    assert page.js("window.earlyhelp.cluster.getLayers().length") == total


def test_hostile_names_show_as_text_and_never_run(page, county):
    county, _ = county
    names = page.js("window.earlyhelp.serviceNames.length")
    for i, text in enumerate(HOSTILE_TEXT):
        assert i < names
        page.js("(i) => { window.earlyhelp.showService(i); }", i)
        page.page.wait_for_function(
            "(i) => window.earlyhelp.serviceMarkers[i].isPopupOpen()", arg=i, timeout=5000
        )
        heading = page.js(
            "(i) => window.earlyhelp.serviceMarkers[i].getPopup().getElement()"
            ".querySelector('h3').textContent",
            i,
        )
        assert heading == _normal(text)
        page.js("(i) => { window.earlyhelp.serviceMarkers[i].openTooltip(); }", i)
        tooltip = page.js(
            "(i) => window.earlyhelp.serviceMarkers[i].getTooltip().getElement().textContent", i
        )
        assert tooltip == _normal(text)
    # the hostile area name, in its tooltip and popup
    area_tip = page.js(
        """() => {
            const area = window.earlyhelp.areas.byIndex[1];
            area.openTooltip();
            return area.getTooltip().getElement().textContent;
        }"""
    )
    assert _normal(HOSTILE_TEXT[1]) in area_tip
    page.page.get_by_label("Find a place, postcode, area or service").fill("img src")
    page.page.locator("#eh-search-results button", has_text="small area in").first.click()
    area_popup = """() => {
        const popup = window.earlyhelp.areas.byIndex[1].getPopup();
        return popup.isOpen() ? popup.getElement().querySelector("h3").textContent : null;
    }"""
    page.page.wait_for_function(area_popup, timeout=5000)
    assert page.js(area_popup) == _normal(HOSTILE_TEXT[1])
    layer_list = page.js("document.querySelector('.leaflet-control-layers').textContent")
    assert _normal(HOSTILE_TEXT[9]) in layer_list
    # hostile place names: found by the search and written on the map as text
    for i in (0, 1, 3, 7, 10):
        box = page.page.get_by_label("Find a place, postcode, area or service")
        box.fill(HOSTILE_TEXT[i])
        found = page.page.locator("#eh-search-results button").all_text_contents()
        assert any(t.startswith(_normal(HOSTILE_TEXT[i])) for t in found), (i, found)
    page.js("() => { window.earlyhelp.map.setZoom(12); }")
    labels = page.js("[...document.querySelectorAll('.eh-place-label')].map(e => e.textContent)")
    assert _normal(HOSTILE_TEXT[0]) in labels and _normal(HOSTILE_TEXT[1]) in labels
    credit = page.js("document.querySelector('.leaflet-control-attribution').textContent")
    assert _normal(HOSTILE_TEXT[0]) in credit and "Crown copyright" in credit
    assert page.js("document.querySelectorAll('.leaflet-control-attribution a').length") == 1
    assert page.js("window.__pwned") is False
    assert page.dialogs == []
    assert page.errors == []
    assert page.requests == []  # not even <img src=x> was fetched


@pytest.fixture(scope="module")
def demo_run_dir(demo_assessment, demo_run_folder):
    """The demo county run end to end, as `earlyhelp run` writes it."""
    return demo_assessment, demo_run_folder


def test_the_demo_board_map_draws_offline_and_answers_a_board_member(browser, demo_run_dir):
    assessment, folder = demo_run_dir
    page = Page(browser, folder / "index.html")
    try:
        assert page.errors == [] and page.requests == []
        paths = page.js("document.querySelectorAll('.leaflet-overlay-pane path').length")
        # every area once; district boundaries and centres' reach areas are drawn as well
        areas = page.js("window.earlyhelp.areas.byIndex.length")
        assert areas == len(assessment.areas) and paths >= areas
        services = assessment.services
        shown = services[(services["status"] != "closed") & services.geometry.notna()]
        assert page.js("window.earlyhelp.cluster.getLayers().length") == len(shown)
        assert page.visible_legends() == ["Priority gaps"]
        page.page.get_by_label("Need index (0-100)").check()
        assert page.visible_legends() == ["Need index (0-100)"]
        box = page.page.get_by_label("Find a place, postcode, area or service")
        name = assessment.areas["area_name"].iloc[0]
        box.fill(name)
        box.press("Enter")
        page.page.wait_for_selector(".leaflet-popup-content")
        assert page.js("document.querySelector('.leaflet-popup-content h3').textContent") == name
        assert page.errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / "demo_board_map.png"))
    finally:
        page.page.close()


def test_the_demo_report_links_to_the_board_map(demo_run_dir):
    _, folder = demo_run_dir
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert 'href="index.html"' in report
    size_mb = (folder / "index.html").stat().st_size / 1e6
    assert size_mb < 5  # the limit, assets included
