"""Sufficiency: gaps, the range of help against need, resourcing and district comparison.

Turns accessibility (:mod:`earlyhelp.accessibility`) and need (:mod:`earlyhelp.need`) into
the answers the board gives under the sufficiency duty:

- :func:`gap_table`: per area and category, the children of the category's ages, whether
  they are within reach, places per 1,000 children once competition is counted (E2SFCA),
  the shortfall against the standard, and a priority class from need against access;
- :func:`range_of_help`: per area, the kinds of help its need profile calls for against
  the kinds within reach (Munro Recommendation 10's first point), and the sectors within
  reach;
- :func:`resourcing`: spend per child and per child in need, cost per place, and cost per
  child reached where take-up is given;
- :func:`district_comparison`: per district, each rate with its 95% confidence interval and
  a comparison with the county (significantly higher, lower or similar), not a league
  table; and the data for a funnel plot.

Performance figures are for learning and benchmarking (Munro Recommendation 4), so every
share carries its interval. The intervals treat children as independent, which they are
not within an area: read them as a lower bound on the uncertainty.
"""

from __future__ import annotations

__all__ = [
    "PRIORITY_CLASSES",
    "GapCutoffs",
    "Sufficiency",
    "assess_sufficiency",
    "category_children",
    "compare_districts",
    "district_comparison",
    "district_summary",
    "funnel_data",
    "gap_cutoffs",
    "gap_table",
    "range_of_help",
    "resourcing",
]

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.accessibility import AccessResult, compute_access
from earlyhelp.config import AccessConfig, CategoryConfig, Config, SufficiencyConfig
from earlyhelp.distance import DistanceModel
from earlyhelp.errors import InputError
from earlyhelp.need import AGE_BANDS, area_need_index, calls_for, children_in_ages
from earlyhelp.provision import LOCAL_DELIVERY, SECTORS
from earlyhelp.stats import clustered_share_ci, compare_with, funnel_limits, overdispersion

# An area's places are "adequate" for a category at this share of the county's places per
# 1,000 children or more: a benchmark for learning, not a standard of sufficiency.
ADEQUATE_SHARE = 0.5

# From most to least urgent; "priority gap" is high need with low access.
PRIORITY_CLASSES = ("priority gap", "access gap", "high need, reached", "no gap")


@dataclass(frozen=True, eq=False)
class Sufficiency:
    """Every sufficiency table of one run.

    Attributes
    ----------
    need_index
        Need index per area, 0-100 (see :func:`earlyhelp.need.need_index`).
    gaps
        Long table per area x category (:func:`gap_table`).
    range
        Per area: categories called for, within reach, missing (:func:`range_of_help`).
    resourcing
        Per district and the county, spend and cost measures (:func:`resourcing`).
    districts
        Per district x measure, with intervals and comparison (:func:`district_comparison`).
    funnel
        Funnel-plot data for the share of children with the core range within reach.
    summary
        The headline table per district with a County total row (:func:`district_summary`).
    cutoffs
        Where high need and low access started in this run (:class:`GapCutoffs`).
    called
        Area x category (bool): the kinds of help each area's need calls for.
    """

    need_index: pd.Series
    gaps: pd.DataFrame
    range: pd.DataFrame
    resourcing: pd.DataFrame
    districts: pd.DataFrame
    funnel: pd.DataFrame
    summary: pd.DataFrame
    cutoffs: GapCutoffs
    called: pd.DataFrame


def category_children(need: pd.DataFrame, categories: Mapping[str, CategoryConfig]) -> pd.DataFrame:
    """Children of each category's ages per area (columns are category keys)."""
    return pd.DataFrame(
        {
            key: children_in_ages(need, min_age=cat.min_age, max_age=cat.max_age)
            for key, cat in categories.items()
        },
        index=need.index,
    ).fillna(0.0)


def _wide(access: AccessResult, measure: str, categories: Mapping[str, object]) -> pd.DataFrame:
    cols = {key: f"{measure}__{key}" for key in categories}
    missing = [c for c in cols.values() if c not in access.wide]
    if missing:
        raise InputError(
            f"config: the sufficiency analysis needs the '{measure}' access measure; add "
            f'"{measure}" to measures in [access]'
        )
    return access.wide[list(cols.values())].set_axis(list(cols), axis=1)


