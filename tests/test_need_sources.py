"""Readers of published need data (issue 17): long JSNA tables, DWP Children in Low Income
Families, Census 2021 TS011 and ONS lookups, on fixtures with the published headers (the
areas in them are fictional), then on the real Hampshire files where they are present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from earlyhelp.errors import InputError
from earlyhelp.sources import read_source
from earlyhelp.sources.census import read_ts011
from earlyhelp.sources.dwp import read_dwp_cilif
from earlyhelp.sources.long import read_long
from earlyhelp.sources.ons_lookup import read_best_fit, read_ons_lookup
from earlyhelp.validation import ValidationReport

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
JSNA = FIXTURES / "jsna" / "jsna_msoa_profile.csv"
DWP = FIXTURES / "dwp"
LOOKUPS = FIXTURES / "lookups"
LSOA_WARD = LOOKUPS / "LSOA_(2021)_to_Electoral_Ward_(2023)_to_LAD_(2023)_Best_Fit_Lookup_in_EW.csv"
MSOA_WARD = LOOKUPS / "MSOA_(2021)_to_Ward_to_LAD_(May_2023)_Lookup_in_EW.csv"


def warnings(report: ValidationReport) -> list[str]:
    return [p.line() for p in report.warnings]


# --------------------------------------------------------------------------- long tables


def test_a_jsna_long_msoa_table_is_read_as_published_and_says_what_was_tidied():
    """The Hampshire-shaped profile: a byte-order mark, MSOA codes with a trailing space,
    children counted with thousands separators, six obesity values withheld ('*')."""
    report = ValidationReport()
    wide = read_long(JSNA, report=report)
    assert len(wide) == 172  # 170 MSOAs, Hampshire and England
    assert wide["area_code"].str.fullmatch(r"E\d{8}").all()  # the spaces are gone
    assert wide.loc[0, "area_code"] == "E02004675"
    assert wide.loc[0, "area_name"] == "Basingstoke and Deane 001"
    assert list(wide.columns[2:8]) == [
        "children_aged_0_to_15_value",
        "children_in_relative_low_income_families_percentage_value",
        "children_in_relative_low_income_families_percentage_lower",
        "children_in_relative_low_income_families_percentage_upper",
        "children_in_relative_low_income_families_count_value",
        "hospital_admissions_caused_by_value",
    ]
    assert wide["children_aged_0_to_15_value"].min() >= 1200  # "1,234" read as 1234
    tidied = [w for w in warnings(report) if "read as published" in w]
    assert len(tidied) == 1
    for said in (
        "a byte-order mark",
        "1,200 cell(s) with spaces around them in 'MSOA21 code'",
        "170 value(s) in 'Value' with thousands separators",
        "6 value(s) in 'Value' withheld by the publisher (read as missing, not 0)",
    ):
        assert said in tidied[0]  # fmt: skip
    obesity = wide["year_6_prevalence_of_obesity_including_value"]
    assert obesity.isna().sum() == 6 and (obesity.dropna() > 0).all()  # withheld: not 0
    assert wide.attrs["indicators"]["children_in_need"]["measure"] == "Rate per 10,000"


def test_one_indicator_and_measure_by_name(tmp_path):
    report = ValidationReport()
    one = read_long(
        JSNA, report=report, indicator="Children in relative low income families (under 16s)",
        measure="percentage", name="low_income",
    )  # fmt: skip
    assert list(one.columns) == [
        "area_code", "area_name", "low_income_value", "low_income_lower", "low_income_upper",
    ]  # fmt: skip
    hants = one.set_index("area_code").loc["E10000014"]
    assert (hants["low_income_value"], hants["low_income_lower"]) == (14.0, 13.9)
    both = read_long(JSNA, report=report, indicator="Children in relative low income families "
                     "(under 16s)", name="low_income")  # fmt: skip
    assert list(both.columns[2:]) == [  # one stem per measure
        "low_income_percentage_value", "low_income_percentage_lower",
        "low_income_percentage_upper", "low_income_count_value",
    ]  # fmt: skip
    with pytest.raises(InputError, match=r"did you mean 'Children in need'"):
        read_long(JSNA, report=report, indicator="Children in Need.")


def test_a_pivot_never_turns_an_absent_value_into_zero(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "Area Code,Indicator ID,Indicator,Time period,Value,Count,Denominator\n"
        "E02000001,101,Children in need,2023/24,250.0,20,800\n"
        "E02000001,102,Obesity,2023/24,18.0,,\n"
        "E02000002,101,Children in need,2023/24,120.0,10,833\n"
        "E02000002,101,Children in need,2022/23,999.0,99,800\n",  # an older period
        encoding="utf-8",
    )
    wide = read_long(path, report=ValidationReport()).set_index("area_code")
    assert wide.loc["E02000002", "children_in_need_value"] == 120.0  # the latest period
    assert np.isnan(wide.loc["E02000002", "obesity_value"])  # no row: missing, not 0
    assert wide.loc["E02000001", "children_in_need_count"] == 20
    assert "obesity_count" not in wide  # a column the file never fills is left out
    by_code = read_long(path, report=ValidationReport(), indicator="102", name="obesity")
    assert by_code["obesity_value"].tolist()[0] == 18.0
    older = read_long(path, report=ValidationReport(), indicator="101", period="2022/23")
    assert older.iloc[0, 2] == 999.0


def test_rows_repeated_for_an_area_name_the_column_that_differs(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "Area Code,Indicator,Sex,Value\nE02000001,Obesity,Boys,20\nE02000001,Obesity,Girls,16\n",
        encoding="utf-8",
    )
    report = ValidationReport()
    with pytest.raises(InputError, match="holds several values of sex"):
        read_long(path, report=report)
    girls = read_long(path, report=report, sex="girls", name="obesity")
    assert girls["obesity_value"].tolist() == [16.0]


# --------------------------------------------------------------------------- DWP


def test_dwp_cilif_2015_2021_ward_sheet_with_fractions_and_a_provisional_year():
    report = ValidationReport()
    table = read_dwp_cilif(DWP / "cilif_fye2015_2021_ward_relative.csv", report=report)
    assert list(table.columns) == [
        "area_code", "area_name", "low_income_children_count", "low_income_children_percent",
        "low_income_children_denominator",
    ]  # fmt: skip
    row = table.set_index("area_code").loc["E05099001"]
    assert row["low_income_children_count"] == 537
    assert row["low_income_children_percent"] == pytest.approx(18.4)  # 0.184 as a fraction
    assert row["low_income_children_denominator"] == round(537 / 0.184)  # derived
    assert table.attrs["period"] == "FYE 2021" and table.attrs["provisional"]
    withheld = table.set_index("area_code").loc["E05099003"]
    assert pd.isna(withheld["low_income_children_count"])  # "..": missing, not 0
    found = warnings(report)
    assert any("FYE 2021 figures are provisional" in w for w in found)
    assert any("given as fractions" in w for w in found)
    earlier = read_dwp_cilif(DWP / "cilif_fye2015_2021_ward_relative.csv",
                             report=report, period="FYE 2016")  # fmt: skip
    assert earlier.iloc[1]["low_income_children_count"] == 398
    with pytest.raises(InputError, match=r"period 'FYE 2030' is not in the table"):
        read_dwp_cilif(DWP / "cilif_fye2015_2021_ward_relative.csv", report=report,
                       period="FYE 2030")  # fmt: skip


def test_dwp_cilif_2024_2025_ward_table_with_commas_percent_signs_and_two_area_codes():
    report = ValidationReport()
    table = read_dwp_cilif(DWP / "cilif_fye2024_2025_ahc_relative_ward.csv", report=report)
    row = table.set_index("area_code").loc["E05099003"]
    assert row["area_name"] == "Castle Hill"
    assert row["district_code"] == "E07099001" and row["district_name"] == "Wyvern Vale"
    assert row["low_income_children_count"] == 2122  # "2,122"
    assert row["low_income_children_percent"] == pytest.approx(51.6)  # "51.6%"
    assert pd.isna(table.set_index("area_code").loc["E05099004", "low_income_children_count"])
    tidied = next(w for w in warnings(report) if "read as published" in w)
    assert "with thousands separators" in tidied and "with % signs" in tidied


def test_dwp_cilif_workbook_sheet_with_notes_above_the_header(tmp_path):
    """The workbook as published: a title and notes above the header, whose two 'Area
    Code' cells are told apart as in the CSV."""
    raw = pd.read_csv(DWP / "cilif_fye2024_2025_ahc_relative_ward.csv", dtype=str, header=None)
    notes = pd.DataFrame([["Children in low income families: local area statistics"] +
                          [None] * 7, ["Table 4: after housing costs"] + [None] * 7])  # fmt: skip
    path = tmp_path / "cilif.xlsx"
    pd.concat([notes, raw]).to_excel(path, sheet_name="4_AHC_Relative_Ward", index=False,
                                     header=False)  # fmt: skip
    table = read_dwp_cilif(path, report=ValidationReport(), sheet="4_AHC_Relative_Ward")
    assert table.set_index("area_code").loc["E05099003", "low_income_children_count"] == 2122
    assert table.attrs["geography"] == "ward"


