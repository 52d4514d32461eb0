"""Confidence intervals and significance against a comparator, as English public health
profiles (Fingertips) compute them.

Methods follow the Office for Health Improvement and Disparities (formerly Public Health
England) "Public health technical guidance" and the APHO Technical Briefing 3, *Commonly
used public health statistics and their confidence intervals* (Eayres 2008):

- **counts and crude rates**: Byar's approximation to the Poisson distribution for counts of
  10 or more, and the exact Poisson limits (through the chi-squared distribution) for counts
  below 10. This is the rule of the current guidance, the PHE Excel tool "Commonly used public
  health statistics and their confidence intervals" (February 2018) and the R package
  PHEindicatormethods (``phe_rate``); the guidance notes that at 95% Byar's method is within
  0.2% of the exact limits from 10 events up. (Some older spreadsheets used the exact
  method below 389 events; :func:`poisson_ci` takes ``exact_below=389`` to match them.)
- **proportions**: the Wilson score interval (Wilson 1927; Newcombe 1998).
- **significance against a comparator**: an area is significantly *higher* (lower) when the
  whole of its confidence interval lies above (below) the comparator value, and *similar*
  when the interval contains it, as Fingertips colours its "compared with England" tiles.
- **funnel plots**: 95% and 99.8% control limits around a comparator value (about 2 and 3
  standard deviations), as in the Fingertips funnel plots.

Every function takes scalars or array-likes and works element by element. ``z`` is the
standard normal quantile of the interval: :data:`Z_95` (1.96) for 95%, :data:`Z_998` (3.09)
for 99.8%.

Example
-------
>>> lower, upper = wilson_ci(81, 263)
>>> round(float(lower), 4), round(float(upper), 4)
(0.2553, 0.3662)
"""

from __future__ import annotations

__all__ = [
    "COMPARISONS",
    "Z_95",
    "Z_998",
    "area_dispersion",
    "byar_ci",
    "compare_with",
    "dispersed_share_ci",
    "exact_poisson_ci",
    "funnel_limits",
    "poisson_ci",
    "rate_ci",
    "wilson_ci",
]

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special as _sc  # not scipy.stats: a second of imports for three formulas


def _norm_sf(z: Any) -> Any:
    """The standard normal's upper tail (``scipy.stats.norm.sf``, the same formula)."""
    return _sc.ndtr(-np.asarray(z, dtype=float))


def _chi2_ppf(p: Any, df: Any) -> Any:
    """``scipy.stats.chi2.ppf`` for 0 < p < 1 and df > 0 (its formula); NaN for df <= 0."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, 2 * _sc.gammaincinv(df / 2, p), np.nan)


def _chi2_isf(p: Any, df: Any) -> Any:
    """``scipy.stats.chi2.isf`` for 0 < p < 1 and df > 0 (its formula); NaN for df <= 0."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, _sc.chdtri(df, p), np.nan)


# Standard normal quantiles of two-sided 95% and 99.8% intervals: norm.ppf(0.975), norm.ppf(0.999).
Z_95 = 1.959963984540054
Z_998 = 3.090232306167813

# The values compare_with returns, in a fixed order (useful for legends and categoricals).
COMPARISONS = ("higher", "similar", "lower", "not compared")


