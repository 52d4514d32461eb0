"""Case-system extracts counted on load: closed-form counts on the tiny county, the
re-referral window to the day, places by area or postcode sector, every problem named,
chunking that changes nothing, value for money, and no row about a child published."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from earlyhelp.casework import (
    COUNTY,
    district_measures,
    effectiveness,
    group_measures,
    load_casework,
    source_measures,
)
from earlyhelp.config import load_config
from earlyhelp.errors import ValidationFailed
from earlyhelp.loading import load_inputs
from earlyhelp.stats import rate_ci, wilson_ci

CASEWORK = """
[casework]
period_start = "2024-04-01"
period_end = "2025-03-31"
[casework.outcomes]
"Plan completed" = "needs_met"
[casework.episodes]
path = "episodes.csv"
[casework.episodes.columns]
outcome = "closure_reason"
[casework.referrals]
path = "referrals.csv"
"""
WEST, EAST = "E07000001", "E07000002"
# child, area, start, end, closure reason, lead, service
EPISODES = [
    ("a1", "E01000001", "2024-05-01", "2024-08-01", "Needs met", "Council", "S1"),
    ("b1", "E01000002", "2024-06-01", "2024-09-01", "Step up to CSC", "Council", "S1"),
    ("c1", "E01000003", "2024-07-01", "2024-07-20", "Plan completed", "Charity", "S2"),
    ("c1", "E01000003", "2025-08-01", "", "", "Charity", "S2"),  # 377 days later: not within
    ("d1", "E01000004", "2024-04-10", "", "", "Charity", ""),  # open
    ("e1", "E01000007", "2023-12-01", "2024-05-01", "Moved out of area", "Charity", ""),
    ("f1", "E01000005", "2024-06-01", "2024-07-01", "Needs met", "Council", "S1"),
    ("f1", "E01000005", "2024-07-01", "", "", "Council", "S1"),  # the same day: a transfer
]
# child, postcode sector, date, source, factors
REFERRALS = [
    ("a1", "QX1 1", "2024-10-01", "Police", "Domestic abuse"),  # a1 back within the year
    ("z1", "QX1 1", "2024-11-01", "School", "Parental mental health;Neglect"),
    ("z2", "QX1 1", "2025-12-31", "GP", ""),  # after the period: the extract's last date
]


def write_extract(tiny, episodes=EPISODES, referrals=REFERRALS, extra: str = "") -> None:
    pd.DataFrame(
        episodes,
        columns=["child_ref", "area_code", "start_date", "end_date", "closure_reason",
                 "lead_organisation", "service_id"],
    ).to_csv(tiny.path("episodes.csv"), index=False)  # fmt: skip
    pd.DataFrame(
        referrals, columns=["child_ref", "postcode_sector", "referral_date", "source", "factors"]
    ).to_csv(tiny.path("referrals.csv"), index=False)
    tiny.set_config(CASEWORK + extra)


def load(tiny, **kwargs):
    cfg = load_config(tiny.config)
    return load_casework(cfg, load_inputs(cfg), **kwargs)


def test_episodes_are_counted_by_district_as_defined(tiny):
    write_extract(tiny)
    counts = load(tiny).counts.episodes["district"]
    west, east = counts.loc[WEST], counts.loc[EAST]
    # West: a1, b1, f1 and f1's second episode start; a1, b1, f1 close
    assert (west["started"], west["closed"], west["needs_met"], west["stepped_up"]) == (4, 3, 2, 1)
    # East: c1 and d1 start; c1 and e1 (started before the period) close
    assert (east["started"], east["closed"], east["needs_met"], east["moved"]) == (2, 2, 1, 1)


def test_re_referral_is_a_new_episode_or_referral_within_365_days(tiny):
    """a1 is referred 61 days after closing: re-referred. c1 comes back after 377 days:
    not. f1's next episode starts the day it closed: a transfer, not a return. b1 stepped
    up: not in the base."""
    write_extract(tiny)
    counts = load(tiny).counts.episodes["district"]
    assert (counts.loc[WEST, "followed_up"], counts.loc[WEST, "rereferred"]) == (2, 1)
    assert (counts.loc[EAST, "followed_up"], counts.loc[EAST, "rereferred"]) == (2, 0)


def test_an_episode_whose_year_of_follow_up_is_not_over_is_left_out_of_the_base(tiny):
    """Without c1's return and z2, the extract ends on 1 November 2024: no episode that
    closed has had its year of follow-up, so none is in the base."""
    write_extract(tiny, episodes=EPISODES[:3] + EPISODES[4:], referrals=REFERRALS[:2])
    cw = load(tiny)
    counts = cw.counts.episodes["district"]
    assert counts["followed_up"].sum() == 0 and counts["rereferred"].sum() == 0
    assert cw.counts.period.extract_end == (pd.Timestamp("2024-11-01") - pd.Timestamp(0)).days


def test_rates_and_shares_carry_their_intervals(tiny):
    write_extract(tiny)
    cw = load(tiny)
    table = district_measures(cw)
    years = 365 / 365.25
    children = 8 * 180  # eight areas of 180 children aged 0-17 in each district
    ci = rate_ci([4], [children * years], per=10_000).iloc[0]
    assert table.loc[WEST, "started_rate"] == pytest.approx(ci["rate"])
    assert table.loc[WEST, "started_lower"] == pytest.approx(ci["lower"])
    _, hi = wilson_ci(1, 3)
    assert table.loc[WEST, "stepped_up_pct"] == pytest.approx(100 / 3)
    assert table.loc[WEST, "stepped_up_upper"] == pytest.approx(100 * hi)
    assert table.loc[COUNTY, "closed"] == 5
    assert table.loc[COUNTY, "stepped_up_vs"] == ""


def test_referrals_by_postcode_sector_and_source(tiny):
    """The sector QX1 1 lies in West (the lookup's postcodes); z2 falls after the period."""
    write_extract(tiny)
    cw = load(tiny)
    refs = cw.counts.referrals["district"]
    assert refs.loc[WEST, "referrals"] == 2
    assert refs.loc[WEST, "domestic_abuse"] == 1 and refs.loc[WEST, "mental_health"] == 1
    sources = source_measures(cw)
    assert sources.loc["police", "referrals"] == 1 and sources.loc["schools", "referrals"] == 1
    assert sources.loc["All", "referrals"] == 2


def test_reading_in_small_chunks_changes_nothing(tiny):
    write_extract(tiny)
    whole = load(tiny).counts
    chunked = load(tiny, chunk_rows=2).counts
    for key, frame in whole.episodes.items():
        pd.testing.assert_frame_equal(
            frame.sort_index(), chunked.episodes[key].sort_index(), check_like=True
        )


def test_dates_in_uk_form_are_read_and_bad_ones_named_with_their_rows(tiny):
    rows = [list(r) for r in EPISODES]
    rows[0][2] = "01/05/2024"
    write_extract(tiny, episodes=rows)
    assert load(tiny).counts.episodes["district"].loc[WEST, "started"] == 4
    rows[1][3] = "31/02/2024"
    rows[2][2] = "soon"
    write_extract(tiny, episodes=rows)
    with pytest.raises(ValidationFailed) as info:
        load(tiny)
    lines = [p.line() for p in info.value.report.errors]
    assert any("field 'end_date'" in line and "row 3" in line for line in lines), lines
    assert any("field 'start_date'" in line and "row 4" in line for line in lines), lines


def test_a_missing_required_column_says_which_and_how_to_map_it(tiny):
    write_extract(tiny)
    frame = pd.read_csv(tiny.path("episodes.csv")).rename(columns={"child_ref": "child_id"})
    frame.to_csv(tiny.path("episodes.csv"), index=False)
    with pytest.raises(ValidationFailed) as info:
        load(tiny)
    (problem,) = info.value.report.errors
    assert "no column 'child_ref'" in problem.problem
    assert "map child_ref to your header" in problem.fix


def test_rows_in_no_area_of_the_run_are_left_out_and_counted(tiny):
    rows = [*EPISODES, ("g1", "E01999999", "2024-05-01", "", "", "Council", "")]
    write_extract(tiny, episodes=rows)
    cw = load(tiny)
    (warning,) = [p for p in cw.report.warnings if "no area or district" in p.problem]
    assert warning.problem.startswith("1 row(s)")
    record = next(r for r in cw.records if r.role == "casework_episodes")
    assert (record.rows_read, record.rows_used) == (9, 8)
    assert record.dropped == {"no area or district of this run": 1}


def test_unknown_closure_reasons_count_as_other_with_a_warning(tiny):
    rows = [list(r) for r in EPISODES]
    rows[0][4] = "Closed - reasons unclear"
    write_extract(tiny, episodes=rows)
    cw = load(tiny)
    assert cw.counts.episodes["district"].loc[WEST, "other"] == 1
    (warning,) = [p for p in cw.report.warnings if p.field == "outcome"]
    assert "Closed - reasons unclear" in warning.problem
    assert "[casework.outcomes]" in warning.fix


def test_value_for_money_sets_a_service_s_cost_against_its_episodes(tiny):
    """S1 (Tiny Council, £250,000 a year): a1, b1 and f1 closed, a1 and f1 with needs met."""
    write_extract(tiny)
    cw = load(tiny)
    table = effectiveness(cw)
    years = 365 / 365.25
    row = table.loc["childrens_centre: Tiny Council"]
    assert (row["closed"], row["needs_met"]) == (3, 2)
    assert row["cost"] == pytest.approx(round(250_000 * years))
    assert row["cost_per_needs_met"] == pytest.approx(round(250_000 * years) / 2)
    assert np.isfinite(row["cost_per_needs_met_upper"])


def test_lead_organisations_compared_with_all(tiny):
    write_extract(tiny)
    table = group_measures(load(tiny), "lead_organisation")
    assert table.loc["Council", "closed"] == 3 and table.loc["Charity", "closed"] == 2
    assert table.loc["All", "closed"] == 5


def test_the_product_publishes_no_child_and_no_small_count(tiny, tmp_path):
    from earlyhelp.publish.casework import casework_product
    from earlyhelp.publish.folder import write_product

    write_extract(tiny)
    cfg = load_config(tiny.config)
    inputs = load_inputs(cfg)
    cw = load_casework(cfg, inputs)
    folder = write_product(casework_product(cw, cfg=cfg, inputs=inputs), tmp_path / "cw")
    refs = {r[0] for r in EPISODES} | {r[0] for r in REFERRALS}
    for path in folder.rglob("*"):
        if path.suffix in (".csv", ".json", ".html"):
            text = path.read_text(encoding="utf-8")
            assert not any(f",{ref}," in text or f'"{ref}"' in text for ref in refs), path
    districts = (folder / "tables" / "casework_districts.csv").read_text(encoding="utf-8")
    assert districts.startswith("district_code,")  # published: its name has no NOT_FOR_PUBLICATION
    published = pd.read_csv(folder / "tables" / "casework_districts.csv", dtype=str)
    west = published.set_index("district_code").loc[WEST]
    assert west["closed"] == "*" and west["stepped_up_pct"] == "*"
    assert west["stepped_up_vs"] == "*"  # a comparison is hidden with its figure


def test_the_command_without_an_extract_says_which_key_to_set(tiny):
    from typer.testing import CliRunner

    from earlyhelp.cli import app

    result = CliRunner().invoke(app, ["casework", "--config", str(tiny.config)])
    assert result.exit_code == 2
    assert "[casework.episodes] has no path" in result.output


def test_the_command_writes_its_folder_and_prints_published_figures(tiny):
    from typer.testing import CliRunner

    from earlyhelp.cli import app

    write_extract(tiny)
    result = CliRunner().invoke(app, ["casework", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny-casework"
    assert (folder / "report_section.json").is_file() and (folder / "map.html").is_file()
    assert "a1" not in result.output and "early help episodes started" in result.output


# A county where a district team works only in West and a charity only on one reason:
# (district, lead organisation, reason) -> closed episodes. Every episode closes in May.
_PLANTED = {
    (WEST, "West Family Team", "youth_work"): 3,
    (EAST, "Charity A", "parenting"): 10,
    (EAST, "Charity B", "domestic_abuse"): 7,
    (EAST, "Charity B", "family_support"): 5,
}
_AREA = {WEST: "E01000001", EAST: "E01000003"}


def _planted_extract(tiny) -> None:
    rows, n = [], 0
    for (district, lead, reason), count in _PLANTED.items():
        for _ in range(count):
            n += 1
            rows.append((f"k{n}", _AREA[district], "2024-04-10", "2024-05-10", "Needs met",
                         lead, "", reason))  # fmt: skip
    pd.DataFrame(
        rows,
        columns=["child_ref", "area_code", "start_date", "end_date", "closure_reason",
                 "lead_organisation", "service_id", "reason"],
    ).to_csv(tiny.path("episodes.csv"), index=False)  # fmt: skip
    pd.DataFrame(
        [("z9", "QX1 1", "2025-12-31", "GP", "")],
        columns=["child_ref", "postcode_sector", "referral_date", "source", "factors"],
    ).to_csv(tiny.path("referrals.csv"), index=False)
    tiny.set_config(CASEWORK)


def _closed_range(folder, target) -> tuple[float, float]:
    """The least and greatest closed episodes ``target`` (a key of _PLANTED's) can hold
    given the three published tables, solved with scipy's HiGHS (not earlyhelp's audit),
    the attacker knowing which team works where and on what."""
    from scipy.optimize import linprog

    keys = list(_PLANTED)
    rows, values = [], []
    tables = {
        "casework_districts": ("district_code", 0, "County"),
        "casework_lead_organisations": ("lead_organisation", 1, "All"),
        "casework_reasons": ("reason", 2, "All"),
    }
    for name, (column, part, total) in tables.items():
        table = pd.read_csv(folder / "tables" / f"{name}.csv", dtype=str)
        for _, r in table.iterrows():
            if r["closed"] == "*":
                continue
            members = [k for k in keys if r[column] in (total, k[part])]
            rows.append([1.0 if k in members else 0.0 for k in keys])
            values.append(float(r["closed"]))
    objective = np.array([1.0 if k == target else 0.0 for k in keys])
    lo = linprog(objective, A_eq=rows, b_eq=values, bounds=(0, None))
    hi = linprog(-objective, A_eq=rows, b_eq=values, bounds=(0, None))
    return lo.fun, -hi.fun if hi.status == 0 else np.inf


@pytest.mark.parametrize("audit", [False, True], ids=["table-by-table", "audited"])
def test_a_hidden_count_is_not_given_back_by_the_other_tables(tiny, tmp_path, monkeypatch, audit):
    """West's 3 closed episodes are hidden in the district table (with East); the lead
    organisations table hides the West team's 3 with Charity A's 10, and the reasons
    table hides youth work's 3 with family support's 5, but shows parenting (Charity
    A's 10): so the county's 25 less Charity B's 12 and Charity A's 10 gives West's 3
    back, unless the tables are audited together."""
    from earlyhelp.publish import casework
    from earlyhelp.publish.folder import write_product
    from earlyhelp.publish.publication import Publication

    if not audit:

        def as_built(disclosure, base, build, **kwargs):
            pub = Publication(disclosure, base)
            build(pub)
            pub.sealed = True
            return pub

        monkeypatch.setattr(casework, "audited", as_built)
    _planted_extract(tiny)
    cfg = load_config(tiny.config)
    inputs = load_inputs(cfg)
    cw = load_casework(cfg, inputs)
    product = casework.casework_product(cw, cfg=cfg, inputs=inputs)
    folder = write_product(product, tmp_path / "cw")
    districts = pd.read_csv(folder / "tables" / "casework_districts.csv", dtype=str)
    assert districts.set_index("district_code").at[WEST, "closed"] == "*"
    lo, hi = _closed_range(folder, (WEST, "West Family Team", "youth_work"))
    if not audit:
        assert (lo, hi) == (pytest.approx(3), pytest.approx(3))  # the attack has teeth
        return
    assert np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1 >= 5, (lo, hi)
