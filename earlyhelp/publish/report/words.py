"""The report's words: its plain-English summary, method, caveats and sources.

Written from the figures as published (suppressed cells stay symbols) and from the
parameters the run used, so the text says what the tables show and how they were made:
nothing here is a fixed description of a method that a setting could change.
"""

from __future__ import annotations

__all__ = ["caveats", "funnel_caption", "headline", "method", "priority_definition", "sources"]

import datetime as dt
from pathlib import Path
from typing import Any

from earlyhelp.assessment import Assessment
from earlyhelp.disclosure import MISSING
from earlyhelp.distance import describe_cost
from earlyhelp.need import indicator_coverage, indicators_scored
from earlyhelp.publish.report.formats import fmt_count, fmt_money, fmt_pct, number
from earlyhelp.sufficiency import high_need_rule
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


def priority_definition(a: Assessment) -> str:
    """What a priority gap is, from the rules this run used."""
    return (
        "A priority gap is a small area where need is high "
        f"({high_need_rule(a.config)}) and a kind of help is out of reach or has fewer places "
        "than its standard (section 8)."
    )


def method(a: Assessment, *, phi: float) -> dict[str, Any]:
    """The method as it was run: a list of ``{"title", "text"}`` items, the reach
    thresholds and the standards, all from the run's parameters."""
    cfg, unit = a.config, a.access.params["unit"]
    thresholds = []
    standards = []
    default = cfg.sufficiency.places_per_1000
    for key, cat in cfg.categories.items():
        reach = {k: shown_cost(v, unit, spec="g") for k, v in cat.reach(unit).items()}
        label = cfg.category_label(key)
        thresholds.append({"label": label, **reach, "core": cat.required})
        standard = cat.places_per_1000 or default
        standards.append(
            {
                "label": label,
                "ages": f"{cat.min_age:g}-{cat.max_age:g}",
                "standard": f"{standard:g}" if standard else "none: judged on reach only",
                "source": cat.standard_source or ("" if standard else "no standard set"),
            }
        )
    items = [
        _study_item(a),
        _distance_item(a),
        {
            "title": "Within reach",
            "text": "a kind of help is within reach of an area when every child of its ages "
            "has an active in-person or outreach service that takes their age within the "
            "reach threshold for that kind (the rural threshold in rural areas; below).",
        },
        _places_item(a),
        _verdict_item(),
        _need_item(a),
        _interval_item(phi),
        {
            "title": "Adequate places",
            "text": "a relative benchmark, for learning, not a standard: at least half the "
            "county's places per 1,000 children of a kind's ages. It defines no gap.",
        },
        {
            "title": "Small numbers",
            "text": f"counts of {cfg.disclosure.min_count} to {cfg.disclosure.max_count} "
            f"children are suppressed ({cfg.disclosure.symbol}), with further cells hidden "
            "where a total would give them back, and any share built on them.",
        },
    ]
    return {"items": items, "thresholds": thresholds, "standards": standards}


def _study_item(a: Assessment) -> dict[str, str]:
    study = a.areas
    n_d, n_a = study["district_code"].nunique(), len(study)
    read = len(a.inputs.areas)
    if read == n_a:
        text = f"every area of the areas file: {n_a:,} small areas in {n_d} districts."
    else:
        names = ", ".join(sorted(study["district_name"].astype(str).unique()))
        text = (
            f"{n_a:,} small areas in {n_d} districts ({names}). The {read - n_a:,} other "
            "areas read, and their services, still count where they reach in (their "
            "children compete for places near the edge), but every total covers the study "
            "area only."
        )
    return {"title": "Study area", "text": text}


def _distance_item(a: Assessment) -> dict[str, str]:
    cfg, unit = a.config, a.access.params["unit"]
    extra = shown_cost(cfg.access.outreach_extra(unit), unit, spec="g")
    return {
        "title": "Distance",
        "text": f"{describe_cost(cfg.access, unit)}, from a point inside each small area "
        f"to each service. Outreach services come to families: they count as reaching "
        f"{extra} further, and their real distance is what the map and offer show. Online "
        "and phone services are listed but never counted as help within reach.",
    }


