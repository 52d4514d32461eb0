"""A disclosure audit over everything published together (issue 13).

Table-by-table suppression (:func:`earlyhelp.disclosure.suppress`) stops a hidden cell being
given back by one total at a time. A reader holding every output at once (the map's areas,
the district summary, the report's shares) can solve them together. The audit does that
first, and says which hidden counts it gives back.

**The model.** The unknowns are *base cells* ``x_0 .. x_{n-1} >= 0``, the finest counts
anything is built from (for example children per small area and age band). Everything
published is a linear statement about them:

* a shown count ``v`` of the sum ``a.x`` (:class:`PublishedCount`), rounded with step
  ``s``: ``v - s/2 <= a.x <= v + s/2``; with whole-number cells and whole coefficients the
  ends are rounded inward (``v`` exactly, for ``s = 1``);
* a hidden count (``value=None``): it is hidden because it is small or protects another,
  so it is at least ``min_count`` (zeros are shown when ``min_count = 1``) with no upper
  bound, plus any ``known`` bounds the caller adds;
* a shown share ``r`` of ``num.x / den.x`` to ``d`` decimals (:class:`PublishedShare`):
  ``|num.x - r den.x| <= u den.x`` with ``u`` half a unit of the last decimal, two linear
  rows ``num.x - (r + u) den.x <= 0 <= num.x - (r - u) den.x``;
* the classes that split a district (a map class saying "no gap") are known to the reader,
  so "children in areas with no gap" is a shown count over those areas' cells.

**The attack.** For each hidden count, the least and greatest value of its sum over every
point satisfying all of the above: two linear programmes (:mod:`.attack`, HiGHS). With
``whole=True`` the bounds are rounded inward to whole numbers.

**The verdict.** A range's width is the number of whole values it holds,
``upper - lower + 1`` (1 to 5 is 5 wide, as wide as the suppression band; an exact value is
1 wide). A hidden count is *disclosed* when its width is less than ``width`` (default
``max_count``): the reader would learn more than "somewhere in a range as wide as the
suppression band". Each disclosed count comes with the published numbers that pin it: the
rows of the programme's dual certificate, ``bound = sum(weight * number used)``, which reads
like a human's sum ("county total minus the published districts minus ...").

Only *sensitive* hidden counts are judged (by default every hidden count). A count hidden
only to protect another, whose own value could have been shown, may be marked
``sensitive=False``: it is still hidden to the reader (at least ``min_count``), but learning
it gives no small number away. :func:`earlyhelp.disclosure.protect_publication` hides more,
so marked, until nothing sensitive is disclosed.
"""

from __future__ import annotations

__all__ = [
    "AuditReport",
    "Evidence",
    "Exposure",
    "PublishedCount",
    "PublishedShare",
    "audit_publication",
]

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from earlyhelp.disclosure.attack import Extremes, Infeasible, extremes
from earlyhelp.disclosure.published import PublishedCount, PublishedShare
from earlyhelp.disclosure.system import PublishedSystem, inward
from earlyhelp.errors import EarlyHelpError


@dataclass(frozen=True)
class Evidence:
    """One published number in a bound's certificate: ``bound = sum(weight * uses)``.

    ``item`` is ``"count"`` or ``"share"`` and ``position`` its index in the counts or shares
    audited; ``shown`` is False for a hidden count (used as "at least ``min_count``");
    ``uses`` is the end of its range the reasoning uses (the shown value, a rounding end,
    ``min_count``; 0 for a share's row).
    """

    output: str
    label: str
    item: str
    position: int
    shown: bool
    weight: float
    uses: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "label": self.label,
            "item": self.item if self.shown else "hidden count",
            "weight": _number(self.weight),
            "uses": _number(self.uses),
        }