def byar_ci(count: Any, *, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate Poisson confidence limits of an observed count.

    ``lower = O (1 - 1/(9 O) - z / (3 sqrt(O)))**3`` and
    ``upper = (O + 1) (1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))**3`` (Breslow and Day 1987,
    as given in the Fingertips technical guidance on rates).

    Parameters
    ----------
    count
        Observed numbers of events (0 or more), a scalar or array-like; missing gives missing.
    z
        Standard normal quantile of the interval: :data:`Z_95` or :data:`Z_998`.

    Returns
    -------
    lower, upper
        Limits of the count (same units as ``count``), as float arrays shaped like ``count``.
        The lower limit of 0 events is 0; a lower limit that the approximation would make
        negative (tiny counts at 99.8%) is 0 too. Prefer :func:`poisson_ci`, which uses the
        exact limits where Byar's method is inaccurate (fewer than 10 events).
    """
    o = _counts(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    lower = np.where(o == 0, 0.0, np.clip(lower, 0.0, None))
    return lower, upper


def exact_poisson_ci(count: Any, *, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) Poisson confidence limits of an observed count, via chi-squared.

    ``lower = chi2.ppf(a/2, 2 O) / 2`` and ``upper = chi2.ppf(1 - a/2, 2 O + 2) / 2`` where
    ``a/2`` is the normal tail area beyond ``z`` (Armitage and Berry 2002). The lower limit of
    0 events is 0; the upper is 3.689 at 95%.

    Parameters
    ----------
    count
        Observed numbers of events (0 or more); missing gives missing.
    z
        Standard normal quantile of the interval.

    Returns
    -------
    lower, upper
        Limits of the count, as float arrays shaped like ``count``.
    """
    o = _counts(count)
    tail = _norm_sf(z)
    with np.errstate(invalid="ignore"):
        lower = np.where(o == 0, 0.0, _chi2_ppf(tail, 2 * o) / 2)
        upper = _chi2_isf(tail, 2 * o + 2) / 2
    return lower, upper


