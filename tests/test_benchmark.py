"""National comparison: figures from DfE's counts with intervals, the neighbours'
average, England, the funnel and the trend, on fixtures with closed-form answers, and a
real Hampshire benchmark where ../shared/realdata is present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from earlyhelp.benchmark import benchmark, find_council, indicator_values, load_national
from earlyhelp.benchmark.indicators import INDICATORS, terms
from earlyhelp.config import BenchmarkConfig
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.stats import rate_ci, wilson_ci

DFE = Path(__file__).parent / "fixtures" / "sources" / "dfe"
FILES = {
    "c1": "c1_referrals_and_rereferrals_2013_to_2025.csv",
    "d3": "d3_cpps_subsequent_plan_2013_to_2025.csv",
    "d5": "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    "population": "ons_mid-year_population_estimates_2012_to_2024.csv",
}


def national(**tables):
    files = {k: DFE / v for k, v in (tables or FILES).items()}
    cfg = BenchmarkConfig(
        council="E10000901",
        neighbours=DFE / "statistical_neighbours_2025_model.csv",
        tables=files,
    )
    return load_national(cfg)


def test_numerators_are_sums_and_differences_of_measures():
    assert terms("referral_count-police-schools") == [
        (1, "referral_count"), (-1, "police"), (-1, "schools"),
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["E10000901", "901", "northshire", "Northshire"])
def test_the_council_is_found_by_code_number_or_name(text):
    council = find_council(national(), text)
    assert (council.code, council.old_code, council.name) == ("E10000901", "901", "Northshire")


def test_an_unknown_council_suggests_the_nearest_name():
    with pytest.raises(
        ConfigError, match=r"'Northshir' is not in the tables \(did you mean 'Northshire'\?\)"
    ):
        find_council(national(), "Northshir")
    with pytest.raises(ConfigError, match="council is not set"):
        find_council(national(), "")


def test_a_rate_uses_the_mid_year_estimate_of_the_year_before():
    """2025 referrals over the mid-2024 estimate; 2024 over mid-2023 (as DfE's dashboard)."""
    values = indicator_values(national(), INDICATORS["referrals_rate"]).set_index(
        ["code", "time_period"]
    )
    row = values.loc[("E10000901", 2025)]
    ci = rate_ci([300], [5000], per=10_000).iloc[0]
    assert row["value"] == pytest.approx(600.0)
    assert (row["lower"], row["upper"]) == pytest.approx((ci["lower"], ci["upper"]))
    assert values.loc[("E10000901", 2024), "value"] == pytest.approx(280 / 4000 * 10_000)


def test_a_share_has_wilson_limits_and_dfe_s_own_figure_beside_it():
    values = indicator_values(national(), INDICATORS["rereferrals"]).set_index(
        ["code", "time_period"]
    )
    row = values.loc[("E10000901", 2025)]
    lo, hi = wilson_ci(90, 300)
    assert row["value"] == pytest.approx(30.0)
    assert (row["lower"], row["upper"]) == pytest.approx((100 * lo, 100 * hi))
    assert row["published"] == 30.0
    missing = values.loc[("E06000902", 2025)]
    assert np.isnan(missing["value"]) and missing["symbol"] == "x"


def test_the_council_beside_its_neighbours_and_england():
    data = national()
    result = benchmark(data, find_council(data, "Northshire"))
    latest = result.latest.loc["referrals_rate"]
    # Southby: 100 / 2,000; Eastwick's return is of low reliability (u), so not averaged
    assert latest["neighbours_mean"] == pytest.approx(500.0)
    assert latest["neighbours_n"] == 1
    assert latest["england"] == pytest.approx(1000 / 20_000 * 10_000)
    assert latest["vs_england"] == "higher" and latest["vs_neighbours"] == "higher"
    assert [n.name for n in result.neighbours] == ["Southby", "Eastwick"]
    notes = " ".join(result.notes)
    assert "Neighbour 904 is not in the children in need tables" in notes
    assert "DfE table c3 was not given, so it is left out" in notes


def test_a_council_whose_return_dfe_did_not_publish_is_said_so():
    data = national()
    result = benchmark(data, find_council(data, "Eastwick"))
    assert np.isnan(result.latest.loc["referrals_rate", "value"])
    assert any("(u: low reliability" in note for note in result.notes)


def test_the_funnel_places_every_council_against_england():
    data = national()
    result = benchmark(data, find_council(data, "Northshire"))
    funnel = result.funnel[result.funnel["indicator"] == "cpp_subsequent"].set_index("code")
    # Northshire 36 of 120 (30%) against England's 25%: within the 95% limits at n = 120
    assert funnel.loc["E10000901", "position"] == "within 95% limits"
    assert funnel.loc["E10000901", "lower_95"] < 25 < funnel.loc["E10000901", "upper_95"]
    assert "E92000001" not in funnel.index  # England is the centre line, not a dot


def test_the_trend_lists_every_year_published():
    data = national()
    result = benchmark(data, find_council(data, "Northshire"))
    trend = result.trend[result.trend["indicator"] == "rereferrals"]
    assert trend["time_period"].tolist() == [2024, 2025]
    assert trend["england"].tolist() == pytest.approx([209 / 950 * 100, 22.0])


def test_a_missing_table_file_is_named_with_its_key(tmp_path):
    cfg = BenchmarkConfig(council="901", tables={"c1": tmp_path / "nope.csv"})
    with pytest.raises(InputError, match=r"\[benchmark.tables\] c1 file not found"):
        load_national(cfg)
    with pytest.raises(ConfigError, match="names no DfE tables"):
        load_national(BenchmarkConfig(council="901"))


# --- a real benchmark: Hampshire against its 2025 statistical neighbours ---------------


def hampshire(realdata):
    folder = realdata / "childrens_services"
    cfg = BenchmarkConfig(
        council="Hampshire",
        neighbours=folder / "dfe_statistical_neighbours_2025_model.csv",
        tables={
            "c1": folder / "dfe_c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
            "c3": folder / "dfe_c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
            "c5": folder / "dfe_cin2022_c5_referrals_by_source_2014_to_2022.csv",
            "d3": folder / "dfe_d3_cpps_subsequent_plan_2013_to_2025.csv",
            "d5": folder / "dfe_d5_cpps_at31march_by_duration_2013_to_2025.csv",
            "population": folder / "dfe_ons_mid-year_population_estimates_2012_to_2024.csv",
        },
    )
    data = load_national(cfg)
    return benchmark(data, find_council(data, cfg.council))


def test_real_hampshire_benchmark_matches_the_published_cells(realdata):
    """The three cells checked by hand against DfE's published tables for 2025
    (Hampshire, E10000014): re-referrals 16,877 of 41,142 = 41.0% (published 41); second
    or subsequent plans 351 of 1,361 = 25.8% (published 25.8); plans of two years or more
    31 of 922 = 3.4% (published 3.4)."""
    result = hampshire(realdata)
    latest = result.latest
    assert result.council.code == "E10000014"
    assert [n.old_code for n in result.neighbours] == [
        "865", "802", "916", "938", "869", "867", "803", "937", "931", "855",
    ]  # fmt: skip
    for key, num, den, published in (
        ("rereferrals", 16877, 41142, 41.0),
        ("cpp_subsequent", 351, 1361, 25.8),
        ("cpp_two_years", 31, 922, 3.4),
    ):
        row = latest.loc[key]
        assert (row["year"], row["numerator"], row["denominator"]) == (2025, num, den)
        assert round(row["value"], 1) == pytest.approx(published, abs=0.05)
        assert row["dfe_published"] == published
    rate = latest.loc["referrals_rate"]
    assert rate["denominator"] == 288_730  # ONS mid-2024 children 0-17, for 2024-25
    assert rate["value"] == pytest.approx(41142 / 288730 * 10_000)


def test_real_hampshire_trend_skips_the_unreliable_year(realdata):
    result = hampshire(realdata)
    trend = result.trend[result.trend["indicator"] == "rereferrals"].set_index("time_period")
    assert trend.loc[2024, "symbol"] == "u" and np.isnan(trend.loc[2024, "value"])
    assert trend.index.min() == 2013 and trend.index.max() == 2025
