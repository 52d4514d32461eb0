"""HiGHS for the siting solvers: one mixed-integer (or linear) programme, quietly.

:func:`run_milp` passes a maximisation with sparse ``<=`` rows and ``[0, upper]`` bounds to
HiGHS (``highspy``, imported only when first needed) with a time limit, a relative gap, one
thread and a fixed seed, and returns the values, status, proven bound and gap;
:func:`run_lp` solves such a programme as a linear one (no integers) and returns its values
and row duals. They know nothing of covering: :mod:`earlyhelp.siting.milp` builds the
models.
"""

from __future__ import annotations

__all__ = ["run_lp", "run_milp"]


import numpy as np
from scipy import sparse

from earlyhelp.errors import EarlyHelpError
from earlyhelp.solver import quiet_stdout


def _highs(time_limit_s: float, mip_rel_gap: float):
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is installed with earlyhelp's siting
        raise EarlyHelpError(
            "the exact siting method needs the HiGHS solver; install it with "
            "'pip install highspy', or use --method greedy"
        ) from None
    with quiet_stdout():
        h = highspy.Highs()
    h.silent()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    return h, highspy


def _pass_model(h, highspy, cost, upper, integer, matrix, row_upper) -> None:
    matrix = sparse.csc_matrix(matrix)
    matrix.sort_indices()
    n_col, n_row = matrix.shape[1], matrix.shape[0]
    h.passModel(
        n_col,
        n_row,
        int(matrix.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        np.asarray(cost, dtype=np.float64),
        np.zeros(n_col),
        np.asarray(upper, dtype=np.float64),
        np.full(n_row, -np.inf),
        np.asarray(row_upper, dtype=np.float64),
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64),
        np.asarray(integer, dtype=np.int32),
    )


def run_milp(
    *,
    cost: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    matrix: sparse.csc_matrix,
    row_upper: np.ndarray,
    time_limit_s: float,
    mip_rel_gap: float,
    start: np.ndarray | None,
) -> tuple[np.ndarray | None, str, float | None, float | None]:
    """Maximise ``cost @ v`` s.t. ``matrix @ v <= row_upper``, ``0 <= v <= upper`` with HiGHS.

    Returns (values or None, status, proven bound, relative gap).
    """
    h, highspy = _highs(time_limit_s, mip_rel_gap)
    _pass_model(h, highspy, cost, upper, integer, matrix, row_upper)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start))
        h.setSolution(sol)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status != 2:  # 2 = feasible
        return None, status, None, None
    values = np.asarray(h.getSolution().col_value, dtype=float)
    bound = float(info.mip_dual_bound)
    gap = float(info.mip_gap)
    return values, status, bound if np.isfinite(bound) else None, gap if np.isfinite(gap) else None


def run_lp(
    *,
    cost: np.ndarray,
    upper: np.ndarray,
    matrix: sparse.csc_matrix,
    row_upper: np.ndarray,
    time_limit_s: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The same maximisation as :func:`run_milp` with every variable continuous, by HiGHS's
    interior point method (with crossover: a vertex). Returns (values, row duals), or None
    when HiGHS stops short of the optimum."""
    h, highspy = _highs(time_limit_s, 0.0)
    h.setOptionValue("solver", "ipm")
    _pass_model(h, highspy, cost, upper, np.zeros(len(cost)), matrix, row_upper)
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return None
    solution = h.getSolution()
    return (
        np.asarray(solution.col_value, dtype=float),
        np.asarray(solution.row_dual, dtype=float),
    )