@dataclass(frozen=True)
class Exposure:
    """What a reader can work out of one sensitive hidden count: ``lower <= sum <= upper``.

    ``exact``: both ends were solved for; otherwise they are values the reader cannot rule
    out, seen at other optima, and already far enough apart (the true range is wider).
    ``lower_by`` and ``upper_by`` are the certificates, kept for disclosed counts.
    """

    position: int
    output: str
    label: str
    lower: float
    upper: float
    exact: bool
    disclosed: bool
    lower_by: tuple[Evidence, ...] = ()
    upper_by: tuple[Evidence, ...] = ()

    @property
    def width(self) -> float:
        """Whole values the range holds: ``upper - lower + 1``."""
        return self.upper - self.lower + 1

    @property
    def pinned_by(self) -> list[str]:
        """The shown counts and shares the bounds rest on, as ``output: label``."""
        seen = {f"{e.output}: {e.label}": None for e in (*self.upper_by, *self.lower_by)}
        shown = {f"{e.output}: {e.label}" for e in (*self.upper_by, *self.lower_by) if e.shown}
        return [k for k in seen if k in shown]

    def sentence(self, most: int = 6) -> str:
        """One line for people, naming at most ``most`` of the numbers that pin it."""
        upper = "no upper bound" if math.isinf(self.upper) else _number(self.upper)
        pinned = self.pinned_by
        pins = "; ".join(pinned[:most]) or "the reader's own bounds"
        if len(pinned) > most:
            pins += f" and {len(pinned) - most} more"
        return (
            f"{self.output}: {self.label} is worked out as {_number(self.lower)} to {upper} "
            f"from {pins}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "label": self.label,
            "lower": _number(self.lower),
            "upper": None if math.isinf(self.upper) else _number(self.upper),
            "width": None if math.isinf(self.width) else _number(self.width),
            "exact": self.exact,
            "disclosed": self.disclosed,
            "pinned_by": self.pinned_by,
            "lower_by": [e.to_dict() for e in self.lower_by],
            "upper_by": [e.to_dict() for e in self.upper_by],
        }


