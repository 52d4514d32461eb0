"""The board report: one self-contained HTML file that a board member reads without help.

Structured on the sufficiency duty of Munro's review (2011), Recommendation 10: the range
of help against the local profile of need, how help is identified and offered, and its
resourcing; with Recommendation 6 (value for money) and Recommendation 4 (figures are for
learning and benchmarking, not verdicts, so every share carries its 95% confidence
interval). Sections:

1. a plain-English summary and four headline figures;
2. the range of help against need, category by category;
3. reach by district: the share of children with the full core range within reach, as a
   dot-and-whisker chart against the county and a funnel plot, and each category's reach
   district by district, significance against the county marked;
4. resourcing and value for money;
5. priority gaps, ranked;
6. siting and scenarios (where run; otherwise a "not run" placeholder);
7. how help is identified and offered;
8. data sources, method and caveats; 9. links to the maps.

Publication rules
    Every count of children shown at district level or finer (and every county total beside
    them) comes out of :func:`earlyhelp.disclosure.suppress` with the run's
    ``DisclosureConfig`` and passes :func:`earlyhelp.disclosure.check_publishable`; shares
    built on a hidden count are hidden with it, in tables and charts alike.
    Every piece of outside text (district, area and service names, category and indicator
    labels from config) reaches the page through Jinja2 with ``autoescape=True`` and is never
    marked safe. Charts are inline SVG drawn by the template from numbers computed here: no
    script, no network, nothing to fetch.

Example
-------
>>> from earlyhelp.assessment import assess                                   # doctest: +SKIP
>>> from earlyhelp.config import load_config                                  # doctest: +SKIP
>>> a = assess(load_config("config.toml"))                                    # doctest: +SKIP
>>> write_report(a, "maps/demo/report.html", map_links={"county": "index.html"})  # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "COUNTY_LINK",
    "build_report",
    "map_links_in",
    "report_for_run",
    "write_report",
]

import datetime as dt
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import jinja2
import numpy as np
import pandas as pd

from earlyhelp.assessment import Assessment, publishable_summary
from earlyhelp.config import Config
from earlyhelp.disclosure import MISSING, check_publishable, suppress
from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.need import AGE_BANDS
from earlyhelp.outputs import atomic_path, header_with_unit
from earlyhelp.provision import SECTORS
from earlyhelp.stats import clustered_share_ci, funnel_limits, overdispersion
from earlyhelp.units import shown as shown_cost

# Key of the board map in ``map_links``; every other key is a district code.
COUNTY_LINK = "county"

_RANKED_GAPS = 15  # (district, category) pairs listed among the priority gaps
_RANKED_AREAS = 10  # small areas listed among the priority gaps


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def write_report(
    assessment: Assessment,
    path: str | Path,
    *,
    map_links: Mapping[str, str | Path] | None = None,
    siting: pd.DataFrame | None = None,
    scenarios: pd.DataFrame | None = None,
    notes: Sequence[str] = (),
    generated: dt.datetime | None = None,
) -> Path:
    """Write the board report for ``assessment`` to ``path`` (atomically); return the path.

    Parameters
    ----------
    assessment
        A run with sufficiency (``assess(cfg)``).
    path
        Where to write the HTML file (usually ``<run folder>/report.html``).
    map_links
        ``{"county": "index.html", "<district code>": "district-<code>.html", ...}``: the
        maps to link to, as paths relative to the report's folder (absolute paths are made
        relative to it). None or empty: the report says the maps were not drawn.
    siting, scenarios
        Published results of the siting and scenario analyses, if they were run: tables
        made by :func:`earlyhelp.disclosure.suppress` (anything else is refused). None
        gives a "not run" section.
    notes
        Extra caveats to show (for example that the maps were made from other inputs).
    generated
        The time stamped on the report (default: now).
    """
    path = Path(path)
    html = build_report(
        assessment,
        map_links=_relative_links(map_links or {}, path.parent),
        siting=siting,
        scenarios=scenarios,
        notes=notes,
        generated=generated,
    )
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def build_report(
    assessment: Assessment,
    *,
    map_links: Mapping[str, str] | None = None,
    siting: pd.DataFrame | None = None,
    scenarios: pd.DataFrame | None = None,
    notes: Sequence[str] = (),
    generated: dt.datetime | None = None,
) -> str:
    """The report as an HTML string (see :func:`write_report`; links are used as given)."""
    if assessment.sufficiency is None:
        raise EarlyHelpError(
            "report: this run measured access only; the board report needs the sufficiency "
            "analysis (make it with 'earlyhelp run', or call assess(cfg) with sufficiency=True)"
        )
    context = _context(
        assessment,
        map_links=_checked_links(map_links or {}),
        siting=siting,
        scenarios=scenarios,
        notes=notes,
        generated=generated or dt.datetime.now(dt.UTC),
    )
    return _environment().get_template("report.html.j2").render(**context)


def map_links_in(run_dir: str | Path, district_codes: Sequence[str]) -> dict[str, str]:
    """The maps present in a run folder: ``index.html`` and ``district-<code>.html``."""
    from earlyhelp.maps.safety import safe_filename

    run_dir = Path(run_dir)
    links: dict[str, str] = {}
    if (run_dir / "index.html").is_file():
        links[COUNTY_LINK] = "index.html"
    for code in district_codes:
        names = (
            f"district-{safe_filename(code, default='district')}.html",
            f"district-{code}.html",
        )
        for name in names:
            if (run_dir / name).is_file():
                links[str(code)] = name
                break
    return links


def report_for_run(cfg: Config, run_dir: str | Path | None = None) -> Path:
    """Assess ``cfg`` and write ``<run folder>/report.html``, linking the maps found there.

    When the run folder's ``manifest.json`` lists inputs whose contents differ from the
    inputs read now, the report says so (its maps and tables are from other data).
    """
    from earlyhelp.assessment import assess, input_paths
    from earlyhelp.outputs import check_not_inputs

    run_dir = Path(run_dir or cfg.run_dir)
    target = run_dir / "report.html"
    check_not_inputs([target], input_paths(cfg))
    assessment = assess(cfg)
    codes = pd.unique(assessment.areas["district_code"].astype("string").dropna())
    notes = _manifest_notes(run_dir / "manifest.json", assessment)
    return write_report(
        assessment, target, map_links=map_links_in(run_dir, list(codes)), notes=notes
    )


# --------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _relative_links(links: Mapping[str, str | Path], base: Path) -> dict[str, str]:
    out = {}
    for key, target in links.items():
        p = Path(target)
        if p.is_absolute():
            p = Path(os.path.relpath(p, base.resolve()))
        out[str(key)] = p.as_posix()
    return out


def _checked_links(links: Mapping[str, str]) -> dict[str, str]:
    """Relative file links only, percent-encoded: no scheme (javascript:, http:), no root."""
    out = {}
    for key, target in links.items():
        text = str(target).replace("\\", "/")
        if _SCHEME.match(text) or text.startswith("/") or not text:
            raise InputError(
                f"report: map link '{target}' for '{key}' must be a path relative to the "
                "report's folder, such as index.html"
            )
        out[str(key)] = quote(str(PurePosixPath(text)), safe="/-_.~")
    return out


def _manifest_notes(manifest: Path, assessment: Assessment) -> list[str]:
    if not manifest.is_file():
        return []
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("inputs", [])
    except (OSError, ValueError):
        return ["The run folder's manifest.json could not be read."]
    now = {r.role: r.sha256 for r in assessment.inputs.records}
    changed = sorted(
        r.get("role", "?")
        for r in recorded
        if r.get("role") in now and r.get("sha256") != now[r.get("role")]
    )
    if not changed:
        return []
    return [
        "The maps and tables in this run folder were made from different "
        f"{', '.join(changed)} files from those this report was made from; run "
        "earlyhelp run again so that they agree."
    ]


# --------------------------------------------------------------------------------------
# Templates and formatting
# --------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("earlyhelp", "templates"),
        autoescape=True,  # every value is HTML-escaped; outside text is never marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(count=fmt_count, pct=fmt_pct, money=fmt_money, num=fmt_num)
    return env


def _number(cell: Any) -> float | None:
    """A published cell as a number, or None for a symbol (``*``, ``..``) or missing."""
    if cell is None or cell is pd.NA:
        return None
    try:
        value = float(cell)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(value) else value


def _shown(cell: Any) -> str:
    """What a cell that is not a number shows: the suppression symbol, or ``..``."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
        return MISSING
    return str(cell)


