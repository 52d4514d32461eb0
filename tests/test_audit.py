"""The disclosure audit: hand-made adversarial counties, each attacked as a person would
and by the engine, then fixed; a brute-force check of the linear programmes on tiny tables;
and a random county where every reader's range must contain the truth.

Base cells are children per small area (and age band where there are bands). Every count
published is registered as a :class:`PublishedCount` over them; tables go through the
real table-by-table :func:`suppress` first, which is what leaks.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import earlyhelp.disclosure as disclosure
from earlyhelp.disclosure import (
    PublishedCount,
    PublishedShare,
    audit_publication,
    protect_publication,
    suppress,
)
from earlyhelp.errors import EarlyHelpError


def _registered(published, truth, cells_of, output, *, locked=()):
    """The counts of a suppressed table: a shown number, or hidden (None); a hidden count
    is sensitive when its true value is small (1 to 5), as the publishing code marks it."""
    out = []
    for row in published.index:
        for col in published.columns:
            cells = cells_of(row, col)
            value = None if published.loc[row, col] == "*" else float(published.loc[row, col])
            true = float(truth.loc[row, col])
            out.append(
                PublishedCount(
                    output,
                    f"{row} {col}" if published.shape[1] > 1 else str(row),
                    cells,
                    value,
                    may_hide=row not in locked,
                    sensitive=value is not None or 1 <= true <= 5,
                )
            )
    return out


def _exposure(report, label):
    (found,) = [e for e in report.exposures if e.label == label]
    return found


def _county_a():
    """Case (a): district D1 is one area of 3 children. Areas (base cells) by district:
    D1: a0 = 3;  D2: a1..a3 = 7, 9, 12;  D3: a4..a6 = 20, 25, 30;  D4: a7, a8 = 40, 50."""
    children = np.array([3, 7, 9, 12, 20, 25, 30, 40, 50], dtype=float)
    district = np.array([1, 2, 2, 2, 3, 3, 3, 4, 4])
    areas = pd.DataFrame({"children": children}, index=[f"a{i}" for i in range(9)])
    totals = pd.DataFrame({"children": [children[district == d].sum() for d in (1, 2, 3, 4)]})
    totals.index = [f"D{d}" for d in (1, 2, 3, 4)]
    totals.loc["County"] = children.sum()
    summary = suppress(totals, count_columns=["children"], total_row="County")
    the_map = suppress(areas, count_columns=["children"])

    def district_cells(row, _col):
        return np.arange(9) if row == "County" else np.flatnonzero(district == int(row[1]))

    counts = _registered(
        summary, totals, district_cells, "district summary", locked=("County",)
    ) + _registered(the_map, areas, lambda row, _c: [int(row[1:])], "map")
    return counts, summary, the_map


def test_case_a_table_by_table_suppression_leaks_and_the_fix_stops_it():
    counts, summary, the_map = _county_a()
    # each table is safe on its own: D1 and D2 (the smallest other district) are hidden in
    # the summary, a0 on the map
    assert list(summary["children"]) == ["*", "*", "75", "90", "196"]
    assert the_map.loc["a0", "children"] == "*"
    alone = [c for c in counts if c.output == "district summary"]
    assert audit_publication(alone).passed
    assert _exposure(audit_publication(alone, full=True), "D1").width == 30  # 1 to 30
    assert audit_publication([c for c in counts if c.output == "map"]).passed

    # together: county total minus D3, D4 and the map's areas of D2 gives 3
    report = audit_publication(counts)
    assert not report.passed
    d1 = _exposure(report, "D1")
    assert (d1.lower, d1.upper, d1.disclosed) == (3, 3, True)
    assert (_exposure(report, "a0").lower, _exposure(report, "a0").upper) == (3, 3)
    assert {"district summary: County", "map: a1", "map: a2", "map: a3"} <= set(d1.pinned_by)
    county = [e for e in d1.upper_by if e.label == "County"]
    assert [(e.weight, e.uses) for e in county] == [(1.0, 196.0)]
    assert "refusing to publish" in _raises(report.require_safe)

    # the fix hides the smallest area of the secondary district (a1 = 7)
    fixed = protect_publication(counts)
    assert [fixed.counts[i].label for i in fixed.hidden_counts] == ["a1"]
    assert fixed.counts[[c.label for c in counts].index("a1")].sensitive is False
    after = audit_publication(fixed.counts, full=True)
    assert after.passed
    for label in ("D1", "a0"):
        e = _exposure(after, label)
        assert e.upper - e.lower >= 5  # 1 to 9: a0 + a1 = 10 is all the reader has
        assert (e.lower, e.upper) == (1, 9)


def _raises(fn) -> str:
    with pytest.raises(EarlyHelpError) as err:
        fn()
    return str(err.value)


def test_case_a_an_independent_attack_agrees():
    """scipy's linprog, fed the same equations written out by hand, gives D1 = 3."""
    # a0..a8; equations: county total, D3, D4, and the map's a1..a8
    a_eq = [np.ones(9)]
    b_eq = [196.0]
    for cells, value in (([4, 5, 6], 75.0), ([7, 8], 90.0)):
        row = np.zeros(9)
        row[cells] = 1
        a_eq.append(row)
        b_eq.append(value)
    for i, value in enumerate([7, 9, 12, 20, 25, 30, 40, 50], start=1):
        row = np.zeros(9)
        row[i] = 1
        a_eq.append(row)
        b_eq.append(value)
    # hidden: D1 = a0 >= 1, D2 = a1 + a2 + a3 >= 1
    a_ub = [-np.eye(9)[0], -np.r_[0, 1, 1, 1, np.zeros(5)]]
    b_ub = [-1.0, -1.0]
    c = np.eye(9)[0]
    lo = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, method="highs")
    hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, method="highs")
    counts, _, _ = _county_a()
    d1 = _exposure(audit_publication(counts), "D1")
    assert (lo.fun, -hi.fun) == pytest.approx((d1.lower, d1.upper)) == (3, 3)


