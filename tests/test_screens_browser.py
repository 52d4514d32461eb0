"""The demo's board map and report on a phone, a tablet and a desktop, in a real browser.

At 390 x 844 (a phone, touch), 844 x 390 (the phone on its side), 768 x 1024 (a tablet
upright) and 1400 x 900 (a laptop): no control overlaps another or leaves the screen
(bounding boxes measured, with each panel open in turn), the page never scrolls sideways
(document width <= the screen) nor, for the map, up and down; a layer can be switched and
a place found by name (a town, and a postcode). A popup sits above every control. The
report reflows: its wide tables scroll inside themselves. Screenshots of each are left in
tests/artifacts/ (``map-390x844.png`` is the one the README shows).
"""

from __future__ import annotations

import pytest
from conftest import ARTIFACTS, OfflinePage

SCREENS = {
    "phone": (390, 844),
    "phone-side": (844, 390),  # the same phone turned on its side
    "tablet": (768, 1024),
    "desktop": (1400, 900),
}
SEARCH = "Find a place, postcode, area or service"

# Every visible Leaflet control, and each pair whose boxes meet.
OVERLAPS = """() => {
    const shown = [...document.querySelectorAll('.leaflet-control')].filter(el => {
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    });
    const pairs = [];
    for (let i = 0; i < shown.length; i++) {
        for (let j = i + 1; j < shown.length; j++) {
            const a = shown[i].getBoundingClientRect(), b = shown[j].getBoundingClientRect();
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                pairs.push([shown[i].className, shown[j].className]);
            }
        }
    }
    return pairs;
}"""
OUTSIDE = """() => [...document.querySelectorAll('.leaflet-control')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0
        && (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight);
}).map(el => el.className)"""
WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"
CHOSEN = (
    "document.querySelector('.leaflet-control-layers-base input:checked').nextSibling.textContent"
)
# Every corner of the open popup is the popup itself: no control is drawn over it.
ON_TOP = """() => {
    const popup = document.querySelector('.leaflet-popup');
    if (getComputedStyle(popup).opacity !== '1') { return false; }  // still fading in
    const r = document.querySelector('.leaflet-popup-content').getBoundingClientRect();
    return [[r.left + 8, r.top + 8], [r.right - 8, r.top + 8], [r.left + 8, r.bottom - 8],
            [r.right - 8, r.bottom - 8]].every(([x, y]) => {
        const el = document.elementFromPoint(x, y);
        return el !== null && el.closest('.leaflet-popup') !== null;
    });
}"""


