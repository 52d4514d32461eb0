"""Hide more until the audit passes, or refuse to publish.

:func:`protect_publication` audits (:func:`earlyhelp.disclosure.audit_publication`); for
each disclosed count it finds the cheapest published numbers to hide so that the reader's
range becomes wide enough, hides them, and audits again.

**Which numbers to hide.** A disclosed count ``s`` has a reader's range ``[lo, hi]`` and
needs ``lo + width - 1`` to be possible too (or ``hi - width + 1``, if it cannot go up). So
look for base cells ``z`` where ``s`` reaches that target and every published number holds
except some that are let go: a linear programme (the incremental attacker of the cell
suppression literature),

    minimise   sum_r cost_r (up_r + down_r)
    subject to lower_r - down_r <= a_r.z <= upper_r + up_r   for each shown count or share r
               lower_r <= a_r.z <= upper_r                    for each hidden count r
               a_s.z >= lo + width - 1,   z within the cells' bounds,
               up_r, down_r >= 0, and down_r <= value_r - min_count for a count
               (hidden, it must still look like one: at least ``min_count``).

The numbers with ``up_r + down_r > 0`` are hidden: then both ``z`` and the point where ``s``
is ``lo`` fit everything still shown, so the reader's range holds at least ``width`` values.
A count costs its value per unit moved (so small counts go first, and a chain of them
closes the way a person closes a rectangle in a two-way table); a share costs 1 (a derived
value goes before a count, as :func:`earlyhelp.disclosure.suppress` hides a rate with its
count); a number already hidden, or hidden for an earlier count this round, costs nothing.
A count that may not be hidden (``may_hide=False``, or a shown zero the reader would take to
be at least ``min_count``) cannot move. Hidden counts are marked ``sensitive=False``: their
values were publishable.

The round's choices are checked by auditing again (a bound found in floating point, or
whole-number rounding, can need a second round). The loop stops with
:class:`EarlyHelpError` ("refusing to publish: ...") when a disclosed count cannot be
protected by anything that may be hidden, or after ``max_rounds``.
"""

from __future__ import annotations

__all__ = ["Protection", "protect_publication"]

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from earlyhelp.disclosure.attack import highs_model
from earlyhelp.disclosure.audit import AuditReport, Exposure, audit_publication
from earlyhelp.disclosure.published import PublishedCount, PublishedShare
from earlyhelp.disclosure.system import PublishedSystem
from earlyhelp.errors import EarlyHelpError

# a relaxation smaller than this is no reason to hide a number
_MOVE_TOL = 1e-6


