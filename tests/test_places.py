"""Finding a place: gazetteers read from open data as published, and the places a board
map's search holds (districts, towns, villages, postcode districts and sectors).

Real Hampshire files are used where ../shared/realdata is present (OS Open Names, the ONS
built-up area names); otherwise small files in the published layouts are written here.
"""

from __future__ import annotations

import dataclasses
import re

import geopandas as gpd
import pandas as pd
import pytest
from conftest import REPO
from shapely.geometry import box
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.config import Config, MapConfig, load_config
from earlyhelp.errors import InputError
from earlyhelp.loading import load_inputs
from earlyhelp.publish.gazetteer import gazetteer
from earlyhelp.sources import SOURCES, read_source
from earlyhelp.sources.places import OS_OPEN_NAMES_HEADER, PLACE_COLUMNS, read_places
from earlyhelp.validation import ValidationReport

runner = CliRunner()


def _os_row(name: str, local_type: str, x: int, y: int, outcode: str = "SO23") -> list[str]:
    kind = "other" if local_type == "Postcode" else "populatedPlace"
    if local_type == "Named Road":
        kind = "transportNetwork"
    row = dict.fromkeys(OS_OPEN_NAMES_HEADER, "")
    row.update(
        ID=f"osgb{abs(hash(name)) % 10**12}", NAME1=name, TYPE=kind, LOCAL_TYPE=local_type,
        GEOMETRY_X=str(x), GEOMETRY_Y=str(y), POSTCODE_DISTRICT=outcode,
        DISTRICT_BOROUGH="Winchester", COUNTY_UNITARY="Hampshire",
    )  # fmt: skip
    return [row[c] for c in OS_OPEN_NAMES_HEADER]


def test_os_open_names_as_distributed_without_a_header(tmp_path):
    rows = [
        _os_row("Winchester", "City", 448380, 129384),
        _os_row("Kings Worthy", "Village", 449300, 132700),
        _os_row("Jewry Street", "Named Road", 448100, 129600),
        _os_row("SO23 8UJ", "Postcode", 448200, 129500),
    ]
    path = tmp_path / "SU42.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    report = ValidationReport()
    places = read_places(path, report=report)
    assert list(places.columns) == list(PLACE_COLUMNS)
    assert places["name"].tolist() == ["Winchester", "Kings Worthy"]  # no roads, no postcodes
    assert places["kind"].tolist() == ["city", "village"]
    assert places.loc[0, ["easting", "northing"]].tolist() == [448380, 129384]
    assert places.loc[0, "postcode_district"] == "SO23"
    with_postcodes = read_places(path, report=report, postcodes=True)
    assert "postcode" in set(with_postcodes["kind"])
    only_towns = read_places(path, report=report, kinds=("city", "town"))
    assert only_towns["name"].tolist() == ["Winchester"]
    assert report.errors == []


def test_the_ons_index_of_place_names_is_placed_on_the_grid(tmp_path):
    path = tmp_path / "IPN_GB_2023.csv"
    pd.DataFrame(
        {
            "placeid": [1, 2],
            "place23cd": ["IPN0001", "IPN0002"],
            "place23nm": ["Leigh Park", "Aldershot"],
            "descnm": ["LOC", "BUA"],
            "lad23nm": ["Havant", "Rushmoor"],
            "lat": [50.8721, 51.2486],
            "long": [-0.9800, -0.7614],
        }
    ).to_csv(path, index=False)
    places = read_places(path, report=ValidationReport())
    assert places["kind"].tolist() == ["place", "built-up area"]
    assert places["district"].tolist() == ["Havant", "Rushmoor"]
    leigh = places.set_index("name").loc["Leigh Park"]
    assert leigh["easting"] == pytest.approx(472_000, abs=1_500)  # Leigh Park, Havant
    assert leigh["northing"] == pytest.approx(108_500, abs=1_500)


def test_built_up_area_boundaries_are_placed_inside_each(tmp_path):
    path = tmp_path / "BUA_2022_boundaries.geojson"
    gpd.GeoDataFrame(
        {"BUA22CD": ["E63000001"], "BUA22NM": ["Aldershot"], "LAD22NM": ["Rushmoor"]},
        geometry=[box(485000, 148000, 489000, 152000)],
        crs="EPSG:27700",
    ).to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    places = read_places(path, report=ValidationReport())
    row = places.iloc[0]
    assert (row["name"], row["kind"], row["district"]) == ("Aldershot", "built-up area", "Rushmoor")
    assert 485000 <= row["easting"] <= 489000 and 148000 <= row["northing"] <= 152000


def test_a_list_of_names_without_coordinates_is_refused_with_what_to_use(tmp_path, realdata):
    names = realdata / "places" / "bua22_lad22_hampshire.csv"
    with pytest.raises(InputError, match=r"names but no coordinates.*OS Open Names"):
        read_places(names, report=ValidationReport())


def test_real_os_open_names_for_hampshire(realdata):
    path = realdata / "places" / "os_open_names_2021_populated_places_hampshire_PARTIAL.csv"
    places = read_source("places", path, report=ValidationReport()).set_index("name")
    assert len(places) > 600
    assert places.loc["Winchester", "kind"] == "city"
    assert places.loc["Andover", "kind"] == "town"
    assert places.loc["Winchester", "postcode_district"] == "SO23"
    assert set(places["kind"]) <= {"city", "town", "village", "hamlet", "suburb", "place"}


