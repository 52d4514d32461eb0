"""Readers of published UK data (issue #6): each format's awkward values, as published.

Fixtures in tests/fixtures/sources reproduce the published headers exactly, with a
byte-order mark, Windows-1252 text, "13404.00", blank lines, terminated postcodes, a
postcode without a grid reference, unmapped taxonomy terms and a paged Open Referral UK
response. Tests on ../shared/realdata are skipped where it is absent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from earlyhelp.errors import InputError
from earlyhelp.sources import (
    SOURCES,
    bridge_2011_to_2021,
    coerce_options,
    join_area_tables,
    read_source,
)
from earlyhelp.sources.fingertips import read_fingertips
from earlyhelp.sources.gias import read_gias
from earlyhelp.sources.iod import read_iod
from earlyhelp.sources.lsoa_lookup import read_lsoa_lookup
from earlyhelp.sources.onspd import read_onspd
from earlyhelp.sources.openreferral import read_openreferral, read_taxonomy_map
from earlyhelp.sources.population import read_population
from earlyhelp.validation import ValidationReport

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
ORUK = FIXTURES / "openreferral"
GIAS = FIXTURES / "gias" / "edubasealldata20250524.csv"
IOD19 = (
    FIXTURES
    / "iod"
    / "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
)
IOD25 = FIXTURES / "iod" / "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"
POP = FIXTURES / "population"
ONSPD = FIXTURES / "onspd"
FINGERTIPS = FIXTURES / "fingertips"
BANDS = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]
MAPPING = {
    "Parenting support": "parenting",
    "Domestic abuse": "domestic_abuse",
    "Baby groups": "",  # known, calls for no category
    "yth-1": "youth",  # by term id
}


def lines(report: ValidationReport, severity: str = "warning") -> list[str]:
    return [p.line() for p in report.problems if p.severity == severity]


def one(found: list[str], text: str) -> str:
    hits = [line for line in found if text in line]
    assert len(hits) == 1, (text, found)
    return hits[0]


# --------------------------------------------------------------------------- registry


def test_every_format_is_registered_with_a_description_and_what_it_makes():
    assert set(SOURCES) == {
        "openreferral",
        "gias",
        "iod",
        "population",
        "lsoa_lookup",
        "onspd",
        "fingertips",
        "long",
        "dwp_cilif",
        "census_ts011",
        "ons_lookup",
        "best_fit",
        "places",
    }
    for name, source in SOURCES.items():
        assert source.name == name
        assert source.produces in ("services", "need", "postcodes", "lookup", "places")
        assert source.description and "\n" not in source.description
        assert source.example.startswith(f"earlyhelp import {name} ")
        assert source.read.__doc__ and "report" in source.read.__doc__
        assert "report" not in source.options


def test_unknown_format_and_option_say_what_was_meant():
    report = ValidationReport()
    with pytest.raises(
        InputError, match=r"unknown format 'openreferal' \(did you mean 'openreferral'"
    ):
        read_source("openreferal", ORUK / "pages", report=report)
    with pytest.raises(
        InputError, match=r"unknown option 'stale_days' \(did you mean 'stale_after_days'"
    ):
        read_source("openreferral", ORUK / "pages", report=report, stale_days=365)
    with pytest.raises(InputError, match=r"did you mean 'to_lsoa21'"):
        read_source("iod", IOD19, report=report, to_lsoa=str(IOD19))
    with pytest.raises(InputError, match="iod: give one file, not 2; only openreferral, onspd"):
        read_source("iod", [IOD19, IOD25], report=report)
    assert len(read_source("iod", [IOD19], report=report)) == 3


def test_options_from_the_command_line_get_their_types():
    assert coerce_options(
        "openreferral",
        {
            "stale_after_days": "365",
            "drop_uncategorised": "no",
            "vocabularies": "esdServiceTypes, Local",
            "reference_date": "2025-06-01",
        },
    ) == {
        "stale_after_days": 365,
        "drop_uncategorised": False,
        "vocabularies": ["esdServiceTypes", "Local"],
        "reference_date": "2025-06-01",
    }
    assert coerce_options("onspd", {"districts": "E07000084,E07000085"}) == {
        "districts": ["E07000084", "E07000085"]
    }
    with pytest.raises(InputError, match="must be a number"):
        coerce_options("gias", {"centre_max_age": "five"})
    with pytest.raises(InputError, match="did you mean 'kind'"):
        coerce_options("gias", {"kinds": "schools"})


def test_inputs_are_never_modified(tmp_path):
    def digest() -> str:
        files = sorted(p for p in FIXTURES.rglob("*") if p.is_file())
        return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()

    before = digest()
    report = ValidationReport()
    read_source("openreferral", ORUK / "pages", report=report, categories=MAPPING)
    read_source("gias", GIAS, report=report)
    read_source("iod", IOD19, report=report)
    read_source(
        "population", POP / "sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx", report=report
    )
    read_source("onspd", ONSPD / "multi_csv", report=report)
    read_source("fingertips", FINGERTIPS / "indicators-DistrictUApre2023.data.csv", report=report)
    assert digest() == before


# --------------------------------------------------------------------------- Open Referral UK


def read_pages(**options) -> tuple[pd.DataFrame, ValidationReport]:
    report = ValidationReport()
    options = {"categories": MAPPING, **options}
    return read_openreferral(ORUK / "pages", report=report, **options), report


def test_openreferral_paged_folder_becomes_one_row_per_categorised_service():
    services, report = read_pages()
    assert list(services.columns) == [
        "service_id", "name", "provider", "categories", "min_age", "max_age", "delivery",
        "status", "latitude", "longitude", "postcode", "opening_times", "contact",
        "service_areas", "notes",
    ]  # fmt: skip
    by_name = services.set_index("name")
    assert list(by_name.index) == [
        "Bumps & Babies Group",
        "Safe at Home Outreach",
        "Café Connect",
        "Parent Talk Helpline",
    ]
    bumps = by_name.loc["Bumps & Babies Group"]
    assert bumps["categories"] == "parenting"  # "Baby groups" maps to nothing, silently
    assert bumps["provider"] == "Hartley Children’s Centre"
    assert (bumps["min_age"], bumps["max_age"]) == (0, 1)  # from eligibilitys
    assert (bumps["latitude"], bumps["longitude"], bumps["postcode"]) == (
        51.2652,
        -1.0871,
        "RG21 7QW",
    )
    assert bumps["opening_times"] == "Tu 10:00-11:30"
    assert bumps["contact"] == "01256 000001; bumps@example.org"
    assert by_name.loc["Café Connect", "status"] == "closed"  # ORUK "inactive"
    assert by_name.loc["Safe at Home Outreach", "delivery"] == "outreach"  # "Home visit"
    assert by_name.loc["Parent Talk Helpline", "delivery"] == "phone"
    assert not report.errors


def test_openreferral_reports_unmapped_terms_with_how_many_services_carry_them():
    _, report = read_pages()
    warning = one(lines(report), "map to no category")
    assert warning.startswith("pages, field 'taxonomy': 2 taxonomy term(s)")
    assert "'Debt advice' (1), 'Benefits advice' (1)" in warning
    assert "Parenting support" not in warning and "Baby groups" not in warning


def test_openreferral_services_without_a_category_are_named_and_left_out_or_kept():
    services, report = read_pages()
    warning = one(lines(report), "no term that maps")
    assert warning.startswith("page2.json, row 1, field 'categories': 1 service(s)")
    assert "'Money Matters Debt Advice'" in warning and "left out" in warning
    assert "Money Matters Debt Advice" not in set(services["name"])
    kept, _ = read_pages(drop_uncategorised=False)
    assert kept.set_index("name").loc["Money Matters Debt Advice", "categories"] == ""


def test_openreferral_stale_records_are_flagged_against_the_reference_date():
    services, report = read_pages(stale_after_days=365, reference_date="2025-06-01")
    stale = one(lines(report), "are stale")
    assert stale == (
        "page1.json, row 2, field 'assured_date': 1 record(s) are stale: assured or updated more "
        "than 365 days before 2025-06-01 ('Safe at Home Outreach'); ask the providers to confirm "
        "these services still run, or leave them out"
    )
    notes = services.set_index("name")["notes"]
    assert (
        "stale: assured 2021-03-01, 1553 days before 2025-06-01" in notes["Safe at Home Outreach"]
    )
    assert "never assured" in notes["Parent Talk Helpline"]
    assert "stale" not in notes["Bumps & Babies Group"]
    # a later reference date makes more records stale; no check without stale_after_days
    _, report = read_pages(stale_after_days=365, reference_date="2026-03-01")
    stale = [w for w in lines(report) if "are stale" in w]  # one warning per page file
    assert stale[0].startswith("page1.json, row 1, 2, 3, field 'assured_date': 3 record(s)")
    assert stale[1].startswith("page2.json, row 1, field 'assured_date': 1 record(s)")
    _, report = read_pages()
    assert not [w for w in lines(report) if "stale" in w]


def test_openreferral_services_without_a_location_are_kept_and_named():
    services, report = read_pages()
    warning = one(lines(report), "no place of delivery")
    assert warning.startswith("page1.json, row 3, field 'service_at_locations': 1 service(s)")
    assert "'Café Connect'" in warning
    cafe = services.set_index("name").loc["Café Connect"]
    assert np.isnan(cafe["latitude"]) and cafe["postcode"] == ""
    # the phone line has no location either, but needs none: not reported
    assert "Parent Talk" not in warning


def test_openreferral_first_location_used_and_others_noted_ages_capped():
    services, report = read_pages()
    safe = services.set_index("name").loc["Safe at Home Outreach"]
    assert safe["postcode"] == "SO14 7DU"
    assert "2 locations; the first was used (others: SO50 9YN)" in safe["notes"]
    assert safe["max_age"] == 25  # "99" for all ages
    assert "max_age above 25 (e.g. 99" in one(lines(report), "max_age above")


def test_openreferral_zero_coordinates_fall_back_to_the_postcode():
    services, report = read_pages(drop_uncategorised=False)
    money = services.set_index("name").loc["Money Matters Debt Advice"]
    assert np.isnan(money["latitude"]) and money["postcode"] == "SP10 1LT"
    assert "latitude and longitude 0,0" in one(lines(report), "0,0")


def test_openreferral_missing_pages_are_reported():
    report = ValidationReport()
    services = read_openreferral(ORUK / "pages" / "page1.json", report=report, categories=MAPPING)
    assert len(services) == 3
    assert one(lines(report), "page(s) of services").startswith(
        "page1.json: the directory has 2 page(s) of services but 1 were given"
    )


def test_openreferral_without_a_mapping_lists_every_term_as_an_error():
    report = ValidationReport()
    read_openreferral(ORUK / "pages", report=report)
    (error,) = lines(report, "error")
    assert "no taxonomy mapping was given" in error
    assert "'Parenting support' (2)" in error and "'Debt advice' (1)" in error


def test_openreferral_hsds3_list_and_a_mapping_file():
    report = ValidationReport()
    mapping = read_taxonomy_map(ORUK / "taxonomy_map.csv", report=report)
    assert mapping["Baby groups"] == [] and mapping["yth-1"] == ["youth"]
    same, _ = read_pages(categories=ORUK / "taxonomy_map.csv")
    expected, _ = read_pages()
    pd.testing.assert_frame_equal(same, expected)

    services = read_openreferral(
        ORUK / "hsds3_services.json", report=report, categories={"play": "early_years"}
    )
    row = services.iloc[0]
    assert (row["categories"], row["min_age"], row["max_age"]) == ("early_years", 0, 4)
    assert (row["postcode"], row["opening_times"]) == ("SO23 0LB", "Mo,We 09:30-11:30")


def test_openreferral_refuses_a_file_that_is_not_a_directory(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"content": [', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_openreferral(bad, report=ValidationReport())
    other = tmp_path / "other.json"
    other.write_text('{"results": []}', encoding="utf-8")
    with pytest.raises(InputError, match="not an Open Referral services response"):
        read_openreferral(other, report=ValidationReport())


# --------------------------------------------------------------------------- GIAS


def test_gias_childrens_centres_from_a_windows_1252_extract():
    report = ValidationReport()
    centres = read_gias(GIAS, report=report)
    assert list(centres["service_id"]) == ["20001", "20002", "20004"]  # 20003 is closed
    by_id = centres.set_index("service_id")
    assert by_id.loc["20001", "name"] == "St Mary’s Children’s Centre"
    assert by_id.loc["20002", "name"] == "Café Corner Children's Centre Linked Site"
    assert set(centres["categories"]) == {"childrens_centre"}
    assert list(centres["status"]) == ["active", "active", "planned"]
    assert by_id.loc["20002", "notes"] == (
        "linked site; proposed to close; ages 0-4 assumed (under-fives)"
    )
    assert (by_id.loc["20004", "min_age"], by_id.loc["20004", "max_age"]) == (0, 5)  # as given
    assert (by_id.loc["20001", "easting"], by_id.loc["20001", "northing"]) == (436240, 145620)
    assert by_id.loc["20002", "postcode"] == "SO23 8RY"
    warnings = lines(report)
    assert one(warnings, "not UTF-8").startswith(
        "edubasealldata20250524.csv: the file is not UTF-8"
    )
    assert one(warnings, "no easting").startswith(
        "edubasealldata20250524.csv, row 3, field 'Easting': 1 establishment(s)"
    )
    closed = read_gias(GIAS, report=ValidationReport(), include_closed=True)
    assert closed.set_index("service_id").loc["20003", "status"] == "closed"


def test_gias_schools_as_candidate_sites():
    sites = read_gias(GIAS, report=ValidationReport(), kind="schools")
    assert list(sites.columns[:5]) == ["site_id", "name", "kind", "phase", "status"]
    assert list(sites["site_id"]) == ["115900", "115901"]  # the closed junior school is left out
    assert list(sites["kind"]) == ["Community school", "Local authority nursery school"]
    everything = read_gias(GIAS, report=ValidationReport(), kind="all")
    assert len(everything) == 5
    with pytest.raises(InputError, match=r"kind 'school' is not known \(did you mean 'schools'"):
        read_gias(GIAS, report=ValidationReport(), kind="school")


def test_gias_snake_case_extract_from_realdata(realdata):
    path = realdata / "services" / "hampshire_gias_open_establishments_20250524.csv"
    report = ValidationReport()
    sites = read_gias(path, report=report, kind="schools")
    assert len(sites) == 766
    assert sites["easting"].notna().all() and sites["latitude"].notna().all()
    assert sites["area_code"].str.startswith("E01").all()
    centres = read_gias(path, report=report)
    assert centres.empty
    assert "holds no children's centres" in one(lines(report), "no children's centres")


# --------------------------------------------------------------------------- IoD


def test_iod_2019_published_file_with_bom_and_decimal_ranks():
    report = ValidationReport()
    iod = read_iod(IOD19, report=report)
    assert not report.problems  # the blank line is not a problem
    assert iod.attrs["lsoa_vintage"] == "2011" and set(iod["lsoa_vintage"]) == {"2011"}
    assert list(iod["area_code"]) == ["E01017013", "E01017014", "E01022660"]
    first = iod.iloc[0]
    assert first["idaci_rank"] == 13404 and str(iod["idaci_rank"].dtype) == "Int64"
    assert first["idaci_decile"] == 5 and first["idaci_score"] == pytest.approx(0.178)
    assert first["imd_rank"] == 12407 and first["imd_decile"] == 4
    assert first["pop_children_0_15_mid2015"] == 463
    for column in ("barriers_score", "living_environment_decile", "children_and_young_people_rank"):
        assert column in iod
    assert iod.attrs["column_kinds"]["idaci_score"] == "rate"
    assert iod.attrs["column_kinds"]["idaci_decile"] == "rank"


def test_iod_2025_is_keyed_by_2021_lsoas():
    iod = read_iod(IOD25, report=ValidationReport())
    assert iod.attrs["lsoa_vintage"] == "2021"
    assert list(iod["district_code"]) == ["E06000044", "E07000093"]
    assert "pop_total_mid2022" in iod


def test_iod_decile_out_of_range_is_an_error(tmp_path):
    text = IOD25.read_text(encoding="utf-8-sig").replace("4.00,0.120", "14.00,0.120", 1)
    bad = tmp_path / "iod.csv"
    bad.write_text(text, encoding="utf-8-sig")
    report = ValidationReport()
    read_iod(bad, report=report)
    (error,) = lines(report, "error")
    assert error.startswith(
        "iod.csv, row 2, field 'Index of Multiple Deprivation (IMD) Decile (where 1 is most "
        "deprived 10% of LSOAs)': 1 value(s) outside 1 to 10 (e.g. 14)"
    )


def test_iod_snake_case_realdata_both_editions(realdata):
    iod19 = read_iod(
        realdata / "deprivation" / "hampshire_iod2019_lsoa11.csv", report=ValidationReport()
    )
    iod25 = read_iod(
        realdata / "deprivation" / "hampshire_iod2025_lsoa21.csv", report=ValidationReport()
    )
    assert (len(iod19), iod19.attrs["lsoa_vintage"]) == (1105, "2011")
    assert (len(iod25), iod25.attrs["lsoa_vintage"]) == (1142, "2021")
    for iod in (iod19, iod25):
        assert iod["idaci_decile"].between(1, 10).all()
        assert {"idaci_rank", "imd_rank", "imd_decile", "barriers_rank"} <= set(iod.columns)
    assert iod19.set_index("area_code").loc["E01017013", "idaci_rank"] == 13404
    assert "imd_score" in iod25 and "in_hcc_area" not in iod25


# --------------------------------------------------------------------------- population


@pytest.mark.parametrize(
    "name",
    [
        "sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx",  # notes above header; Persons sheet
        "sapelsoasyoa20212022_mid2022.csv",  # F0..F90 and M0..M90
        "census2021-ts007-lsoa.csv",  # "Age: Aged 1 year; measures: Value", bands among years
        "custom_age101_sex2_lsoa.csv",  # long: area, age code, sex, Observation
    ],
)
def test_population_layouts_give_the_same_bands(name):
    report = ValidationReport()
    pop = read_population(POP / name, report=report)
    assert not report.errors
    assert list(pop.columns) == ["area_code", "lsoa_vintage", *BANDS, "pop_0_17"]
    assert list(pop["area_code"]) == ["E01022660", "E01022661", "E01032739"]
    assert list(pop["pop_0_4"]) == [153, 95, 149]
    assert list(pop["pop_0_17"]) == [438, 392, 404]
    assert (pop[BANDS[:4]].sum(axis=1) == pop["pop_0_17"]).all()


def test_population_coarse_bands_are_refused_not_split():
    report = ValidationReport()
    pop = read_population(POP / "census2021-ts007a-lsoa.csv", report=report)
    assert list(pop.columns) == ["area_code", "lsoa_vintage", "pop_0_4"]  # 0-4 exists as given
    (error,) = lines(report, "error")
    assert error.startswith(
        "census2021-ts007a-lsoa.csv: pop_5_10, pop_11_15, pop_16_17, pop_18_19, pop_0_17 "
        "cannot be formed from the age groups in this file (ages 0-4, 5-9, 10-14, 15-19, 20-24)"
    )
    assert "single year of age" in error


def test_population_realdata_mid_2020_and_census(realdata):
    report = ValidationReport()
    pop = read_population(
        realdata / "population" / "hampshire_pop_mid2020_lsoa11_age0_19.csv", report=report
    )
    assert len(pop) == 1105 and pop.attrs["lsoa_vintage"] == "2011"
    assert pop[BANDS].to_numpy().sum() == 424_770  # the README's total aged 0-19
    census = realdata / "population" / "hampshire_census2021_lsoa21_age6.csv"
    read_population(census, report=report)
    assert "pop_0_4, pop_5_10" in one(lines(report, "error"), "cannot be formed")
    children = read_population(census, report=ValidationReport(), bands=["pop_0_15"])
    assert children["pop_0_15"].sum() == 331_454


# --------------------------------------------------------------------------- LSOA bridge


@pytest.fixture
def tiny_lookup() -> pd.DataFrame:
    """A unchanged; B split in two; C and D merged; E redrawn into two with F."""
    pairs = [
        ("E01000001", "E01000001", "U"),
        ("E01000002", "E01040001", "S"),
        ("E01000002", "E01040002", "S"),
        ("E01000003", "E01040003", "M"),
        ("E01000004", "E01040003", "M"),
        ("E01000005", "E01040005", "X"),
        ("E01000005", "E01040006", "X"),
        ("E01000006", "E01040006", "X"),
    ]
    return pd.DataFrame(pairs, columns=["LSOA11CD", "LSOA21CD", "CHGIND"])


@pytest.fixture
def tiny_2011() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [f"E0100000{i}" for i in range(1, 7)] + ["E01999999"],
            "children": [100.0, 200.0, 30.0, 60.0, 80.0, 20.0, 5.0],
            "cases": [10.0, 20.0, 3.0, 12.0, 8.0, 2.0, 1.0],
            "case_rate": [0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.2],
            "score": [1.0, 2.0, 3.0, 6.0, 4.0, 8.0, 0.0],
            "rank": [5, 6, 7, 8, 9, 10, 11],
        }
    )


def test_bridge_conserves_counts_and_recomputes_rates(tiny_2011, tiny_lookup):
    out, what = bridge_2011_to_2021(
        tiny_2011,
        tiny_lookup,
        counts=["children", "cases"],
        rates={"case_rate": "children", "score": None},
        ranks=["rank"],
    )
    assert list(out.index) == [
        "E01000001", "E01040001", "E01040002", "E01040003", "E01040005", "E01040006",
    ]  # fmt: skip
    assert list(out.columns) == ["children", "cases", "case_rate", "score", "rank"]
    assert out["children"].sum() == pytest.approx(490.0)  # all but the code not in the lookup
    assert list(out["children"]) == [100, 100, 100, 90, 40, 60]  # split equally; merged summed
    # merged rate from counts: (0.1 x 30 + 0.2 x 60) / 90
    assert out.loc["E01040003", "case_rate"] == pytest.approx(15 / 90)
    assert out.loc["E01040003", "score"] == pytest.approx(4.5)  # equal weights
    assert out.loc["E01040006", "score"] == pytest.approx((4 * 0.5 + 8 * 1) / 1.5)
    assert out.loc["E01000001", "rank"] == 5
    assert out["rank"].drop("E01000001").isna().all()  # ranks only where unchanged
    assert list(what["lsoa11cd"]) == [
        "E01000002", "E01000003", "E01000004", "E01000005", "E01000006", "E01999999",
    ]  # fmt: skip
    report = what.set_index("lsoa11cd")
    assert report.loc["E01000002", "method"] == "split equally among 2"
    assert report.loc["E01000002", "share"] == "0.5000;0.5000"
    assert report.loc["E01000003", "method"] == "merged with E01000004"
    assert report.loc["E01000005", "method"].startswith("irregular: split")
    assert report.loc["E01999999", "method"].startswith("not in the lookup")


def test_bridge_shares_splits_by_weights_and_weights_averaged_rates(tiny_2011, tiny_lookup):
    weights = pd.Series({"E01040001": 30.0, "E01040002": 10.0})
    out, what = bridge_2011_to_2021(
        tiny_2011, tiny_lookup, counts=["children"], rates=["score"], weights=weights,
        population="children",
    )  # fmt: skip
    assert out.loc["E01040001", "children"] == pytest.approx(150.0)
    assert out.loc["E01040002", "children"] == pytest.approx(50.0)
    assert out.loc["E01040003", "score"] == pytest.approx((3 * 30 + 6 * 60) / 90)
    methods = what.set_index("lsoa11cd")["method"]
    assert methods["E01000002"] == "split by weights among 2"
    assert methods["E01000005"] == "irregular: split equally (no weights) among 2"


def test_bridge_refuses_a_denominator_that_is_not_a_count(tiny_2011, tiny_lookup):
    with pytest.raises(InputError, match="denominator 'children' of rate 'case_rate'"):
        bridge_2011_to_2021(tiny_2011, tiny_lookup, rates={"case_rate": "children"})


def test_bridge_realdata_lookup_conserves_the_mid_2020_total(realdata):
    report = ValidationReport()
    lookup = read_lsoa_lookup(
        realdata / "boundaries" / "hampshire_lookup_lsoa11_lsoa21.csv", report=report
    )
    assert lookup["change"].value_counts().to_dict() == {"U": 1077, "S": 65}
    pop11 = read_population(
        realdata / "population" / "hampshire_pop_mid2020_lsoa11_age0_19.csv", report=report
    )
    census = read_population(
        realdata / "population" / "hampshire_census2021_lsoa21_age6.csv",
        report=report,
        bands=["pop_0_15"],
    ).set_index("area_code")["pop_0_15"]
    for weights in (None, census):
        pop21, what = bridge_2011_to_2021(
            pop11, lookup, counts=[*BANDS, "pop_0_17"], weights=weights
        )
        assert len(pop21) == 1142
        assert pop21[BANDS].to_numpy().sum() == pytest.approx(424_770)
        assert pop21["pop_0_17"].sum() == pytest.approx(pop11["pop_0_17"].sum())
        assert len(what) == 28 and set(what["change"]) == {"S"}  # 28 LSOAs split into 65
    assert not report.problems


def test_read_source_bridges_a_2011_table_and_keeps_its_columns(realdata):
    report = ValidationReport()
    lookup = realdata / "boundaries" / "hampshire_lookup_lsoa11_lsoa21.csv"
    iod = read_source(
        "iod", realdata / "deprivation" / "hampshire_iod2019_lsoa11.csv", report=report,
        to_lsoa21=lookup,
    )  # fmt: skip
    assert len(iod) == 1142 and set(iod["lsoa_vintage"]) == {"2021"}
    assert iod.columns[:5].tolist() == [
        "area_code", "lsoa_vintage", "area_name", "district_code", "district_name",
    ]  # fmt: skip
    assert iod["idaci_decile"].isna().sum() == 65  # split areas have no decile
    assert len(iod.attrs["bridge_report"]) == 28
    assert "28 2011 LSOA(s) changed" in one(lines(report), "changed on the way")
    pop = read_source(
        "population",
        realdata / "population" / "hampshire_pop_mid2020_lsoa11_age0_19.csv",
        report=report,
        to_lsoa21=lookup,
    )
    need = join_area_tables([pop, iod])
    assert len(need) == 1142 and need[BANDS].to_numpy().sum() == pytest.approx(424_770)
    with pytest.raises(InputError, match="mix LSOA vintages"):
        join_area_tables([read_iod(IOD19, report=report), read_iod(IOD25, report=report)])
    with pytest.raises(InputError, match="already keyed by 2021 LSOAs"):
        read_source("iod", IOD25, report=report, to_lsoa21=lookup)


# --------------------------------------------------------------------------- ONSPD


def test_onspd_drops_postcodes_without_a_grid_reference_and_keeps_terminated():
    report = ValidationReport()
    pcs = read_onspd(ONSPD / "ONSPD_FEB_2024_UK.csv", report=report)
    assert list(pcs.columns) == [
        "postcode", "easting", "northing", "latitude", "longitude", "lsoa", "terminated",
    ]  # fmt: skip
    assert list(pcs["postcode"]) == ["RG21 7QW", "RG21 7ZZ", "SO14 7DU", "SO50 9YN"]
    by_pc = pcs.set_index("postcode")
    assert (
        by_pc.loc["RG21 7ZZ", "terminated"] == "201903"
        and by_pc.loc["RG21 7QW", "terminated"] == ""
    )
    assert by_pc.loc["RG21 7QW", "northing"] == 152100  # "0152100"
    assert by_pc.loc["SO14 7DU", "lsoa"] == "E01035444"  # the 2021 LSOA by default
    assert one(lines(report), "no grid reference") == (
        "ONSPD_FEB_2024_UK.csv, row 4, field 'osgrdind': 1 postcode(s) have no grid reference "
        "(latitude 99.999999) and were left out (e.g. RG21 9XX); nothing to do: these postcodes "
        "(mostly terminated or non-geographic) cannot be placed; a service using one needs "
        "coordinates or another postcode"
    )


def test_onspd_folder_districts_vintage_and_2025_headers():
    report = ValidationReport()
    pcs = read_onspd(ONSPD / "multi_csv", report=report, districts=["E07000084"], lsoa="2011")
    assert list(pcs["postcode"]) == ["RG21 7QW", "RG21 7ZZ"]
    live = read_onspd(ONSPD / "multi_csv", report=report, include_terminated=False)
    assert "RG21 7ZZ" not in set(live["postcode"])
    new = read_onspd(ONSPD / "ONSPD_MAY_2025_UK.csv", report=report)
    assert list(new["postcode"]) == ["SO23 8RY", "SO23 8ZZ", "SP10 1LT"]
    assert list(new["terminated"]) == ["", "202411", ""]
    assert list(new["lsoa"]) == ["E01023300", "E01023300", "E01022660"]
    read_onspd(ONSPD / "multi_csv", report=report, districts=["E07000085"])
    assert "(did you mean 'E07000086'?)" in one(lines(report), "no postcode lies")


# --------------------------------------------------------------------------- Fingertips


def test_fingertips_latest_period_one_row_per_district():
    report = ValidationReport()
    ft = read_fingertips(FINGERTIPS / "indicators-DistrictUApre2023.data.csv", report=report)
    assert list(ft.columns) == [
        "area_code", "area_name", "fingertips_90284_value", "fingertips_90284_lower",
        "fingertips_90284_upper", "fingertips_90284_count", "fingertips_90284_denominator",
    ]  # fmt: skip
    assert list(ft["area_code"]) == ["E07000084", "E07000093", "E07000094"]  # no England, region
    assert ft.attrs["time_period"] == "2022/23"  # the latest
    assert ft.attrs["area_type"] == "Districts & UAs (from Apr 2023)"
    assert ft.iloc[0]["fingertips_90284_value"] == pytest.approx(132.6)  # not the decile row
    assert ft.iloc[0]["fingertips_90284_count"] == 136
    assert "Value suppressed for disclosure control" in one(lines(report), "have no value")


def test_fingertips_api_names_period_and_name_options():
    report = ValidationReport()
    ft = read_fingertips(
        FINGERTIPS / "fingertipsR_90284.csv", report=report, time_period="2021/22",
        name="injuries_0_4",
    )  # fmt: skip
    assert ft.iloc[0]["injuries_0_4_value"] == pytest.approx(120.5)
    assert ft.iloc[1]["injuries_0_4_denominator"] == 6947
    with pytest.raises(InputError, match=r"time_period '2030/31' is not in the file"):
        read_fingertips(FINGERTIPS / "fingertipsR_90284.csv", report=report, time_period="2030/31")
    with pytest.raises(InputError, match="must be snake_case"):
        read_fingertips(FINGERTIPS / "fingertipsR_90284.csv", report=report, name="Injuries 0-4")


def test_fingertips_several_indicators_must_be_chosen(tmp_path):
    text = (FINGERTIPS / "indicators-DistrictUApre2023.data.csv").read_text(encoding="utf-8-sig")
    extra = text.splitlines()[3].replace("90284,", "93701,", 1)
    both = tmp_path / "two.csv"
    both.write_text(text + extra + "\n", encoding="utf-8-sig")
    with pytest.raises(InputError, match="holds 2 indicators"):
        read_fingertips(both, report=ValidationReport())
    one_ = read_fingertips(both, report=ValidationReport(), indicator="93701")
    assert list(one_["area_code"]) == ["E07000084"]


# --------------------------------------------------------------------------- into a run


def write_imported(tiny, *, categories: dict[str, str]) -> None:
    report = ValidationReport()
    services = read_source("openreferral", ORUK / "pages", report=report, categories=categories)
    services.to_csv(tiny.path("services.csv"), index=False)
    read_source("gias", GIAS, report=report).to_csv(tiny.path("centres.csv"), index=False)
    postcodes = [ONSPD / "ONSPD_FEB_2024_UK.csv", ONSPD / "ONSPD_MAY_2025_UK.csv"]
    read_source("onspd", postcodes, report=report).to_csv(tiny.path("postcodes.csv"), index=False)
    tiny.set_config(replace=('[centres]\npath = ""', '[centres]\npath = "centres.csv"'))


def test_imported_tables_load_as_services_centres_and_postcodes(tiny):
    """What the readers write is what earlyhelp's loader reads, with default column names."""
    from earlyhelp.config import load_config
    from earlyhelp.loading import load_inputs

    write_imported(
        tiny, categories={"Parenting support": "parenting", "Domestic abuse": "domestic_abuse"}
    )
    inputs = load_inputs(load_config(tiny.config))  # raises on any error
    services = inputs.services
    assert {"Bumps & Babies Group", "Safe at Home Outreach"} <= set(services["name"])
    centres = services[services["source"] == "centres"]
    assert list(centres.index) == ["20001", "20002", "20004"]  # by grid reference or postcode
    assert set(centres["status"]) == {"active", "planned"}
    assert services.loc["20001"].geometry.x == pytest.approx(436240)


