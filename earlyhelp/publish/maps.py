"""The maps of one run: which measures the board map shows, and how they are published.

Works from the run's ``areas`` and ``services`` layers (as written to ``results.gpkg``),
so ``earlyhelp run`` and ``earlyhelp map`` (which redraws from a finished run) share one
mechanism.
"""

from __future__ import annotations

__all__ = [
    "before_after_map",
    "board_layers",
    "read_run_cost_unit",
    "read_run_layers",
    "read_run_summary",
    "write_run_maps",
]

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.columns import PUBLISHED_CHILDREN, measure_column
from earlyhelp.config import Config
from earlyhelp.disclosure import suppress
from earlyhelp.distance import describe_cost
from earlyhelp.errors import InputError
from earlyhelp.geography import dissolve_districts
from earlyhelp.maps.board import board_map, save_map
from earlyhelp.maps.classes import MapLayer
from earlyhelp.maps.safety import district_files
from earlyhelp.publish.gazetteer import map_extras
from earlyhelp.publish.hubs import hub_map_layers
from earlyhelp.sufficiency import GAP_STATES, PRIORITY_CLASSES, high_need_rule
from earlyhelp.units import display_name, display_values
from earlyhelp.units import shown as shown_cost

# one per PRIORITY_CLASSES: reds for gaps (darkest most urgent), grey for what cannot be
# judged, blue and white for sufficient (colour-blind safe, RdBu with a neutral grey)
_PRIORITY_COLOURS = ("#b2182b", "#d6604d", "#f4a582", "#bdbdbd", "#92c5de", "#f7f7f7")


def board_layers(
    areas: pd.DataFrame,
    cfg: Config,
    *,
    cost_unit: str = "m",
    services: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, list[MapLayer]]:
    """The published map columns of ``areas`` and the layers that show them.

    Layers, the first shown first: the worst priority class of each area across the core
    categories, the need index, children 0-19 as the run published them (``areas``'
    ``children_published``, audited with everything else the run publishes: small
    counts shown as the suppression symbol, an area without need data as no data), and
    the distance (or travel time) to the nearest service of each category for reach
    (:func:`_distance_layer`). Returns a new frame holding only what the map may show.

    ``services`` (the run's services layer) says which categories have outreach
    services, whose reach the distance layers' notes explain; without it, a category has
    them when an area's nearest service is one.
    """
    out = gpd.GeoDataFrame(
        areas[["area_name", "district_code", "district_name"]].copy(),
        geometry=areas.geometry,
        crs=areas.crs,
    )
    out["children"] = _published_children(areas)
    layers = [
        MapLayer(
            "children",
            "Children and young people aged 0-19",
            note="Children living in the area (mid-year estimate in the need table).",
        )
    ]
    if "need_index" in areas:
        out["need_index"] = areas["need_index"].round(0)
        layers.append(
            MapLayer(
                "need_index",
                "Need index (0-100)",
                note="The JSNA indicators ranked across the county and combined; "
                "50 is the county's middle, higher is more need.",
            )
        )
    core = [k for k, c in cfg.categories.items() if c.required]
    prio = [c for c in (measure_column("priority", k) for k in core) if c in areas]
    if prio:
        rank = {name: i for i, name in enumerate(PRIORITY_CLASSES)}
        worst = areas[prio].apply(lambda col: col.map(rank)).min(axis=1)
        out["priority"] = np.array(PRIORITY_CLASSES, dtype=object)[worst.astype(int)]
        layers.append(
            MapLayer(
                "priority",
                "Priority gaps",
                kind="categorical",
                categories_order=PRIORITY_CLASSES,
                colours=_PRIORITY_COLOURS,
                note=_priority_note(cfg),
            )
        )
    gaps_layer = _core_gaps_layer(areas, core, out)
    if gaps_layer is not None:
        layers.append(gaps_layer)
    # the board sees the answer first: priority gaps, how many kinds are short, then need,
    # then the people
    order = {"priority": 0, "core_gaps": 1, "need_index": 2, "children": 3}
    layers.sort(key=lambda layer: order.get(layer.column, 3))
    layers += hub_map_layers(areas, out, cfg, cost_unit)  # family hubs, early years
    for key, cat in cfg.categories.items():
        layer = _distance_layer(areas, key, cat.label or key, cfg, cost_unit, services)
        if layer is not None:
            cost = areas[layer.column].astype(float)
            out[layer.column] = display_values(cost, cost_unit).round(1)
            layers.append(layer)
    for column in ("missing_called_for", "missing_core"):
        if column in areas:
            out[column] = areas[column].fillna("").replace("", "none")
    _hide_what_need_says(out, cfg.disclosure.symbol)
    return out, layers