def _adequate(places: pd.DataFrame, cut: pd.Series) -> pd.DataFrame:
    """Places at or above the cut; unknown (NA) for a category with no places counted."""
    cut = cut.reindex(places.columns)
    known = pd.DataFrame(
        np.broadcast_to(cut.to_numpy() > 0, places.shape),
        index=places.index,
        columns=places.columns,
    )
    return places.ge(cut, axis=1).astype("boolean").where(known)


def gap_table(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    access: AccessResult,
    categories: Mapping[str, CategoryConfig],
    *,
    need_score: pd.Series,
    places_per_1000: float,
    cutoffs: GapCutoffs,
) -> pd.DataFrame:
    """Gaps per area and category (one row each), against ``cutoffs`` (:func:`gap_cutoffs`).

    Columns: ``area_code``, ``category``, ``children`` (of the category's ages),
    ``within_reach`` (bool: every child of those ages has a service that takes their age
    within the category's reach threshold), ``children_out_of_reach`` (children whose age
    no service within reach takes), ``places_per_1000`` (E2SFCA supply per child x
    1,000: places once competition from neighbouring areas is counted), ``shortfall_places``
    (places short of the standard per 1,000 children: the category's own
    ``places_per_1000``, else the ``places_per_1000`` given here; 0 when met),
    ``adequate_places`` (at least ``cutoffs.adequate_per_1000``), ``high_need``,
    ``low_access`` and ``priority``:

    - *high need*: the area's need index is at or above ``cutoffs.need_index`` (the
      county's ``high_need_quantile``);
    - *low access*: not within reach, or places per 1,000 at or below
      ``cutoffs.places_per_1000`` for that category (the county's ``low_access_quantile``);
    - *priority gap* = high need and low access; *access gap* = low access only;
      *high need, reached* = high need only; *no gap* = neither.
    """
    children = category_children(need.reindex(areas.index).fillna(0.0), categories)
    reach = _wide(access, "within_reach", categories).astype(bool)
    share = _wide(access, "share_within_reach", categories).fillna(0.0)
    per_child = _wide(access, "e2sfca", categories).fillna(0.0)
    places = per_child * 1000.0
    high = need_score.reindex(areas.index) >= cutoffs.need_index
    cut = cutoffs.places_per_1000.reindex(places.columns)
    low = ~reach | places.le(cut, axis=1)
    standard = pd.Series(
        {k: c.places_per_1000 or places_per_1000 for k, c in categories.items()}
    ).reindex(places.columns)
    shortfall = (children * (standard - places) / 1000.0).clip(lower=0.0)
    high_frame = pd.DataFrame({k: high for k in categories}, index=areas.index)

    def long(frame: pd.DataFrame, name: str) -> pd.Series:
        return frame.rename_axis(index="area_code", columns="category").stack().rename(name)

    table = pd.concat(
        [
            long(children, "children"),
            long(reach, "within_reach"),
            long(children * (1.0 - share), "children_out_of_reach"),
            long(places, "places_per_1000"),
            long(_adequate(places, cutoffs.adequate_per_1000), "adequate_places"),
            long(shortfall, "shortfall_places"),
            long(high_frame, "high_need"),
            long(low, "low_access"),
        ],
        axis=1,
    )
    table["priority"] = np.select(
        [
            table["high_need"] & table["low_access"],
            table["low_access"],
            table["high_need"],
        ],
        PRIORITY_CLASSES[:3],
        default=PRIORITY_CLASSES[3],
    )
    return table.reset_index()


@dataclass(frozen=True, eq=False)
class GapCutoffs:
    """Where "high need" and "low access" start: a need index, and places per 1,000
    children per category. A scenario is judged against its baseline's cut-offs, so a
    change in one place does not move the line for every other area."""

    need_index: float
    places_per_1000: pd.Series  # index: category key
    adequate_per_1000: pd.Series  # half the county's places per 1,000, per category