def _county_b():
    """Case (b): one district, areas a0..a4 = 3, 8, 10, 15, 20; the map classes a0, a2 and
    a4 "no gap" (full core range in reach). The map shows each area's children with a
    district total row; the district summary shows children with the full core range."""
    children = np.array([3, 8, 10, 15, 20], dtype=float)
    no_gap = np.array([True, False, True, False, True])
    table = pd.DataFrame({"children": children}, index=[f"a{i}" for i in range(5)])
    table.loc["Total"] = children.sum()
    the_map = suppress(table, count_columns=["children"], total_row="Total")

    def cells(row, _col):
        return np.arange(5) if row == "Total" else [int(row[1:])]

    counts = _registered(the_map, table, cells, "map", locked=("Total",))
    full = PublishedCount(
        "district summary", "children with the full core range", np.flatnonzero(no_gap), 33.0
    )
    return [*counts, full], the_map


def test_case_b_a_subset_total_beside_the_areas_gives_a_hidden_area_back():
    counts, the_map = _county_b()
    # the map alone is safe: a0 and a1 hidden, a0 + a1 = 11
    assert list(the_map["children"]) == ["*", "*", "10", "15", "20", "56"]
    assert audit_publication(counts[:-1]).passed
    report = audit_publication(counts)
    a0 = _exposure(report, "a0")
    assert (a0.lower, a0.upper) == (3, 3)
    # 33 - a2 - a4, the visible areas whose map class says "no gap"
    by = {(e.label, e.weight) for e in a0.upper_by}
    assert by == {("children with the full core range", 1.0), ("a2", -1.0), ("a4", -1.0)}
    # a1 (8, hidden to protect a0) is given back too, but it was never small: not judged
    assert [e.label for e in report.exposures] == ["a0"]

    fixed = protect_publication(counts)
    assert [fixed.counts[i].label for i in fixed.hidden_counts] == ["a2"]  # 10 < 20 < 33
    a0 = _exposure(audit_publication(fixed.counts, full=True), "a0")
    assert (a0.lower, a0.upper) == (1, 12)  # a0 + a2 = 13


