"""Everything published as one polyhedron over the base cells (see
:mod:`earlyhelp.disclosure.audit` for the model): the rows a reader can write down."""

from __future__ import annotations

__all__ = ["PublishedSystem", "inward"]

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

from earlyhelp.disclosure.attack import Polyhedron
from earlyhelp.disclosure.published import PublishedCount, PublishedShare

# slack when rounding a bound found in floating point to a whole number
_WHOLE_TOL = 1e-6


def inward(lo: float, hi: float, whole: bool) -> tuple[float, float]:
    """A range of a whole-number sum: ``[ceil(lo), floor(hi)]`` (with float slack)."""
    if not whole:
        return lo, hi
    if math.isfinite(lo):
        lo = float(math.ceil(lo - _WHOLE_TOL * max(1.0, abs(lo))))
    if math.isfinite(hi):
        hi = float(math.floor(hi + _WHOLE_TOL * max(1.0, abs(hi))))
    return lo, hi


class PublishedSystem:
    """Everything published as rows of one polyhedron over the base cells.

    ``source[r]`` is the published number row ``r`` comes from: ``("count", i)`` or
    ``("share", j)``. Count ``i`` is row ``i``; the shares' rows (one or two each) follow.
    ``integral[i]``: count ``i``'s row has whole coefficients.
    """

    def __init__(
        self,
        counts: Sequence[PublishedCount],
        shares: Sequence[PublishedShare],
        min_count: int,
        whole: bool,
        n_cells: int | None,
        cell_bounds: tuple[Any, Any] | None,
    ):
        self.counts, self.shares = counts, shares
        used = [c.cells for c in counts]
        used += [side for s in shares for side in (s.numerator, s.denominator)]
        top = _top(used)
        n = top if n_cells is None else int(n_cells)
        if n < top:
            raise ValueError(f"n_cells={n} but a published number uses base cell {top - 1}")
        parts: list[tuple[np.ndarray, np.ndarray]] = [
            (c.cells, np.ones(c.cells.size) if c.weights is None else c.weights) for c in counts
        ]
        share_bounds: list[tuple[float, float]] = []
        self.source: list[tuple[str, int]] = [("count", i) for i in range(len(counts))]
        for j, share in enumerate(shares):
            for cells, data, lo, hi in _share_rows(share):
                parts.append((cells, data))
                share_bounds.append((lo, hi))
                self.source.append(("share", j))
        self.matrix = _stack(parts, n)
        self.integral = _integral_rows(self.matrix, len(counts))
        low, high = _count_ranges(counts, min_count, whole & self.integral)
        ends = np.array(share_bounds, dtype=float).reshape(-1, 2)
        ends = np.concatenate([np.column_stack([low, high]), ends])
        col_lo, col_hi = _cell_bounds(cell_bounds, n)
        self.poly = Polyhedron(self.matrix, ends[:, 0], ends[:, 1], col_lo, col_hi)

    def row(self, r: int) -> sparse.csr_matrix:
        """Row ``r`` as a 1 x n sparse row."""
        return self.matrix[[r]]

    def objectives(self, hidden: list[int]) -> tuple[sparse.csr_matrix, list[int], np.ndarray]:
        """One objective per distinct hidden sum: (objectives, objective of each hidden
        count, whether each objective has whole coefficients)."""
        m = self.matrix
        index: dict[bytes, int] = {}
        first: list[int] = []
        of_count = []
        for i in hidden:
            a, b = m.indptr[i], m.indptr[i + 1]
            key = m.indices[a:b].tobytes() + m.data[a:b].tobytes()
            if key not in index:
                index[key] = len(first)
                first.append(i)
            of_count.append(index[key])
        return m[first], of_count, self.integral[first]


def _top(arrays: list[np.ndarray], batch: int = 4096) -> int:
    """One more than the largest cell in any of ``arrays`` (0 if none): small arrays
    are joined a batch at a time (one maximum each, not one per array)."""
    top = 0
    small: list[np.ndarray] = []
    for a in arrays:
        if a.size > batch:
            top = max(top, int(a.max()) + 1)
        elif a.size:
            small.append(a)
    for i in range(0, len(small), batch):
        top = max(top, int(np.concatenate(small[i : i + batch]).max()) + 1)
    return top


