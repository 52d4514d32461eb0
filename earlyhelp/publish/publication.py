"""Everything a run publishes, audited as one before any of it is written.

Each published table goes through :meth:`Publication.table`: small-number suppression
(:func:`earlyhelp.disclosure.suppress`) as before, and with it a statement of what each
count and share *is* in terms of **base cells**: the children of each study area and age
band (:class:`BaseCells`), and, where a table uses them, per-area counts from the need
table (children in need) and per-service counts (children reached). A table's ``cells``
function answers, for a row and a column, the weighted sum of base cells the number adds
up (:class:`Sum`), the two sums a share divides (:class:`Share`), or the count that a rate
over a published constant gives back (:class:`Ratio`, such as spend per child, whose
annual cost is published beside it).

:func:`audited` builds every table once, hands everything published to the audit of the
whole publication (:func:`earlyhelp.disclosure.protect_publication`), which hides further
numbers until no hidden count can be worked out to within the suppression band from all
of them together, and builds every table again with those hidden too. The final set is
audited again and must pass, or the run stops ("refusing to publish"). The publication
is then *sealed*: a page drawn later (the map, the report) asks for the same tables and
gets exactly what was audited, and asking for a table that was not audited is an error,
so nothing can reach a published page around the audit.

What is not modelled: a confidence interval is hidden with its share (a share hidden by
the audit takes its limits and its verdict with it), not audited as numbers of its own;
the membership of every sum (which areas have which verdict) is taken as known to the
reader, as the map shows it.
"""

from __future__ import annotations

__all__ = [
    "BaseCells",
    "Item",
    "Publication",
    "Ratio",
    "Share",
    "Sum",
    "audited",
    "hides",
]

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.config import DisclosureConfig
from earlyhelp.disclosure import (
    AuditReport,
    PublishedCount,
    PublishedShare,
    audit_publication,
    protect_publication,
    suppress,
)
from earlyhelp.errors import EarlyHelpError


@dataclass(frozen=True)
class Sum:
    """A weighted sum of base cells: positions in :class:`BaseCells` and their weights."""

    cells: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class Share:
    """A share of two sums (``percent``: shown as a percentage)."""

    numerator: Sum
    denominator: Sum
    percent: bool = True


@dataclass(frozen=True)
class Ratio:
    """A rate shown with ``decimals`` over a constant the reader also has: ``scale * known
    / count`` (``per_count``, as spend per child) or ``scale * count / known``. Read
    back, it bounds the count; it is audited as that count, rounded that coarsely."""

    count: Sum
    known: float
    scale: float = 1.0
    per_count: bool = True
    decimals: int = 1

    def count_range(self, shown: float) -> tuple[float, float] | None:
        """The count's range a reader gets from the rate ``shown`` (None: nothing)."""
        u = 0.5 * 10.0 ** (-self.decimals)
        lo, hi = shown - u, shown + u
        k = self.scale * self.known
        if not (math.isfinite(k) and k > 0 and math.isfinite(shown)):
            return None
        if self.per_count:  # rate = k / count: count = k / rate
            return (k / hi, k / lo if lo > 0 else math.inf)
        return (max(lo, 0.0) * self.known / self.scale, hi * self.known / self.scale)


Item = Sum | Share | Ratio
Cells = Callable[[Hashable, str], Item | None]