def _places_item(a: Assessment) -> dict[str, str]:
    cfg, unit = a.config, a.access.params["unit"]
    catchment = shown_cost(cfg.access.catchment(unit), unit, spec="g")
    default = cfg.sufficiency.places_per_1000
    unset = [k for k, c in cfg.categories.items() if not (c.places_per_1000 or default)]
    reach_only = (
        f" {len(unset)} of {len(cfg.categories)} kinds have no standard and are judged on "
        "reach only."
        if unset
        else ""
    )
    return {
        "title": "Places and standards",
        "text": "places per 1,000 children use the enhanced two-step floating catchment "
        f"(E2SFCA) with a {catchment} catchment and {cfg.access.decay} distance decay, so "
        "children near several services share them. Each kind's standard (below) is places "
        f"or families a year per 1,000 children of its ages.{reach_only} A service that gave "
        "no capacity adds no places: where an area's places are below the standard and such "
        "a service is in its catchment, its verdict is unknown.",
    }


def _verdict_item() -> dict[str, str]:
    return {
        "title": "Verdicts",
        "text": "each small area and kind of help is sufficient (within reach, and places "
        "meet the standard), a gap (out of reach, or too few places), or unknown when the "
        "inputs cannot say: no active service of that kind anywhere in the inputs, no need "
        "data for the area, or missing capacity. Unknown is never counted as a gap or as "
        "sufficient, and is drawn grey on the map.",
    }


def _need_item(a: Assessment) -> dict[str, str]:
    cfg = a.config
    need = a.inputs.need.reindex(a.areas.index)
    cover = indicator_coverage(need, cfg.indicators, a.areas) if cfg.indicators else None
    listed = "; ".join(
        f"{ind.label or name} (weight {ind.weight:g}"
        + (_where_from(cover.loc[name]) if cover is not None else "")
        + ")"
        for name, ind in cfg.indicators.items()
    )
    text = (
        f"an index (0-100) of the JSNA indicators: {listed}; 50 is the county's middle. "
        if listed
        else "no JSNA indicators are configured, so need is not judged. "
    )
    if cover is not None:
        text += _placing_words(cfg, cover) + _scored_words(need, cfg, a.areas)
    text += f"High need: {high_need_rule(cfg)}. A priority gap is a gap where need is high."
    if listed:
        text += (
            f" An indicator more than {cfg.sufficiency.calls_for_ratio:g} times the county "
            "value (and significantly so, where it has a 95% interval) calls for the kinds of "
            "help linked to it."
        )
    return {"title": "Need", "text": text}


def _where_from(row: Any) -> str:
    """ ", by MSOA, 74% of children" for an indicator not of the small areas themselves or
    not covering them all."""
    parts = [f"by {row['geography']}"] if row["geography"] != "small area" else []
    if row["share_of_children"] < 0.995:
        parts.append(f"{row['share_of_children']:.0%} of children covered")
    return "".join(f", {p}" for p in parts)


def _placing_words(cfg: Any, cover: Any) -> str:
    """How indicators of larger areas reach the small areas, and where each interval
    comes from (supplied by the publisher, or computed at the indicator's geography)."""
    text = ""
    if (cover["geography"] != "small area").any():
        text += (
            "An indicator published for larger areas (MSOAs, wards, districts) gives each "
            "small area the value of the one containing it; its significance is tested "
            "there and inherited by every small area inside, never computed for the small "
            "areas. "
        )
    ranked = cover.index.isin(
        [n for n, i in cfg.indicators.items() if i.kind in ("rank", "decile")]
    )
    interval = cover["interval"].where(~ranked, "ranked")
    groups = {
        "95% intervals as published": interval == "supplied",
        "95% intervals computed at the indicator's own geography from its count and "
        "denominator": interval.str.startswith("computed"),
        "no interval, so no significance test": interval == "none",
    }
    said = [
        f"{what}: {', '.join(cfg.indicators[n].label or n for n in cover.index[mask])}"
        for what, mask in groups.items()
        if mask.any()
    ]
    text += "; ".join(said) + ". " if said else ""
    published = [f"{i.label or n} ({i.compare_with})" for n, i in cfg.indicators.items()
                 if i.compare_with]  # fmt: skip
    if published:
        text += (
            "Compared with the published value of another area (the county or England) "
            f"rather than the study area's own: {'; '.join(published)}. "
        )
    return text


