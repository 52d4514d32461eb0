"""Board maps, checked as strings and units: escaping, embedded data, assets, legends.

The browser checks (drawing, layer switching, search, hostile text in a real page) are in
test_maps_browser.py.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import jinja2
import mapclassify
import numpy as np
import pandas as pd
import pytest
import shapely
from folium.plugins import MarkerCluster
from synthetic import HOSTILE_TEXT, synthetic_county

from earlyhelp.config import CategoryConfig, DisclosureConfig, MapConfig
from earlyhelp.errors import ConfigError, EarlyHelpError, InputError
from earlyhelp.maps import (
    CLASSIFIERS,
    MapLayer,
    board_map,
    classify,
    district_pages,
    escape_text,
    save_map,
)
from earlyhelp.maps._render import Verbatim
from earlyhelp.maps.assets import AssetError, inline_assets, network_references
from earlyhelp.maps.classes import (
    NO_DATA,
    NO_DATA_TEXT,
    SUPPRESSED,
    SUPPRESSED_TEXT,
    read_measure,
    sequential_colours,
)
from earlyhelp.maps.layers import AreaLayer, ServiceFilter, ServiceLayer
from earlyhelp.maps.legend import Legend, legend_html
from earlyhelp.maps.safety import safe_filename, script_json, search_key
from earlyhelp.maps.services import (
    POPUP_FIELDS,
    service_badges,
    service_groups,
    service_popup,
    service_rows,
)
from earlyhelp.maps.shapes import simplify_coverage, to_display

NO_TILES = MapConfig(tiles="")
CANARY = "CANARY-not-for-the-map"


def _normal(text: str) -> str:
    return " ".join(text.split())


def _hostile_county():
    """A 6 x 6 county whose outside text is all hostile, plus a column the map must not show."""
    county = synthetic_county(6, 6, services=len(HOSTILE_TEXT) + 5, names=HOSTILE_TEXT)
    areas = county.areas.copy()
    areas.loc[areas.index[: len(HOSTILE_TEXT)], "area_name"] = list(HOSTILE_TEXT)
    areas.loc[areas["district_name"] == "Midvale", "district_name"] = HOSTILE_TEXT[3]
    areas["raw_count"] = CANARY  # a column the map is not asked to show
    services = county.services.copy()
    services["provider"] = HOSTILE_TEXT[1]
    services["opening_times"] = HOSTILE_TEXT[7]
    services["contact"] = HOSTILE_TEXT[8]
    services["notes"] = CANARY
    services.iloc[1, services.columns.get_loc("categories")] = ["<b>{{ 7*7 }}</b>"]
    categories = dict(county.categories)
    categories["parenting"] = CategoryConfig(label=HOSTILE_TEXT[4], colour="#7570b3")
    layers = (*county.layers[:-1], MapLayer("priority", HOSTILE_TEXT[5], kind="categorical"))
    return areas, services, layers, categories


def _board(areas, services, layers, categories, **kwargs):
    defaults = {
        "map_cfg": NO_TILES,
        "title": "Early help {{ 7*7 }}",
        "subtitle": HOSTILE_TEXT[0],
        "data_date": HOSTILE_TEXT[2],
        "details": {"nearest_help": "Nearest help"},
    }
    return board_map(
        areas, services, layers=layers, categories=categories, **{**defaults, **kwargs}
    )


@pytest.fixture(scope="module")
def hostile_map():
    areas, services, layers, categories = _hostile_county()
    m = _board(areas, services, layers, categories)
    return m, m.get_root().render(), (areas, services, layers, categories)


def _element(m, cls):
    return [e for e in m._children.values() if isinstance(e, cls)]


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_escape_text_leaves_no_active_character(text):
    out = escape_text(text)
    assert not set(out) & set("<>\"'`{}$\\")
    assert html.unescape(out) == _normal(text)  # the browser shows the text itself


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_escaped_text_survives_jinja_twice(text):
    out = escape_text(text)
    once = jinja2.Template(out).render()
    assert jinja2.Template(once).render() == out


def test_escape_text_handles_missing_control_and_long_text():
    assert escape_text(None) == escape_text(float("nan")) == escape_text(pd.NA) == ""
    assert escape_text("a\u202eb\u0000c\n\td") == "a b c d"  # bidi override, NUL, newline
    assert escape_text(12.5) == "12.5"
    assert escape_text("x" * 50, max_chars=10) == "x" * 9 + "\u2026"


def test_script_json_cannot_close_its_script():
    out = script_json({"a": "</script><!-- x", "b": "\u2028"})
    assert "</" not in out and "<!" not in out and "\u2028" not in out
    assert json.loads(out) == {"a": "</script><!-- x", "b": "\u2028"}


def test_search_key_and_file_names_are_plain():
    assert search_key("  Ça<b>fé  {{ 7*7 }} ") == "ca b fe 7 7"
    assert safe_filename("../../etc/passwd") == "etc-passwd"
    assert safe_filename("<>") == "map"


# The active part of each payload: none may reach the page as it is.
ACTIVE = (
    "<script>window",
    "<img src=x",
    'onerror="',
    "<svg onload",
    "{{ 7*7 }}",
    "{{ self",
    "{% for",
    "{# a comment",
    "${alert(1)}",
    "`+alert(1)+`",
    '" onmouseover="',
    "' onfocus='",
    "</script><script>",
    "<!-- Bridge",
    "<b>bold</b>",
    "\\slash",
)


@pytest.mark.parametrize("text", [t for t in HOSTILE_TEXT if escape_text(t) != t])
def test_rendered_map_holds_no_raw_hostile_text(hostile_map, text):
    _, page, _ = hostile_map
    assert text not in page


@pytest.mark.parametrize("fragment", ACTIVE)
def test_rendered_map_holds_no_active_fragment(hostile_map, fragment):
    _, page, _ = hostile_map
    assert fragment not in page


def test_jinja_never_evaluates_outside_text(hostile_map):
    _, page, _ = hostile_map
    assert "Sure Start 49 Centre" not in page
    assert "Early help 49" not in page
    assert "Loop xxx End" not in page
    assert "__builtins__" not in page
    assert "Sure Start &#123;&#123; 7*7 &#125;&#125; Centre" in page


def test_every_element_is_added_as_branca_would_render_it():
    """Every element, folium's own too, is added to the page verbatim (no second template
    pass): the same page, as each text is what rendering it as a template gives."""
    areas, services, layers, categories = _hostile_county()
    m = _board(areas, services, layers, categories, map_cfg=MapConfig(tiles="OpenStreetMap"))
    figure = m.get_root()
    figure.render()
    added = [c for part in (figure.header, figure.html, figure.script)
             for c in part._children.values()]  # fmt: skip
    texts = [c.text for c in added if isinstance(c, Verbatim)]
    assert any("L.tileLayer(" in t for t in texts) and any("L.map(" in t for t in texts)
    links = ["JavascriptLink", "CssLink"]
    assert [type(c).__name__ for c in added if not isinstance(c, Verbatim)] == [
        "Element",  # branca's Figure's own <meta> line
        *links,  # Leaflet
        *links,
        "CssLink",  # the services' clusters
        *links,  # the full screen button
    ]
    for text in texts:
        assert jinja2.Template(text).render() == text


def test_a_page_drawn_again_compiles_no_template(monkeypatch):
    county = synthetic_county(4, 4, services=6)
    compiled = []
    compile_ = jinja2.Environment.compile

    def counted(self, source, *args, **kwargs):
        compiled.append(source)
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    for _ in range(2):  # the second page: what the first made once is shared
        compiled.clear()
        m = _board(county.areas, county.services, county.layers, county.categories)
        m.get_root().render()
    # a district atlas draws hundreds of pages: only branca's Figure makes a template
    # for each, of its one <meta> line
    assert len(compiled) == 1 and compiled[0].startswith("<meta http-equiv")


def test_popups_and_tooltips_carry_escaped_text(hostile_map):
    m, _, _ = hostile_map
    (services,) = _element(m, ServiceLayer)
    rows = json.loads(services.data_json)
    names = [html.unescape(r["n"]) for r in rows]
    assert [n for n in names if n in map(_normal, HOSTILE_TEXT)] == list(map(_normal, HOSTILE_TEXT))
    for row in rows:
        popup = json.dumps([row["n"], row["by"], row["d"]])  # what its popup is written from
        assert "<script" not in popup and "<img" not in popup and 'onerror=\\"' not in popup
        assert "<" not in popup and CANARY not in popup


# --------------------------------------------------------------------------- embedded data


def test_geojson_properties_are_exactly_the_displayed_columns(hostile_map):
    m, page, (areas, _, layers, _) = hostile_map
    (area_layer,) = _element(m, AreaLayer)
    data = json.loads(area_layer.data_json)
    shown = {"area_name", "district_name", "area_code", "nearest_help", "_class"}
    shown |= {layer.column for layer in layers}
    assert len(data["features"]) == len(areas)
    for feature in data["features"]:
        assert set(feature["properties"]) == shown
        assert len(feature["properties"]["_class"]) == len(layers)
    assert CANARY not in page  # neither the unshown area column nor the services' notes


def test_suppressed_and_missing_cells_show_in_words(hostile_map):
    m, _, (areas, *_) = hostile_map
    (area_layer,) = _element(m, AreaLayer)
    props = [f["properties"] for f in json.loads(area_layer.data_json)["features"]]
    raw = areas["cp_plans"].tolist()
    for p, value in zip(props, raw, strict=True):
        if pd.isna(value):
            assert p["cp_plans"] == NO_DATA_TEXT
        elif value == "*":
            assert p["cp_plans"] == SUPPRESSED_TEXT
        else:
            assert p["cp_plans"] == f"{int(value):,}"
    assert any(v == "*" for v in raw) and any(pd.isna(v) for v in raw)


def test_coordinates_are_rounded_and_shapes_keep_their_topology():
    county = synthetic_county(8, 8, wiggle=True, services=5)
    simple = simplify_coverage(county.areas.geometry, tolerance_m=25)
    assert shapely.coverage_is_valid(np.asarray(simple.values))
    before = shapely.get_num_coordinates(np.asarray(county.areas.geometry.values)).sum()
    assert shapely.get_num_coordinates(np.asarray(simple.values)).sum() < before / 2
    coords = shapely.get_coordinates(np.asarray(to_display(simple).values))
    assert np.allclose(coords, np.round(coords, 5), rtol=0, atol=1e-12)


def test_one_geometry_serves_every_layer(hostile_map):
    m, page, (areas, *_) = hostile_map
    assert len(_element(m, AreaLayer)) == 1
    assert page.count('"type":"Feature","properties":{"area_name"') == len(areas)


# --------------------------------------------------------------------------- services


def test_closed_and_unplaced_services_are_left_off_and_said(hostile_map):
    areas, services, layers, categories = _hostile_county()
    services = services.copy()
    services.iloc[0, services.columns.get_loc("status")] = "closed"
    services.iloc[2, services.columns.get_loc("status")] = "planned"
    geometry = services.geometry.copy()
    geometry.iloc[3] = shapely.Point()  # a phone line with no place
    services = services.set_geometry(geometry)
    m = _board(areas, services, layers, categories)
    (layer,) = _element(m, ServiceLayer)
    rows = json.loads(layer.data_json)
    assert len(rows) == len(services) - 2
    assert sum(r["pl"] for r in rows) == 1
    page = m.get_root().render()
    assert "1 online, phone or unplaced service and 1 closed service" in page


def test_service_popup_shows_plain_words():
    row = {
        "name": "Bright <Start>",
        "provider": "Tiny Council",
        "sector": "statutory",
        "min_age": 0.0,
        "max_age": 5.0,
        "delivery": "outreach",
        "opening_times": "Mon-Fri",
        "contact": "01632 960000",
        "status": "planned",
        "notes": CANARY,
    }
    shown = service_popup(row, ["Parenting"], reach_count=12)
    assert shown["by"] == "Tiny Council (statutory sector)"
    popup = " ".join(f"{POPUP_FIELDS[int(r[0])]}: {r[1:]}" for r in shown["d"].split("\n"))
    for words in (
        "Help offered: Parenting",
        "0 to 5 years",
        "Outreach",
        "Mon-Fri",
        "01632 960000",
        "Planned: not open yet",
        "12 small areas",
    ):
        assert words in popup
    assert CANARY not in popup


def test_category_badges_are_short_and_distinct():
    labels = [
        "Children's centre or family hub",
        "Family support",
        "Parenting programmes",
        "Mental health support",
        "Money and housing advice",
        "Parenting",
        "SEND support",
    ]
    badges = service_badges(labels)
    assert badges[:5] == ["CC", "FS", "PP", "MH", "MA"]
    assert len(set(badges)) == len(badges) and all(len(b) == 2 for b in badges)


# --------------------------------------------------------------------------- classes


def test_quantile_classes_are_mapclassify_quantiles():
    values = pd.Series(np.random.default_rng(3).gamma(2, 10, 200))
    got = classify(values, MapLayer("x", "X"), method="quantiles", k=5)
    assert (got.codes == mapclassify.Quantiles(values.to_numpy(), k=5).yb).all()
    assert len(got.colours) == len(got.labels) == 5 and sum(got.counts) == 200


def test_natural_breaks_are_reproducible_and_leave_numpy_alone():
    values = pd.Series(np.random.default_rng(4).gamma(2, 10, 300))
    np.random.seed(99)
    state = np.random.get_state()[1].copy()
    first = classify(values, MapLayer("x", "X"), method="natural_breaks", k=5)
    second = classify(values, MapLayer("x", "X"), method="natural_breaks", k=5)
    assert (first.codes == second.codes).all() and first.labels == second.labels
    assert (np.random.get_state()[1] == state).all()
    # each class holds a contiguous run of values
    order = np.argsort(values.to_numpy())
    assert (np.diff(first.codes[order]) >= 0).all()


def test_suppressed_missing_and_ties():
    values = pd.Series(["*", "..", None, "", "12", "12", "12", "40", "oops", np.nan])
    numbers, suppressed = read_measure(values)
    assert numbers[4] == 12.0 and np.isnan(numbers[0])
    assert suppressed.tolist() == [
        True,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        True,
        False,
    ]
    got = classify(values, MapLayer("x", "X"), k=5)
    assert got.codes.tolist() == [
        SUPPRESSED,
        NO_DATA,
        NO_DATA,
        NO_DATA,
        0,
        0,
        0,
        1,
        SUPPRESSED,
        NO_DATA,
    ]
    assert got.labels == ("12", "40") and got.suppressed == 2 and got.no_data == 4
    assert got.text[0] == SUPPRESSED_TEXT and got.text[1] == NO_DATA_TEXT


def test_darker_always_means_more_concern():
    worse_high = sequential_colours(5, higher_is_worse=True)
    worse_low = sequential_colours(5, higher_is_worse=False)
    assert len(worse_high) == len(worse_low) == 5
    assert sequential_colours(2, higher_is_worse=True) != sequential_colours(
        2, higher_is_worse=False
    )

    def lightness(colour: str) -> int:
        return sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    assert lightness(worse_high[0]) > lightness(worse_high[-1])  # low values light
    assert lightness(worse_low[0]) < lightness(worse_low[-1])  # low values dark


def test_categorical_classes_follow_the_given_order():
    layer = MapLayer("p", "Priority", kind="categorical", categories_order=("High", "Low"))
    got = classify(pd.Series(["Low", "High", "*", None]), layer)
    assert got.codes.tolist() == [1, 0, SUPPRESSED, NO_DATA]
    assert got.labels == ("High", "Low")
    with pytest.raises(InputError, match="categories_order"):
        classify(pd.Series(["Medium"]), layer)


def test_layer_definitions_are_checked():
    with pytest.raises(ConfigError, match="sequential"):
        MapLayer("x", "X", kind="diverging")
    with pytest.raises(InputError, match="hex colour"):
        MapLayer("x", "X", colours=("red;background:url(x)",))
    with pytest.raises(ConfigError, match="fmt"):
        MapLayer("x", "X", fmt="{:q}")
    with pytest.raises(ConfigError, match="natural_breaks"):
        classify(pd.Series([1.0]), MapLayer("x", "X"), method="jenks")


# --------------------------------------------------------------------------- legends


def test_one_legend_per_layer_each_tied_to_its_choice(hostile_map):
    m, page, (_, _, layers, _) = hostile_map
    legends = _element(m, Legend)
    assert len(legends) == len(layers)
    assert [lg.choice.column for lg in legends] == [layer.column for layer in layers]
    for legend, layer in zip(legends, layers, strict=True):
        assert escape_text(layer.title) in json.loads(legend.html_json)
    assert page.count('map.on("baselayerchange", sync)') == len(layers)


def test_legend_lists_classes_with_counts_and_suppression():
    layer = MapLayer("cp", "Child protection plans", note="Plans on 31 March.")
    classes = classify(pd.Series(["*", "*", "10", "20", None]), layer, k=2)
    text = legend_html(layer, classes, lines=(("eh-line-district", "District boundary"),))
    assert "Child protection plans" in text and "Plans on 31 March." in text
    assert "10 <span" in text and "(1 area)" in text
    assert f'{SUPPRESSED_TEXT} <span class="eh-count">(2 areas)' in text
    assert f'{NO_DATA_TEXT} <span class="eh-count">(1 area)' in text
    assert "District boundary" in text


# --------------------------------------------------------------------------- files


def test_self_contained_map_loads_nothing_from_the_network(tmp_path):
    county = synthetic_county(4, 4, services=6)
    m = _board(county.areas, county.services, county.layers, county.categories)
    path = save_map(m, tmp_path / "map.html", self_contained=True)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert network_references(page) == []
    assert "Leaflet 1.9.3" in page and "L.MarkerClusterGroup" in page
    assert "fullscreen" in page.lower()
    assert not re.search(r"url\((?!data:|#)", page)  # no font or image fetched by CSS
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_linked_map_links_only_leaflet_and_its_plugins(tmp_path):
    county = synthetic_county(3, 3, services=3)
    m = _board(county.areas, county.services, county.layers, county.categories)
    page = save_map(m, tmp_path / "linked.html", self_contained=False).read_text()
    links = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert links and all(re.search(r"leaflet|markercluster|fullscreen", u) for u in links)
    assert not re.search(r"jquery|bootstrap|fontawesome|glyphicons", page, re.I)


def test_an_asset_that_cannot_be_inlined_is_an_error_and_nothing_is_written(tmp_path):
    page = '<html><script src="https://example.org/unknown.js"></script></html>'
    with pytest.raises(AssetError, match=r"unknown\.js"):
        inline_assets(page)
    assert isinstance(AssetError("x"), EarlyHelpError)
    county = synthetic_county(3, 3, services=3)
    m = _board(county.areas, county.services, county.layers, county.categories)
    target = tmp_path / "index.html"
    target.write_text("previous map", encoding="utf-8")
    m.get_root().header.add_child(
        __import__("branca").element.JavascriptLink("https://example.org/unknown.js")
    )
    with pytest.raises(AssetError):
        save_map(m, target, self_contained=True)
    assert target.read_text(encoding="utf-8") == "previous map"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def _district_pages(county, out_dir, *, areas=None, layers=None, title="T", workers=None):
    """The synthetic county's district pages, unstyled (no tiles, assets linked)."""
    return district_pages(
        county.areas if areas is None else areas,
        county.services,
        out_dir=out_dir,
        layers=county.layers if layers is None else layers,
        categories=county.categories,
        map_cfg=NO_TILES,
        title=title,
        subtitle="",
        data_date="2026",
        self_contained=False,
        workers=workers,
    )


