"""The covering MILP's relaxation: its Lagrangian bound holds for any multipliers, the
relaxation's bound is the LP optimum, and the exact method that starts from it (and stops
on it) still finds the best of every k-subset."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy import sparse

from earlyhelp.siting import solve_max_cover
from earlyhelp.siting import solvers as siting_solvers
from earlyhelp.siting.milp import lagrangian_bound, relax, site_bounds


def _small(rng: np.random.Generator, n_max: int = 24, m_max: int = 11):
    n, m = int(rng.integers(6, n_max)), int(rng.integers(3, m_max))
    k = int(rng.integers(1, min(4, m) + 1))
    dense = rng.random((n, m)) < rng.uniform(0.1, 0.5)
    weights = np.where(rng.random(n) < 0.15, 0.0, rng.integers(1, 60, n).astype(float))
    return sparse.csr_matrix(dense, dtype=float), weights, k


def _brute_force(cover: sparse.csr_matrix, weights: np.ndarray, k: int) -> float:
    return max(
        weights[np.asarray(cover[:, list(c)].sum(axis=1)).ravel() > 0].sum()
        for c in combinations(range(cover.shape[1]), k)
    )


def test_lagrangian_bound_is_above_the_optimum_for_any_multipliers():
    rng = np.random.default_rng(4)
    for _ in range(40):
        cover, weights, k = _small(rng)
        best = _brute_force(cover, weights, k)
        n = cover.shape[0]
        for lam in (
            np.zeros(n),
            weights,
            weights * rng.random(n),
            rng.uniform(-20, 80, n),  # negative multipliers count as 0; above w_i is allowed
        ):
            assert lagrangian_bound(cover, weights, k, lam) >= best - 1e-9


def test_site_bounds_are_above_the_best_choice_with_each_site():
    """Reduced-cost fixing drops a site whose bound is below a choice in hand: the bound
    must hold for every k-subset that includes the site."""
    rng = np.random.default_rng(8)
    for _ in range(30):
        cover, weights, k = _small(rng)
        n, m = cover.shape
        for lam in (weights * rng.random(n), rng.uniform(-10, 60, n), np.zeros(n)):
            bounds = site_bounds(cover, weights, k, lam)
            for j in range(m):
                with_j = max(
                    weights[np.asarray(cover[:, [j, *c]].sum(axis=1)).ravel() > 0].sum()
                    for c in combinations([i for i in range(m) if i != j], k - 1)
                )
                assert bounds[j] >= with_j - 1e-9


def test_the_relaxation_bound_is_the_lp_optimum_and_above_the_optimum():
    rng = np.random.default_rng(5)
    for _ in range(30):
        cover, weights, k = _small(rng)
        best = _brute_force(cover, weights, k)
        lp = relax(cover, weights, k, time_limit_s=10.0)
        assert lp is not None
        assert lp.bound >= best - 1e-9
        assert lp.bound == pytest.approx(lp.value, rel=1e-7, abs=1e-7)
        assert lp.y.shape == (cover.shape[1],) and np.all((lp.y >= 0) & (lp.y <= 1))
        assert lp.site_bound.shape == (cover.shape[1],)


def test_exact_from_the_lp_start_equals_brute_force(monkeypatch):
    """Instances where greedy with swaps misses the optimum take the LP-guided path (the
    start from the relaxation, the restricted MILP, HiGHS from the best start); where it
    does not, the LP bound alone may prove the start optimal. Both give the optimum."""
    calls = []
    guided = siting_solvers._lp_guided

    def counted(*args, **kwargs):
        calls.append(1)
        return guided(*args, **kwargs)

    monkeypatch.setattr(siting_solvers, "_lp_guided", counted)
    rng = np.random.default_rng(6)
    for _ in range(40):
        cover, weights, k = _small(rng, n_max=40, m_max=13)
        found = solve_max_cover(cover, weights, k, method="exact")
        best = _brute_force(cover, weights, k)
        assert found.objective == pytest.approx(best)
        assert found.status.startswith("Optimal") and found.bound >= best - 1e-9
    assert calls  # the new path ran


def test_a_short_budget_still_reports_an_honest_bound():
    rng = np.random.default_rng(7)
    areas = rng.uniform(0, 20_000, (1500, 2))
    sites = areas[rng.choice(1500, 250, replace=False)]
    dist = np.hypot(*(areas[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    cover = sparse.csr_matrix(dist <= 3_000.0)
    weights = rng.integers(100, 400, 1500).astype(float)
    best = solve_max_cover(cover, weights, 12, method="exact")
    assert best.status == "Optimal"
    quick = solve_max_cover(cover, weights, 12, method="exact", time_limit_s=0.01)
    assert quick.objective <= best.objective + 1e-6
    assert quick.bound >= best.objective - 1e-6
    assert quick.gap == pytest.approx((quick.bound - quick.objective) / quick.bound, abs=1e-12)