def _published_children(areas: pd.DataFrame) -> pd.Series:
    """Children 0-19 as the run published them: numbers where shown, else the text (the
    suppression symbol, or the missing marker)."""
    if PUBLISHED_CHILDREN not in areas:
        raise InputError(
            "the areas hold no children_published column: this run folder was written by "
            "an earlier version of earlyhelp, before everything published was audited "
            "together; run 'earlyhelp run' again to draw its maps"
        )
    text = areas[PUBLISHED_CHILDREN].astype(object)
    numeric = pd.to_numeric(text, errors="coerce")
    return numeric.astype(object).where(numeric.notna(), text)


def _hide_what_need_says(out: pd.DataFrame, symbol: str) -> None:
    """Where an area's children are too few to show, what its need says of them (a need
    index, the help it calls for: set by one or two families) is hidden too."""
    hidden = out["children"].astype(str) == symbol
    for column in ("need_index", "missing_called_for"):
        if column in out:
            out[column] = out[column].astype(object).where(~hidden, symbol)


def _core_gaps_layer(areas: pd.DataFrame, core: list[str], out: pd.DataFrame) -> MapLayer | None:
    """How many core kinds of help have a known gap in each area (adds ``core_gaps`` to
    ``out``); kinds that cannot be judged are not counted."""
    states = [c for c in (measure_column("state", k) for k in core) if c in areas]
    if not states:
        return None
    out["core_gaps"] = areas[states].isin(GAP_STATES).sum(axis=1).astype(float)
    return MapLayer(
        "core_gaps",
        f"Core kinds of help with a gap (of {len(states)})",
        note=f"How many of the {len(states)} core kinds of help are out of reach, or have "
        "fewer places than their standard, in the area. Kinds that cannot be judged are "
        "not counted: the priority layer shows them grey.",
    )


def _priority_note(cfg: Config) -> str:
    """What the priority layer shows, from the rules this run used."""
    return (
        "The most urgent class of the core kinds of help in each area. A gap: a core kind "
        "is out of reach, or has fewer places than its standard (places per 1,000 children "
        "of its ages, set in config). Priority gap: a gap where need is high "
        f"({high_need_rule(cfg)}). "
        "Unknown: the inputs cannot say (no service of that kind in the directory, no need "
        "data, or capacity not given): never counted as sufficient."
    )


def _distance_layer(
    areas: pd.DataFrame,
    key: str,
    label: str,
    cfg: Config,
    cost_unit: str,
    services: pd.DataFrame | None,
) -> MapLayer | None:
    """The layer of one category's distance: the true distance (or travel time) to the
    service nearest for reach, ``distance__<key>``, titled and explained with
    :func:`~earlyhelp.distance.describe_cost`. An outreach service is nearest for reach
    when its distance, less how far it travels, is lowest; it shows its real distance,
    never that difference. A run folder written before ``distance__<key>`` existed shows
    ``nearest__<key>`` and says that outreach services are counted nearer there.
    """
    column = measure_column("distance", key)
    true_distance = column in areas
    if not true_distance:
        column = measure_column("nearest", key)
        if column not in areas:
            return None
    what = describe_cost(cfg.access, cost_unit)
    extra = shown_cost(cfg.access.outreach_extra(cost_unit), cost_unit, spec="g")
    note = f"From the area to the nearest active {label}: {what}."
    if not true_distance:
        note += (
            f" Outreach services are counted {extra} nearer here (down to 0), as when "
            "deciding reach; run earlyhelp run again to show their real distance."
        )
    elif _has_outreach(areas, key, services):
        note += (
            f" Outreach services travel to families up to {extra}, so they count as "
            f"within reach from up to {extra} further away, and one may count as the "
            "nearest though an in-person service is closer; the distance shown is always "
            "the real one."
        )
    return MapLayer(
        column,
        f"Distance to {label} ({describe_cost(cfg.access, cost_unit, short=True)})",
        fmt="{:,.1f} " + display_name(cost_unit),
        note=note,
    )


