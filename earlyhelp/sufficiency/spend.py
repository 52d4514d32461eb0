"""Resourcing: spend per child and per child in need, cost per place, and cost per child
reached where take-up is given, per district and for the county (:func:`resourcing`).
"""

from __future__ import annotations

__all__ = [
    "ratio",
    "resourcing",
]

import geopandas as gpd
import pandas as pd

from earlyhelp.need import AGE_BANDS
from earlyhelp.provision import LOCAL_DELIVERY


def _district_of_services(services: pd.DataFrame, areas: pd.DataFrame) -> pd.Series:
    return services["area_code"].map(areas["district_code"])


def resourcing(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: gpd.GeoDataFrame,
    *,
    in_need_column: str | None = None,
) -> pd.DataFrame:
    """Spend and value for money per district and for the county (last row ``county``).

    Counts only active services inside the study area. Columns: ``children`` (0-19),
    ``annual_cost`` (GBP), ``services``, ``services_without_cost``, ``spend_per_child``
    (GBP), ``children_in_need`` and ``spend_per_child_in_need`` (when ``in_need_column``
    names the need column that counts them), ``places``, ``cost_per_place`` (GBP, over
    services with both cost and capacity), ``reached``, ``cost_per_child_reached`` and
    ``capacity_used`` (share of places taken up) where services give ``reached``.
    A service in several categories is counted once here.
    """
    active = services[(services["status"] == "active") & services["area_code"].notna()].copy()
    active["district_code"] = _district_of_services(active, areas)
    kids = need.reindex(areas.index)[list(AGE_BANDS)].sum(axis=1)
    by_district = kids.groupby(areas["district_code"]).sum().rename("children").to_frame()
    if in_need_column:
        by_district["children_in_need"] = (
            need.reindex(areas.index)[in_need_column].groupby(areas["district_code"]).sum()
        )
    # places: in-person and outreach capacity (online and phone places are not local)
    delivery = active.get("delivery", "in_person")
    local = pd.Series(delivery, index=active.index).isin(LOCAL_DELIVERY)
    active["capacity"] = active["capacity"].where(local)
    both = active["annual_cost"].notna() & active["capacity"].notna()
    reached = active["reached"].notna() if "reached" in active else pd.Series(False)
    grouped = active.assign(
        cost_both=active["annual_cost"].where(both),
        places_both=active["capacity"].where(both),
        cost_reached=active["annual_cost"].where(reached),
        places_reached=active["capacity"].where(reached),
        without_cost=active["annual_cost"].isna(),
    ).groupby("district_code")
    sums = grouped.agg(
        annual_cost=("annual_cost", "sum"),
        services=("annual_cost", "size"),
        services_without_cost=("without_cost", "sum"),
        places=("capacity", "sum"),
        with_capacity=("capacity", "count"),
        cost_both=("cost_both", "sum"),
        places_both=("places_both", "sum"),
        reached=("reached", "sum"),
        with_reached=("reached", "count"),
        cost_reached=("cost_reached", "sum"),
        places_reached=("places_reached", "sum"),
    )
    table = by_district.join(sums, how="left").fillna(0.0)
    table.loc["county"] = table.sum()
    # no service gave a cost (or a capacity): unknown, not zero
    costed = table["services"] - table["services_without_cost"]
    table["annual_cost"] = table["annual_cost"].where(costed > 0)
    table["places"] = table["places"].where(table.pop("with_capacity") > 0)
    table["reached"] = table["reached"].where(table.pop("with_reached") > 0)
    table["spend_per_child"] = ratio(table["annual_cost"], table["children"])
    if in_need_column:
        table["spend_per_child_in_need"] = ratio(table["annual_cost"], table["children_in_need"])
    table["cost_per_place"] = ratio(table["cost_both"], table["places_both"])
    table["cost_per_child_reached"] = ratio(table["cost_reached"], table["reached"])
    table["capacity_used"] = ratio(table["reached"], table["places_reached"])
    names = areas.groupby("district_code")["district_name"].first()
    table.insert(0, "district_name", names.reindex(table.index).fillna("County"))
    table.index.name = "district_code"
    return table.drop(columns=["cost_both", "places_both", "cost_reached", "places_reached"])


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator`` over ``denominator``, NaN where the denominator is not above zero."""
    return (numerator / denominator.where(denominator > 0)).astype(float)
