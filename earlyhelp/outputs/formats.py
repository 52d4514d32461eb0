"""How tables look outside earlyhelp: one unit convention, sensible precision, plain
headers with units and Excel number formats, for every column of every table.

The analysis keeps shares as proportions (0-1) and floating-catchment places per child;
what is written for people and for other tools (CSV, GeoPackage, the workbook) follows one
convention:

* shares of children are **percentages** (0-100, one decimal), in columns named ``pct_*``
  (``share_within_reach`` is written ``pct_within_reach``);
* places are **per 1,000 children** (one decimal), in columns named ``places_per_1000*``
  (the E2SFCA score ``e2sfca`` is written ``places_per_1000``), never per child;
* counts of children, areas, services and places are whole numbers;
* money is whole pounds (GBP);
* distances are whole metres, or minutes to one decimal with the road network model;
* the need index is 0-100 to one decimal.

:func:`present` applies it to an analyst table or a GeoPackage layer (tables that passed
small-number suppression are already shown as published and are left as they are);
:func:`column_format` says, for one column, its plain-English header with its unit, the
decimals it is written with and its Excel number format.

Example
-------
>>> column_format("spend_per_child").header
'Spend per child (GBP)'
>>> column_format("pct_lower").excel
'0.0'
"""

from __future__ import annotations

__all__ = [
    "TABLE_NOTES",
    "ColumnFormat",
    "column_format",
    "comparison_as_analysed",
    "header_with_unit",
    "output_name",
    "present",
]

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from earlyhelp.columns import SEPARATOR


@dataclass(frozen=True)
class ColumnFormat:
    """How one column is shown.

    ``header``: plain English with the unit; ``kind``: count, percent, rate, money,
    distance, index, number, flag, code or text; ``decimals``: places written to CSV and
    the GeoPackage (None: as it is); ``excel``: the workbook's number format; ``scale``:
    what an analysis value is multiplied by on the way out (100 for a share, 1,000 for
    places per child).
    """

    header: str
    kind: str = "text"
    decimals: int | None = None
    excel: str = "General"
    scale: float = 1.0


def _count(header: str) -> ColumnFormat:
    return ColumnFormat(header, "count", 0, "#,##0")


def _pct(header: str, scale: float = 1.0) -> ColumnFormat:
    return ColumnFormat(f"{header} (%)", "percent", 1, "0.0", scale)


def _rate(header: str, scale: float = 1.0) -> ColumnFormat:
    return ColumnFormat(f"{header} (per 1,000 children)", "rate", 1, "#,##0.0", scale)


def _money(header: str) -> ColumnFormat:
    return ColumnFormat(f"{header} (GBP)", "money", 0, '"£"#,##0')


def _number(header: str, decimals: int = 2) -> ColumnFormat:
    return ColumnFormat(
        header, "number", decimals, "#,##0" + ("." + "0" * decimals if decimals else "")
    )


def _flag(header: str) -> ColumnFormat:
    return ColumnFormat(f"{header} (yes/no)", "flag")


def _text(header: str) -> ColumnFormat:
    return ColumnFormat(header, "text")


def _code(header: str) -> ColumnFormat:
    return ColumnFormat(header, "code")


# reach_bands: which age bands have a service taking them in reach, one bit a band in the
# order of earlyhelp.need.AGE_BANDS (a layer above this one; a test keeps the two alike)
_BANDS_UNIT = "sum of 1 = 0-4, 2 = 5-10, 4 = 11-15, 8 = 16-17, 16 = 18-19"

_COORD = ColumnFormat("", "number", 0, "0")
_DISTANCE_M = ColumnFormat("", "distance", 0, "#,##0")
_DISTANCE_MIN = ColumnFormat("", "distance", 1, "#,##0.0")
_DISTANCE_ANY = ColumnFormat("", "distance", 1, "#,##0.0")

