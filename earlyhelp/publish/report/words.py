"""The report's words: its plain-English summary, method, caveats and sources.

Written from the figures as published (suppressed cells stay symbols) and from the
parameters the run used, so the text says what the tables show.
"""

from __future__ import annotations

__all__ = ["caveats", "headline", "method", "sources"]

import datetime as dt
from pathlib import Path
from typing import Any

from earlyhelp.assessment import Assessment
from earlyhelp.disclosure import MISSING
from earlyhelp.publish.report.formats import fmt_count, fmt_money, fmt_pct, number
from earlyhelp.units import shown as shown_cost


def sources(a: Assessment) -> list[dict[str, Any]]:
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


def method(a: Assessment) -> dict[str, Any]:
    cfg, params = a.config, a.access.params
    unit = params["unit"]
    thresholds = []
    for key, cat in cfg.categories.items():
        reach = {k: shown_cost(v, unit, spec="g") for k, v in cat.reach(unit).items()}
        thresholds.append({"label": cfg.category_label(key), **reach, "core": cat.required})
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
        "indicators": indicators,
    }


def caveats(a: Assessment, money: dict[str, Any]) -> list[str]:
    out = []
    for note in a.access.notes:  # "<category key>: ..." reads better with the label
        key, sep, rest = note.partition(": ")
        out.append(
            f"{a.config.category_label(key)}: {rest}"
            if sep and key in a.config.categories
            else note
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


def headline(c: dict[str, Any]) -> list[str]:
    """The plain-English summary, one sentence per point (no HTML: the template escapes)."""
    return [
        _coverage_line(c),
        *_district_lines(c),
        *_kinds_lines(c),
        *_priority_lines(c),
        *_money_lines(c),
    ]


def _order(d: dict[str, Any], key: str = "pct") -> tuple[int, float, str]:
    """Shown values from lowest; suppressed ones last, by name, so their place in the order
    says nothing about their hidden value."""
    value = number(d[key])
    return (value is None, value or 0.0, d["name"])


def _coverage_line(c: dict[str, Any]) -> str:
    county = c["county"]
    core = f"the {len(c['core_labels'])} core kinds are marked in section 2"
    pct = number(county["pct"])
    if pct is None or pct >= 100:
        return (
            f"{fmt_pct(county['pct'])} of the county's children and young people live where "
            f"every core kind of early help is within reach ({core})."
        )
    return (
        f"{fmt_pct(county['pct'])} of the county's {fmt_count(county['children'])} children "
        f"and young people aged 0 to 19 (95% confidence interval {fmt_pct(county['lower'])} "
        f"to {fmt_pct(county['upper'])}) live where every core kind of early help is within "
        f"reach ({core}). Provision is not yet sufficient everywhere: "
        f"{county['areas_missing']} of {county['areas']} small areas lack at least one core "
        "kind of help, or one their need calls for."
    )


def _district_lines(c: dict[str, Any]) -> list[str]:
    county, out = c["county"], []
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
            f"({fmt_pct(county['adequate'])}) live where the core kinds of help have at "
            f"least half the county's places per child: {names}."
        )
    return out


def _kinds_lines(c: dict[str, Any]) -> list[str]:
    out = []
    most = c["categories"]["most_out"]
    if most:
        parts = "; ".join(
            f"{r['label']} ({fmt_count(r['out_of_reach'])} children of its ages, "
            f"{fmt_pct(100 - (number(r['pct']) or 0.0))})"
            for r in most
            if number(r["pct"]) is not None
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
    return out


def _priority_lines(c: dict[str, Any]) -> list[str]:
    county = c["county"]
    if not number(county["priority"]):
        return []
    pri = sorted(
        (d for d in c["districts"] if number(d["priority"])),
        key=lambda d: -(number(d["priority"]) or 0.0),
    )[:3]
    where = "; ".join(f"{d['name']} ({fmt_count(d['priority'])})" for d in pri)
    return [
        f"{fmt_count(county['priority'])} children live in areas of high need and low "
        f"access (a priority gap) for at least one kind of help, most of them in: {where}."
    ]


def _money_lines(c: dict[str, Any]) -> list[str]:
    money = c["money"]
    if not money["lowest"]:
        return []
    county_money = next(r for r in money["rows"] if r["is_county"])
    low = next(r for r in money["rows"] if r["name"] == money["lowest"])
    high = next(r for r in money["rows"] if r["name"] == money["highest"])
    return [
        f"Early help costs {fmt_money(county_money['spend_per_child'])} a year per child "
        f"across the county, from {fmt_money(low['spend_per_child'])} in {low['name']} to "
        f"{fmt_money(high['spend_per_child'])} in {high['name']}."
    ]
