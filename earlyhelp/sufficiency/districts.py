"""District comparison: each district against the county, and two districts side by side.

- :func:`district_comparison`: per district, each rate with its 95% confidence interval
  and a comparison with the county (significantly higher, lower or similar), not a league
  table; :func:`funnel_data`: the data for a funnel plot;
- :func:`district_summary`: the headline table, one row per district and a county row;
- :func:`compare_districts`: two districts, measure by measure, with a test of the
  difference.

Performance figures are for learning and benchmarking (Munro Recommendation 4), so every
share carries its interval. The intervals treat children as independent, which they are
not within an area: read them as a lower bound on the uncertainty.
"""

from __future__ import annotations

__all__ = [
    "compare_districts",
    "district_comparison",
    "district_summary",
    "funnel_data",
]

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import CategoryConfig
from earlyhelp.errors import InputError
from earlyhelp.stats import clustered_share_ci, compare_with, funnel_limits, overdispersion
from earlyhelp.sufficiency.spend import ratio


def _share_limits(
    numer: pd.Series, denom: pd.Series, district: pd.Series, index: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """95% limits of each district's share and the county's (row ``County``), with the
    areas as clusters (:func:`earlyhelp.stats.clustered_share_ci`); rows as ``index``."""
    by_district = clustered_share_ci(numer, denom, district.to_numpy())
    county = clustered_share_ci(numer, denom, np.full(len(numer), "County"))
    limits = pd.concat([by_district, county]).reindex(index)
    return limits["lower"].to_numpy(), limits["upper"].to_numpy()


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
            "value": ratio(n, d),
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
            "value": ratio(places * 1000.0, kids_cat),
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
    table["capacity_per_1000"] = (1000 * ratio(money["places"], table["children"])).round(1)
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
    table["pct_full_core_range"] = 100 * ratio(table["children_full_core_range"], table["children"])
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
    table["pct_adequate_places"] = 100 * ratio(good, pairs)
    table["adequate_lower"], table["adequate_upper"] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    county = table.loc["County", "pct_adequate_places"]
    table["adequate_vs_county"] = compare_with(
        table["adequate_lower"], table["adequate_upper"], county
    ).to_numpy()
    table.loc["County", "adequate_vs_county"] = ""
    return table
