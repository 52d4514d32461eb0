"""Solvers of the maximal covering problem: choose at most k candidates that cover most weight.

Pure numpy, scipy and HiGHS (``highspy``): a solver sees a coverage matrix (areas x
candidates), a weight per area and ``k``, and knows nothing of areas, services or need (the
problem is built by :mod:`earlyhelp.siting.problem`). :func:`solve_max_cover` checks its
arguments and runs one of :data:`SITING_METHODS`, or the capacitated variant.

Methods (:data:`SITING_METHODS`):

``exact``
    A mixed-integer programme solved by HiGHS (``highspy``): binary ``y_j`` per candidate,
    ``0 <= x_i <= 1`` per uncovered area (continuous: at an optimum each is 0 or 1), maximise
    ``sum_i w_i x_i`` subject to ``x_i <= sum_j a_ij y_j`` and ``sum_j y_j <= k``. The coverage
    matrix ``a`` is built sparse with scipy and passed to HiGHS column-wise; areas already
    covered, with no children or with no candidate in reach are left out of the model, and
    the problem is reduced (:func:`~earlyhelp.siting.milp.reduced`). Without a rule, the LP
    relaxation is solved first (:func:`~earlyhelp.siting.milp.relax`): its bound is proven
    (a Lagrangian argument, so it holds whatever HiGHS's tolerances), and its ``y`` guides
    a start better than greedy with swaps (its k largest values improved by swaps, then the
    MILP on the sites it uses, reduced, in a third of the time left). When the best start is
    within ``mip_rel_gap`` of that bound it is optimal and HiGHS is not run again;
    otherwise HiGHS solves the whole MILP from it in the time left (one budget in all).
    The gap reported is between the solution and the smaller of the two proven bounds (0
    when proven optimal). With a rule, greedy with swaps is HiGHS's start.
``greedy``
    Greedy by marginal gain, then 1-swap local search (swap one chosen site for one
    unchosen candidate while the objective improves; best improvement first), vectorised
    over every (chosen, candidate) pair with sparse products. The gap it reports is an
    upper bound on its true gap to the optimum, from the smaller of two proven bounds on the
    best objective: the LP relaxation of the MILP above (solved by HiGHS, a few hundredths of
    a second for a county) and the data-dependent bound for monotone submodular functions
    (Nemhauser, Wolsey and Fisher 1978; Leskovec et al. 2007): no k sites can do better than
    the solution plus the k largest marginal gains left. The true gap is usually much
    smaller than either (``benchmarks/bench_siting.py``).

Targeting rule (``rule`` given; both methods)
    New sites must keep a share of the network in deprived areas (the family hub aim:
    70% of hubs in the 30% most deprived areas). With ``d_j`` = 1 for a candidate in a
    deprived area, ``a0`` of ``n0`` existing sites deprived (0 of 0: the new sites alone)
    and the aim ``s``: ``a0 + sum_j d_j y_j >= s (n0 + sum_j y_j)``, one linear row
    ``sum_j (s - d_j) y_j <= a0 - s n0`` added to the MILP (and its LP bound). The greedy
    method keeps every prefix of its choice feasible once it is (picking deprived sites
    first while it is not) and swaps only where the rule still holds. A site chosen to
    meet the rule may add nobody: it is kept, with gain 0.

Capacitated variant (``capacity`` given; ``exact`` only)
    Each new site can take at most ``capacity`` children (of the category's ages) a year.
    Assignment variables ``0 <= z_ij <= 1`` (the share of area i's children a new site j
    takes) exist only for pairs within reach; ``sum_j z_ij <= 1`` per area,
    ``sum_i c_i z_ij <= capacity * y_j`` per site, ``z_ij <= y_j`` (a tighter relaxation),
    ``sum_j y_j <= k``; maximise ``sum_ij w_i z_ij``. An area's children may be split between
    sites and an area may be only partly reached (``share_reached_after``). Existing services
    are not capacity-limited here: areas they reach stay covered.

Example
-------
>>> from scipy import sparse
>>> a = sparse.csr_matrix([[1, 0], [1, 1], [0, 1]])    # 3 areas x 2 candidates
>>> solve_max_cover(a, [5.0, 1.0, 4.0], 1, method="greedy").chosen   # doctest: +SKIP
array([0])
"""

