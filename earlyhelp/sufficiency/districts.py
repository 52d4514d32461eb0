"""District comparison: each district against the county, and two districts side by side.

- :func:`district_comparison`: per district, each rate with its 95% confidence interval
  and a comparison with the county (significantly higher, lower or similar), not a league
  table; :func:`funnel_data`: the data for a funnel plot;
- :func:`district_summary`: the headline table, one row per district and a county row;
- :func:`compare_districts`: two districts, measure by measure, with a test of the
  difference.

Performance figures are for learning and benchmarking (Munro Recommendation 4), so every
share carries its 95% interval. Children in one small area share its services, so they are
not independent: each share's dispersion between small areas across the county
(:func:`earlyhelp.stats.area_dispersion`, ``phi``) gives its effective number of
observations, ``n / phi``. The interval is Wilson's with that number
(:func:`earlyhelp.stats.dispersed_share_ci`), "higher"/"lower" means the county value lies
outside it, and the funnel plot draws limits with the same ``phi``, so the three always
agree. Verdicts that are unknown (:mod:`earlyhelp.sufficiency.gaps`) are left out of every
share, never counted as in or out.
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
from earlyhelp.need import AGE_BANDS, bands_for
from earlyhelp.stats import area_dispersion, compare_with, dispersed_share_ci, funnel_limits
from earlyhelp.sufficiency.spend import ratio


class _ByDistrict:
    """Sums per district of values aligned to one set of areas (``district``: each area's
    district code). The codes are factorised once, to whole numbers, so each of the
    hundreds of sums groups on numbers rather than hashing every area's code string again;
    the sums are pandas' own, in the same order, labelled with the codes."""

    def __init__(self, district: pd.Series) -> None:
        codes, labels = pd.factorize(district, sort=True)
        self.index = district.index
        # grouped on its codes, a categorical is never hashed again; -1 (no district) is
        # left out, as a missing code is by groupby
        self._key = pd.Categorical.from_codes(codes, categories=np.arange(len(labels)))
        self._labels = pd.Index(labels, name=district.name)

    def _labelled(self, out: pd.Series) -> pd.Series:
        out.index = self._labels[np.asarray(out.index, dtype=np.int64)]
        return out

    def _check(self, values: pd.Series) -> None:
        if not (values.index is self.index or values.index.equals(self.index)):
            raise ValueError("values must be aligned to the areas of the district codes")

    def sum(self, values: pd.Series) -> pd.Series:
        """``values.groupby(district).sum()``."""
        self._check(values)
        return self._labelled(values.groupby(self._key, observed=True).sum())

    def size(self, values: pd.Series) -> pd.Series:
        """``values.groupby(district).size()``."""
        self._check(values)
        return self._labelled(values.groupby(self._key, observed=True).size())


def _share_limits(
    numer: pd.Series, denom: pd.Series, district: _ByDistrict, index: pd.Index
) -> tuple[np.ndarray, np.ndarray, float]:
    """95% limits of each district's share and the county's (row ``County``) of ``numer``
    over ``denom`` children (per area), with the county's dispersion between areas; rows
    as ``index``. Returns (lower, upper, phi)."""
    phi = area_dispersion(numer, denom)
    n = district.sum(denom)
    y = district.sum(numer)
    n.loc["County"], y.loc["County"] = n.sum(), y.sum()
    n, y = n.reindex(index).fillna(0.0), y.reindex(index).fillna(0.0)
    lower, upper = dispersed_share_ci(y.to_numpy(), n.to_numpy(), phi=phi)
    return lower, upper, phi