@dataclass(frozen=True)
class AuditReport:
    """Every hidden count's exposure, and whether the publication may go out."""

    exposures: tuple[Exposure, ...]
    width: float
    cells: int
    rows: int
    solves: int
    seconds: float

    @property
    def disclosed(self) -> tuple[Exposure, ...]:
        return tuple(e for e in self.exposures if e.disclosed)

    @property
    def passed(self) -> bool:
        return not self.disclosed

    def require_safe(self) -> None:
        """Raise :class:`EarlyHelpError` ("refusing to publish: ...") unless it passed."""
        if self.passed:
            return
        shown = [e.sentence() for e in self.disclosed[:5]]
        more = len(self.disclosed) - len(shown)
        raise EarlyHelpError(
            f"refusing to publish: {len(self.disclosed)} hidden count(s) can be worked out "
            f"to fewer than {_number(self.width)} possible values from what is published "
            "together: " + "; ".join(shown) + (f" (and {more} more)" if more else "")
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the verdict, figures, and every disclosed count with its reasoning."""
        return {
            "passed": self.passed,
            "width": _number(self.width),
            "sensitive_hidden_counts": len(self.exposures),
            "cells": self.cells,
            "rows": self.rows,
            "solves": self.solves,
            "seconds": round(self.seconds, 3),
            "disclosed": [e.to_dict() for e in self.disclosed],
        }


def _number(v: float) -> float | int:
    """A bound for people: whole numbers as int, others to 6 significant figures."""
    if float(v).is_integer():
        return int(v)
    return float(f"{v:.6g}")


def audit_publication(
    counts: Sequence[PublishedCount],
    shares: Sequence[PublishedShare] = (),
    *,
    min_count: int = 1,
    max_count: int = 5,
    width: float | None = None,
    whole: bool = True,
    n_cells: int | None = None,
    cell_bounds: tuple[Any, Any] | None = None,
    full: bool = False,
    truth: np.ndarray | None = None,
) -> AuditReport:
    """Attack everything published together; report what each hidden count gives away.

    Parameters
    ----------
    counts, shares
        Every count and share published together (all outputs), shown or hidden.
    min_count, max_count
        The suppression band (``DisclosureConfig``): a hidden count is known to be at
        least ``min_count``.
    width
        A sensitive hidden count is disclosed when its range holds fewer whole values
        (``upper - lower + 1``); default ``max_count``.
    whole
        Base cells are whole numbers: shown counts' rounding ranges and the reader's bounds
        are rounded inward (use False for apportioned, fractional cells).
    n_cells
        Number of base cells (default: one more than the largest index used).
    cell_bounds
        ``(lower, upper)`` of each base cell as the reader knows them (default 0 and none).
    full
        Solve both bounds of every hidden count, even where values seen at other optima
        already prove it safe (slower; every exposure then has ``exact=True``).
    truth
        The true base cells, when the publisher audits its own outputs: every published
        number is checked against them (a number that is not its cells' sum is named),
        and they are the first point the attack starts from, so an audit with no
        sensitive hidden count solves nothing.

    Raises :class:`EarlyHelpError` if the published numbers contradict each other (a shown
    value inconsistent with its parts, or a hidden count below ``min_count``).
    """
    started = time.perf_counter()
    width = float(max_count if width is None else width)
    system = PublishedSystem(counts, shares, min_count, whole, n_cells, cell_bounds)
    if truth is not None:
        _check_truth(system, np.asarray(truth, dtype=float))
    hidden = [i for i, c in enumerate(counts) if c.hidden and c.sensitive]
    objectives, of_count, integral = system.objectives(hidden)

    def wide_enough(k: int, lo: float, hi: float) -> bool:
        lo, hi = inward(lo, hi, bool(integral[k]) and whole)
        return hi - lo + 1 >= width

    try:
        ext = extremes(
            system.poly, objectives, wide_enough=None if full else wide_enough, start=truth
        )
    except Infeasible as err:
        raise EarlyHelpError(
            "the published numbers contradict each other: no base cells fit them all "
            f"({err}). Check that every shown value is its cells' sum (rounded with its "
            "step), that shares are rounded as declared, and that no hidden count is below "
            "min_count (give a hidden zero known=(0, None)); with fractional base cells "
            "audit with whole=False"
        ) from None
    exposures = tuple(
        _exposure(system, ext, k, counts, i, width, whole and bool(integral[k]))
        for i, k in zip(hidden, of_count, strict=True)
    )
    return AuditReport(
        exposures=exposures,
        width=width,
        cells=system.poly.matrix.shape[1],
        rows=system.poly.matrix.shape[0],
        solves=ext.solves,
        seconds=time.perf_counter() - started,
    )


def _check_truth(system: PublishedSystem, truth: np.ndarray) -> None:
    """Every published number holds for the true cells, or the first that does not is
    named (a publisher's bug: a table's cells do not add up to what it shows)."""
    poly = system.poly
    if truth.shape != (poly.matrix.shape[1],):
        raise ValueError(f"truth has {truth.size} cells, the system {poly.matrix.shape[1]}")
    v = poly.matrix @ truth
    slack = 1e-6 * np.maximum(1.0, np.abs(v))
    bad = np.flatnonzero((v < poly.row_lower - slack) | (v > poly.row_upper + slack))
    if bad.size:
        item, pos = system.source[int(bad[0])]
        thing = system.counts[pos] if item == "count" else system.shares[pos]
        raise EarlyHelpError(
            f"{thing.where}: the published {item} does not hold for the data it is made "
            f"from ({v[bad[0]]:g} against {poly.row_lower[bad[0]]:g} to "
            f"{poly.row_upper[bad[0]]:g}; {bad.size} such numbers); this is a bug in "
            "earlyhelp, please report it"
        )


def _exposure(
    system: PublishedSystem,
    ext: Extremes,
    k: int,
    counts: Sequence[PublishedCount],
    i: int,
    width: float,
    whole: bool,
) -> Exposure:
    lo, hi = inward(float(ext.lower[k]), float(ext.upper[k]), whole)
    disclosed = hi - lo + 1 < width
    return Exposure(
        position=i,
        output=counts[i].output,
        label=counts[i].label,
        lower=lo,
        upper=hi,
        exact=bool(ext.exact[k]),
        disclosed=disclosed,
        lower_by=_evidence(system, *ext.lower_by[k], lower=True) if disclosed else (),
        upper_by=_evidence(system, *ext.upper_by[k], lower=False) if disclosed else (),
    )


def _evidence(
    system: PublishedSystem, rows: np.ndarray, weights: np.ndarray, *, lower: bool
) -> tuple[Evidence, ...]:
    """A certificate as published numbers: for a minimum a positive dual uses the row's
    lower end; for a maximum (weights already negated) a positive weight its upper."""
    out = []
    for r, w in zip(rows.tolist(), weights.tolist(), strict=True):
        item, pos = system.source[r]
        at_upper = (w < 0) if lower else (w > 0)  # which end of the row the bound uses
        uses = system.poly.row_upper[r] if at_upper else system.poly.row_lower[r]
        thing = system.counts[pos] if item == "count" else system.shares[pos]
        out.append(
            Evidence(
                output=thing.output,
                label=thing.label,
                item=item,
                position=pos,
                shown=not thing.hidden,
                weight=float(w),
                uses=float(uses),
            )
        )
    out.sort(key=lambda e: (-abs(e.weight), e.output, e.label))
    return tuple(out)