def test_district_maps_write_one_safe_file_each(tmp_path):
    county = synthetic_county(6, 6, services=10)
    areas = county.areas.copy()
    areas.loc[areas["district_code"] == "E07000002", "district_code"] = "../../E07000002"
    written = _district_pages(county, tmp_path / "districts", areas=areas, title="Early help")
    assert sorted(written) == ["../../E07000002", "E07000001", "E07000003"]
    for path in written.values():
        assert path.parent == tmp_path / "districts" and path.exists()
    assert written["../../E07000002"].name == "district-e07000002.html"
    page = written["E07000001"].read_text(encoding="utf-8")
    assert "Early help: Westmarch" in page


def test_district_pages_are_the_same_written_here_or_by_two_processes(tmp_path):
    county = synthetic_county(6, 6, services=12)
    pages = {}
    for workers in (1, 2):
        written = _district_pages(county, tmp_path / str(workers), workers=workers)
        ids = re.compile(r"[0-9a-f]{32}")  # folium's random element names
        pages[workers] = {
            code: ids.sub("X", path.read_text(encoding="utf-8")) for code, path in written.items()
        }
    assert len(pages[1]) == 3 and pages[1] == pages[2]


def test_service_rows_encoded_once_give_the_same_page_data():
    county = synthetic_county(4, 4, services=len(HOSTILE_TEXT) + 3, names=HOSTILE_TEXT)
    groups = service_groups(county.services, county.categories)
    drawn = service_rows(county.services, groups=groups, areas=county.areas["area_name"])
    m = folium.Map()
    cluster = MarkerCluster().add_to(m)
    filters = [ServiceFilter(key, key=key) for key, _ in groups]
    spec = [{"badge": "X", "colour": cfg.colour} for _, cfg in groups]
    plain = ServiceLayer(drawn.rows, cluster=cluster, filters=filters, groups=spec)
    once = ServiceLayer(encoded=drawn.encoded, cluster=cluster, filters=filters, groups=spec)
    assert once.data_json == plain.data_json == script_json(drawn.rows)