def fmt_count(cell: Any) -> str:
    """``301247`` -> ``301,247``; symbols pass through."""
    v = _number(cell)
    return _shown(cell) if v is None else f"{v:,.0f}"


def fmt_pct(cell: Any, decimals: int = 1) -> str:
    """``45.78`` -> ``45.8%``; symbols pass through."""
    v = _number(cell)
    return _shown(cell) if v is None else f"{v:.{decimals}f}%"


def fmt_money(cell: Any) -> str:
    """``270.18`` -> ``£270``; ``81391800`` -> ``£81,391,800``; symbols pass through."""
    v = _number(cell)
    return _shown(cell) if v is None else f"£{v:,.0f}"


def fmt_num(cell: Any, decimals: int = 1) -> str:
    """A plain number with thousands separators; symbols pass through."""
    v = _number(cell)
    return _shown(cell) if v is None else f"{v:,.{decimals}f}"


# --------------------------------------------------------------------------------------
# Publication
# --------------------------------------------------------------------------------------


def _publish(
    cfg: Config,
    frame: pd.DataFrame,
    *,
    name: str,
    counts: Sequence[str],
    rates: Mapping[str, str | Sequence[str]] | None = None,
    total_row: Any = None,
    column_totals: Mapping[str, Sequence[str]] | None = None,
    decimals: int = 1,
) -> pd.DataFrame:
    """``frame`` through small-number suppression, checked as publishable."""
    d = cfg.disclosure
    out = suppress(
        frame,
        count_columns=list(counts),
        rate_columns=dict(rates or {}),
        min_count=d.min_count,
        max_count=d.max_count,
        symbol=d.symbol,
        total_row=total_row,
        column_totals=column_totals,
        decimals=decimals,
    )
    check_publishable(out, name=f"report.html: {name}")
    return out