def gap_cutoffs(
    need: pd.DataFrame,
    access: AccessResult,
    categories: Mapping[str, CategoryConfig],
    *,
    need_score: pd.Series,
    high_need_quantile: float,
    low_access_quantile: float,
) -> GapCutoffs:
    """The county's cut-offs: the ``high_need_quantile`` of the need index, and per
    category the ``low_access_quantile`` of places per 1,000 over areas with children of
    the category's ages; and *adequate* places: at least :data:`ADEQUATE_SHARE` of the
    county's places per 1,000 children of the category's ages."""
    children = category_children(need.fillna(0.0), categories).reindex(access.wide.index)
    places = _wide(access, "e2sfca", categories).fillna(0.0) * 1000.0
    county = (places * children).sum() / children.sum().where(children.sum() > 0)
    return GapCutoffs(
        need_index=float(need_score.quantile(high_need_quantile)),
        places_per_1000=places.where(children > 0).quantile(low_access_quantile),
        adequate_per_1000=(ADEQUATE_SHARE * county).fillna(0.0),
    )


def _sector_reach(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: gpd.GeoDataFrame,
    access_cfg: AccessConfig,
    *,
    suff: SufficiencyConfig,
    model: DistanceModel | None,
) -> pd.DataFrame:
    """Whether an active in-person service of each sector is within reach of each area.

    Runs the accessibility engine with the sectors as the taxonomy, so it measures
    distance exactly as the categories are measured, against the sector reach of
    ``[sufficiency]`` in the model's unit (metres or minutes).
    """
    known = services[services["sector"].isin(SECTORS)]
    by_sector = known.assign(categories=[[s] for s in known["sector"]])
    reach = {
        "reach_urban_m": suff.sector_reach_urban_m,
        "reach_rural_m": suff.sector_reach_rural_m,
        "reach_urban_min": suff.sector_reach_urban_min,
        "reach_rural_min": suff.sector_reach_rural_min,
    }
    taxonomy = {s: CategoryConfig(label=s, **reach) for s in SECTORS}
    cfg = dataclasses.replace(
        access_cfg, measures=("nearest", "within_reach"), weight_demand_by_need=False
    )
    result = compute_access(areas, need, by_sector, taxonomy, cfg, model=model)
    return _wide(result, "within_reach", taxonomy).astype(bool)


