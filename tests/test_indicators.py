"""Indicators at their own geography (issue 17): long MSOA tables and ward tables placed on
the tiny county's sixteen small areas, with answers worked out by hand.

The tiny county is a 4 x 4 grid of areas E01000001..16 (200 children 0-19 each), West
(columns 0-1) and East (columns 2-3). Here its MSOAs are the four 2 x 2 blocks
(E02000001 top left, 2 top right, 3 bottom left, 4 bottom right) and its wards the four
columns (E05000001..4, west to east).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from earlyhelp.config import IndicatorConfig, load_config
from earlyhelp.errors import ConfigError, ValidationFailed
from earlyhelp.loading import load_inputs
from earlyhelp.need import (
    calls_for,
    county_value,
    indicator_column,
    indicator_values,
    need_index,
    unit_statistics,
)
from earlyhelp.stats import rate_ci, wilson_ci


def area(i: int) -> str:
    return f"E01{i:06d}"


def msoa_of(i: int) -> str:
    row, col = divmod(i - 1, 4)
    return f"E02{1 + (row // 2) * 2 + col // 2:06d}"


def ward_of(i: int) -> str:
    return f"E05{1 + (i - 1) % 4:06d}"


def write_lookups(tiny) -> None:
    """The ONS-style lookups of the tiny county, as an analyst downloads them."""
    rows = [
        {"LSOA21CD": area(i), "LSOA21NM": f"Tiny {i:03d}", "MSOA21CD": msoa_of(i),
         "WD23CD": ward_of(i), "LAD23CD": "E07000001" if (i - 1) % 4 < 2 else "E07000002"}
        for i in range(1, 17)
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tiny.path("lsoa_msoa_ward.csv"), index=False)


JSNA_HEADER = (
    "District,MSOA21 name,MSOA21 code,Topic,Indicator,Measure,Source,Value,Lower CI,Upper CI"
)


def write_msoa_profile(tiny) -> None:
    """A JSNA long table by MSOA as a county council publishes it: a byte-order mark,
    codes with a trailing space, a county row, and no row for MSOA 4 (East's southern
    half) for children in need."""
    lines = [JSNA_HEADER]
    cin = {1: ("500.0", "450.0", "550.0"), 2: ("300.0", "280.0", "320.0"),
           3: ("200.0", "150.0", "250.0")}  # fmt: skip
    gld = {1: "60.0", 2: "70.0", 3: "75.0", 4: "72.0"}
    for m in (1, 2, 3, 4):
        district = "West" if m in (1, 3) else "East"
        code = f"E02{m:06d} "
        if m in cin:
            v, lo, hi = cin[m]
            lines.append(f'{district},Tiny M{m},{code},Social care,Children in need,'
                         f'"Rate per 10,000",CSC 2024,{v},{lo},{hi}')  # fmt: skip
        g = float(gld[m])
        lines.append(f"{district},Tiny M{m},{code},Education,Good level of development,"
                     f"Percentage,EYFSP 2023,{g},{g - 5},{g + 5}")  # fmt: skip
    lines.append('Tiny County,Tiny County,E10000099 ,Social care,Children in need,'
                 '"Rate per 10,000",CSC 2024,250.0,245.0,255.0')  # fmt: skip
    tiny.path("jsna_msoa.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


MSOA_CONFIG = """
[indicators.children_in_need]
label = "Children in need"
path = "jsna_msoa.csv"
format = "long"
indicator = "Children in need"
kind = "rate"
geography = "msoa"
lookup = "lsoa_msoa_ward.csv"
compare_with = "E10000099"
categories = ["domestic_abuse"]
"""


def msoa_inputs(tiny, extra: str = ""):
    write_lookups(tiny)
    write_msoa_profile(tiny)
    tiny.set_config(MSOA_CONFIG + extra)
    return load_inputs(load_config(tiny.config))


def lines(report) -> list[str]:
    return [p.line() for p in report.problems]


# --------------------------------------------------------------------------- MSOA, long


def test_a_long_msoa_table_gives_each_area_its_msoa_value_and_published_interval(tiny):
    need = msoa_inputs(tiny).need
    value, lower = indicator_column("children_in_need", "value"), "children_in_need__lower"
    for i in range(1, 17):
        m = int(msoa_of(i)[-1])
        row = need.loc[area(i)]
        assert row["children_in_need__unit"] == msoa_of(i)
        if m == 4:
            assert np.isnan(row[value])  # no row in the file: missing, never 0
            continue
        assert row[value] == {1: 500.0, 2: 300.0, 3: 200.0}[m]
        assert row[lower] == {1: 450.0, 2: 280.0, 3: 150.0}[m]
        assert row["children_in_need__interval"] == "supplied"
        assert row["children_in_need__comparator"] == 250.0
        assert row["children_in_need__compared"] == "higher" if m in (1, 2) else "lower"


def test_the_need_index_ranks_areas_by_their_msoa_value(tiny):
    """Twelve areas have a value: M3's four (200) take ranks 1-4, M2's (300) 5-8 and M1's
    (500) 9-12, so (r - 0.5) / 12 gives 16.7, 50 and 83.3; M4's areas have none."""
    inputs = msoa_inputs(tiny)
    cfg = load_config(tiny.config)
    index = need_index(inputs.need, {"children_in_need": cfg.indicators["children_in_need"]})
    expected = {1: 100 * 10 / 12, 2: 50.0, 3: 100 * 2 / 12}
    for i in range(1, 17):
        m = int(msoa_of(i)[-1])
        if m == 4:
            assert np.isnan(index[area(i)])
        else:
            assert index[area(i)] == pytest.approx(expected[m])


