"""Loading each supported file type into the data model, reprojected to the analysis CRS."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from earlyhelp.config import load_config
from earlyhelp.errors import InputError, ValidationFailed
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
