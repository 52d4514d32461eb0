"""The reader's attack: the least and greatest value of many linear sums over one polyhedron.

Pure linear programming, knowing nothing of tables: :mod:`earlyhelp.disclosure.audit` turns
everything published into the rows of one :class:`Polyhedron` over the base cells, and asks
:func:`extremes` for the range of each hidden count's sum. That is what a reader can do with
the published numbers and a linear programming solver.

Each bound is a linear programme solved by HiGHS (``highspy``). One model is built and kept:
between solves only the objective changes, so each solve starts from the last optimal basis
(a hot start) and usually takes a few simplex iterations. Every optimum found is also a
*witness*, a point the reader cannot rule out: evaluating every objective there gives each
hidden count a range it certainly spans, and a count already seen to span enough needs no
programme of its own (``wide_enough``). The bounds are those of the linear relaxation: a
reader who also uses that counts are whole numbers can sometimes do better (integer
programming); the audit rounds each bound inward to a whole number, which catches the
common cases, not all.

A bound's certificate is the solver's row duals: ``min c.x >= sum_i y_i * (bound of row i)``
with the rows whose dual is not zero. These are the published numbers that pin the count.
"""

from __future__ import annotations

__all__ = ["Extremes", "Infeasible", "Polyhedron", "extremes", "highs_model"]

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from earlyhelp.solver import quiet_stdout

# a dual smaller than this is no part of a bound's certificate
DUAL_TOL = 1e-7


class Infeasible(Exception):
    """No point satisfies every row: the published numbers contradict each other (or what
    the reader is assumed to know)."""


@dataclass(frozen=True)
class Polyhedron:
    """``row_lower <= matrix @ x <= row_upper`` and ``col_lower <= x <= col_upper``.

    Infinite bounds are ``-inf`` / ``inf``. ``matrix`` is sparse, rows by columns.
    """

    matrix: sparse.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray


@dataclass
class Extremes:
    """The range of each objective over the polyhedron.

    ``lower[k]`` and ``upper[k]`` are the exact minimum and maximum of objective ``k`` where
    ``exact[k]``; elsewhere they are the least and greatest values seen at witness points,
    so the true range contains them (the objective was already seen to span enough).
    ``upper`` is ``inf`` where the maximum is unbounded. ``lower_by[k]`` and ``upper_by[k]``
    are the certificates of exact bounds: (row indices, weights), with
    ``min c.x = sum(weights * row bounds)`` (and the same for the maximum); empty where the
    bound was not solved.
    """

    lower: np.ndarray
    upper: np.ndarray
    exact: np.ndarray
    lower_by: list[tuple[np.ndarray, np.ndarray]]
    upper_by: list[tuple[np.ndarray, np.ndarray]]
    solves: int = 0
    iterations: int = 0


def highs_model(
    matrix: sparse.spmatrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    cost: np.ndarray | None = None,
) -> Any:
    """A quiet, single-threaded HiGHS instance holding ``min cost.x`` over these rows and
    bounds (numpy infinities are HiGHS's infinity)."""
    import highspy

    with quiet_stdout():
        h = highspy.Highs()
    h.silent()
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    csc = sparse.csc_matrix(matrix, dtype=np.float64)
    csc.sort_indices()
    n_row, n_col = csc.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = np.zeros(n_col) if cost is None else np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data
    h.passModel(lp)
    return h


