"""The maps of the case-system and expertise products, drawn with the board map's own
machinery (:func:`earlyhelp.maps.board.board_map`): districts coloured by what the case
systems show, and frontline settings with their distance to social work consultation.

Both draw only published cells: figures that passed small-number suppression, and sites
that are public buildings.
"""

from __future__ import annotations

__all__ = ["district_map", "settings_map"]

from pathlib import Path

import geopandas as gpd
import pandas as pd

from earlyhelp.config import CategoryConfig, Config
from earlyhelp.distance import describe_cost
from earlyhelp.loading import Inputs
from earlyhelp.maps.board import board_map, save_map
from earlyhelp.maps.classes import MapLayer
from earlyhelp.units import display_name

_DISTRICT_LAYERS = (
    ("stepped_up_pct", "Closed episodes stepped up to social care (%)", True,
     "Of early help episodes that closed in the period, the share that stepped up to "
     "children's social care."),
    ("rereferred_pct", "Re-referred within a year (%)", True,
     "Of episodes that closed other than by step-up, the share followed within a year by "
     "a new episode or a referral to children's social care."),
    ("needs_met_pct", "Closed with needs met (%)", False,
     "Of early help episodes that closed in the period, the share that closed with needs met."),
    ("started_rate", "Early help episodes started per 10,000 children a year", True,
     "Early help episodes (assessments) started, per 10,000 children aged 0-17 a year."),
    ("referrals_rate", "Referrals to social care per 10,000 children a year", True,
     "Referrals to children's social care, per 10,000 children aged 0-17 a year."),
)  # fmt: skip


def district_map(districts: pd.DataFrame, inputs: Inputs, cfg: Config, path: Path) -> Path:
    """The districts coloured by the published case-system figures (``districts`` is the
    suppressed district table, indexed by district code, with a County row)."""
    shapes = inputs.areas[["district_code", "geometry"]].dissolve("district_code")
    shown = districts.drop(index="County", errors="ignore")
    frame = gpd.GeoDataFrame(
        {
            "area_name": shown["district_name"],
            "district_code": shown.index,
            "district_name": shown["district_name"],
        },
        geometry=shapes.geometry.reindex(shown.index),
        crs=shapes.crs,
    )
    layers = []
    for column, label in (
        ("stepped_up_vs", "Step-up compared with the county"),
        ("rereferred_vs", "Re-referral compared with the county"),
    ):
        if column in shown:
            frame[column] = shown[column].map(lambda v: _COMPARED.get(v, v))
            layers.append(
                MapLayer(
                    column,
                    label,
                    kind="categorical",
                    categories_order=tuple(_COMPARED.values()),
                    colours=_COMPARED_COLOURS,
                    note="Whether the district's share differs from the county's by more "
                    "than chance would explain (its 95% interval excludes the county's): a "
                    "question to ask, not a verdict.",
                )
            )
    for column, label, worse, note in _DISTRICT_LAYERS:
        if column in shown:
            frame[column] = shown[column]
            layers.append(MapLayer(column, label, fmt="{:,.1f}", higher_is_worse=worse, note=note))
    m = board_map(
        frame,
        _no_points(frame.crs),
        layers=layers,
        categories={},
        map_cfg=cfg.map,
        title=f"Early help from the case systems: {cfg.run.description or cfg.run.name}",
        subtitle="Identification and outcomes by district; figures for learning, not verdicts",
        data_date=cfg.run.data_date or "not stated",
        disclosure=cfg.disclosure,
    )
    return save_map(m, path, self_contained=cfg.map.self_contained)


_COMPARED = {
    "higher": "significantly higher",
    "similar": "similar",
    "lower": "significantly lower",
    "not compared": "not compared",
}
_COMPARED_COLOURS = ("#1b6ca8", "#d9d9d9", "#d95f02", "#f7f7f7")
_FAR = ("far", "within reach")
_FAR_COLOURS = ("#b2182b", "#f7f7f7")
_KIND_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
_CONSULTATION_COLOUR = "#111111"


def settings_map(
    areas: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    kinds: dict[str, str],
    cfg: Config,
    path: Path,
    *,
    unit: str,
    far: str,
) -> Path:
    """Small areas coloured by whether the nearest in-person consultation point is far
    (``areas["consultation_far"]``: "far" or "within reach"; ``far`` the threshold in
    words) and by its distance (``areas["consultation_distance"]`` in the display unit of
    the model's ``unit``), with frontline settings
    and consultation points as markers (``points``: ``name``, ``categories`` (one kind),
    ``provider`` (what the pop-up says under the name), ``delivery``)."""
    what = describe_cost(cfg.access, unit)
    frame = gpd.GeoDataFrame(
        areas[["area_name", "district_code", "district_name"]].copy(),
        geometry=areas.geometry,
        crs=areas.crs,
    )
    frame["consultation_distance"] = areas["consultation_distance"].round(1)
    frame["consultation_far"] = areas["consultation_far"]
    layers = [
        MapLayer(
            "consultation_far",
            f"More than {far} from in-person social work consultation",
            kind="categorical",
            categories_order=_FAR,
            colours=_FAR_COLOURS,
            note=f"Far: the nearest in-person consultation point is more than {far} away "
            f"({what}). Phone and online consultation reach every setting.",
        ),
        MapLayer(
            "consultation_distance",
            "Distance to in-person social work consultation "
            f"({describe_cost(cfg.access, unit, short=True)})",
            fmt="{:,.1f} " + display_name(unit),
            note=f"From the area to the nearest in-person consultation point (locality team, "
            f"front door or MASH): {what}. Phone and online consultation reach every setting.",
        ),
    ]
    categories = {
        key: CategoryConfig(label=label, colour=_KIND_COLOURS[i % len(_KIND_COLOURS)])
        for i, (key, label) in enumerate(kinds.items())
    }
    categories["consultation"] = CategoryConfig(
        label="Social work consultation point", colour=_CONSULTATION_COLOUR
    )
    m = board_map(
        frame,
        points,
        layers=layers,
        categories=categories,
        map_cfg=cfg.map,
        title="Social work expertise for frontline settings: "
        f"{cfg.run.description or cfg.run.name}",
        subtitle="How far schools, early years, GP practices and health visiting bases are "
        "from in-person social work consultation",
        data_date=cfg.run.data_date or "not stated",
        disclosure=cfg.disclosure,
    )
    return save_map(m, path, self_contained=cfg.map.self_contained)


def _no_points(crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [], "categories": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
    )
