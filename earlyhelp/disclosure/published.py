"""What is published, as the disclosure audit sees it: counts and shares of base cells.

See :mod:`earlyhelp.disclosure.audit` for the model. Both are frozen; :meth:`hide` gives
the hidden version. ``cells`` are stored as read-only integer arrays (so the classes compare
by identity, not value).
"""

from __future__ import annotations

__all__ = ["PublishedCount", "PublishedShare"]

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

_FEW = 64


def _index_array(cells: Any) -> np.ndarray:
    """Cells as a read-only int64 array: a read-only view of an int64 array given (no
    copy of a county's millions of cells), else a copy."""
    if not (type(cells) is np.ndarray and cells.dtype == np.int64):
        cells = np.asarray(cells, dtype=np.int64)
    out = cells.reshape(-1)  # a new view, or a copy
    # the least index (of a few, as Python ints: quicker than numpy's reduction)
    least = (min(out.tolist()) if out.size <= _FEW else out.min()) if out.size else 0
    if least < 0:
        raise ValueError("base cell indices must be non-negative")
    out.setflags(write=False)
    return out


def _weight_array(weights: Any, cells: np.ndarray, owner: Any) -> np.ndarray | None:
    """Weights as a read-only float array as long as ``cells`` (None stays None): a
    read-only view of a float64 array given (as for cells), else a copy. ``owner``
    (the count or share) is named in the error."""
    if weights is None:
        return None
    if not (type(weights) is np.ndarray and weights.dtype == np.float64):
        weights = np.asarray(weights, dtype=float)
    w = weights.reshape(-1)
    if w.shape != cells.shape:
        raise ValueError(f"{owner.where}: weights and cells differ in length")
    w.setflags(write=False)
    return w


@dataclass(frozen=True, eq=False)
class PublishedCount:
    """One count as published: where (``output``, ``label``), what it sums, what it shows.

    ``cells`` are indices of base cells; ``weights`` (same length, default all 1) make it a
    general linear sum. ``value`` is the number shown, or ``None`` when hidden; ``step`` is
    its rounding step (1: rounded to whole numbers; 0: exact; 5: to the nearest 5).
    ``may_hide`` says whether :func:`protect_publication` may hide it (a county total
    usually may not). ``sensitive`` (for a hidden count) says whether the audit must keep it
    from being worked out: True for a small count, False for one hidden only to protect
    another. ``known`` adds bounds a reader knows on the sum whether shown or hidden (``None``: none
    beyond the defaults; for a hidden count a known lower bound replaces ``min_count``), for
    example ``(0, None)`` for a hidden count that may be zero.
    """

    output: str
    label: str
    cells: np.ndarray
    value: float | None
    weights: np.ndarray | None = None
    step: float = 1.0
    may_hide: bool = True
    known: tuple[float | None, float | None] = (None, None)
    sensitive: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", _index_array(self.cells))
        object.__setattr__(self, "weights", _weight_array(self.weights, self.cells, self))
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"{self.where}: a shown value must be a finite number")
        if self.step < 0:
            raise ValueError(f"{self.where}: the rounding step must be >= 0")

    @property
    def where(self) -> str:
        return f"{self.output}: {self.label}"

    @property
    def hidden(self) -> bool:
        return self.value is None

    def hide(self, *, sensitive: bool = False) -> PublishedCount:
        """The same count, hidden (by default to protect another: not itself sensitive)."""
        return replace(self, value=None, sensitive=sensitive)


@dataclass(frozen=True, eq=False)
class PublishedShare:
    """A share ``num / den`` of base cells, shown as ``value`` to ``decimals`` places.

    ``percent=True``: ``value`` is a percentage (``12.5``), else a proportion (``0.125``).
    ``value=None``: hidden (it says nothing). ``may_hide``: whether
    :func:`protect_publication` may hide it. ``numerator_weights`` and
    ``denominator_weights`` (default all 1) make either side a weighted sum, as for
    :class:`PublishedCount`.
    """

    output: str
    label: str
    numerator: np.ndarray
    denominator: np.ndarray
    value: float | None
    decimals: int = 1
    percent: bool = True
    may_hide: bool = True
    numerator_weights: np.ndarray | None = None
    denominator_weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "numerator", _index_array(self.numerator))
        object.__setattr__(self, "denominator", _index_array(self.denominator))
        for side in ("numerator", "denominator"):
            w = _weight_array(getattr(self, f"{side}_weights"), getattr(self, side), self)
            object.__setattr__(self, f"{side}_weights", w)
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"{self.where}: a shown share must be a finite number")
        if self.decimals < 0:
            raise ValueError(f"{self.where}: decimals must be >= 0")

    @property
    def where(self) -> str:
        return f"{self.output}: {self.label}"

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def cells(self) -> np.ndarray:
        """Every base cell the share is built on."""
        return np.union1d(self.numerator, self.denominator)

    def hide(self) -> PublishedShare:
        """The same share, hidden."""
        return replace(self, value=None)
