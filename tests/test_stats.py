"""Confidence intervals and comparisons against published worked examples and independent
calculations (scipy), so that our numbers are the numbers a public health analyst expects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from earlyhelp.stats import (
    COMPARISONS,
    Z_95,
    Z_998,
    byar_ci,
    compare_with,
    exact_poisson_ci,
    funnel_limits,
    poisson_ci,
    rate_ci,
    wilson_ci,
)


def test_z_constants_are_the_normal_quantiles():
    assert abs(Z_95 - st.norm.ppf(0.975)) < 1e-15
    assert abs(Z_998 - st.norm.ppf(0.999)) < 1e-15


# --- Wilson score interval -------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "lower", "upper"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998(successes, n, lower, upper):
    """Published worked examples of the Wilson score interval (no continuity correction).

    Source: Newcombe RG (1998), "Two-sided confidence intervals for the single proportion:
    comparison of seven methods", Statistics in Medicine 17:857-872, worked examples
    81/263, 15/148, 0/20 and 1/29 under method 3 (score method without continuity
    correction), printed to 4 decimal places. 81 of 263 (30.8%, 95% CI 25.5% to 36.6%) is
    also the example of Newcombe and Altman, "Proportions and their differences", in Altman
    et al. (eds), Statistics with Confidence, 2nd edn, BMJ Books 2000.
    """
    lo, hi = wilson_ci(successes, n)
    assert float(lo) == pytest.approx(lower, abs=5e-5)
    assert float(hi) == pytest.approx(upper, abs=5e-5)


def test_wilson_agrees_with_scipy_binomtest_over_a_grid():
    """Independent check: scipy.stats.binomtest(...).proportion_ci(method="wilson")."""
    rng = np.random.default_rng(4)
    n = rng.integers(1, 500, size=60)
    k = (rng.random(60) * (n + 1)).astype(int).clip(0, n)
    for z, level in ((Z_95, 0.95), (Z_998, 0.998)):
        lo, hi = wilson_ci(k, n, z=z)
        assert lo.shape == hi.shape == (60,)
        for i in range(60):
            ci = st.binomtest(int(k[i]), int(n[i])).proportion_ci(
                confidence_level=level, method="wilson"
            )
            assert lo[i] == pytest.approx(ci.low, abs=1e-12)
            assert hi[i] == pytest.approx(ci.high, abs=1e-12)


def test_wilson_edges():
    lo, hi = wilson_ci([0, 5, 3], [0, 5, np.nan])
    assert np.isnan(lo[0]) and np.isnan(hi[0])  # no one in the group: no interval
    assert hi[1] == 1.0 and 0 < lo[1] < 1  # all of them
    assert np.isnan(lo[2])  # missing n
    with pytest.raises(ValueError, match="exceed"):
        wilson_ci(6, 5)
    with pytest.raises(ValueError, match="0 or more"):
        wilson_ci(-1, 5)


# --- Poisson counts and rates ----------------------------------------------------------


def test_byar_by_the_textbook_formula():
    """Byar's method written out as in the Fingertips technical guidance ("Rates"),
    O_lower = O (1 - 1/(9O) - z/(3 sqrt O))^3, O_upper = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3,
    for the counts used by PHEindicatormethods' own Byar tests (65 and 1045)."""
    for o in (65, 1045):
        for z in (Z_95, Z_998):
            lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
            upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
            lo, hi = byar_ci(o, z=z)
            assert float(lo) == pytest.approx(lower, rel=1e-14)
            assert float(hi) == pytest.approx(upper, rel=1e-14)
    lo, hi = byar_ci(65)
    assert (round(float(lo), 2), round(float(hi), 2)) == (50.16, 82.85)


def test_byar_is_within_0_2_percent_of_exact_from_10_events():
    """The published accuracy claim behind the Fingertips rule: "for 95% confidence
    intervals, Byar's method is within 0.2% of the exact value for numerators of 10 or more"
    (PHE, Technical Guide: Confidence Intervals, 2018)."""
    o = np.arange(10, 2001)
    b_lo, b_hi = byar_ci(o)
    e_lo, e_hi = exact_poisson_ci(o)
    assert np.all(np.abs(b_lo / e_lo - 1) < 0.002)
    assert np.all(np.abs(b_hi / e_hi - 1) < 0.002)


def test_exact_poisson_limits_solve_the_poisson_tail_equations():
    """Independent check of the chi-squared formula from the definition of the exact
    (Garwood) limits: P(X >= O | mu = lower) = a/2 and P(X <= O | mu = upper) = a/2."""
    o = np.array([1, 2, 5, 9, 10, 64, 389])
    for z in (Z_95, Z_998):
        tail = st.norm.sf(z)
        lo, hi = exact_poisson_ci(o, z=z)
        np.testing.assert_allclose(st.poisson.sf(o - 1, lo), tail, rtol=1e-9)
        np.testing.assert_allclose(st.poisson.cdf(o, hi), tail, rtol=1e-9)