class BaseCells:
    """The base cells of a publication, in blocks: ``children`` (study area x age band)
    and any others a table needs (``add``); each block's values, whole or not.

    Areas without need data have no children cells (their sums leave them out, as every
    table does).
    """

    def __init__(self, areas: pd.Index, bands: Sequence[str], children: np.ndarray):
        self.areas = pd.Index(areas)
        self.bands = list(bands)
        self._blocks: dict[str, tuple[int, np.ndarray]] = {}
        values = np.asarray(children, dtype=float).reshape(len(areas), len(self.bands))
        self.has_need = ~np.isnan(values).all(axis=1)
        self._all_need = bool(self.has_need.all())
        self.everyone = np.arange(len(self.areas), dtype=np.int64)  # every area, in order
        self.everyone.setflags(write=False)
        self._band_at = np.arange(len(self.bands))[None, :]  # the children block starts at 0
        self.add("children", np.nan_to_num(values).ravel())

    def add(self, block: str, values: np.ndarray) -> None:
        """A block of further base cells (``values`` flat; NaN counts as 0); adding a
        block already there does nothing."""
        if block in self._blocks:
            return
        start = sum(v.size for _, v in self._blocks.values())
        self._blocks[block] = (start, np.nan_to_num(np.asarray(values, dtype=float).ravel()))

    def has(self, block: str) -> bool:
        """Whether a block of this name was added."""
        return block in self._blocks

    @property
    def values(self) -> np.ndarray:
        return np.concatenate([v for _, v in self._blocks.values()])

    @property
    def whole(self) -> bool:
        v = self.values
        return bool(np.all(v == np.round(v)))

    def children(self, positions: np.ndarray, weights: np.ndarray | None = None) -> Sum:
        """Children of the areas at ``positions`` (every band, or weighted by the rows
        ``weights[positions]`` of an areas x bands matrix); areas without need data are
        left out. Costs the size of ``positions``, not of the county."""
        if positions is self.everyone and self._all_need:
            return self._everyone(weights)
        pos = np.asarray(positions, dtype=np.int64)
        if not self._all_need:
            pos = pos[self.has_need[pos]]
        n = len(self.bands)
        cells = (pos[:, None] * n + self._band_at).ravel()
        if weights is None:  # every band: no weight is zero
            return Sum(cells, np.ones(cells.size))
        flat = np.asarray(weights, dtype=float)[pos].ravel()
        keep = flat != 0
        return Sum(cells[keep], flat[keep])

    def _everyone(self, weights: np.ndarray | None) -> Sum:
        """``children(everyone, weights)`` where every area has need data: the cells
        are all of the children block, in order (no positions to look up)."""
        cells = np.arange(len(self.areas) * len(self.bands), dtype=np.int64)
        if weights is None:
            return Sum(cells, np.ones(cells.size))
        flat = np.asarray(weights, dtype=float)[: len(self.areas)].reshape(cells.size)
        keep = flat != 0
        return Sum(cells[keep], flat[keep])

    def children_in(
        self, groups: Sequence[np.ndarray], weights: np.ndarray | None = None
    ) -> list[Sum]:
        """``children(g, weights)`` of each group of positions ``g``, made in one go (a
        table with a row per district asks for every one of them)."""
        n = len(self.bands)
        sizes = [len(g) for g in groups]
        none = np.zeros(0, dtype=np.int64)
        pos = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups] or [none])
        group = np.repeat(np.arange(len(groups)), sizes)
        if not self._all_need:
            keep = self.has_need[pos]
            pos, group = pos[keep], group[keep]
        cells = (pos[:, None] * n + self._band_at).ravel()
        group = np.repeat(group, n)
        if weights is None:
            flat = np.ones(cells.size)
        else:
            flat = np.asarray(weights, dtype=float)[pos].ravel()
            keep = flat != 0
            cells, flat, group = cells[keep], flat[keep], group[keep]
        ends = np.searchsorted(group, np.arange(len(groups) + 1))
        return [Sum(cells[a:b], flat[a:b]) for a, b in pairwise(ends.tolist())]

    def each_area(self) -> list[Sum]:
        """The children of each area on its own (``children`` of one position), made in
        one go: a table with a row per area asks for every one of them."""
        n = len(self.bands)
        grid = np.arange(len(self.areas) * n, dtype=np.int64).reshape(-1, n)
        every, none = np.ones(n), np.zeros(0)
        return [
            Sum(grid[i], every) if has else Sum(grid[i, :0], none)
            for i, has in enumerate(self.has_need.tolist())
        ]

    def at(self, block: str, positions: np.ndarray) -> Sum:
        """The cells of another block at ``positions``, each counted once."""
        start, _values = self._blocks[block]
        pos = np.asarray(positions, dtype=np.int64)
        return Sum(pos + start, np.ones(pos.size))

    def block(self, block: str, weights: np.ndarray) -> Sum:
        """Cells of another block weighted by ``weights`` (one per cell)."""
        start, _values = self._blocks[block]
        w = np.asarray(weights, dtype=float).ravel()
        (flat,) = np.nonzero(w)
        return Sum(flat + start, w[flat])


