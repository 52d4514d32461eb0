"""The covering MILP: its model, the problem reduced, and its LP relaxation's proven bound.

The maximal covering problem as a mixed-integer programme (built by :func:`cover_model`):
binary ``y_j`` per candidate, ``0 <= x_i <= 1`` per area worth covering, maximise
``sum_i w_i x_i`` subject to ``x_i <= sum_j a_ij y_j`` and ``sum_j y_j <= k`` (a targeting
rule adds one row). :func:`relax` solves it with ``y`` continuous (HiGHS, interior point
with crossover) and returns:

- a **proven upper bound** on the best objective of any k sites. It is not HiGHS's own
  figure but :func:`lagrangian_bound` evaluated at the relaxation's row duals, computed
  here, so it holds whatever the LP solver's tolerances were (see that function for the
  proof). At exact duals it equals the LP optimum; the Lagrangian dual of this relaxation
  is no stronger than the LP (its subproblem has integral optima), so nothing is lost;
- per candidate, a proven bound on any k sites that include it (:func:`site_bounds`, the
  same argument): a candidate whose bound is below a choice in hand is in no better
  choice, and the exact method leaves it out of the MILP (reduced-cost fixing);
- the relaxation's ``y``, which guides the exact method's start
  (:mod:`earlyhelp.siting.solvers`): sites the LP wants are good sites to try.

With a rule the bound is the LP optimum as HiGHS reports it (the rule's row is not relaxed
into the Lagrangian). :func:`reduced` makes the problem smaller with the same optimum
(areas merged, dominated candidates dropped); :func:`solve_from` runs HiGHS on the MILP
from a start, and :func:`covered` says what a choice covers.
"""

from __future__ import annotations

__all__ = [
    "Relaxation", "cover_model", "covered", "lagrangian_bound", "reduced", "relax", "site_bounds",
    "solve_from",
]  # fmt: skip

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from earlyhelp.errors import EarlyHelpError
from earlyhelp.siting.highs import run_lp, run_milp


@dataclass(frozen=True, eq=False)
class Relaxation:
    """The LP relaxation's optimum ``value``, a proven ``bound`` on any k sites, the
    relaxation's ``y`` (one value in [0, 1] per candidate) and ``site_bound``: per
    candidate, a proven bound on any k sites that include it (inf when unknown)."""

    value: float
    bound: float
    y: np.ndarray
    site_bound: np.ndarray


def cover_model(
    a: sparse.csr_matrix, w: np.ndarray, k: int, rule: Any = None
) -> tuple[np.ndarray, sparse.csr_matrix, dict[str, Any]]:
    """The MCLP over the areas worth covering: columns y (candidates) then x (areas).

    Returns the rows kept, their coverage, and the arguments of
    :func:`~earlyhelp.siting.highs.run_milp` (``integer`` marks the y columns). A
    ``rule`` (a :class:`~earlyhelp.siting.solvers.TargetingRule`) adds its row
    ``sum_j (s - d_j) y_j <= a0 - s n0``.
    """
    m = a.shape[1]
    rows = np.flatnonzero((w > 0) & (np.diff(a.indptr) > 0))
    ar = a[rows]
    nr = len(rows)
    # rows: x_i - sum_j a_ij y_j <= 0 for each area kept, then the budget sum_j y_j <= k
    top = sparse.hstack([-ar, sparse.identity(nr, format="csr")], format="csr")
    budget = sparse.csr_matrix(np.r_[np.ones(m), np.zeros(nr)][None, :])
    blocks = [top, budget]
    row_upper: list[np.ndarray] = [np.zeros(nr), np.array([float(k)])]
    if rule is not None:
        blocks.append(sparse.csr_matrix(np.r_[rule.coefficients, np.zeros(nr)][None, :]))
        row_upper.append(np.array([rule.upper]))
    model = {
        "cost": np.r_[np.zeros(m), w[rows]],
        "upper": np.ones(m + nr),
        "integer": np.r_[np.ones(m), np.zeros(nr)],
        "matrix": sparse.vstack(blocks, format="csc"),
        "row_upper": np.concatenate(row_upper),
    }
    return rows, ar, model


def lagrangian_bound(a: sparse.csr_matrix, w: np.ndarray, k: int, multipliers: Any) -> float:
    """An upper bound on the weight any ``k`` columns of ``a`` cover, for any multipliers.

    ``multipliers`` gives ``lambda_i >= 0`` per row of ``a`` (negative values count as 0).
    The bound is ``sum_i max(0, w_i - lambda_i) + (the k largest positive g_j)`` with
    ``g_j = sum_i a_ij lambda_i``.

    Proof. Take any set S of at most k columns; x_i = 1 where row i is covered by S, else
    0, and y_j = 1 for j in S. Covered means ``x_i <= sum_j a_ij y_j``, so with
    ``lambda_i >= 0``::

        sum_i w_i x_i <= sum_i w_i x_i + sum_i lambda_i (sum_j a_ij y_j - x_i)
                       = sum_i (w_i - lambda_i) x_i + sum_j g_j y_j.

    The first sum is at most ``sum_i max(0, w_i - lambda_i)`` (each x_i is 0 or 1); the
    second is a sum of at most k of the g_j, at most the k largest positive ones. Both
    hold for every S, so the bound holds for the best S. (Floating-point sums add a
    relative error near 1e-15, far below any gap reported.)
    """
    lam = np.maximum(np.asarray(multipliers, dtype=float), 0.0)
    g = np.asarray(a.T @ lam).ravel()
    g = np.sort(g[g > 0])[::-1][:k]
    return float(np.maximum(w - lam, 0.0).sum() + g.sum())