def _has_outreach(areas: pd.DataFrame, key: str, services: pd.DataFrame | None) -> bool:
    """Whether the category ``key`` has an active outreach service (from ``services``,
    else from whether some area's nearest service for reach is one)."""
    if services is None:
        column = measure_column("nearest_outreach", key)
        return column in areas and bool(areas[column].fillna(False).astype(bool).any())
    if not {"delivery", "status", "categories"} <= set(services.columns):
        return False
    active = (services["status"] == "active") & (services["delivery"] == "outreach")
    return any(key in (cats or []) for cats in services.loc[active, "categories"])


def _suppressed_by_district(counts: pd.Series, district: pd.Series, cfg: Config) -> pd.Series:
    """Area counts as published: small ones hidden, and within each district a second one
    too where a lone hidden area could be worked out from the district's published total."""
    d = cfg.disclosure
    table = pd.DataFrame(
        {"count": counts.to_numpy()},
        index=pd.MultiIndex.from_arrays([district.to_numpy(), counts.index.to_numpy()]),
    )
    totals = table.groupby(level=0).sum()
    totals.index = pd.MultiIndex.from_arrays([totals.index, ["\0total"] * len(totals)])
    shown = suppress(
        pd.concat([table, totals]),
        count_columns=["count"],
        min_count=d.min_count,
        max_count=d.max_count,
        symbol=d.symbol,
        total_row="\0total",
    )
    values = shown["count"].drop(index="\0total", level=1).droplevel(0).reindex(counts.index)
    numeric = pd.to_numeric(values, errors="coerce")
    return numeric.astype(object).where(numeric.notna(), values)


_DETAILS = {
    "missing_called_for": "Help its need calls for, out of reach",
    "missing_core": "Core help out of reach",
    "hub_nearest": "Nearest family hub or spoke",
}


def write_run_maps(
    areas: pd.DataFrame,
    services: gpd.GeoDataFrame,
    cfg: Config,
    folder: Path,
    *,
    cost_unit: str = "m",
    district_summary: pd.DataFrame | None = None,
    districts: gpd.GeoDataFrame | None = None,
    postcodes: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Draw the board map (``index.html``) and, when configured, one map per district.

    ``cost_unit`` is the distance model's unit (``m`` or ``min``). ``district_summary``
    is the run's published district summary (``published.table("district_summary")``,
    audited with everything else): above ``[map] overview_above_areas`` small areas the
    overview shows it and nothing else. ``districts`` (index ``district_code``,
    ``district_name``) are the areas dissolved by district, as the run's districts
    layer holds them, and ``postcodes`` the run's postcode lookup as loaded: what the
    maps would otherwise make or read again (None: they do).

    Returns ``{"county": path, "<district code>": path, ...}``.
    """
    if cfg.map.district_maps:  # before drawing: two districts never share one map file
        district_files(areas["district_code"])
    shown, layers = board_layers(areas, cfg, cost_unit=cost_unit, services=services)
    details = {k: v for k, v in _DETAILS.items() if k in shown}
    common: dict[str, Any] = {
        "layers": layers,
        "categories": cfg.categories,
        "map_cfg": cfg.map,
        "title": f"Early help: {cfg.run.description or cfg.run.name}",
        "subtitle": "Where early help is within reach of children and families, against need",
        "data_date": cfg.run.data_date or "not stated",
        "details": details,
        "disclosure": cfg.disclosure,
        **map_extras(cfg, shown, postcodes=postcodes),
    }
    if 0 < cfg.map.overview_above_areas < len(shown):  # too large for one page
        if districts is None:
            districts = dissolve_districts(shown)
        return _atlas(shown, services, district_summary, districts, folder, common)
    m = board_map(shown, services, **common)
    paths = {"county": save_map(m, folder / "index.html", self_contained=cfg.map.self_contained)}
    if cfg.map.district_maps:
        from earlyhelp.maps.atlas import district_pages

        paths.update(district_pages(shown, services, out_dir=folder, **common))
    return paths


def _atlas(
    shown: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    district_summary: pd.DataFrame | None,
    districts: gpd.GeoDataFrame,
    folder: Path,
    common: dict[str, Any],
) -> dict[str, Path]:
    """The board map of a large county (:mod:`earlyhelp.maps.atlas`): one page per
    district with the same area values (``shown``, from :func:`board_layers`), and an
    overview (``index.html``) of the ``districts`` showing only the published
    ``district_summary``, each cell as its CSV writes it."""
    from earlyhelp.maps.atlas import district_pages, overview_page

    common = {k: v for k, v in common.items() if k != "districts"}
    paths: dict[str, Path] = dict(district_pages(shown, services, out_dir=folder, **common))
    summary = None
    if district_summary is not None:
        summary = _as_published_text(district_summary)
        summary = summary[summary["district_code"].isin(list(paths))]
    paths["county"] = overview_page(
        districts,
        summary,
        {code: path.name for code, path in paths.items()},
        folder / "index.html",
        title=common["title"],
        subtitle=common["subtitle"],
        data_date=common["data_date"],
        attribution=common.get("attribution", ""),
    )
    return paths


def _as_published_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell of a published table as text, exactly as its CSV holds it."""
    import io

    from earlyhelp.outputs import csv_text

    text = csv_text(frame.reset_index() if frame.index.name is not None else frame,
                    float_format="%.10g")  # fmt: skip
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def read_run_summary(run_dir: Path) -> pd.DataFrame | None:
    """A finished run's published district summary (``tables/district_summary.csv``,
    every cell text as written); None when the run wrote none."""
    path = Path(run_dir) / "tables" / "district_summary.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_run_cost_unit(run_dir: Path) -> str:
    """The distance unit a finished run measured in, from its ``manifest.json``."""
    import json

    manifest = Path(run_dir) / "manifest.json"
    if not manifest.exists():
        return "m"
    return json.loads(manifest.read_text(encoding="utf-8")).get("access", {}).get("unit", "m")