def test_calls_for_compares_with_the_published_county_value_by_the_published_interval(tiny):
    """County 250 as published; 1.25 x 250 = 312.5. M1 (500, lower 450) is well above;
    M2 (300) is significantly higher but not by a quarter; M3 is lower."""
    inputs = msoa_inputs(tiny)
    cfg = load_config(tiny.config)
    called = calls_for(inputs.need, cfg.indicators, ratio=1.25)
    hits = {i for i in range(1, 17) if called.loc[area(i), "domestic_abuse"]}
    assert hits == {1, 2, 5, 6}  # the four areas of MSOA 1
    ind = cfg.indicators["children_in_need"]
    values = indicator_values(inputs.need, "children_in_need", ind)
    assert county_value(inputs.need, "children_in_need", ind, values) == 250.0


def test_without_a_comparator_the_county_value_weights_each_msoa_by_its_children(tiny):
    """Each MSOA with a value holds 800 of the study area's children: (500 + 300 + 200) / 3."""
    inputs = msoa_inputs(tiny)
    ind = IndicatorConfig(kind="rate", path=tiny.path("jsna_msoa.csv"), format="long")
    need = inputs.need.drop(columns="children_in_need__comparator")
    values = indicator_values(need, "children_in_need", ind)
    assert county_value(need, "children_in_need", ind, values) == pytest.approx(1000 / 3)
    half = need.drop(index=[area(1), area(2)])  # two of MSOA 1's areas outside the study area
    values = indicator_values(half, "children_in_need", ind)
    assert county_value(half, "children_in_need", ind, values) == pytest.approx(
        (500 * 400 + 300 * 800 + 200 * 800) / 2000
    )


def test_uncovered_areas_are_named_by_district_with_their_children(tiny):
    inputs = msoa_inputs(tiny)
    found = lines(inputs.report)
    cover = [x for x in found if "has no value for" in x]
    assert cover == [
        "jsna_msoa.csv, field '[indicators.children_in_need]': indicator 'children_in_need' "
        "(MSOA) has no value for 4 of 16 areas (800 of 3,200 children): 4 of 8 areas in East "
        "(800 children); missing is not zero: those areas are scored on their other indicators "
        "and this one calls for nothing there; add their values (another publisher's table), "
        "or analyse only the districts covered with [run] districts"
    ]
    fewer = [x for x in found if "scored on fewer indicators" in x]
    assert len(fewer) == 1 and "4 of 16 areas" in fewer[0] and "4 on 1 of 2" in fewer[0]
    assert "East (4)" in fewer[0]
    assert inputs.need["indicators_scored"].tolist() == [
        1.0 if int(msoa_of(i)[-1]) == 4 else 2.0 for i in range(1, 17)
    ]
    tidied = [x for x in found if "read as published" in x]
    assert len(tidied) == 1
    assert (
        "a byte-order mark" in tidied[0] and "with spaces around them in 'MSOA21 code'" in tidied[0]
    )


