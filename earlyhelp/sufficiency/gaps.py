"""Verdicts per area and category: sufficient, a gap of a stated kind, or unknown and why.

A kind of help is judged in an area against **standards** stated in config, never against
the county's own ranks:

- **reach**: every child of the category's ages has a service that takes their age within
  the category's reach threshold (``within_reach`` of :mod:`earlyhelp.accessibility`);
- **places**: places (or families a year) per 1,000 children of the category's ages, once
  competition from neighbouring areas is counted (E2SFCA), at least the category's
  ``places_per_1000`` (else ``[sufficiency] places_per_1000``; 0 judges reach only).

Each area x category gets a :data:`STATES` value:

``out of reach``
    some children of the category's ages have no service taking their age in reach;
``too few places``
    within reach, but fewer places than the standard;
``sufficient``
    within reach, and places meet the standard (or no standard is set);
``unknown``
    the inputs cannot say, with the reason in ``reason`` (:data:`UNKNOWN_REASONS`): no
    active service of this kind anywhere in the inputs (a directory that lists none is
    more likely incomplete than the county bare), no need data for the area, or places
    below the standard where some services in the catchment gave no capacity (their
    places are not counted, so the figure is a lower bound that cannot settle it).

**High need** (:func:`high_need`) is a rule stated in config: the county's top share by the
need index, or national deprivation deciles of an indicator (for example IDACI deciles
1-3). An area whose need cannot be judged has high need *unknown*, never "not high".
The ``priority`` of :data:`PRIORITY_CLASSES` crosses the two. Unknown is never counted as
a gap nor as sufficient.

"Adequate places" (at least :data:`ADEQUATE_SHARE` of the county's places per child) is a
relative **benchmark**, for learning; it defines no gap.
"""

from __future__ import annotations

__all__ = [
    "ADEQUATE_SHARE",
    "GAP_STATES",
    "PRIORITY_CLASSES",
    "STATES",
    "UNKNOWN_REASONS",
    "GapCutoffs",
    "category_children",
    "gap_cutoffs",
    "gap_table",
    "high_need",
    "high_need_rule",
    "wide_measure",
]

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.accessibility import AccessResult
from earlyhelp.columns import measure_frame
from earlyhelp.config import CategoryConfig, Config
from earlyhelp.errors import InputError
from earlyhelp.need import children_in_ages, indicator_values, is_placed

# An area's places are "adequate" for a category at this share of the county's places per
# 1,000 children or more: a benchmark for learning, not a standard of sufficiency.
ADEQUATE_SHARE = 0.5

STATES = ("out of reach", "too few places", "unknown", "sufficient")
GAP_STATES = ("out of reach", "too few places")
UNKNOWN_REASONS = {
    "no_services": "no active service of this kind in the inputs",
    "no_need_data": "no need data for this area",
    "capacity": "places below the standard, but capacity not given for services in reach",
}

# From most to least urgent. A known gap outranks an unknown, which outranks sufficient:
# what cannot be judged is never shown as sufficient.
PRIORITY_CLASSES = (
    "priority gap",
    "gap, need unknown",
    "gap",
    "unknown",
    "high need, sufficient",
    "sufficient",
)


def category_children(need: pd.DataFrame, categories: Mapping[str, CategoryConfig]) -> pd.DataFrame:
    """Children of each category's ages per area (columns are category keys); missing
    where the area has no need row."""
    has_row = need.notna().any(axis=1)
    return pd.DataFrame(
        {
            key: children_in_ages(need.fillna(0.0), min_age=cat.min_age, max_age=cat.max_age)
            for key, cat in categories.items()
        },
        index=need.index,
    ).where(has_row, axis=0)


def wide_measure(
    access: AccessResult, measure: str, categories: Mapping[str, object]
) -> pd.DataFrame:
    """One access measure per area, a column per category key (from ``access.wide``); an
    InputError naming the setting when the measure was not computed."""
    frame = measure_frame(access.wide, measure, categories)
    if frame is None:
        raise InputError(
            f"config: the sufficiency analysis needs the '{measure}' access measure; add "
            f'"{measure}" to measures in [access]'
        )
    return frame


@dataclass(frozen=True, eq=False)
class GapCutoffs:
    """Where a relative line falls in this run: the need index at which high need starts
    (the ``county_quantile`` rule; None for national deciles) and the benchmark of
    adequate places per category. A scenario is judged against its baseline's lines, so
    a change in one place does not move them for every other area."""

    need_index: float | None
    adequate_per_1000: pd.Series  # half the county's places per 1,000, per category