class _Solver:
    """One HiGHS model of the polyhedron; minimise one sparse objective at a time."""

    def __init__(self, poly: Polyhedron):
        import highspy

        self._hs = highspy
        self._h = highs_model(
            poly.matrix, poly.row_lower, poly.row_upper, poly.col_lower, poly.col_upper
        )
        self._cost_at = np.zeros(0, dtype=np.int32)
        self.solves = 0
        self.iterations = 0

    def minimise(self, cols: np.ndarray, cost: np.ndarray) -> tuple[str, float, np.ndarray]:
        """Minimise ``cost @ x[cols]``: (status, value, solution). Status is ``optimal``,
        ``unbounded`` or ``infeasible``; the solution is that of the last optimum."""
        h, hs = self._h, self._hs
        if self._cost_at.size:
            h.changeColsCost(self._cost_at.size, self._cost_at, np.zeros(self._cost_at.size))
        self._cost_at = cols.astype(np.int32)
        if cols.size:
            h.changeColsCost(cols.size, self._cost_at, cost.astype(np.float64))
        h.run()
        self.solves += 1
        info = h.getInfo()
        self.iterations += int(info.simplex_iteration_count)
        status = h.getModelStatus()
        if status == hs.HighsModelStatus.kOptimal:
            return "optimal", float(info.objective_function_value), self.values()
        if status in (hs.HighsModelStatus.kUnbounded, hs.HighsModelStatus.kUnboundedOrInfeasible):
            # the model is known to be feasible before any objective is set
            return "unbounded", -np.inf, np.zeros(0)
        if status == hs.HighsModelStatus.kInfeasible:
            return "infeasible", np.nan, np.zeros(0)
        raise RuntimeError(f"HiGHS stopped with status {h.modelStatusToString(status)}")

    def values(self) -> np.ndarray:
        return np.asarray(self._h.getSolution().col_value, dtype=float)

    def certificate(self, sign: float) -> tuple[np.ndarray, np.ndarray]:
        """Rows with a non-zero dual at the last optimum and their weights (times ``sign``)."""
        dual = np.asarray(self._h.getSolution().row_dual, dtype=float)
        rows = np.flatnonzero(np.abs(dual) > DUAL_TOL)
        return rows, sign * dual[rows]


