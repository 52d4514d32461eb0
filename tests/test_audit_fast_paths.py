"""The audit's vectorised paths give what the plain per-number code gave.

Each fast path (all counts' ranges at once, whole-coefficient rows found in one pass, a
table's sums made for every row together) is checked against a straightforward
reference, written here the way the code once did it, on random small inputs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from earlyhelp.disclosure import PublishedCount
from earlyhelp.disclosure.system import _count_ranges, _integral_rows, inward


def _count_range_reference(c: PublishedCount, min_count: int, whole: bool):
    """One count's range, number by number (the code before it was vectorised)."""
    if c.value is None:
        lo, hi = float(min_count), math.inf
    else:
        lo, hi = c.value - c.step / 2, c.value + c.step / 2
    if c.known[0] is not None:
        lo = float(c.known[0]) if c.value is None else max(lo, float(c.known[0]))
    if c.known[1] is not None:
        hi = min(hi, float(c.known[1]))
    return inward(lo, hi, whole)


def _random_counts(rng: np.random.Generator, n: int) -> list[PublishedCount]:
    out = []
    for i in range(n):
        value = None if rng.random() < 0.3 else float(rng.choice([0, 1, 3, 7.5, 12, 2e6]))
        step = float(rng.choice([0.0, 1.0, 5.0, 0.37, math.inf]))
        floor = None if rng.random() < 0.5 else float(rng.choice([0, 2, 6.2, 11]))
        ceiling = None if rng.random() < 0.6 else float(rng.choice([4, 9.9, 15, 1e7]))
        out.append(
            PublishedCount("t", f"row {i}", np.arange(3), value, step=step, known=(floor, ceiling))
        )
    return out


@pytest.mark.parametrize("seed", range(5))
def test_every_count_range_at_once_is_each_count_range(seed):
    rng = np.random.default_rng(seed)
    counts = _random_counts(rng, 300)
    whole = rng.random(len(counts)) < 0.6
    for min_count in (0, 1, 3):
        lo, hi = _count_ranges(counts, min_count, whole)
        expected = [
            _count_range_reference(c, min_count, bool(w))
            for c, w in zip(counts, whole, strict=True)
        ]
        assert lo.tolist() == [e[0] for e in expected]
        assert hi.tolist() == [e[1] for e in expected]
    lo, hi = _count_ranges([], 1, np.zeros(0, dtype=bool))
    assert lo.size == hi.size == 0


@pytest.mark.parametrize("seed", range(5))
def test_whole_rows_in_one_pass_are_whole_rows(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 6, size=40)
    sizes[[0, -1]] = 0  # empty rows first and last
    data = rng.choice(
        [1.0, 2.0, -3.0, 0.5, 1 / 3], size=int(sizes.sum()), p=[0.6, 0.1, 0.1, 0.1, 0.1]
    )
    indptr = np.concatenate([[0], np.cumsum(sizes)])
    cols = np.concatenate([np.sort(rng.choice(50, s, replace=False)) for s in sizes])
    matrix = sparse.csr_matrix((data, cols, indptr), shape=(len(sizes), 50))
    fraction = matrix.data != np.round(matrix.data)
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    reference = np.bincount(rows[fraction], minlength=matrix.shape[0]) == 0
    for first in (0, 1, 17, len(sizes)):
        assert _integral_rows(matrix, first).tolist() == reference[:first].tolist()


def _base(rng: np.random.Generator, areas: int = 30):
    from earlyhelp.publish.publication import BaseCells

    children = rng.integers(0, 9, size=(areas, 3)).astype(float)
    children[rng.random(areas) < 0.2] = np.nan  # areas without need data
    return BaseCells(pd.Index([f"A{i}" for i in range(areas)]), ["a", "b", "c"], children)


def _same_sum(a, b) -> bool:
    return (
        a.cells.dtype == b.cells.dtype
        and a.cells.tolist() == b.cells.tolist()
        and a.weights.tolist() == b.weights.tolist()
    )


@pytest.mark.parametrize("seed", range(5))
def test_sums_made_together_are_the_sums_made_one_by_one(seed):
    rng = np.random.default_rng(seed)
    base = _base(rng)
    groups = [np.sort(rng.choice(30, rng.integers(0, 12), replace=False)) for _ in range(9)]
    groups.append(rng.integers(0, 30, size=5))  # any order, repeats
    weights = rng.choice([0.0, 1.0, 0.5], size=(30, 3))
    for w in (None, weights):
        together = base.children_in(groups, w)
        assert all(_same_sum(t, base.children(g, w)) for t, g in zip(together, groups, strict=True))
    assert base.children_in([]) == []
    each = base.each_area()
    assert all(_same_sum(each[i], base.children(np.array([i]))) for i in range(30))


def test_a_district_table_s_sums_are_each_district_s_sums(demo_assessment):
    from earlyhelp.publish.basis import RunBasis

    basis = RunBasis(demo_assessment)
    key = basis.keys[0]
    for weights in (basis.reached(key), basis.unreached(key)):
        of = basis.children_by_district(weights)
        for row in [*basis.assessment.areas["district_code"].unique(), "County", "nowhere"]:
            assert _same_sum(of(row), basis.children(basis.where(row), weights))