@dataclass
class _Table:
    shown: pd.DataFrame
    raw: pd.DataFrame
    counts: list[str]
    rates: list[str]
    decimals: int
    cells: Cells


Where = tuple[str, Hashable, str]  # (table, row, column)


@dataclass
class Publication:
    """The published tables of one run and the hides the audit asked for (see the module
    notes). ``hide`` maps a table name to its extra ``(row, column)`` hides; ``fixed``
    names tables already published elsewhere (a run's, when a siting or scenario section
    is audited with them): the audit may not hide more in them."""

    disclosure: DisclosureConfig
    base: BaseCells
    hide: Mapping[str, frozenset[tuple[Hashable, str]]] = field(default_factory=dict)
    fixed: frozenset[str] = frozenset()
    tables: dict[str, _Table] = field(default_factory=dict)
    report: AuditReport | None = None
    sealed: bool = False

    def table(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        counts: Sequence[str],
        cells: Cells,
        rates: Mapping[str, str | Sequence[str]] | None = None,
        total_row: Hashable | None = None,
        column_totals: Mapping[str, Sequence[str]] | None = None,
        decimals: int = 1,
        companions: Mapping[str, Sequence[str]] | None = None,
    ) -> pd.DataFrame:
        """``frame`` as published (:func:`earlyhelp.disclosure.suppress` with the audit's
        hides); ``cells`` says what each count and rate is. ``companions``: rate ->
        the columns hidden whenever it is (its interval limits, its verdict)."""
        d = self.disclosure
        rates = dict(rates or {})
        companions = dict(companions or {})
        hide = set(self.hide.get(name, frozenset()))
        hide |= {(row, c) for row, col in hide for c in companions.get(col, ()) if c in rates}
        shown = suppress(
            frame,
            count_columns=list(counts),
            rate_columns=rates,
            min_count=d.min_count,
            max_count=d.max_count,
            symbol=d.symbol,
            total_row=total_row,
            column_totals=column_totals,
            decimals=decimals,
            hide=sorted(hide, key=repr),
        )
        for rate, others in companions.items():
            gone = shown[rate] == d.symbol
            for other in others:
                if other not in rates:
                    shown[other] = shown[other].astype(object).where(~gone, d.symbol)
        if name in self.tables:
            before = self.tables[name].shown
            if not before.equals(shown):
                raise AssertionError(f"{name}: published differently from what was audited")
            return before
        if self.sealed:
            raise AssertionError(f"{name}: not in the audited publication")
        self.tables[name] = _Table(shown, frame, list(counts), list(rates), decimals, cells)
        return shown

    def shown(self, name: str) -> pd.DataFrame:
        """A table already published."""
        return self.tables[name].shown

    def items(self) -> tuple[list[PublishedCount], list[PublishedShare], list[Where], list[Where]]:
        """Everything published, for the audit: counts and shares, and where each is."""
        counts: list[PublishedCount] = []
        shares: list[PublishedShare] = []
        at_c: list[Where] = []
        at_s: list[Where] = []
        for name, t in self.tables.items():
            rows = list(t.shown.index)
            labels = [_row_label(row) for row in rows]
            for col in [*t.counts, *t.rates]:
                numbers = _Column(t.shown[col], t.raw[col], self.disclosure)
                for i, row in enumerate(rows):
                    item = t.cells(row, col)
                    if item is None:
                        continue
                    made = _published(numbers, i, name, f"{labels[i]}: {col}", item, t.decimals)
                    if made is not None and name in self.fixed:
                        made = replace(made, may_hide=False)
                    if isinstance(made, PublishedShare):
                        shares.append(made)
                        at_s.append((name, row, col))
                    elif made is not None:
                        counts.append(made)
                        at_c.append((name, row, col))
        return counts, shares, at_c, at_s

    def audit(self) -> AuditReport:
        """The audit of everything published so far."""
        counts, shares, _, _ = self.items()
        d = self.disclosure
        return audit_publication(
            counts,
            shares,
            min_count=d.min_count,
            max_count=d.max_count,
            whole=self.base.whole,
            n_cells=self.base.values.size,
            truth=self.base.values,
        )