def gap_cutoffs(
    cfg: Config, need: pd.DataFrame, access: AccessResult, *, need_score: pd.Series
) -> GapCutoffs:
    """This run's lines (see :class:`GapCutoffs`), over the areas of ``need``."""
    categories = cfg.categories
    children = category_children(need, categories).reindex(need.index).fillna(0.0)
    places = wide_measure(access, "e2sfca", categories).reindex(need.index).fillna(0.0) * 1000
    county = (places * children).sum() / children.sum().where(children.sum() > 0)
    rule = cfg.sufficiency
    line = None
    if rule.high_need == "county_quantile" and cfg.indicators and need_score.notna().any():
        line = float(need_score.reindex(need.index).quantile(rule.high_need_quantile))
    return GapCutoffs(need_index=line, adequate_per_1000=(ADEQUATE_SHARE * county).fillna(0.0))


def high_need(
    cfg: Config, need: pd.DataFrame, need_score: pd.Series, cutoffs: GapCutoffs
) -> pd.Series:
    """High need per area by the configured rule (:func:`high_need_rule`): True, False, or
    missing where it cannot be judged (no indicators, or no value for the area)."""
    rule = cfg.sufficiency
    out = pd.Series(pd.NA, index=need.index, dtype="boolean", name="high_need")
    if rule.high_need == "indicator_deciles":
        name = rule.high_need_indicator
        ind = cfg.indicators[name]
        if not (is_placed(need, name) or ind.column in need.columns):
            return out
        # the area's own decile, or that of the unit containing it (an MSOA's, say)
        decile = indicator_values(need, name, ind)["value"]
        return (decile <= rule.high_need_deciles).astype("boolean").where(decile.notna())
    if cutoffs.need_index is None:
        return out
    score = need_score.reindex(need.index)
    return (score >= cutoffs.need_index).astype("boolean").where(score.notna())


def high_need_rule(cfg: Config) -> str:
    """The high-need rule in words, for every output that uses it."""
    rule = cfg.sufficiency
    if rule.high_need == "indicator_deciles":
        ind = cfg.indicators[rule.high_need_indicator]
        name = ind.label or rule.high_need_indicator
        worst = rule.high_need_deciles
        share = f"the {10 * worst}% most deprived" if worst < 10 else "every decile"
        return f"{name}: national deciles 1 to {worst} ({share} areas nationally)"
    if not cfg.indicators:
        return "not judged: no need indicators are configured"
    top = round(100 * (1 - rule.high_need_quantile))
    return (
        f"the county's top {top}% of small areas by the need index (areas tied at the line "
        "all count)"
    )


def standards(cfg: Config) -> pd.Series:
    """Each category's standard of places per 1,000 children of its ages (0: none set)."""
    default = cfg.sufficiency.places_per_1000
    return pd.Series({k: c.places_per_1000 or default for k, c in cfg.categories.items()})


def gap_table(
    cfg: Config,
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    access: AccessResult,
    *,
    need_score: pd.Series,
    cutoffs: GapCutoffs,
) -> pd.DataFrame:
    """The verdict of every area and category (one row each; see the module's notes).

    Columns: ``area_code``, ``category``, ``children`` (of the category's ages; missing
    without need data), ``within_reach``, ``reach_known`` (False where reach cannot be
    judged: no service of the kind in the inputs, or no need data; missing capacity leaves
    reach known), ``children_out_of_reach``, ``places_per_1000``
    (E2SFCA x 1,000), ``standard_per_1000``, ``shortfall_places`` (places short of the
    standard for the area's children; 0 when met), ``capacity_unknown`` (some service in
    the catchment gave no capacity), ``adequate_places`` (the relative benchmark),
    ``high_need``, ``state``, ``reason`` (why unknown) and ``priority``.
    """
    categories = cfg.categories
    need_a = need.reindex(areas.index)
    children = category_children(need_a, categories)
    places = wide_measure(access, "e2sfca", categories).reindex(areas.index).fillna(0.0) * 1000
    parts = {
        "children": children,
        "within_reach": wide_measure(access, "within_reach", categories).astype(bool),
        "children_out_of_reach": children
        * (1.0 - wide_measure(access, "share_within_reach", categories).fillna(0.0)),
        "places_per_1000": places,
        "standard_per_1000": _broadcast(standards(cfg), areas.index),
        "capacity_unknown": _capacity_unknown(access, categories, areas.index),
        "adequate_places": _adequate(places, cutoffs.adequate_per_1000),
    }
    table = pd.concat({name: _long(frame) for name, frame in parts.items()}, axis=1)
    table["shortfall_places"] = (
        table["children"] * (table["standard_per_1000"] - table["places_per_1000"]) / 1000
    ).clip(lower=0.0)
    table["high_need"] = _long(
        pd.DataFrame({k: high_need(cfg, need_a, need_score, cutoffs) for k in categories})
    ).astype("boolean")
    none_active = _categories_without_services(access, categories)
    table["state"], table["reason"] = _states(table, none_active)
    table["reach_known"] = ~(
        table.index.get_level_values("category").isin(none_active) | table["children"].isna()
    )
    # the benchmark compares with the county's own places, themselves counted with a place
    # per service that gave none: where such a service is in reach it says nothing
    table["adequate_places"] = table["adequate_places"].mask(table["capacity_unknown"])
    table["priority"] = _priority(table["state"], table["high_need"])
    return table.reset_index()