from __future__ import annotations

__all__ = ["SITING_METHODS", "CoverSolution", "TargetingRule", "solve_max_cover"]

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from earlyhelp.errors import ConfigError, EarlyHelpError
from earlyhelp.siting.highs import run_milp
from earlyhelp.siting.milp import covered, reduced, relax, solve_from
from earlyhelp.text import did_you_mean

_IMPROVE_TOL = 1e-9  # relative improvement below which a swap is not worth making
_RULE_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class TargetingRule:
    """New sites must keep ``share`` of the network in deprived areas: ``deprived`` per
    candidate; ``existing_in`` of ``existing`` sites already are (0 of 0: the new alone)."""

    deprived: np.ndarray
    share: float
    existing_in: int = 0
    existing: int = 0

    @property
    def coefficients(self) -> np.ndarray:
        """Per candidate, ``share - d_j``: its row in ``sum_j (s - d_j) y_j <= upper``."""
        return self.share - np.asarray(self.deprived, dtype=float)

    @property
    def upper(self) -> float:
        return float(self.existing_in - self.share * self.existing)

    def holds(self, chosen: np.ndarray) -> bool:
        return float(self.coefficients[np.asarray(chosen, dtype=int)].sum()) <= self.upper + 1e-9

    def fewest_new(self) -> int:
        """The fewest new deprived sites that meet the rule (0 when it already holds)."""
        short = self.share * self.existing - self.existing_in
        return 0 if short <= 1e-9 else int(np.ceil(short / (1.0 - self.share) - 1e-9))


@dataclass(frozen=True, eq=False)
class CoverSolution:
    """The sites a solver chose and what they gain.

    Attributes
    ----------
    chosen
        Candidate positions, in order of marginal gain (each adds the most given those
        before it; capacitated: by weight assigned).
    gains
        The weight each adds, in that order (sums to ``objective``).
    objective
        Weighted demand newly covered.
    bound
        A proven upper bound on the best objective (None when unknown).
    gap
        ``(bound - objective) / bound``: 0 when proven optimal; None when unknown.
    assignment
        Areas x candidates: the share of each area's demand credited to each chosen site
        (uncovered: 1 for the first site in ``chosen`` that reaches it; capacitated: the
        solver's ``z``).
    """

    chosen: np.ndarray
    gains: np.ndarray
    objective: float
    bound: float | None
    gap: float | None
    method: str
    status: str
    seconds: float
    assignment: sparse.csr_matrix
    capacity: float | None = None
    notes: tuple[str, ...] = ()


def _as_csr(coverage: Any) -> sparse.csr_matrix:
    a = sparse.csr_matrix(coverage, dtype=float)
    a.data = (a.data != 0).astype(float)
    a.eliminate_zeros()
    return a


def _order_by_gain(
    a: sparse.csr_matrix, w: np.ndarray, chosen: np.ndarray, *, keep_all: bool = False
) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
    """Chosen sites in order of marginal gain, their gains and the credit of each area.

    A site that adds nothing once those before it are open is dropped (a solver may pick
    it only to use up ``k``), unless ``keep_all`` (it was chosen to meet a rule): then it
    comes last with gain 0.
    """
    chosen = np.asarray(chosen, dtype=int)
    sub = a[:, chosen].tocsc()
    free = w.copy()
    order, gains = [], []
    credit_rows, credit_cols = [], []
    left = np.ones(len(chosen), dtype=bool)
    for _ in range(len(chosen)):  # k steps, each a sparse product
        g = np.asarray(sub.T @ free).ravel()
        g[~left] = -np.inf
        t = int(np.argmax(g))
        if not g[t] > 0:
            break  # the rest add nothing
        rows = sub.indices[sub.indptr[t] : sub.indptr[t + 1]]
        newly = rows[free[rows] > 0]
        credit_rows.append(newly)
        credit_cols.append(np.full(len(newly), chosen[t]))
        free[rows] = 0.0
        left[t] = False
        order.append(chosen[t])
        gains.append(float(g[t]))
    rows = np.concatenate(credit_rows) if credit_rows else np.zeros(0, int)
    cols = np.concatenate(credit_cols) if credit_cols else np.zeros(0, int)
    credit = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=a.shape)
    if keep_all:
        order += [int(c) for c in chosen[left]]
        gains += [0.0] * int(left.sum())
    return np.asarray(order, dtype=int), np.asarray(gains, dtype=float), credit


