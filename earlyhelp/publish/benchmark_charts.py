"""The benchmark page's charts: their geometry here, their drawing in the template
(``benchmark.html.j2``: inline SVG, no script, nothing to fetch; names are escaped there).

- a **funnel plot** per indicator: every council's value against its denominator, the
  95% and 99.8% limits around England, the council and its statistical neighbours
  marked;
- a **trend** per indicator: the council's value with its 95% interval each year, its
  neighbours' average and England.
"""

from __future__ import annotations

__all__ = ["funnel_plot", "trend_plot"]

from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.publish.plotting import Frame, ticks
from earlyhelp.stats import funnel_limits

_W, _H, _L, _R, _T, _B = 720, 340, 70, 30, 20, 50
COUNCIL_COLOUR = "#b34700"
NEIGHBOUR_COLOUR = "#1b6ca8"
OTHER_COLOUR = "#b8b8c0"
ENGLAND_COLOUR = "#1d1d1f"


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"


def funnel_plot(
    funnel: pd.DataFrame, *, council: str, neighbours: list[str], statistic: str, per: float
) -> dict[str, Any] | None:
    """Geometry of one indicator's funnel (``funnel``: that indicator's rows of
    :attr:`earlyhelp.benchmark.Benchmark.funnel`)."""
    if funnel.empty:
        return None
    england = float(funnel["england"].iloc[0])
    n = funnel["denominator"].to_numpy(float)
    v = funnel["value"].to_numpy(float)
    n_max = float(n.max()) * 1.05
    grid = np.geomspace(max(n.min() * 0.8, 1.0), n_max, 120)
    kind = "proportion" if statistic == "percent" else "rate"
    limits = funnel_limits(grid, england, statistic=kind, per=per)
    y_lo = max(0.0, float(min(v.min(), limits["lower_99_8"].min())) * 0.95)
    y_hi = float(max(v.max(), limits["upper_99_8"].max())) * 1.05
    if statistic == "percent":
        y_hi = min(y_hi, 100.0)
    f = Frame(_W, _H, _L, _R, _T, _B, x_max=n_max, y_lo=y_lo, y_hi=y_hi)
    points = []
    for row in funnel.itertuples():
        role = (
            "council"
            if row.code == council
            else ("neighbour" if row.code in neighbours else "other")
        )
        points.append(
            {
                "cx": f.x(row.denominator),
                "cy": f.y(row.value),
                "name": row.name,
                "value": _fmt(row.value),
                "role": role,
                "colour": {"council": COUNCIL_COLOUR, "neighbour": NEIGHBOUR_COLOUR}.get(
                    role, OTHER_COLOUR
                ),
                "r": 6 if role == "council" else 4 if role == "neighbour" else 3,
            }
        )
    points.sort(key=lambda p: {"other": 0, "neighbour": 1, "council": 2}[p["role"]])
    outside = int((funnel["position"].str.contains("99.8")).sum())
    return {
        **f.box(),
        "england_y": f.y(england),
        "england": _fmt(england),
        "lines": f.funnel_lines(grid, limits),
        "points": points,
        "x_ticks": f.x_ticks(),
        "y_ticks": [{"y": f.y(t), "label": _fmt(t)} for t in ticks(y_lo, y_hi)],
        "councils": len(funnel),
        "outside": outside,
    }


def trend_plot(trend: pd.DataFrame) -> dict[str, Any] | None:
    """Geometry of one indicator's trend (``trend``: that indicator's rows of
    :attr:`earlyhelp.benchmark.Benchmark.trend`)."""
    t = trend.sort_values("time_period")
    if t.empty:
        return None
    years = t["time_period"].to_numpy(int)
    cols = ["value", "lower", "upper", "neighbours_mean", "england"]
    values = t[cols].to_numpy(float)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    lo, hi = max(0.0, finite.min() * 0.9), finite.max() * 1.1
    plot_w, plot_h = _W - _L - _R - 120, _H - _T - _B
    span = max(years.max() - years.min(), 1)

    def x(year: float) -> float:
        return round(_L + (year - years.min()) / span * plot_w, 1)

    def y(value: float) -> float:
        return round(_T + (hi - value) / (hi - lo) * plot_h, 1)

    def path(col: str) -> list[str]:
        """Polyline pieces, broken where a year has no value."""
        pieces, current = [], []
        for year, value in zip(years, t[col].to_numpy(float), strict=True):
            if np.isfinite(value):
                current.append(f"{x(year)},{y(value)}")
            elif current:
                pieces.append(" ".join(current))
                current = []
        if current:
            pieces.append(" ".join(current))
        return pieces

    whiskers = [
        {"x": x(yr), "y1": y(lo_), "y2": y(hi_), "cy": y(v), "label": _fmt(v), "year": int(yr)}
        for yr, v, lo_, hi_ in zip(years, t["value"], t["lower"], t["upper"], strict=True)
        if np.isfinite(v) and np.isfinite(lo_) and np.isfinite(hi_)
    ]
    missing = [
        {"x": x(yr), "symbol": str(s) or "..", "year": int(yr)}
        for yr, v, s in zip(years, t["value"], t["symbol"], strict=True)
        if not np.isfinite(v)
    ]
    return {
        "width": _W,
        "height": _H,
        "left": _L,
        "right": _L + plot_w,
        "top": _T,
        "bottom": _H - _B,
        "council": path("value"),
        "neighbours": path("neighbours_mean"),
        "england": path("england"),
        "whiskers": whiskers,
        "missing": missing,
        "x_ticks": [{"x": x(yr), "label": str(yr)} for yr in years],
        "y_ticks": [{"y": y(v), "label": _fmt(v)} for v in ticks(lo, hi)],
        "legend_x": _L + plot_w + 14,
    }
