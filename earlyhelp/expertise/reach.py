"""How far frontline settings are from social work expertise.

Each setting's nearest in-person consultation point (a locality team, the front door or
MASH) is found with the run's distance model (:func:`earlyhelp.distance.make_distance_model`,
so the cost is what :func:`earlyhelp.distance.describe_cost` says it is); a setting beyond
``[expertise] far_m`` (or ``far_min``) is *far*. Consultation by phone or online reaches
every setting wherever it is: it is counted for every setting and said to be, and the
distances are to in-person consultation only.
"""

from __future__ import annotations

__all__ = [
    "REMOTE_DELIVERY",
    "area_distance",
    "locate",
    "nearest_consultation",
    "reach_by_district",
]

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.distance import DistanceModel
from earlyhelp.errors import InputError
from earlyhelp.geography import representative_points

REMOTE_DELIVERY = ("phone", "online")


def _in_person(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    active = points["status"].isin(["active", "open", ""])
    return points[active & ~points["delivery"].isin(REMOTE_DELIVERY)]


def nearest_consultation(
    settings: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    model: DistanceModel,
    *,
    far: float,
) -> pd.DataFrame:
    """Each setting's nearest in-person consultation point, its cost and whether it is far.

    Returns a frame indexed like ``settings``: ``nearest_point``, ``nearest_point_name``,
    ``cost`` (in ``model.unit``; inf where none can be reached), ``far`` (cost above
    ``far``) and ``remote_available`` (whether a phone or online consultation point
    exists: it reaches every setting).
    """
    in_person = _in_person(points)
    remote = bool((points["delivery"].isin(REMOTE_DELIVERY) & points["status"].ne("closed")).any())
    out = pd.DataFrame(index=settings.index)
    if in_person.empty or settings.empty:
        out["nearest_point"] = ""
        out["nearest_point_name"] = ""
        out["cost"] = np.inf
    else:
        found = model.nearest(settings.geometry, in_person.geometry)
        ok = found.position >= 0
        ids = np.where(ok, in_person.index.to_numpy()[np.maximum(found.position, 0)], "")
        names = np.where(ok, in_person["name"].to_numpy()[np.maximum(found.position, 0)], "")
        out["nearest_point"] = ids
        out["nearest_point_name"] = names
        out["cost"] = found.cost
    out["far"] = out["cost"] > far
    out["remote_available"] = remote
    return out


def area_distance(
    areas: gpd.GeoDataFrame, points: gpd.GeoDataFrame, model: DistanceModel
) -> pd.Series:
    """Cost from each small area (its representative point) to the nearest in-person
    consultation point, for the map."""
    in_person = _in_person(points)
    if in_person.empty:
        return pd.Series(np.inf, index=areas.index, name="consultation_distance")
    found = model.nearest(representative_points(areas), in_person.geometry)
    return pd.Series(found.cost, index=areas.index, name="consultation_distance")


def locate(settings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """The small area and district each setting lies in (blank when outside them all)."""
    cols = [c for c in ("district_code", "district_name") if c in areas.columns]
    joined = gpd.sjoin(
        settings[["geometry"]], areas[[*cols, "geometry"]], how="left", predicate="within"
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    area_col = areas.index.name if areas.index.name in joined else "index_right"
    out = pd.DataFrame(
        {
            "area_code": joined[area_col].astype("string").fillna("").to_numpy(),
            "district_code": joined["district_code"].astype("string").fillna("").to_numpy(),
            "district_name": joined.get("district_name", joined["district_code"])
            .astype("string")
            .fillna("")
            .to_numpy(),
        },
        index=settings.index,
    )
    return out


def reach_by_district(settings: pd.DataFrame) -> pd.DataFrame:
    """By district and kind of setting, and for the county: settings, staff, settings far
    from in-person consultation, and the median and longest cost.

    ``settings`` has ``district_code``, ``district_name``, ``kind``, ``staff``, ``cost``
    and ``far``.
    """
    if settings.empty:
        raise InputError("expertise: no frontline setting lies in the run's areas")
    grouped = settings.groupby(["district_code", "kind"])
    table = pd.DataFrame(
        {
            "district_name": grouped["district_name"].first(),
            "settings": grouped.size(),
            "staff": grouped["staff"].sum(min_count=1),
            "far": grouped["far"].sum(),
            "median_cost": grouped["cost"].median(),
            "max_cost": grouped["cost"].max(),
        }
    )
    totals = settings.groupby("district_code")
    district_rows = pd.DataFrame(
        {
            "district_name": totals["district_name"].first(),
            "settings": totals.size(),
            "staff": totals["staff"].sum(min_count=1),
            "far": totals["far"].sum(),
            "median_cost": totals["cost"].median(),
            "max_cost": totals["cost"].max(),
        }
    )
    district_rows.index = pd.MultiIndex.from_arrays(
        [district_rows.index, ["all settings"] * len(district_rows)],
        names=["district_code", "kind"],
    )
    county = pd.DataFrame(
        {
            "district_name": ["County"],
            "settings": [len(settings)],
            "staff": [settings["staff"].sum(min_count=1)],
            "far": [int(settings["far"].sum())],
            "median_cost": [settings["cost"].median()],
            "max_cost": [settings["cost"].max()],
        },
        index=pd.MultiIndex.from_tuples(
            [("County", "all settings")], names=["district_code", "kind"]
        ),
    )
    out = pd.concat([table, district_rows, county]).sort_index(kind="stable")
    out["far_pct"] = 100 * out["far"] / out["settings"]
    return out