def _label(cfg: Config, key: str) -> str:
    cat = cfg.categories.get(key)
    return (cat.label if cat is not None else "") or key


# --------------------------------------------------------------------------------------
# The report's content
# --------------------------------------------------------------------------------------


def _context(
    a: Assessment,
    *,
    map_links: dict[str, str],
    siting: pd.DataFrame | None,
    scenarios: pd.DataFrame | None,
    notes: Sequence[str],
    generated: dt.datetime,
) -> dict[str, Any]:
    cfg = a.config
    summary = publishable_summary(a)
    check_publishable(summary, name="report.html: district summary")
    districts = _district_rows(summary, map_links)
    categories = _range_of_help(a)
    heat = _reach_by_district(a, summary)
    money = _resourcing(a)
    gaps = _priority_gaps(a)
    county = summary.loc["County"]
    context = {
        "title": f"Early help sufficiency: {cfg.run.description or cfg.run.name}",
        "run_name": cfg.run.name,
        "description": cfg.run.description,
        "data_date": cfg.run.data_date,
        "generated": generated.strftime("%d %B %Y, %H:%M UTC"),
        "symbol": cfg.disclosure.symbol,
        "disclosure": cfg.disclosure,
        "missing": MISSING,
        "county": {
            "children": county["children"],
            "pct": county["pct_full_core_range"],
            "lower": county["pct_lower"],
            "upper": county["pct_upper"],
            "full": county["children_full_core_range"],
            "priority": county["priority_gap_children"],
            "areas": int(county["areas"]),
            "areas_missing": int(county["areas_missing_range"]),
            "capacity_per_1000": county["capacity_per_1000"],
            "adequate": county["pct_adequate_places"],
            "spend_per_child": county["spend_per_child"],
        },
        "districts": districts,
        "lower": [d for d in districts if d["vs_county"] == "lower"],
        "thin": [d for d in districts if d["adequate_vs_county"] == "lower"],
        "higher": [d for d in districts if d["vs_county"] == "higher"],
        "categories": categories,
        "heat": heat,
        "money": money,
        "gaps": gaps,
        "core_labels": [_label(cfg, k) for k, c in cfg.categories.items() if c.required],
        "charts": {
            "dots": _dot_chart(districts, _number(county["pct_full_core_range"])),
            "funnel": _funnel_chart(districts, _number(county["pct_full_core_range"])),
            "spend": _bar_chart(
                [(d["name"], _number(d["spend_per_child"])) for d in districts],
                _number(county["spend_per_child"]),
                unit="£",
            ),
        },
        "siting": _optional_table(siting, "siting results"),
        "scenarios": _optional_table(scenarios, "scenario results"),
        "sources": _sources(a),
        "method": _method(a),
        "caveats": [*notes, *_caveats(a, money)],
        "map_links": map_links,
        "county_map": map_links.get(COUNTY_LINK),
        "district_maps": [d for d in districts if d["href"]],
    }
    context["headline"] = _headline(context)
    return context


