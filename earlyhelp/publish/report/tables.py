"""The report's published tables: built from the analysis, published through the run's
:class:`~earlyhelp.publish.publication.Publication` with what each number adds up.

Each function returns the table as published (and, where the report ranks or sums
visible rows, the analyst table beside it). :func:`publish_report_tables` publishes them
all, so the audit of the whole publication sees them before the report is drawn;
:mod:`.content` asks for the same tables again and gets what was audited.
"""

from __future__ import annotations

__all__ = [
    "priority_tables",
    "publish_report_tables",
    "range_table",
    "reach_table",
    "resourcing_table",
    "sectors_table",
]

from collections.abc import Callable, Hashable
from functools import cache

import numpy as np
import pandas as pd

from earlyhelp.disclosure import check_publishable
from earlyhelp.need import AGE_BANDS
from earlyhelp.provision import SECTORS
from earlyhelp.publish.basis import RunBasis
from earlyhelp.publish.publication import Item, Publication, Ratio, Share, Sum
from earlyhelp.stats import dispersed_share_ci

_RANKED_AREAS = 10  # small areas listed among the priority gaps
_REACH_RATES = ("pct", "lower", "upper")


def publish_report_tables(pub: Publication, basis: RunBasis) -> None:
    """Every table the report publishes (for the audit, before the report is drawn)."""
    range_table(pub, basis)
    sectors_table(pub, basis)
    reach_table(pub, basis)
    resourcing_table(pub, basis)
    priority_tables(pub, basis)


def _publish(pub: Publication, name: str, frame: pd.DataFrame, **kwargs) -> pd.DataFrame:
    shown = pub.table(f"report: {name}", frame, **kwargs)
    check_publishable(shown, name=f"report.html: {name}")
    return shown


def _children(basis: RunBasis) -> pd.Series:
    """Children 0-19 per area (0 without need data)."""
    need = basis.assessment.inputs.need.reindex(basis.codes)
    return need[list(AGE_BANDS)].sum(axis=1).fillna(0.0)


def _reach_cells(basis: RunBasis):
    """Cells of a reach table whose rows are a kind of help (or kind and district)."""

    @cache
    def by_district(key: str) -> tuple[Callable[[Hashable], Sum], ...]:
        weights = (basis.reached(key), basis.known_reach(key), basis.unreached(key))
        return tuple(basis.children_by_district(w) for w in weights)

    @cache
    def sums(key: str, where: str) -> tuple[Sum, Sum, Sum]:
        within, known, out = (of(where) for of in by_district(key))
        return within, known, out

    def cells(row: Hashable, col: str) -> Item | None:
        key, where = (str(row), "County") if not isinstance(row, tuple) else map(str, row)
        if col == "children_lacking_called":
            lacking = basis.select(basis.where("County"), basis.lacking_called(key))
            return basis.children(lacking, basis.kind(key))
        within, known, out = sums(key, where)
        items: dict[str, Item] = {
            "within": within,
            "children": known,
            "out_of_reach": out,
            "pct": Share(within, known),
        }
        return items.get(col)

    return cells