# Columns by name, wherever they appear.
_NAMED: dict[str, ColumnFormat] = {
    "area_code": _code("Area code"),
    "area_name": _text("Area"),
    "district_code": _code("District code"),
    "district_name": _text("District"),
    "locality": _text("Locality"),
    "rural_urban": _text("Rural or urban"),
    "category": _code("Kind of help (key)"),
    "label": _text("Kind of help"),
    "service_id": _code("Service id"),
    "site_id": _code("Site id"),
    "new_site_id": _code("New site id"),
    "name": _text("Name"),
    "provider": _text("Provider"),
    "sector": _text("Sector"),
    "kind": _text("Kind"),
    "delivery": _text("How it is delivered"),
    "status": _text("Status"),
    "measure": _text("Measure"),
    "unit": _text("Unit"),
    "comparison": _text("Against the county"),
    "vs_county": _text("Against the county"),
    "adequate_vs_county": _text("Adequate places against the county"),
    "verdict": _text("First district is"),
    "state": _text("Verdict"),
    "priority": _text("Priority"),
    "reason": _text("Why"),
    "unknown_because": _text("Unknown because"),
    "called_for": _text("Help its need calls for"),
    "missing_called_for": _text("Help its need calls for, out of reach"),
    "missing_core": _text("Core help out of reach"),
    "unknown": _text("Kinds of help that cannot be judged"),
    "sectors_within_reach": _text("Sectors within reach"),
    "categories": _text("Kinds of help"),
    "categories_lost": _text("Kinds of help lost"),
    "categories_gained": _text("Kinds of help gained"),
    "new_priority_gaps": _text("New priority gaps"),
    "action": _text("Change"),
    "detail": _text("What changed"),
    "source": _text("Given by"),
    "when": _text("When"),
    "change": _text("Change"),
    "priority_before": _text("Priority before"),
    "priority_after": _text("Priority after"),
    "children": _count("Children"),
    "children_full_core_range": _count("Children with the full core range within reach"),
    "children_core_unknown": _count("Children where core help cannot be judged"),
    "priority_gap_children": _count("Children in priority gaps"),
    "children_out_of_reach": _count("Children out of reach"),
    "children_too_few_places": _count("Children with too few places"),
    "children_unknown": _count("Children where it cannot be judged"),
    "children_sufficient": _count("Children with sufficient help"),
    "children_within_reach": _count("Children within reach"),
    "children_newly_reached": _count("Children newly within reach"),
    "children_losing_reach": _count("Children losing reach"),
    "children_gaining_reach": _count("Children gaining reach"),
    "reached_before": _count("Children within reach before"),
    "reached_after": _count("Children within reach after"),
    "newly_reached": _count("Children newly within reach"),
    "net_change": _count("Net change in children within reach"),
    "numerator": _count("Numerator"),
    "denominator": _count("Denominator (children)"),
    "areas": _count("Small areas"),
    "areas_missing_range": _count("Small areas lacking help"),
    "areas_newly_reached": _count("Small areas newly within reach"),
    "n_missing": _count("Kinds of help missing"),
    "n_sectors_within_reach": _count("Number of sectors within reach"),
    "services": _count("Active services"),
    "services_without_cost": _count("Active services without a cost"),
    "places": _count("Places a year"),
    "reached": _count("Children or families reached a year"),
    "rank": _count("Rank"),
    "capacity": _count("Capacity (places a year)"),
    "shortfall_places": _number("Places short of the standard", 1),
    "pct_full_core_range": _pct("Children with the full core range within reach"),
    "pct_lower": _pct("Lower 95% confidence limit"),
    "pct_upper": _pct("Upper 95% confidence limit"),
    "pct_adequate_places": _pct("Children with adequate places, a benchmark"),
    "adequate_lower": _pct("Adequate places, lower 95% confidence limit"),
    "adequate_upper": _pct("Adequate places, upper 95% confidence limit"),
    "capacity_used": _pct("Places used", 100.0),
    "places_per_1000": _rate("Places a year"),
    "standard_per_1000": _rate("Standard, places a year"),
    "capacity_per_1000": _rate("Capacity, places a year"),
    "annual_cost": _money("Annual cost"),
    "spend_per_child": _money("Spend per child"),
    "spend_per_child_in_need": _money("Spend per child in need"),
    "cost_per_place": _money("Cost per place"),
    "cost_per_child_reached": _money("Cost per child reached"),
    "need_index": ColumnFormat("Need index (0-100)", "index", 1, "0.0"),
    "need_factor": _number("Need weight (1 + need index / 100)"),
    "weight": _number("Need-weighted children", 1),
    "gain": _number("Need-weighted children newly within reach", 1),
    "phi": _number("Dispersion between small areas (phi)", 1),
    "min_age": _number("Youngest age (years)", 0),
    "max_age": _number("Oldest age (years)", 0),
    "idaci_score": _number("IDACI score (0-1)", 3),
    "easting": replace(_COORD, header="Easting (m, British National Grid)"),
    "northing": replace(_COORD, header="Northing (m, British National Grid)"),
    "latitude": ColumnFormat("Latitude", "number", 6, "0.000000"),
    "longitude": ColumnFormat("Longitude", "number", 6, "0.000000"),
    "within_reach": _flag("Within reach"),
    "capacity_unknown": _flag("Capacity not given for a service in reach"),
    "adequate_places": _flag("Adequate places, a benchmark"),
    "high_need": _flag("High need"),
    "reach_known": _flag("Reach could be judged"),
    "full_core_range": _flag("Full core range within reach"),
    "full_core_range_before": _flag("Full core range within reach before"),
    "full_core_range_after": _flag("Full core range within reach after"),
    "within_reach_before": _flag("Within reach before"),
    "within_reach_after": _flag("Within reach after"),
    "nearest_outreach": _flag("Nearest for reach is an outreach service"),
}

