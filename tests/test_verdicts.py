"""Verdicts a board can repeat: standards, not ranks; unknown as a state; the study area.

Hand-made counties on the tiny 4 x 4 grid (tests/conftest.py): generous provision gives no
gap at all, none in reach gives every area a gap, and what the inputs cannot say is
unknown, counted neither way.
"""

from __future__ import annotations

import pandas as pd
import pytest

from earlyhelp.assessment import assess
from earlyhelp.config import load_config

STANDARDS = """
[sufficiency]
places_per_1000 = 100
high_need = "county_quantile"
high_need_quantile = 0.75
"""


def services_everywhere(tiny, *, capacity: str, easting_offset: float = 0.0) -> None:
    """One active in-person service of every kind at the centre of every area."""
    rows = []
    for i in range(16):
        row, col = divmod(i, 4)
        rows.append(
            {
                "service_id": f"G{i:02d}",
                "name": f"Hub {i}",
                "categories": "parenting;domestic_abuse;childrens_centre",
                "min_age": "0",
                "max_age": "19",
                "capacity": capacity,
                "status": "active",
                "delivery": "in_person",
                "easting": str(600500 + col * 1000 + easting_offset),
                "northing": str(470500 + row * 1000),
            }
        )
    tiny.write("services.csv", pd.DataFrame(rows))


def verdicts(tiny, extra: str = STANDARDS):
    tiny.set_config(extra)
    return assess(load_config(tiny.config)).require_sufficiency()


def test_generous_provision_everywhere_leaves_no_gap_and_no_priority_gap(tiny):
    services_everywhere(tiny, capacity="5000")
    suff = verdicts(tiny)
    assert set(suff.gaps["state"]) == {"sufficient"}
    assert not suff.gaps["priority"].isin(["priority gap", "gap", "gap, need unknown"]).any()
    assert suff.summary.loc["County", "priority_gap_children"] == 0
    assert suff.summary.loc["County", "pct_full_core_range"] == 100


def test_too_few_places_everywhere_makes_every_area_a_gap(tiny):
    services_everywhere(tiny, capacity="1")  # within reach, one place each
    suff = verdicts(tiny)
    assert set(suff.gaps["state"]) == {"too few places"}
    high = suff.gaps["high_need"].astype(bool)
    assert (suff.gaps.loc[high, "priority"] == "priority gap").all()
    assert (suff.gaps.loc[~high, "priority"] == "gap").all()

    # the children counted for a kind of help are those of its ages
    tiny.set_config(
        STANDARDS,
        replace=('label = "Children\'s centre"', 'label = "Children\'s centre"\nmax_age = 4'),
    )
    suff = assess(load_config(tiny.config)).require_sufficiency()
    cc = suff.gaps[suff.gaps["category"] == "childrens_centre"]
    assert cc["children"].eq(50).all()  # pop_0_4 of each area, not its 200 children
    # and so are the children in priority gaps: under-fives for the centres' gaps
    only_cc = suff.gaps[(suff.gaps["priority"] == "priority gap")]
    assert set(only_cc["category"]) >= {"childrens_centre"}


def test_none_within_reach_makes_every_area_out_of_reach(tiny):
    # every service 40 km east of the county: there, but out of anyone's reach
    services_everywhere(tiny, capacity="5000", easting_offset=40_000)
    suff = verdicts(tiny)
    assert set(suff.gaps["state"]) == {"out of reach"}
    assert suff.summary.loc["County", "pct_full_core_range"] == 0


def test_a_kind_with_no_service_is_unknown_never_a_gap_or_sufficient(tiny):
    services_everywhere(tiny, capacity="5000")
    frame = tiny.read("services.csv")
    frame["categories"] = "parenting;childrens_centre"  # no domestic abuse service at all
    tiny.write("services.csv", frame)
    suff = verdicts(tiny)
    da = suff.gaps[suff.gaps["category"] == "domestic_abuse"]
    assert set(da["state"]) == {"unknown"} and set(da["priority"]) == {"unknown"}
    assert set(da["reason"]) == {"no active service of this kind in the inputs"}
    row = suff.verdicts.loc["domestic_abuse"]
    assert row["areas_unknown"] == 16 and row["children_sufficient"] == 0
    assert row["children_out_of_reach"] == 0 and row["children_too_few_places"] == 0
    # a core kind with no data anywhere: the full core range cannot be judged, not 0%
    summary = suff.summary.loc["County"]
    assert pd.isna(summary["pct_full_core_range"])
    assert summary["children_core_unknown"] == summary["children"]