def _greedy_swap(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    max_swaps: int,
    rule: TargetingRule | None = None,
) -> tuple[np.ndarray, int]:
    """Greedy by marginal gain, then best-improvement 1-swaps; returns (sites, swaps made).
    With a ``rule`` every step and swap keeps it (see the module)."""
    m = a.shape[1]
    at = a.T.tocsr()  # candidates x areas
    free = w.copy()
    chosen: list[int] = []
    taken = np.zeros(m, dtype=bool)
    if rule is not None:
        chosen = _greedy_with_rule(at, free, k, rule)
        taken[chosen] = True
    for _ in range(min(k, m) if rule is None else 0):
        gain = np.asarray(at @ free).ravel()
        gain[taken] = -np.inf
        j = int(np.argmax(gain))
        if not gain[j] > 0:
            break  # nothing left to gain: fewer than k sites are useful
        chosen.append(j)
        taken[j] = True
        free[at.indices[at.indptr[j] : at.indptr[j + 1]]] = 0.0
    return _swap(a, w, chosen, max_swaps=max_swaps, rule=rule, at=at)


def _swap(
    a: sparse.csr_matrix,
    w: np.ndarray,
    start: Any,
    *,
    max_swaps: int,
    rule: TargetingRule | None = None,
    at: sparse.csr_matrix | None = None,
) -> tuple[np.ndarray, int]:
    """Best-improvement 1-swaps from ``start`` (a rule, if any, kept by every swap); returns
    (sites, swaps made). ``at`` is ``a.T`` in CSR when the caller has it."""
    at = a.T.tocsr() if at is None else at
    m = a.shape[1]
    chosen = [int(j) for j in start]
    c = rule.coefficients if rule is not None else np.zeros(m)
    upper = rule.upper if rule is not None else 0.0
    swaps = 0
    tol = _IMPROVE_TOL * max(float(w.sum()), 1.0)
    while chosen and swaps < max_swaps:
        s = np.asarray(chosen)
        sub = a[:, s].tocsc()  # areas x chosen
        count = np.asarray(sub.sum(axis=1)).ravel()
        lonely = w * (count == 1)  # covered by exactly one chosen site
        gain_free = np.asarray(at @ (w * (count == 0))).ravel()  # per candidate
        loss = np.asarray(sub.T @ lonely).ravel()  # per chosen site
        # weight a candidate would keep covered if it replaced each chosen site
        kept = (at @ sub.multiply(lonely[:, None]).tocsc()).toarray()  # candidates x chosen
        delta = gain_free[:, None] + kept - loss[None, :]
        delta[s, :] = -np.inf
        if rule is not None:  # a swap must keep the rule: used - c_t + c_j <= upper
            used = float(c[s].sum())
            delta[used - c[s][None, :] + c[:, None] > upper + _RULE_TOL] = -np.inf
        j, t = (int(v) for v in np.unravel_index(int(np.argmax(delta)), delta.shape))
        if not delta[j, t] > tol:
            break
        chosen[t] = j
        swaps += 1
    return np.asarray(chosen, dtype=int), swaps


