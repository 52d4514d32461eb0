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

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

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


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 (HiGHS prints a banner from C++ when first created)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


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

    with _quiet_stdout():
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
    solver = _LazySolver(poly)
    if start is None:
        status, _, x0 = solver.minimise(np.zeros(0, dtype=np.int32), np.zeros(0))
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
            status, value, x = solver.minimise(cols, sign * cost)
            bound = lower if sign > 0 else upper
            by = lower_by if sign > 0 else upper_by
            if status == "infeasible":  # numerical trouble: the model was feasible
                raise Infeasible(f"objective {j}: HiGHS found no feasible point")
            if status == "unbounded":  # a sum with no upper bound (or, with negative
                bound[j] = -sign * np.inf  # coefficients, no lower bound)
            else:
                seen(x)
                bound[j] = sign * value
                by[j] = solver.certificate(sign)
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
