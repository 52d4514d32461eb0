"""Running a scenario and comparing two assessments.

:func:`run_scenario` applies the changes to the loaded services
(:func:`~earlyhelp.scenario.actions.apply_scenario`) and reruns the whole analysis through
:func:`earlyhelp.assessment.analyse` with the baseline's distance model, then
:func:`compare_assessments` reports the differences as a :class:`ScenarioResult`:
children who lose or gain reach by category and district, areas x categories that become
(or stop being) priority gaps, places per 1,000 by district, and a GeoDataFrame of every
area with before/after columns for a map.
"""

from __future__ import annotations

__all__ = ["ScenarioResult", "compare_assessments", "run_scenario"]

import dataclasses
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.assessment import Assessment, analyse
from earlyhelp.columns import measure_column
from earlyhelp.config import Config
from earlyhelp.distance import DistanceModel
from earlyhelp.loading import Inputs
from earlyhelp.need import AGE_BANDS
from earlyhelp.scenario.actions import CHANGE_COLUMNS, apply_scenario
from earlyhelp.scenario.spec import Scenario


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """The scenario's analysis against the baseline.

    Attributes
    ----------
    scenario
        What was asked.
    changes
        What was applied: ``action``, ``service_id``, ``name``, ``categories``, ``detail``,
        ``source``.
    reach
        Per district (and ``County``) and category: ``children`` of the category's ages,
        ``within_reach_before``, ``within_reach_after``, ``children_losing_reach``,
        ``children_gaining_reach``, ``net_change``.
    priority
        Areas x categories whose priority class changes to or from "priority gap":
        ``area_code``, ``area_name``, ``district_code``, ``district_name``, ``category``,
        ``children``, ``priority_before``, ``priority_after``, ``change`` (``new priority
        gap`` or ``no longer a priority gap``).
    places
        Per district (and ``County``): places per 1,000 children 0-19 of active services,
        ``before``, ``after``, ``change``.
    places_by_category
        Per district and category: places per 1,000 children of the category's ages once
        competition is counted (E2SFCA), before, after and change.
    areas
        Every area (GeoDataFrame, index ``area_code``) with before/after columns for a map:
        ``children`` (0-19), ``children_losing_reach`` and ``children_gaining_reach``
        (summed over categories), ``categories_lost``, ``categories_gained``,
        ``new_priority_gaps``, ``full_core_range_before``/``_after``, and for each category
        a changed service belongs to: ``within_reach_before__<cat>``,
        ``within_reach_after__<cat>``, ``priority_before__<cat>``, ``priority_after__<cat>``,
        ``places_per_1000_before__<cat>``, ``places_per_1000_after__<cat>``.
    services
        The changed services as points with their ``action``.
    before, after
        The two full assessments.
    """

    scenario: Scenario
    changes: pd.DataFrame
    reach: pd.DataFrame
    priority: pd.DataFrame
    places: pd.DataFrame
    places_by_category: pd.DataFrame
    areas: gpd.GeoDataFrame
    services: gpd.GeoDataFrame
    before: Assessment
    after: Assessment

    @property
    def new_priority_gaps(self) -> pd.DataFrame:
        """Areas x categories that become priority gaps."""
        return self.priority[self.priority["change"] == "new priority gap"]

    def summary(self) -> dict[str, Any]:
        """Headline figures, JSON-ready."""
        county = self.reach[self.reach["district_code"] == "County"].set_index("category")
        return {
            "scenario": self.scenario.name,
            "changes": len(self.changes),
            "children_losing_reach": county["children_losing_reach"].to_dict(),
            "children_gaining_reach": county["children_gaining_reach"].to_dict(),
            "new_priority_gaps": len(self.new_priority_gaps),
            "priority_gaps_closed": int((self.priority["change"] != "new priority gap").sum()),
        }


def run_scenario(
    cfg: Config,
    inputs: Inputs,
    scenario: Scenario,
    *,
    model: DistanceModel | None = None,
    baseline: Assessment | None = None,
) -> ScenarioResult:
    """Apply ``scenario`` to the services and rerun the analysis; compare with the baseline.

    Both runs share one distance model (the baseline's, so a road graph is built once)
    and the baseline's gap cut-offs (so a change in one place does not move the line of
    "high need" or "low access" for every other area). ``baseline`` is the assessment of
    ``inputs`` when already made.
    """
    if baseline is None:
        baseline = analyse(cfg, inputs, model=model)
    model = baseline.model
    services, changes = apply_scenario(
        inputs.services,
        scenario,
        areas=inputs.areas,
        categories=cfg.categories,
        postcodes=inputs.postcodes,
    )
    changed = dataclasses.replace(inputs, services=services)
    after = analyse(cfg, changed, model=model, cutoffs=baseline.require_sufficiency().cutoffs)
    return compare_assessments(baseline, after, scenario=scenario, changes=changes)