# --------------------------------------------------------------------------- Census TS011


def test_census_ts011_households_by_dimensions_and_the_share_deprived():
    report = ValidationReport()
    table = read_ts011(FIXTURES / "census" / "census2021-ts011-lsoa.csv", report=report,
                       dimensions=2)  # fmt: skip
    row = table.set_index("area_code").loc["E01099001"]
    assert row["households"] == 700
    assert [row[f"households_deprived_{n}"] for n in range(5)] == [300, 250, 110, 35, 5]
    assert row["household_deprivation_count"] == 150  # two, three or four dimensions
    assert row["household_deprivation_percent"] == pytest.approx(100 * 150 / 700)
    assert row["household_deprivation_denominator"] == 700
    anyone = read_source("census_ts011", FIXTURES / "census" / "census2021-ts011-lsoa.csv",
                         report=report)  # fmt: skip
    assert anyone.loc[0, "household_deprivation_count"] == 400


# --------------------------------------------------------------------------- lookups


def test_ons_lookup_from_lsoas_to_wards_is_a_best_fit_and_says_so():
    table = read_ons_lookup(LSOA_WARD, report=ValidationReport(), to="ward")
    assert list(table.columns) == [
        "area_code", "area_name", "unit_code", "unit_name", "fit", "method",
    ]  # fmt: skip
    assert table.set_index("area_code").loc["E01099003", "unit_code"] == "E05099002"
    assert table["fit"].isna().all() and "best-fit" in table.loc[0, "method"]
    districts = read_ons_lookup(LSOA_WARD, report=ValidationReport(), to="district")
    assert (districts["fit"] == 1.0).all()  # LSOAs nest in districts