def _district_rows(summary: pd.DataFrame, links: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for code, row in summary.drop(index="County").iterrows():
        rows.append(
            {
                "code": str(code),
                "name": str(row["district_name"]),
                "href": links.get(str(code)),
                "children": row["children"],
                "full": row["children_full_core_range"],
                "pct": row["pct_full_core_range"],
                "lower": row["pct_lower"],
                "upper": row["pct_upper"],
                "vs_county": str(row["vs_county"]),
                "priority": row["priority_gap_children"],
                "areas": int(row["areas"]),
                "areas_missing": int(row["areas_missing_range"]),
                "capacity_per_1000": row["capacity_per_1000"],
                "adequate": row["pct_adequate_places"],
                "adequate_vs_county": str(row["adequate_vs_county"]),
                "spend_per_child": row["spend_per_child"],
            }
        )
    return rows


def _children(a: Assessment) -> pd.Series:
    """Children 0-19 per area."""
    need = a.inputs.need.reindex(a.areas.index)
    return need[list(AGE_BANDS)].sum(axis=1).fillna(0.0)


def _range_of_help(a: Assessment) -> dict[str, Any]:
    """Section 2: each category's services, reach and the need that calls for it."""
    cfg, suff = a.config, a.sufficiency
    gaps = suff.gaps
    reach = gaps.pivot(index="area_code", columns="category", values="within_reach")
    kids = gaps.pivot(index="area_code", columns="category", values="children")
    called = a.sufficiency.called.reindex(
        index=reach.index, columns=reach.columns, fill_value=False
    )
    missing = called.astype(bool) & ~reach.astype(bool)
    elig = a.access.eligibility
    rows = []
    for key in cfg.categories:
        sub = gaps[gaps["category"] == key]
        n = float(sub["children"].sum())
        out = float(sub["children_out_of_reach"].sum())
        lo, hi = _county_limits(sub)
        rows.append(
            {
                "category": key,
                "children": n,
                "within": n - out,
                "out_of_reach": out,
                "pct": 100 * (n - out) / n if n else np.nan,
                "lower": 100 * float(lo),
                "upper": 100 * float(hi),
                "children_lacking_called": float(kids[key].where(missing[key], 0.0).sum())
                if key in kids
                else 0.0,
            }
        )
    table = pd.DataFrame(rows).set_index("category")
    shown = _publish(
        cfg,
        table,
        name="range of help",
        counts=["children", "within", "out_of_reach", "children_lacking_called"],
        rates={k: ["out_of_reach", "children"] for k in ("pct", "lower", "upper")},
        column_totals={"children": ["within", "out_of_reach"]},
    )
    out_rows = []
    for key, cat in cfg.categories.items():
        e = elig.loc[key] if key in elig.index else None
        out_rows.append(
            {
                "key": key,
                "label": _label(cfg, key),
                "core": cat.required,
                "ages": f"{cat.min_age:g}-{cat.max_age:g}",
                "local": int(e["local"]) if e is not None else 0,
                "remote": int(e["remote"]) if e is not None else 0,
                "inactive": int(e["not_active"]) if e is not None else 0,
                "children": shown.loc[key, "children"],
                "out_of_reach": shown.loc[key, "out_of_reach"],
                "pct": shown.loc[key, "pct"],
                "lower": shown.loc[key, "lower"],
                "upper": shown.loc[key, "upper"],
                "areas_called": int(called[key].sum()) if key in called else 0,
                "areas_lacking": int(missing[key].sum()) if key in missing else 0,
                "children_lacking": shown.loc[key, "children_lacking_called"],
                "out_raw": float(table.loc[key, "out_of_reach"]),
                "lacking_raw": int(missing[key].sum()) if key in missing else 0,
            }
        )
    most_out = sorted(
        (r for r in out_rows if (_number(r["out_of_reach"]) or 0.0) > 0),
        key=lambda r: -r["out_raw"],
    )[:3]
    lacking = sorted(
        (r for r in out_rows if r["lacking_raw"] > 0), key=lambda r: -r["lacking_raw"]
    )[:3]
    range_table = suff.range
    areas_lacking = int((range_table["missing_called_for"].astype("string").fillna("") != "").sum())
    return {
        "rows": out_rows,
        "most_out": most_out,
        "lacking": lacking,
        "areas_lacking_any": areas_lacking,
        "sectors": _sectors(a),
    }


def _sectors(a: Assessment) -> list[dict[str, Any]]:
    """Share of children 0-19 living where each sector has an active service in reach."""
    cfg, range_table = a.config, a.sufficiency.range
    if "sectors_within_reach" not in range_table:
        return []
    kids = _children(a)
    listed = range_table["sectors_within_reach"].astype("string").fillna("").reindex(kids.index)
    rows = {}
    for sector in SECTORS:
        has = listed.str.split("; ").map(lambda items, s=sector: s in (items or []))
        rows[sector] = {"children": kids.sum(), "within": kids[has.fillna(False)].sum()}
    table = pd.DataFrame(rows).T
    table["out_of_reach"] = table["children"] - table["within"]
    table["pct"] = 100 * table["within"] / table["children"].where(table["children"] > 0)
    shown = _publish(
        cfg,
        table,
        name="sectors within reach",
        counts=["children", "within", "out_of_reach"],
        rates={"pct": ["out_of_reach", "children"]},
        column_totals={"children": ["within", "out_of_reach"]},
    )
    reach = cfg.sufficiency.sector_reach(a.access.params["unit"])
    words = f"{shown_cost(reach['urban'], a.access.params['unit'], spec='g')} urban, "
    words += f"{shown_cost(reach['rural'], a.access.params['unit'], spec='g')} rural"
    return [
        {"sector": sector, "pct": shown.loc[sector, "pct"], "reach": words} for sector in SECTORS
    ]


def _county_limits(gaps: pd.DataFrame) -> tuple[float, float]:
    """95% limits of the county's share of a category's children within reach, with the
    areas as clusters, as every district's (:func:`earlyhelp.stats.clustered_share_ci`)."""
    within = (gaps["children"] - gaps["children_out_of_reach"]).to_numpy(dtype=float)
    limits = clustered_share_ci(
        within, gaps["children"].to_numpy(dtype=float), np.zeros(len(gaps), dtype=int)
    )
    if limits.empty:
        return np.nan, np.nan
    return float(limits["lower"].iloc[0]), float(limits["upper"].iloc[0])


def _reach_by_district(a: Assessment, summary: pd.DataFrame) -> dict[str, Any]:
    """Section 3: each category's share within reach, district by district."""
    cfg, d = a.config, a.sufficiency.districts
    rows = d[d["measure"] == "share_within_reach"]
    names = summary["district_name"].drop(index="County")
    codes = list(names.index)
    frames = []
    for key in cfg.categories:
        sub = rows[rows["category"] == key].set_index("district_code").reindex(codes)
        num = sub["numerator"].astype(float).fillna(0.0)
        den = sub["denominator"].astype(float).fillna(0.0)
        part = pd.DataFrame(
            {
                "within": num,
                "out_of_reach": den - num,
                "children": den,
                "pct": 100 * sub["value"].astype(float),
                "lower": 100 * sub["lower"].astype(float),
                "upper": 100 * sub["upper"].astype(float),
            }
        )
        total_n, total_d = float(num.sum()), float(den.sum())
        lo, hi = _county_limits(a.sufficiency.gaps[a.sufficiency.gaps["category"] == key])
        part.loc["County"] = {
            "within": total_n,
            "out_of_reach": total_d - total_n,
            "children": total_d,
            "pct": 100 * total_n / total_d if total_d else np.nan,
            "lower": 100 * float(lo),
            "upper": 100 * float(hi),
        }
        part.index = pd.MultiIndex.from_product([[key], part.index], names=["category", "code"])
        frames.append(part)
    table = pd.concat(frames)
    shown = _publish(
        cfg,
        table,
        name="reach by category and district",
        counts=["within", "out_of_reach", "children"],
        rates={k: ["out_of_reach", "children"] for k in ("pct", "lower", "upper")},
        total_row="County",
        column_totals={"children": ["within", "out_of_reach"]},
    )
    comparison = rows.set_index(["category", "district_code"])["comparison"]
    out = []
    for key in cfg.categories:
        cells = []
        for code in codes:
            cell = shown.loc[(key, code)]
            visible = _number(cell["pct"]) is not None
            cells.append(
                {
                    "pct": cell["pct"],
                    "lower": cell["lower"],
                    "upper": cell["upper"],
                    "vs": str(comparison.get((key, code), "not compared")) if visible else "",
                }
            )
        out.append(
            {
                "label": _label(cfg, key),
                "county": shown.loc[(key, "County"), "pct"],
                "cells": cells,
            }
        )
    return {"districts": [str(names[c]) for c in codes], "rows": out}


def _resourcing(a: Assessment) -> dict[str, Any]:
    """Section 4: spend and value for money per district and for the county."""
    cfg = a.config
    table = a.sufficiency.resourcing.copy()
    counts = ["children", "reached"]
    rates = {
        "spend_per_child": "children",
        "cost_per_child_reached": "reached",
        "capacity_used": ["reached"],
    }
    if "children_in_need" in table:
        counts.append("children_in_need")
        rates["spend_per_child_in_need"] = "children_in_need"
    table["capacity_used"] = 100 * table["capacity_used"]
    shown = _publish(
        cfg, table, name="resourcing", counts=counts, rates=rates, total_row="county", decimals=2
    )
    rows = []
    for code, row in shown.iterrows():
        rows.append(
            {
                "code": str(code),
                "name": "County" if code == "county" else str(row["district_name"]),
                "is_county": code == "county",
                "annual_cost": row["annual_cost"],
                "services": int(row["services"]),
                "without_cost": int(row["services_without_cost"]),
                "places": row["places"],
                "children": row["children"],
                "spend_per_child": row["spend_per_child"],
                "children_in_need": row.get("children_in_need"),
                "spend_per_child_in_need": row.get("spend_per_child_in_need"),
                "cost_per_place": row["cost_per_place"],
                "reached": row["reached"],
                "cost_per_child_reached": row["cost_per_child_reached"],
                "capacity_used": row["capacity_used"],
            }
        )
    raw = a.sufficiency.resourcing.drop(index="county")
    spend = raw["spend_per_child"].dropna()
    county = a.sufficiency.resourcing.loc["county"]
    return {
        "rows": rows,
        "in_need": "children_in_need" in table,
        "reached_given": bool(county["reached"] > 0),
        "lowest": None if spend.empty else str(raw.loc[spend.idxmin(), "district_name"]),
        "highest": None if spend.empty else str(raw.loc[spend.idxmax(), "district_name"]),
        "without_cost": int(county["services_without_cost"]),
        "services": int(county["services"]),
    }


def _priority_gaps(a: Assessment) -> dict[str, Any]:
    """Section 5: where high need meets low access, ranked by the children affected."""
    cfg, suff = a.config, a.sufficiency
    gaps = suff.gaps.merge(
        a.areas[["district_code", "district_name", "area_name"]],
        left_on="area_code",
        right_index=True,
        how="left",
    )
    pg = gaps[gaps["priority"] == "priority gap"]
    names = a.areas.groupby("district_code")["district_name"].first()
    pairs = (
        gaps.assign(pg=gaps["children"].where(gaps["priority"] == "priority gap", 0.0))
        .groupby(["category", "district_code"])
        .agg(children=("pg", "sum"))
    )
    pairs["areas"] = pg.groupby(["category", "district_code"]).size()
    pairs["areas"] = pairs["areas"].fillna(0).astype(int)
    totals = pairs.groupby(level="category").agg(
        children=("children", "sum"), areas=("areas", "sum")
    )
    totals.index = pd.MultiIndex.from_arrays(
        [totals.index, ["County"] * len(totals)], names=["category", "district_code"]
    )
    table = pd.concat([pairs, totals]).sort_index()
    shown = _publish(cfg, table, name="priority gaps", counts=["children"], total_row="County")
    raw = table["children"]
    visible = [
        k
        for k in table.index
        if k[1] != "County" and _number(shown.loc[k, "children"]) and raw[k] > 0
    ]
    visible.sort(key=lambda k: (-raw[k], k))
    pair_rows = [
        {
            "district": str(names.get(k[1], k[1])),
            "category": _label(cfg, k[0]),
            "children": shown.loc[k, "children"],
            "areas": int(table.loc[k, "areas"]),
        }
        for k in visible[:_RANKED_GAPS]
    ]
    # small areas with the most children in priority gaps
    kids = _children(a)
    by_area = pg.groupby("area_code")["category"].agg(list)
    areas = pd.DataFrame(
        {
            "children": kids.reindex(by_area.index),
            "need_index": suff.need_index.reindex(by_area.index),
        }
    )
    areas = areas.sort_values(["need_index", "children"], ascending=False).head(_RANKED_AREAS)
    shown_areas = _publish(cfg, areas, name="priority gap areas", counts=["children"])
    area_rows = [
        {
            "name": str(a.areas.loc[code, "area_name"]),
            "district": str(a.areas.loc[code, "district_name"]),
            "need_index": float(areas.loc[code, "need_index"]),
            "children": shown_areas.loc[code, "children"],
            "categories": [_nearest_help(a, code, k) for k in by_area[code]],
        }
        for code in areas.index
    ]
    return {
        "pairs": pair_rows,
        "areas": area_rows,
        "n_pairs": int((raw.drop(index="County", level=1) > 0).sum()),
        "n_areas": int(pg["area_code"].nunique()),
    }


def _nearest_help(a: Assessment, area: str, key: str) -> dict[str, Any]:
    """A kind of help in a priority gap in ``area``, with its nearest service and distance."""
    out: dict[str, Any] = {"label": _label(a.config, key), "nearest": None, "distance": ""}
    nearest = a.access.nearest_service
    if key not in nearest.columns or pd.isna(nearest.at[area, key]):
        return out
    sid = nearest.at[area, key]
    service = a.services.loc[sid]
    out["nearest"] = str(service["name"])
    cost = a.access.wide.get(f"nearest__{key}")
    value = None if cost is None else _number(cost.get(area))
    if service.get("delivery") == "outreach":
        out["distance"] = "outreach: comes to families"
    elif value is not None:
        out["distance"] = shown_cost(value, a.access.params["unit"])
    gaps = a.sufficiency.gaps
    hit = gaps[(gaps["area_code"] == area) & (gaps["category"] == key)]
    if len(hit) and bool(hit["within_reach"].iloc[0]):
        out["distance"] += ("; " if out["distance"] else "") + "within reach, but places are scarce"
    return out


def _optional_table(frame: pd.DataFrame | None, name: str) -> dict[str, Any] | None:
    """A published table of optional results (siting, scenarios) for display, or None."""
    if frame is None:
        return None
    check_publishable(frame, name=f"report.html: {name}")
    shown = frame.reset_index() if frame.index.name else frame
    return {
        "columns": [header_with_unit(c) for c in shown.columns],
        "rows": [[_cell(v) for v in row] for row in shown.itertuples(index=False)],
    }


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return MISSING if np.isnan(value) else f"{value:,.1f}"
    if value is None or value is pd.NA:
        return MISSING
    return str(value)


def _sources(a: Assessment) -> list[dict[str, Any]]:
    rows = []
    for r in a.inputs.records:
        p = Path(r.path)
        try:
            modified = dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d")
        except OSError:
            modified = MISSING
        rows.append(
            {
                "role": r.role,
                "file": p.name,
                "modified": modified,
                "rows_read": r.rows_read,
                "rows_used": r.rows_used,
                "dropped": "; ".join(f"{k}: {v}" for k, v in r.dropped.items()),
                "sha256": r.sha256,
            }
        )
    return rows


def _method(a: Assessment) -> dict[str, Any]:
    cfg, params = a.config, a.access.params
    unit = params["unit"]
    thresholds = []
    for key, cat in cfg.categories.items():
        reach = {k: shown_cost(v, unit, spec="g") for k, v in cat.reach(unit).items()}
        thresholds.append({"label": _label(cfg, key), **reach, "core": cat.required})
    model = params.get("distance_model", cfg.access.distance_model)
    if model == "euclidean":
        distance = (
            f"straight-line distance times a circuity factor of {cfg.access.circuity:g} "
            "(roads rarely run straight)"
        )
    elif model == "network":
        distance = f"travel time over the road network ({cfg.access.travel_mode})"
    else:
        distance = "an imported travel-time or distance matrix"
    indicators = [
        {"label": ind.label or name, "weight": ind.weight, "kind": ind.kind}
        for name, ind in cfg.indicators.items()
    ]
    return {
        "distance": distance,
        "outreach_km": cfg.access.outreach_extra_m / 1000,
        "thresholds": thresholds,
        "catchment": shown_cost(cfg.access.catchment(unit), unit, spec="g"),
        "decay": cfg.access.decay,
        "suff": cfg.sufficiency,
        "high_need_pct": round(100 * (1 - cfg.sufficiency.high_need_quantile)),
        "low_access_pct": round(100 * cfg.sufficiency.low_access_quantile),
        "indicators": indicators,
    }


def _caveats(a: Assessment, money: dict[str, Any]) -> list[str]:
    out = []
    for note in a.access.notes:  # "<category key>: ..." reads better with the label
        key, sep, rest = note.partition(": ")
        out.append(
            f"{_label(a.config, key)}: {rest}" if sep and key in a.config.categories else note
        )
    warnings = len(a.inputs.report.warnings)
    if warnings:
        out.append(
            f"Loading the inputs gave {warnings} warning(s); see validation.csv in the run folder."
        )
    if money["without_cost"]:
        out.append(
            f"{money['without_cost']} of {money['services']} active services gave no annual "
            "cost, so spend is understated where they work."
        )
    if not money["reached_given"]:
        out.append(
            "No service reported how many children or families it reached, so cost per "
            "child reached and the share of places used cannot be given."
        )
    return out


def _headline(c: dict[str, Any]) -> list[str]:
    """The plain-English summary, one sentence per point (no HTML: the template escapes)."""
    out = []
    county = c["county"]
    n_core = len(c["core_labels"])
    core = f"the {n_core} core kinds are marked in section 2"
    out.append(
        f"{fmt_pct(county['pct'])} of the county's {fmt_count(county['children'])} children "
        f"and young people aged 0 to 19 (95% confidence interval {fmt_pct(county['lower'])} "
        f"to {fmt_pct(county['upper'])}) live where every core kind of early help is within "
        f"reach ({core}). Provision is not yet sufficient everywhere: "
        f"{county['areas_missing']} of {county['areas']} small areas lack at least one core "
        "kind of help, or one their need calls for."
        if _number(county["pct"]) is not None and _number(county["pct"]) < 100
        else f"{fmt_pct(county['pct'])} of the county's children and young people live where "
        f"every core kind of early help is within reach ({core})."
    )

    # shown values from lowest; suppressed ones last, by name, so their place in the order
    # says nothing about their hidden value
    def _order(d: dict[str, Any], key: str = "pct") -> tuple[int, float, str]:
        value = _number(d[key])
        return (value is None, value or 0.0, d["name"])

    lower = sorted(c["lower"], key=_order)
    if lower:
        names = "; ".join(f"{d['name']} ({fmt_pct(d['pct'])})" for d in lower)
        out.append(
            f"{len(lower)} of {len(c['districts'])} districts are significantly below the "
            f"county ({fmt_pct(county['pct'])}): {names}."
        )
    else:
        out.append("No district is significantly below the county.")
    thin = sorted(c["thin"], key=lambda d: _order(d, "adequate"))
    if thin:
        names = "; ".join(f"{d['name']} ({fmt_pct(d['adequate'])})" for d in thin)
        out.append(
            f"Where help is within reach there may still be too little of it: in {len(thin)} "
            "district(s) significantly fewer children than in the county as a whole "
            f"({fmt_pct(c['county']['adequate'])}) live where the core kinds of help have at "
            f"least half the county's places per child: {names}."
        )
    most = c["categories"]["most_out"]
    if most:
        parts = "; ".join(
            f"{r['label']} ({fmt_count(r['out_of_reach'])} children of its ages, "
            f"{fmt_pct(100 - (_number(r['pct']) or 0.0))})"
            for r in most
            if _number(r["pct"]) is not None
        )
        out.append(f"The kinds of help with the most children out of reach: {parts}.")
    lacking = c["categories"]["lacking"]
    if lacking:
        parts = "; ".join(
            f"{r['label']} ({r['areas_lacking']} of the {r['areas_called']} areas that need it)"
            for r in lacking
        )
        out.append(
            f"{c['categories']['areas_lacking_any']} small areas lack, within reach, help "
            f"that their need calls for. Most often: {parts}."
        )
    pri = sorted(
        (d for d in c["districts"] if _number(d["priority"])),
        key=lambda d: -(_number(d["priority"]) or 0.0),
    )[:3]
    if _number(county["priority"]):
        where = "; ".join(f"{d['name']} ({fmt_count(d['priority'])})" for d in pri)
        out.append(
            f"{fmt_count(county['priority'])} children live in areas of high need and low "
            f"access (a priority gap) for at least one kind of help, most of them in: {where}."
        )
    money = c["money"]
    if money["lowest"]:
        county_money = next(r for r in money["rows"] if r["is_county"])
        low = next(r for r in money["rows"] if r["name"] == money["lowest"])
        high = next(r for r in money["rows"] if r["name"] == money["highest"])
        out.append(
            f"Early help costs {fmt_money(county_money['spend_per_child'])} a year per child "
            f"across the county, from {fmt_money(low['spend_per_child'])} in {low['name']} to "
            f"{fmt_money(high['spend_per_child'])} in {high['name']}."
        )
    return out


# --------------------------------------------------------------------------------------
# Charts: geometry here, drawing in the template (numbers only; labels escaped there)
# --------------------------------------------------------------------------------------

_COMPARISON_COLOUR = {
    "lower": "#d95f02",
    "higher": "#1b6ca8",
    "similar": "#6b6b6b",
    "not compared": "#6b6b6b",
}


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = max(hi - lo, 1e-9)
    raw = span / n
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(start, hi + step * 1e-6, step)]