def test_whole_districts_without_a_value_are_named(tiny):
    """A file of West's MSOAs only: East is missing whole, and said so by name."""
    write_lookups(tiny)
    write_msoa_profile(tiny)
    text = tiny.path("jsna_msoa.csv").read_text(encoding="utf-8-sig")
    west_only = "\n".join(x for x in text.splitlines() if not x.startswith("East"))
    tiny.path("jsna_msoa.csv").write_text(west_only + "\n", encoding="utf-8-sig")
    tiny.set_config(MSOA_CONFIG)
    inputs = load_inputs(load_config(tiny.config))
    cover = [x for x in lines(inputs.report) if "has no value for" in x]
    assert len(cover) == 1
    assert (
        "has no value for 8 of 16 areas (1,600 of 3,200 children): none in East (8 areas, "
        "1,600 children); missing is not zero" in cover[0]
    )


def test_the_indicator_is_chosen_by_name_exactly_with_a_did_you_mean(tiny):
    def config_with(name: str):
        tiny.set_config(
            MSOA_CONFIG.replace('indicator = "Children in need"', f'indicator = "{name}"')
        )
        return load_config(tiny.config)

    msoa_inputs(tiny)  # writes the files; the exact name loads
    with pytest.raises(ValidationFailed) as info:
        load_inputs(config_with("Children in Need (CIN)"))
    found = lines(info.value.report)
    assert len([x for x in found if "is not in the file" in x]) == 1
    wrong = next(x for x in found if "is not in the file" in x)
    assert (
        "indicator 'Children in Need (CIN)' is not in the file (did you mean 'Children in "
        "need'?)" in wrong
    )
    assert "'Good level of development' (4 rows)" in wrong
    assert not load_inputs(config_with("children IN need")).report.errors  # case aside
    with pytest.raises(ValidationFailed, match="indicator 'Children' is not in the file"):
        load_inputs(config_with("Children"))  # a part of the name is not enough


def test_a_missing_comparator_row_names_the_rows_that_could_be_one(tiny):
    write_lookups(tiny)
    write_msoa_profile(tiny)
    tiny.set_config(MSOA_CONFIG.replace('compare_with = "E10000099"', 'compare_with = "E92000001"'))
    with pytest.raises(ValidationFailed) as info:
        load_inputs(load_config(tiny.config))
    assert (
        "compare_with = 'E92000001' is not a row of the file with a value"
        in info.value.report.errors[0].line()
    )
    assert "E10000099" in info.value.report.errors[0].line()


def test_a_long_table_given_as_the_need_table_says_how_to_read_it(tiny):
    write_msoa_profile(tiny)
    tiny.set_config(replace=('[need]\npath = "need.csv"', '[need]\npath = "jsna_msoa.csv"'))
    with pytest.raises(ValidationFailed) as info:
        load_inputs(load_config(tiny.config))
    found = [p.line() for p in info.value.report.errors]
    assert len(found) == 1  # one error, not one per repeated code
    assert found[0].startswith(
        "jsna_msoa.csv, field 'MSOA21 code': the file is a long table, one row per area and "
        "indicator ('E02000001' appears 2 times; column 'Indicator' holds 2 names"
    )
    assert 'format = "long"' in found[0] and "earlyhelp import long jsna_msoa.csv" in found[0]


# --------------------------------------------------------------------------- wards


WARD_CONFIG = """
[indicators.cin_ward]
label = "Children in need (wards)"
path = "cin_wards.csv"
column = "cin"
denominator = "children"
kind = "count"
geography = "ward"
lookup = "lsoa_msoa_ward.csv"
categories = ["domestic_abuse"]
"""


def ward_inputs(tiny):
    """Children in need by ward: the west ward 60 of 800 (750 per 10,000), then 10 of 800,
    30 of 800, and the east ward 8 of 100 (800 per 10,000, on few children)."""
    write_lookups(tiny)
    pd.DataFrame(
        {"WD23CD": [ward_of(i) for i in (1, 2, 3, 4)], "WD23NM": ["A", "B", "C", "D"],
         "cin": ["60", "10", "30", "8"], "children": ["800", "800", "800", "100"]}
    ).to_csv(tiny.path("cin_wards.csv"), index=False)  # fmt: skip
    tiny.set_config(WARD_CONFIG)
    return load_config(tiny.config), load_inputs(load_config(tiny.config))