def site_bounds(a: sparse.csr_matrix, w: np.ndarray, k: int, multipliers: Any) -> np.ndarray:
    """Per column j of ``a``, an upper bound on the weight any ``k`` columns that include j
    cover, for any multipliers (reduced-cost fixing: a column whose bound is below a
    choice in hand is in no better choice).

    The bound is ``sum_i max(0, w_i - lambda_i) + max(0, g_j) + (the k - 1 largest
    positive g)``. Proof: as in :func:`lagrangian_bound`, a set S of at most k columns
    covers at most ``sum_i max(0, w_i - lambda_i) + sum_{j' in S} g_j'``; with j in S the
    last sum is ``g_j`` plus at most k - 1 other g, at most the k - 1 largest positive
    ones (whether or not j is among them, which only makes the bound larger).
    """
    lam = np.maximum(np.asarray(multipliers, dtype=float), 0.0)
    g = np.asarray(a.T @ lam).ravel()
    others = np.sort(g[g > 0])[::-1][: max(k - 1, 0)]
    return float(np.maximum(w - lam, 0.0).sum() + others.sum()) + np.maximum(g, 0.0)


def relax(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    time_limit_s: float,
    rule: Any = None,
) -> Relaxation | None:
    """The LP relaxation of choosing ``k`` columns of ``a`` (see the module); None when
    HiGHS is missing or stops short of the optimum."""
    m = a.shape[1]
    rows, ar, model = cover_model(a, w, k, rule)
    if not len(rows) and rule is None:
        return Relaxation(value=0.0, bound=0.0, y=np.zeros(m), site_bound=np.zeros(m))
    del model["integer"]
    try:
        solved = run_lp(**model, time_limit_s=time_limit_s)
    except EarlyHelpError:  # no HiGHS
        return None
    if solved is None:
        return None
    values, duals = solved
    value = float(model["cost"] @ values)
    y = np.clip(values[:m], 0.0, 1.0)
    if rule is not None:
        return Relaxation(value=value, bound=value, y=y, site_bound=np.full(m, np.inf))
    # the row duals of x_i - sum_j a_ij y_j <= 0 are the multipliers (>= 0 in a maximisation)
    lam = duals[: len(rows)]
    return Relaxation(
        value=value,
        bound=lagrangian_bound(ar, w[rows], k, lam),
        y=y,
        site_bound=site_bounds(ar, w[rows], k, lam),
    )


def reduced(
    a: sparse.csr_matrix, w: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The same covering problem, smaller: areas worth covering only (weight, and a
    candidate in reach), areas reached by exactly the same candidates merged (their
    weights added), and candidates dropped whose areas another candidate reaches too
    (any solution with one is no better than with the other instead). Returns the
    coverage (area groups x candidates kept), the groups' weights and the candidates kept
    (positions in ``a``). The optimum is the same."""
    rows = np.flatnonzero((w > 0) & (np.diff(a.indptr) > 0))
    ar = a[rows]
    ar.sort_indices()
    seen: dict[bytes, int] = {}
    group = np.array(
        [
            seen.setdefault(ar.indices[ar.indptr[r] : ar.indptr[r + 1]].tobytes(), len(seen))
            for r in range(len(rows))
        ],
        dtype=np.int64,
    )
    merge = sparse.csr_matrix(
        (np.ones(len(rows)), (group, np.arange(len(rows)))), shape=(len(seen), len(rows))
    )
    agg = sparse.csr_matrix(merge @ ar)
    agg.data = (agg.data != 0).astype(float)  # a 0/1 matrix again
    weights = merge @ w[rows]
    m = a.shape[1]
    keep = np.ones(m, dtype=bool)
    if 0 < m <= 5_000:  # candidate x candidate overlaps, dense
        size = np.diff(agg.tocsc().indptr)
        overlap = (agg.T @ agg).toarray()
        inside = (overlap == size[:, None]) & (size[:, None] > 0)  # j's areas within j2's
        np.fill_diagonal(inside, False)
        larger = size[None, :] > size[:, None]
        first = (size[None, :] == size[:, None]) & (np.arange(m)[None, :] < np.arange(m)[:, None])
        keep = ~(inside & (larger | first)).any(axis=1)
        keep &= size > 0
    kept = np.flatnonzero(keep)
    return agg[:, kept].tocsr(), weights, kept


def covered(a: sparse.csr_matrix, w: np.ndarray, sites: np.ndarray) -> float:
    """The weight ``sites`` (column positions) cover together."""
    hit = np.asarray(a[:, np.asarray(sites, dtype=int)].sum(axis=1)).ravel() > 0
    return float(w[hit].sum())


def solve_from(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    start: np.ndarray,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    rule: Any = None,
) -> tuple[np.ndarray | None, str, float | None]:
    """HiGHS on the MILP of ``a`` from the sites ``start``: (sites or None, status, bound)."""
    _groups, ar, model = cover_model(a, w, k, rule)
    m = a.shape[1]
    y0 = np.zeros(m)
    y0[start] = 1.0
    x0 = np.minimum(np.asarray(ar @ y0).ravel(), 1.0)
    values, status, bound, _gap = run_milp(
        **model, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap, start=np.r_[y0, x0]
    )
    return (None if values is None else np.flatnonzero(values[:m] > 0.5)), status, bound
