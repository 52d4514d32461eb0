"""Population-weighted centroids ([areas] population_points): distances are measured from
where people live, as ONS publishes the points."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from earlyhelp.assessment import assess
from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.errors import ValidationFailed
from earlyhelp.loading import load_inputs

# Tiny 001 is the square 600000-601000 x 470000-471000, measured from its middle
# (600500, 470500) unless told otherwise; the one in-person domestic abuse service, S2, is
# at (602500, 471500).
CORNER = (600900.0, 470900.0)
FROM_CORNER = math.hypot(1600, 600)


def _with_points(tiny, rows: list[dict], name: str = "pwc.csv") -> None:
    pd.DataFrame(rows).to_csv(tiny.path(name), index=False)
    tiny.set_config(
        replace=('path = "areas.geojson"', f'path = "areas.geojson"\npopulation_points = "{name}"')
    )


def _nearest(tiny) -> pd.Series:
    a = assess(load_config(tiny.config), sufficiency=False)
    return a.access.wide["nearest__domestic_abuse"]


def test_distances_are_measured_from_the_population_weighted_centroid(tiny):
    before = _nearest(tiny)
    # the ONS CSV as downloaded: FID, LSOA21CD, GlobalID, x, y (metres)
    _with_points(
        tiny,
        [{"FID": 1, "LSOA21CD": "E01000001", "GlobalID": "{a}", "x": CORNER[0], "y": CORNER[1]}],
    )
    after = _nearest(tiny)
    assert before["E01000001"] == pytest.approx(math.hypot(2000, 1000), abs=1.0)
    assert after["E01000001"] == pytest.approx(FROM_CORNER, abs=1.0)
    # areas the file does not cover keep a point inside them
    assert after.drop("E01000001").to_numpy() == pytest.approx(before.drop("E01000001").to_numpy())
    inputs = load_inputs(load_config(tiny.config))
    (warning,) = [p for p in inputs.report.warnings if p.field == "population_points"]
    assert "15 of 16 area(s) have no centroid" in warning.problem
    record = next(r for r in inputs.records if r.role == "population_points")
    assert (record.rows_read, record.rows_used) == (1, 1)


def test_longitude_and_latitude_are_read_as_degrees(tiny):
    lonlat = gpd.GeoSeries([Point(CORNER)], crs="EPSG:27700").to_crs("EPSG:4326")
    _with_points(tiny, [{"LSOA21CD": "E01000001", "x": lonlat.x[0], "y": lonlat.y[0]}])
    assert _nearest(tiny)["E01000001"] == pytest.approx(FROM_CORNER, abs=1.0)


def test_a_point_layer_is_read_too(tiny):
    gpd.GeoDataFrame(
        {"LSOA21CD": ["E01000001"]}, geometry=[Point(CORNER)], crs="EPSG:27700"
    ).to_file(tiny.path("pwc.gpkg"))
    tiny.set_config(
        replace=('path = "areas.geojson"', 'path = "areas.geojson"\npopulation_points = "pwc.gpkg"')
    )
    assert _nearest(tiny)["E01000001"] == pytest.approx(FROM_CORNER, abs=1.0)


def test_a_centroid_outside_its_own_area_is_not_used_and_named(tiny):
    # 2011 centroids against 2021 areas, or a wrong code: the point is in another square
    _with_points(tiny, [{"LSOA21CD": "E01000001", "x": 603500, "y": 473500}])
    assert _nearest(tiny)["E01000001"] == pytest.approx(math.hypot(2000, 1000), abs=1.0)
    inputs = load_inputs(load_config(tiny.config))
    problems = [p.problem for p in inputs.report.warnings if p.field == "population_points"]
    assert any("1 centroid(s) lie outside their own area (e.g. E01000001)" in p for p in problems)


def test_a_file_without_coordinates_is_refused_with_its_columns_and_the_fix(tiny):
    _with_points(tiny, [{"LSOA21CD": "E01000001", "where": "here"}])
    with pytest.raises(ValidationFailed):
        load_inputs(load_config(tiny.config))
    result = CliRunner().invoke(app, ["validate", "--config", str(tiny.config)])
    assert result.exit_code != 0
    assert "pwc.csv" in result.output and "coordinate columns (x and y)" in result.output
    assert "LSOA21CD, where" in result.output
    assert "Traceback" not in result.output
