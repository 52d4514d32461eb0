"""The report's section on family hubs and early years places, from the audited tables.

:func:`hubs_context` gathers what the template's ``hubs`` section shows: the targeting
aim's verdicts, the core offer matrix and its gaps, under-fives within reach by district
(with intervals), the areas out of reach, and early years places per child by ward with
take-up. Every figure comes from the run's sealed publication (the tables the audit saw);
sentences and captions are written from the parameters the run used (the aim, deciles,
reach thresholds, the standard), so they say what was done.
"""

from __future__ import annotations

__all__ = ["hubs_context"]

from typing import Any

import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.distance import describe_cost
from earlyhelp.earlyyears import BELOW
from earlyhelp.hubs import NONE, UNKNOWN
from earlyhelp.publish.report.formats import fmt_count, fmt_pct, number
from earlyhelp.publish.tables import RunPublication
from earlyhelp.units import shown as shown_cost

_RANKED = 15  # rows of the ranked lists (areas out of reach, wards below the standard)
_MARKS = {"in person": "in person", "outreach": "outreach", "virtual": "virtual"}


def hubs_context(a: Assessment, published: RunPublication) -> dict[str, Any]:
    """The ``hubs`` section of the report (``configured`` False when the run has neither
    a hub list nor a childcare register)."""
    out: dict[str, Any] = {"configured": a.hubs is not None, "early_years": None}
    if a.hubs is not None:
        out |= _hub_parts(a, published)
    if a.early_years is not None:
        out["early_years"] = _early_years(a, published)
        out["early_years"]["below_words"] = _below_words(out["early_years"])
    out["headline"] = _headline(out)
    out["method"] = _method(a)
    return out


# --------------------------------------------------------------------------- hubs


def _hub_parts(a: Assessment, published: RunPublication) -> dict[str, Any]:
    cfg, hubs = a.config, a.hubs
    assert hubs is not None
    spec = cfg.hubs
    return {
        "aim": _aim_words(a),
        "targeting": _targeting(a, published.table("hub_targeting")),
        "deciles": _deciles(a, published.table("hub_targeting_deciles")),
        "offer": _offer(a, published),
        "reach": _reach(a, published.table("hub_reach_under5")),
        "out": _out_of_reach(published.table("hub_under5_out_of_reach")),
        "n_out_areas": len(published.table("hub_under5_out_of_reach")),
        "reach_words": _reach_words(a),
        "kinds": {"reach": list(spec.reach_kinds), "counted": list(spec.counted_kinds)},
        "notes": list(hubs.notes),
    }


def _label(a: Assessment, name: str) -> str:
    ind = a.config.indicators.get(name)
    return (ind.label if ind is not None else "") or name


def _aim_words(a: Assessment) -> str:
    spec = a.config.hubs
    return (
        f"{100 * spec.aim_share:.0f}% of hubs in the {10 * spec.aim_deciles}% most deprived "
        f"areas of England (national deciles 1-{spec.aim_deciles})"
    )


def _reach_words(a: Assessment) -> str:
    spec, cfg = a.config.hubs, a.config
    unit = a.access.params["unit"]
    reach = cfg.categories[spec.reach_category].reach(unit)
    what = describe_cost(cfg.access, unit)
    return (
        f"within {shown_cost(reach['urban'], unit, spec='g')} in urban areas and "
        f"{shown_cost(reach['rural'], unit, spec='g')} in rural areas ({what}) of an open "
        f"{' or '.join(spec.reach_kinds)}"
    )