def test_a_ward_count_gets_its_interval_at_the_ward_and_is_never_shared_down(tiny):
    _, inputs = ward_inputs(tiny)
    need = inputs.need
    west = rate_ci([60], [800], per=10_000).iloc[0]
    for i in (1, 5, 9, 13):  # the four areas of the west ward
        row = need.loc[area(i)]
        assert row["cin_ward__unit"] == "E05000001"
        assert row["cin_ward__value"] == pytest.approx(750.0)
        assert row["cin_ward__lower"] == pytest.approx(west["lower"])
        assert row["cin_ward__upper"] == pytest.approx(west["upper"])
        assert row["cin_ward__unit_count"] == 60  # the ward's count, not a quarter of it
        assert row["cin_ward__interval"] == "computed (Poisson)"


def test_a_ward_indicator_significance_is_inherited_by_its_areas(tiny):
    """County rate pooled over wards, each counted once: 108 / 2,500 = 432 per 10,000;
    x 1.25 = 540. The west ward (750, lower ~572) is well above: its four areas are called.
    The east ward's rate is higher still (800) but on 8 children of 100: its lower limit
    (~345) is below the county, so none of its areas is called, though each would look
    extreme on its own."""
    cfg, inputs = ward_inputs(tiny)
    ind = cfg.indicators["cin_ward"]
    values = indicator_values(inputs.need, "cin_ward", ind)
    assert county_value(inputs.need, "cin_ward", ind, values) == pytest.approx(432.0)
    called = calls_for(inputs.need, {"cin_ward": ind}, ratio=1.25)["domestic_abuse"]
    assert {i for i in range(1, 17) if called[area(i)]} == {1, 5, 9, 13}
    east = rate_ci([8], [100], per=10_000).iloc[0]
    assert east["rate"] > 540 and east["lower"] < 432


def test_a_district_indicator_needs_no_lookup(tiny):
    pd.DataFrame({"LAD23CD": ["E07000001", "E07000002"], "pct": ["12.5", "30.0"],
                  "lo": ["11.0", "28.0"], "hi": ["14.0", "32.0"]}).to_csv(
        tiny.path("districts.csv"), index=False)  # fmt: skip
    tiny.set_config(
        '\n[indicators.poverty]\npath = "districts.csv"\ncolumn = "pct"\nlower = "lo"\n'
        'upper = "hi"\nkind = "rate"\ngeography = "district"\n'
    )
    need = load_inputs(load_config(tiny.config)).need
    assert need.loc[area(1), "poverty__value"] == 12.5 and need.loc[area(4), "poverty__value"] == 30
    assert need.loc[area(4), "poverty__upper"] == 32.0
    assert set(need["poverty__interval"]) == {"supplied"}


# --------------------------------------------------------------------------- unit statistics


def test_unit_statistics_says_where_each_interval_comes_from():
    units = pd.DataFrame(
        {"value": [25.0, 10.0], "count": [50.0, 20.0], "denominator": [200.0, 200.0]},
        index=["A", "B"],
    )
    rate = IndicatorConfig(kind="rate")
    table, how = unit_statistics(units, rate, name="x")
    lo, hi = wilson_ci([50, 20], [200, 200])
    assert how == "computed (Wilson)"
    assert table["lower"].tolist() == pytest.approx((lo * 100).tolist())
    assert table["upper"].tolist() == pytest.approx((hi * 100).tolist())
    per_1000 = units.assign(value=[250.0, 100.0])
    table, how = unit_statistics(per_1000, rate, name="x")
    assert how == "computed (Poisson)"
    assert table["lower"].tolist() == pytest.approx(
        rate_ci([50, 20], [200, 200], per=1000)["lower"].tolist()
    )
    standardised = units.assign(value=[31.7, 8.2])  # not count / denominator: no interval
    assert unit_statistics(standardised, rate, name="x")[1] == "none"
    supplied = units.assign(lower=[20.0, 7.0], upper=[30.0, 14.0])
    table, how = unit_statistics(supplied, rate, name="x")
    assert how == "supplied" and table["lower"].tolist() == [20.0, 7.0]
    score = IndicatorConfig(kind="score")
    assert unit_statistics(units[["value"]], score, name="x")[1] == "none"