# Columns that mean something else in one table (the long and before/after tables).
_IN_TABLE: dict[str, dict[str, ColumnFormat]] = {
    "funnel": {
        "value": _pct("Children with the full core range within reach", 100.0),
        "county": _pct("County value", 100.0),
        "lower_95": _pct("Lower 95% control limit", 100.0),
        "upper_95": _pct("Upper 95% control limit", 100.0),
        "lower_99_8": _pct("Lower 99.8% control limit", 100.0),
        "upper_99_8": _pct("Upper 99.8% control limit", 100.0),
        "denominator": _count("Children"),
    },
    "district_comparison": {
        "value": _number("Value (unit in the Unit column)", 1),
        "lower": _number("Lower 95% confidence limit", 1),
        "upper": _number("Upper 95% confidence limit", 1),
        "county": _number("County value", 1),
    },
    "access": {"value": _number("Value (unit in the Unit column)", 1)},
    "coverage": {"pct_within_reach": _pct("Children within reach")},
    "places_change": {
        "before": _rate("Capacity before"),
        "after": _rate("Capacity after"),
        "change": _rate("Change in capacity"),
    },
    "places_by_category": {
        "before": _rate("Places before"),
        "after": _rate("Places after"),
        "change": _rate("Change in places"),
    },
    "reach_change": {
        "within_reach_before": _count("Children within reach before"),
        "within_reach_after": _count("Children within reach after"),
    },
    # family hubs and early years places (issue 18)
    "hub_core_offer": {
        "kind": _text("Kind of site (hub, spoke, outreach venue)"),
        "core_offered": _count("Core services offered (in any way)"),
        "gaps": _text("Required core services not offered (gaps)"),
    },
    "hub_core_offer_localities": {
        "sites": _count("Open sites"),
        "core_offered": _count("Core services offered (in any way)"),
        "gaps": _text("Required core services not offered (gaps)"),
    },
    "hub_core_offer_counts": {
        "core_service": _code("Core service (key)"),
        "label": _text("Core service"),
        "required": _flag("Required at every hub"),
        "hubs": _count("Open hubs"),
        "in_person": _count("Hubs offering it in person"),
        "outreach": _count("Hubs offering it by outreach"),
        "virtual": _count("Hubs offering it virtually"),
        "none": _count("Hubs not offering it"),
        "state": _text("Unknown because"),
    },
    "hub_targeting": {
        "measure": _text("Deprivation measure (national deciles)"),
        "hubs": _count("Open hubs"),
        "hubs_in_aim": _count("Open hubs in the most deprived deciles of the aim"),
        "pct_hubs": _pct("Hubs in the most deprived deciles, of hubs with a decile"),
        "aim_pct": _pct("The aim"),
        "verdict": _text("Hubs against the aim"),
        "hubs_without_decile": _count("Hubs without a decile"),
        "capacity_in_aim": _count("Capacity in the most deprived deciles (families a year)"),
        "capacity": _count("Capacity of open hubs (families a year)"),
        "pct_capacity": _pct("Capacity in the most deprived deciles"),
        "capacity_verdict": _text("Capacity against the aim"),
        "hubs_without_capacity": _count("Hubs giving no capacity"),
    },
    "hub_targeting_deciles": {
        "measure": _text("Deprivation measure (national deciles)"),
        "decile": _text("National decile (1 = most deprived)"),
        "hubs": _count("Open hubs"),
        "pct_hubs": _pct("Open hubs"),
        "capacity": _count("Capacity (families a year; empty when a hub gives none)"),
        "capacity_unknown": _count("Hubs giving no capacity"),
        "pct_capacity": _pct("Capacity"),
    },
    "hub_reach_under5": {
        "under5": _count("Children aged 0-4"),
        "under5_within": _count("Children aged 0-4 within reach of a hub or spoke"),
        "under5_out": _count("Children aged 0-4 out of reach"),
        "under5_pct": _pct("Children aged 0-4 within reach"),
        "under5_lower": _pct("Children aged 0-4 within reach, lower 95% confidence limit"),
        "under5_upper": _pct("Children aged 0-4 within reach, upper 95% confidence limit"),
        "low_income": _count("Low-income children aged 0-4 (estimated)"),
        "low_income_within": _count("Low-income children aged 0-4 within reach"),
        "low_income_out": _count("Low-income children aged 0-4 out of reach"),
        "low_income_pct": _pct("Low-income children aged 0-4 within reach"),
        "low_income_lower": _pct("Low-income children aged 0-4 within reach, lower 95% limit"),
        "low_income_upper": _pct("Low-income children aged 0-4 within reach, upper 95% limit"),
        "areas_without_under5": _count("Small areas with no count of under-fives (unknown)"),
    },
    "hub_under5_out_of_reach": {
        "under5": _count("Children aged 0-4"),
        "imd_decile": _text("IMD national decile (1 = most deprived)"),
        "idaci_decile": _text("IDACI national decile (1 = most deprived)"),
        "nearest_hub": _text("Nearest open hub or spoke"),
        "distance": _text("Its distance (with unit)"),
    },
    "early_years_places": {
        "band": _text("Ages (years)"),
        "unit_code": _code("Ward (or unit) code"),
        "unit_name": _text("Ward (or unit)"),
        "providers": _count("Active providers placed in it"),
        "places": _count("Registered places"),
        "children": _count("Children of these ages"),
        "places_per_1000": _rate("Registered places"),
        "standard": _rate("Standard, registered places"),
        "verdict": _text("Against the standard"),
    },
    "early_years_withheld": {
        "local_authority": _text("Local authority (as the register gives it)"),
        "band": _text("Ages (years)"),
        "reason": _text("Why it is placed in no ward"),
        "providers": _count("Active providers"),
        "places": _count("Registered places"),
    },
    "early_years_take_up": {
        "level": _text("Level"),
        "period": _text("Year"),
        "entitlement": _text("Entitlement"),
        "age": _text("Ages"),
        "children": _count("Children registered for funded early education"),
        "eligible": _count("Children eligible"),
        "percent": _pct("Take-up, as DfE publishes it"),
    },
}

