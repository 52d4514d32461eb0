"""Rates and shares from the case-system counts, each with its 95% interval and its
comparison with the county (or with all organisations): identification, outcomes,
referrals by source and factor, effectiveness and value for money.

Rates per 10,000 children aged 0-17 are a year's (counts over the period divided by its
length in years) with Byar's or exact Poisson limits; shares of episodes have Wilson
limits. Cost per episode and per episode with needs met divide the directory's annual
costs (over the period) by Poisson limits of the count, treating the cost as known.

What they cannot show: the families differ between districts, reasons and services (how
much need they came with, who is referred where), so a difference is a question to ask,
never the effect of a service. None of them is a causal estimate.
"""

from __future__ import annotations

__all__ = [
    "ALL",
    "COUNTY",
    "district_measures",
    "effectiveness",
    "factor_measures",
    "group_measures",
    "source_measures",
    "with_directory",
]

import numpy as np
import pandas as pd

from earlyhelp.casework.counts import NOT_RECORDED
from earlyhelp.casework.load import Casework
from earlyhelp.casework.vocabulary import OTHER_GROUP, SOURCE_GROUPS, TOXIC_TRIO, group_of_source
from earlyhelp.stats import compare_with, poisson_ci, rate_ci, wilson_ci

COUNTY = "County"
ALL = "All"
# Shares of closed episodes, and what each is of.
_SHARES = {
    "needs_met": "closed",
    "stepped_up": "closed",
    "rereferred": "followed_up",
}


def district_measures(cw: Casework) -> pd.DataFrame:
    """By district and the county: children 0-17, episodes started and referrals per
    10,000 children a year, and the shares of closed episodes with needs met, stepped
    up and re-referred, each with 95% limits and compared with the county."""
    ep = cw.counts.episodes["district"].drop(index=NOT_RECORDED, errors="ignore")
    table = pd.DataFrame(index=pd.Index(sorted(set(cw.children.index)), name="district_code"))
    table["district_name"] = cw.district_names.reindex(table.index)
    table["children"] = cw.children.reindex(table.index).fillna(0)
    for col in ("started", "closed", "needs_met", "stepped_up", "followed_up", "rereferred"):
        table[col] = ep[col].reindex(table.index).fillna(0).astype(np.int64)
    if cw.has_referrals:
        refs = cw.counts.referrals["district"]
        table["referrals"] = refs["referrals"].reindex(table.index).fillna(0).astype(np.int64)
    table = _with_total(table, COUNTY, name_col="district_name")
    years = cw.counts.period.years
    for count in ("started", "referrals"):
        if count in table:
            _add_rate(table, count, years, total=COUNTY)
    for share, base in _SHARES.items():
        _add_share(table, share, base, total=COUNTY)
    return table


def group_measures(cw: Casework, group: str) -> pd.DataFrame:
    """By ``group`` (``lead_organisation``, ``reason``) and for all: closed episodes and
    the shares with needs met, stepped up and re-referred, compared with all."""
    counts = cw.counts.episodes.get(group)
    if counts is None:
        return pd.DataFrame()
    cols = ["closed", "needs_met", "stepped_up", "followed_up", "rereferred"]
    table = counts[cols].copy()
    table.index.name = group
    table = table[table["closed"] > 0]
    table = _with_total(table, ALL)
    for share, base in _SHARES.items():
        _add_share(table, share, base, total=ALL)
    return table


def source_measures(cw: Casework) -> pd.DataFrame:
    """Referrals in the period by the indicator list's source groups (police, health,
    schools, local authority, other) and all, with each group's share and 95% limits."""
    src = cw.counts.sources
    if src.empty:
        return pd.DataFrame()
    grouped = src.assign(group=src["source"].map(group_of_source))
    counts = grouped.groupby("group")["referrals"].sum()
    order = [*dict.fromkeys(SOURCE_GROUPS.values()), OTHER_GROUP]
    table = pd.DataFrame({"referrals": counts.reindex(order).fillna(0).astype(np.int64)})
    table.index.name = "source"
    total = int(table["referrals"].sum())
    table.loc[ALL] = total
    table["total"] = total
    lo, hi = wilson_ci(table["referrals"], table["total"])
    table["share_pct"] = 100 * table["referrals"] / max(total, 1)
    table["share_lower"], table["share_upper"] = 100 * lo, 100 * hi
    return table


def factor_measures(cw: Casework) -> pd.DataFrame:
    """Referrals recording domestic abuse, parental mental health or substance misuse per
    10,000 children a year, by district and the county, with 95% limits."""
    refs = cw.counts.referrals["district"]
    present = [f for f in TOXIC_TRIO if f in refs]
    if not present:
        return pd.DataFrame()
    index = pd.Index(sorted(set(cw.children.index)), name="district_code")
    table = pd.DataFrame(index=index)
    table["district_name"] = cw.district_names.reindex(index)
    table["children"] = cw.children.reindex(index).fillna(0)
    for factor in present:
        table[factor] = refs[factor].reindex(index).fillna(0).astype(np.int64)
    table = _with_total(table, COUNTY, name_col="district_name")
    for factor in present:
        _add_rate(table, factor, cw.counts.period.years, total=COUNTY)
    return table