def test_exact_poisson_known_values():
    """Exact 95% limits of small counts: 0 events -> 0 to 3.689 (the value quoted in the R
    epitools documentation of pois.exact); 10 events -> 4.795 to 18.390 and 64 events ->
    49.29 to 81.73, as in printed tables of exact Poisson limits. (These are spot values; the
    test above checks the defining tail equations for any count.)"""
    lo, hi = exact_poisson_ci([0, 10, 64])
    np.testing.assert_allclose(np.round(hi, 3), [3.689, 18.390, 81.727])
    np.testing.assert_allclose(np.round(lo, 3), [0.0, 4.795, 49.288])


def test_poisson_ci_uses_exact_below_ten_and_byar_from_ten():
    """The Fingertips rule (technical guidance "Rates"; PHEindicatormethods phe_rate)."""
    counts = np.array([0, 9, 10, 11])
    lo, hi = poisson_ci(counts)
    e_lo, e_hi = exact_poisson_ci(counts)
    b_lo, b_hi = byar_ci(counts)
    np.testing.assert_array_equal(lo[:2], e_lo[:2])
    np.testing.assert_array_equal(hi[:2], e_hi[:2])
    np.testing.assert_array_equal(lo[2:], b_lo[2:])
    np.testing.assert_array_equal(hi[2:], b_hi[2:])
    lo389, _ = poisson_ci(counts, exact_below=389)  # the older spreadsheet rule
    np.testing.assert_array_equal(lo389, e_lo)


def test_rate_ci_per_10000_aligned_to_the_input():
    count = pd.Series([0, 3, 64, np.nan], index=["E01", "E02", "E03", "E04"])
    out = rate_ci(count, [1000, 0, 45_600, 500])
    assert list(out.columns) == ["rate", "lower", "upper"]
    assert list(out.index) == ["E01", "E02", "E03", "E04"]
    assert out.loc["E01", "rate"] == 0 and out.loc["E01", "lower"] == 0
    assert out.loc["E01", "upper"] == pytest.approx(3.6888794541 * 10)  # per 10,000 of 1,000
    assert out.loc["E02"].isna().all()  # no denominator: no rate
    assert out.loc["E04"].isna().all()  # missing count
    b_lo, b_hi = byar_ci(64)
    assert out.loc["E03", "rate"] == pytest.approx(64 / 45_600 * 10_000)
    assert out.loc["E03", "lower"] == pytest.approx(float(b_lo) / 45_600 * 10_000)
    assert out.loc["E03", "upper"] == pytest.approx(float(b_hi) / 45_600 * 10_000)
    known = out.dropna()
    assert (known["lower"] <= known["rate"]).all() and (known["rate"] <= known["upper"]).all()


def test_rate_ci_scalar_and_errors():
    out = rate_ci(20, 1000, per=1000)
    assert out["rate"].tolist() == [20.0]
    with pytest.raises(ValueError, match="same length"):
        rate_ci([1, 2], [10])
    with pytest.raises(ValueError, match="0 or more"):
        rate_ci([-1], [10])


# --- Comparison with a benchmark -------------------------------------------------------


def test_compare_with_by_interval_overlap():
    lower = pd.Series([12.0, 1.0, 5.0, 8.0, np.nan], index=list("abcde"))
    upper = pd.Series([20.0, 4.0, 15.0, 10.0, 9.0], index=list("abcde"))
    out = compare_with(lower, upper, 10.0)
    assert out.name == "comparison"
    assert list(out.index) == list("abcde")
    # c contains 10; d touches it at its upper limit, which still counts as similar
    assert out.tolist() == ["higher", "lower", "similar", "similar", "not compared"]
    assert set(out) <= set(COMPARISONS)


def test_compare_with_a_comparator_per_area():
    out = compare_with([1, 1], [2, 2], [0.5, np.nan])
    assert out.tolist() == ["higher", "not compared"]


# --- Funnel plots -----------------------------------------------------------------------


def test_funnel_limits_for_proportions_match_phe_test_data():
    """Fingertips funnel limits for proportions (95% and 99.8%, clipped to 0-100%).

    Expected values are rows of ``tests/testthat/testdata_funnel_prop_outputs.csv`` of the
    PHE/UKHSA R package PHEindicatormethods (phe_funnels, baseline 80.642448%), columns
    Lower2s0025limit, Upper2s0025limit, Lower3s0001limit, Upper3s0001limit.
    """
    expected = pd.DataFrame(
        [
            [3.204264, 100, 0, 100],
            [35.933491, 100, 10.150815, 100],
            [56.154344, 100, 42.03259, 100],
            [69.691035, 91.593861, 63.375595, 97.909301],
            [78.203374, 83.081521, 76.796814, 84.488082],
            [80.408963, 80.875933, 80.274317, 81.010578],
        ],
        columns=["lower_95", "upper_95", "lower_99_8", "upper_99_8"],
    )
    out = funnel_limits([1, 3, 10, 50, 1008, 110_000], 80.642448, per=100)
    pd.testing.assert_frame_equal(out, expected, atol=2e-6, check_dtype=False)