# --------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('path = "x.csv"\nformat = "long"\ngeography = "msoa"\nkind = "rate"',
         'geography = "msoa" needs lookup = "..."'),
        ('column = "x"\nkind = "rate"\ngeography = "ward"',
         'geography = "ward" needs path = "..."'),
        ('path = "x.csv"\ncolumn = "x"\nkind = "rate"\nlookup = "l.csv"',
         "has a lookup, so say which geography"),
        ('format = "long"\nkind = "rate"', 'format = "long" needs path'),
        ('path = "x.csv"\nformat = "lnog"\nkind = "rate"', "did you mean 'long'"),
        ('column = "x"\nkind = "rate"\nlower = "lo"', "needs both lower and upper"),
        ('column = "x"\nkind = "rate"\nindicator = "Children in need"',
         "indicator and period choose rows of a long table"),
        ('path = "x.csv"\ncolumn = "x"\nkind = "rate"\ngeography = "county"',
         'geography = "county" needs lookup'),
        ('kind = "rate"', 'needs column = "..."'),
    ],
)  # fmt: skip
def test_indicator_settings_are_checked_when_the_config_is_read(tmp_path, section, message):
    path = tmp_path / "config.toml"
    path.write_text(
        '[areas]\npath = "a.geojson"\n[need]\npath = "n.csv"\n[services]\npath = "s.csv"\n'
        f"[categories.parenting]\n[indicators.x]\n{section}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(path)


def test_a_county_indicator_reaches_the_areas_through_their_districts(tiny):
    """A lookup from districts to counties is enough: each area goes through its district."""
    pd.DataFrame({"LAD23CD": ["E07000001", "E07000002"], "CTY23CD": ["E10000001", "E10000002"]}
                 ).to_csv(tiny.path("counties.csv"), index=False)  # fmt: skip
    pd.DataFrame({"Area Code": ["E10000001", "E10000002", "E92000001"],
                  "Indicator": "Injuries", "Value": ["100.0", "140.0", "120.0"],
                  "Lower CI": ["90.0", "130.0", "119.0"], "Upper CI": ["110.0", "150.0", "121.0"]}
                 ).to_csv(tiny.path("injuries.csv"), index=False)  # fmt: skip
    tiny.set_config(
        '\n[indicators.injuries]\npath = "injuries.csv"\nformat = "long"\nkind = "rate"\n'
        'geography = "county"\nlookup = "counties.csv"\ncompare_with = "E92000001"\n'
    )
    inputs = load_inputs(load_config(tiny.config))
    need = inputs.need
    assert need.loc[area(1), "injuries__unit"] == "E10000001"
    assert need.loc[area(4), "injuries__value"] == 140.0
    assert need.loc[area(1), "injuries__compared"] == "lower"  # 90-110 against England's 120
    assert need.loc[area(4), "injuries__compared"] == "higher"
    assert not [p for p in inputs.report.warnings if "unit of no area" in p.problem]


def test_high_need_by_national_deciles_reads_a_placed_decile(tiny):
    """The high-need rule reads an indicator placed from districts like one of the need
    table: West's areas (decile 2) are high need, East's (decile 8) are not."""
    from earlyhelp.sufficiency.gaps import GapCutoffs, high_need

    pd.DataFrame({"LAD23CD": ["E07000001", "E07000002"], "decile": ["2", "8"]}).to_csv(
        tiny.path("district_deciles.csv"), index=False
    )
    tiny.set_config(
        '\n[indicators.deprivation]\npath = "district_deciles.csv"\ncolumn = "decile"\n'
        'kind = "decile"\ngeography = "district"\n'
        '[sufficiency]\nhigh_need = "indicator_deciles"\nhigh_need_indicator = "deprivation"\n'
    )
    cfg = load_config(tiny.config)
    need = load_inputs(cfg).need
    cutoffs = GapCutoffs(need_index=None, adequate_per_1000=pd.Series(dtype=float))
    high = high_need(cfg, need, pd.Series(np.nan, index=need.index), cutoffs)
    assert [bool(high[area(i)]) for i in (1, 2, 3, 4)] == [True, True, False, False]