def compare_assessments(
    before: Assessment,
    after: Assessment,
    *,
    scenario: Scenario | None = None,
    changes: pd.DataFrame | None = None,
) -> ScenarioResult:
    """The differences between two assessments of the same areas (both with sufficiency)."""
    if before.sufficiency is None or after.sufficiency is None:
        raise ValueError("compare_assessments needs assessments made with sufficiency=True")
    scenario = scenario or Scenario()
    if changes is None:
        changes = pd.DataFrame(columns=CHANGE_COLUMNS)
    areas = before.areas
    names = areas.groupby("district_code")["district_name"].first()
    key = ["area_code", "category"]
    b = before.sufficiency.gaps.set_index(key)
    a = after.sufficiency.gaps.set_index(key).reindex(b.index)
    a["within_reach"] = a["within_reach"].astype("boolean").fillna(False).astype(bool)
    lost = b["within_reach"] & ~a["within_reach"]
    gained = ~b["within_reach"] & a["within_reach"]
    services = _changed_services(before.services, after.services, changes)
    changed_cats = set(_explode(services.get("categories")))
    touched = [c for c in before.config.categories if c in changed_cats]
    return ScenarioResult(
        scenario=scenario,
        changes=changes,
        reach=_reach_change(b, a, lost, gained, areas, names),
        priority=_priority_changes(b, a, areas, names),
        places=_places_change(before.sufficiency.summary, after.sufficiency.summary),
        places_by_category=_places_by_category(
            before.sufficiency.districts, after.sufficiency.districts
        ),
        areas=_area_table(before, after, b, a, lost, gained, touched),
        services=services,
        before=before,
        after=after,
    )


def _reach_change(
    b: pd.DataFrame,
    a: pd.DataFrame,
    lost: pd.Series,
    gained: pd.Series,
    areas: gpd.GeoDataFrame,
    names: pd.Series,
) -> pd.DataFrame:
    """Children within reach before and after, losing and gaining reach, by district (and
    County) and category."""
    district = areas["district_code"]
    kids = b["children"]
    long = pd.DataFrame(
        {
            "district_code": b.index.get_level_values("area_code").map(district).to_numpy(),
            "category": b.index.get_level_values("category").astype(str),
            "children": kids.to_numpy(),
            "within_reach_before": (kids * b["within_reach"]).to_numpy(),
            "within_reach_after": (kids * a["within_reach"].astype(bool)).to_numpy(),
            "children_losing_reach": (kids * lost).to_numpy(),
            "children_gaining_reach": (kids * gained).to_numpy(),
        }
    )
    reach = _with_county(long, ["district_code", "category"], names)
    reach["net_change"] = reach["children_gaining_reach"] - reach["children_losing_reach"]
    return reach


def _priority_changes(
    b: pd.DataFrame, a: pd.DataFrame, areas: gpd.GeoDataFrame, names: pd.Series
) -> pd.DataFrame:
    """Areas x categories that become, or stop being, priority gaps."""
    district = areas["district_code"]
    pb, pa = b["priority"], a["priority"]
    gap = "priority gap"
    moved = (pb != pa) & ((pb == gap) | (pa == gap))
    pr = b.loc[moved, ["children"]].assign(priority_before=pb[moved], priority_after=pa[moved])
    pr = pr.reset_index()
    pr["change"] = np.where(
        pr["priority_after"] == gap, "new priority gap", "no longer a priority gap"
    )
    pr.insert(1, "area_name", pr["area_code"].map(areas.get("area_name", pd.Series(dtype=str))))
    pr.insert(2, "district_code", pr["area_code"].map(district))
    pr.insert(3, "district_name", pr["district_code"].map(names))
    pr["category"] = pr["category"].astype(str)
    pr = pr.sort_values(["change", "category", "area_code"], kind="stable").reset_index(drop=True)
    return pr


def _places_change(sb: pd.DataFrame, sa: pd.DataFrame) -> pd.DataFrame:
    """Places per 1,000 children 0-19 by district (and County): before, after, change."""
    places = pd.DataFrame(
        {
            "district_name": sb["district_name"],
            "before": sb["capacity_per_1000"],
            "after": sa["capacity_per_1000"].reindex(sb.index),
        }
    )
    places["change"] = (places["after"] - places["before"]).round(1)
    return places.reset_index()


