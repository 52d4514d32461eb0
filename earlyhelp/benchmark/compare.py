"""The council beside its statistical neighbours and England: each indicator's value with
its 95% interval, the neighbours' average and England's, a funnel of every council, and
the trend over the years published.

"Higher" and "lower" say only that chance is an unlikely explanation of the difference
(the interval does not contain the comparator), as Fingertips compares areas; they are
for learning and benchmarking, never a verdict that a figure is good or bad (Munro 2011,
Recommendation 4).
"""

from __future__ import annotations

__all__ = ["Benchmark", "benchmark", "indicator_values"]

from dataclasses import dataclass

import numpy as np
import pandas as pd

from earlyhelp.benchmark.indicators import INDICATORS, Indicator, terms
from earlyhelp.benchmark.national import Council, NationalData, neighbours_of
from earlyhelp.sources.dfe_cin import DFE_SYMBOLS
from earlyhelp.stats import compare_with, funnel_limits, rate_ci, wilson_ci

_KEYS = ["time_period", "code", "old_la_code", "name", "geographic_level"]


@dataclass(frozen=True)
class Benchmark:
    """Everything a benchmark found (unsuppressed: DfE's own counts, already published).

    ``latest``: one row per indicator for its latest year; ``trend``: indicator x year;
    ``neighbours``: each neighbour's value in the latest year; ``funnel``: every council
    in the latest year with the limits around England; ``notes``: what was left out, and
    why, in plain words.
    """

    council: Council
    neighbours: tuple[Council, ...]
    latest: pd.DataFrame
    trend: pd.DataFrame
    neighbour_values: pd.DataFrame
    funnel: pd.DataFrame
    notes: tuple[str, ...]
    model: str


def indicator_values(
    data: NationalData, ind: Indicator, *, _wides: dict | None = None
) -> pd.DataFrame:
    """Every place and year of one indicator from its counts, with 95% limits.

    Columns: ``time_period, code, old_la_code, name, geographic_level, numerator,
    denominator, value, lower, upper, published`` (DfE's own figure, where it publishes
    one) and ``symbol`` (what DfE printed where a count is missing). Empty when the
    tables it needs were not given.
    """
    wides = {} if _wides is None else _wides  # one reshape per table for many indicators
    if ind.table not in wides:
        wides[ind.table] = _wide(data.tables.get(ind.table))
    wide, symbols = wides[ind.table]
    if wide is None:
        return pd.DataFrame(columns=[*_KEYS, "numerator", "denominator", "value"])
    num = pd.Series(0.0, index=wide.index)
    why = pd.Series("", index=wide.index, dtype=object)
    for sign, measure in terms(ind.numerator):
        num = num + sign * wide.get(measure, np.nan)
        why = why.where(why != "", symbols.get(measure, pd.Series("", index=wide.index)))
    if ind.denominator == "population":
        den, den_why = _population(data, wide.index)
    else:
        den = wide.get(ind.denominator, pd.Series(np.nan, index=wide.index))
        den_why = symbols.get(ind.denominator, pd.Series("", index=wide.index))
    out = wide.index.to_frame(index=False)
    out["numerator"] = num.to_numpy()
    out["denominator"] = den.to_numpy()
    out["symbol"] = np.where(why != "", why, den_why.fillna(""))
    out["published"] = wide[ind.published].to_numpy() if ind.published in wide else np.nan
    return _with_intervals(out, ind)


def benchmark(data: NationalData, council: Council, *, years: int = 0) -> Benchmark:
    """Compare ``council`` with its statistical neighbours and England on every
    indicator whose table was given (see :mod:`earlyhelp.benchmark.indicators`)."""
    neighbours, notes = neighbours_of(data, council)
    codes = [n.code for n in neighbours]
    latest, trend, sn_rows, funnel = [], [], [], []
    wides: dict = {}
    for ind in INDICATORS.values():
        values = indicator_values(data, ind, _wides=wides)
        if values.empty:
            notes.append(f"{ind.label}: DfE table {ind.table} was not given, so it is left out.")
            continue
        by_year = _by_year(values, council.code, codes)
        if years:
            by_year = by_year[by_year["time_period"] >= by_year["time_period"].max() - years + 1]
        trend.append(by_year.assign(indicator=ind.key))
        last = by_year.iloc[-1]
        latest.append(_latest_row(ind, last))
        year_values = values[values["time_period"] == last["time_period"]]
        sn_rows.append(_neighbour_rows(ind, year_values, codes))
        funnel.append(_funnel(ind, year_values, last["england"]))
        if np.isnan(last["value"]):
            meaning = DFE_SYMBOLS.get(str(last["symbol"]), "not published")
            notes.append(
                f"{ind.label}: {council.name}'s figure for {int(last['time_period'])} is not "
                f"published by DfE ({last['symbol'] or 'blank'}: {meaning})."
            )
    return Benchmark(
        council=council,
        neighbours=tuple(neighbours),
        latest=pd.DataFrame(latest).set_index("indicator") if latest else pd.DataFrame(),
        trend=pd.concat(trend, ignore_index=True) if trend else pd.DataFrame(),
        neighbour_values=pd.concat(sn_rows, ignore_index=True) if sn_rows else pd.DataFrame(),
        funnel=pd.concat(funnel, ignore_index=True) if funnel else pd.DataFrame(),
        notes=tuple(notes),
        model=str(data.neighbours.attrs.get("model", "")) if data.neighbours is not None else "",
    )


# --------------------------------------------------------------------------- helpers


def _wide(table: pd.DataFrame | None) -> tuple[pd.DataFrame | None, dict[str, pd.Series]]:
    """A table with one column per measure (values), and the symbols by measure."""
    if table is None or table.empty:
        return None, {}
    keyed = table.drop_duplicates([*_KEYS, "measure"], keep="last").set_index([*_KEYS, "measure"])
    wide = keyed["value"].unstack("measure")
    symbols = keyed["symbol"].unstack("measure").fillna("")
    return wide, {c: symbols[c] for c in symbols.columns}


