"""The ONS LSOA 2011 to LSOA 2021 lookup, and bringing 2011-coded data onto 2021 areas.

The lookup (``LSOA11CD``, ``LSOA21CD``, ``CHGIND``...; or snake_case ``lsoa11cd``,
``lsoa21cd``, ``change_code``) has one row per pair of a 2011 and a 2021 LSOA. Its change
indicator says what happened: **U** unchanged, **S** split (one 2011 LSOA became several),
**M** merged (several became one) and **X** irregular (boundaries redrawn, many to many).

:func:`bridge_2011_to_2021` moves a table keyed by 2011 LSOA onto 2021 LSOAs: counts are
apportioned (by population weights per 2021 LSOA when given, else equally among the parts
of a split) and merged areas summed, so totals are conserved; rates are recomputed from
apportioned counts and denominators (or averaged, population-weighted); ranks and
deciles, which cannot be recomputed for a new area, are carried only where the area is
unchanged. A second table says what was done to each 2011 LSOA that changed.

Example
-------
>>> lookup = read_lsoa_lookup("LSOA11_LSOA21_LAD22_EW_LU.csv", report=report)  # doctest: +SKIP
>>> need21, what = bridge_2011_to_2021(
...     need11, lookup, counts=["pop_0_4", "pop_0_17"], rates={"cp_rate": "pop_0_17"},
...     ranks=["idaci_rank", "idaci_decile"])                               # doctest: +SKIP
"""

from __future__ import annotations

__all__ = ["CHANGE_CODES", "bridge_2011_to_2021", "read_lsoa_lookup"]

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import find_column, read_text_table, text
from earlyhelp.validation import ValidationReport

CHANGE_CODES = {"U": "unchanged", "S": "split", "M": "merged", "X": "irregular"}
_COLUMNS = {
    "lsoa11cd": ["LSOA11CD", "lsoa11_code"],
    "lsoa11nm": ["LSOA11NM"],
    "lsoa21cd": ["LSOA21CD", "lsoa21_code"],
    "lsoa21nm": ["LSOA21NM"],
    "change": ["CHGIND", "change_code", "change_indicator", "chgind"],
    "district_code": ["LAD22CD", "LAD21CD", "LAD23CD", "LAD24CD", "lad22cd"],
    "district_name": ["LAD22NM", "LAD21NM", "LAD23NM", "LAD24NM", "lad22nm"],
}
REPORT_COLUMNS = ("lsoa11cd", "change", "lsoa21cd", "share", "method")


def read_lsoa_lookup(path: str | Path, *, report: ValidationReport) -> pd.DataFrame:
    """Read the ONS LSOA 2011 -> 2021 lookup (either layout) into a canonical table.

    Parameters
    ----------
    path
        The lookup CSV as published by ONS, or a snake_case extract of it.
    report
        Where problems are recorded (change indicators other than U, S, M and X,
        repeated pairs).

    Returns
    -------
    pandas.DataFrame
        ``lsoa11cd``, ``lsoa11nm``, ``lsoa21cd``, ``lsoa21nm``, ``change`` (U, S, M or X),
        ``district_code``, ``district_name``: one row per pair, as published.
    """
    table = read_text_table(
        Path(path), report=report, is_header=lambda r: find_column(r, ["LSOA11CD"]) is not None
    )
    cols = {key: find_column(table.frame.columns, names) for key, names in _COLUMNS.items()}
    for key in ("lsoa11cd", "lsoa21cd", "change"):
        if cols[key] is None:
            raise InputError(
                f"{table.file}: no '{_COLUMNS[key][0]}' column; this does not look like the "
                "ONS 'LSOA (2011) to LSOA (2021) to Local Authority District (2022) Lookup'"
            )
    out = pd.DataFrame({key: text(table, column) for key, column in cols.items()})
    out["change"] = out["change"].str.upper()
    bad = ~out["change"].isin(list(CHANGE_CODES))
    if bad.any():
        report.error(
            table.file,
            cols["change"],
            f"{bad.sum()} change indicator(s) are not U, S, M or X "
            f"(e.g. '{out['change'][bad].iloc[0]}')",
            "use the lookup as published by ONS",
            rows=[table.lines[i] for i in np.flatnonzero(bad.to_numpy())],
        )
    repeated = out.duplicated(["lsoa11cd", "lsoa21cd"]).to_numpy()
    if repeated.any():
        report.warn(
            table.file,
            cols["lsoa11cd"],
            f"{repeated.sum()} repeated pair(s) of 2011 and 2021 codes were left out",
            "nothing to do",
            rows=[table.lines[i] for i in np.flatnonzero(repeated)],
        )
    out = out.loc[~repeated].reset_index(drop=True)
    out.attrs["column_kinds"] = dict.fromkeys(out.columns, "text")
    return out