def _long(frame: pd.DataFrame) -> pd.Series:
    return frame.rename_axis(index="area_code", columns="category").stack(future_stack=True)


def _broadcast(values: pd.Series, index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(np.broadcast_to(values.to_numpy(), (len(index), len(values))),
                        index=index, columns=values.index)  # fmt: skip


def _capacity_unknown(
    access: AccessResult, categories: Mapping[str, CategoryConfig], index: pd.Index
) -> pd.DataFrame:
    """Whether a service without a capacity lies in each area's catchment (False where
    the access result does not say)."""
    frame = measure_frame(access.wide, "capacity_unknown", categories)
    if frame is None:
        return pd.DataFrame(False, index=index, columns=list(categories))
    return frame.reindex(index).fillna(0.0).astype(bool)


def _adequate(places: pd.DataFrame, cut: pd.Series) -> pd.DataFrame:
    """Places at or above the cut; unknown (NA) for a category with no places counted."""
    cut = cut.reindex(places.columns)
    known = pd.DataFrame(
        np.broadcast_to(cut.to_numpy() > 0, places.shape),
        index=places.index,
        columns=places.columns,
    )
    return places.ge(cut, axis=1).astype("boolean").where(known)


def _categories_without_services(
    access: AccessResult, categories: Mapping[str, CategoryConfig]
) -> list[str]:
    """Categories with no active service of any delivery in the inputs."""
    elig = access.eligibility.reindex(list(categories)).fillna(0)
    active = elig.get("local", 0) + elig.get("remote", 0)
    return [k for k in categories if not active[k] > 0]


def _states(table: pd.DataFrame, none_active: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's state and, for unknowns, the reason (first that applies)."""
    category = table.index.get_level_values("category")
    no_services = np.isin(category, none_active)
    no_need = table["children"].isna().to_numpy()
    reach = table["within_reach"].to_numpy(dtype=bool)
    short = (table["places_per_1000"] < table["standard_per_1000"]).to_numpy(dtype=bool)
    unsure = short & table["capacity_unknown"].to_numpy(dtype=bool)
    state = np.select(
        [no_services, no_need, ~reach, unsure, short],
        ["unknown", "unknown", "out of reach", "unknown", "too few places"],
        default="sufficient",
    )
    reason = np.select(
        [no_services, no_need, ~reach, unsure],
        [UNKNOWN_REASONS["no_services"], UNKNOWN_REASONS["no_need_data"], "",
         UNKNOWN_REASONS["capacity"]],
        default="",
    )  # fmt: skip
    return state, reason


def _priority(state: pd.Series, high: pd.Series) -> np.ndarray:
    """The priority class of each row from its state and high need (see the module)."""
    gap = state.isin(GAP_STATES).to_numpy()
    known = high.notna().to_numpy()
    is_high = high.fillna(False).to_numpy(dtype=bool)
    return np.select(
        [state.eq("unknown").to_numpy(), gap & is_high, gap & ~known, gap, is_high],
        ["unknown", "priority gap", "gap, need unknown", "gap", "high need, sufficient"],
        default="sufficient",
    )