def _population(data: NationalData, index: pd.MultiIndex) -> tuple[pd.Series, pd.Series]:
    """Children aged 0-17 for each row's year: the mid-year estimate of the year before
    (the year ending 31 March Y uses mid-(Y-1)), as DfE's dashboard does."""
    pop = data.tables.get("population")
    rows = index.to_frame(index=False)
    if pop is None:
        return pd.Series(np.nan, index=index), pd.Series("", index=index)
    pop = pop[pop["measure"] == "population"].assign(time_period=lambda p: p["time_period"] + 1)
    pop = pop.drop_duplicates(["time_period", "code"], keep="last")
    joined = rows.merge(pop[["time_period", "code", "value", "symbol"]], how="left")
    return (
        pd.Series(joined["value"].to_numpy(), index=index),
        pd.Series(joined["symbol"].fillna("").to_numpy(), index=index),
    )


def _with_intervals(out: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """``value``, ``lower`` and ``upper`` from the counts (missing where either is)."""
    num, den = out["numerator"].to_numpy(float), out["denominator"].to_numpy(float)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0) & (num >= 0)
    if ind.statistic == "percent":
        ok &= num <= den
        safe_num, safe_den = np.where(ok, num, 0.0), np.where(ok, den, 1.0)
        lo, hi = wilson_ci(safe_num, safe_den)
        value, lo, hi = 100 * safe_num / safe_den, 100 * lo, 100 * hi
    else:
        ci = rate_ci(np.where(ok, num, 0.0), np.where(ok, den, 1.0), per=ind.per)
        value, lo, hi = ci["rate"].to_numpy(), ci["lower"].to_numpy(), ci["upper"].to_numpy()
    for name, arr in (("value", value), ("lower", lo), ("upper", hi)):
        out[name] = np.where(ok, arr, np.nan)
    return out


def _by_year(values: pd.DataFrame, code: str, neighbours: list[str]) -> pd.DataFrame:
    """Per year: the council's value and interval, the neighbours' average and England's."""
    mine = values[values["code"] == code].set_index("time_period")
    sn = values[values["code"].isin(neighbours)].groupby("time_period")["value"]
    national = values["geographic_level"].str.lower() == "national"
    eng = values[national].drop_duplicates("time_period").set_index("time_period")["value"]
    years = sorted(set(mine.index) | set(eng.index))
    frame = pd.DataFrame({"time_period": years})
    frame["value"] = mine["value"].reindex(years).to_numpy()
    frame["lower"] = mine["lower"].reindex(years).to_numpy()
    frame["upper"] = mine["upper"].reindex(years).to_numpy()
    frame["numerator"] = mine["numerator"].reindex(years).to_numpy()
    frame["denominator"] = mine["denominator"].reindex(years).to_numpy()
    frame["published"] = mine["published"].reindex(years).to_numpy()
    frame["symbol"] = mine["symbol"].reindex(years).fillna("").to_numpy()
    frame["neighbours_mean"] = sn.mean().reindex(years).to_numpy()
    frame["neighbours_n"] = sn.count().reindex(years).fillna(0).astype(int).to_numpy()
    frame["england"] = eng.reindex(years).to_numpy()
    return frame


def _latest_row(ind: Indicator, last: pd.Series) -> dict:
    lo, hi = last["lower"], last["upper"]
    return {
        "indicator": ind.key,
        "label": ind.label,
        "unit": ind.unit,
        "year": int(last["time_period"]),
        "numerator": last["numerator"],
        "denominator": last["denominator"],
        "value": last["value"],
        "lower": lo,
        "upper": hi,
        "dfe_published": last["published"],
        "symbol": last["symbol"],
        "neighbours_mean": last["neighbours_mean"],
        "neighbours_n": int(last["neighbours_n"]),
        "england": last["england"],
        "vs_neighbours": compare_with(lo, hi, last["neighbours_mean"]).iloc[0],
        "vs_england": compare_with(lo, hi, last["england"]).iloc[0],
        "note": ind.note,
    }


def _neighbour_rows(ind: Indicator, year: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    rank = {c: i + 1 for i, c in enumerate(codes)}
    rows = year[year["code"].isin(codes)].copy()
    rows["rank"] = rows["code"].map(rank)
    rows["indicator"] = ind.key
    cols = ["indicator", "rank", "code", "name", "time_period", "numerator", "denominator"]
    return rows.sort_values("rank")[[*cols, "value", "lower", "upper", "symbol"]]


def _funnel(ind: Indicator, year: pd.DataFrame, england: float) -> pd.DataFrame:
    """Every council of the year with the funnel limits around England at its size."""
    councils = year[year["geographic_level"].str.lower() == "local authority"].copy()
    councils = councils[np.isfinite(councils["value"])]
    if councils.empty or not np.isfinite(england):
        return pd.DataFrame()
    statistic = "proportion" if ind.statistic == "percent" else "rate"
    limits = funnel_limits(
        councils["denominator"].to_numpy(), england, statistic=statistic, per=ind.per
    )
    councils = pd.concat([councils.reset_index(drop=True), limits], axis=1)
    v = councils["value"]
    councils["position"] = np.select(
        [
            v > councils["upper_99_8"],
            v > councils["upper_95"],
            v < councils["lower_99_8"],
            v < councils["lower_95"],
        ],
        ["above 99.8% limit", "above 95% limit", "below 99.8% limit", "below 95% limit"],
        default="within 95% limits",
    )
    councils["indicator"] = ind.key
    councils["england"] = england
    return councils