def _share_case(decimals):
    """Referrals (3) in a district of 40 children in three areas; the children are shown,
    the referrals hidden, and the referral rate shown as a percentage."""
    children = PublishedCount("summary", "children", [1, 2, 3], 40.0, may_hide=False)
    referrals = PublishedCount("summary", "referrals", [0], None)
    rate = round(100 * 3 / 40, decimals)  # 7.5 or 8
    share = PublishedShare("summary", "referral rate %", [0], [1, 2, 3], rate, decimals)
    areas = [PublishedCount("map", f"a{i}", [i], v) for i, v in ((1, 10.0), (2, 12.0), (3, 18.0))]
    return [children, referrals, *areas], [share]


@pytest.mark.parametrize("decimals", [1, 0])
def test_a_share_with_a_published_denominator_gives_the_numerator_back(decimals):
    counts, shares = _share_case(decimals)
    report = audit_publication(counts, shares)
    e = _exposure(report, "referrals")
    # 7.5% of 40 is 2.98 to 3.02; 8% of 40 is 3 to 3.4: either way 3
    assert (e.lower, e.upper, e.disclosed) == (3, 3, True)
    assert "summary: referral rate %" in e.pinned_by
    fixed = protect_publication(counts, shares)
    assert fixed.hidden_shares == (0,) and fixed.hidden_counts == ()  # the rate goes
    assert fixed.shares[0].hidden
    assert audit_publication(fixed.counts, fixed.shares).passed


def test_a_rate_on_a_large_count_is_no_alarm():
    """The same rate with 300 referrals of 4,000 children: nothing hidden, nothing to find."""
    counts = [
        PublishedCount("summary", "children", [1], 4000.0),
        PublishedCount("summary", "referrals", [0], 300.0),
    ]
    share = PublishedShare("summary", "rate", [0], [1], 7.5)
    report = audit_publication(counts, [share])
    assert report.passed and report.exposures == ()


def test_the_demo_shape_passes_unchanged():
    """One district total shown, two areas hidden (3, and 12 beside it): the reader knows
    only that they add to 15, so either is anywhere from 1 to 14."""
    children = np.array([3, 12, 30, 25], dtype=float)
    table = pd.DataFrame({"children": children}, index=["a0", "a1", "a2", "a3"])
    table.loc["Total"] = children.sum()
    out = suppress(table, count_columns=["children"], total_row="Total")
    assert list(out["children"]) == ["*", "*", "30", "25", "70"]

    def cells(row, _col):
        return np.arange(4) if row == "Total" else [int(row[1:])]

    counts = _registered(out, table, cells, "map", locked=("Total",))
    report = audit_publication(counts, full=True)
    assert report.passed
    a0 = _exposure(report, "a0")
    assert (a0.lower, a0.upper, a0.width) == (1, 14, 14)
    fixed = protect_publication(counts)
    assert fixed.rounds == 0 and fixed.hidden_counts == ()
    assert [c.value for c in fixed.counts] == [c.value for c in counts]


def test_a_suppressed_rectangle_in_a_two_way_table_passes():
    """Areas by age band with row and column totals, four cells hidden in a rectangle (two
    small, two beside them): each has 9 possible values."""
    # cells: r0 = (2*, 8*, 20), r1 = (9*, 3*, 15), r2 = (30, 40, 50)
    values = np.array([[2, 8, 20], [9, 3, 15], [30, 40, 50]], dtype=float)
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1)}
    counts = []
    for r, c in itertools.product(range(3), range(3)):
        value = None if (r, c) in hidden else values[r, c]
        small = values[r, c] <= 5
        counts.append(PublishedCount("table", f"r{r}c{c}", [3 * r + c], value, sensitive=small))
    for r in range(3):
        counts.append(PublishedCount("table", f"r{r} total", 3 * r + np.arange(3), values[r].sum()))
    for c in range(3):
        counts.append(
            PublishedCount("table", f"c{c} total", c + 3 * np.arange(3), values[:, c].sum())
        )
    counts.append(PublishedCount("table", "total", np.arange(9), values.sum(), may_hide=False))
    report = audit_publication(counts, full=True)
    assert report.passed
    assert {(e.label, e.lower, e.upper) for e in report.exposures} == {
        ("r0c0", 1, 9),  # r0c0 = a, r0c1 = 10 - a, r1c0 = 11 - a, r1c1 = 1 + a
        ("r1c1", 2, 10),
    }