def test_district_maps_share_the_county_classes(tmp_path):
    county = synthetic_county(6, 6, services=4)
    written = _district_pages(county, tmp_path, layers=county.layers[1:2])
    whole = classify(county.areas["need_index"], county.layers[1])
    for path in written.values():
        page = Path(path).read_text(encoding="utf-8")
        for label in whole.labels:
            assert label in page  # every district's legend has the county's classes


def test_bad_inputs_get_one_clear_message():
    county = synthetic_county(3, 3, services=3)
    with pytest.raises(InputError, match="need_index"):
        _board(
            county.areas.drop(columns="need_index"),
            county.services,
            county.layers,
            county.categories,
        )
    with pytest.raises(InputError, match="degrees"):
        _board(county.areas.to_crs("EPSG:4326"), county.services, county.layers, county.categories)
    bad = {"x": CategoryConfig(label="X", colour="javascript:alert(1)")}
    with pytest.raises(InputError, match="hex colour"):
        _board(county.areas, county.services, county.layers, bad)
    with pytest.raises(ConfigError, match="twice"):
        _board(
            county.areas, county.services, [county.layers[0], county.layers[0]], county.categories
        )


def test_disclosure_rule_and_date_are_in_the_title_panel():
    county = synthetic_county(3, 3, services=3)
    m = _board(
        county.areas,
        county.services,
        county.layers,
        county.categories,
        data_date="March 2026",
        disclosure=DisclosureConfig(min_count=1, max_count=9),
    )
    page = m.get_root().render()
    assert "Data as at March 2026" in page and "Counts from 1 to 9 are not shown" in page
    assert "<title>Early help &#123;&#123; 7*7 &#125;&#125;</title>" in page


