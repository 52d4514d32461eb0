"""Gaps per area and category, against the county's cut-offs.

:func:`gap_table`: per area and category, the children of the category's ages, whether
they are within reach, places per 1,000 children once competition is counted (E2SFCA),
the shortfall against the standard, and a priority class from need against access
(:data:`PRIORITY_CLASSES`); :func:`gap_cutoffs` says where high need and low access start
(:class:`GapCutoffs`).
"""

from __future__ import annotations

__all__ = [
    "ADEQUATE_SHARE",
    "PRIORITY_CLASSES",
    "GapCutoffs",
    "category_children",
    "gap_cutoffs",
    "gap_table",
    "wide_measure",
]

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.accessibility import AccessResult
from earlyhelp.config import CategoryConfig
from earlyhelp.errors import InputError
from earlyhelp.need import children_in_ages

# An area's places are "adequate" for a category at this share of the county's places per
# 1,000 children or more: a benchmark for learning, not a standard of sufficiency.
ADEQUATE_SHARE = 0.5

# From most to least urgent; "priority gap" is high need with low access.
PRIORITY_CLASSES = ("priority gap", "access gap", "high need, reached", "no gap")


def category_children(need: pd.DataFrame, categories: Mapping[str, CategoryConfig]) -> pd.DataFrame:
    """Children of each category's ages per area (columns are category keys)."""
    return pd.DataFrame(
        {
            key: children_in_ages(need, min_age=cat.min_age, max_age=cat.max_age)
            for key, cat in categories.items()
        },
        index=need.index,
    ).fillna(0.0)


def wide_measure(
    access: AccessResult, measure: str, categories: Mapping[str, object]
) -> pd.DataFrame:
    """One access measure per area, a column per category key (from ``access.wide``); an
    InputError naming the setting when the measure was not computed."""
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
    reach = wide_measure(access, "within_reach", categories).astype(bool)
    share = wide_measure(access, "share_within_reach", categories).fillna(0.0)
    per_child = wide_measure(access, "e2sfca", categories).fillna(0.0)
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
    places = wide_measure(access, "e2sfca", categories).fillna(0.0) * 1000.0
    county = (places * children).sum() / children.sum().where(children.sum() > 0)
    return GapCutoffs(
        need_index=float(need_score.quantile(high_need_quantile)),
        places_per_1000=places.where(children > 0).quantile(low_access_quantile),
        adequate_per_1000=(ADEQUATE_SHARE * county).fillna(0.0),
    )