def test_a_service_with_blank_coordinates_is_placed_by_its_postcode(tiny):
    from earlyhelp.config import load_config
    from earlyhelp.loading import load_inputs

    write_imported(tiny, categories={"Debt advice": "parenting", "Parenting support": "parenting"})
    inputs = load_inputs(load_config(tiny.config))
    # Money Matters has latitude/longitude 0,0 (written blank) and postcode SP10 1LT...
    assert "Money Matters Debt Advice" in set(inputs.services["name"])


def test_bridge_weights_from_an_imported_census_table_share_splits_unequally(realdata, tmp_path):
    """The README's route: Census 2021 children (imported, so with an lsoa_vintage column)
    weigh the split LSOAs; a split is not shared half and half."""
    from earlyhelp.sources import read_source

    report = ValidationReport()
    census = read_source(
        "population",
        realdata / "population" / "hampshire_census2021_lsoa21_age6.csv",
        report=report,
        bands=("pop_0_15",),
    )
    weights = tmp_path / "children21.csv"
    census.to_csv(weights, index=False)
    bridged = read_source(
        "population",
        realdata / "population" / "hampshire_pop_mid2020_lsoa11_age0_19.csv",
        report=report,
        to_lsoa21=realdata / "boundaries" / "hampshire_lookup_lsoa11_lsoa21.csv",
        lsoa21_weights=weights,
    )
    lookup = pd.read_csv(realdata / "boundaries" / "hampshire_lookup_lsoa11_lsoa21.csv")
    split = lookup[lookup["lsoa11cd"] == "E01017140"]["lsoa21cd"].tolist()
    children = bridged.set_index("area_code").loc[split, "pop_0_4"]
    census_kids = census.set_index("area_code").loc[split, "pop_0_15"].astype(float)
    shares = children / children.sum()
    expected = census_kids / census_kids.sum()
    assert shares.round(4).tolist() == expected.round(4).tolist()
    assert shares.min() < 0.45  # not the equal split the weights were being ignored for