def district_comparison(
    areas: gpd.GeoDataFrame,
    children: pd.Series,
    gaps: pd.DataFrame,
    range_table: pd.DataFrame,
    resourcing_table: pd.DataFrame,
    categories: Mapping[str, CategoryConfig],
) -> pd.DataFrame:
    """Each district against the county, one row per district x measure.

    ``children`` is the number of children 0-19 per area (missing without need data).
    Measures: ``children``; ``share_full_core_range`` (share of children 0-19 living in
    areas with every core category within reach, over the areas where that is known);
    ``share_within_reach:<category>`` (share of the category's children within reach,
    where known); ``places_per_1000:<category>``; ``priority_gap_children:<category>``
    (children of its ages); ``children_unknown:<category>`` (children of its ages whose
    verdict is unknown); ``share_adequate_places:<category>`` (the relative benchmark);
    ``areas_missing_range``; ``spend_per_child``.

    Shares carry 95% intervals and ``comparison`` (``higher``, ``lower`` or ``similar``
    to the county) from one model (see the module); ``phi`` is its dispersion factor.
    Columns: ``district_code``, ``district_name``, ``measure``, ``category``, ``value``,
    ``lower``, ``upper``, ``numerator``, ``denominator``, ``county``, ``comparison``,
    ``phi``, ``unit``.
    """
    district = _ByDistrict(areas["district_code"])
    g = gaps.set_index("area_code")
    kids = children.reindex(areas.index).fillna(0.0)
    full = range_table["full_core_range"].reindex(areas.index)
    known = full.notna().to_numpy()
    rows = [
        _share_rows(
            kids * full.fillna(False).astype(bool),
            kids.where(known, 0.0),
            district,
            "share_full_core_range",
            "",
        )
    ]
    parts = dict(tuple(g.groupby("category", sort=False)))  # one pass, not one per category
    for key in categories:
        sub = parts.get(key, g.iloc[:0]).reindex(areas.index)
        rows.extend(_category_rows(sub, district, key))
    missing = district.sum(range_table["n_missing"].reindex(areas.index).fillna(0) > 0)
    rows.append(_count_rows(missing, "areas_missing_range", "", "areas"))
    rows.append(_count_rows(district.sum(kids), "children", "", "children"))
    rows.append(_spend_rows(resourcing_table["spend_per_child"]))
    names = areas.groupby("district_code")["district_name"].first()
    return _comparison_table(rows, names)


def _share_rows(
    numer: pd.Series, denom: pd.Series, district: _ByDistrict, measure: str, category: str
) -> pd.DataFrame:
    """One share per district (``numer`` over ``denom`` children, summed over its areas)
    with its 95% interval, the county share and the comparison with it."""
    numer, denom = numer.fillna(0.0), denom.fillna(0.0)
    n = district.sum(numer)
    d = district.sum(denom)
    lo, hi, phi = _share_limits(numer, denom, district, n.index)
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
            "phi": phi,
            "unit": "share of children",
        },
        index=n.index,
    )
    frame["comparison"] = compare_with(frame["lower"], frame["upper"], county).to_numpy()
    return frame


def _category_rows(sub: pd.DataFrame, district: _ByDistrict, key: str) -> list[pd.DataFrame]:
    """The measures of one category per district, from its rows of the gap table (``sub``,
    by area): share within reach, places per 1,000, priority gap children, children whose
    verdict is unknown, and share with adequate places. Unknown areas are left out of the
    shares."""
    kids = sub["children"].fillna(0.0)
    known = sub["state"] != "unknown"
    reach_known = sub["reach_known"].fillna(False).astype(bool)
    within = _share_rows(
        (kids - sub["children_out_of_reach"].fillna(0.0)).where(reach_known, 0.0),
        kids.where(reach_known, 0.0),
        district,
        "share_within_reach",
        key,
    )
    pg = district.sum(kids.where(sub["priority"] == "priority gap", 0.0))
    unknown = district.sum(kids.where(~known, 0.0))
    judged = sub["adequate_places"].notna() & known
    adequate = _share_rows(
        (kids * sub["adequate_places"].fillna(False).astype(bool)).where(judged, 0.0),
        kids.where(judged, 0.0),
        district,
        "share_adequate_places",
        key,
    )
    return [
        within,
        _places_rows(sub.assign(children=kids), district, key),
        _count_rows(pg, "priority_gap_children", key, "children"),
        _count_rows(unknown, "children_unknown", key, "children"),
        adequate,
    ]