class _Parts:
    """The polyhedron split into its independent parts (columns that share no row), each
    solved on its own: a sum within one part is bounded by that part's rows alone, and a
    smaller programme solves faster. A sum across parts is solved over the whole."""

    def __init__(self, poly: Polyhedron):
        self.poly = poly
        self.whole = _LazySolver(poly)
        self.parts: dict[int, tuple[_LazySolver, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._labels: tuple[np.ndarray, np.ndarray] | None = None

    def _split(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's and column's part (found at the first solve: an audit with nothing
        to solve splits nothing)."""
        if self._labels is None:
            from scipy.sparse.csgraph import connected_components

            m = sparse.csr_matrix(self.poly.matrix)
            n_row, n_col = m.shape
            if m.nnz:
                graph = sparse.bmat([[None, m], [m.T, None]], format="csr")
                _, labels = connected_components(graph, directed=False)
            else:
                labels = np.arange(n_row + n_col)
            self._labels = (labels[:n_row], labels[n_row:])
        return self._labels

    @property
    def solves(self) -> int:
        return self.whole.solves + sum(p[0].solves for p in self.parts.values())

    @property
    def iterations(self) -> int:
        return self.whole.iterations + sum(p[0].iterations for p in self.parts.values())

    def _part(self, label: int) -> tuple[_LazySolver, np.ndarray, np.ndarray, np.ndarray]:
        if label not in self.parts:
            row_part, col_part = self._split()
            cols = np.flatnonzero(col_part == label)
            rows = np.flatnonzero(row_part == label)
            p = self.poly
            sub = Polyhedron(
                sparse.csr_matrix(p.matrix)[rows][:, cols],
                p.row_lower[rows],
                p.row_upper[rows],
                p.col_lower[cols],
                p.col_upper[cols],
            )
            local = np.full(len(col_part), -1, dtype=np.int64)
            local[cols] = np.arange(cols.size)
            self.parts[label] = (_LazySolver(sub), cols, rows, local)
        return self.parts[label]

    def minimise(
        self, cols: np.ndarray, cost: np.ndarray, x0: np.ndarray
    ) -> tuple[str, float, np.ndarray, int | None]:
        """Minimise ``cost @ x[cols]``: status, value, a whole point (``x0`` outside the
        part solved) and the part solved (None: the whole)."""
        labels = np.unique(self._split()[1][cols])
        if labels.size != 1:
            status, value, x = self.whole.minimise(cols, cost)
            return status, value, x, None
        label = int(labels[0])
        solver, part_cols, _, local = self._part(label)
        status, value, xs = solver.minimise(local[cols].astype(np.int32), cost)
        x = x0
        if status == "optimal":
            x = x0.copy()
            x[part_cols] = xs
        return status, value, x, label

    def certificate(self, sign: float, label: int | None) -> tuple[np.ndarray, np.ndarray]:
        """The last bound's certificate (rows of the whole polyhedron)."""
        if label is None:
            return self.whole.certificate(sign)
        solver, _, part_rows, _ = self.parts[label]
        rows, weights = solver.certificate(sign)
        return part_rows[rows], weights


class _LazySolver:
    """A :class:`_Solver` built at its first use (an audit with nothing to solve builds
    none)."""

    def __init__(self, poly: Polyhedron):
        self._poly = poly
        self._solver: _Solver | None = None

    @property
    def solves(self) -> int:
        return 0 if self._solver is None else self._solver.solves

    @property
    def iterations(self) -> int:
        return 0 if self._solver is None else self._solver.iterations

    def _get(self) -> _Solver:
        if self._solver is None:
            self._solver = _Solver(self._poly)
        return self._solver

    def minimise(self, cols: np.ndarray, cost: np.ndarray) -> tuple[str, float, np.ndarray]:
        return self._get().minimise(cols, cost)

    def certificate(self, sign: float) -> tuple[np.ndarray, np.ndarray]:
        return self._get().certificate(sign)


def extremes(
    poly: Polyhedron,
    objectives: sparse.csr_matrix,
    *,
    wide_enough: Callable[[int, float, float], bool] | None = None,
    start: np.ndarray | None = None,
) -> Extremes:
    """The minimum and maximum of each row of ``objectives`` (``k x n``) over ``poly``.

    ``wide_enough(k, lower, upper)`` says whether a range seen so far for objective ``k``
    is enough; an objective whose witnessed range already is enough is not solved for.
    Without it every bound is solved. ``start`` is a point known to be in the polyhedron
    (the true cells), the first witness; without it one is solved for. Raises
    :class:`Infeasible` if the polyhedron is empty.
    """
    objectives = sparse.csr_matrix(objectives, dtype=np.float64)
    k = objectives.shape[0]
    solver = _Parts(poly)
    if start is None:
        status, _, x0 = solver.whole.minimise(np.zeros(0, dtype=np.int32), np.zeros(0))
        if status != "optimal":
            raise Infeasible("no point satisfies every published number")
    else:
        x0 = np.asarray(start, dtype=float)
    lower = objectives @ x0
    upper = lower.copy()
    exact = np.zeros(k, dtype=bool)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0))
    lower_by = [empty] * k
    upper_by = [empty] * k

    proven = {1.0: np.zeros(k, dtype=bool), -1.0: np.zeros(k, dtype=bool)}

    def seen(x: np.ndarray) -> None:
        """Widen the witnessed ranges by the point ``x`` (not past a proven bound)."""
        v = objectives @ x
        np.minimum(lower, v, out=lower, where=~proven[1.0])
        np.maximum(upper, v, out=upper, where=~proven[-1.0])

    def enough(j: int) -> bool:
        if wide_enough is None:
            return False
        return bool(wide_enough(j, float(lower[j]), float(upper[j])))

    for j in range(k):
        if enough(j):
            continue
        row = objectives.getrow(j)
        cols, cost = row.indices, row.data
        for sign in (1.0, -1.0):
            status, value, x, where = solver.minimise(cols, sign * cost, x0)
            bound = lower if sign > 0 else upper
            by = lower_by if sign > 0 else upper_by
            if status == "infeasible":  # numerical trouble: the model was feasible
                raise Infeasible(f"objective {j}: HiGHS found no feasible point")
            if status == "unbounded":  # a sum with no upper bound (or, with negative
                bound[j] = -sign * np.inf  # coefficients, no lower bound)
            else:
                seen(x)
                bound[j] = sign * value
                by[j] = solver.certificate(sign, where)
            proven[sign][j] = True
            if sign > 0 and enough(j):
                break
        else:
            exact[j] = True
    return Extremes(
        lower=lower,
        upper=upper,
        exact=exact,
        lower_by=lower_by,
        upper_by=upper_by,
        solves=solver.solves,
        iterations=solver.iterations,
    )