def _scored_words(need: Any, cfg: Any, areas: Any) -> str:
    scored = indicators_scored(need[need.notna().any(axis=1)], cfg.indicators)
    if scored.empty or scored.min() == scored.max():
        return ""
    fewer = scored[scored < scored.max()]
    districts = sorted(areas["district_name"].reindex(fewer.index).astype(str).unique())
    return (
        f"A missing value is never counted as zero: {len(fewer):,} small areas "
        f"({', '.join(districts[:6])}{' and others' if len(districts) > 6 else ''}) are "
        f"scored on fewer than the {scored.max()} indicators of the others, so their index "
        "rests on those they have. "
    )


def _interval_item(phi: float) -> dict[str, str]:
    return {
        "title": "Confidence intervals and significance",
        "text": "children in one small area share its services, so they are not "
        "independent. Each share's 95% interval is Wilson's, with the number of children "
        "divided by the share's dispersion between small areas across the county (for the "
        f"full core range, {phi:,.0f}: close to the number of children in an area, because "
        "an area's children are in or out together). A district is significantly higher or "
        "lower when the county value lies outside its interval. The funnel plot's limits "
        "use the same dispersion, so a district outside its 95% lines is exactly one called "
        "significant.",
    }


def funnel_caption(phi: float) -> str:
    """The funnel plot's caption, from the dispersion its limits use."""
    return (
        "Funnel plot. The lines are the 95% (dashed) and 99.8% (solid) limits around the "
        f"county share, widened by the dispersion of the share between small areas ({phi:,.0f}, "
        "as for the intervals in the table and chart above). A district outside the 95% "
        "lines is one the table calls significantly higher or lower."
    )