# Measures of <measure>__<category> columns (and of the long access table), after renaming.
_MEASURES: dict[str, ColumnFormat] = {
    "pct_within_reach": _pct("Children within reach", 100.0),
    "count_within_reach": _count("Services within reach"),
    "places_per_1000": _rate("Places a year", 1000.0),
    "places_per_1000_2sfca": _rate("Places a year (2SFCA)", 1000.0),
    "gravity": _number("Gravity access score", 3),
    "within_reach": _flag("Within reach"),
    "nearest_outreach": _flag("Nearest for reach is an outreach service"),
    "capacity_unknown": _flag("Capacity not given for a service in reach"),
    "reach_bands": _code(f"Age bands with help in reach ({_BANDS_UNIT})"),
    "nearest_id": _code("Nearest service for reach (id)"),
    "state": _text("Verdict"),
    "priority": _text("Priority"),
    "within_reach_before": _flag("Within reach before"),
    "within_reach_after": _flag("Within reach after"),
    "priority_before": _text("Priority before"),
    "priority_after": _text("Priority after"),
    "places_per_1000_before": _rate("Places a year before"),
    "places_per_1000_after": _rate("Places a year after"),
}
_DISTANCES = {
    "nearest": "Distance to the nearest service for reach",
    "distance": "Distance to the nearest service",
    "cost_to_new_site": "Distance to the new site",
}
# Analysis names written otherwise (see the module's docstring).
_RENAME_MEASURE = {
    "share_within_reach": "pct_within_reach",
    "e2sfca": "places_per_1000",
    "2sfca": "places_per_1000_2sfca",
}
_RENAME = {
    "share_before": "pct_before",
    "share_after": "pct_after",
    "share_reached_after": "pct_reached_after",
}
_SHARES = {
    "pct_before": _pct("Children within reach before", 100.0),
    "pct_after": _pct("Children within reach after", 100.0),
    "pct_reached_after": _pct("Children within reach after", 100.0),
}
_UNITS = {"m": "m", "min": "minutes"}

