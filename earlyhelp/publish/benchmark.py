"""The benchmark folder: what ``earlyhelp benchmark`` publishes, and its section of the
run's board report.

Published (through small-number suppression, though DfE's figures are already public):
``tables/benchmark_latest.csv`` (each indicator's latest year: the council with its 95%
interval, its neighbours' average, England, and how it compares),
``benchmark_neighbours.csv``, ``benchmark_trend.csv``, ``benchmark_funnel.csv`` (every
council, with the limits around England) and ``benchmark.html`` (funnel plots and trends).
"""

from __future__ import annotations

__all__ = ["benchmark_product", "benchmark_summary", "report_lines"]

from collections.abc import Sequence
from pathlib import Path

import jinja2
import pandas as pd

from earlyhelp.benchmark import INDICATORS, Benchmark
from earlyhelp.config import Config
from earlyhelp.outputs import atomic_path
from earlyhelp.publish.benchmark_charts import funnel_plot, trend_plot
from earlyhelp.publish.folder import PUBLISHED, Page, Product, ReportSection
from earlyhelp.publish.suppressed import cell, interval, published

READ_WITH_CARE = (
    "Higher and lower say only that chance is an unlikely explanation of a difference (the "
    "council's 95% interval does not contain the comparator); councils record, count and "
    "organise their front doors differently, so a difference is a question to ask, never a "
    "verdict that a figure is good or bad (Munro 2011, Recommendation 4)."
)
_RATES = {
    "value": ["numerator", "denominator"],
    "lower": ["numerator", "denominator"],
    "upper": ["numerator", "denominator"],
}


def _tables(result: Benchmark, cfg: Config) -> dict[str, pd.DataFrame]:
    latest = result.latest.copy()
    latest.index = [INDICATORS[k].label for k in latest.index]
    latest.index.name = "indicator"
    tables = {
        "benchmark_latest": published(
            latest,
            cfg,
            counts=["numerator", "denominator"],
            rates=_RATES,
            derived={"vs_neighbours": "value", "vs_england": "value"},
            name="benchmark_latest.csv",
        )
    }
    for name, frame, key in (
        ("benchmark_neighbours", result.neighbour_values, "rank"),
        ("benchmark_trend", result.trend, "time_period"),
        ("benchmark_funnel", result.funnel, "code"),
    ):
        if frame.empty:
            continue
        frame = frame.copy()
        frame.index = [f"{i} | {k}" for i, k in zip(frame["indicator"], frame[key], strict=True)]
        frame.index.name = f"indicator | {key}"
        counts = [c for c in ("numerator", "denominator") if c in frame]
        rates = {k: v for k, v in _RATES.items() if k in frame}
        derived = {"position": "value"} if "position" in frame else {}
        tables[name] = published(
            frame.drop(columns=["indicator"]),
            cfg,
            counts=counts,
            rates=rates,
            derived=derived,
            name=f"{name}.csv",
        )
    return tables


def benchmark_product(result: Benchmark, *, cfg: Config, records: Sequence[object] = ()) -> Product:
    """Everything ``earlyhelp benchmark`` writes (see the module's description)."""
    tables = _tables(result, cfg)
    return Product(
        command="benchmark",
        cfg=cfg,
        inputs=tuple(vars(r) for r in records),
        tables=tables,
        pages=(_page(result, tables, cfg),),
        sections={"benchmark": _manifest_section(result)},
        report=_report_section(result, tables, cfg),
    )


def benchmark_summary(result: Benchmark, cfg: Config) -> str:
    """A few plain lines for the terminal."""
    return "\n".join(report_lines(result, _tables(result, cfg)))