def _greedy_with_rule(
    at: sparse.csr_matrix, free: np.ndarray, k: int, rule: TargetingRule
) -> list[int]:
    """Greedy by marginal gain keeping the rule: each step takes the best site that can
    still meet it within ``k`` (with the fewest deprived sites it then needs, the best of
    them first, so every prefix past them meets it). ``free`` is updated in place."""
    m = at.shape[0]
    c, upper = rule.coefficients, rule.upper
    deprived = c < 0
    taken = np.zeros(m, dtype=bool)
    chosen: list[int] = []
    while len(chosen) < min(k, m):
        gain = np.asarray(at @ free).ravel()
        gain[taken] = -np.inf
        used = float(c[chosen].sum())
        # deprived sites each lower the row by (1 - share): how many each choice needs
        need = np.ceil(np.maximum(used + c - upper - _RULE_TOL, 0.0) / (1.0 - rule.share))
        spare = int((deprived & ~taken).sum()) - deprived.astype(int)
        ok = (1 + need <= k - len(chosen)) & (need <= spare)
        gain[~ok] = -np.inf
        j = int(np.argmax(gain))
        met = used <= upper + _RULE_TOL
        if not np.isfinite(gain[j]) or (not gain[j] > 0 and met):
            break  # nothing left to gain (or no site can meet the rule any more)
        pads = np.flatnonzero(deprived & ~taken)
        pads = pads[pads != j]
        pads = pads[np.argsort(-gain[pads], kind="stable")][: int(need[j])]
        for site in [*pads.tolist(), j]:  # the deprived ones first: every prefix meets it
            chosen.append(int(site))
            taken[site] = True
            free[at.indices[at.indptr[site] : at.indptr[site + 1]]] = 0.0
    return chosen


def _online_bound(a: sparse.csr_matrix, w: np.ndarray, chosen: np.ndarray, k: int) -> float:
    """Upper bound on the best objective of k sites given any set (submodularity)."""
    hit = (
        np.asarray(a[:, chosen].sum(axis=1)).ravel() > 0 if len(chosen) else np.zeros(len(w), bool)
    )
    gain = np.asarray(a.T @ (w * ~hit)).ravel()
    top = np.sort(gain)[::-1][:k]
    return float(w[hit].sum() + top[top > 0].sum())


def _checked_rule(rule: TargetingRule, a: sparse.csr_matrix, capacity: float | None):
    if capacity is not None:
        raise ConfigError("the targeting rule is not combined with --capacity; choose one")
    if len(rule.deprived) != a.shape[1]:
        raise ValueError("the rule needs one deprived flag per candidate")
    return rule


def _check_rule(rule: TargetingRule | None, chosen: np.ndarray, k: int) -> None:
    """An error saying how many sites the rule needs when ``chosen`` does not meet it."""
    if rule is None or rule.holds(chosen):
        return
    have = int(np.asarray(rule.deprived, dtype=bool).sum())
    need = max(rule.fewest_new(), 1)
    raise EarlyHelpError(
        f"no choice of {k} new site(s) meets the targeting rule ({100 * rule.share:.0f}% of "
        f"sites in deprived areas; {rule.existing_in} of {rule.existing} existing ones are): "
        f"it needs at least {need} new site(s) in deprived areas and {have} candidate(s) "
        "are in one; raise --k, add candidates in deprived areas, or site with the rule's "
        'scope "new" ([siting] rule_scope)'
    )


def _relative_gap(bound: float, objective: float) -> float:
    """``(bound - objective) / bound``, 0 below rounding noise."""
    if not bound > 0:
        return 0.0
    gap = (bound - objective) / bound
    return 0.0 if gap < 1e-12 else float(gap)


def _solve_greedy(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    max_swaps: int = 1000,
    lp_bound: bool = True,
    time_limit_s: float = 60.0,
    rule: TargetingRule | None = None,
    **_: Any,
) -> CoverSolution:
    start = time.perf_counter()
    chosen, swaps = _greedy_swap(a, w, k, max_swaps=max_swaps, rule=rule)
    _check_rule(rule, chosen, k)
    order, gains, credit = _order_by_gain(a, w, chosen, keep_all=rule is not None)
    objective = float(gains.sum())
    bound = _online_bound(a, w, chosen, k)
    if lp_bound:
        relaxed = relax(a, w, k, time_limit_s=time_limit_s, rule=rule)
        if relaxed is not None:
            bound = min(bound, max(relaxed.bound, objective))
    seconds = time.perf_counter() - start
    gap = _relative_gap(bound, objective)
    return CoverSolution(
        chosen=order,
        gains=gains,
        objective=objective,
        bound=bound,
        gap=gap,
        method="greedy",
        status=f"local optimum after {swaps} swap(s)",
        seconds=seconds,
        assignment=credit,
    )