def test_funnel_limits_for_rates_are_exact_poisson_around_the_expected_count():
    """Comparator 50 per 10,000 and 1,000 children: expected count 5, so the 95% limits are
    the exact Poisson limits of 5 (1.6235 to 11.668 events), i.e. 16.235 to 116.68 per
    10,000; with many children they approach r0 +/- z sqrt(r0 / n)."""
    den = pd.Series([1000, 4_000_000, 0], index=["small", "huge", "empty"])
    out = funnel_limits(den, 50, statistic="rate", per=10_000)
    assert list(out.index) == ["small", "huge", "empty"]
    assert out.loc["small", "lower_95"] == pytest.approx(16.2349, abs=1e-3)
    assert out.loc["small", "upper_95"] == pytest.approx(116.683, abs=1e-3)
    r0, n = 50 / 10_000, 4_000_000
    assert out.loc["huge", "lower_95"] == pytest.approx(
        (r0 - Z_95 * math.sqrt(r0 / n)) * 10_000, rel=1e-3
    )
    assert out.loc["empty"].isna().all()
    inner = out.loc[["small", "huge"]]
    assert (inner["lower_99_8"] < inner["lower_95"]).all()
    assert (inner["upper_99_8"] > inner["upper_95"]).all()
    assert ((inner["lower_95"] < 50) & (inner["upper_95"] > 50)).all()


def test_funnel_limits_refuses_nonsense():
    with pytest.raises(ValueError, match="between 0"):
        funnel_limits([10], 120, per=100)
    with pytest.raises(ValueError, match="statistic"):
        funnel_limits([10], 0.5, statistic="ratio")


def test_equal_rates_are_exactly_equal():
    """2 in 300 and 4 in 600 are the same rate, so the need index ranks them as a tie."""
    from earlyhelp.stats import rate_ci

    rates = rate_ci(np.array([2, 4, 7, 14]), np.array([300, 600, 300, 600]))["rate"]
    assert rates.iloc[0] == rates.iloc[1] and rates.iloc[2] == rates.iloc[3]


def test_area_dispersion_is_pearsons_chi_squared_over_its_degrees_of_freedom():
    """Worked by hand: four areas of 100 children, shares 10%, 90%, 50%, 50% around a
    pooled 50%: chi2 = (40^2 + 40^2) / 25 = 128 over 3 degrees of freedom."""
    from earlyhelp.stats import area_dispersion

    assert area_dispersion([10, 90, 50, 50], [100] * 4) == pytest.approx(128 / 3)
    # every child of an area in or out together: phi near the children per area
    all_or_nothing = area_dispersion([200, 0, 200, 0, 200, 0], [200] * 6)
    assert all_or_nothing == pytest.approx(200 * 6 / 5)
    # areas that agree, or one area, show no dispersion
    assert area_dispersion([50, 50, 50], [100, 100, 100]) == 1.0
    assert area_dispersion([30], [120]) == 1.0


def test_the_interval_the_verdict_and_the_funnel_come_from_one_model():
    """A comparator lies outside the dispersed Wilson interval exactly when the share lies
    outside the funnel's limits around it (the same score test, same phi)."""
    from earlyhelp.stats import dispersed_share_ci, funnel_limits

    rng = np.random.default_rng(11)
    for _ in range(400):
        n = float(rng.integers(50, 40_000))
        share = rng.uniform(0.02, 0.98)
        p0 = rng.uniform(0.05, 0.95)
        phi = float(rng.uniform(1, 400))
        lo, hi = dispersed_share_ci(np.array([share * n]), np.array([n]), phi=phi)
        outside_ci = not (lo[0] <= p0 <= hi[0])
        limits = funnel_limits(np.array([n]), p0, phi=phi)
        outside_funnel = not (limits["lower_95"].iloc[0] <= share <= limits["upper_95"].iloc[0])
        assert outside_ci == outside_funnel, (n, share, p0, phi)
    # phi = 1 is plain Wilson; a larger phi only widens
    plain = dispersed_share_ci(np.array([30.0]), np.array([120.0]), phi=1.0)
    wide = dispersed_share_ci(np.array([30.0]), np.array([120.0]), phi=9.0)
    assert wide[0][0] < plain[0][0] and wide[1][0] > plain[1][0]