def effectiveness(cw: Casework) -> pd.DataFrame:
    """By kind of help (category) and provider, where the episodes name them: closed
    episodes, needs met and re-referred (shares with limits, compared with all), and
    with the directory's annual costs over the period: cost per closed episode and per
    episode closed with needs met, with limits.

    A service's cost is shared among the groups its episodes fall in, in proportion to
    its closed episodes; services without an annual cost add neither cost nor episodes
    to the costed columns (``closed_costed``, ``needs_met_costed``).
    """
    svc = with_directory(cw.counts.episodes["service"].reset_index(), cw.services)
    svc = svc[svc["closed"] > 0]
    cost = svc["service_id"].map(_annual_cost(cw)) * cw.counts.period.years
    share = svc["closed"] / svc.groupby("service_id")["closed"].transform("sum")
    svc = svc.assign(
        cost=(cost * share).round(0),
        closed_costed=np.where(cost.notna(), svc["closed"], 0),
        needs_met_costed=np.where(cost.notna(), svc["needs_met"], 0),
    )
    keys = ["category", "provider"]
    cols = ["closed", "needs_met", "followed_up", "rereferred", "closed_costed"]
    table = svc.groupby(keys)[[*cols, "needs_met_costed", "cost"]].sum(min_count=1)
    table["label"] = [f"{c}: {p}" for c, p in table.index]
    table = table.reset_index().set_index("label")
    total = table[[*cols, "needs_met_costed", "cost"]].sum(min_count=1)
    table.loc[ALL] = {**total.to_dict(), "category": ALL, "provider": ALL}
    for share_name in ("needs_met", "rereferred"):
        _add_share(table, share_name, _SHARES[share_name], total=ALL)
    for per, count in (("episode", "closed_costed"), ("needs_met", "needs_met_costed")):
        _add_cost(table, per, count)
    return table


# --------------------------------------------------------------------------- helpers


def _with_total(table: pd.DataFrame, label: str, *, name_col: str | None = None) -> pd.DataFrame:
    """``table`` with a row of column sums labelled ``label`` (text columns: the label)."""
    numeric = table.select_dtypes("number").sum()
    row = {c: numeric.get(c, label) for c in table.columns}
    if name_col:
        row[name_col] = label
    out = pd.concat([table, pd.DataFrame([row], index=pd.Index([label], name=table.index.name))])
    return out.astype({c: table[c].dtype for c in numeric.index})


def _add_rate(table: pd.DataFrame, count: str, years: float, *, total: str) -> None:
    """``<count>_rate``, ``_lower``, ``_upper`` per 10,000 children a year, ``_vs``."""
    ci = rate_ci(table[count].to_numpy(), table["children"].to_numpy() * years, per=10_000)
    table[f"{count}_rate"] = ci["rate"].to_numpy()
    table[f"{count}_lower"] = ci["lower"].to_numpy()
    table[f"{count}_upper"] = ci["upper"].to_numpy()
    _add_vs(table, count, f"{count}_rate", total)


def _add_share(table: pd.DataFrame, count: str, base: str, *, total: str) -> None:
    """``<count>_pct`` of ``base`` with Wilson limits ``_lower``, ``_upper`` and ``_vs``."""
    n = table[base].to_numpy(float)
    k = table[count].to_numpy(float)
    lo, hi = wilson_ci(k, n)
    table[f"{count}_pct"] = np.where(n > 0, 100 * k / np.where(n > 0, n, 1), np.nan)
    table[f"{count}_lower"], table[f"{count}_upper"] = 100 * lo, 100 * hi
    _add_vs(table, count, f"{count}_pct", total)


def _add_vs(table: pd.DataFrame, count: str, value: str, total: str) -> None:
    vs = compare_with(
        table[f"{count}_lower"].to_numpy(),
        table[f"{count}_upper"].to_numpy(),
        table.at[total, value],
    ).to_numpy()
    vs[table.index.get_loc(total)] = ""
    table[f"{count}_vs"] = vs


def _add_cost(table: pd.DataFrame, per: str, count: str) -> None:
    """Cost per ``per`` (an episode, or one with needs met) and its limits."""
    k = table[count].to_numpy(float)
    cost = table["cost"].to_numpy(float)
    lo, hi = poisson_ci(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        table[f"cost_per_{per}"] = np.where(k > 0, cost / k, np.nan)
        table[f"cost_per_{per}_lower"] = np.where(hi > 0, cost / hi, np.nan)
        table[f"cost_per_{per}_upper"] = np.where(lo > 0, cost / lo, np.nan)


def with_directory(svc: pd.DataFrame, directory: pd.DataFrame) -> pd.DataFrame:
    """Category and provider from the service directory where the extract names the
    service but not them (the category: the episode's reason when the service offers
    it, else the service's first)."""
    svc = svc.copy()
    if "provider" in directory:
        provider = svc["service_id"].map(directory["provider"])
        blank = (svc["provider"] == NOT_RECORDED) & provider.notna()
        svc.loc[blank, "provider"] = provider[blank]
    if "categories" in directory:
        offered = svc["service_id"].map(directory["categories"])
        svc["category"] = [
            current
            if current != NOT_RECORDED or not isinstance(cats, list) or not cats
            else reason
            if reason in cats
            else cats[0]
            for current, cats, reason in zip(svc["category"], offered, svc["reason"], strict=True)
        ]
    return svc


def _annual_cost(cw: Casework) -> pd.Series:
    costs = cw.services.get("annual_cost")
    if costs is None:
        return pd.Series(dtype=float)
    return pd.to_numeric(costs, errors="coerce")