def test_import_places_writes_a_gazetteer_the_map_reads(tmp_path):
    source = tmp_path / "SU42.csv"
    source.write_text(",".join(_os_row("Winchester", "City", 448380, 129384)) + "\n")
    out = tmp_path / "places.csv"
    result = runner.invoke(app, ["import", "places", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    assert written.loc[0, "name"] == "Winchester" and written.loc[0, "kind"] == "city"
    assert read_places(out, report=ValidationReport()).equals(
        read_places(source, report=ValidationReport())
    )
    assert SOURCES["places"].produces == "places"


# ------------------------------------------------------------------ the map's gazetteer


@pytest.fixture(scope="module")
def demo():
    cfg = load_config(REPO / "config.toml")
    return cfg, load_inputs(cfg)


def test_the_demo_map_finds_its_towns_villages_districts_and_postcodes(demo):
    cfg, inputs = demo
    places = gazetteer(cfg, inputs.areas)
    by_kind: dict[str, set[str]] = {}
    for p in places:
        by_kind.setdefault(p["k"].split(" in ")[0], set()).add(p["n"])
    demo_places = pd.read_csv(REPO / "data" / "demo" / "places.csv")
    towns = set(demo_places.loc[demo_places["kind"] == "town", "name"])
    assert by_kind["town"] == towns
    assert by_kind["village"] == set(demo_places.loc[demo_places["kind"] == "village", "name"])
    assert by_kind["district"] == set(inputs.areas["district_name"])
    live = inputs.postcodes[~inputs.postcodes["terminated"]].index
    assert by_kind["postcode district"] == {p.split()[0] for p in live}
    assert by_kind["postcode sector"] == {p[:-2] for p in live}
    for p in places:
        assert re.fullmatch(r"[a-z0-9 ]+", p["q"]), p  # search keys: letters and digits
        assert -90 <= p["ll"][0] <= 90 and p["z"] >= 11
    larkspire = next(p for p in places if p["n"] == "Larkspire")
    assert larkspire["k"] == "town in Kestrelwick" and larkspire["l"] == 1


def test_the_gazetteer_from_the_runs_postcodes_is_the_one_read_again(demo):
    """A run hands the map the postcode lookup it loaded; the places are those the map
    finds when it reads the lookup itself."""
    cfg, inputs = demo
    assert inputs.postcodes is not None
    assert gazetteer(cfg, inputs.areas, postcodes=inputs.postcodes) == gazetteer(cfg, inputs.areas)


def test_places_outside_the_study_area_are_left_off_and_names_escaped(tiny, tmp_path):
    path = tmp_path / "places.csv"
    pd.DataFrame(
        {
            "name": ["<b>Near</b> {{ 7*7 }}", "Far Away"],
            "kind": ["village", "town"],
            "easting": [601500, 400000],
            "northing": [471500, 100000],
        }
    ).to_csv(path, index=False)
    cfg = load_config(tiny.config)
    cfg = dataclasses.replace(cfg, map=dataclasses.replace(cfg.map, gazetteer=path))
    names = {p["n"] for p in gazetteer(cfg, load_inputs(cfg).areas)}
    assert "&lt;b&gt;Near&lt;/b&gt; &#123;&#123; 7*7 &#125;&#125;" in names
    assert "Far Away" not in names
    assert {"West", "East"} <= names  # the tiny county's districts


def test_a_missing_gazetteer_warns_and_the_map_still_finds_districts(tiny, tmp_path):
    cfg = load_config(tiny.config)
    cfg = dataclasses.replace(cfg, map=dataclasses.replace(cfg.map, gazetteer=tmp_path / "x.csv"))
    with pytest.warns(UserWarning, match=r"\[map\] gazetteer"):
        places = gazetteer(cfg, load_inputs(cfg).areas)
    assert {"West", "East"} <= {p["n"] for p in places}


def test_hampshire_is_searchable_by_town_and_postcode_district(realdata):
    areas = gpd.read_file(realdata / "boundaries" / "hampshire_lsoa21_bsc.geojson").rename(
        columns={"lsoa21cd": "area_code", "lad24cd": "district_code", "lad24nm": "district_name"}
    )
    areas = areas.set_index("area_code").to_crs("EPSG:27700")
    path = realdata / "places" / "os_open_names_2021_populated_places_hampshire_PARTIAL.csv"
    places = gazetteer(Config(map=MapConfig(gazetteer=path)), areas)
    found = {(p["n"], p["k"].split(" in ")[0]) for p in places}
    assert ("Winchester", "city") in found and ("Andover", "town") in found
    assert ("SO23", "postcode district") in found  # roughly, from the places' postcodes
    assert ("Basingstoke and Deane", "district") in found
    assert ("E07000094", "district") not in found  # found by code, shown by name
    winchester = next(p for p in places if p["n"] == "Winchester" and p["k"] == "district")
    assert "e07000094" in winchester["q"]


def test_a_district_map_holds_only_the_places_of_its_district_and_border(demo):
    from earlyhelp.maps.search import PlaceIndex

    cfg, inputs = demo
    areas = inputs.areas
    places = gazetteer(cfg, areas)
    one = areas[areas["district_name"] == "Gossamer Bay"].geometry.union_all().buffer(2000)
    local = {p["n"] for p in PlaceIndex(places, areas.crs).within(one)}
    assert "Gossamer Bay" in local
    assert len(local) < len({p["n"] for p in places}) / 2
    assert PlaceIndex([], areas.crs).within(one) == []
