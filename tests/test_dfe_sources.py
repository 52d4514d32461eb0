"""The DfE children in need tables and statistical neighbours, read as published.

Fixtures in tests/fixtures/sources/dfe carry DfE's headers (both layouts DfE has used),
byte-order marks and CRLF where DfE's files have them, and every symbol DfE prints in
place of a number: c, x, z, u, low, the older : and .., with or without brackets. Real
files are read too where ../shared/realdata is present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from earlyhelp.errors import InputError
from earlyhelp.sources.dfe_cin import CIN_COLUMNS, DFE_SYMBOLS, read_cin_table
from earlyhelp.sources.dfe_neighbours import read_statistical_neighbours
from earlyhelp.validation import ValidationReport

DFE = Path(__file__).parent / "fixtures" / "sources" / "dfe"
TABLES = {
    "c1": "c1_referrals_and_rereferrals_2013_to_2025.csv",
    "c1_2022": "c1_children_in_need_referrals_and_rereferrals_2013_to_2022.csv",
    "c3": "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
    "c5": "c5_referrals_by_source_2014_to_2022.csv",
    "d3": "d3_cpps_subsequent_plan_2013_to_2025.csv",
    "d5": "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    "population": "ons_mid-year_population_estimates_2012_to_2024.csv",
}


def read(name: str, **kwargs):
    report = ValidationReport()
    frame = read_cin_table(DFE / TABLES[name], report=report, **kwargs)
    assert not report.errors, [p.line() for p in report.errors]
    return frame


def cell(frame, code: str, year: int, measure: str):
    row = frame[(frame["code"] == code) & (frame["time_period"] == year)]
    row = row[row["measure"] == measure]
    assert len(row) == 1, (code, year, measure)
    return row["value"].iloc[0], row["symbol"].iloc[0]


@pytest.mark.parametrize(
    ("name", "table"),
    [("c1", "c1"), ("c1_2022", "c1"), ("c3", "c3"), ("c5", "c5"), ("d3", "d3"), ("d5", "d5"),
     ("population", "population")],
)  # fmt: skip
def test_each_table_is_told_by_its_headers(name, table):
    frame = read(name)
    assert frame.attrs["table"] == table
    assert list(frame.columns) == list(CIN_COLUMNS)


def test_the_2022_layout_is_read_under_the_2025_names():
    """Referrals, Re_referrals and Re_referrals_percent are referral_count, rereferral_count
    and rereferral_percent, so one indicator reads either release."""
    old, new = read("c1_2022"), read("c1")
    assert {"referral_count", "rereferral_count", "rereferral_percent"} <= set(old["measure"])
    assert {"referral_count", "rereferral_count", "rereferral_percent"} <= set(new["measure"])
    assert cell(old, "E10000901", 2022, "referrals_rate") == (600.0, "")


def test_symbols_are_kept_and_never_read_as_zero():
    c1 = read("c1")
    assert cell(c1, "E10000901", 2025, "no_further_action_count")[1] == "c"
    assert cell(c1, "E06000902", 2025, "rereferral_count")[1] == "x"
    assert cell(c1, "E06000902", 2025, "rereferral_child_count")[1] == "z"
    assert cell(c1, "E06000903", 2025, "referral_count")[1] == "u"
    assert cell(c1, "E10000901", 2024, "no_further_action_count")[1] == "low"
    for code, year, measure in (("E10000901", 2025, "no_further_action_count"),
                                ("E06000903", 2025, "referral_count")):  # fmt: skip
        value, _ = cell(c1, code, year, measure)
        assert np.isnan(value)
    assert set(c1["symbol"]) - {""} <= set(DFE_SYMBOLS)


def test_bracketed_symbols_and_the_older_ones():
    c3 = read("c3")
    assert cell(c3, "E10000901", 2025, "domestic_abuse_person")[1] == "c"  # printed [c]
    assert cell(c3, "E92000001", 2025, "trafficking")[1] == "low"  # printed [low]
    c5 = read("c5")
    assert cell(c5, "E10000901", 2022, "housing")[1] == ":"
    old = read("c1_2022")
    assert cell(old, "E10000901", 2022, "rereferral_count")[1] == ".."


def test_england_and_regions_get_a_code_and_a_name():
    c1 = read("c1")
    england = c1[c1["geographic_level"] == "National"]
    assert set(england["code"]) == {"E92000001"} and set(england["name"]) == {"England"}
    region = c1[c1["geographic_level"] == "Regional"]
    assert set(region["code"]) == {"E12000008"} and set(region["name"]) == {"South East"}
    assert cell(c1, "E92000001", 2025, "referral_count") == (1000.0, "")


def test_a_cell_that_is_neither_number_nor_symbol_is_an_error_naming_its_row(tmp_path):
    text = (DFE / TABLES["d3"]).read_text(encoding="utf-8").replace(",36,30", ",n/a,30")
    path = tmp_path / "d3.csv"
    path.write_text(text, encoding="utf-8")
    report = ValidationReport()
    read_cin_table(path, report=report)
    (problem,) = report.errors
    assert problem.field == "CPP_subsequent" and problem.row == "3"
    assert '"n/a"' in problem.problem


def test_a_file_of_another_table_is_refused_for_the_key():
    with pytest.raises(InputError, match=r"not DfE table c1 as published.*found table d3"):
        read_cin_table(DFE / TABLES["d3"], report=ValidationReport(), table="c1")


def test_a_file_without_the_identifying_columns_is_refused(tmp_path):
    path = tmp_path / "c1.csv"
    path.write_text("year,referral_count\n2025,10\n", encoding="utf-8")
    with pytest.raises(InputError, match="time_period, geographic_level, new_la_code"):
        read_cin_table(path, report=ValidationReport())


def test_neighbours_of_the_2021_list_with_its_old_block():
    sn = read_statistical_neighbours(DFE / "statistical_neighbours_april2021.csv",
                                     report=ValidationReport())  # fmt: skip
    assert sn.attrs["model"] == "2021"
    north = sn[sn["old_la_code"] == "901"].sort_values("rank")
    assert north["neighbour"].tolist() == [str(c) for c in range(902, 912)]
    assert north["closeness"].iloc[0] == "Very Close"
    assert len(sn[sn["old_la_code"] == "902"]) == 2  # blank neighbours left out
    old = sn[sn["old_la_code"] == "950"]
    assert old["retired"].all() and not north["retired"].any()


def test_neighbours_of_the_2025_model():
    sn = read_statistical_neighbours(DFE / "statistical_neighbours_2025_model.csv",
                                     report=ValidationReport())  # fmt: skip
    assert sn.attrs["model"] == "2025"
    north = sn[sn["old_la_code"] == "901"].sort_values("rank")
    assert north["rank"].tolist() == list(range(1, 11))
    assert north["closeness"].tolist()[:2] == ["Extremely close", "Very close"]


def test_a_file_without_neighbour_columns_is_refused(tmp_path):
    path = tmp_path / "sn.csv"
    path.write_text("old_la_code,la_name\n901,Northshire\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a DfE statistical neighbours file"):
        read_statistical_neighbours(path, report=ValidationReport())


# --- the real tables, where ../shared/realdata is present ------------------------------

REAL = {
    "b1": "dfe_b1_children_in_need_2013_to_2025.csv",
    "c1": "dfe_c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
    "c3": "dfe_c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
    "c5": "dfe_cin2022_c5_referrals_by_source_2014_to_2022.csv",
    "d1": "dfe_cin2022_d1_child_protection_plans_2013_to_2022.csv",
    "d3": "dfe_d3_cpps_subsequent_plan_2013_to_2025.csv",
    "d5": "dfe_d5_cpps_at31march_by_duration_2013_to_2025.csv",
    "population": "dfe_ons_mid-year_population_estimates_2012_to_2024.csv",
}


@pytest.mark.parametrize("table", list(REAL))
def test_every_real_table_reads_without_a_problem(realdata, table):
    report = ValidationReport()
    frame = read_cin_table(realdata / "childrens_services" / REAL[table], report=report,
                           table=table)  # fmt: skip
    assert not report.problems, [p.line() for p in report.problems]
    assert frame["code"].str.len().gt(0).all()
    assert (frame["symbol"] != "").any() or table == "population"


def test_real_hampshire_cells_as_published(realdata):
    """Cells checked by hand against the published files (Hampshire, E10000014)."""
    folder = realdata / "childrens_services"
    report = ValidationReport()
    c1 = read_cin_table(folder / REAL["c1"], report=report)
    assert cell(c1, "E10000014", 2025, "referral_count") == (41142.0, "")
    assert cell(c1, "E10000014", 2025, "rereferral_count") == (16877.0, "")
    assert cell(c1, "E10000014", 2024, "referral_count")[1] == "u"  # low reliability
    d5 = read_cin_table(folder / REAL["d5"], report=report)
    assert cell(d5, "E10000014", 2025, "2_years_or_more") == (31.0, "")
    assert cell(d5, "E10000014", 2025, "cpp_at31") == (922.0, "")


def test_real_statistical_neighbours_of_hampshire(realdata):
    folder = realdata / "childrens_services"
    sn21 = read_statistical_neighbours(folder / "dfe_statistical_neighbours_april2021.csv",
                                       report=ValidationReport())  # fmt: skip
    hants = sn21[sn21["old_la_code"] == "850"].sort_values("rank")["neighbour"].tolist()
    assert hants == ["938", "803", "823", "873", "802", "916", "855", "885", "937", "919"]
    sn25 = read_statistical_neighbours(folder / "dfe_statistical_neighbours_2025_model.csv",
                                       report=ValidationReport())  # fmt: skip
    hants = sn25[sn25["old_la_code"] == "850"].sort_values("rank")["neighbour"].tolist()
    assert hants == ["865", "802", "916", "938", "869", "867", "803", "937", "931", "855"]
