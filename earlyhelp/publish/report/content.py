"""The report's content: each section's figures as they may be published.

:func:`context` gathers what the template shows, section by section. Every count of
children at district level or finer (and every county total beside them) passes
:func:`earlyhelp.disclosure.suppress` with the run's ``DisclosureConfig`` and
:func:`earlyhelp.disclosure.check_publishable`; shares built on a hidden count are hidden
with it, in tables and charts alike.
"""

from __future__ import annotations

__all__ = ["context"]

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.columns import measure_column
from earlyhelp.config import Config
from earlyhelp.disclosure import MISSING, check_publishable, suppress
from earlyhelp.need import AGE_BANDS
from earlyhelp.outputs import header_with_unit
from earlyhelp.provision import SECTORS
from earlyhelp.publish.folder import ReportSection
from earlyhelp.publish.report import words
from earlyhelp.publish.report.charts import bar_chart, dot_chart, funnel_chart
from earlyhelp.publish.report.formats import cell_text, number
from earlyhelp.publish.report.hubs import hubs_context
from earlyhelp.publish.report.tables import (
    priority_tables,
    range_table,
    reach_table,
    resourcing_table,
    sectors_table,
)
from earlyhelp.publish.tables import RunPublication
from earlyhelp.sufficiency.gaps import UNKNOWN_REASONS, high_need_rule
from earlyhelp.units import shown as shown_cost

# Key of the board map in ``map_links``; every other key is a district code.
COUNTY_LINK = "county"

_RANKED_GAPS = 15  # (district, category) pairs listed among the priority gaps
_RANKED_AREAS = 10  # small areas listed among the priority gaps


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


# --------------------------------------------------------------------------------------
# The report's content
# --------------------------------------------------------------------------------------


def context(
    a: Assessment,
    *,
    map_links: dict[str, str],
    sections: Sequence[ReportSection],
    notes: Sequence[str],
    generated: dt.datetime,
    published: RunPublication,
) -> dict[str, Any]:
    cfg = a.config
    pub, basis = published.pub, published.basis
    summary = published.table("district_summary")
    check_publishable(summary, name="report.html: district summary")
    districts = _district_rows(summary, map_links)
    categories = _range_of_help(a, *range_table(pub, basis))
    categories["sectors"] = _sectors(a, sectors_table(pub, basis))
    heat = _reach_by_district(a, summary, reach_table(pub, basis))
    money = _resourcing(a, resourcing_table(pub, basis))
    gaps = _priority_gaps(a, *priority_tables(pub, basis))
    county = summary.loc["County"]
    phi = _funnel_phi(a)
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
            "core_unknown": county["children_core_unknown"],
            "judged": _judged(county),
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
        "kinds": _kinds(published.table("kinds_of_help")),
        "unknown": _unknowns(a),
        "heat": heat,
        "money": money,
        "gaps": gaps,
        "core_labels": [cfg.category_label(k) for k, c in cfg.categories.items() if c.required],
        "charts": {
            "dots": dot_chart(districts, number(county["pct_full_core_range"])),
            "funnel": funnel_chart(districts, number(county["pct_full_core_range"]), phi=phi),
            "spend": bar_chart(
                [(d["name"], number(d["spend_per_child"])) for d in districts],
                number(county["spend_per_child"]),
                unit="£",
            ),
        },
        "siting": [_section(s) for s in sections if s.kind == "siting"],
        "scenarios": [_section(s) for s in sections if s.kind == "scenario"],
        "sources": words.sources(a),
        "method": words.method(a, phi=phi),
        "funnel_caption": words.funnel_caption(phi),
        "priority_definition": words.priority_definition(a),
        "caveats": [*notes, *words.caveats(a, money)],
        "map_links": map_links,
        "county_map": map_links.get(COUNTY_LINK),
        "district_maps": [d for d in districts if d["href"]],
    }
    hubs = hubs_context(a, published)  # family hubs and early years (issue 18)
    context["hubs"] = hubs
    context["headline"] = [*words.headline(context), *hubs["headline"]]
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