def test_rounded_values_stay_feasible_and_widen_the_range():
    """Apportioned (fractional) children: 2.4 + 6.4 + 7.4 = 16.2. Published rounded: the
    first hidden, then 6, 7 and a total of 16."""
    counts = [
        PublishedCount("map", "a0", [0], None),
        PublishedCount("map", "a1", [1], 6.0),
        PublishedCount("map", "a2", [2], 7.0),
        PublishedCount("map", "total", [0, 1, 2], 16.0),
    ]
    # exact arithmetic would say a0 = 3; rounding leaves 16 +- 0.5 - (6 +- 0.5) - (7 +- 0.5)
    a0 = _exposure(audit_publication(counts, whole=False, full=True), "a0")
    assert (a0.lower, a0.upper) == pytest.approx((1.5, 4.5))
    assert a0.lower <= 2.4 <= a0.upper and a0.disclosed  # 4 wide: still too narrow
    # with whole children the same figures are exact, and give 3
    a0 = _exposure(audit_publication(counts, full=True), "a0")
    assert (a0.lower, a0.upper) == (3, 3)
    # rounded to the nearest 5, the total says 13 to 17: a0 is 1 to 4
    coarse = [*counts[:3], PublishedCount("map", "total", [0, 1, 2], 15.0, step=5)]
    a0 = _exposure(audit_publication(coarse, full=True), "a0")
    assert (a0.lower, a0.upper) == (1, 4)


def test_rounding_does_not_make_consistent_figures_contradict():
    """2.4 + 2.4 + 2.4 = 7.2: shown as 2, 2, 2 and 7. Read as exact they contradict each
    other (and the audit says so, loudly); read as rounded they are fine."""
    counts = [PublishedCount("map", f"a{i}", [i], 2.0, step=0) for i in range(3)]
    counts.append(PublishedCount("map", "total", [0, 1, 2], 7.0, step=0))
    assert "contradict each other" in _raises(lambda: audit_publication(counts, whole=False))
    rounded = [PublishedCount(c.output, c.label, c.cells, c.value) for c in counts]
    assert audit_publication(rounded, whole=False).passed


def test_a_hidden_zero_must_be_declared():
    """The reader takes a hidden count to be at least 1. table-by-table suppression can
    hide a zero as a last resort; when the figures pin it to 0 the audit refuses rather than
    reason from a false premise, until the zero is registered as such."""
    counts = [
        PublishedCount("t", "a0", [0], None),  # truly 0
        PublishedCount("t", "a1", [1], 9.0),
        PublishedCount("t", "total", [0, 1], 9.0),
    ]
    assert "contradict" in _raises(lambda: audit_publication(counts))
    counts[0] = PublishedCount("t", "a0", [0], None, known=(0, None), sensitive=False)
    assert audit_publication(counts).passed


def test_refuses_when_nothing_that_pins_it_may_be_hidden():
    """Two hidden areas of 1 child each under a county total of 2, which may not be
    hidden: each is exactly 1, and there is nothing to do but refuse."""
    counts = [
        PublishedCount("map", "a0", [0], None),
        PublishedCount("map", "a1", [1], None),
        PublishedCount("county", "total", [0, 1], 2.0, may_hide=False),
    ]
    report = audit_publication(counts)
    assert [(e.label, e.lower, e.upper) for e in report.disclosed] == [
        ("a0", 1, 1),
        ("a1", 1, 1),
    ]
    message = _raises(lambda: protect_publication(counts))
    assert message.startswith("refusing to publish: map: a0 is worked out as 1 to 1")


def _tiny_tables():
    """Small two-way tables (3 areas x 3 bands, row and column totals, a grand total)
    through table-by-table suppression, with at most 5 hidden cells inside."""
    rng = np.random.default_rng(13)
    found = 0
    while found < 25:
        values = rng.choice([0, 1, 2, 3, 4, 6, 7, 9], size=(3, 3)).astype(float)
        table = pd.DataFrame(values, columns=["b0", "b1", "b2"], index=["r0", "r1", "r2"])
        table["total"] = values.sum(axis=1)
        table.loc["Total"] = table.sum()
        out = suppress(
            table,
            count_columns=["b0", "b1", "b2", "total"],
            total_row="Total",
            column_totals={"total": ["b0", "b1", "b2"]},
        )
        hidden = (out == "*").to_numpy()
        inner = hidden[:3, :3]
        if (table.to_numpy()[hidden] == 0).any():
            continue  # a zero hidden as a last resort: see test_a_hidden_zero_must_be_declared
        if 2 <= inner.sum() <= 5 and out.iloc[3, 3] != "*" and _fillings(out) <= 2e6:
            found += 1
            yield values, out