def report_lines(result: Benchmark, tables: dict[str, pd.DataFrame]) -> list[str]:
    """The report's sentences, from published cells."""
    c = result.council
    sn = ", ".join(n.name for n in result.neighbours) or "none"
    model = f"DfE's {result.model} statistical neighbours" if result.model else "no neighbours"
    lines = [
        f"{c.name} ({c.code}) beside its {len(result.neighbours)} statistical neighbours "
        f"({model}: {sn}) and England, from DfE's children in need tables as published."
    ]
    latest = tables["benchmark_latest"]
    for vs, word in (("higher", "higher"), ("lower", "lower")):
        rows = latest[latest["vs_neighbours"] == vs]
        if len(rows):
            parts = [
                f"{label[0].lower()}{label[1:]} ({cell(r['value'])}{_unit(r['unit'])} in "
                f"{int(r['year'])}, 95% CI "
                f"{interval(r['lower'], r['upper'])}; neighbours {cell(r['neighbours_mean'])})"
                for label, r in rows.iterrows()
            ]
            lines.append(
                f"Significantly {word} than its neighbours' average: " + "; ".join(parts) + "."
            )
    funnel = result.funnel
    if not funnel.empty:
        outside = funnel["position"].str.contains("99.8").groupby(funnel["indicator"]).mean()
        lines.append(
            f"Across every council, between {100 * outside.min():.0f}% and "
            f"{100 * outside.max():.0f}% lie outside the 99.8% funnel limits around England, "
            "indicator by indicator: councils differ by far more than chance, so being outside "
            "says a difference is real, not that it is good or bad."
        )
    lines.extend(result.notes)
    lines.append(READ_WITH_CARE)
    return lines


def _unit(unit: str) -> str:
    return unit if unit == "%" else f" {unit}"


def _report_section(result: Benchmark, tables: dict, cfg: Config) -> ReportSection:
    latest = result.latest
    frame = pd.DataFrame(
        {
            "Year": [f"{y - 1}-{str(y)[2:]}" for y in latest["year"].astype(int)],
            "Count": latest["numerator"],
            f"{result.council.name}": latest["value"],
            "95% CI": "",
            "Neighbours' average": latest["neighbours_mean"].round(1),
            "England": latest["england"].round(1),
            "vs neighbours": latest["vs_neighbours"],
            "vs England": latest["vs_england"],
        }
    )
    frame.index = [f"{INDICATORS[k].label} ({INDICATORS[k].unit})" for k in latest.index]
    shown = published(
        frame,
        cfg,
        counts=["Count"],
        rates={result.council.name: ["Count"]},
        derived={"vs neighbours": result.council.name, "vs England": result.council.name},
        name="report section: benchmark",
    )
    shown["95% CI"] = [
        interval(lo, hi) for lo, hi in zip(latest["lower"], latest["upper"], strict=True)
    ]
    shown.loc[shown[result.council.name] == cfg.disclosure.symbol, "95% CI"] = cfg.disclosure.symbol
    title = f"How {result.council.name} compares: national figures beside its neighbours'"
    return ReportSection("benchmark", title, tuple(report_lines(result, tables)), shown)


def _manifest_section(result: Benchmark) -> dict:
    return {
        "council": vars(result.council),
        "neighbours": [vars(n) for n in result.neighbours],
        "neighbour_model": result.model,
        "indicators": list(result.latest.index),
        "notes": list(result.notes),
    }


def _page(result: Benchmark, tables: dict[str, pd.DataFrame], cfg: Config) -> Page:
    def draw(folder: Path) -> dict[str, str]:
        html = render_page(result, tables, cfg)
        with atomic_path(folder / "benchmark.html") as tmp:
            tmp.write_text(html, encoding="utf-8")
        return {"benchmark.html": f"{PUBLISHED} (funnel plots and trends)"}

    return draw


def render_page(result: Benchmark, tables: dict[str, pd.DataFrame], cfg: Config) -> str:
    """``benchmark.html``: one section per indicator (funnel, trend, neighbours)."""
    neighbours = [n.code for n in result.neighbours]
    latest = tables["benchmark_latest"]
    parts = []
    for key, ind in INDICATORS.items():
        if key not in result.latest.index:
            continue
        f = result.funnel[result.funnel["indicator"] == key] if not result.funnel.empty else None
        t = result.trend[result.trend["indicator"] == key]
        parts.append(
            {
                "key": key,
                "label": ind.label,
                "unit": ind.unit,
                "note": ind.note,
                "row": latest.loc[ind.label].to_dict(),
                "funnel": None
                if f is None
                else funnel_plot(
                    f,
                    council=result.council.code,
                    neighbours=neighbours,
                    statistic=ind.statistic,
                    per=ind.per,
                ),
                "trend": trend_plot(t),
            }
        )
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("earlyhelp", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("benchmark.html.j2").render(
        council=result.council,
        neighbours=result.neighbours,
        model=result.model,
        parts=parts,
        lines=report_lines(result, tables),
        run_name=cfg.run.name,
        symbol=cfg.disclosure.symbol,
    )