def _dot_chart(districts: list[dict[str, Any]], county: float | None) -> dict[str, Any]:
    """Dot-and-whisker: each district's share (95% CI) against the county line."""
    width, left, right, top, row_h = 720, 170, 60, 30, 26
    shown = [d for d in districts if _number(d["pct"]) is not None]
    hidden = [d["name"] for d in districts if _number(d["pct"]) is None]
    shown.sort(key=lambda d: _number(d["pct"]))
    values = [
        v
        for d in shown
        for v in (_number(d["lower"]), _number(d["upper"]), _number(d["pct"]))
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
        v = _number(d["pct"])
        lv, uv = _number(d["lower"]), _number(d["upper"])
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
        "ticks": [{"x": x(t), "label": f"{t:g}%"} for t in _ticks(lo, hi)],
        "hidden": hidden,
    }


def _funnel_chart(districts: list[dict[str, Any]], county: float | None) -> dict[str, Any] | None:
    """Funnel plot: each district's share against its number of children, with the 95%
    and 99.8% control limits around the county share."""
    pts = [
        d for d in districts if _number(d["pct"]) is not None and _number(d["children"]) is not None
    ]
    if county is None or not pts:
        return None
    width, height, left, right, top, bottom = 720, 380, 70, 170, 20, 50
    n_max = max(_number(d["children"]) for d in pts) * 1.15
    n_min = max(n_max / 200, 10.0)
    grid = np.geomspace(n_min, n_max, 120)
    # widened for overdispersion (Spiegelhalter 2005): districts differ for real reasons
    # besides their size, and the plain limits would put nearly every one outside
    phi = overdispersion(
        [_number(d["pct"]) / 100 for d in pts],
        [_number(d["children"]) for d in pts],
        county / 100,
    )
    limits = funnel_limits(grid, county, statistic="proportion", per=100.0, phi=phi)
    values = [_number(d["pct"]) for d in pts] + [county]
    y_lo = max(0.0, np.floor((min(values) - 10) / 10) * 10)
    y_hi = min(100.0, np.ceil((max(values) + 10) / 10) * 10)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(n: float) -> float:
        return round(left + n / n_max * plot_w, 1)

    def y(v: float) -> float:
        v = min(max(v, y_lo), y_hi)
        return round(top + (y_hi - v) / (y_hi - y_lo) * plot_h, 1)

    def line(col: str) -> str:
        return " ".join(f"{x(n)},{y(v)}" for n, v in zip(grid, limits[col], strict=True))

    points = []
    for d in pts:
        v = _number(d["pct"])
        points.append(
            {
                "cx": x(_number(d["children"])),
                "cy": y(v),
                "name": d["name"],
                "value": fmt_pct(d["pct"]),
                "children": fmt_count(d["children"]),
                "colour": _COMPARISON_COLOUR.get(d["vs_county"], "#6b6b6b"),
            }
        )
    labels = [*points, {"cy": y(county), "name": f"County {county:.1f}%", "county": True}]
    _place_labels(labels, x=width - right + 14, gap=13.0, top=top, bottom=height - bottom)
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "lines": {
            "95": (line("lower_95"), line("upper_95")),
            "99_8": (line("lower_99_8"), line("upper_99_8")),
        },
        "county_y": y(county),
        "county_label": labels[-1],
        "phi": phi,
        "points": points,
        "x_ticks": [{"x": x(t), "label": f"{t:,.0f}"} for t in _ticks(0, n_max) if t <= n_max],
        "y_ticks": [{"y": y(t), "label": f"{t:g}%"} for t in _ticks(y_lo, y_hi)],
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


def _bar_chart(
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