def _targeting(a: Assessment, shown: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for name, row in shown.iterrows():
        rows.append(
            {
                "measure": _label(a, str(name)),
                "hubs": int(row["hubs"]),
                "in_aim": int(row["hubs_in_aim"]),
                "pct": row["pct_hubs"],
                "verdict": str(row["verdict"]),
                "capacity_pct": row["pct_capacity"],
                "capacity_verdict": str(row["capacity_verdict"]),
                "without_decile": int(row["hubs_without_decile"]),
            }
        )
    return rows


def _deciles(a: Assessment, shown: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for name in pd.unique(shown.index.get_level_values("measure")):
        part = shown.xs(name, level="measure")
        rows.append(
            {
                "measure": _label(a, str(name)),
                "hubs": [int(v) for v in part["hubs"]],
                "labels": [str(d) for d in part.index],
            }
        )
    return rows


def _offer(a: Assessment, published: RunPublication) -> dict[str, Any]:
    core = a.config.core_services()
    by_site = published.table("hub_core_offer")
    counts = published.table("hub_core_offer_counts")
    sites = [
        {
            "name": str(r["name"]),
            "kind": str(r["kind"]),
            "locality": str(r["locality"]),
            "cells": [str(r[k]) for k in core],
            "offered": int(r["core_offered"]),
            "gaps": str(r["gaps"]),
        }
        for _, r in by_site.iterrows()
    ]
    localities = published.table("hub_core_offer_localities")
    return {
        "columns": [core[k].label or k for k in core],
        "keys": list(core),
        "sites": sites,
        "localities": [
            {"name": str(place), "cells": [str(r[k]) for k in core], "gaps": str(r["gaps"])}
            for place, r in localities.iterrows()
        ],
        "counts": [
            {
                "label": str(r["label"]),
                "in_person": int(r["in_person"]),
                "outreach": int(r["outreach"]),
                "virtual": int(r["virtual"]),
                "none": int(r["none"]),
                "hubs": int(r["hubs"]),
                "unknown": bool(r["state"]),
            }
            for _, r in counts.iterrows()
        ],
        "unknown": [core[k].label or k for k in a.hubs.offer.unknown] if a.hubs else [],
        "none": NONE,
        "unknown_mark": UNKNOWN,
        "join_m": a.config.hubs.join_m,
    }


def _reach(a: Assessment, shown: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "name": str(r["district_name"]),
            "is_county": code == "County",
            "under5": r["under5"],
            "within": r["under5_within"],
            "pct": r["under5_pct"],
            "lower": r["under5_lower"],
            "upper": r["under5_upper"],
            "low_pct": r["low_income_pct"],
            "low_lower": r["low_income_lower"],
            "low_upper": r["low_income_upper"],
            "uncounted": int(r["areas_without_under5"]),
        }
        for code, r in shown.iterrows()
    ]


def _out_of_reach(shown: pd.DataFrame) -> list[dict[str, Any]]:
    deciles = [c for c in shown.columns if c.endswith("_decile")]
    return [
        {
            "name": str(r["area_name"]),
            "district": str(r["district_name"]),
            "under5": r["under5"],
            "deciles": ", ".join(f"{c.split('_')[0].upper()} {r[c]}" for c in deciles),
            "nearest": str(r["nearest_hub"]),
            "distance": str(r["distance"]),
        }
        for _, r in shown.head(_RANKED).iterrows()
    ]


# --------------------------------------------------------------------------- early years


def _early_years(a: Assessment, published: RunPublication) -> dict[str, Any]:
    """Early years places from the published table only: verdicts as published (a hidden
    one counts in no group), wards ranked by the places they are short on the providers
    placed in them (published children and places), and what is certain whatever the
    location of the providers placed in no ward."""
    ey = a.early_years
    assert ey is not None
    shown = published.table("early_years_places")
    under5 = shown.xs("0-4", level="band")
    county = under5.loc["County"]
    wards = under5.drop(index="County")
    verdict = wards["verdict"].astype(str)
    unknown = verdict.str.startswith(f"{UNKNOWN}, because")
    away = unknown & verdict.str.contains("placed in no")
    no_places = unknown & verdict.str.contains("give no places")
    no_people = unknown & ~away & ~no_places
    below = verdict == BELOW
    children = wards["children"].map(number).astype(float)
    places = wards["places"].map(number).astype(float)
    short = (children * ey.standard / 1000 - places)[below | away | no_places].dropna()
    short = short[short > 0].sort_values(ascending=False, kind="stable")
    school = shown.xs("5-10", level="band").loc["County"]
    withheld = published.table("early_years_withheld")
    unplaced = float(withheld.loc[withheld["band"] == "0-4", "places"].map(number).sum())
    return {
        "geography": ey.geography,
        "standard": ey.standard,
        "source": ey.standard_source,
        "county": {
            "places": county["places"],
            "children": county["children"],
            "per_1000": county["places_per_1000"],
            "verdict": str(county["verdict"]),
        },
        "school": {"places": school["places"], "per_1000": school["places_per_1000"]},
        "units": len(wards),
        "below": int(below.sum()),
        "unknown_away": int(away.sum()),
        "unknown_people": int(no_people.sum()),
        "unknown_places": int(no_places.sum()),
        "unplaced_places": unplaced,
        "short_total": float(short[short.index.isin(wards.index[below | away])].sum()),
        "certain_short": max(
            0.0, float(short[short.index.isin(wards.index[below | away])].sum()) - unplaced
        ),
        "ranked": [
            {
                "name": str(wards.loc[code, "unit_name"]),
                "code": str(code),
                "children": wards.loc[code, "children"],
                "places": float(wards.loc[code, "places"]),
                "providers": int(wards.loc[code, "providers"]),
                "per_1000": wards.loc[code, "places_per_1000"],
                "short": float(short[code]),
                "verdict": "below the standard"
                if below[code]
                else "unknown: providers here give no places"
                if no_places[code]
                else "unknown: the unplaced providers could lift it",
            }
            for code in short.index[:_RANKED]
        ],
        "withheld": [
            {
                "la": str(r["local_authority"]),
                "band": str(r["band"]),
                "reason": str(r["reason"]),
                "providers": int(r["providers"]),
                "places": float(r["places"]),
            }
            for _, r in withheld.iterrows()
        ],
        "estimated": ey.estimated,
        "no_places": ey.no_places,
        "take_up": _take_up(published) if ey.take_up is not None else [],
        "period": ey.period,
    }


def _take_up(published: RunPublication) -> list[dict[str, Any]]:
    table = published.table("early_years_take_up")
    rows = []
    for age in pd.unique(table["age"]):
        part = table[table["age"] == age]
        mine = part[part["level"].str.lower() != "national"]
        england = part[part["level"].str.lower() == "national"]
        for _, r in mine.iterrows():
            rows.append(
                {
                    "area": str(r["area_name"]),
                    "age": str(age),
                    "pct": r["percent"],
                    "children": r["children"],
                    "eligible": r["eligible"],
                    "england": england["percent"].iloc[0] if len(england) else None,
                }
            )
    return rows


# --------------------------------------------------------------------------- headline


def _headline(c: dict[str, Any]) -> list[str]:
    """The sentences a board can repeat, from the figures as published."""
    lines = []
    for t in c.get("targeting", [])[:2]:
        lines.append(
            f"Family hubs ({t['measure']}): {t['in_aim']} of {t['hubs']} open hubs "
            f"({fmt_pct(t['pct'], 0)}) stand in the most deprived areas, against the aim of "
            f"{c['aim']}: {t['verdict']}. The share of hub capacity there: "
            f"{_capacity(t)}."
        )
    county = next((r for r in c.get("reach", []) if r["is_county"]), None)
    if county is not None:
        line = (
            f"{fmt_pct(county['pct'], 0)} of under-fives (95% CI {fmt_pct(county['lower'], 0)} "
            f"to {fmt_pct(county['upper'], 0)}) live {c['reach_words']}"
        )
        if number(county["low_pct"]) is not None:
            line += f"; {fmt_pct(county['low_pct'], 0)} of low-income under-fives (estimated)"
        lines.append(line + ".")
    ey = c.get("early_years")
    if ey:
        lines.append(
            f"Early years: {_places(ey['county']['per_1000'])} registered places per 1,000 "
            f"under-fives across the council against a standard of {ey['standard']:g} "
            f"({ey['county']['verdict']}). {_below_words(ey)}"
        )
    return lines


def _below_words(ey: dict[str, Any]) -> str:
    """How many units are below the standard, for certain and perhaps, and what is
    certain whatever the location of the providers placed in none."""
    unit = ey["geography"]
    text = (
        f"{ey['below']} of {ey['units']} {unit}s are below it whatever the location of the "
        f"providers Ofsted places in no {unit}"
    )
    if ey["unknown_away"]:
        text += (
            f"; {ey['unknown_away']} more {_is(ey['unknown_away'])} below it on the providers "
            "placed in them, but "
            f"the {ey['unplaced_places']:,.0f} places of providers placed in no {unit} "
            "(most of them childminders whose location is withheld) could lift them: "
            "unknown"
        )
    if ey["unknown_places"]:
        n = ey["unknown_places"]
        text += (
            f"; {n} more {_is(n)} below it on the places given, but providers there give "
            "none: unknown"
        )
    if ey["unknown_people"]:
        n = ey["unknown_people"]
        text += f"; {n} {'has' if n == 1 else 'have'} no child population: unknown"
    text += "."
    if ey["short_total"] > 0:
        text += (
            f" Together the {unit}s below it for certain or on their placed providers are "
            f"{ey['short_total']:,.0f} places short on the providers "
            f"placed in them, so at least {ey['certain_short']:,.0f} places are missing "
            "across them wherever the unplaced providers are."
        )
    return text


def _is(n: int) -> str:
    return "is" if n == 1 else "are"


def _capacity(t: dict[str, Any]) -> str:
    if str(t["capacity_verdict"]).startswith(UNKNOWN):
        return t["capacity_verdict"]
    return f"{fmt_pct(t['capacity_pct'], 0)}, {t['capacity_verdict']}"


def _places(cell: Any) -> str:
    v = number(cell)
    return fmt_count(cell) if v is None else f"{v:,.0f}"


# --------------------------------------------------------------------------- method


def _method(a: Assessment) -> list[dict[str, str]]:
    """How the section's figures were made, from the run's parameters."""
    cfg = a.config
    items = []
    if a.hubs is not None:
        spec = cfg.hubs
        measures = ", ".join(_label(a, n) for n in spec.deprivation) or "none configured"
        items += [
            {
                "title": "Hubs and their services",
                "text": "a hub, spoke or outreach venue is a place; a service is delivered "
                "at it in person, from it by outreach, or virtually (online or by phone), "
                "as its delivery says. A service joins the site its site_id names, else the "
                f"nearest site within {spec.join_m:g} m. It is a core service when its "
                "core_service cell names one, else when it has one of the categories that "
                "service is mapped to (the core offer below).",
            },
            {
                "title": "Gaps and unknowns",
                "text": "a required core service a hub offers in no way is a gap, named for "
                "that hub. A core service that no service in the inputs is at all is "
                "unknown everywhere: the inputs cannot say, so no hub is said to lack it.",
            },
            {
                "title": "The targeting aim",
                "text": f"{_aim_words(a)}. Each open {' or '.join(spec.counted_kinds)} "
                "takes the national decile of the small area it stands in, for each "
                f"measure ({measures}). A hub without a decile could tip the verdict, "
                "which is then unknown; the share of capacity is unknown whenever a hub "
                "gives none: a network with unknown capacity is never called targeted.",
            },
            {
                "title": "Reach",
                "text": f"under-fives are within reach when they live {_reach_words(a)}. "
                "Shares by district carry 95% intervals allowing for children of one area "
                "being in or out together."
                + (
                    " Low-income under-fives are estimated as under-fives times the share "
                    f"of children in low-income families ({_label(a, spec.low_income_indicator)}), "
                    "rounded to whole children, and published by district only."
                    if spec.low_income_indicator
                    else ""
                ),
            },
        ]
    if a.early_years is not None:
        ey = a.early_years
        items.append(
            {
                "title": "Early years places",
                "text": "registered places of the active providers of the Ofsted register "
                f"placed in each {ey.geography} by their postcode, per 1,000 children: "
                "the Early Years Register's places per under-five against the standard "
                f"of {ey.standard:g} ({ey.standard_source or 'no source given'}), and "
                "places of providers on the Childcare Register only (school-age "
                "childcare) per child aged 5-10, with no standard. Providers whose "
                "location Ofsted withholds (most childminders), or whose postcode is not "
                f"found, count for the council only, so a {ey.geography}'s places are a "
                f"lower bound: a {ey.geography} meets the standard on them alone, is below "
                "it only if it would stay below with every unplaced place in it, and is "
                f"otherwise unknown; a {ey.geography} without a child population is "
                "unknown. Where Ofsted gives only "
                f"an estimate of a provider's places it is used ({ey.estimated} providers).",
            }
        )
    return items