def poisson_ci(
    count: Any, *, z: float = Z_95, exact_below: float = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson confidence limits of a count as Fingertips computes them.

    Exact limits (:func:`exact_poisson_ci`) for counts below ``exact_below`` and Byar's
    approximation (:func:`byar_ci`) from ``exact_below`` up. The default of 10 is the current
    OHID/PHE rule; ``exact_below=389`` matches older spreadsheets that used the exact method
    below 389 events.

    Returns
    -------
    lower, upper
        Limits of the count, as float arrays shaped like ``count``.
    """
    o = _counts(count)
    byar_lo, byar_hi = byar_ci(o, z=z)
    exact_lo, exact_hi = exact_poisson_ci(o, z=z)
    small = o < exact_below
    return np.where(small, exact_lo, byar_lo), np.where(small, exact_hi, byar_hi)


def rate_ci(
    count: Any,
    denominator: Any,
    *,
    per: float = 10_000,
    z: float = Z_95,
    exact_below: float = 10,
) -> pd.DataFrame:
    """Crude rates per ``per`` people with Poisson confidence limits (see :func:`poisson_ci`).

    Parameters
    ----------
    count
        Observed numbers of events (children, families, referrals...).
    denominator
        Population at risk, same length as ``count`` (children, or child-years).
    per
        Multiplier of the rate: 10,000 gives a rate per 10,000 children.
    z, exact_below
        As :func:`poisson_ci`.

    Returns
    -------
    DataFrame
        Columns ``rate``, ``lower``, ``upper`` (all per ``per``), indexed like ``count`` when
        it is a Series. A zero or missing denominator gives missing rate and limits.

    Example
    -------
    >>> rate_ci([64], [45_600], per=1_000).round(2)
       rate  lower  upper
    0   1.4   1.08   1.79
    """
    o = np.atleast_1d(_counts(count))
    n = np.atleast_1d(np.asarray(denominator, dtype=float))
    if n.shape != o.shape:
        raise ValueError("count and denominator must have the same length")
    if np.any(n < 0):
        raise ValueError("denominators must be 0 or more")
    lower, upper = poisson_ci(o, z=z, exact_below=exact_below)

    # (count x per) / n, not count x (per / n): equal rates (2/300, 4/600) stay equal,
    # so areas tie where they should when the need index ranks them
    def per_n(x: np.ndarray) -> np.ndarray:
        return np.divide(x * per, n, out=np.full(n.shape, np.nan), where=n > 0)

    return pd.DataFrame(
        {"rate": per_n(o), "lower": per_n(lower), "upper": per_n(upper)},
        index=_index_of(count, o),
    )


def wilson_ci(successes: Any, n: Any, *, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score confidence limits of a proportion ``successes / n``.

    ``(2 r + z^2 -/+ z sqrt(z^2 + 4 r (1 - r/n))) / (2 (n + z^2))`` for ``r`` successes
    (Wilson 1927; Newcombe and Altman in *Statistics with Confidence*, 2000).

    Parameters
    ----------
    successes
        Numbers with the characteristic (0 to ``n``).
    n
        Numbers in each group; 0 or missing gives missing limits.
    z
        Standard normal quantile of the interval.

    Returns
    -------
    lower, upper
        Limits as proportions between 0 and 1, float arrays shaped like ``successes``.
    """
    r = _counts(successes)
    m = np.asarray(n, dtype=float)
    if np.any(r > m):
        raise ValueError("successes must not exceed n for a proportion")
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(z**2 + 4 * r * (1 - r / m))
        lower = (2 * r + z**2 - spread) / (2 * (m + z**2))
        upper = (2 * r + z**2 + spread) / (2 * (m + z**2))
    empty = ~(m > 0)
    lower = np.where(empty, np.nan, np.clip(lower, 0.0, 1.0))
    upper = np.where(empty, np.nan, np.clip(upper, 0.0, 1.0))
    return lower, upper


def compare_with(value_lower: Any, value_upper: Any, comparator: Any) -> pd.Series:
    """Whether each value is significantly higher or lower than a comparator, by its interval.

    ``higher`` when the lower limit is above the comparator, ``lower`` when the upper limit is
    below it, ``similar`` when the interval contains it (limits included), and
    ``not compared`` when a limit or the comparator is missing. This is the Fingertips
    comparison with a benchmark: a statement about chance variation, not a verdict.

    Parameters
    ----------
    value_lower, value_upper
        Confidence limits of each area's value.
    comparator
        The benchmark (a county or England value), a scalar or one per area, in the same
        units as the limits.

    Returns
    -------
    Series
        Named ``comparison``, indexed like ``value_lower`` when it is a Series, with values
        from :data:`COMPARISONS`.
    """
    lo = np.atleast_1d(np.asarray(value_lower, dtype=float))
    hi = np.atleast_1d(np.asarray(value_upper, dtype=float))
    ref = np.broadcast_to(np.asarray(comparator, dtype=float), lo.shape)
    known = ~(np.isnan(lo) | np.isnan(hi) | np.isnan(ref))
    out = np.select(
        [~known, lo > ref, hi < ref],
        ["not compared", "higher", "lower"],
        default="similar",
    )
    return pd.Series(out, index=_index_of(value_lower, lo), name="comparison", dtype="str")


def funnel_limits(
    denominators: Any,
    comparator: float,
    *,
    statistic: str = "proportion",
    per: float = 1.0,
    z: Sequence[float] = (Z_95, Z_998),
    phi: float = 1.0,
) -> pd.DataFrame:
    """Funnel-plot control limits around a comparator for each denominator.

    Parameters
    ----------
    denominators
        Group sizes (children, families) at which to draw the limits.
    comparator
        The benchmark, in units of ``per``: a proportion (``per=1``) or percentage
        (``per=100``) for ``statistic="proportion"``, a rate per ``per`` people for
        ``statistic="rate"``.
    statistic
        ``proportion``: normal approximation to the binomial, ``p0 +/- z sqrt(p0 (1 - p0) / n)``
        clipped to 0..1, as the Fingertips funnel plots for proportions (PHEindicatormethods
        ``phe_funnels``). ``rate``: Poisson limits around the expected count ``E = r0 n`` in
        their continuous chi-squared form, ``chi2.ppf(a/2, 2 E) / 2`` and
        ``chi2.ppf(1 - a/2, 2 E + 2) / 2``, divided by ``n`` (as the R package FunnelPlotR;
        see Spiegelhalter 2005, *Funnel plots for comparing institutional performance*).
        Fingertips draws its rate funnels differently (against the number of events), so
        these are not its numbers.
    per
        Units of ``comparator`` and of the limits returned.
    z
        Normal quantiles of the limits; the defaults give 95% and 99.8% limits.
    phi
        Dispersion factor (:func:`area_dispersion`): proportion limits are widened by
        ``sqrt(phi)`` (Spiegelhalter 2005, multiplicative model). 1 means none.

    Returns
    -------
    DataFrame
        Indexed like ``denominators`` when it is a Series; columns ``lower_95``,
        ``upper_95``, ``lower_99_8``, ``upper_99_8`` (named after the coverage of each
        ``z``), in units of ``per``. A zero or missing denominator gives missing limits.
    """
    n = np.atleast_1d(np.asarray(denominators, dtype=float))
    if np.any(n < 0):
        raise ValueError("denominators must be 0 or more")
    n_ok = np.where(n > 0, n, np.nan)
    p0 = comparator / per
    columns: dict[str, np.ndarray] = {}
    for zq in z:
        label = _coverage_label(zq)
        if statistic == "proportion":
            if not 0 <= p0 <= 1:
                raise ValueError(f"a proportion comparator must be between 0 and {per}")
            half = zq * np.sqrt(max(phi, 1.0) * p0 * (1 - p0) / n_ok)
            lower, upper = np.clip(p0 - half, 0, 1), np.clip(p0 + half, 0, 1)
        elif statistic == "rate":
            if phi != 1.0:
                raise ValueError("overdispersion is only applied to proportions")
            if p0 < 0:
                raise ValueError("a rate comparator must be 0 or more")
            expected = p0 * n_ok
            tail = _norm_sf(zq)
            with np.errstate(invalid="ignore"):
                lower = np.where(expected > 0, _chi2_ppf(tail, 2 * expected) / 2, 0.0)
                upper = _chi2_isf(tail, 2 * expected + 2) / 2
            lower, upper = lower / n_ok, upper / n_ok
        else:
            raise ValueError(f"statistic must be 'proportion' or 'rate', not {statistic!r}")
        columns[f"lower_{label}"] = np.where(np.isnan(n_ok), np.nan, lower * per)
        columns[f"upper_{label}"] = np.where(np.isnan(n_ok), np.nan, upper * per)
    return pd.DataFrame(columns, index=_index_of(denominators, n))


def area_dispersion(numerators: Any, denominators: Any) -> float:
    """How much more a share varies between small areas than if every child were
    independent: the quasi-binomial dispersion factor (Pearson's chi-squared over its
    degrees of freedom), at least 1.

    ``phi = sum_i (y_i - n_i p)^2 / (n_i p (1 - p)) / (m - 1)`` over the m areas with
    children, ``p`` the pooled share. Reach and places are properties of an area, so all its
    children are in or out together and ``phi`` comes out near the mean number of children
    per area: the figures behave as if there were about as many independent observations
    as small areas. 1 when fewer than two areas have children or every area agrees.
    """
    y = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    ok = np.isfinite(y) & np.isfinite(n) & (n > 0)
    y, n = y[ok], n[ok]
    if len(n) < 2:
        return 1.0
    p = y.sum() / n.sum()
    if not 0 < p < 1:
        return 1.0
    phi = float(np.sum((y - n * p) ** 2 / (n * p * (1 - p))) / (len(n) - 1))
    return max(phi, 1.0)


def dispersed_share_ci(
    successes: Any, n: Any, *, phi: float, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's interval for a share of children when they are not independent: with the
    effective number of observations ``n / phi`` (:func:`area_dispersion`).

    It is the inverse of the test behind :func:`funnel_limits` with the same ``phi``: a
    comparator lies outside this interval exactly when the share lies outside the funnel's
    limits around that comparator at ``n`` (both are the score test with variance
    ``phi p0 (1 - p0) / n``). So an interval, a "significantly lower" and a funnel plot
    drawn with one ``phi`` never disagree.
    """
    scale = max(float(phi), 1.0)
    return wilson_ci(
        np.asarray(successes, dtype=float) / scale, np.asarray(n, dtype=float) / scale, z=z
    )


def _counts(values: Any) -> np.ndarray:
    """Float array of counts; refuses negative counts (missing stays missing)."""
    arr = np.asarray(values, dtype=float)
    if np.any(arr < 0):
        raise ValueError("counts must be 0 or more")
    return arr


def _index_of(source: Any, arr: np.ndarray) -> pd.Index:
    """The index of ``source`` when it is a pandas object, else a RangeIndex as long as ``arr``."""
    if isinstance(source, pd.Series | pd.DataFrame):
        return source.index
    return pd.RangeIndex(len(arr))


def _coverage_label(z: float) -> str:
    """'95' for 1.96, '99_8' for 3.09: the two-sided coverage in percent, '.' as '_'."""
    coverage = round(100 * (1 - 2 * float(_norm_sf(z))), 1)
    return f"{coverage:g}".replace(".", "_")