def _places_by_category(db: pd.DataFrame, da: pd.DataFrame) -> pd.DataFrame:
    """Places per 1,000 children of each category's ages by district: before, after, change."""
    sel = ["district_code", "district_name", "category", "value"]
    pb_cat = db.loc[db["measure"] == "places_per_1000", sel]
    pa_cat = da.loc[da["measure"] == "places_per_1000", ["district_code", "category", "value"]]
    by_cat = pb_cat.merge(pa_cat, on=["district_code", "category"], suffixes=("_before", ""))
    by_cat = by_cat.rename(columns={"value_before": "before", "value": "after"})
    by_cat["change"] = by_cat["after"] - by_cat["before"]
    return by_cat.reset_index(drop=True)


def _explode(values: pd.Series | None) -> list[str]:
    if values is None:
        return []
    return [str(c) for v in values for c in (v if isinstance(v, list | tuple) else [])]


def _with_county(long: pd.DataFrame, keys: list[str], names: pd.Series) -> pd.DataFrame:
    sums = long.groupby(keys, sort=True).sum(numeric_only=True)
    county = long.drop(columns="district_code").groupby("category", sort=True).sum()
    county.index = pd.MultiIndex.from_product([["County"], county.index], names=keys)
    table = pd.concat([sums, county]).reset_index()
    table.insert(1, "district_name", table["district_code"].map(names).fillna("County total"))
    return table


def _changed_services(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, changes: pd.DataFrame
) -> gpd.GeoDataFrame:
    ids = list(dict.fromkeys(changes["service_id"]))
    cols = [c for c in ("name", "categories", "status", "capacity", "delivery") if c in after]
    out = after.loc[ids, [*cols, "geometry"]].copy()
    action = changes.groupby("service_id")["action"].agg(lambda s: "+".join(s))
    detail = changes.groupby("service_id")["detail"].agg(lambda s: "; ".join(s))
    out.insert(0, "action", action.reindex(ids).to_numpy())
    out["detail"] = detail.reindex(ids).to_numpy()
    was = before.reindex(ids)
    out["status_before"] = was["status"].to_numpy() if "status" in was else None
    out["capacity_before"] = was["capacity"].to_numpy() if "capacity" in was else np.nan
    out.index.name = "service_id"
    return gpd.GeoDataFrame(out, geometry="geometry", crs=after.crs)


# Columns of the gap table shown before and after for each category a change touches.
_BEFORE_AFTER = ("within_reach", "priority", "places_per_1000")


def _area_table(
    before: Assessment,
    after: Assessment,
    b: pd.DataFrame,
    a: pd.DataFrame,
    lost: pd.Series,
    gained: pd.Series,
    touched: list[str],
) -> gpd.GeoDataFrame:
    cfg = before.config
    areas = before.areas
    labels = {k: (c.label or k) for k, c in cfg.categories.items()}
    kids_cat = b["children"]

    def per_area(values: pd.Series) -> pd.Series:
        return values.groupby(level="area_code").sum().reindex(areas.index).fillna(0.0)

    def names_of(mask: pd.Series) -> pd.Series:
        hit = mask[mask].reset_index()
        hit["label"] = hit["category"].astype(str).map(labels)
        return hit.groupby("area_code")["label"].agg("; ".join).reindex(areas.index).fillna("")

    gap = "priority gap"
    new_gap = (a["priority"] == gap) & (b["priority"] != gap)
    kids = before.inputs.need.reindex(areas.index)[list(AGE_BANDS)].sum(axis=1)
    cols = [c for c in ("area_name", "district_code", "district_name", "rural_urban") if c in areas]
    out = areas[[*cols, "geometry"]].copy()
    out["children"] = kids.to_numpy()
    out["children_losing_reach"] = per_area(kids_cat * lost).to_numpy()
    out["children_gaining_reach"] = per_area(kids_cat * gained).to_numpy()
    out["categories_lost"] = names_of(lost).to_numpy()
    out["categories_gained"] = names_of(gained).to_numpy()
    out["new_priority_gaps"] = names_of(new_gap).to_numpy()
    rb, ra = before.require_sufficiency().range, after.require_sufficiency().range
    out["full_core_range_before"] = rb["full_core_range"].reindex(areas.index).to_numpy()
    out["full_core_range_after"] = ra["full_core_range"].reindex(areas.index).to_numpy()
    for cat in touched:
        bb = b.xs(cat, level="category").reindex(areas.index)
        aa = a.xs(cat, level="category").reindex(areas.index)
        for column in _BEFORE_AFTER:
            for when, frame in (("before", bb), ("after", aa)):
                values = frame[column].astype(str) if column == "priority" else frame[column]
                out[measure_column(f"{column}_{when}", cat)] = values.to_numpy(
                    dtype=bool if column == "within_reach" else None
                )
    return out
