"""The report's charts: their geometry here, their drawing in the template.

Each function returns numbers and already formatted labels for an inline SVG that the
template draws (no script, nothing to fetch); outside text such as district names is
escaped there. A district whose share is suppressed is left out of a chart and named
beside it.
"""

from __future__ import annotations

__all__ = ["bar_chart", "dot_chart", "funnel_chart"]

from typing import Any

import numpy as np

from earlyhelp.publish.plotting import Frame, ticks
from earlyhelp.publish.report.formats import fmt_count, fmt_pct, number
from earlyhelp.stats import funnel_limits

_COMPARISON_COLOUR = {
    "lower": "#d95f02",
    "higher": "#1b6ca8",
    "similar": "#6b6b6b",
    "not compared": "#6b6b6b",
}


def _known(cell: Any) -> float:
    """The number of a cell already known to be shown (the charts draw only those)."""
    value = number(cell)
    if value is None:
        raise ValueError(f"a chart was given a hidden or missing value: {cell!r}")
    return value


def dot_chart(districts: list[dict[str, Any]], county: float | None) -> dict[str, Any]:
    """Dot-and-whisker: each district's share (95% CI) against the county line."""
    width, left, right, top, row_h = 720, 170, 60, 30, 26
    shown = [d for d in districts if number(d["pct"]) is not None]
    hidden = [d["name"] for d in districts if number(d["pct"]) is None]
    shown.sort(key=lambda d: _known(d["pct"]))
    values = [
        v
        for d in shown
        for v in (number(d["lower"]), number(d["upper"]), number(d["pct"]))
        if v is not None
    ]
    if county is not None:
        values.append(county)
    lo = max(0.0, (min(values) if values else 0.0) - 5)
    hi = min(100.0, (max(values) if values else 100.0) + 5)
    lo, hi = np.floor(lo / 10) * 10, np.ceil(hi / 10) * 10
    plot_w = width - left - right

    def x(v: float) -> float:
        return round(left + (v - lo) / (hi - lo) * plot_w, 1)

    rows = []
    for i, d in enumerate(shown):
        v = _known(d["pct"])
        lv, uv = number(d["lower"]), number(d["upper"])
        rows.append(
            {
                "y": top + i * row_h + row_h / 2,
                "name": d["name"],
                "cx": x(v),
                "x1": x(lv if lv is not None else v),
                "x2": x(uv if uv is not None else v),
                "colour": _COMPARISON_COLOUR.get(d["vs_county"], "#6b6b6b"),
                "vs": d["vs_county"],
                "value": fmt_pct(d["pct"]),
                "ci": f"{fmt_pct(d['lower'])} to {fmt_pct(d['upper'])}",
                "shape": d["vs_county"],
            }
        )
    height = top + len(shown) * row_h + 44
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + len(shown) * row_h,
        "rows": rows,
        "county_x": None if county is None else x(county),
        "county": None if county is None else f"{county:.1f}%",
        "ticks": [{"x": x(t), "label": f"{t:g}%"} for t in ticks(lo, hi)],
        "hidden": hidden,
    }


def funnel_chart(
    districts: list[dict[str, Any]], county: float | None, *, phi: float
) -> dict[str, Any] | None:
    """Funnel plot: each district's share against its number of children, with the 95%
    and 99.8% control limits around the county share, widened by the same dispersion
    factor ``phi`` as the districts' intervals (so a district outside the 95% lines is
    exactly one the tables call significantly higher or lower)."""
    pts = [
        d for d in districts if number(d["pct"]) is not None and number(d["children"]) is not None
    ]
    if county is None or not pts:
        return None
    n_max = max(_known(d["children"]) for d in pts) * 1.15
    n_min = max(n_max / 200, 10.0)
    grid = np.geomspace(n_min, n_max, 120)
    limits = funnel_limits(grid, county, statistic="proportion", per=100.0, phi=phi)
    values = [_known(d["pct"]) for d in pts] + [county]
    y_lo = max(0.0, np.floor((min(values) - 10) / 10) * 10)
    y_hi = min(100.0, np.ceil((max(values) + 10) / 10) * 10)
    f = Frame(720, 380, 70, 170, 20, 50, x_max=n_max, y_lo=y_lo, y_hi=y_hi)
    points = []
    for d in pts:
        v = _known(d["pct"])
        points.append(
            {
                "cx": f.x(_known(d["children"])),
                "cy": f.y(v),
                "name": d["name"],
                "value": fmt_pct(d["pct"]),
                "children": fmt_count(d["children"]),
                "colour": _COMPARISON_COLOUR.get(d["vs_county"], "#6b6b6b"),
            }
        )
    labels = [*points, {"cy": f.y(county), "name": f"County {county:.1f}%", "county": True}]
    _place_labels(labels, x=f.width - f.right + 14, gap=13.0, top=f.top, bottom=f.height - f.bottom)
    return {
        **f.box(),
        "lines": f.funnel_lines(grid, limits),
        "county_y": f.y(county),
        "county_label": labels[-1],
        "phi": phi,
        "points": points,
        "x_ticks": f.x_ticks(),
        "y_ticks": [{"y": f.y(t), "label": f"{t:g}%"} for t in ticks(y_lo, y_hi)],
    }


def _place_labels(
    labels: list[dict[str, Any]], *, x: float, gap: float, top: float, bottom: float
) -> None:
    """Put labels in a column at ``x``, each near its point's height (``cy``) but at least
    ``gap`` apart, kept between ``top`` and ``bottom``; sets ``lx`` and ``ly``."""
    order = sorted(range(len(labels)), key=lambda i: labels[i]["cy"])
    wanted = [labels[i]["cy"] for i in order]
    placed: list[float] = []
    for want in wanted:  # downwards, no closer than gap
        placed.append(max(want, placed[-1] + gap) if placed else max(want, top + gap / 2))
    overflow = placed[-1] - bottom if placed else 0.0
    if overflow > 0:  # then upwards from the bottom, if the column ran off the plot
        placed[-1] -= overflow
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    for i, ly in zip(order, placed, strict=True):
        labels[i]["lx"], labels[i]["ly"] = round(x, 1), round(ly, 1)


def bar_chart(
    bars: list[tuple[str, float | None]], county: float | None, *, unit: str
) -> dict[str, Any]:
    """Horizontal bars (for example spend per child), with the county value as a line."""
    width, left, right, top, row_h = 720, 170, 70, 24, 24
    shown = sorted(((n, v) for n, v in bars if v is not None), key=lambda b: b[1])
    top_value = max([v for _, v in shown] + ([county] if county else []) + [1.0])
    plot_w = width - left - right

    def x(v: float) -> float:
        return round(left + v / top_value * plot_w, 1)

    rows = [
        {
            "y": top + i * row_h,
            "h": row_h - 6,
            "name": name,
            "w": round(x(v) - left, 1),
            "label": f"{unit}{v:,.0f}",
        }
        for i, (name, v) in enumerate(shown)
    ]
    return {
        "width": width,
        "height": top + len(rows) * row_h + 30,
        "left": left,
        "top": top,
        "bottom": top + len(rows) * row_h,
        "rows": rows,
        "county_x": None if county is None else x(county),
        "county": None if county is None else f"{unit}{county:,.0f}",
    }