def caveats(a: Assessment, money: dict[str, Any]) -> list[str]:
    out = [
        "The results are only as complete as the service directory: a service missing from "
        "it, or with the wrong location, status, ages or capacity, changes them.",
        "Reach is a distance, not a guarantee of a place, and the standards are planning "
        "norms, most of them proposals (their sources are listed): a family may still not "
        "get help that is within reach and sufficient by these measures.",
    ]
    for note in a.access.notes:  # "<category key>: ..." reads better with the label
        key, sep, rest = note.partition(": ")
        labelled = sep and key in a.config.categories
        out.append(f"{a.config.category_label(key)}: {rest}" if labelled else note)
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
    """The plain-English summary, one sentence per point (no HTML: the template escapes).
    What cannot be judged comes first, so no later sentence is read as covering it."""
    return [
        *_unknown_lines(c),
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


def _unknown_lines(c: dict[str, Any]) -> list[str]:
    unknown = c["unknown"]
    out = []
    none = unknown["kinds_without_services"]
    if none:
        kinds = len(c["kinds"])
        out.append(
            f"No conclusion is drawn about {len(none)} of the {kinds} kinds of help, because "
            f"the inputs hold no active service of them: {'; '.join(none)}. They are shown "
            "as unknown, never as gaps or as sufficient."
        )
    if unknown["areas_without_need"]:
        out.append(
            f"{unknown['areas_without_need']} of {c['county']['areas']} small areas have no "
            "need data (children by age), so nothing there can be judged."
        )
    if unknown["areas_need_unknown"]:
        out.append(
            f"{unknown['areas_need_unknown']} of {c['county']['areas']} small areas have no "
            "value for any need indicator, so whether their need is high cannot be said: a "
            "gap there is counted as a gap, never as a priority gap."
        )
    if unknown["kinds_with_capacity_unknown"]:
        out.append(
            "Some areas' places cannot be judged against the standard because services in "
            f"reach gave no capacity: {'; '.join(unknown['kinds_with_capacity_unknown'])}."
        )
    return out


def _coverage_line(c: dict[str, Any]) -> str:
    county = c["county"]
    core = f"the {len(c['core_labels'])} core kinds are marked in section 2"
    pct = number(county["pct"])
    if pct is None:
        return (
            "Whether children have every core kind of help within reach cannot be said for "
            f"the county ({core}): see what cannot be judged above."
        )
    unknown = number(county["core_unknown"]) or 0.0
    whom = (
        f"Of the {fmt_count(county['judged'])} children and young people aged 0 to 19 where "
        "it can be judged, "
        if unknown
        else f"Of the county's {fmt_count(county['children'])} children and young people aged "
        "0 to 19, "
    )
    line = (
        f"{whom}{fmt_pct(county['pct'])} (95% confidence interval {fmt_pct(county['lower'])} "
        f"to {fmt_pct(county['upper'])}) live where every core kind of early help is within "
        f"reach ({core})."
    )
    if pct < 100:
        line += (
            f" {county['areas_missing']} of {county['areas']} small areas lack at least one "
            "core kind of help within reach, or one their need calls for."
        )
    return line


def _district_lines(c: dict[str, Any]) -> list[str]:
    county, out = c["county"], []
    lower = sorted(c["lower"], key=_order)
    if lower:
        names = "; ".join(f"{d['name']} ({fmt_pct(d['pct'])})" for d in lower)
        out.append(
            f"{len(lower)} of {len(c['districts'])} districts are significantly below the "
            f"county ({fmt_pct(county['pct'])}): {names}."
        )
    elif number(county["pct"]) is not None:
        out.append("No district is significantly below the county.")
    thin = sorted(c["thin"], key=lambda d: _order(d, "adequate"))
    if thin:
        names = "; ".join(f"{d['name']} ({fmt_pct(d['adequate'])})" for d in thin)
        out.append(
            "Against the county's own benchmark (not a standard), where help is within reach "
            f"there is less of it in {len(thin)} district(s): significantly fewer children "
            f"than in the county as a whole ({fmt_pct(county['adequate'])}) live where the "
            f"core kinds of help have at least half the county's places per child: {names}."
        )
    return out


def _kinds_lines(c: dict[str, Any]) -> list[str]:
    out = []
    for kind, state in (("out", "out of reach"), ("too_few", "within reach but too few places")):
        rows = [r for r in c["kinds"] if (number(r[kind]) or 0) > 0]
        rows.sort(key=lambda r: -(number(r[kind]) or 0.0))
        if rows:
            parts = "; ".join(f"{r['label']} ({fmt_count(r[kind])} children)" for r in rows[:3])
            out.append(f"The kinds of help with the most children {state}: {parts}.")
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
        f"{fmt_count(county['priority'])} children live where a kind of help for their age "
        f"is in a priority gap (high need and a gap), most of them in: {where}."
    ]


def _money_lines(c: dict[str, Any]) -> list[str]:
    """Spend per child, lowest and highest among the districts whose figure is shown (a
    hidden one is never ranked)."""
    money = c["money"]
    shown = [r for r in money["rows"] if not r["is_county"] and number(r["spend_per_child"])]
    if len(shown) < 2:
        return []
    county_money = next(r for r in money["rows"] if r["is_county"])
    low = min(shown, key=lambda r: (number(r["spend_per_child"]), r["name"]))
    high = max(shown, key=lambda r: (number(r["spend_per_child"]), r["name"]))
    hidden = len(money["rows"]) - 1 - len(shown)
    among = f" (of the {len(shown)} districts whose figure can be shown)" if hidden else ""
    return [
        f"Early help costs {fmt_money(county_money['spend_per_child'])} a year per child "
        f"across the county, from {fmt_money(low['spend_per_child'])} in {low['name']} to "
        f"{fmt_money(high['spend_per_child'])} in {high['name']}{among}."
    ]