# What each table is, for the notes beside the tables and the workbook's About sheet.
TABLE_NOTES: dict[str, str] = {
    "district_summary": "Each district and the county: children, the share with the full "
    "core range of help within reach and with adequate places (each with its 95% "
    "confidence interval and comparison with the county), children in priority gaps, "
    "capacity per 1,000 children and spend per child.",
    "kinds_of_help": "Each kind of help: its standard, and the county's children of its "
    "ages by verdict (sufficient, out of reach, too few places, unknown).",
    "access": "Every access measure of every small area and kind of help, one row each "
    "(area, kind of help, measure, value, unit).",
    "remote_services": "Online and phone services: available anywhere, never counted as "
    "help nearby.",
    "gaps": "Each small area and kind of help: children of its ages, reach, places per "
    "1,000 against the standard, the verdict and its priority.",
    "range_of_help": "Each small area: the help its need calls for, what is missing, and "
    "the sectors within reach.",
    "district_comparison": "Each district against the county, measure by measure, with "
    "95% confidence intervals (the unit of each row in its Unit column).",
    "funnel": "The funnel plot of the share with the full core range: each district's "
    "value with the 95% and 99.8% control limits around the county.",
    "resourcing": "Each district: annual cost, active services, places, spend per child, "
    "cost per place and per child reached.",
    "need_index": "Each small area's need index (0-100; 50 is the study area's middle).",
    "sites": "The chosen new sites in order of gain.",
    "districts": "Children newly within reach by district.",
    "coverage": "Children within reach before and after the new sites.",
    "areas_newly_reached": "The small areas the new sites bring within reach.",
    "changes": "The changes the scenario made to the services.",
    "reach_change": "Children losing or gaining reach, by district and kind of help.",
    "priority_changes": "Small areas whose priority changes.",
    "places_change": "Capacity per 1,000 children by district, before and after.",
    "places_by_category": "Places per 1,000 children by district and kind of help, before "
    "and after.",
    "areas_changed": "Small areas whose reach, priority or places change.",
    "hub_core_offer": "The core family hub offer at each open hub, spoke and outreach venue: "
    "for each core service, in person, by outreach, virtually, not offered, or unknown "
    "(no service in the inputs is it); the required ones a hub lacks are its gaps.",
    "hub_core_offer_localities": "The core offer in each locality: its sites' services and "
    "the network's virtual ones.",
    "hub_core_offer_counts": "Each core service: how many open hubs offer it in person, by "
    "outreach, virtually, or not at all.",
    "hub_targeting": "The targeting aim (a share of hubs, and of their capacity, in the "
    "most deprived national deciles) per deprivation measure, with its verdict.",
    "hub_targeting_deciles": "Open hubs and their capacity by national deprivation decile.",
    "hub_reach_under5": "Each district and the county: children aged 0-4 (and low-income "
    "ones, estimated) within reach of an open hub or spoke, with 95% confidence intervals.",
    "hub_under5_out_of_reach": "The small areas whose under-fives no open hub or spoke "
    "reaches, most under-fives first, with their deciles and the nearest site.",
    "early_years_places": "Registered early years places per 1,000 children by ward and "
    "ages against the standard; providers whose location is withheld count for the "
    "council only, so a ward below on its placed providers may be unknown (the verdict "
    "says why).",
    "early_years_withheld": "Active providers placed in no ward (location withheld by "
    "Ofsted, or postcode not found), counted for their local authority only.",
    "early_years_take_up": "Children registered for funded early education against those "
    "eligible, as DfE publishes it, for the council and England.",
}


