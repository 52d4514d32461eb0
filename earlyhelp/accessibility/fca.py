"""Floating catchment measures of supply per child: 2SFCA, E2SFCA and gravity.

Floating catchment measures follow PySAL ``access`` (``Access.two_stage_fca`` and
``enhanced_two_stage_fca``): a pair is in the catchment when its cost is at most the
catchment size, and the distance weight is applied in both stages. Unlike PySAL, an area
with no service in reach scores 0 (not missing), and a service with no demand in reach
adds nothing (not infinity).

A distance decay (:data:`DECAYS`, :func:`decay_weights`) weighs each pair of the
catchment: ``step``, ``gaussian`` or ``linear``.
"""

from __future__ import annotations

__all__ = [
    "DECAYS",
    "GRAVITY_MIN_COST",
    "STEP_WEIGHTS",
    "check_decay",
    "decay_weights",
    "enhanced_two_step_fca",
    "gravity_access",
    "holds_any",
    "two_step_fca",
]

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from earlyhelp.accessibility.costs import Catchment
from earlyhelp.errors import ConfigError
from earlyhelp.text import did_you_mean
from earlyhelp.units import METRES, MINUTES

# Weights of equal bands of the catchment for step decay, nearest band first: Luo and Qi's
# (2009) 1, 0.68, 0.22 for 0-10, 10-20, 20-30 minutes, as in PySAL access.
STEP_WEIGHTS: tuple[float, ...] = (1.0, 0.68, 0.22)

# Gravity: costs below this count as this, so a service at the origin is not infinitely
# attractive (metres, or minutes).
GRAVITY_MIN_COST: dict[str, float] = {METRES: 100.0, MINUTES: 1.0}


def _step(cost: np.ndarray, catchment_cost: float, step_weights: Sequence[float]) -> np.ndarray:
    k = len(step_weights)
    edges = catchment_cost * np.arange(1, k + 1) / k
    edges[-1] = catchment_cost
    band = np.searchsorted(edges, cost, side="left")  # first edge with cost <= edge
    w = np.append(np.asarray(step_weights, dtype=float), 0.0)
    return w[band]


def _gaussian(cost: np.ndarray, catchment_cost: float, step_weights: Sequence[float]) -> np.ndarray:
    # (exp(-0.5 (d/d0)^2) - floor) / (1 - floor), clipped to 0..1 and 0 beyond d0: each
    # step in place in one array (the same operations, so the same numbers, as written
    # out plainly, without a temporary array per step over millions of pairs)
    floor = np.exp(-0.5)
    w = np.divide(cost, catchment_cost)
    np.square(w, out=w)
    np.multiply(w, -0.5, out=w)
    np.exp(w, out=w)
    np.subtract(w, floor, out=w)
    np.divide(w, 1 - floor, out=w)
    np.clip(w, 0.0, 1.0, out=w)
    np.putmask(w, ~(cost <= catchment_cost), 0.0)
    return w


def _linear(cost: np.ndarray, catchment_cost: float, step_weights: Sequence[float]) -> np.ndarray:
    return np.where(cost <= catchment_cost, np.clip(1 - cost / catchment_cost, 0.0, 1.0), 0.0)


# Distance decay within the catchment: weight 1 at cost 0, 0 beyond the catchment.
# Each takes (cost, catchment_cost, step_weights); only "step" uses step_weights.
DECAYS: dict[str, Callable[[np.ndarray, float, Sequence[float]], np.ndarray]] = {
    "step": _step,
    "gaussian": _gaussian,
    "linear": _linear,
}


def decay_weights(
    cost: np.ndarray,
    *,
    decay: str,
    catchment_cost: float,
    step_weights: Sequence[float] = STEP_WEIGHTS,
) -> np.ndarray:
    """Distance-decay weight of each cost (0 beyond ``catchment_cost``).

    ``step``: equal bands of the catchment weighted by ``step_weights`` (a cost on a band
    edge belongs to the nearer band, as in PySAL's ``step_fn``). ``gaussian``: Dai's
    (2010) kernel ``(exp(-½(d/d0)²) − exp(-½)) / (1 − exp(-½))``, 1 at the site and 0 at
    the catchment edge. ``linear``: ``1 − d/d0``.

    >>> decay_weights(np.array([0.0, 4.0, 10.0, 11.0]), decay="step", catchment_cost=10)
    array([1.  , 0.68, 0.22, 0.  ])
    """
    check_decay(decay)
    return DECAYS[decay](np.asarray(cost, dtype=float), float(catchment_cost), step_weights)