@dataclass(frozen=True)
class Protection:
    """What :func:`protect_publication` settled on.

    ``counts`` and ``shares`` are the inputs in the same order, with those it hid set to
    ``value=None`` (counts also ``sensitive=False``); ``hidden_counts`` and
    ``hidden_shares`` are their positions, in the order hidden; ``report`` is the final
    (passing) audit.
    """

    counts: tuple[PublishedCount, ...]
    shares: tuple[PublishedShare, ...]
    hidden_counts: tuple[int, ...]
    hidden_shares: tuple[int, ...]
    rounds: int
    report: AuditReport

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rounds, what was hidden (``output: label``), the final audit."""
        return {
            "rounds": self.rounds,
            "hidden": [self.counts[i].where for i in self.hidden_counts]
            + [self.shares[j].where for j in self.hidden_shares],
            "audit": self.report.to_dict(),
        }


def protect_publication(
    counts: Sequence[PublishedCount],
    shares: Sequence[PublishedShare] = (),
    *,
    min_count: int = 1,
    max_count: int = 5,
    width: float | None = None,
    whole: bool = True,
    n_cells: int | None = None,
    cell_bounds: tuple[Any, Any] | None = None,
    max_rounds: int = 10,
    truth: np.ndarray | None = None,
) -> Protection:
    """Hide further counts and shares until :func:`audit_publication` passes (see the
    module docstring).

    Takes the same arguments as :func:`audit_publication` (``truth`` included), and
    ``max_rounds``. Raises
    :class:`EarlyHelpError` ("refusing to publish: ...") if it cannot make the publication
    safe.
    """
    counts = list(counts)
    shares = list(shares)
    hid_counts: list[int] = []
    hid_shares: list[int] = []
    for rounds in range(max_rounds + 1):
        report = audit_publication(
            counts,
            shares,
            min_count=min_count,
            max_count=max_count,
            width=width,
            whole=whole,
            n_cells=n_cells,
            cell_bounds=cell_bounds,
            truth=truth,
        )
        if report.passed:
            return Protection(
                tuple(counts), tuple(shares), tuple(hid_counts), tuple(hid_shares), rounds, report
            )
        if rounds == max_rounds:
            break
        system = PublishedSystem(counts, shares, min_count, whole, n_cells, cell_bounds)
        for item, pos in _cheapest_hides(system, report, min_count):
            if item == "count":
                counts[pos] = counts[pos].hide()
                hid_counts.append(pos)
            else:
                shares[pos] = shares[pos].hide()
                hid_shares.append(pos)
    report.require_safe()  # raises: still disclosed after max_rounds
    raise AssertionError("unreachable")  # pragma: no cover


def _cheapest_hides(
    system: PublishedSystem, report: AuditReport, min_count: int
) -> list[tuple[str, int]]:
    """The numbers to hide this round, in order: ``("count", i)`` or ``("share", j)``."""
    model = _Relaxation(system, min_count)
    done: set[bytes] = set()
    for exp in sorted(report.disclosed, key=lambda e: (e.width, e.position)):
        row = system.row(exp.position)  # count i is row i
        key = row.indices.tobytes() + row.data.tobytes()
        if key in done:
            continue  # the same sum under another name: protected with it
        done.add(key)
        if not model.reach(row, exp, report.width):
            raise EarlyHelpError(
                f"refusing to publish: {exp.sentence()}, and no set of numbers that may be "
                "hidden would widen that (mark more counts may_hide, or publish less)"
            )
    return model.chosen


class _Relaxation:
    """The programme of the module docstring, kept between disclosed counts of a round."""

    def __init__(self, system: PublishedSystem, min_count: int):
        poly = system.poly
        m, n = poly.matrix.shape
        cost, up_max, down_max = _relax_costs(system, min_count)
        movable = np.flatnonzero(up_max > 0)
        k = movable.size
        eye = sparse.csr_matrix((np.ones(k), (movable, np.arange(k))), shape=(m, k))
        # columns: z (n), up (k), down (k); rows: every published row, then the target
        matrix = sparse.vstack(
            [sparse.hstack([poly.matrix, -eye, eye]), sparse.csr_matrix((1, n + 2 * k))]
        )
        self._h = highs_model(
            matrix,
            np.r_[poly.row_lower, -np.inf],
            np.r_[poly.row_upper, np.inf],
            np.r_[poly.col_lower, np.zeros(2 * k)],
            np.r_[poly.col_upper, up_max[movable], down_max[movable]],
            np.r_[np.zeros(n), cost[movable], cost[movable]],
        )
        self._system = system
        self._movable = movable
        self._n = n
        self._target_row = m
        self._target_cols = np.zeros(0, dtype=np.int32)
        self.chosen: list[tuple[str, int]] = []

    def reach(self, row: sparse.csr_matrix, exp: Exposure, width: float) -> bool:
        """Let go of the cheapest numbers so that ``row`` reaches ``lo + width - 1`` (or
        ``hi - width + 1``); record them in :attr:`chosen`. False if nothing can."""
        h = self._h
        for c in self._target_cols.tolist():
            h.changeCoeff(self._target_row, c, 0.0)
        self._target_cols = row.indices.astype(np.int32)
        for c, v in zip(row.indices.tolist(), row.data.tolist(), strict=True):
            h.changeCoeff(self._target_row, c, v)
        targets = [(exp.lower + width - 1, math.inf)]
        if math.isfinite(exp.upper):
            targets.append((-math.inf, exp.upper - width + 1))
        for lo, hi in targets:
            h.changeRowBounds(self._target_row, lo, hi)
            h.run()
            if h.modelStatusToString(h.getModelStatus()) == "Optimal":
                self._take(np.asarray(h.getSolution().col_value, dtype=float))
                return True
        return False

    def _take(self, values: np.ndarray) -> None:
        """Hide every number the optimum moves; from now on moving it costs nothing."""
        k = self._movable.size
        moved = values[self._n : self._n + k] + values[self._n + k :]
        picked = np.flatnonzero(moved > _MOVE_TOL)
        taken = set(self.chosen)
        for j in picked.tolist():
            src = self._system.source[int(self._movable[j])]
            if src not in taken:
                taken.add(src)
                self.chosen.append(src)
        # every row of a chosen number (a share has two) becomes free to move
        free = [j for j, r in enumerate(self._movable) if self._system.source[int(r)] in taken]
        for j in free:
            self._h.changeColCost(self._n + j, 0.0)
            self._h.changeColCost(self._n + k + j, 0.0)


def _relax_costs(
    system: PublishedSystem, min_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the cost of moving it one unit, and how far up and down it may move (0 for
    a row that may not move: hidden already, ``may_hide=False``, or a shown zero)."""
    m = len(system.source)
    cost = np.ones(m)
    up = np.zeros(m)
    down = np.zeros(m)
    lower = system.poly.row_lower
    for r, (item, pos) in enumerate(system.source):
        if item == "share":
            thing: PublishedCount | PublishedShare = system.shares[pos]
            if thing.value is not None and thing.may_hide:
                up[r] = down[r] = math.inf
            continue
        c = system.counts[pos]
        if c.value is None or not c.may_hide or c.value < min_count:
            continue
        floor = float(c.known[0]) if c.known[0] is not None else float(min_count)
        up[r] = math.inf
        down[r] = max(0.0, lower[r] - floor)
        cost[r] = max(1.0, float(c.value))
    return cost, up, down