def test_an_area_without_need_data_is_unknown_and_never_counted_as_no_children(tiny):
    services_everywhere(tiny, capacity="5000")
    need = tiny.read("need.csv")
    tiny.write("need.csv", need[need["area_code"] != "E01000016"])
    suff = verdicts(tiny)
    lost = suff.gaps[suff.gaps["area_code"] == "E01000016"]
    assert set(lost["state"]) == {"unknown"}
    assert set(lost["reason"]) == {"no need data for this area"}
    assert lost["children"].isna().all()


def test_missing_capacity_makes_a_shortfall_unknown_but_never_hides_one_it_cannot_explain(tiny):
    services_everywhere(tiny, capacity="")  # no capacity given anywhere
    suff = verdicts(tiny)
    assert set(suff.gaps["state"]) == {"unknown"}
    assert set(suff.gaps["reason"]) == {
        "places below the standard, but capacity not given for services in reach"
    }
    # with no standard set, places are not judged: reach alone decides, and it is known
    suff = verdicts(tiny, STANDARDS.replace("places_per_1000 = 100", "places_per_1000 = 0"))
    assert set(suff.gaps["state"]) == {"sufficient"}


def test_need_is_unknown_without_indicators_and_a_gap_there_says_so(tiny):
    services_everywhere(tiny, capacity="1")
    text = tiny.config.read_text()
    start = text.index("[indicators.cp_plans]")
    tiny.config.write_text(text[:start] + STANDARDS)
    suff = assess(load_config(tiny.config)).require_sufficiency()
    assert suff.gaps["high_need"].isna().all()
    assert set(suff.gaps["priority"]) == {"gap, need unknown"}


def test_national_deciles_set_high_need_by_the_stated_rule(tiny):
    services_everywhere(tiny, capacity="1")
    need = tiny.read("need.csv")
    need["idaci_decile"] = [str(1 + i % 10) for i in range(16)]
    tiny.write("need.csv", need)
    extra = """
[indicators.idaci]
column = "idaci_decile"
kind = "decile"

[sufficiency]
places_per_1000 = 100
high_need = "indicator_deciles"
high_need_indicator = "idaci"
high_need_deciles = 3
"""
    suff = verdicts(tiny, extra)
    deciles = need.set_index("area_code")["idaci_decile"].astype(int)
    high = suff.gaps.drop_duplicates("area_code").set_index("area_code")["high_need"]
    assert (high.astype(bool) == (deciles.reindex(high.index) <= 3)).all()


@pytest.mark.parametrize("name", ["West", "E07000001", "west"])
def test_the_study_area_counts_only_its_districts_but_feels_its_neighbours(tiny, name):
    """[run] districts (by name or code, any case): totals and verdicts for West only;
    East's children still share West's border services (places per 1,000 unchanged)."""
    services_everywhere(tiny, capacity="100")
    alone = verdicts(tiny)
    tiny.set_config(
        STANDARDS,
        replace=('output_dir = "out"', f'output_dir = "out"\ndistricts = ["{name}"]'),
    )
    west = assess(load_config(tiny.config))
    suff = west.require_sufficiency()
    assert set(west.areas["district_code"]) == {"E07000001"}
    assert list(suff.summary.index) == ["E07000001", "County"]
    assert suff.summary.loc["County", "children"] == 8 * 200  # the eight West areas only
    # East's children still compete for the places near the border: the same places per
    # 1,000 as when the whole county was analysed
    g = suff.gaps.set_index(["area_code", "category"])["places_per_1000"]
    g_all = alone.gaps.set_index(["area_code", "category"])["places_per_1000"]
    assert g.to_dict() == pytest.approx(g_all.reindex(g.index).to_dict())


def test_an_unknown_study_district_is_refused_with_the_districts_there_are(tiny):
    from earlyhelp.errors import InputError

    tiny.set_config(replace=('output_dir = "out"', 'output_dir = "out"\ndistricts = ["Westt"]'))
    with pytest.raises(InputError, match=r"'Westt' is not a district.*E07000001 West"):
        assess(load_config(tiny.config))