def _count_ranges(
    counts: Sequence[PublishedCount], min_count: int, whole: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The range a reader knows each count's sum lies in (see the module docstring), as
    :func:`inward` gives it where ``whole``: all counts at once."""
    rows = [
        (
            c.value is None,
            0.0 if c.value is None else c.value,
            c.step,
            c.known[0] is not None,
            0.0 if c.known[0] is None else float(c.known[0]),
            c.known[1] is not None,
            0.0 if c.known[1] is None else float(c.known[1]),
        )
        for c in counts
    ]
    table = np.array(rows, dtype=float).reshape(-1, 7).T
    hidden, has_floor, has_ceiling = table[[0, 3, 5]].astype(bool)
    value, step, floor, ceiling = table[[1, 2, 4, 6]]
    lo = np.where(hidden, float(min_count), value - step / 2)
    hi = np.where(hidden, math.inf, value + step / 2)
    # a known floor replaces min_count for a hidden count, else raises the shown range's
    # lower end (as max(lo, floor) does: the floor only where it is greater)
    lo = np.where(has_floor & (hidden | (floor > lo)), floor, lo)
    hi = np.where(has_ceiling & (ceiling < hi), ceiling, hi)
    return _inward_all(lo, hi, whole)


def _inward_all(lo: np.ndarray, hi: np.ndarray, whole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`inward` of each range where ``whole``, the others as they are."""
    lo, hi = lo.copy(), hi.copy()
    at = whole & np.isfinite(lo)
    lo[at] = np.ceil(lo[at] - _WHOLE_TOL * np.maximum(1.0, np.abs(lo[at])))
    at = whole & np.isfinite(hi)
    hi[at] = np.floor(hi[at] + _WHOLE_TOL * np.maximum(1.0, np.abs(hi[at])))
    return lo, hi


def _share_rows(s: PublishedShare) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """``num - (r + u) den <= 0`` and ``num - (r - u) den >= 0`` (the second only when
    ``r - u > 0``: otherwise it says no more than ``num >= 0``), as (cells, coefficients,
    lower, upper)."""
    if s.value is None:
        return []
    scale = 100.0 if s.percent else 1.0
    r = s.value / scale
    u = 0.5 * 10.0 ** (-s.decimals) / scale
    num_w = np.ones(s.numerator.size) if s.numerator_weights is None else s.numerator_weights
    den_w = np.ones(s.denominator.size) if s.denominator_weights is None else s.denominator_weights
    inside = _positions_in(s.numerator, s.denominator)
    out = []
    for ratio, lo, hi in ((r + u, -math.inf, 0.0), (r - u, 0.0, math.inf)):
        if ratio <= 0 and lo == 0.0:
            continue
        if inside is not None:  # one entry per cell, in order: no sorting needed later
            data = -ratio * den_w
            data[inside] += num_w
            out.append((s.denominator, data, lo, hi))
        else:
            cells = np.concatenate([s.numerator, s.denominator])
            out.append((cells, np.concatenate([num_w, -ratio * den_w]), lo, hi))
    return out


def _positions_in(part: np.ndarray, whole: np.ndarray) -> np.ndarray | None:
    """Where each of ``part``'s cells is in ``whole`` when both are strictly increasing
    and every cell of ``part`` is in ``whole`` (a share's numerator in its denominator,
    the usual case); None otherwise."""
    if not (_increasing(part) and _increasing(whole)):
        return None
    at = np.searchsorted(whole, part)
    if part.size and (at[-1] >= whole.size or not np.array_equal(whole[at], part)):
        return None
    return at


def _increasing(cells: np.ndarray) -> bool:
    return bool(cells.size < 2 or (cells[1:] > cells[:-1]).all())


def _stack(parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> sparse.csr_matrix:
    """Rows of (cells, coefficients) as one sparse matrix: repeated cells summed, zero
    coefficients dropped, indices sorted."""
    sizes = np.array([c.size for c, _ in parts], dtype=np.int64)
    # the index type scipy would choose: 32 bits when every index and offset fits (no
    # cast of a national run's millions of entries afterwards)
    index: type[np.signedinteger] = np.int32
    if max(n, int(sizes.sum())) >= np.iinfo(np.int32).max:
        index = np.int64
    indptr: np.ndarray = np.concatenate([[0], np.cumsum(sizes)]).astype(index)
    cols: np.ndarray = np.concatenate(
        [c for c, _ in parts] or [np.zeros(0, dtype=index)], dtype=index
    )
    data = np.concatenate([d for _, d in parts] or [np.zeros(0)], dtype=np.float64)
    # built as CSR directly (no COO sort of every entry); when every row is already
    # strictly increasing with no zero (counts' cells, shares merged by _share_rows) it is
    # canonical as it stands, else scipy's per-row routines sort, sum and drop zeros
    matrix = sparse.csr_matrix((data, cols, indptr), shape=(len(parts), n), copy=False)
    step = cols[1:] > cols[:-1]
    step[indptr[1:-1][(indptr[1:-1] > 0) & (indptr[1:-1] < cols.size)] - 1] = True
    if step.all() and np.count_nonzero(data) == data.size:
        matrix.has_canonical_format = True
        return matrix
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return matrix


def _integral_rows(matrix: sparse.csr_matrix, rows: int) -> np.ndarray:
    """Whether each of the first ``rows`` rows' coefficients are all whole numbers."""
    data = matrix.data[: matrix.indptr[rows]]
    # a coefficient of 1 (most are) is whole: only the others are rounded
    other = np.flatnonzero(data != 1.0)
    values = data[other]
    fraction = other[values != np.round(values)]
    whole = np.ones(rows, dtype=bool)
    whole[np.searchsorted(matrix.indptr, fraction, side="right") - 1] = False
    return whole


def _cell_bounds(bounds: tuple[Any, Any] | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    if bounds is None:
        return np.zeros(n), np.full(n, np.inf)
    lo = np.broadcast_to(np.asarray(bounds[0], dtype=float), (n,)).copy()
    hi = np.broadcast_to(np.asarray(bounds[1], dtype=float), (n,)).copy()
    return lo, hi
