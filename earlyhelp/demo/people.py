"""The people: children by age, deprivation and JSNA need in each area, and the places
where stories are planted among them (the remote stretch, the deprived estates and the
thin district).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from earlyhelp.demo.areas import Areas
from earlyhelp.demo.geometry import BOX, cross, dist, dist_to
from earlyhelp.demo.land import Land
from earlyhelp.need import AGE_BANDS

# JSNA counts: per child aged 0-17 a year at IDACI 0.15, and the rise with deprivation.
_RATES = {
    "referrals": (0.042, 3.0),
    "children_in_need": (0.028, 3.2),
    "cp_plans": (0.0035, 3.8),
    "da_factor": (0.0045, 3.4),
    "mh_factor": (0.0045, 2.6),
    "sm_factor": (0.002, 3.0),
}


def find_stretch_core(areas: Areas, land: Land) -> np.ndarray:
    """Indices of the rural areas around the centre of the remote stretch."""
    d = dist(areas.rep, land.stretch_xy)
    core = np.flatnonzero((d < 3_500.0) & ~areas.urban)
    if core.size < 6:
        rural = np.flatnonzero(~areas.urban)
        core = rural[np.argsort(d[rural])[:6]]
    return core


def draw_estates(
    rng: np.random.Generator, areas: Areas, land: Land
) -> tuple[np.ndarray, np.ndarray]:
    """The planted deprived estate and three smaller deprived estates elsewhere."""
    towns = land.towns
    t_xy = towns[["x", "y"]].to_numpy()

    def estate_in(t: int, direction: np.ndarray, size: int, taken: np.ndarray) -> np.ndarray:
        centre = t_xy[t] + 0.8 * towns["sigma_m"].iloc[t] * direction
        allowed = areas.urban & (areas.town == t) & ~taken
        cand = np.flatnonzero(allowed)
        d = dist(areas.rep, centre)
        return _grow(areas.adj, int(cand[np.argmin(d[cand])]), allowed, d, size)

    e = int(np.flatnonzero(towns["role"] == "estate")[0])
    others = np.delete(np.arange(len(towns)), e)
    nearest = others[np.argmin(dist(t_xy[others], t_xy[e]))]
    away = (t_xy[e] - t_xy[nearest]) / np.linalg.norm(t_xy[e] - t_xy[nearest])
    none = np.zeros(len(areas.rep), dtype=bool)
    estate = estate_in(e, away, int(rng.integers(10, 14)), none)

    taken = none.copy()
    taken[estate] = True
    small = []
    for t in rng.permutation(others[towns["role"].to_numpy()[others] != "critical"])[:3]:
        angle = rng.uniform(0.0, 2 * np.pi)
        idx = estate_in(int(t), np.array([np.cos(angle), np.sin(angle)]), 4, taken)
        taken[idx] = True
        small.append(idx)
    return estate, np.concatenate(small)


def draw_need(
    rng: np.random.Generator,
    areas: Areas,
    land: Land,
    estate: np.ndarray,
    other_estates: np.ndarray,
) -> pd.DataFrame:
    """Child population by age band, IDACI score and JSNA counts for each area."""
    n = len(areas.rep)
    idaci = _idaci(rng, areas, land, estate, other_estates)
    total = np.round(rng.lognormal(np.log(np.where(areas.urban, 325.0, 265.0)), 0.18))
    share = np.array([0.245, 0.30, 0.245, 0.10, 0.11]) * rng.lognormal(0.0, 0.08, (n, 5))
    share[estate, 0] *= 1.3  # young families on the estate
    share /= share.sum(axis=1, keepdims=True)
    pop = rng.multinomial(total.astype(np.int64), share)
    bands = list(AGE_BANDS)
    need = pd.DataFrame(pop, columns=bands)
    need.insert(0, "area_code", areas.gdf["area_code"].to_numpy())
    pop_0_17 = pop[:, :4].sum(axis=1)
    need["pop_0_17"] = pop_0_17
    need["idaci_score"] = idaci

    spread = rng.gamma(8.0, 1 / 8.0, n)  # areas differ beyond what deprivation explains
    for column, (base, rise) in _RATES.items():
        lam = pop_0_17 * base * np.exp(rise * (idaci - 0.15)) * spread
        if column == "da_factor":
            lam[estate] *= 2.2
        elif column in ("mh_factor", "sm_factor"):
            lam[estate] *= 1.4
        need[column] = np.minimum(rng.poisson(lam), pop_0_17)
    return need


def choose_thin_district(
    areas: Areas, need: pd.DataFrame, land: Land, estate: np.ndarray, core: np.ndarray
) -> int:
    """The district of average need that will get much less provision than the rest."""
    k = len(areas.district_codes)
    d = areas.district
    pop = np.bincount(d, need["pop_0_17"].to_numpy(), k)
    referrals = np.bincount(d, need["referrals"].to_numpy(), k)
    rate = referrals / pop
    county_rate = referrals.sum() / pop.sum()
    t_xy = land.towns[["x", "y"]].to_numpy()
    centre_district = d[cKDTree(areas.rep).query(t_xy)[1]]
    roles = land.towns["role"].to_numpy()
    excluded = set(d[estate]) | set(d[core]) | set(centre_district[roles != "town"])
    ok = np.array([i not in excluded for i in range(k)]) & (pop >= 0.6 * np.median(pop))
    if not ok.any():
        ok = np.array([i not in set(d[estate]) | set(d[core]) for i in range(k)])
    gap = np.where(ok, np.abs(rate / county_rate - 1), np.inf)
    return int(np.argmin(gap))


def _grow(adj: sparse.csr_array, start: int, allowed: np.ndarray, d: np.ndarray, size: int):
    """A contiguous cluster grown from ``start`` by adding the nearest allowed neighbour."""
    inside = np.zeros(adj.shape[0], dtype=bool)
    inside[start] = True
    for _ in range(size - 1):
        frontier = np.zeros_like(inside)
        frontier[adj[np.flatnonzero(inside)].indices] = True
        cand = np.flatnonzero(frontier & ~inside & allowed)
        if not cand.size:
            break
        inside[cand[np.argmin(d[cand])]] = True
    return np.flatnonzero(inside)


def _idaci(
    rng: np.random.Generator,
    areas: Areas,
    land: Land,
    estate: np.ndarray,
    other_estates: np.ndarray,
) -> np.ndarray:
    """IDACI score of each area (0-1, 3 dp): a smooth field, higher in town centres,
    highest on the planted estate, high on the three smaller estates."""
    n = len(areas.rep)
    rep = areas.rep
    bumps = rng.uniform(BOX[:2], BOX[2:], (6, 2))
    height = rng.normal(0.0, 0.45, 6)
    field_ = (height * np.exp(-(cross(rep, bumps) ** 2) / (2 * 8_000.0**2))).sum(axis=1)
    t_xy = land.towns[["x", "y"]].to_numpy()
    t_sigma = land.towns["sigma_m"].to_numpy()
    inner = np.exp(-0.5 * (dist_to(rep, t_xy[areas.town]) / t_sigma[areas.town]) ** 2)
    z = -2.2 + field_ + areas.urban * (0.4 + 0.8 * inner) + rng.normal(0.0, 0.35, n)
    idaci = np.clip(1 / (1 + np.exp(-z)), 0.01, 0.52)
    idaci[other_estates] = rng.uniform(0.42, 0.55, other_estates.size)
    idaci[estate] = rng.uniform(0.62, 0.80, estate.size)
    return np.round(idaci, 3)
