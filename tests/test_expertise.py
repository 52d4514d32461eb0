"""The reach of social work expertise and training, on the tiny county with distances
worked out by hand (straight lines, circuity 1), and a GIAS extract read as settings."""

from __future__ import annotations

import pandas as pd
import pytest

from earlyhelp.config import SitesInput, load_config
from earlyhelp.errors import ConfigError
from earlyhelp.expertise import COUNTY_WIDE, assess_expertise, read_sites
from earlyhelp.loading import load_inputs
from earlyhelp.stats import rate_ci
from earlyhelp.validation import ValidationReport

EXPERTISE = """
[expertise]
far_m = 2500
[expertise.settings]
path = "settings.csv"
[expertise.consultation]
path = "points.csv"
[expertise.training]
path = "training.csv"
"""


def write(tiny, *, extra: str = "") -> None:
    pd.DataFrame(
        {
            "site_id": ["T1", "T2", "T3"],
            "name": ["Tiny Primary", "Tiny Surgery", "Tiny Nursery"],
            "kind": ["school", "gp_practice", "early_years"],
            "staff": [30, 10, 5],
            "easting": [600500, 603500, 602500],
            "northing": [470500, 473500, 470500],
        }
    ).to_csv(tiny.path("settings.csv"), index=False)
    pd.DataFrame(
        {
            "site_id": ["P1", "P2", "P3"],
            "name": ["West Locality Team", "Consultation line", "Old office"],
            "kind": ["locality_team", "consultation_line", "locality_team"],
            "delivery": ["in_person", "phone", "in_person"],
            "status": ["active", "active", "closed"],
            "easting": [600500, 600500, 603500],
            "northing": [471500, 470500, 473500],
        }
    ).to_csv(tiny.path("points.csv"), index=False)
    pd.DataFrame(
        {
            "course_id": ["K1", "K2", "K3"],
            "title": ["Early help", "Working Together", "E-learning"],
            "sector": ["education", "health", "education"],
            "district_code": ["West", "E07000002", ""],
            "places": [6, 2, 10],
            "attended": [5, 2, 7],
        }
    ).to_csv(tiny.path("training.csv"), index=False)
    tiny.set_config(EXPERTISE + extra)


def assess(tiny):
    cfg = load_config(tiny.config)
    return assess_expertise(cfg, load_inputs(cfg))


def test_each_setting_s_nearest_in_person_consultation_and_whether_it_is_far(tiny):
    """P1 is 1 km north of the school; the surgery is 3.6 km from it and the nursery
    2.2 km; the closed office next to the surgery does not count."""
    write(tiny)
    result = assess(tiny)
    s = result.settings
    assert s.loc["T1", "cost"] == pytest.approx(1000.0)
    assert s.loc["T2", "cost"] == pytest.approx((3000**2 + 2000**2) ** 0.5)
    assert s.loc["T3", "cost"] == pytest.approx((2000**2 + 1000**2) ** 0.5)
    assert s["far"].tolist() == [False, True, False]
    assert set(s["nearest_point"]) == {"P1"}
    assert s["remote_available"].all()  # the phone line reaches every setting
    assert result.remote["name"].tolist() == ["Consultation line"]


def test_settings_by_district_and_kind(tiny):
    write(tiny)
    by = assess(tiny).by_district
    assert by.loc[("E07000002", "all settings"), "far"] == 1
    assert by.loc[("E07000002", "all settings"), "settings"] == 2
    assert by.loc[("County", "all settings"), "staff"] == 45
    assert by.loc[("E07000001", "school"), "max_cost"] == pytest.approx(1000.0)


def test_training_per_100_frontline_staff(tiny):
    """West's schools: 6 places for 30 staff = 20 per 100; the county-wide e-learning is
    its own row and counts in the county's figure only."""
    write(tiny)
    t = assess(tiny).training
    west = t.loc[("E07000001", "education")]
    ci = rate_ci([6], [30], per=100).iloc[0]
    assert west["places_per_100_staff"] == pytest.approx(20.0)
    assert west["places_lower"] == pytest.approx(ci["lower"])
    assert t.loc[(COUNTY_WIDE, "education"), "places"] == 10
    county = t.loc[("County", "all sectors")]
    assert county["places"] == 18 and county["staff"] == 45


def test_the_matrix_model_cannot_measure_from_settings(tiny):
    write(tiny, extra='\n[access]\ndistance_model = "matrix"\nmatrix_path = "matrix.csv"\n')
    with pytest.raises(ConfigError, match="use 'euclidean' or 'network' for this command"):
        assess(tiny)


def test_a_settings_table_without_a_kind_is_refused_with_the_fix(tiny):
    write(tiny)
    frame = pd.read_csv(tiny.path("settings.csv")).drop(columns="kind")
    frame.to_csv(tiny.path("settings.csv"), index=False)
    with pytest.raises(Exception) as info:
        assess(tiny)
    assert "no 'kind' column" in str(info.value.report.errors[0].problem)


def test_real_gias_schools_read_as_frontline_settings(realdata):
    path = realdata / "services" / "hampshire_gias_open_establishments_20250524.csv"
    report = ValidationReport()
    spec = SitesInput(path=path, format="gias")
    sites, record = read_sites(spec, role="settings", crs="EPSG:27700", report=report)
    assert len(sites) > 700 and record.rows_read == 766
    assert set(sites["kind"]) <= {"school", "early_years"}
    assert (sites["sector"] == "education").sum() > 600