class _Touch:
    """Opens pages as a phone does: a touch screen (taps, not clicks)."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []

    def new_page(self, viewport):
        context = self.browser.new_context(viewport=viewport, has_touch=True, is_mobile=True)
        self.contexts.append(context)
        return context.new_page()


@pytest.fixture(params=list(SCREENS))
def screen(request):
    return request.param


@pytest.fixture
def board(browser, demo_run_folder, screen):
    width, height = SCREENS[screen]
    opener = _Touch(browser) if _phone(screen) else browser
    page = OfflinePage(
        opener,
        demo_run_folder / "index.html",
        width=width,
        height=height,
        ready="window.earlyhelp && window.earlyhelp.ready",
    )
    yield page
    page.page.close()


def _phone(screen: str) -> bool:
    return screen.startswith("phone")


def _press(page, screen, selector):
    locator = page.page.locator(selector).first
    locator.tap() if _phone(screen) else locator.click()


def _open(page) -> dict:
    return page.js(
        """() => { const p = window.earlyhelp.panels, open = x => x &&
            !x.els[0].classList.contains('eh-closed');
            return {layers: open(p.layers), legend: open(p.legend), credit: open(p.credit)}; }"""
    )


def test_the_map_fits_the_screen_and_no_control_overlaps_another(board, screen):
    width, height = SCREENS[screen]
    assert board.errors == [] and board.requests == []
    scroll, inner = board.js(WIDTH)
    assert scroll <= inner == width  # no sideways scroll
    assert board.js("document.documentElement.scrollHeight") <= height  # nor up and down
    assert board.js(OVERLAPS) == []
    assert board.js(OUTSIDE) == []
    header = board.js("document.querySelector('.eh-header').getBoundingClientRect().height")
    assert header < 0.3 * height  # the map keeps most of the screen
    opened = _open(board)
    if _phone(screen):  # controls folded, the legend compact: the map is seen first
        assert opened == {"layers": False, "legend": False, "credit": False}
        legend = board.js("document.querySelector('.eh-legend:not([style*=\"none\"])')"
                          ".getBoundingClientRect().height")  # fmt: skip
        assert legend < 60
    else:
        assert opened == {"layers": True, "legend": True, "credit": True}
    ARTIFACTS.mkdir(exist_ok=True)
    board.page.screenshot(path=str(ARTIFACTS / f"map-{width}x{height}.png"))


@pytest.mark.parametrize("panel", ["layers", "legend", "credit"])
def test_each_panel_opened_or_folded_overlaps_nothing(board, screen, panel):
    toggles = {
        "layers": ".eh-layers-toggle",
        "legend": ".eh-legend:not([style*='none']) .eh-legend-toggle",
        "credit": ".eh-credit-toggle:visible" if _phone(screen) else None,
    }
    if toggles[panel] is None:
        pytest.skip("the attribution is always open on a larger screen")
    _press(board, screen, toggles[panel])
    opened = _open(board)
    if _phone(screen):  # one panel at a time
        assert [k for k, v in opened.items() if v] == [panel]
    else:
        assert opened[panel] is False  # folded again
    assert board.js(OVERLAPS) == []
    assert board.js(OUTSIDE) == []
    assert board.js(WIDTH)[0] <= SCREENS[screen][0]
    if _phone(screen) and panel == "credit":
        text = board.js("document.querySelector('.leaflet-control-attribution').textContent")
        assert "Open Government Licence v3.0" in text and "Fictional data" in text


def test_a_layer_can_be_switched(board, screen):
    assert board.js(CHOSEN).strip() == "Priority gaps"
    fills = (
        "[...document.querySelectorAll('.leaflet-overlay-pane path')]"
        ".map(p => p.getAttribute('fill'))"
    )
    before = board.js(fills)
    if _phone(screen):
        _press(board, screen, ".eh-layers-toggle")
    board.page.get_by_label("Need index (0-100)").check()
    assert board.js(CHOSEN).strip() == "Need index (0-100)"
    legends = board.js(
        "[...document.querySelectorAll('.eh-legend')].filter(e => e.offsetParent)"
        ".map(e => e.querySelector('.eh-legend-title').textContent)"
    )
    assert legends == ["Need index (0-100)"]
    assert board.js(fills) != before
    if _phone(screen):  # the list folds away, so the new colours are seen
        assert _open(board)["layers"] is False
    assert board.js(OVERLAPS) == [] and board.errors == []


def test_a_tap_on_the_map_never_switches_the_layer(board, screen):
    if screen != "phone":
        pytest.skip("taps are a phone's")
    width, height = SCREENS[screen]
    for x, y in ((width // 2, height // 2), (width - 40, 230), (40, height - 120)):
        board.page.touchscreen.tap(x, y)
        board.page.keyboard.press("Escape")
        assert board.js(CHOSEN).strip() == "Priority gaps"
    assert board.errors == []


def test_a_place_is_found_by_name_and_its_area_shown_above_every_control(board, screen):
    box = board.page.get_by_label(SEARCH)
    box.fill("larkspire")
    first = board.page.locator("#eh-search-results button").first
    assert first.text_content().startswith("Larkspire town in ")
    box.press("Enter")
    board.page.wait_for_selector(".leaflet-popup-content h3")
    assert board.js("window.earlyhelp.foundPlace") == "Larkspire"
    area = board.js("document.querySelector('.leaflet-popup-content h3').textContent")
    assert area.startswith("Kestrelwick ")  # the small area Larkspire lies in
    # once the map has panned to show it, nothing covers the popup
    board.page.wait_for_function(ON_TOP, timeout=5000)
    assert board.js(OVERLAPS) == []
    assert board.js(WIDTH)[0] <= SCREENS[screen][0]
    width, height = SCREENS[screen]
    board.page.screenshot(path=str(ARTIFACTS / f"map-found-{width}x{height}.png"))


def test_a_postcode_is_found_by_its_sector_or_district(board, screen):
    box = board.page.get_by_label(SEARCH)
    postcode = board.js(
        "window.earlyhelp.places.filter(p => p.k === 'postcode sector')[0].n"
    )  # a sector of the demo's fictional postcodes, such as QW1 4
    box.fill(postcode.replace(" ", "") + "ZZ")  # a whole postcode, typed without its space
    first = board.page.locator("#eh-search-results button").first
    assert first.text_content().startswith(f"{postcode} postcode sector, the nearest to ")
    district = postcode.split()[0]
    box.fill(district.lower())
    texts = board.page.locator("#eh-search-results button").all_text_contents()
    assert texts[0] == f"{district} postcode district"
    board.page.locator("#eh-search-results button").first.click()
    assert board.js("window.earlyhelp.foundPlace") == district
    assert board.errors == []


def test_a_district_is_found_by_name_or_code(board, screen):
    box = board.page.get_by_label(SEARCH)
    box.fill("gossamer bay")  # the town of that name, and the district
    texts = board.page.locator("#eh-search-results button").all_text_contents()
    assert texts[0] == "Gossamer Bay town in Gossamer Bay"
    assert "Gossamer Bay district" in texts
    box.fill("X07000003")
    board.page.locator("#eh-search-results button").first.click()
    assert board.js("window.earlyhelp.foundPlace") == "Gossamer Bay"
    assert board.js("window.earlyhelp.map.getZoom()") <= 11  # the whole district


# --------------------------------------------------------------------------- the report


@pytest.fixture
def report(browser, demo_run_folder, screen):
    width, height = SCREENS[screen]
    page = OfflinePage(browser, demo_run_folder / "report.html", width=width, height=height)
    yield page
    page.page.close()


def test_the_report_reflows_and_its_tables_scroll_inside_themselves(report, screen):
    width, height = SCREENS[screen]
    assert report.requests == [] and report.errors == []
    scroll, inner = report.js(WIDTH)
    assert scroll <= inner == width
    tables = report.js(
        """() => [...document.querySelectorAll('table')].map(t => {
            const box = t.closest('.table-scroll');
            return box ? [box.getBoundingClientRect().right <= innerWidth,
                          getComputedStyle(box).overflowX] : null; })"""
    )
    assert tables and all(t is not None for t in tables)  # every table in its own scroller
    assert all(inside and overflow == "auto" for inside, overflow in tables)
    if screen == "phone":
        wide = report.js(
            "[...document.querySelectorAll('.table-scroll')].filter(d => d.scrollWidth > "
            "d.clientWidth).length"
        )
        assert wide >= 3  # the wide tables scroll sideways inside their box
    # no row grows tall because a column of words is squeezed to a word's width (on a
    # phone the hubs' core offer rows were 31 lines, the kinds of help 12)
    lines = report.js(
        """() => Math.max(...[...document.querySelectorAll('.table-scroll tbody tr')].map(r =>
            r.getBoundingClientRect().height / (parseFloat(getComputedStyle(r).fontSize) * 1.45)
        ))"""
    )
    assert lines <= 12
    # a chart's words stay readable: shrunk to a phone's width they were 5 to 6 px high
    smallest = report.js(
        """() => Math.min(...[...document.querySelectorAll('figure > svg')].flatMap(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].map(
                t => parseFloat(getComputedStyle(t).fontSize) * scale); }))"""
    )
    assert smallest >= 9
    credit = report.js("document.querySelector('footer .credit').textContent")
    assert "Open Government Licence v3.0" in credit
    ARTIFACTS.mkdir(exist_ok=True)
    report.page.screenshot(path=str(ARTIFACTS / f"report-{width}x{height}.png"))


# Every district and place name written on the map that can be seen, and each pair whose
# boxes meet.
LABELS_MEET = """() => {
    const names = '.eh-district-label span, .eh-place-label span';
    const shown = [...document.querySelectorAll(names)].filter(el => {
        const r = el.getBoundingClientRect(), s = getComputedStyle(el.parentElement);
        return r.width > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    });
    const pairs = [];
    for (let i = 0; i < shown.length; i++) {
        for (let j = i + 1; j < shown.length; j++) {
            const a = shown[i].getBoundingClientRect(), b = shown[j].getBoundingClientRect();
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
                pairs.push([shown[i].textContent, shown[j].textContent]);
            }
        }
    }
    return [shown.length, pairs];
}"""


def test_no_two_place_names_are_written_over_each_other(board, screen):
    """On a phone the county fits a small screen, and two towns' names ran into one
    ("Cinderholtltmarrow"): a name that would meet one already written is left out until
    the map is zoomed in."""
    board.page.wait_for_function("window.earlyhelp.namesSettled === true")
    for zoom_in in range(3):
        shown, pairs = board.js(LABELS_MEET)
        assert pairs == [], (screen, zoom_in, pairs)
        if zoom_in == 0:
            assert shown >= 5  # the districts are named, not all hidden
        board.js("() => { window.earlyhelp.map.zoomIn(1, {animate: false}); }")
        board.page.wait_for_function(  # the names spaced again at the new zoom
            "window.earlyhelp.namesSettled === true"
        )


def test_two_services_of_one_name_are_told_apart_in_search(board, screen):
    """The demo's directory has two "Tidewater Advice (Wyvernport) service"s; the search
    says each one's kind of help and postcode beside its name."""
    if screen != "desktop":
        pytest.skip("one screen is enough for the words")
    board.page.get_by_label(SEARCH).fill("Tidewater Advice (Wyvernport)")
    found = board.page.locator("#eh-search-results button").all_text_contents()
    named = [t for t in found if t.startswith("Tidewater Advice (Wyvernport) service")]
    assert len(named) >= 2
    assert len(set(named)) == len(named), named
    assert all("service: " in t for t in named)
