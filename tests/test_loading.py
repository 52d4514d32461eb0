"""Loading each supported file type into the data model, reprojected to the analysis CRS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from earlyhelp.assessment import assess
from earlyhelp.config import Config, ServicesInput, load_config
from earlyhelp.errors import ConfigError, InputError, ValidationFailed
from earlyhelp.loading import load_inputs


def test_need_from_an_excel_sheet_equals_the_csv(tiny):
    expected = load_inputs(load_config(tiny.config)).need
    need = pd.read_csv(tiny.path("need.csv"), dtype=str)
    with pd.ExcelWriter(tiny.path("need.xlsx")) as xl:
        pd.DataFrame({"note": ["a cover sheet"]}).to_excel(xl, sheet_name="About", index=False)
        need.to_excel(xl, sheet_name="Need", index=False)
    tiny.set_config(replace=('path = "need.csv"', 'path = "need.xlsx"\nsheet = "Need"'))
    loaded = load_inputs(load_config(tiny.config)).need
    pd.testing.assert_frame_equal(loaded, expected)


def test_services_from_geojson_in_degrees_are_reprojected(tiny):
    table = pd.read_csv(tiny.path("services.csv"), dtype=str, keep_default_na=False)
    located = table[table["easting"] != ""]
    points = gpd.GeoDataFrame(
        located.drop(columns=["easting", "northing"]),
        geometry=gpd.points_from_xy(
            located["easting"].astype(float), located["northing"].astype(float)
        ),
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    points.to_file(tiny.path("services.geojson"), driver="GeoJSON")
    expected = load_inputs(load_config(tiny.config)).services.loc[located["service_id"]]
    tiny.set_config(replace=('path = "services.csv"', 'path = "services.geojson"'))
    loaded = load_inputs(load_config(tiny.config)).services
    assert loaded.crs.to_epsg() == 27700
    assert list(loaded.index) == list(located["service_id"])
    assert loaded.geometry.distance(expected.geometry).max() < 0.01  # metres
    assert list(loaded["area_code"]) == list(expected["area_code"])


def test_areas_from_a_shapefile_whose_headers_were_cut_to_ten_letters(tiny):
    areas = gpd.read_file(tiny.path("areas.geojson"))
    with pytest.warns((RuntimeWarning, UserWarning)):  # the shapefile cuts the headers
        areas.to_file(tiny.path("areas.shp"))
    tiny.set_config(replace=('path = "areas.geojson"', 'path = "areas.shp"'))
    with pytest.raises(ValidationFailed) as info:
        load_inputs(load_config(tiny.config))
    assert info.value.report.errors[0].fix == (
        'set district_code = "district_c" under [areas.columns] in config.toml'
    )
    columns = '\n[areas.columns]\ndistrict_code = "district_c"\ndistrict_name = "district_n"\n'
    tiny.set_config(columns, replace=('path = "areas.geojson"', 'path = "areas.shp"'))
    loaded = load_inputs(load_config(tiny.config)).areas
    assert len(loaded) == 16 and loaded.crs.to_epsg() == 27700
    assert set(loaded["district_name"]) == {"West", "East"}


def test_areas_from_a_geopackage_layer_in_degrees(tiny):
    areas = gpd.read_file(tiny.path("areas.geojson"))
    areas.to_crs("EPSG:4326").to_file(tiny.path("areas.gpkg"), layer="lsoa")
    tiny.set_config(replace=('path = "areas.geojson"', 'path = "areas.gpkg"\nlayer = "lsoa"'))
    loaded = load_inputs(load_config(tiny.config)).areas
    assert len(loaded) == 16 and loaded.crs.to_epsg() == 27700
    assert loaded.geometry.area.sum() == pytest.approx(16e6, rel=1e-4)


def test_a_missing_file_names_the_config_line_to_fix(tiny):
    tiny.set_config(replace=('path = "need.csv"', 'path = "nope.csv"'))
    with pytest.raises(InputError, match=r"need file not found; check path = .* in config.toml"):
        load_inputs(load_config(tiny.config))


def test_a_configured_postcode_lookup_that_is_missing_is_an_error(tiny):
    tiny.set_config(replace=('path = "postcodes.csv"', 'path = "postcodes_2025.csv"'))
    with pytest.raises(InputError, match=r"postcode lookup file not found; check path"):
        load_inputs(load_config(tiny.config))


# --------------------------------------------------------------------------- no hidden defaults

REPO = Path(__file__).resolve().parents[1]


def read_paths(inputs) -> dict[str, Path]:
    """Every file loading read, by role (the manifest's own account of its inputs)."""
    return {record.role: Path(record.path) for record in inputs.records}


def test_centres_path_blank_means_no_centres_and_the_run_reads_only_named_files(tiny):
    """The tiny config says [centres] path = "": none, and nothing from data/demo."""
    tiny.plant_demo()
    run = assess(load_config(tiny.config))
    assert read_paths(run.inputs) == {
        "areas": tiny.path("areas.geojson"),
        "need": tiny.path("need.csv"),
        "postcodes": tiny.path("postcodes.csv"),
        "services": tiny.path("services.csv"),
    }
    assert sorted(run.services.index) == ["S1", "S2", "S3", "S4", "S5"]
    assert run.sufficiency is not None


def test_a_copy_of_config_toml_without_roads_runs_with_the_euclidean_model(tmp_path):
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    start, end = text.index("# A road network"), text.index("# How distance")
    assert "[roads.columns]" in text[start:end]
    text = text[:start] + text[end:]
    text = text.replace('"data/demo/', f'"{REPO}/data/demo/')  # a copy kept elsewhere
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    run = assess(load_config(config))
    assert run.model.name == "euclidean" and run.inputs.roads is None
    demo = REPO / "data" / "demo"
    assert read_paths(run.inputs) == {
        "areas": demo / "areas.geojson",
        "need": demo / "need.csv",
        "postcodes": demo / "postcodes.csv",
        "services": demo / "services.csv",
        "centres": demo / "childrens_centres.csv",
        "hub_services": demo / "hub_services.csv",
        "hubs": demo / "family_hubs.csv",
        "childcare": demo / "ofsted_childcare_register.csv",
        "childcare ward lookup": demo / "wards.csv",
        "take_up": demo / "ey_take_up.csv",
        "indicator:imd_decile": demo / "deprivation.csv",
    }


def test_a_config_built_in_code_without_an_input_path_is_refused_before_reading(tiny):
    """Loading never falls back to a file of its own: a Config made in code (no
    load_config to refuse it) gets the same message, before any input is read."""
    tiny.plant_demo()
    with pytest.raises(ConfigError) as info:
        load_inputs(Config())
    assert str(info.value) == (
        'config: [areas] needs path = "..." (your small-area boundaries: GeoPackage, '
        "GeoJSON or Shapefile); nothing is read from the demo county unless you point at it"
    )
    cfg = replace(load_config(tiny.config), services=ServicesInput())
    with pytest.raises(ConfigError) as info:
        load_inputs(cfg)
    assert str(info.value) == (
        f'{tiny.config}: [services] needs path = "..." (your service directory: CSV or '
        "Excel, or GeoJSON or GeoPackage points); nothing is read from the demo county "
        "unless you point at it"
    )