def read_run_layers(run_dir: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The ``areas`` and ``services`` layers of a finished run's ``results.gpkg`` (or, for
    a large run written in columns, ``results/areas.parquet`` and ``services.parquet``)."""
    path = Path(run_dir) / "results.gpkg"
    columnar = Path(run_dir) / "results"
    if (columnar / "areas.parquet").exists() and not path.exists():
        areas = gpd.read_parquet(columnar / "areas.parquet").set_index("area_code")
        services = gpd.read_parquet(columnar / "services.parquet").set_index("service_id")
    elif not path.exists():
        raise InputError(
            f"{path}: no results.gpkg in this folder; run 'earlyhelp run' first, or give "
            "--run the folder of a finished run"
        )
    else:
        areas = gpd.read_file(path, layer="areas", engine="pyogrio").set_index("area_code")
        services = gpd.read_file(path, layer="services", engine="pyogrio").set_index("service_id")
    for column in ("categories", "reach_areas"):
        if column in services:
            services[column] = (
                services[column].fillna("").map(lambda s: [c for c in str(s).split(";") if c])
            )
    return areas, services


_REACH = ("out of reach", "within reach")
_REACH_COLOURS = ("#d6604d", "#f7f7f7")


def before_after_map(
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    cfg: Config,
    path: Path,
    *,
    count_column: str,
    count_label: str,
    title: str,
    subtitle: str,
) -> Path:
    """A map of a change (a scenario or new sites): children whose reach changes, then,
    for each category that changed, whether each area had it within reach before and
    after, as layers to switch between (before/after).

    ``areas`` holds ``count_column`` and ``within_reach_before__<key>`` /
    ``within_reach_after__<key>`` columns; counts are published through suppression.
    """
    shown = gpd.GeoDataFrame(
        areas[["area_name", "district_code", "district_name"]].copy(),
        geometry=areas.geometry,
        crs=areas.crs,
    )
    shown[count_column] = _suppressed_by_district(
        areas[count_column].fillna(0).round(0), areas["district_code"], cfg
    )
    layers = [MapLayer(count_column, count_label)]
    for key, cat in cfg.categories.items():
        for when in ("before", "after"):
            column = measure_column(f"within_reach_{when}", key)
            if column not in areas:
                continue
            shown[column] = np.where(areas[column].fillna(False).astype(bool), *_REACH[::-1])
            layers.append(
                MapLayer(
                    column,
                    f"{when.capitalize()}: {cat.label or key} within reach",
                    kind="categorical",
                    categories_order=_REACH,
                    colours=_REACH_COLOURS,
                )
            )
    m = board_map(
        shown,
        services,
        layers=layers,
        categories=cfg.categories,
        map_cfg=cfg.map,
        title=title,
        subtitle=subtitle,
        data_date=cfg.run.data_date or "not stated",
        disclosure=cfg.disclosure,
        **map_extras(cfg, shown),
    )
    return save_map(m, path, self_contained=cfg.map.self_contained)