def bridge_2011_to_2021(
    table: pd.DataFrame,
    lookup: pd.DataFrame,
    *,
    counts: Sequence[str] = (),
    rates: Mapping[str, str | None] | Sequence[str] = (),
    ranks: Sequence[str] = (),
    weights: pd.Series | None = None,
    population: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bring a table keyed by 2011 LSOA onto 2021 LSOAs.

    Parameters
    ----------
    table
        Values by 2011 LSOA: indexed by code, or with an ``area_code`` column.
    lookup
        The ONS lookup as :func:`read_lsoa_lookup` returns it (or with the published
        ``LSOA11CD``, ``LSOA21CD``, ``CHGIND`` columns).
    counts
        Columns of counts (children, events). A 2011 LSOA's count is shared among the
        2021 LSOAs it became in proportion to ``weights`` (equally without them) and
        summed where 2011 LSOAs merged: totals are conserved.
    rates
        Columns of rates, percentages or scores. Given as a mapping, a rate with a
        denominator (a column of ``counts``) is recomputed as apportioned
        ``rate x denominator`` over the apportioned denominator; a rate mapped to
        ``None`` (or given in a list) is averaged over the 2011 LSOAs that make up each
        2021 LSOA, weighted by their apportioned ``population`` (equally without it).
    ranks
        Ranks and deciles: carried where the LSOA is unchanged (U) and left empty for
        every 2021 LSOA that was split, merged or redrawn, since its rank is not known.
    weights
        Population of each 2021 LSOA (a Series indexed by 2021 code), such as Census 2021
        children aged 0-15, used to share the counts of a split LSOA. Where a part has no
        weight the split is equal.
    population
        A column of ``counts`` holding the population that weights averaged rates.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The table on 2021 LSOAs (index ``area_code``; the columns named, in the order
        given) and a report with one row per 2011 LSOA that changed or is missing from
        the lookup: ``lsoa11cd``, ``change``, ``lsoa21cd`` and ``share`` (";"-joined,
        one per 2021 part) and ``method`` in words.
    """
    rate_map = dict(rates) if isinstance(rates, Mapping) else dict.fromkeys(rates)
    named = [*counts, *rate_map, *ranks]
    values = table.set_index("area_code") if "area_code" in table.columns else table
    values = values.copy()
    values.index = values.index.astype(str)
    _check_columns(values, named, counts, rate_map, population)
    pairs = _pairs(lookup)
    pairs = pairs[pairs["lsoa11cd"].isin(values.index)].reset_index(drop=True)
    share, method = _shares(pairs, weights)
    pairs = pairs.assign(share=share)
    src = values.reindex(pairs["lsoa11cd"]).reset_index(drop=True)
    by21 = pairs["lsoa21cd"]
    order = pd.unique(by21)
    out = pd.DataFrame(index=pd.Index(order, name="area_code"))
    num = pd.DataFrame(index=src.index)
    for column in counts:
        num[column] = pd.to_numeric(src[column], errors="coerce").astype(float) * pairs["share"]
        out[column] = num[column].groupby(by21.to_numpy()).sum(min_count=1).reindex(order)
    weight = num[population] if population else pairs["share"]
    for rate, denominator in rate_map.items():
        r = pd.to_numeric(src[rate], errors="coerce").astype(float)
        w = weight if denominator is None else num[denominator]
        out[rate] = _weighted_mean(r, w, by21, order)
    unchanged = (pairs["change"] == "U").to_numpy()
    for rank in ranks:
        kept = src[rank].where(unchanged)
        out[rank] = kept.groupby(by21.to_numpy()).first().reindex(order)
    out = out[named]
    return out, _report(pairs, method, values.index, lookup)


def _check_columns(
    values: pd.DataFrame,
    named: list[str],
    counts: Sequence[str],
    rate_map: dict[str, str | None],
    population: str | None,
) -> None:
    """Refuse a rate's denominator or a population that is not a count (it must be
    apportioned too), and columns that are not in the table."""
    missing = [c for c in named if c not in values.columns]
    for rate, denominator in rate_map.items():
        if denominator is not None and denominator not in counts:
            raise InputError(
                f"bridge: the denominator '{denominator}' of rate '{rate}' must be one of the "
                "counts, so that it is apportioned too"
            )
    if population is not None and population not in counts:
        raise InputError(f"bridge: population '{population}' must be one of the counts")
    if missing:
        raise InputError(f"bridge: column(s) {', '.join(missing)} are not in the table")


def _weighted_mean(
    rate: pd.Series, weight: pd.Series, by21: pd.Series, order: np.ndarray
) -> pd.Series:
    """Per 2021 LSOA (in ``order``), the mean of the pairs' ``rate`` weighted by their
    apportioned ``weight`` (a denominator or population; pairs without a rate left out);
    missing where the weights sum to 0."""
    w = weight.where(rate.notna())
    top = (rate * w).groupby(by21.to_numpy()).sum(min_count=1)
    bottom = w.groupby(by21.to_numpy()).sum(min_count=1)
    return (top / bottom.where(bottom != 0)).reindex(order)


def _pairs(lookup: pd.DataFrame) -> pd.DataFrame:
    cols = {key: find_column(lookup.columns, [key, *_COLUMNS[key]]) for key in _COLUMNS}
    for key in ("lsoa11cd", "lsoa21cd", "change"):
        if cols[key] is None:
            raise InputError(
                f"bridge: the lookup has no '{key}' column; read it with read_lsoa_lookup"
            )
    pairs = pd.DataFrame(
        {k: lookup[cols[k]].astype(str).str.strip() for k in ("lsoa11cd", "lsoa21cd", "change")}
    )
    return pairs.drop_duplicates(["lsoa11cd", "lsoa21cd"]).reset_index(drop=True)


def _shares(pairs: pd.DataFrame, weights: pd.Series | None) -> tuple[pd.Series, pd.Series]:
    """Each pair's share of its 2011 LSOA, and how the share was set (per pair)."""
    parts = pairs.groupby("lsoa11cd")["lsoa21cd"].transform("size").astype(float)
    equal = 1.0 / parts
    if weights is None:
        return equal, pd.Series("equally", index=pairs.index)
    w = pairs["lsoa21cd"].map(weights.rename(index=str)).astype(float)
    w = w.where(w >= 0)
    group_has_all = w.notna().groupby(pairs["lsoa11cd"]).transform("all")
    total = w.groupby(pairs["lsoa11cd"]).transform("sum")
    usable = group_has_all & (total > 0)
    share = (w / total).where(usable, equal)
    how = pd.Series(np.where(usable, "by weights", "equally (no weights)"), index=pairs.index)
    return share, how