def test_lsoa_to_msoa_from_the_ons_naming_rule():
    report = ValidationReport()
    table = read_ons_lookup(LSOA_WARD, report=report, to="msoa", msoa_names=str(MSOA_WARD))
    units = table.set_index("area_code")["unit_code"]
    assert units.to_dict() == {
        "E01099001": "E02099001", "E01099002": "E02099001", "E01099003": "E02099002",
        "E01099004": "E02099002", "E01099005": "E02099003",
    }  # fmt: skip
    assert table.loc[0, "method"].startswith("derived from the ONS naming rule")
    with pytest.raises(InputError, match="msoa_names=<a file of MSOA codes and names>"):
        read_ons_lookup(LSOA_WARD, report=report, to="msoa")
    with pytest.raises(InputError, match="did you mean 'ward'"):
        read_ons_lookup(LSOA_WARD, report=report, to="wards")


def test_best_fit_from_boundaries_states_the_share_that_fits(tmp_path):
    """Two 1 km areas; the unit boundary runs 100 m into the second: it fits 90%."""
    import geopandas as gpd

    areas = gpd.GeoDataFrame({"LSOA21CD": ["E01000001", "E01000002"]},
                             geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
                             crs="EPSG:27700")  # fmt: skip
    units = gpd.GeoDataFrame({"WD23CD": ["E05000001", "E05000002"], "WD23NM": ["A", "B"]},
                             geometry=[box(0, 0, 1100, 1000), box(1100, 0, 3000, 1000)],
                             crs="EPSG:27700")  # fmt: skip
    areas.to_file(tmp_path / "areas.geojson")
    units.to_file(tmp_path / "units.geojson")
    report = ValidationReport()
    table = read_best_fit(tmp_path / "areas.geojson", report=report,
                          units=str(tmp_path / "units.geojson")).set_index("area_code")  # fmt: skip
    assert table["unit_code"].tolist() == ["E05000001", "E05000002"]
    assert table["fit"].tolist() == pytest.approx([1.0, 0.9])
    assert table.loc["E01000002", "unit_name"] == "B"
    pd.DataFrame({"LSOA21CD": ["E01000001", "E01000002"], "WD23CD": ["E05000001"] * 2}).to_csv(
        tmp_path / "given.csv", index=False
    )
    measured = read_best_fit(tmp_path / "areas.geojson", report=report,
                             units=str(tmp_path / "units.geojson"),
                             lookup=str(tmp_path / "given.csv")).set_index("area_code")  # fmt: skip
    assert measured["fit"].tolist() == pytest.approx([1.0, 0.1])  # as given, and how well