def _fillings(out):
    hidden = [(r, c) for r in range(3) for c in range(3) if out.iloc[r, c] == "*"]
    return np.prod([_ceiling(out, r, c) for r, c in hidden], dtype=float)


def _brute_force(values, out, min_count=1):
    """Every whole-number filling of the hidden inner cells that agrees with the shown
    totals (and keeps every hidden count at least min_count): (lowest, highest) of each
    hidden count, by label."""
    hidden = [(r, c) for r in range(3) for c in range(3) if out.iloc[r, c] == "*"]
    grid = np.meshgrid(*[np.arange(min_count, _ceiling(out, r, c) + 1) for r, c in hidden])
    cand = np.stack([g.ravel() for g in grid], axis=1)
    full = np.broadcast_to(values, (cand.shape[0], 3, 3)).copy()
    for k, (r, c) in enumerate(hidden):
        full[:, r, c] = cand[:, k]
    sums = {}
    for r in range(3):
        sums[f"r{r} total"] = full[:, r, :].sum(axis=1)
    for c in range(3):
        sums[f"Total b{c}"] = full[:, :, c].sum(axis=1)
    sums["Total total"] = full.sum(axis=(1, 2))
    ok = np.ones(cand.shape[0], dtype=bool)
    cells = {f"r{r} b{c}": full[:, r, c] for r in range(3) for c in range(3)}
    for label, s in {**sums, **cells}.items():
        r, c = _position(label)
        shown = out.iloc[r, c]
        ok &= (s >= min_count) if shown == "*" else (s == float(shown))
    assert ok.any()  # the truth is one of them
    return {
        label: (s[ok].min(), s[ok].max())
        for label, s in {**sums, **cells}.items()
        if out.iloc[_position(label)] == "*"
    }


def _ceiling(out, r, c):
    """The most an inner cell can be: its row's or column's shown total, less the shown
    cells beside it (the grand total is always shown in these tables)."""
    best = float(out.iloc[3, 3])
    for line in (out.iloc[r, :], out.iloc[:, c]):
        if line.iloc[3] != "*":
            shown = [float(v) for v in line.iloc[:3] if v != "*"]
            best = min(best, float(line.iloc[3]) - sum(shown))
    return int(best)


def _position(label):
    row, col = label.split()
    r = 3 if row == "Total" else int(row[1])
    c = 3 if col == "total" else int(col[1])
    return r, c


def _tiny_counts(out):
    counts = []
    for r, c in itertools.product(range(4), range(4)):
        rows = range(3) if r == 3 else [r]
        cols = range(3) if c == 3 else [c]
        cells = [3 * i + j for i in rows for j in cols]
        shown = out.iloc[r, c]
        label = f"{'Total' if r == 3 else f'r{r}'} {'total' if c == 3 else f'b{c}'}"
        counts.append(PublishedCount("t", label, cells, None if shown == "*" else float(shown)))
    return counts


def test_the_attack_agrees_with_brute_force_on_tiny_tables():
    """25 small tables: the linear programmes' ranges (rounded inward) equal the lowest and
    highest of every whole-number filling consistent with the published table, so the
    verdicts agree too (and table-by-table suppression is seen to leak in some)."""
    leaks = 0
    for values, out in _tiny_tables():
        report = audit_publication(_tiny_counts(out), full=True)
        brute = _brute_force(values, out)
        lp = {e.label: (e.lower, e.upper) for e in report.exposures}
        assert lp == brute
        verdict = {label: hi - lo + 1 < 5 for label, (lo, hi) in brute.items()}
        assert verdict == {e.label: e.disclosed for e in report.exposures}
        leaks += not report.passed
    assert leaks > 0