def _report(pairs, method, codes11: pd.Index, lookup: pd.DataFrame) -> pd.DataFrame:
    changed = pairs[pairs["change"] != "U"].assign(method=method)
    rows = []
    merged_into = pairs.groupby("lsoa21cd")["lsoa11cd"].agg(list)
    for code, group in changed.groupby("lsoa11cd", sort=False):
        change = group["change"].iloc[0]
        targets = group["lsoa21cd"].tolist()
        if change == "S" or (change == "X" and len(targets) > 1):
            how = f"split {group['method'].iloc[0]} among {len(targets)}"
        else:
            others = [c for t in targets for c in merged_into[t] if c != code]
            how = f"merged with {', '.join(others) or 'no other 2011 LSOA in the table'}"
        if change == "X":
            how = "irregular: " + how
        rows.append(
            {
                "lsoa11cd": code,
                "change": change,
                "lsoa21cd": ";".join(targets),
                "share": ";".join(f"{s:.4f}" for s in group["share"]),
                "method": how,
            }
        )
    known = set(_pairs(lookup)["lsoa11cd"])
    for code in codes11:
        if code not in known:
            rows.append(
                {
                    "lsoa11cd": code,
                    "change": "",
                    "lsoa21cd": "",
                    "share": "",
                    "method": "not in the lookup: left out (is it a 2011 LSOA code?)",
                }
            )
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