def range_table(pub: Publication, basis: RunBasis) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per kind of help: children of its ages where reach is known, within and out of
    reach, the county share's 95% limits, and children lacking help their need calls
    for. Returns (published, analyst)."""
    suff, cfg = basis.assessment.require_sufficiency(), basis.assessment.config
    rows = []
    by_district = suff.districts[suff.districts["measure"] == "share_within_reach"]
    for key in cfg.categories:
        sub = by_district[by_district["category"] == key]
        n = float(sub["denominator"].astype(float).sum())
        out = n - float(sub["numerator"].astype(float).sum())
        lo, hi = _county_limits(sub)
        lacking = basis.lacking_called(key)
        rows.append(
            {
                "category": key,
                "children": n,
                "within": n - out,
                "out_of_reach": out,
                "pct": 100 * (n - out) / n if n else np.nan,
                "lower": 100 * float(lo),
                "upper": 100 * float(hi),
                "children_lacking_called": float(
                    pd.Series(basis.column("children", key)).fillna(0.0).where(lacking, 0.0).sum()
                ),
            }
        )
    table = pd.DataFrame(rows).set_index("category")
    shown = _publish(
        pub,
        "range of help",
        table,
        counts=["children", "within", "out_of_reach", "children_lacking_called"],
        rates={k: ["out_of_reach", "children"] for k in _REACH_RATES},
        column_totals={"children": ["within", "out_of_reach"]},
        companions={"pct": ["lower", "upper"]},
        cells=_reach_cells(basis),
    )
    return shown, table


def _county_limits(rows: pd.DataFrame) -> tuple[float, float]:
    """95% limits of the county's share from one measure's district rows (their summed
    numerators and denominators), with the same dispersion factor as every district's
    (:func:`earlyhelp.stats.dispersed_share_ci`)."""
    if rows.empty or not rows["denominator"].astype(float).sum() > 0:
        return np.nan, np.nan
    lower, upper = dispersed_share_ci(
        np.array([rows["numerator"].astype(float).sum()]),
        np.array([rows["denominator"].astype(float).sum()]),
        phi=float(rows["phi"].iloc[0]),
    )
    return float(lower[0]), float(upper[0])


def sectors_table(pub: Publication, basis: RunBasis) -> pd.DataFrame:
    """Share of children 0-19 living where each sector has an active service in reach."""
    range_table_ = basis.assessment.require_sufficiency().range
    if "sectors_within_reach" not in range_table_:
        return pd.DataFrame()
    kids = _children(basis)
    listed = range_table_["sectors_within_reach"].astype("string").fillna("").reindex(kids.index)
    parts = listed.str.split("; ")
    has = {
        sector: parts.map(lambda items, s=sector: s in (items or []))
        .fillna(False)
        .to_numpy(dtype=bool)
        for sector in SECTORS
    }
    rows = {s: {"children": kids.sum(), "within": kids[has[s]].sum()} for s in SECTORS}
    table = pd.DataFrame(rows).T
    table["out_of_reach"] = table["children"] - table["within"]
    table["pct"] = 100 * table["within"] / table["children"].where(table["children"] > 0)
    every = basis.where("County")

    def cells(row: Hashable, col: str) -> Item | None:
        within = basis.children(basis.select(every, has[str(row)]))
        items: dict[str, Item] = {
            "children": basis.children(every),
            "within": within,
            "out_of_reach": basis.children(basis.select(every, ~has[str(row)])),
            "pct": Share(within, basis.children(every)),
        }
        return items.get(col)

    return _publish(
        pub,
        "sectors within reach",
        table,
        counts=["children", "within", "out_of_reach"],
        rates={"pct": ["out_of_reach", "children"]},
        column_totals={"children": ["within", "out_of_reach"]},
        cells=cells,
    )


def reach_table(pub: Publication, basis: RunBasis) -> pd.DataFrame:
    """Each kind of help's share within reach, district by district and for the county
    (rows ``(key, district code)`` and ``(key, "County")``)."""
    a = basis.assessment
    rows = a.require_sufficiency().districts
    rows = rows[rows["measure"] == "share_within_reach"]
    codes = list(a.require_sufficiency().summary.index.drop("County"))
    frames = []
    for key in a.config.categories:
        sub = rows[rows["category"] == key].set_index("district_code").reindex(codes)
        num = sub["numerator"].astype(float).fillna(0.0)
        den = sub["denominator"].astype(float).fillna(0.0)
        part = pd.DataFrame(
            {
                "within": num,
                "out_of_reach": den - num,
                "children": den,
                "pct": 100 * sub["value"].astype(float),
                "lower": 100 * sub["lower"].astype(float),
                "upper": 100 * sub["upper"].astype(float),
            }
        )
        total_n, total_d = float(num.sum()), float(den.sum())
        lo, hi = _county_limits(rows[rows["category"] == key])
        part.loc["County"] = {
            "within": total_n,
            "out_of_reach": total_d - total_n,
            "children": total_d,
            "pct": 100 * total_n / total_d if total_d else np.nan,
            "lower": 100 * float(lo),
            "upper": 100 * float(hi),
        }
        part.index = pd.MultiIndex.from_product([[key], part.index], names=["category", "code"])
        frames.append(part)
    return _publish(
        pub,
        "reach by category and district",
        pd.concat(frames),
        counts=["within", "out_of_reach", "children"],
        rates={k: ["out_of_reach", "children"] for k in _REACH_RATES},
        total_row="County",
        column_totals={"children": ["within", "out_of_reach"]},
        companions={"pct": ["lower", "upper"]},
        cells=_reach_cells(basis),
    )


def resourcing_table(pub: Publication, basis: RunBasis) -> pd.DataFrame:
    """Spend and value for money per district and for the county (row ``county``)."""
    table = basis.assessment.require_sufficiency().resourcing.copy()
    counts = ["children", "reached"]
    rates = {
        "spend_per_child": "children",
        "cost_per_child_reached": "reached",
        "capacity_used": ["reached"],
    }
    if "children_in_need" in table:
        counts.append("children_in_need")
        rates["spend_per_child_in_need"] = "children_in_need"
    table["capacity_used"] = 100 * table["capacity_used"]
    reached = basis.reached_by_district()
    in_need = basis.in_need_by_district() if "children_in_need" in table else None

    def cells(row: Hashable, col: str) -> Item | None:
        m = basis.where(row)
        cost = float(table.at[row, "annual_cost"])
        if col == "children":
            return basis.children(m)
        if col == "spend_per_child":
            return Ratio(basis.children(m), cost, decimals=2)
        if col == "reached":
            return reached(row)
        if in_need is not None and col == "children_in_need":
            return in_need(m)
        if in_need is not None and col == "spend_per_child_in_need":
            return Ratio(in_need(m), cost, decimals=2)
        return None  # cost per child reached, places used: over unpublished sums

    return _publish(
        pub,
        "resourcing",
        table,
        counts=counts,
        rates=rates,
        total_row="county",
        decimals=2,
        cells=cells,
    )


def priority_tables(
    pub: Publication, basis: RunBasis
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Children in priority gaps by kind of help and district (with a county row per
    kind), and the small areas with the most need among them (children 0-19). Returns
    (pairs published, pairs analyst, areas published, areas analyst)."""
    a = basis.assessment
    gaps = a.require_sufficiency().gaps.merge(
        a.areas[["district_code"]], left_on="area_code", right_index=True, how="left"
    )
    pg = gaps[gaps["priority"] == "priority gap"]
    pairs = (
        gaps.assign(pg=gaps["children"].where(gaps["priority"] == "priority gap", 0.0))
        .groupby(["category", "district_code"])
        .agg(children=("pg", "sum"))
    )
    pairs["areas"] = pg.groupby(["category", "district_code"]).size()
    pairs["areas"] = pairs["areas"].fillna(0).astype(int)
    totals = pairs.groupby(level="category").agg(
        children=("children", "sum"), areas=("areas", "sum")
    )
    totals.index = pd.MultiIndex.from_arrays(
        [totals.index, ["County"] * len(totals)], names=["category", "district_code"]
    )
    table = pd.concat([pairs, totals]).sort_index()

    def pair_cells(row: Hashable, col: str) -> Item | None:
        assert isinstance(row, tuple)
        key, where = str(row[0]), row[1]
        if col != "children":
            return None
        gap = basis.equals("priority", key, "priority gap")
        return basis.children(basis.select(basis.where(where), gap), basis.kind(key))

    shown = _publish(
        pub, "priority gaps", table, counts=["children"], total_row="County", cells=pair_cells
    )
    # the areas with any priority gap, in order (as a group-by's keys)
    in_gap = pd.Index(pg["area_code"].dropna().unique(), name="area_code").sort_values()
    areas = pd.DataFrame(
        {
            "children": _children(basis).reindex(in_gap),
            "need_index": a.require_sufficiency().need_index.reindex(in_gap),
        }
    )
    areas = areas.sort_values(["need_index", "children"], ascending=False).head(_RANKED_AREAS)
    position = {code: i for i, code in enumerate(basis.codes)}

    def area_cells(row: Hashable, col: str) -> Item | None:
        return basis.children(np.array([position[row]])) if col == "children" else None

    shown_areas = _publish(pub, "priority gap areas", areas, counts=["children"], cells=area_cells)
    return shown, table, shown_areas, areas