def test_map_accepts_areas_from_a_file(tmp_path):
    county = synthetic_county(3, 3, services=3)
    county.areas.drop(columns=["cp_plans"]).to_file(tmp_path / "a.gpkg")
    areas = gpd.read_file(tmp_path / "a.gpkg").set_index("area_code")
    m = _board(areas, county.services, county.layers[:3], county.categories)
    assert len(_element(m, Legend)) == 3


def test_a_background_map_is_not_a_choice_among_the_measures():
    county = synthetic_county(3, 3, services=3)
    m = _board(
        county.areas,
        county.services,
        county.layers,
        county.categories,
        map_cfg=MapConfig(tiles="OpenStreetMap"),
    )
    page = m.get_root().render()
    assert "tile.openstreetmap.org" in page
    control = re.search(r"base_layers : \{(.*?)\},", page, re.S).group(1)
    assert control.count(":") == len(county.layers)  # the measures, and no tile layer


def test_a_map_without_services_still_draws():
    county = synthetic_county(3, 3, services=3)
    none = county.services.iloc[0:0]
    m = _board(county.areas, none, county.layers, county.categories)
    (layer,) = _element(m, ServiceLayer)
    assert json.loads(layer.data_json) == []
    assert "Early help" in m.get_root().render()


def test_overlapping_shapes_are_simplified_one_by_one_with_a_warning():
    squares = gpd.GeoSeries(
        [shapely.box(0, 0, 1000, 1000), shapely.box(500, 0, 1500, 1000)], crs="EPSG:27700"
    )
    squares = squares.set_axis(["A", "B"])
    with pytest.warns(UserWarning, match="not a clean coverage"):
        out = simplify_coverage(squares.segmentize(50.0), tolerance_m=25)
    assert list(out.index) == ["A", "B"] and out.is_valid.all()


def test_classification_names_match_the_config_choices():
    from earlyhelp.config import CHOICES

    assert tuple(CHOICES[("map", "classification")]) == tuple(CLASSIFIERS)


def test_a_run_simplifies_its_map_shapes_once(tiny, monkeypatch):
    """`earlyhelp run` starts simplifying the board map's shapes beside the analysis, and
    the map takes that work instead of doing it again."""
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.maps import shapes

    simplified: list[int] = []
    simplify = shapes._simplified

    def counted(values, tolerance_m):
        simplified.append(len(values))
        return simplify(values, tolerance_m)

    monkeypatch.setattr(shapes, "_simplified", counted)
    folder, _ = commands.run(load_config(tiny.config))
    assert simplified == [16]  # the tiny county's 16 areas, once
    assert (folder / "index.html").is_file() and not shapes._EARLY