def _random_county(seed, n_areas=240, n_districts=4):
    """Children per area and band (3 bands), some areas tiny; areas table with district
    total rows and a total column through suppress, county totals, full-core counts and
    shares per district. Returns (counts, shares, base cell values)."""
    rng = np.random.default_rng(seed)
    size = np.where(rng.random(n_areas) < 0.08, rng.uniform(1, 8, n_areas), 40.0)
    values = rng.poisson(size[:, None] * np.array([1.0, 1.2, 0.5])).astype(float)
    district = np.sort(rng.integers(0, n_districts, n_areas))
    no_gap = rng.random(n_areas) < 0.6
    bands = ["b0", "b1", "b2"]
    rows = [(f"D{d}", f"A{a:03d}") for a, d in enumerate(district)]
    table = pd.DataFrame(values, columns=bands, index=pd.MultiIndex.from_tuples(rows))
    table["children"] = values.sum(axis=1)
    totals = table.groupby(level=0).sum()
    totals.index = pd.MultiIndex.from_tuples([(d, "Total") for d in totals.index])
    table = pd.concat([table, totals]).sort_index()
    out = suppress(
        table,
        count_columns=[*bands, "children"],
        total_row="Total",
        column_totals={"children": bands},
    )
    at = np.arange(values.size).reshape(values.shape)

    def cells(row, col):
        d, a = row
        mine = np.flatnonzero(district == int(d[1:])) if a == "Total" else [int(a[1:])]
        return at[mine].ravel() if col == "children" else at[mine][:, bands.index(col)]

    counts = _registered(out, table, cells, "areas")
    for j, band in enumerate(bands):
        counts.append(PublishedCount("county", band, at[:, j], values[:, j].sum(), may_hide=False))
    shares = []
    for d in range(n_districts):
        mine = district == d
        n_full = values[mine & no_gap].sum()
        full = at[mine & no_gap].ravel()
        counts.append(PublishedCount("summary", f"D{d} full core", full, n_full))
        rate = round(100 * n_full / values[mine].sum(), 1)
        shares.append(PublishedShare("summary", f"D{d} % full core", full, at[mine], rate))
    return counts, shares, values.ravel()


@pytest.mark.parametrize("seed", [0, 1])
def test_a_random_county_every_range_holds_the_truth_and_protection_holds(seed):
    counts, shares, truth = _random_county(seed)
    report = audit_publication(counts, shares, full=True)
    screened = audit_publication(counts, shares)
    assert [e.position for e in screened.disclosed] == [e.position for e in report.disclosed]
    assert report.exposures and not report.passed  # table by table leaks here too
    for e in report.exposures:
        true = truth[counts[e.position].cells].sum()
        assert e.lower <= true <= e.upper, e.label
    fixed = protect_publication(counts, shares)
    assert fixed.rounds >= 1 and fixed.hidden_counts
    assert all(not counts[i].hidden and counts[i].may_hide for i in fixed.hidden_counts)
    after = audit_publication(fixed.counts, fixed.shares, full=True)
    assert after.passed
    assert all(e.width >= 5 for e in after.exposures)
    for e in after.exposures:
        assert e.lower <= truth[counts[e.position].cells].sum() <= e.upper


def test_the_report_is_json_ready():
    counts, _, _ = _county_a()
    report = audit_publication(counts)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["passed"] is False
    first = data["disclosed"][0]
    assert {"output", "label", "lower", "upper", "width", "pinned_by", "upper_by"} <= set(first)
    assert first["width"] == 1
    fixed = protect_publication(counts)
    data = json.loads(json.dumps(fixed.to_dict(), allow_nan=False))
    assert data["hidden"] == ["map: a1"] and data["audit"]["passed"] is True
    # an unbounded range is null, not Infinity
    lone = [PublishedCount("map", "a0", [0], None)]
    (only,) = audit_publication(lone, full=True).exposures
    assert only.to_dict()["upper"] is None and only.to_dict()["width"] is None


def test_the_package_face_keeps_todays_names():
    from earlyhelp.disclosure import suppression

    for name in (
        "MISSING",
        "PUBLICATION_ATTR",
        "check_publishable",
        "is_publishable",
        "mark_unpublished",
        "suppress",
    ):
        assert getattr(disclosure, name) is getattr(suppression, name)
    assert set(disclosure.__all__) >= {"audit_publication", "protect_publication"}