def _lp_guided(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    y: np.ndarray,
    best: np.ndarray,
    *,
    time_limit_s: float,
    max_swaps: int,
) -> np.ndarray:
    """A better start than ``best`` where the LP relaxation's ``y`` finds one: the k sites
    it weighs most, improved by swaps; then the MILP restricted to the sites it uses (and
    ``best``'s), reduced, solved within ``time_limit_s``. Any of them is a feasible choice; the
    one covering most is returned."""
    top = np.argsort(-y, kind="stable")[:k]
    tries = [_swap(a, w, top[y[top] > 0], max_swaps=max_swaps)[0]]
    pool = np.union1d(np.flatnonzero(y > 1e-6), best)
    if len(pool) < a.shape[1]:  # otherwise it is the whole problem, solved next
        sub, sub_w, kept = reduced(a[:, pool].tocsr(), w)
        pool = pool[kept]
        here = max([*tries, best], key=lambda s: covered(a, w, s))
        found, _status, _bound = solve_from(
            sub, sub_w, k, np.searchsorted(pool, np.intersect1d(here, pool)),
            time_limit_s=time_limit_s, mip_rel_gap=0.0,
        )  # fmt: skip
        if found is not None:
            tries.append(pool[found])
    for sites in tries:
        if covered(a, w, sites) > covered(a, w, best):
            best = sites
    return np.asarray(best, dtype=int)


def _exact_search(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    start: np.ndarray,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    max_swaps: int,
    rule: TargetingRule | None,
) -> tuple[np.ndarray, str, float | None, tuple[str, ...]]:
    """The exact method on a (reduced) problem from the sites ``start``: (sites, status,
    proven bound, notes). Without a rule, the LP relaxation first gives a proven bound
    (:func:`~earlyhelp.siting.milp.relax`) and a better start; it stops there when that
    start is within ``mip_rel_gap`` of the bound. Then HiGHS on the MILP from the best
    start, in the time left, without the sites the relaxation proves cannot be in any
    better choice (reduced-cost fixing, :func:`~earlyhelp.siting.milp.site_bounds`), the
    problem reduced again; the bound is the smaller of the two."""
    deadline = time.perf_counter() + time_limit_s
    best, bound = np.asarray(start, dtype=int), None
    lp = None if rule is not None else relax(a, w, k, time_limit_s=time_limit_s)
    if lp is not None:
        bound = lp.bound
        if _relative_gap(bound, covered(a, w, best)) > mip_rel_gap:
            left = deadline - time.perf_counter()
            best = _lp_guided(
                a, w, k, lp.y, best, time_limit_s=max(left / 3, 0.1), max_swaps=max_swaps
            )
        if _relative_gap(bound, covered(a, w, best)) <= mip_rel_gap:
            return best, "Optimal", bound, ()
    sub, sub_w, pool = a, w, np.arange(a.shape[1])
    if lp is not None:  # drop every site with which no k sites can beat the best start
        value = covered(a, w, best)
        useful = np.union1d(np.flatnonzero(lp.site_bound >= value * (1 - 1e-9)), best)
        sub, sub_w, kept = reduced(a[:, useful].tocsr(), w)
        pool = useful[kept]
    left = max(deadline - time.perf_counter(), 1.0)  # one budget in all
    found, status, milp_bound = solve_from(
        sub, sub_w, k, np.searchsorted(pool, np.intersect1d(best, pool)),
        time_limit_s=left, mip_rel_gap=mip_rel_gap, rule=rule,
    )  # fmt: skip
    if milp_bound is not None:  # the sites dropped cannot beat the best start
        milp_bound = max(milp_bound, covered(a, w, best))
        bound = milp_bound if bound is None else min(bound, milp_bound)
    if found is not None:
        found = pool[found]
    if found is None:
        return best, status, bound, (f"HiGHS found no solution ({status}); the start is shown",)
    if covered(a, w, found) >= covered(a, w, best):
        best = found
    return best, status, bound, ()


