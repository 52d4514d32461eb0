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


def _base(rng: np.random.Generator, areas: int = 30, without_need: float = 0.2):
    from earlyhelp.publish.publication import BaseCells

    children = rng.integers(0, 9, size=(areas, 3)).astype(float)
    children[rng.random(areas) < without_need] = np.nan  # areas without need data
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
    full = _base(rng, without_need=0.0)  # every area has need data: a short cut for all
    for w in (None, weights):
        assert _same_sum(full.children(full.everyone, w), full.children(np.arange(30), w))
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


def _items_reference(pub):
    """Publication.items() as it was: each row's facts read one number at a time."""
    from dataclasses import replace

    from earlyhelp.disclosure import PublishedShare
    from earlyhelp.publish.publication import Ratio, Share

    d = pub.disclosure
    counts, shares, at_c, at_s = [], [], [], []
    for name, t in pub.tables.items():
        for col in [*t.counts, *t.rates]:
            texts = t.shown[col].astype(str).to_numpy()
            raws = pd.to_numeric(t.raw[col], errors="coerce").to_numpy(dtype=float)
            for i, row in enumerate(t.shown.index):
                item = t.cells(row, col)
                if item is None:
                    continue
                label = f"{' / '.join(map(str, row)) if isinstance(row, tuple) else row}: {col}"
                text, raw = texts[i], raws[i]
                hidden = text == d.symbol
                try:
                    value = None if hidden else float(text.replace(",", ""))
                except ValueError:
                    continue
                if isinstance(item, Share):
                    made = PublishedShare(
                        name,
                        label,
                        item.numerator.cells,
                        item.denominator.cells,
                        value,
                        decimals=t.decimals,
                        percent=item.percent,
                        numerator_weights=item.numerator.weights,
                        denominator_weights=item.denominator.weights,
                    )
                elif isinstance(item, Ratio):
                    span = None if value is None else item.count_range(value)
                    if span is None or not math.isfinite(span[1]):
                        continue
                    lo, hi = span
                    made = PublishedCount(
                        name,
                        label,
                        item.count.cells,
                        (lo + hi) / 2,
                        item.count.weights,
                        step=hi - lo,
                    )
                else:
                    finite = math.isfinite(raw)
                    small = d.min_count <= round(raw) <= d.max_count if finite else False
                    below = hidden and finite and round(raw) < d.min_count
                    made = PublishedCount(
                        name,
                        label,
                        item.cells,
                        value,
                        item.weights,
                        known=(0, None) if below else (None, None),
                        sensitive=hidden and small,
                    )
                if name in pub.fixed:
                    made = replace(made, may_hide=False)
                into, at = (shares, at_s) if isinstance(made, PublishedShare) else (counts, at_c)
                into.append(made)
                at.append((name, row, col))
    return counts, shares, at_c, at_s


def _facts(x) -> tuple:
    arrays = {k: v.tolist() for k, v in vars(x).items() if isinstance(v, np.ndarray)}
    others = {k: v for k, v in vars(x).items() if not isinstance(v, np.ndarray)}
    return type(x).__name__, sorted(others.items(), key=repr), sorted(arrays.items())


@pytest.mark.parametrize("seed", range(6))
def test_a_publication_s_items_are_those_read_number_by_number(seed):
    from earlyhelp.config import DisclosureConfig
    from earlyhelp.publish.publication import Publication, Ratio, Share

    rng = np.random.default_rng(seed)
    base = _base(rng, areas=24)
    d = DisclosureConfig(min_count=int(rng.choice([0, 1, 2])), max_count=5)
    groups = {f"D{g}": np.flatnonzero(rng.integers(0, 4, size=24) == g) for g in range(4)}
    frame = pd.DataFrame(
        {
            "a": rng.choice([0, 1, 2.5, 3, 4.5, 7, 40, 1234.4, np.nan], size=4),
            "b": rng.choice([0, 2, 6, 11, 90, np.nan], size=4),
            "share": rng.uniform(0, 100, size=4),
            "per_child": rng.uniform(1, 500, size=4),
        },
        index=list(groups),
    )

    weights = {row: rng.choice([0.0, 1.0], size=(24, 3)) for row in groups}

    def cells(row, col):
        whole = base.children(groups[row])
        part = base.children(groups[row], weights[row])
        return {
            "a": part,
            "b": whole,
            "share": Share(part, whole),
            "per_child": Ratio(whole, 1000.0, decimals=1),
        }.get(col)

    built = []
    for fixed in (frozenset(), frozenset({"t"})):
        pub = Publication(d, base, {"t": frozenset({("D1", "b")})}, fixed=fixed)
        pub.table(
            "t",
            frame,
            counts=["a", "b"],
            rates={"share": ["a", "b"], "per_child": ["b"]},
            cells=cells,
        )
        built.append(pub)
    for pub in built:
        new, old = pub.items(), _items_reference(pub)
        assert len(new[0]) > 4 and len(new[1]) > 0
        assert new[2:] == old[2:]
        for mine, theirs in zip(new[:2], old[:2], strict=True):
            assert [_facts(x) for x in mine] == [_facts(x) for x in theirs]


def test_the_largest_cell_found_in_batches_is_the_largest_cell():
    from earlyhelp.disclosure.system import _top

    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 10**6, size=int(s)) for s in rng.integers(0, 30, size=500)]
    arrays += [np.zeros(0, dtype=np.int64), rng.integers(0, 10**7, size=50)]
    expected = max((int(a.max()) + 1 for a in arrays if a.size), default=0)
    assert _top(arrays, batch=16) == _top(arrays) == expected
    assert _top([]) == _top([np.zeros(0, dtype=np.int64)]) == 0