def _fca(
    catchment: Catchment,
    weight: Callable[[np.ndarray], np.ndarray],
    size: float,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None,
) -> np.ndarray:
    """The two floating-catchment stages over the catchment's pairs (PySAL's formula);
    ``weight`` turns costs within ``size`` into distance weights (pairs beyond weigh 0).

    Stage 1: each service's supply over the weighted demand in its catchment. Stage 2:
    each area sums the ratios of the services in its catchment, weighted again.

    With demand by age band (a DataFrame, and ``serves``), a service's supply is shared
    among the children of the bands it takes (stage 1), and reaches only those children
    (stage 2): each band gets its own sum, and an area's value is their average weighted
    by its children in each band. So a service for under-fives adds places for the
    under-fives only, and supply is conserved: the places an area's children get, summed
    over areas, equal the supply (where every area has children).

    Both stages sum over the pairs with :func:`numpy.bincount`. With bands, a pair's
    demand is the area's children in the bands the service takes, read from a table of
    each area's children per distinct set of bands: stage 1 sums it weighted per service,
    and stage 2 weights each ratio by it per area, which is the children-weighted average
    of the bands' sums.
    """
    s = supply.reindex(catchment.services).to_numpy(dtype=float)
    if np.isnan(s).any():
        raise ValueError("supply is missing for some services; use service_supply()")
    inside = catchment.cost <= size
    every = bool(inside.all())
    rows = catchment.rows if every else catchment.rows[inside]
    cols = catchment.cols if every else catchment.cols[inside]
    w = weight(catchment.cost if every else catchment.cost[inside])
    n, k = len(catchment.areas), len(catchment.services)
    if isinstance(demand, pd.DataFrame):
        if serves is None:
            raise ValueError("an age-band demand table needs serves= (services × bands)")
        return _fca_bands(rows, cols, w, s, demand.reindex(catchment.areas), serves, catchment)
    d = demand.reindex(catchment.areas).fillna(0.0).to_numpy(dtype=float)
    total = _sums(cols, w * d[rows], k)
    ratio = np.divide(s, total, out=np.zeros_like(s), where=total > 0)
    return _sums(rows, w * ratio[cols], n)


def _fca_bands(
    rows: np.ndarray,
    cols: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    demand: pd.DataFrame,
    serves: pd.DataFrame,
    catchment: Catchment,
) -> np.ndarray:
    """The two stages with demand by age band (see :func:`_fca`)."""
    n, k = len(catchment.areas), len(catchment.services)
    d = demand.fillna(0.0).to_numpy(dtype=float)  # areas × bands
    mask = serves.reindex(index=catchment.services, columns=demand.columns)
    m = mask.fillna(False).to_numpy(dtype=bool)  # services × bands
    code = m.astype(np.int64) @ (1 << np.arange(m.shape[1], dtype=np.int64))
    patterns, which = np.unique(code, return_inverse=True)
    bits = ((patterns[:, None] >> np.arange(m.shape[1])) & 1).astype(float)  # sets × bands
    table = (d @ bits.T).ravel()  # an area's children in each set of bands
    # each pair's children: the area's in the bands its service takes (32-bit positions
    # where they fit, so no 64-bit copy of every pair's row is made)
    wide = np.int32 if table.size < 2**31 else np.int64
    at: np.ndarray = rows.astype(wide, copy=False) * len(patterns)
    np.add(at, which.astype(wide)[cols], out=at)
    weighted = table[at]
    weighted *= w
    total = _sums(cols, weighted, k)
    ratio = np.divide(s, total, out=np.zeros_like(s), where=total > 0)
    children = d.sum(axis=1)
    weighted *= ratio[cols]
    value = _sums(rows, weighted, n)
    np.divide(value, children, out=value, where=children > 0)
    none = children <= 0
    if none.any():  # no children: the plain average of the bands' sums
        sel = none[rows]
        taken = bits.sum(axis=1)[which[cols[sel]]]
        mean = _sums(rows[sel], w[sel] * ratio[cols[sel]] * taken, n)
        value[none] = mean[none] / m.shape[1] if m.shape[1] else 0.0
    return value


