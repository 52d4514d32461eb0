"""The board map's column-at-once paths give exactly what their one-value-at-a-time
counterparts give: escaping a column (Arrow for plain text), encoding service rows
without json, writing each distinct class value once, the gazetteer from the run's own
postcode lookup, the shapes' GeoJSON read all at once."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import mapping
from synthetic import HOSTILE_TEXT, synthetic_county

from earlyhelp.maps.classes import MapLayer, classify
from earlyhelp.maps.safety import escape_text, escape_texts, script_json
from earlyhelp.maps.services import (
    _row_texts,
    service_cells,
    service_groups,
    service_popup,
    service_rows,
)
from earlyhelp.maps.shapes import geometry_jsons, to_display

# text that takes every path of escape_text: plain, to be cut, to be folded or
# normalised, missing, not text at all
AWKWARD = (
    *HOSTILE_TEXT,
    "",
    " ",
    "plain words",
    "plain words",  # repeated: the memo
    " leading",
    "trailing ",
    "two  spaces",
    "tab\there",
    "line\nbreak",
    "nul\x00byte",
    "del\x7fete",
    "bidi \u202eevil\u202c override",
    "zero\u200bwidth",
    "line\u2028separator",
    "e\u0301 composed",
    "caf\u00e9 cr\u00e8che",
    "\u5b66\u6821",
    "{{ 7*7 }} `${x}` $ \\ & < > \" '",
    "x" * 130,
    "y " * 90,
    "&" * 150,
    "\u00e9" * 250,
    None,
    float("nan"),
    pd.NA,
    1,
    1.0,
    True,
    -0.0,
    0.0,
    12.5,
    ["a", "<b>"],
)


@pytest.mark.parametrize("max_chars", [None, 0, 1, 10, 80, 120, 200, 300])
def test_escape_texts_is_escape_text_for_each_value(max_chars):
    expected = [escape_text(v, max_chars=max_chars) for v in AWKWARD]
    assert escape_texts(AWKWARD, max_chars=max_chars) == expected
    column = pd.Series(AWKWARD, dtype=object)
    assert escape_texts(column, max_chars=max_chars) == expected
    text = pd.Series([v for v in AWKWARD if isinstance(v, str)], dtype="string")
    assert escape_texts(text, max_chars=max_chars) == [
        escape_text(v, max_chars=max_chars) for v in text
    ]


def test_escape_texts_of_every_character():
    cells = [chr(i) for i in range(0x3100)] + [f"a{chr(i)}b c" for i in range(0x3100)]
    assert escape_texts(cells) == [escape_text(v) for v in cells]
    assert escape_texts([]) == []


def _hostile_services():
    county = synthetic_county(4, 4, services=2 * len(AWKWARD), names=AWKWARD)
    services = county.services.copy()
    n = len(services)
    for column in ("provider", "sector", "opening_times", "contact"):
        services[column] = [AWKWARD[(i * 7 + len(column)) % len(AWKWARD)] for i in range(n)]
    services["delivery"] = (["outreach", " In_Person ", None, "phone", "<b>x</b>"] * n)[:n]
    services["status"] = (["active", "planned", " Planned", None] * n)[:n]
    services["min_age"] = ([0, None, "5", -0.0, "x<y", 2.5] * n)[:n]
    services["max_age"] = ([19, 11.0, None, float("nan"), "{{1}}"] * n)[:n]
    services["area_code"] = list(county.areas.index[np.arange(n) % len(county.areas)])
    areas = county.areas["area_name"].copy()
    areas.iloc[: len(HOSTILE_TEXT)] = list(HOSTILE_TEXT)
    return county, services, areas


def test_service_rows_say_what_each_popup_says():
    county, services, areas = _hostile_services()
    groups = service_groups(services, county.categories)
    drawn = service_rows(services, groups=groups, areas=areas)
    labels = {key: escape_text(cfg.label or key) for key, cfg in groups}
    assert len(drawn.rows) == len(services)
    for row, (_, service) in zip(drawn.rows, services.iterrows(), strict=True):
        cats = list(service["categories"])
        reach = [c for c in service["reach_areas"] if c in areas.index]
        popup = service_popup(service, [labels.get(c, escape_text(c)) for c in cats],
                              reach_count=len(reach))  # fmt: skip
        assert {"by": row["by"], "d": row["d"]} == popup
        assert row["n"] == (escape_text(service["name"], max_chars=200) or "Unnamed service")
        place = escape_text(areas.get(service["area_code"], ""), max_chars=120)
        assert row["w"] == ", ".join(t for t in (labels[cats[0]], place) if t)


def test_encoded_rows_are_script_json_of_each_row():
    county, services, areas = _hostile_services()
    groups = service_groups(services, county.categories)
    drawn = service_rows(services, groups=groups, areas=areas)
    assert drawn.encoded == [script_json(row) for row in drawn.rows]
    assert [list(k) for k in drawn.kinds] == [row["k"] for row in drawn.rows]
    # texts escape_text never gives, and a place JSON cannot hold: written as
    # script_json writes them (or refused as it refuses them)
    odd = {
        "n": ['a "quoted" \\ name', "plain"],
        "by": ["line\u2028separator", "x"],
        "w": ["</script>", "y"],
        "lines": ["0Help\n1tab\there", "0Help\n2<b>"],
    }
    parts = dict(lat=np.array([51.5, 50.25]), lon=np.array([-0.00012, 1e-05]), kinds=["0,2", "1"],
                 name=odd["n"], by=odd["by"], lines=odd["lines"], planned=[True, False],
                 where=odd["w"])  # fmt: skip
    expected = [
        {"ll": [51.5, -0.00012], "k": [0, 2], "n": odd["n"][0], "by": odd["by"][0],
         "d": "0Help\n1tab\there", "pl": 1, "w": odd["w"][0]},
        {"ll": [50.25, 1e-05], "k": [1], "n": "plain", "by": "x", "d": "0Help\n2<b>", "pl": 0,
         "w": "y"},
    ]  # fmt: skip
    assert _row_texts(**parts) == [script_json(row) for row in expected]
    with pytest.raises(ValueError):  # a number JSON cannot hold fails as script_json does
        _row_texts(**{**parts, "lat": np.array([float("nan"), 0.0])})


def test_classify_writes_each_value_as_before():
    values = pd.Series([0.0, -0.0, 1.25, 1.25, None, "*", 3.0, -0.4, 1e6, "x"], dtype=object)
    for fmt in ("{:,.0f}", "{:.1f} km", "{:.0%}"):
        classes = classify(values, MapLayer("v", "V", fmt=fmt), k=3)
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        expected = [
            escape_text(fmt.format(v))
            if c >= 0
            else ("suppressed (small number)" if c == -1 else "no data")
            for v, c in zip(numbers, classes.codes, strict=True)
        ]
        assert classes.text == expected
    assert classify(values, MapLayer("v", "V"), k=3).text[:2] == ["0", "-0"]


def test_rows_of_some_services_are_those_of_all():
    """An atlas page makes the rows of its own services only: the same rows."""
    county, services, areas = _hostile_services()
    groups = service_groups(services, county.categories)
    every = service_rows(services, groups=groups, areas=areas)
    cells = service_cells(services, groups=groups, areas=areas)
    at = np.array([5, 0, 3, 3, len(every.rows) - 1])
    some = cells.rows(at)
    assert some.rows == [every.rows[i] for i in at]
    assert some.search_keys == [every.search_keys[i] for i in at]
    assert (some.closed, some.unplaced) == (every.closed, every.unplaced)
    assert cells.rows(np.zeros(0, dtype=int)).rows == []


def test_a_column_of_numbers_is_read_as_its_text_would_be():
    from earlyhelp.maps.classes import read_measure

    numbers = [0.0, -0.0, 1.5, float("nan"), float("inf"), -float("inf"), 5.0, 1e20]
    for column in (pd.Series(numbers), pd.Series([0, 5, 7, -3]), pd.Series([1, 5], dtype="u1")):
        for symbol in ("*", "5", "5.0", "c"):
            fast = read_measure(column, symbol=symbol)
            slow = read_measure(column.astype(object), symbol=symbol)
            assert np.array_equal(fast[0], slow[0], equal_nan=True), (column, symbol)
            assert np.array_equal(fast[1], slow[1]), (column, symbol)
    column = pd.Series([1.0, float("inf")])
    read_measure(column)
    assert column.iloc[1] == float("inf")  # the caller's column is not changed


def test_search_keys_is_search_key_for_each_value():
    from earlyhelp.maps.safety import search_key, search_keys

    values = [*AWKWARD, "Hello, World!", "  A--B  ", "\u00c9COLE", "a_b", "___", "Caf\u00e9 2"]
    assert search_keys(values) == [search_key(v) for v in values]
    cells = [chr(i) for i in range(0x3100)] + [f"a{chr(i)}b C" for i in range(0x3100)]
    assert search_keys(cells) == [search_key(v) for v in cells]
    assert search_keys([]) == []


def test_geometry_jsons_write_what_shapely_writes():
    county = synthetic_county(5, 5, wiggle=True)
    odd = [
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 2 1, 2 2, 1 1), (5 5, 6 5, 6 6, 5 5))",
        "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 9 5, 9 9, 5 5), (6 6, 7 6, 7 7, 6 6)))",
        "MULTIPOLYGON (EMPTY, ((-0.5 -0.0, 1.25 0, 1 1e-05, -0.5 -0.0)))",
        "POLYGON EMPTY",
        "MULTIPOLYGON EMPTY",
        "POINT (1.5 2.25)",
        "LINESTRING (0 0, 1 1)",
        "GEOMETRYCOLLECTION (POINT (1 1), POLYGON ((0 0, 1 0, 1 1, 0 0)))",
        "POLYGON Z ((0 0 1, 1 0 2, 1 1 3, 0 0 1))",
    ]
    shapes = [*to_display(county.areas.geometry), *shapely.from_wkt(odd), None]
    expected = [None if g is None or g.is_empty else mapping(g) for g in shapes]
    assert script_json(geometry_jsons(np.array(shapes, dtype=object))) == script_json(expected)
    assert geometry_jsons(gpd.GeoSeries([], crs="EPSG:4326")) == []


def test_classes_of_some_areas_count_each_class_as_before():
    """An atlas page takes the county's classes of its own areas, by mask or positions."""
    from earlyhelp.maps.board import _subset

    county = synthetic_county(9, 9)
    classes = classify(county.areas["need_index"], county.layers[1], k=5)
    n, rng = len(classes.colours), np.random.default_rng(5)
    codes = rng.integers(-2, n, len(classes.codes))  # every class, suppressed, no data
    classes = replace(classes, codes=codes)
    for mask in (rng.random(len(codes)) < 0.3, np.zeros(len(codes), bool), codes == -1):
        for where in (mask, np.flatnonzero(mask)):
            some = _subset(classes, where)
            kept = codes[mask]
            assert some.counts == tuple(int((kept == i).sum()) for i in range(n))
            assert (some.suppressed, some.no_data) == ((kept == -1).sum(), (kept == -2).sum())
            assert some.text == [t for t, m in zip(classes.text, mask, strict=True) if m]