def range_of_help(
    gaps: pd.DataFrame,
    called: pd.DataFrame,
    categories: Mapping[str, CategoryConfig],
    sectors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The range of help within reach of each area against what its need calls for.

    ``called`` is the area x category table of :func:`earlyhelp.need.calls_for` (an
    indicator well above the county value calls for the categories linked to it).
    Returns, per area: ``called_for`` (labels), ``missing_called_for`` (called for but not
    within reach), ``missing_core`` (categories marked ``required`` that are not within
    reach), ``n_missing`` (distinct categories in either list), ``full_core_range``
    (bool), and with ``sectors`` the sectors within reach.
    """
    reach = gaps.pivot(index="area_code", columns="category", values="within_reach")
    reach = reach.reindex(columns=list(categories)).fillna(False).astype(bool)
    called = called.reindex(index=reach.index, columns=list(categories), fill_value=False)
    labels = np.array([categories[k].label or k for k in categories], dtype=object)
    required = np.array([categories[k].required for k in categories])

    def names(mask: np.ndarray) -> list[str]:
        return ["; ".join(labels[row]) for row in mask]

    called_m = called.to_numpy(dtype=bool)
    missing_called = called_m & ~reach.to_numpy()
    missing_core = required & ~reach.to_numpy()
    out = pd.DataFrame(
        {
            "called_for": names(called_m),
            "missing_called_for": names(missing_called),
            "missing_core": names(missing_core),
            "n_missing": (missing_called | missing_core).sum(axis=1),
            "full_core_range": ~missing_core.any(axis=1),
        },
        index=reach.index,
    )
    if sectors is not None:
        within = sectors.reindex(reach.index).fillna(False).astype(bool)
        out["sectors_within_reach"] = [
            "; ".join(c for c, ok in zip(within.columns, row, strict=True) if ok)
            for row in within.to_numpy()
        ]
        out["n_sectors_within_reach"] = within.sum(axis=1)
    return out


def _district_of_services(services: pd.DataFrame, areas: pd.DataFrame) -> pd.Series:
    return services["area_code"].map(areas["district_code"])


def resourcing(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: gpd.GeoDataFrame,
    *,
    in_need_column: str | None = None,
) -> pd.DataFrame:
    """Spend and value for money per district and for the county (last row ``county``).

    Counts only active services inside the study area. Columns: ``children`` (0-19),
    ``annual_cost`` (GBP), ``services``, ``services_without_cost``, ``spend_per_child``
    (GBP), ``children_in_need`` and ``spend_per_child_in_need`` (when ``in_need_column``
    names the need column that counts them), ``places``, ``cost_per_place`` (GBP, over
    services with both cost and capacity), ``reached``, ``cost_per_child_reached`` and
    ``capacity_used`` (share of places taken up) where services give ``reached``.
    A service in several categories is counted once here.
    """
    active = services[(services["status"] == "active") & services["area_code"].notna()].copy()
    active["district_code"] = _district_of_services(active, areas)
    kids = need.reindex(areas.index)[list(AGE_BANDS)].sum(axis=1)
    by_district = kids.groupby(areas["district_code"]).sum().rename("children").to_frame()
    if in_need_column:
        by_district["children_in_need"] = (
            need.reindex(areas.index)[in_need_column].groupby(areas["district_code"]).sum()
        )
    # places: in-person and outreach capacity (online and phone places are not local)
    delivery = active.get("delivery", "in_person")
    local = pd.Series(delivery, index=active.index).isin(LOCAL_DELIVERY)
    active["capacity"] = active["capacity"].where(local)
    both = active["annual_cost"].notna() & active["capacity"].notna()
    reached = active["reached"].notna() if "reached" in active else pd.Series(False)
    grouped = active.assign(
        cost_both=active["annual_cost"].where(both),
        places_both=active["capacity"].where(both),
        cost_reached=active["annual_cost"].where(reached),
        places_reached=active["capacity"].where(reached),
        without_cost=active["annual_cost"].isna(),
    ).groupby("district_code")
    sums = grouped.agg(
        annual_cost=("annual_cost", "sum"),
        services=("annual_cost", "size"),
        services_without_cost=("without_cost", "sum"),
        places=("capacity", "sum"),
        with_capacity=("capacity", "count"),
        cost_both=("cost_both", "sum"),
        places_both=("places_both", "sum"),
        reached=("reached", "sum"),
        cost_reached=("cost_reached", "sum"),
        places_reached=("places_reached", "sum"),
    )
    table = by_district.join(sums, how="left").fillna(0.0)
    table.loc["county"] = table.sum()
    # no service gave a cost (or a capacity): unknown, not zero
    costed = table["services"] - table["services_without_cost"]
    table["annual_cost"] = table["annual_cost"].where(costed > 0)
    table["places"] = table["places"].where(table.pop("with_capacity") > 0)
    table["spend_per_child"] = _ratio(table["annual_cost"], table["children"])
    if in_need_column:
        table["spend_per_child_in_need"] = _ratio(table["annual_cost"], table["children_in_need"])
    table["cost_per_place"] = _ratio(table["cost_both"], table["places_both"])
    table["cost_per_child_reached"] = _ratio(table["cost_reached"], table["reached"])
    table["capacity_used"] = _ratio(table["reached"], table["places_reached"])
    names = areas.groupby("district_code")["district_name"].first()
    table.insert(0, "district_name", names.reindex(table.index).fillna("County"))
    table.index.name = "district_code"
    return table.drop(columns=["cost_both", "places_both", "cost_reached", "places_reached"])


def _share_limits(
    numer: pd.Series, denom: pd.Series, district: pd.Series, index: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """95% limits of each district's share and the county's (row ``County``), with the
    areas as clusters (:func:`earlyhelp.stats.clustered_share_ci`); rows as ``index``."""
    by_district = clustered_share_ci(numer, denom, district.to_numpy())
    county = clustered_share_ci(numer, denom, np.full(len(numer), "County"))
    limits = pd.concat([by_district, county]).reindex(index)
    return limits["lower"].to_numpy(), limits["upper"].to_numpy()


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator.where(denominator > 0)).astype(float)


def district_comparison(
    areas: gpd.GeoDataFrame,
    children: pd.Series,
    gaps: pd.DataFrame,
    range_table: pd.DataFrame,
    resourcing_table: pd.DataFrame,
    categories: Mapping[str, CategoryConfig],
) -> pd.DataFrame:
    """Each district against the county, one row per district x measure.

    ``children`` is the number of children 0-19 per area.
    Measures: ``children``; ``share_full_core_range`` (share of children 0-19 living in
    areas with every core category within reach); ``share_within_reach:<category>`` (share
    of the category's children within reach); ``places_per_1000:<category>``;
    ``priority_gap_children:<category>``; ``areas_missing_range``; ``spend_per_child``.

    Shares carry 95% intervals with the areas as clusters
    (:func:`earlyhelp.stats.clustered_share_ci`) and ``comparison`` says whether it is
    significantly ``higher``, ``lower`` or ``similar`` to the county value (its interval
    excludes the county value or not). Columns: ``district_code``, ``district_name``,
    ``measure``, ``category``, ``value``, ``lower``, ``upper``, ``numerator``,
    ``denominator``, ``county``, ``comparison``, ``unit``.
    """
    district = areas["district_code"]
    g = gaps.set_index("area_code")
    kids = children.reindex(areas.index).fillna(0.0)
    full = range_table["full_core_range"].reindex(areas.index).fillna(False)
    rows = [_share_rows(kids * full, kids, district, "share_full_core_range", "")]
    for key in categories:
        rows.extend(_category_rows(g[g["category"] == key].reindex(areas.index), district, key))
    missing = (range_table["n_missing"].reindex(areas.index).fillna(0) > 0).groupby(district).sum()
    rows.append(_count_rows(missing, "areas_missing_range", "", "areas"))
    rows.append(_count_rows(kids.groupby(district).sum(), "children", "", "children"))
    rows.append(_spend_rows(resourcing_table["spend_per_child"]))
    names = areas.groupby("district_code")["district_name"].first()
    return _comparison_table(rows, names)


def _share_rows(
    numer: pd.Series, denom: pd.Series, district: pd.Series, measure: str, category: str
) -> pd.DataFrame:
    """One share per district (``numer`` over ``denom`` children, summed over its areas)
    with its 95% interval, the county share and the comparison with it."""
    numer, denom = numer.fillna(0.0), denom.fillna(0.0)
    n = numer.groupby(district).sum()
    d = denom.groupby(district).sum()
    lo, hi = _share_limits(numer, denom, district, n.index)
    county = n.sum() / d.sum() if d.sum() else np.nan
    frame = pd.DataFrame(
        {
            "measure": measure,
            "category": category,
            "value": _ratio(n, d),
            "lower": lo,
            "upper": hi,
            "numerator": n,
            "denominator": d,
            "county": county,
            "unit": "share of children",
        },
        index=n.index,
    )
    frame["comparison"] = compare_with(frame["lower"], frame["upper"], county).to_numpy()
    return frame


def _category_rows(sub: pd.DataFrame, district: pd.Series, key: str) -> list[pd.DataFrame]:
    """The measures of one category per district, from its rows of the gap table (``sub``,
    by area): share within reach, places per 1,000, priority gap children and share with
    adequate places."""
    within = _share_rows(
        sub["children"] - sub["children_out_of_reach"],
        sub["children"],
        district,
        "share_within_reach",
        key,
    )
    pg = sub["children"].where(sub["priority"] == "priority gap", 0.0).groupby(district).sum()
    adequate = _share_rows(
        sub["children"] * sub["adequate_places"].fillna(False).astype(bool),
        sub["children"].where(sub["adequate_places"].notna(), 0.0),
        district,
        "share_adequate_places",
        key,
    )
    return [
        within,
        _places_rows(sub, district, key),
        _count_rows(pg, "priority_gap_children", key, "children"),
        adequate,
    ]


def _places_rows(sub: pd.DataFrame, district: pd.Series, key: str) -> pd.DataFrame:
    """Places per 1,000 of the category's children per district, pooled over its areas."""
    places = (sub["places_per_1000"] * sub["children"] / 1000.0).groupby(district).sum()
    kids_cat = sub["children"].groupby(district).sum()
    return pd.DataFrame(
        {
            "measure": "places_per_1000",
            "category": key,
            "value": _ratio(places * 1000.0, kids_cat),
            "numerator": places,
            "denominator": kids_cat,
            "county": places.sum() * 1000.0 / kids_cat.sum() if kids_cat.sum() else np.nan,
            "unit": "places per 1,000 children",
        },
        index=places.index,
    )


def _spend_rows(spend: pd.Series) -> pd.DataFrame:
    """Spend per child per district, with the county's (the ``county`` row of ``spend``)."""
    return pd.DataFrame(
        {
            "measure": "spend_per_child",
            "category": "",
            "value": spend.drop("county"),
            "county": spend["county"],
            "unit": "GBP per child",
        }
    )


def _comparison_table(rows: list[pd.DataFrame], names: pd.Series) -> pd.DataFrame:
    """The rows of every measure as one table in the columns of
    :func:`district_comparison`, sorted by measure, category and district."""
    table = pd.concat(rows)
    table.index.name = "district_code"
    table = table.reset_index()
    table.insert(1, "district_name", table["district_code"].map(names))
    cols = [
        "district_code",
        "district_name",
        "measure",
        "category",
        "value",
        "lower",
        "upper",
        "numerator",
        "denominator",
        "county",
        "comparison",
        "unit",
    ]
    table = table.reindex(columns=cols)
    table["comparison"] = table["comparison"].fillna("not compared")
    return table.sort_values(["measure", "category", "district_code"], kind="stable").reset_index(
        drop=True
    )


def _count_rows(counts: pd.Series, measure: str, category: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": measure,
            "category": category,
            "value": counts.astype(float),
            "numerator": counts.astype(float),
            "county": float(counts.sum()),
            "unit": unit,
        },
        index=counts.index,
    )


def funnel_data(
    districts: pd.DataFrame, *, measure: str = "share_full_core_range", category: str = ""
) -> pd.DataFrame:
    """Funnel-plot data for one share: each district's value and denominator, and the
    95% and 99.8% control limits around the county value at that denominator, both as
    chance alone would draw them and widened for overdispersion (``*_od`` columns, with
    the factor in ``phi``; Spiegelhalter 2005). Districts of thousands of children sit
    outside the plain limits whenever they differ for real reasons; the widened ones ask
    whether a district stands out among districts that all differ."""
    rows = districts[(districts["measure"] == measure) & (districts["category"] == category)]
    rows = rows.set_index("district_code")
    n = rows["denominator"].astype(float)
    county = float(rows["county"].iloc[0])
    phi = overdispersion(rows["value"].astype(float), n, county)
    limits = funnel_limits(n, county, statistic="proportion")
    widened = funnel_limits(n, county, statistic="proportion", phi=phi).add_suffix("_od")
    out = rows[["district_name", "value", "denominator", "county"]].join(limits).join(widened)
    out["phi"] = phi
    return out.reset_index()


def compare_districts(districts: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Two districts side by side, measure by measure, with a test of the difference.

    A share differs significantly when the two proportions' 95% confidence intervals of
    their difference (Newcombe's method 10, built from each share's own limits)
    excludes zero. Columns: ``measure``, ``category``, ``<first>``, ``<second>``,
    ``difference``, ``verdict`` (``higher``/``lower``/``similar``: first against second).
    """
    a = districts[districts["district_code"] == first].set_index(["measure", "category"])
    b = districts[districts["district_code"] == second].set_index(["measure", "category"])
    if a.empty or b.empty:
        known = ", ".join(sorted(districts["district_code"].unique()))
        bad = first if a.empty else second
        raise InputError(f"no district '{bad}' in this run; districts are: {known}")
    b = b.reindex(a.index)
    diff = a["value"] - b["value"]
    # Newcombe (1998) method 10: the difference's limits from each share's limits.
    lo = diff - np.sqrt((a["value"] - a["lower"]) ** 2 + (b["upper"] - b["value"]) ** 2)
    hi = diff + np.sqrt((a["upper"] - a["value"]) ** 2 + (b["value"] - b["lower"]) ** 2)
    verdict = compare_with(lo, hi, 0.0).to_numpy()
    out = pd.DataFrame(
        {
            first: a["value"],
            second: b["value"],
            "difference": diff,
            "verdict": verdict,
            "unit": a["unit"],
        }
    )
    return out.reset_index()


def assess_sufficiency(
    cfg: Config,
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: gpd.GeoDataFrame,
    access: AccessResult,
    *,
    model: DistanceModel | None = None,
    cutoffs: GapCutoffs | None = None,
    need_score: pd.Series | None = None,
) -> Sufficiency:
    """Every sufficiency table for one run, from the loaded inputs and the access result.

    ``model`` is the distance model the access result was measured with (built from
    config when not given), reused for the sectors within reach. ``cutoffs`` are those of
    a baseline run (for scenarios); by default this run's own (:func:`gap_cutoffs`).
    ``need_score`` is the need index when already computed.
    """
    suff = cfg.sufficiency
    need_a = need.reindex(areas.index)
    score = area_need_index(need_a, cfg.indicators) if need_score is None else need_score
    if cutoffs is None:
        cutoffs = gap_cutoffs(
            need_a,
            access,
            cfg.categories,
            need_score=score,
            high_need_quantile=suff.high_need_quantile,
            low_access_quantile=suff.low_access_quantile,
        )
    gaps = gap_table(
        areas,
        need_a,
        access,
        cfg.categories,
        need_score=score,
        places_per_1000=suff.places_per_1000,
        cutoffs=cutoffs,
    )
    called = _called_for(cfg, areas, need_a)
    sectors = _sector_reach(areas, need_a, services, cfg.access, suff=suff, model=model)
    range_table = range_of_help(gaps, called, cfg.categories, sectors)
    in_need = cfg.indicators[suff.in_need_indicator].column if suff.in_need_indicator else None
    money = resourcing(areas, need_a, services, in_need_column=in_need)
    kids = need_a[list(AGE_BANDS)].sum(axis=1)
    districts = district_comparison(areas, kids, gaps, range_table, money, cfg.categories)
    return Sufficiency(
        need_index=score,
        gaps=gaps,
        range=range_table,
        resourcing=money,
        districts=districts,
        funnel=funnel_data(districts),
        summary=district_summary(
            areas,
            kids,
            gaps,
            range_table,
            money,
            core=[k for k, c in cfg.categories.items() if c.required],
        ),
        cutoffs=cutoffs,
        called=called.reindex(columns=list(cfg.categories), fill_value=False).fillna(False),
    )


def _called_for(cfg: Config, areas: gpd.GeoDataFrame, need: pd.DataFrame) -> pd.DataFrame:
    """Area x category (bool): the kinds of help each area's need calls for
    (:func:`earlyhelp.need.calls_for`); none anywhere when no indicator is configured."""
    if not cfg.indicators:
        return pd.DataFrame(False, index=areas.index, columns=list(cfg.categories))
    suff = cfg.sufficiency
    return calls_for(
        need,
        cfg.indicators,
        ratio=suff.calls_for_ratio,
        top_share=1.0 - suff.high_need_quantile,
    )


def district_summary(
    areas: gpd.GeoDataFrame,
    children: pd.Series,
    gaps: pd.DataFrame,
    range_table: pd.DataFrame,
    resourcing_table: pd.DataFrame,
    *,
    core: Sequence[str] = (),
) -> pd.DataFrame:
    """The headline table: one row per district and a ``County`` total row.

    Columns: ``district_name``; ``children`` (0-19); ``children_full_core_range`` and
    ``pct_full_core_range`` (with ``pct_lower``/``pct_upper``, 95%, areas as clusters, and
    ``vs_county``); ``priority_gap_children`` (children in areas with a priority gap in at
    least one category); ``areas``; ``areas_missing_range``; ``pct_adequate_places`` (of
    the children of each ``core`` category's ages, pooled, the share in areas with
    adequate places: at least half the county's places per 1,000 once competition is
    counted; with ``adequate_lower``/``adequate_upper`` and ``adequate_vs_county``);
    ``capacity_per_1000`` (places or family slots a year of active in-person and outreach
    services in the district per 1,000 children 0-19, all categories); ``spend_per_child``
    (GBP a year).
    Counts in the County row are the sums of the districts' (for disclosure control).
    """
    district = areas["district_code"]
    kids = children.reindex(areas.index).fillna(0.0)
    full = range_table["full_core_range"].reindex(areas.index).fillna(False)
    table = _district_counts(areas, kids, full, gaps, range_table)
    table = _with_full_core_range(table, kids, full, district)
    table = _with_adequate_places(table, gaps, district, core)
    money = resourcing_table.rename(index={"county": "County"}).reindex(table.index)
    table["capacity_per_1000"] = (1000 * _ratio(money["places"], table["children"])).round(1)
    table["spend_per_child"] = money["spend_per_child"].round(0)
    table[["areas", "areas_missing_range"]] = table[["areas", "areas_missing_range"]].astype(int)
    names = areas.groupby("district_code")["district_name"].first()
    table.insert(0, "district_name", names.reindex(table.index).fillna("County total"))
    table.index.name = "district_code"
    return table


def _district_counts(
    areas: gpd.GeoDataFrame,
    kids: pd.Series,
    full: pd.Series,
    gaps: pd.DataFrame,
    range_table: pd.DataFrame,
) -> pd.DataFrame:
    """The counts of :func:`district_summary` per district, in whole children, and the
    ``County`` row as their sums."""
    district = areas["district_code"]
    priority_areas = gaps.loc[gaps["priority"] == "priority gap", "area_code"].unique()
    missing = range_table["n_missing"].reindex(areas.index).fillna(0) > 0
    table = pd.DataFrame(
        {
            "children": kids.groupby(district).sum(),
            "children_full_core_range": (kids * full).groupby(district).sum(),
            "priority_gap_children": kids.where(areas.index.isin(priority_areas), 0.0)
            .groupby(district)
            .sum(),
            "areas": kids.groupby(district).size().astype(float),
            "areas_missing_range": missing.groupby(district).sum().astype(float),
        }
    )
    # whole children: apportioned populations (2011 -> 2021 LSOAs) can be fractional
    table = table.round(0)
    table.loc["County"] = table.sum()
    return table


def _with_full_core_range(
    table: pd.DataFrame, kids: pd.Series, full: pd.Series, district: pd.Series
) -> pd.DataFrame:
    """A copy of ``table`` with the percentage of children in areas with the full core
    range, its 95% limits (areas as clusters) and its comparison with the county."""
    table = table.copy()
    lo, hi = _share_limits(kids * full, kids, district, table.index)
    table["pct_full_core_range"] = 100 * _ratio(
        table["children_full_core_range"], table["children"]
    )
    table["pct_lower"], table["pct_upper"] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    county = table.loc["County", "pct_full_core_range"]
    table["vs_county"] = compare_with(table["pct_lower"], table["pct_upper"], county).to_numpy()
    table.loc["County", "vs_county"] = ""
    return table


def _with_adequate_places(
    table: pd.DataFrame, gaps: pd.DataFrame, district: pd.Series, core: Sequence[str]
) -> pd.DataFrame:
    """A copy of ``table`` with the percentage of the ``core`` categories' children (pooled)
    in areas with adequate places, its 95% limits and its comparison with the county."""
    table = table.copy()
    g = gaps[gaps["category"].isin(list(core))] if core else gaps
    g = g[g["adequate_places"].notna()]  # categories with no places counted say nothing
    g_district = g["area_code"].map(district)
    pairs = g["children"].groupby(g_district).sum()
    good = (g["children"] * g["adequate_places"].astype(bool)).groupby(g_district).sum()
    pairs, good = pairs.astype(float), good.astype(float)
    pairs.loc["County"], good.loc["County"] = pairs.sum(), good.sum()
    pairs, good = pairs.reindex(table.index), good.reindex(table.index)
    # clusters are areas: pool each area's core categories first
    area_pairs = g["children"].groupby(g["area_code"]).sum()
    area_good = (g["children"] * g["adequate_places"].astype(bool)).groupby(g["area_code"]).sum()
    lo, hi = _share_limits(
        area_good.astype(float),
        area_pairs.astype(float),
        district.reindex(area_pairs.index),
        table.index,
    )
    table["pct_adequate_places"] = 100 * _ratio(good, pairs)
    table["adequate_lower"], table["adequate_upper"] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    county = table.loc["County", "pct_adequate_places"]
    table["adequate_vs_county"] = compare_with(
        table["adequate_lower"], table["adequate_upper"], county
    ).to_numpy()
    table.loc["County", "adequate_vs_county"] = ""
    return table