def _solve_exact(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    max_swaps: int = 1000,
    rule: TargetingRule | None = None,
    **_: Any,
) -> CoverSolution:
    begin = time.perf_counter()
    if rule is None:
        ra, rw, kept = reduced(a, w)
    else:  # every candidate stays: a deprived site that adds nobody may be what the rule needs
        ra, rw, kept = a, np.asarray(w, dtype=float), np.arange(a.shape[1])
    greedy, _swaps = _greedy_swap(ra, rw, min(k, len(kept)), max_swaps=max_swaps, rule=rule)
    _check_rule(rule, greedy, k)
    bound: float | None
    notes: tuple[str, ...] = ()
    if rule is None and (not ra.shape[0] or not len(kept)):  # nothing to gain anywhere
        found, status, bound = greedy, "Optimal (nothing to reach)", 0.0
    else:
        found, status, bound, notes = _exact_search(
            ra, rw, k, greedy, time_limit_s=time_limit_s - (time.perf_counter() - begin),
            mip_rel_gap=mip_rel_gap, max_swaps=max_swaps, rule=rule,
        )  # fmt: skip
    order, gains, credit = _order_by_gain(a, w, kept[found], keep_all=rule is not None)
    objective = float(gains.sum())
    gap = None
    if bound is not None:
        bound = max(bound, objective)
        gap = _relative_gap(bound, objective)
    return CoverSolution(
        chosen=order,
        gains=gains,
        objective=objective,
        bound=bound,
        gap=gap,
        method="exact",
        status=status,
        seconds=time.perf_counter() - begin,
        assignment=credit,
        notes=notes,
    )


def _solve_capacitated(
    a: sparse.csr_matrix,
    w: np.ndarray,
    k: int,
    *,
    children: np.ndarray,
    capacity: float,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    **_: Any,
) -> CoverSolution:
    begin = time.perf_counter()
    n, m = a.shape
    children = np.asarray(children, dtype=float)
    rows = np.flatnonzero((w > 0) & (children > 0) & (np.diff(a.indptr) > 0))
    ar = a[rows].tocsr()
    nr, npair = len(rows), ar.nnz
    pair_row = np.repeat(np.arange(nr), np.diff(ar.indptr))
    pair_col = ar.indices
    pairs = np.arange(npair)
    c = children[rows]
    # columns: y (m), z (npair); row blocks: areas (nr), sites (m), links (npair), budget (1)
    r_area = pair_row
    r_site = nr + np.r_[pair_col, np.arange(m)]
    r_link = nr + m + np.r_[pairs, pairs]
    triplets = (
        np.r_[r_area, r_site, r_link, np.full(m, nr + m + npair)],
        np.r_[m + pairs, m + pairs, np.arange(m), m + pairs, pair_col, np.arange(m)],
        np.r_[np.ones(npair), c[pair_row], np.full(m, -float(capacity)),
              np.ones(npair), -np.ones(npair), np.ones(m)],
    )  # fmt: skip
    matrix = sparse.csc_matrix(
        (triplets[2], (triplets[0], triplets[1])), shape=(nr + m + npair + 1, m + npair)
    )
    values, status, bound, gap = run_milp(
        cost=np.r_[np.zeros(m), w[rows][pair_row]],
        upper=np.ones(m + npair),
        integer=np.r_[np.ones(m), np.zeros(npair)],
        matrix=matrix,
        row_upper=np.r_[np.ones(nr), np.zeros(m + npair), float(k)],
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        start=None,
    )
    if values is None:
        raise EarlyHelpError(
            f"the capacitated siting found no solution ({status}); raise [siting] "
            "time_limit_s or try without --capacity"
        )
    z = np.clip(values[m:], 0.0, 1.0)
    z[z < 1e-9] = 0.0
    assignment = sparse.csr_matrix((z, (rows[pair_row], pair_col)), shape=(n, m))
    assignment.eliminate_zeros()
    open_sites = np.flatnonzero(values[:m] > 0.5)
    site_gain = np.asarray(assignment.T @ w).ravel()[open_sites]
    order = np.argsort(-site_gain, kind="stable")
    objective = float(site_gain.sum())
    if bound is not None:
        bound = max(bound, objective)
        gap = _relative_gap(bound, objective)
    return CoverSolution(
        chosen=open_sites[order],
        gains=site_gain[order],
        objective=objective,
        bound=bound,
        gap=gap,
        method="exact",
        status=status,
        seconds=time.perf_counter() - begin,
        assignment=assignment,
        capacity=float(capacity),
    )