class _Column:
    """One published column, read once for all its rows: each row's text, and whether
    its true value (rounded to whole people) is small, or below ``min_count``."""

    def __init__(self, shown: pd.Series, raw: pd.Series, d: DisclosureConfig):
        self.symbol = d.symbol
        self.texts: list[str] = shown.astype(str).tolist()
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        finite = np.isfinite(values)
        whole = np.where(finite, np.round(np.where(finite, values, 0.0)), 0.0)
        self.small: list[bool] = (finite & (whole >= d.min_count) & (whole <= d.max_count)).tolist()
        self.below: list[bool] = (finite & (whole < d.min_count)).tolist()


def _published(
    column: _Column, i: int, name: str, label: str, item: Item, decimals: int
) -> PublishedCount | PublishedShare | None:
    """Row ``i`` of a column as the audit sees it (None: it says nothing)."""
    text = column.texts[i]
    hidden = text == column.symbol
    try:
        value = None if hidden else float(text.replace(",", ""))
    except ValueError:
        return None  # missing (..) or not a number: says nothing
    if isinstance(item, Share):
        return PublishedShare(
            name,
            label,
            item.numerator.cells,
            item.denominator.cells,
            value,
            decimals=decimals,
            percent=item.percent,
            numerator_weights=item.numerator.weights,
            denominator_weights=item.denominator.weights,
        )
    if isinstance(item, Ratio):
        if value is None:
            return None  # a hidden rate says nothing of its count
        span = item.count_range(value)
        if span is None or not math.isfinite(span[1]):
            return None
        lo, hi = span
        return PublishedCount(
            name, label, item.count.cells, (lo + hi) / 2, item.count.weights, step=hi - lo
        )
    return PublishedCount(
        name,
        label,
        item.cells,
        value,
        item.weights,
        known=(0, None) if hidden and column.below[i] else (None, None),
        sensitive=hidden and column.small[i],
    )


def _row_label(row: Hashable) -> str:
    return " / ".join(map(str, row)) if isinstance(row, tuple) else str(row)


def audited(
    disclosure: DisclosureConfig,
    base: BaseCells,
    build: Callable[[Publication], Any],
    *,
    max_rounds: int = 6,
    fixed: Publication | None = None,
) -> Publication:
    """Every table ``build`` publishes, with what the audit of them all together hides,
    audited again and sealed. Raises :class:`EarlyHelpError` ("refusing to publish").

    ``fixed``: a publication already made (a run's), whose tables ``build`` publishes
    again as they were; only the new tables may have more hidden."""
    hide: dict[str, set[tuple[Hashable, str]]] = {}
    if fixed is not None:
        hide = {name: set(cells) for name, cells in fixed.hide.items()}
    frozen = frozenset(fixed.tables) if fixed is not None else frozenset()
    for _ in range(max_rounds):
        given = {k: frozenset(v) for k, v in hide.items()}
        pub = Publication(disclosure, base, given, fixed=frozen)
        build(pub)
        counts, shares, at_c, at_s = pub.items()
        protection = protect_publication(
            counts,
            shares,
            min_count=disclosure.min_count,
            max_count=disclosure.max_count,
            whole=base.whole,
            n_cells=base.values.size,
            truth=base.values,
        )
        added = [at_c[i] for i in protection.hidden_counts] + [
            at_s[j] for j in protection.hidden_shares
        ]
        if not added:
            pub.report = protection.report
            pub.sealed = True
            return pub
        for name, row, col in added:
            hide.setdefault(name, set()).add((row, col))
    raise EarlyHelpError(
        "refusing to publish: the tables, map and report could not be made safe together "
        f"in {max_rounds} rounds of further suppression; publish fewer tables, coarser "
        "areas, or raise [disclosure] max_count"
    )


def hides(pub: Publication) -> Iterable[Where]:
    """Every number the audit hid beyond table-by-table suppression."""
    for name, cells in pub.hide.items():
        for row, col in cells:
            yield (name, row, col)