def _places_rows(sub: pd.DataFrame, district: _ByDistrict, key: str) -> pd.DataFrame:
    """Places per 1,000 of the category's children per district, pooled over its areas."""
    places = district.sum(sub["places_per_1000"] * sub["children"] / 1000.0)
    kids_cat = district.sum(sub["children"])
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
        "phi",
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


_FUNNEL_COLUMNS = ("lower_95", "upper_95", "lower_99_8", "upper_99_8")


def funnel_data(
    districts: pd.DataFrame, *, measure: str = "share_full_core_range", category: str = ""
) -> pd.DataFrame:
    """Funnel-plot data for one share: each district's value and denominator, and the 95%
    and 99.8% control limits around the county value at that denominator, drawn with the
    same dispersion factor ``phi`` as the districts' intervals (see the module), so a
    district outside the 95% lines is exactly one called significantly higher or lower."""
    rows = districts[(districts["measure"] == measure) & (districts["category"] == category)]
    rows = rows.set_index("district_code")
    n = rows["denominator"].astype(float)
    county = float(rows["county"].iloc[0])
    phi = float(rows["phi"].iloc[0])
    if np.isfinite(county):
        limits = funnel_limits(n, county, statistic="proportion", phi=phi)
    else:  # nothing known anywhere: no line to draw
        limits = pd.DataFrame(np.nan, index=n.index, columns=_FUNNEL_COLUMNS)
    out = rows[["district_name", "value", "denominator", "county", "comparison"]].join(limits)
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
    need: pd.DataFrame,
    gaps: pd.DataFrame,
    range_table: pd.DataFrame,
    resourcing_table: pd.DataFrame,
    *,
    categories: Mapping[str, CategoryConfig],
) -> pd.DataFrame:
    """The headline table: one row per district and a ``County`` total row.

    Columns: ``district_name``; ``children`` (0-19, in areas with need data);
    ``children_full_core_range`` and ``pct_full_core_range`` (of the children in areas
    where it is known; with ``pct_lower``/``pct_upper``, 95%, and ``vs_county``, from the
    model of the module's notes); ``children_core_unknown`` (children in areas where a
    core kind of help cannot be judged); ``priority_gap_children`` (children whose age
    group has at least one kind of help in a priority gap in their area: each kind counts
    the children of its own ages); ``areas``; ``areas_missing_range``;
    ``pct_adequate_places`` (the relative benchmark: of the children of each core
    category's ages, pooled, the share in areas with at least half the county's places
    per 1,000; with ``adequate_lower``/``adequate_upper`` and ``adequate_vs_county``);
    ``capacity_per_1000`` (places or family slots a year of active in-person and outreach
    services in the district per 1,000 children 0-19, all categories); ``spend_per_child``
    (GBP a year). Counts in the County row are the sums of the districts' (for disclosure
    control).
    """
    district = _ByDistrict(areas["district_code"])
    need = need.reindex(areas.index)
    kids = need[list(AGE_BANDS)].sum(axis=1, min_count=1).fillna(0.0)
    full = range_table["full_core_range"].reindex(areas.index)
    priority = _priority_children(gaps, need, categories)
    table = _district_counts(areas, district, kids, full, priority, range_table)
    table = _with_full_core_range(table, kids, full, district)
    core = [k for k, c in categories.items() if c.required]
    table = _with_adequate_places(table, gaps, areas["district_code"], core)
    money = resourcing_table.rename(index={"county": "County"}).reindex(table.index)
    table["capacity_per_1000"] = (1000 * ratio(money["places"], table["children"])).round(1)
    table["spend_per_child"] = money["spend_per_child"].round(0)
    counts = ["areas", "areas_missing_range"]
    table[counts] = table[counts].astype(int)
    names = areas.groupby("district_code")["district_name"].first()
    table.insert(0, "district_name", names.reindex(table.index).fillna("County total"))
    table.index.name = "district_code"
    return table


