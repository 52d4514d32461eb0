"""JSNA indicators, the need index and the categories of help need calls for (against
county values), on tiny hand-made need tables whose answers can be worked out on paper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from earlyhelp.config import IndicatorConfig
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.need import (
    AGE_BANDS,
    calls_for,
    children_in_ages,
    need_index,
)


def _need() -> pd.DataFrame:
    """Five areas; A is the neediest on every indicator, E the least."""
    return pd.DataFrame(
        {
            "pop_0_4": [300, 250, 200, 150, 100],
            "pop_5_10": [400, 350, 300, 250, 200],
            "pop_11_15": [300, 300, 250, 200, 150],
            "pop_16_17": [100, 100, 50, 50, 50],
            "pop_18_19": [90, 80, 70, 60, 50],
            "children": [1100, 1000, 800, 650, 500],
            "cin": [60, 30, 12, 5, 1],  # children in need (count of children)
            "gld": [50.0, 60.0, 65.0, 70.0, 80.0],  # % good level of development
            "idaci_score": [0.40, 0.25, 0.15, 0.10, 0.05],
            "idaci_decile": [1, 2, 5, 8, 10],
            "imd_rank": [1200, 5000, 15000, 25000, 32000],
        },
        index=pd.Index(["A", "B", "C", "D", "E"], name="area_code"),
    )


CIN = IndicatorConfig(
    column="cin", kind="count", denominator="children", categories=("family_support", "social_work")
)
GLD = IndicatorConfig(
    column="gld", kind="rate", direction="higher_is_better", categories=("early_years",)
)
SCORE = IndicatorConfig(column="idaci_score", kind="score", denominator="children")
DECILE = IndicatorConfig(column="idaci_decile", kind="decile", categories=("family_support",))
RANK = IndicatorConfig(column="imd_rank", kind="rank")


def test_age_bands_and_children_in_ages_unchanged():
    assert AGE_BANDS == {
        "pop_0_4": (0, 4),
        "pop_5_10": (5, 10),
        "pop_11_15": (11, 15),
        "pop_16_17": (16, 17),
        "pop_18_19": (18, 19),
    }
    need = _need()
    kids = children_in_ages(need, min_age=0, max_age=17)
    assert kids.name == "children"
    assert kids.tolist() == [1100.0, 1000.0, 800.0, 650.0, 500.0]
    assert children_in_ages(need, min_age=3, max_age=6)["A"] == 700.0  # 0-4 and 5-10 whole
    assert (children_in_ages(need, min_age=30, max_age=40) == 0).all()


# --- indicators ----------------------------------------------------------------------


def test_indicator_errors_name_the_indicator_and_the_fix():
    need = _need()
    with pytest.raises(InputError, match=r"no column 'cyp_in_need'.*\[indicators.cin\]"):
        need_index(need, {"cin": IndicatorConfig(column="cyp_in_need", kind="rate")})
    with pytest.raises(InputError, match="denominator"):
        need_index(need, {"cin": IndicatorConfig(column="cin", denominator="kids")})
    with pytest.raises(ConfigError, match="needs denominator"):
        need_index(need, {"cin": IndicatorConfig(column="cin", kind="count")})
    with pytest.raises(ConfigError, match="choose one of"):
        need_index(need, {"cin": IndicatorConfig(column="cin", kind="percent")})
    bad = need.astype({"gld": object})
    bad.loc["B", "gld"] = "n/a"
    with pytest.raises(InputError, match=r"area B.*not a number"):
        need_index(bad, {"gld": GLD})
    negative = need.copy()
    negative.loc["C", "cin"] = -1
    with pytest.raises(InputError, match="negative"):
        need_index(negative, {"cin": CIN})


# --- need_index ----------------------------------------------------------------------


def test_need_index_single_indicator_is_the_mid_rank_percentile():
    """Five areas ranked 1..5 by need give (r - 0.5) / 5 * 100 = 10, 30, 50, 70, 90."""
    idx = need_index(_need(), {"score": SCORE})
    assert idx.name == "need_index"
    assert list(idx.index) == list("ABCDE")
    assert idx.tolist() == pytest.approx([90, 70, 50, 30, 10])


def test_need_index_orients_every_kind_so_higher_is_more_need():
    need = _need()
    # A: most children in need, lowest GLD (higher is better), decile 1, rank 1200
    for ind in (CIN, GLD, DECILE, RANK):
        assert need_index(need, {"x": ind}).tolist() == pytest.approx([90, 70, 50, 30, 10])


def test_need_index_weights_are_normalised():
    need = _need()
    reversed_score = IndicatorConfig(column="imd_rank", kind="score", weight=1)  # E neediest
    idx = need_index(
        need,
        {"a": IndicatorConfig(column="idaci_score", kind="score", weight=3), "b": reversed_score},
    )
    a = np.array([90, 70, 50, 30, 10])
    expected = (3 * a + a[::-1]) / 4
    assert idx.tolist() == pytest.approx(expected.tolist())
    # weight 0 leaves an indicator out entirely
    zero = IndicatorConfig(column="imd_rank", kind="score", weight=0)
    assert need_index(need, {"a": SCORE, "z": zero}).tolist() == pytest.approx(a.tolist())


def test_need_index_missing_values_use_the_other_indicators():
    need = _need()
    need["gld"] = need["gld"].astype(float)
    need.loc["A", "gld"] = np.nan
    idx = need_index(need, {"gld": GLD, "score": SCORE})
    # A has only the score (90); B..E: gld percentiles over the four areas with a value
    gld_pct = np.array([87.5, 62.5, 37.5, 12.5])
    score = np.array([70, 50, 30, 10])
    assert idx["A"] == pytest.approx(90)
    assert idx[["B", "C", "D", "E"]].tolist() == pytest.approx(((gld_pct + score) / 2).tolist())
    need.loc["A", "idaci_score"] = np.nan
    assert np.isnan(need_index(need, {"gld": GLD, "score": SCORE})["A"])


def test_need_index_is_unchanged_by_monotone_rescaling_and_bounded():
    need = _need()
    base = need_index(need, {"cin": CIN, "gld": GLD})
    rescaled = need.assign(gld=np.log(need["gld"]) * 7 + 3)
    assert need_index(rescaled, {"cin": CIN, "gld": GLD}).tolist() == pytest.approx(base.tolist())
    assert ((base > 0) & (base < 100)).all()


def test_need_index_refuses_bad_weights():
    need = _need()
    with pytest.raises(ConfigError, match="0 or more"):
        need_index(need, {"a": IndicatorConfig(column="gld", kind="rate", weight=-1)})
    with pytest.raises(ConfigError, match="at least one"):
        need_index(need, {"a": IndicatorConfig(column="gld", kind="rate", weight=0)})


# --- calls_for -----------------------------------------------------------------------


def test_calls_for_needs_a_margin_and_significance_for_counts():
    """County rate of children in need: 108 / 4,050 = 266.7 per 10,000; x1.25 = 333.3.
    A: 545 per 10,000 (60 of 1,100), lower 95% limit ~416: well above.
    B: 300 per 10,000: above the county but not by 25%: no.
    Small area F: 2 of 50 = 400 per 10,000, above 1.25x, but its lower limit (~48) is below
    the county rate: chance cannot be ruled out, so no."""
    need = _need()
    small = pd.DataFrame({"children": [50], "cin": [2]}, index=pd.Index(["F"], name="area_code"))
    need = pd.concat([need, small])
    out = calls_for(need, {"cin": CIN}, ratio=1.25)
    assert list(out.columns) == ["family_support", "social_work"]
    assert list(out.index) == list("ABCDEF")
    assert out.dtypes.eq(bool).all()
    assert out["family_support"].tolist() == [True, False, False, False, False, False]
    assert out["social_work"].equals(out["family_support"])


def test_calls_for_mirrors_higher_is_better_and_handles_ranked_kinds():
    need = _need()
    # GLD county mean 65; below 65 / 1.25 = 52 only A (50)
    out = calls_for(need, {"gld": GLD, "idaci": DECILE}, ratio=1.25, top_share=0.2)
    assert out["early_years"].tolist() == [True, False, False, False, False]
    # deciles: the most deprived fifth of five areas is A (decile 1)
    assert out["family_support"].tolist() == [True, False, False, False, False]
    wider = calls_for(need, {"idaci": DECILE}, ratio=1.25, top_share=0.4)
    assert wider["family_support"].tolist() == [True, True, False, False, False]


def test_calls_for_joins_categories_across_indicators():
    need = _need()
    cin_b = IndicatorConfig(
        column="cin", kind="count", denominator="children", categories=("family_support",)
    )
    decile_e = IndicatorConfig(column="imd_rank", kind="score", categories=("family_support",))
    out = calls_for(need, {"cin": cin_b, "reverse": decile_e}, ratio=1.25)
    # cin calls in A; the "score" imd_rank (E highest: 32,000 > 1.25 x 15,640) calls in D, E
    assert out["family_support"].tolist() == [True, False, False, True, True]
    assert calls_for(need, {"score": SCORE}, ratio=1.25).shape == (5, 0)
    with pytest.raises(ConfigError, match="ratio"):
        calls_for(need, {"cin": CIN}, ratio=0)


def test_calls_for_weights_the_county_score_by_its_denominator():
    """County IDACI score weighted by children: 900 / 4,050 = 0.222; x1.25 = 0.278: only A
    (0.40). Unweighted, the county score is 0.19; x1.25 = 0.2375, so B (0.25) is called too."""
    need = _need()
    weighted = IndicatorConfig(
        column="idaci_score", kind="score", denominator="children", categories=("early_years",)
    )
    plain = IndicatorConfig(column="idaci_score", kind="score", categories=("early_years",))
    out = calls_for(need, {"score": weighted}, ratio=1.25)
    assert out["early_years"].tolist() == [True, False, False, False, False]
    out = calls_for(need, {"score": plain}, ratio=1.25)
    assert out["early_years"].tolist() == [True, True, False, False, False]


def test_calls_for_missing_values_call_for_nothing():
    need = _need()
    need["gld"] = need["gld"].astype(float)
    need.loc["A", "gld"] = np.nan
    out = calls_for(need, {"gld": GLD}, ratio=1.25)
    assert not out["early_years"].any()
