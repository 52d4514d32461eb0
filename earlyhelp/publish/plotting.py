"""What the report's and the benchmark page's inline SVG charts share: tick values and
the frame of a chart (its box and scales), with a funnel plot's control-limit lines.

The charts return numbers and formatted labels for a template to draw; this module
turns data values into SVG coordinates, rounded to 0.1 px.
"""

from __future__ import annotations

__all__ = ["Frame", "ticks"]

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


def ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round values (1, 2, 2.5 or 5 times a power of ten apart) from ``lo``
    to ``hi``."""
    span = max(hi - lo, 1e-9)
    raw = span / n
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(start, hi + step * 1e-6, step)]


@dataclass(frozen=True)
class Frame:
    """A chart ``width`` x ``height`` px with margins ``left``, ``right``, ``top``,
    ``bottom``; x runs from 0 to ``x_max``, y from ``y_lo`` (bottom) to ``y_hi``."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_max: float
    y_lo: float
    y_hi: float

    def x(self, value: float) -> float:
        return round(self.left + value / self.x_max * (self.width - self.left - self.right), 1)

    def y(self, value: float) -> float:
        """The height of ``value``, kept inside the frame."""
        value = min(max(value, self.y_lo), self.y_hi)
        plot_h = self.height - self.top - self.bottom
        return round(self.top + (self.y_hi - value) / (self.y_hi - self.y_lo) * plot_h, 1)

    def box(self) -> dict[str, Any]:
        """The plot area's edges, as the templates read them."""
        return {
            "width": self.width,
            "height": self.height,
            "left": self.left,
            "right": self.width - self.right,
            "top": self.top,
            "bottom": self.height - self.bottom,
        }

    def funnel_lines(
        self, grid: np.ndarray, limits: Mapping[str, np.ndarray]
    ) -> dict[str, tuple[str, str]]:
        """The 95% and 99.8% control limits (:func:`earlyhelp.stats.funnel_limits` over
        ``grid``) as SVG polyline points, lower and upper."""

        def line(col: str) -> str:
            return " ".join(
                f"{self.x(n)},{self.y(v)}" for n, v in zip(grid, limits[col], strict=True)
            )

        return {
            "95": (line("lower_95"), line("upper_95")),
            "99_8": (line("lower_99_8"), line("upper_99_8")),
        }

    def x_ticks(self) -> list[dict[str, Any]]:
        """Counts along x from 0, labelled with thousands separators."""
        return [
            {"x": self.x(t), "label": f"{t:,.0f}"} for t in ticks(0, self.x_max) if t <= self.x_max
        ]