def _range_of_help(a: Assessment, shown: pd.DataFrame, table: pd.DataFrame) -> dict[str, Any]:
    """Section 2: each category's services, reach and the need that calls for it."""
    cfg, suff = a.config, a.require_sufficiency()
    gaps = suff.gaps
    state = gaps.pivot(index="area_code", columns="category", values="state")
    called = suff.called.reindex(index=state.index, columns=state.columns, fill_value=False)
    missing = called.astype(bool) & state.eq("out of reach")  # known out of reach only
    elig = a.access.eligibility
    out_rows = []
    for key, cat in cfg.categories.items():
        e = elig.loc[key] if key in elig.index else None
        out_rows.append(
            {
                "key": key,
                "label": cfg.category_label(key),
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
        (r for r in out_rows if (number(r["out_of_reach"]) or 0.0) > 0),
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
    }


def _sectors(a: Assessment, shown: pd.DataFrame) -> list[dict[str, Any]]:
    """Share of children 0-19 living where each sector has an active service in reach."""
    cfg = a.config
    if shown.empty:
        return []
    reach = cfg.sufficiency.sector_reach(a.access.params["unit"])
    words = f"{shown_cost(reach['urban'], a.access.params['unit'], spec='g')} urban, "
    words += f"{shown_cost(reach['rural'], a.access.params['unit'], spec='g')} rural"
    return [
        {"sector": sector, "pct": shown.loc[sector, "pct"], "reach": words} for sector in SECTORS
    ]


def _reach_by_district(a: Assessment, summary: pd.DataFrame, shown: pd.DataFrame) -> dict[str, Any]:
    """Section 3: each category's share within reach, district by district."""
    cfg, d = a.config, a.require_sufficiency().districts
    rows = d[d["measure"] == "share_within_reach"]
    names = summary["district_name"].drop(index="County")
    codes = list(names.index)
    comparison = rows.set_index(["category", "district_code"])["comparison"]
    out = []
    for key in cfg.categories:
        # one lookup per kind of help, not one per district
        rows_shown = shown.loc[key].reindex(codes)
        vs = comparison.get(key, pd.Series(dtype=object)).reindex(codes)
        cells = [
            {
                "pct": pct,
                "lower": lower,
                "upper": upper,
                "vs": "" if number(pct) is None else str(v) if pd.notna(v) else "not compared",
            }
            for pct, lower, upper, v in zip(
                rows_shown["pct"], rows_shown["lower"], rows_shown["upper"], vs, strict=True
            )
        ]
        out.append(
            {
                "label": cfg.category_label(key),
                "county": shown.loc[(key, "County"), "pct"],
                "cells": cells,
            }
        )
    return {"districts": [str(names[c]) for c in codes], "rows": out}


def _resourcing(a: Assessment, shown: pd.DataFrame) -> dict[str, Any]:
    """Section 4: spend and value for money per district and for the county."""
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
    raw = a.require_sufficiency().resourcing.drop(index="county")
    spend = raw["spend_per_child"].dropna()
    county = a.require_sufficiency().resourcing.loc["county"]
    return {
        "rows": rows,
        "in_need": "children_in_need" in shown,
        "reached_given": bool(county["reached"] > 0),
        "lowest": None if spend.empty else str(raw.loc[spend.idxmin(), "district_name"]),
        "highest": None if spend.empty else str(raw.loc[spend.idxmax(), "district_name"]),
        "without_cost": int(county["services_without_cost"]),
        "services": int(county["services"]),
    }


def _priority_gaps(
    a: Assessment,
    shown: pd.DataFrame,
    table: pd.DataFrame,
    shown_areas: pd.DataFrame,
    areas: pd.DataFrame,
) -> dict[str, Any]:
    """Section 5: where high need meets low access, ranked by the children affected."""
    cfg, suff = a.config, a.require_sufficiency()
    names = a.areas.groupby("district_code")["district_name"].first()
    pg = suff.gaps[suff.gaps["priority"] == "priority gap"]
    raw = table["children"]
    said = shown["children"].reindex(table.index).map(number)  # None where hidden
    keep = (table.index.get_level_values(1) != "County") & (said.fillna(0) != 0) & (raw > 0)
    visible = sorted(table.index[keep.to_numpy()], key=lambda k: (-raw[k], k))
    pair_rows = [
        {
            "district": str(names.get(k[1], k[1])),
            "category": cfg.category_label(k[0]),
            "children": shown.loc[k, "children"],
            "areas": int(table.loc[k, "areas"]),
        }
        for k in visible[:_RANKED_GAPS]
    ]
    by_area = pg.groupby("area_code")["category"].agg(list)
    within = _within_reach(a)
    area_rows = [
        {
            "name": str(a.areas.loc[code, "area_name"]),
            "district": str(a.areas.loc[code, "district_name"]),
            "need_index": float(areas.loc[code, "need_index"]),
            "children": shown_areas.loc[code, "children"],
            "categories": [_nearest_help(a, code, k, within) for k in by_area[code]],
        }
        for code in areas.index
    ]
    return {
        "pairs": pair_rows,
        "areas": area_rows,
        "n_pairs": int((raw.drop(index="County", level=1) > 0).sum()),
        "n_areas": int(pg["area_code"].nunique()),
    }


def _within_reach(a: Assessment) -> pd.Series:
    """Whether each (area, kind of help) is within reach (one index for every lookup)."""
    gaps = a.require_sufficiency().gaps
    within = gaps.set_index(["area_code", "category"])["within_reach"]
    return within[~within.index.duplicated()]


def _nearest_help(a: Assessment, area: str, key: str, within: pd.Series) -> dict[str, Any]:
    """A kind of help in a priority gap in ``area``, with its nearest service and distance."""
    out: dict[str, Any] = {"label": a.config.category_label(key), "nearest": None, "distance": ""}
    nearest = a.access.nearest_service
    if key not in nearest.columns or pd.isna(nearest.at[area, key]):
        return out
    sid = nearest.at[area, key]
    service = a.services.loc[sid]
    out["nearest"] = str(service["name"])
    unit = a.access.params["unit"]
    cost = a.access.wide.get(measure_column("distance", key))
    value = None if cost is None else number(cost.get(area))
    if value is not None:
        out["distance"] = shown_cost(value, unit)
    if service.get("delivery") == "outreach":
        travels = shown_cost(a.config.access.outreach_extra(unit), unit, spec="g")
        out["distance"] += f" (outreach: comes to families, up to {travels})"
    if bool(within.get((area, key), False)):
        out["distance"] += ("; " if out["distance"] else "") + "within reach, but too few places"
    return out


def _section(section: ReportSection) -> dict[str, Any]:
    """A siting or scenario product's section, its table checked as publishable."""
    check_publishable(section.table, name=f"report.html: {section.title}")
    shown = section.table.reset_index() if section.table.index.name else section.table
    return {
        "title": section.title,
        "lines": list(section.lines),
        "columns": [header_with_unit(c) for c in shown.columns],
        "rows": [[cell_text(v) for v in row] for row in shown.itertuples(index=False)],
    }


def _funnel_phi(a: Assessment) -> float:
    """The dispersion factor the funnel plot's limits use: the districts' (unrounded)."""
    funnel = a.require_sufficiency().funnel
    return float(funnel["phi"].iloc[0]) if len(funnel) else 1.0


def _judged(county: pd.Series) -> Any:
    """The county's children where the full core range can be judged, as published (a
    symbol when either count is hidden)."""
    children, unknown = number(county["children"]), number(county["children_core_unknown"])
    if children is None or unknown is None:
        return county["children"] if children is None else county["children_core_unknown"]
    return children - unknown


def _kinds(shown: pd.DataFrame) -> list[dict[str, Any]]:
    """Each kind of help's county verdicts as published (section 2 and the summary)."""
    check_publishable(shown, name="report.html: kinds of help")
    return [
        {
            "key": str(key),
            "label": str(row["label"]),
            "standard": _standard_text(row["standard_per_1000"]),
            "children": row["children"],
            "sufficient": row["children_sufficient"],
            "out": row["children_out_of_reach"],
            "too_few": row["children_too_few_places"],
            "unknown": row["children_unknown"],
            "because": str(row["unknown_because"] or ""),
        }
        for key, row in shown.iterrows()
    ]


def _standard_text(value: Any) -> str:
    v = number(value)
    return f"{v:,g}" if v else "reach only"


def _unknowns(a: Assessment) -> dict[str, Any]:
    """What the inputs cannot say: kinds of help with no active service, areas with no
    need data, kinds with areas whose capacity is unknown (counts of areas only)."""
    suff = a.require_sufficiency()
    gaps = suff.gaps
    reasons = {k: str(v) for k, v in UNKNOWN_REASONS.items()}
    unknown = gaps[gaps["state"] == "unknown"]
    labels = a.config.category_label
    by_kind = unknown.groupby("category")["reason"].agg(set)
    return {
        "kinds_without_services": [
            labels(k) for k, why in by_kind.items() if reasons["no_services"] in why
        ],
        "kinds_with_capacity_unknown": [
            labels(k) for k, why in by_kind.items() if reasons["capacity"] in why
        ],
        "areas_without_need": int(
            unknown.loc[unknown["reason"] == reasons["no_need_data"], "area_code"].nunique()
        ),
        "areas_need_unknown": int(suff.need_index.isna().sum()) if a.config.indicators else 0,
        "high_need_rule": high_need_rule(a.config),
    }