# Solvers by name: (coverage, weights, k, **options) -> CoverSolution.
SITING_METHODS: dict[str, Callable[..., CoverSolution]] = {
    "exact": _solve_exact,
    "greedy": _solve_greedy,
}


def solve_max_cover(
    coverage: Any,
    weights: Any,
    k: int,
    *,
    method: str = "exact",
    capacity: float | None = None,
    children: Any = None,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-6,
    max_swaps: int = 1000,
    lp_bound: bool = True,
    rule: TargetingRule | None = None,
) -> CoverSolution:
    """Choose at most ``k`` columns of ``coverage`` that cover the most weight.

    Parameters
    ----------
    coverage
        Areas x candidates, nonzero where the candidate reaches the area (any sparse or
        dense matrix).
    weights
        Weight of each area (0 where already covered).
    k
        Number of sites to choose (fewer when no more can add anything).
    method
        A key of :data:`SITING_METHODS`.
    capacity
        Demand each new site can take (capacitated variant; ``exact`` only) in the unit of
        ``children``; None for no limit.
    children
        Demand per area for the capacity (children); each area's weight per child is
        ``weights / children``.
    time_limit_s, mip_rel_gap
        HiGHS limits: seconds, and the relative gap at which it stops.
    max_swaps
        Most 1-swaps the local search makes.
    lp_bound
        ``greedy``: also solve the LP relaxation (HiGHS) for a tighter bound on the gap
        than submodularity alone gives.
    rule
        A :class:`TargetingRule` the chosen sites must keep (both methods; not with
        ``capacity``). An :class:`~earlyhelp.errors.EarlyHelpError` says when ``k`` sites
        cannot meet it.
    """
    a = _as_csr(coverage)
    w = np.asarray(weights, dtype=float).ravel()
    if a.shape[0] != len(w):
        raise ValueError(f"coverage has {a.shape[0]} rows but weights has {len(w)} values")
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and 0 or more")
    if method not in SITING_METHODS:
        raise ConfigError(
            f"siting method '{method}'{did_you_mean(method, SITING_METHODS)} is not known; "
            f"choose one of: {', '.join(SITING_METHODS)}"
        )
    if int(k) != k or k < 1:
        raise ConfigError(f"k must be a whole number of sites, 1 or more (got {k!r})")
    k = int(min(k, a.shape[1]))
    options: dict[str, Any] = {
        "time_limit_s": time_limit_s, "mip_rel_gap": mip_rel_gap, "max_swaps": max_swaps,
    }  # fmt: skip
    if method == "greedy":
        options["lp_bound"] = lp_bound
    if rule is not None:
        options["rule"] = _checked_rule(rule, a, capacity)
    if capacity is not None:
        if not capacity > 0:
            raise ConfigError(f"capacity must be above 0 children (got {capacity!r})")
        if method != "exact":
            raise ConfigError(
                "the capacitated variant (--capacity) is solved exactly only; use --method exact"
            )
        if children is None:
            raise ValueError("the capacitated variant needs children per area")
        return _solve_capacitated(
            a, w, k, children=np.asarray(children, float), capacity=capacity, **options
        )
    return SITING_METHODS[method](a, w, k, **options)