def output_name(column: str) -> str:
    """The name a column is written under: ``share_within_reach__x`` ->
    ``pct_within_reach__x``, ``e2sfca__x`` -> ``places_per_1000__x``; others unchanged."""
    measure, sep, category = str(column).partition(SEPARATOR)
    measure = _RENAME_MEASURE.get(measure, _RENAME.get(measure, measure))
    return f"{measure}{sep}{category}"


def column_format(
    column: str,
    *,
    table: str = "",
    cost_unit: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> ColumnFormat:
    """How ``column`` (its output name) of ``table`` is shown.

    ``cost_unit`` is the distance model's unit (``m`` or ``min``; None when unknown);
    ``labels`` turn category keys into labels in headers of ``<measure>__<category>``.
    An unknown column gets its name in words and no number format of its own.
    """
    column = str(column)
    found = _IN_TABLE.get(table, {}).get(column) or _NAMED.get(column) or _SHARES.get(column)
    if found is not None:
        return found
    measure, sep, category = column.partition(SEPARATOR)
    if measure in _DISTANCES:
        return _distance(_DISTANCES[measure], cost_unit, category, labels)
    base = _MEASURES.get(measure) or _NAMED.get(measure)
    if base is not None:
        if sep:
            label = (labels or {}).get(category, category.replace("_", " "))
            return replace(base, header=_with_category(base.header, label))
        return base
    return _text(_words(column))


def header_with_unit(column: str) -> str:
    """A column's plain-English header with its unit: ``spend_per_child`` -> ``Spend per
    child (GBP)``."""
    return column_format(column).header


def _with_category(header: str, label: str) -> str:
    """``Children within reach (%)`` and ``Parenting`` -> ``Children within reach of
    Parenting (%)``."""
    head, unit = re.match(r"(.*?)( \([^()]*\))?$", header).groups()  # type: ignore[union-attr]
    return f"{head}: {label}{unit or ''}"


def _distance(
    header: str, unit: str | None, category: str, labels: Mapping[str, str] | None
) -> ColumnFormat:
    base = {"m": _DISTANCE_M, "min": _DISTANCE_MIN}.get(unit or "", _DISTANCE_ANY)
    words = _UNITS.get(unit or "", "m or minutes")
    if category:
        header = f"{header}: {(labels or {}).get(category, category.replace('_', ' '))}"
    return replace(base, header=f"{header} ({words})")


def _words(column: str) -> str:
    text = column.replace(SEPARATOR, ": ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- present


def present(frame: pd.DataFrame, *, table: str = "", cost_unit: str | None = None) -> pd.DataFrame:
    """``frame`` as it is written for people and other tools (see the module's docstring):
    columns renamed, shares as percentages, places per 1,000 children, each column rounded
    to its precision. A copy; ``attrs`` are kept. The long tables (``access``,
    ``district_comparison``) are converted row by row, by their measure.
    """
    out = frame.rename(columns=output_name)
    out.attrs = dict(frame.attrs)
    if table == "access" and {"measure", "value"} <= set(out.columns):
        return _present_access(out, cost_unit)
    if table == "district_comparison" and {"unit", "value"} <= set(out.columns):
        out = _present_comparison(out)
    changed = {}
    for column in out.columns:
        if column == getattr(out, "_geometry_column_name", None):
            continue
        fmt = column_format(column, table=table, cost_unit=cost_unit)
        shown = _apply(out[column], fmt)
        if shown is not out[column]:
            changed[column] = shown
    if changed:  # in one step: a wide layer is not rebuilt column by column
        out = out.copy()
        out[list(changed)] = pd.DataFrame(changed, index=out.index)
    return out


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _apply(values: pd.Series, fmt: ColumnFormat) -> pd.Series:
    """Scale and round a numeric column; anything else is left as it is."""
    if not _numeric(values) or fmt.kind in ("flag", "text", "code"):
        return values
    shown = values.astype(float) * fmt.scale if fmt.scale != 1 else values
    if fmt.decimals is None:
        return shown
    return shown.round(fmt.decimals)  # written without a trailing .0 (csv_text)


# The long access table: each measure's unit and precision.
_ACCESS_UNITS = {
    "pct_within_reach": ("% of children", 100.0, 1),
    "places_per_1000": ("places a year per 1,000 children", 1000.0, 1),
    "places_per_1000_2sfca": ("places a year per 1,000 children", 1000.0, 1),
    "count_within_reach": ("services", 1.0, 0),
    "within_reach": ("1 = yes, 0 = no", 1.0, 0),
    "nearest_outreach": ("1 = yes, 0 = no", 1.0, 0),
    "capacity_unknown": ("1 = yes, 0 = no", 1.0, 0),
    "gravity": ("score", 1.0, 3),
    "reach_bands": (_BANDS_UNIT, 1.0, 0),
}


def _present_access(out: pd.DataFrame, cost_unit: str | None) -> pd.DataFrame:
    """The long access table: measure names as written, values in their unit, a unit
    column."""
    codes, names = pd.factorize(out["measure"].astype(str))  # each measure name once
    names = [_RENAME_MEASURE.get(m, m) for m in names]
    value = pd.to_numeric(out["value"], errors="coerce").astype(float)
    default = (_UNITS.get(cost_unit or "", "m or minutes"), 1.0, 0 if cost_unit == "m" else 1)
    each = [_ACCESS_UNITS.get(m, default) for m in names]
    measure = pd.Series(np.array(names, dtype=object)[codes], index=out.index, dtype=str)
    unit = pd.Series(np.array([u for u, _, _ in each], dtype=object)[codes], index=out.index)
    scale = pd.Series(np.array([f for _, f, _ in each], dtype=float)[codes], index=out.index)
    decimals = pd.Series(np.array([d for _, _, d in each], dtype=int)[codes], index=out.index)
    shown = value * scale
    for places in pd.unique(decimals):
        rows = decimals == places
        shown[rows] = shown[rows].round(int(places))
    out = out.assign(measure=measure, value=shown)
    out.insert(out.columns.get_loc("value") + 1, "unit", unit)
    return out


def _present_comparison(out: pd.DataFrame) -> pd.DataFrame:
    """The long district comparison: shares of children as percentages, every value to
    one decimal (counts and money to none), measures named as written."""
    out = out.copy()
    share = out["unit"].astype(str) == "share of children"
    money = out["unit"].astype(str).str.startswith("GBP")
    values = ["value", "lower", "upper", "county"]
    for column in (c for c in values if c in out.columns):
        numbers = pd.to_numeric(out[column], errors="coerce").astype(float)
        numbers = numbers.where(~share, numbers * 100)
        out[column] = numbers.round(1).where(~money, numbers.round(0))
    out.loc[share, "unit"] = "% of children"
    out["measure"] = out["measure"].astype(str).str.replace("share_", "pct_", regex=False)
    return out


def comparison_as_analysed(frame: pd.DataFrame) -> pd.DataFrame:
    """The district comparison read back from its CSV in the analysis' units: percentages
    of children as shares (0-1) and measures by their analysis names (the inverse of
    :func:`present` for that table)."""
    out = frame.copy()
    pct = out["unit"].astype(str) == "% of children"
    for column in (c for c in ("value", "lower", "upper", "county") if c in out.columns):
        numbers = pd.to_numeric(out[column], errors="coerce").astype(float)
        out[column] = numbers.where(~pct, numbers / 100)
    out.loc[pct, "unit"] = "share of children"
    out["measure"] = out["measure"].astype(str).str.replace("pct_", "share_", regex=False)
    return out