def _priority_children(
    gaps: pd.DataFrame, need: pd.DataFrame, categories: Mapping[str, CategoryConfig]
) -> pd.Series:
    """Per area, the children in the age bands of the kinds of help in a priority gap
    there (each band once, however many kinds cover it)."""
    hit = gaps[gaps["priority"] == "priority gap"]
    if hit.empty:
        return pd.Series(0.0, index=need.index)
    bands_of = {key: bands_for(cat.min_age, cat.max_age) for key, cat in categories.items()}
    in_gap = pd.DataFrame(False, index=need.index, columns=list(AGE_BANDS))
    for key, rows in hit.groupby("category"):
        codes = rows["area_code"].to_numpy()
        in_gap.loc[codes, bands_of[str(key)]] = True
    return (need[list(AGE_BANDS)].fillna(0.0) * in_gap).sum(axis=1)


def _district_counts(
    areas: gpd.GeoDataFrame,
    district: _ByDistrict,
    kids: pd.Series,
    full: pd.Series,
    priority_children: pd.Series,
    range_table: pd.DataFrame,
) -> pd.DataFrame:
    """The counts of :func:`district_summary` per district, in whole children, and the
    ``County`` row as their sums."""
    missing = range_table["n_missing"].reindex(areas.index).fillna(0) > 0
    table = pd.DataFrame(
        {
            "children": district.sum(kids),
            "children_full_core_range": district.sum(kids * full.fillna(False).astype(bool)),
            "children_core_unknown": district.sum(kids.where(full.isna(), 0.0)),
            "priority_gap_children": district.sum(
                priority_children.reindex(areas.index).fillna(0.0)
            ),
            "areas": district.size(kids).astype(float),
            "areas_missing_range": district.sum(missing).astype(float),
        }
    )
    # whole children: apportioned populations (2011 -> 2021 LSOAs) can be fractional
    table = table.round(0)
    table.loc["County"] = table.sum()
    return table


def _with_full_core_range(
    table: pd.DataFrame, kids: pd.Series, full: pd.Series, district: _ByDistrict
) -> pd.DataFrame:
    """A copy of ``table`` with the percentage of children in areas with the full core
    range (of those where it is known), its 95% limits and its comparison with the county."""
    table = table.copy()
    known = kids.where(full.notna(), 0.0)
    lo, hi, _ = _share_limits(kids * full.fillna(False).astype(bool), known, district, table.index)
    judged = table["children"] - table["children_core_unknown"]
    table["pct_full_core_range"] = 100 * ratio(table["children_full_core_range"], judged)
    table["pct_lower"], table["pct_upper"] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    county = table.loc["County", "pct_full_core_range"]
    table["vs_county"] = compare_with(table["pct_lower"], table["pct_upper"], county).to_numpy()
    table.loc["County", "vs_county"] = ""
    return table


def _with_adequate_places(
    table: pd.DataFrame, gaps: pd.DataFrame, district: pd.Series, core: Sequence[str]
) -> pd.DataFrame:
    """A copy of ``table`` with the percentage of the ``core`` categories' children (pooled)
    in areas with adequate places (the relative benchmark), its 95% limits and its
    comparison with the county; unknown verdicts are left out."""
    table = table.copy()
    g = gaps[gaps["category"].isin(list(core))] if core else gaps
    g = g[g["adequate_places"].notna() & (g["state"] != "unknown")]
    kids = g["children"].fillna(0.0)
    good_kids = kids * g["adequate_places"].astype(bool)
    area_pairs = kids.groupby(g["area_code"]).sum().astype(float)
    area_good = good_kids.groupby(g["area_code"]).sum().astype(float)
    area_district = _ByDistrict(district.reindex(area_pairs.index))
    pairs = area_district.sum(area_pairs)
    good = area_district.sum(area_good)
    pairs.loc["County"], good.loc["County"] = pairs.sum(), good.sum()
    pairs, good = pairs.reindex(table.index), good.reindex(table.index)
    lo, hi, _ = _share_limits(area_good, area_pairs, area_district, table.index)
    table["pct_adequate_places"] = 100 * ratio(good, pairs)
    table["adequate_lower"], table["adequate_upper"] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    county = table.loc["County", "pct_adequate_places"]
    table["adequate_vs_county"] = compare_with(
        table["adequate_lower"], table["adequate_upper"], county
    ).to_numpy()
    table.loc["County", "adequate_vs_county"] = ""
    return table
