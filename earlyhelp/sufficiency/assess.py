"""Every sufficiency table of one run (:class:`Sufficiency`), from the loaded inputs and the
access result (:func:`assess_sufficiency`).
"""

from __future__ import annotations

__all__ = [
    "Sufficiency",
    "assess_sufficiency",
    "category_verdicts",
]

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.accessibility import AccessResult
from earlyhelp.config import Config
from earlyhelp.distance import DistanceModel
from earlyhelp.need import AGE_BANDS, area_need_index, calls_for
from earlyhelp.sufficiency.districts import district_comparison, district_summary, funnel_data
from earlyhelp.sufficiency.gaps import STATES, GapCutoffs, gap_cutoffs, gap_table
from earlyhelp.sufficiency.range import range_of_help, sector_reach
from earlyhelp.sufficiency.spend import resourcing


@dataclass(frozen=True, eq=False)
class Sufficiency:
    """Every sufficiency table of one run (its study area only).

    Attributes
    ----------
    need_index
        Need index per area, 0-100 (see :func:`earlyhelp.need.need_index`).
    gaps
        The verdict per area x category (:func:`~earlyhelp.sufficiency.gaps.gap_table`).
    verdicts
        Per category, children and areas by state, for the county (:func:`category_verdicts`).
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
        The relative lines of this run (:class:`GapCutoffs`).
    called
        Area x category (bool): the kinds of help each area's need calls for.
    """

    need_index: pd.Series
    gaps: pd.DataFrame
    verdicts: pd.DataFrame
    range: pd.DataFrame
    resourcing: pd.DataFrame
    districts: pd.DataFrame
    funnel: pd.DataFrame
    summary: pd.DataFrame
    cutoffs: GapCutoffs
    called: pd.DataFrame


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
    """Every sufficiency table for the areas of ``areas`` (the study area).

    ``access`` may cover more areas (edge effects): only these areas' rows are read.
    ``model`` is the distance model the access result was measured with (built from
    config when not given), reused for the sectors within reach. ``cutoffs`` are those of
    a baseline run (for scenarios); by default this run's own (:func:`gap_cutoffs`).
    ``need_score`` is the need index when already computed.
    """
    need_a = need.reindex(areas.index)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="earlyhelp-sectors") as pool:
        # the sectors within reach are measured beside the rest (the KD-tree searches let
        # go of Python's lock)
        sectors_ahead = pool.submit(
            sector_reach, areas, need_a, services, cfg.access, suff=cfg.sufficiency, model=model
        )
        return _assessed(cfg, areas, need_a, services, access, cutoffs, need_score, sectors_ahead)


def _assessed(cfg, areas, need_a, services, access, cutoffs, need_score, sectors_ahead):
    score = area_need_index(need_a, cfg.indicators) if need_score is None else need_score
    score = score.reindex(areas.index)
    if not cfg.indicators:
        score = pd.Series(np.nan, index=areas.index)  # no indicators: need unknown, not average
    if cutoffs is None:
        cutoffs = gap_cutoffs(cfg, need_a, access, need_score=score)
    gaps = gap_table(cfg, areas, need_a, access, need_score=score, cutoffs=cutoffs)
    called = _called_for(cfg, areas, need_a)
    sectors = sectors_ahead.result()
    range_table = range_of_help(gaps, called, cfg.categories, sectors)
    suff = cfg.sufficiency
    in_need = cfg.indicators[suff.in_need_indicator].column if suff.in_need_indicator else None
    money = resourcing(areas, need_a, services, in_need_column=in_need)
    kids = need_a[list(AGE_BANDS)].sum(axis=1, min_count=1)
    districts = district_comparison(areas, kids, gaps, range_table, money, cfg.categories)
    return Sufficiency(
        need_index=score.rename("need_index"),
        gaps=gaps,
        verdicts=category_verdicts(gaps, cfg),
        range=range_table,
        resourcing=money,
        districts=districts,
        funnel=funnel_data(districts),
        summary=district_summary(
            areas, need_a, gaps, range_table, money, categories=cfg.categories
        ),
        cutoffs=cutoffs,
        called=called.reindex(columns=list(cfg.categories), fill_value=False).fillna(False),
    )


def category_verdicts(gaps: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Per category (index ``category``, in config order): children of its ages and small
    areas in each state (``children_<state>``, ``areas_<state>``; children are unknown
    where an area has no need data, so they are not counted), the reasons for unknowns,
    and how many small areas have a priority gap."""
    g = gaps.assign(children=gaps["children"].fillna(0.0))
    parts = dict(tuple(g.groupby("category", sort=False)))  # one pass, not one per category
    rows = {}
    for key in cfg.categories:
        sub = parts.get(key, g.iloc[:0])
        row: dict[str, object] = {"label": cfg.category_label(key)}
        for state in STATES:
            hit = sub["state"] == state
            name = state.replace(" ", "_")
            row[f"children_{name}"] = float(sub.loc[hit, "children"].sum())
            row[f"areas_{name}"] = int(hit.sum())
        reasons = sub.loc[sub["state"] == "unknown", "reason"].value_counts()
        row["unknown_because"] = "; ".join(f"{r} ({n} areas)" for r, n in reasons.items())
        row["areas_priority_gap"] = int((sub["priority"] == "priority gap").sum())
        rows[key] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "category"
    return table


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