def _sums(at: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``values`` summed by position ``at`` (0 to ``n - 1``), as floats."""
    return np.bincount(at, weights=values, minlength=n).astype(float, copy=False)


def two_step_fca(
    catchment: Catchment,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None = None,
    catchment_cost: float | None = None,
) -> pd.Series:
    """Two-step floating catchment (Luo and Wang 2003): supply per head within reach.

    Parameters
    ----------
    catchment
        Costs from areas to services (:func:`build_catchment`).
    demand
        Children per area (Series), or children per area and age band (DataFrame of
        band columns) together with ``serves``.
    supply
        Places per service (:func:`service_supply`).
    serves
        Which bands each service serves (:func:`age_band_mask`), for band demand.
    catchment_cost
        Catchment size in the catchment's unit; default ``catchment.max_cost``.

    Returns
    -------
    pandas.Series
        Supply per child (places per child) indexed by area, named ``2sfca``.
    """
    size = catchment.max_cost if catchment_cost is None else catchment_cost
    value = _fca(catchment, np.ones_like, size, demand=demand, supply=supply, serves=serves)
    return pd.Series(value, index=catchment.areas, name="2sfca")


def enhanced_two_step_fca(
    catchment: Catchment,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None = None,
    catchment_cost: float | None = None,
    decay: str = "gaussian",
    step_weights: Sequence[float] = STEP_WEIGHTS,
) -> pd.Series:
    """Enhanced two-step floating catchment (Luo and Qi 2009): 2SFCA with distance decay.

    As :func:`two_step_fca`, with each pair weighted by :func:`decay_weights` in both
    stages. Returns supply per child indexed by area, named ``e2sfca``.
    """
    size = catchment.max_cost if catchment_cost is None else catchment_cost

    def weight(cost: np.ndarray) -> np.ndarray:
        return decay_weights(cost, decay=decay, catchment_cost=size, step_weights=step_weights)

    value = _fca(catchment, weight, size, demand=demand, supply=supply, serves=serves)
    return pd.Series(value, index=catchment.areas, name="e2sfca")


def gravity_access(
    catchment: Catchment,
    *,
    demand: pd.Series | pd.DataFrame,
    supply: pd.Series,
    serves: pd.DataFrame | None = None,
    catchment_cost: float | None = None,
    beta: float = 1.5,
    min_cost: float = 100.0,
) -> pd.Series:
    """Gravity accessibility with competition (Joseph and Bantock 1982; Shen 1998).

    ``A_i = Σ_j S_j f(d_ij) / Σ_k P_k f(d_kj)`` with ``f(d) = (max(d, min_cost) /
    min_cost)^-beta`` within the catchment: a floating catchment whose weight is a power
    of cost. ``min_cost`` (catchment unit) keeps a service at the origin finite.
    Returns supply per child indexed by area, named ``gravity``.
    """
    size = catchment.max_cost if catchment_cost is None else catchment_cost

    def weight(cost: np.ndarray) -> np.ndarray:
        return (np.maximum(cost, min_cost) / min_cost) ** -beta

    value = _fca(catchment, weight, size, demand=demand, supply=supply, serves=serves)
    return pd.Series(value, index=catchment.areas, name="gravity")


def check_decay(name: str) -> None:
    if name not in DECAYS:
        raise ConfigError(
            f"[access] decay is '{name}'{did_you_mean(name, DECAYS)}; "
            f"choose one of: {', '.join(DECAYS)}"
        )


def holds_any(catchment: Catchment, services: np.ndarray, catchment_cost: float) -> pd.Series:
    """1 where any of the marked services (boolean per catchment column) lies within an
    area's floating catchment of ``catchment_cost``, else 0; indexed by area."""
    marked = np.asarray(services, dtype=bool)
    hit = marked[catchment.cols] & (catchment.cost <= catchment_cost)
    count = np.bincount(catchment.rows[hit], minlength=len(catchment.areas))
    return pd.Series((count > 0).astype(float), index=catchment.areas)