# --------------------------------------------------------------------------- real files


def test_real_dwp_tables_read_as_published(realdata):
    poverty = realdata / "poverty"
    report = ValidationReport()
    wards = read_dwp_cilif(poverty / "dwp_cilif_fye2015_2021_ward_relative_hampshire.csv",
                           report=report)  # fmt: skip
    assert len(wards) == 234 and wards.loc[0, "area_code"] == "K02000001"  # the UK and 233 wards
    assert wards.set_index("area_code").loc["E05002441", "low_income_children_percent"] == 18.4
    ahc = read_dwp_cilif(poverty / "dwp_cilif_fye2024_2025_ahc_relative_ward_hampshire.csv",
                         report=report)  # fmt: skip
    assert len(ahc) == 222 and ahc["district_code"].nunique() == 13
    assert ahc["low_income_children_count"].notna().all()
    la = read_dwp_cilif(poverty / "dwp_cilif_fye2024_2025_ahc_relative_la_hampshire.csv",
                        report=report).set_index("area_code")  # fmt: skip
    assert la.loc["E06000044", "low_income_children_count"] == 11890
    assert la.loc["E06000044", "low_income_children_percent"] == 31.0


def test_real_lsoa_to_msoa_by_name_and_by_boundaries(realdata):
    lookups, bounds = realdata / "lookups", realdata / "boundaries"
    msoas = str(lookups / "msoa21_wd23_lad23_hampshire.csv")
    names = read_ons_lookup(lookups / "lsoa21_wd23_lad23_hampshire.csv",
                            report=ValidationReport(), to="msoa", msoa_names=msoas)  # fmt: skip
    assert len(names) == 1142 and names["unit_code"].notna().all()
    sizes = names.groupby("unit_code").size()
    assert len(sizes) == 229 and sizes.between(3, 8).all()
    fit = read_best_fit(bounds / "hampshire_lsoa21_bsc.geojson", report=ValidationReport(),
                        units=str(bounds / "hampshire_msoa21_bsc.geojson"))  # fmt: skip
    by_fit = fit.set_index("area_code")["unit_code"]
    agree = names.set_index("area_code")["unit_code"] == by_fit.reindex(names["area_code"])
    assert agree.sum() == 1100  # generalised boundaries: 42 LSOAs drawn into a neighbour
