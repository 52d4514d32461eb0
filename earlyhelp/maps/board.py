"""The board map: one HTML file a board member understands without help.

:func:`board_map` draws the small areas coloured by a choice of measures (one legend
each), district boundaries, children's centres' reach areas and services clustered by
category, under a title panel with the data date, the suppression rule and a search box.
:func:`save_map` writes it atomically, self-contained if asked;
:func:`earlyhelp.maps.atlas.district_pages` writes one map per district, coloured by the
county's classes so maps compare.

Example
-------
>>> m = board_map(areas, services, layers=[MapLayer("need_index", "Need index")],
...               categories=cfg.categories, map_cfg=cfg.map, title="Early help",
...               subtitle="Wyvernshire", data_date="2026")        # doctest: +SKIP
>>> save_map(m, "maps/demo/index.html", self_contained=True)          # doctest: +SKIP
"""

from __future__ import annotations

__all__ = ["board_map", "save_map"]

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Figure

from earlyhelp.config import CategoryConfig, DisclosureConfig, MapConfig
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.maps.assets import inline_assets
from earlyhelp.maps.classes import (
    CLASSIFIERS,
    NO_DATA,
    SUPPRESSED,
    Classes,
    MapLayer,
    classify,
)
from earlyhelp.maps.controls import ScreenControls
from earlyhelp.maps.layers import (
    CLUSTER_ICON_FUNCTION,
    AreaLayer,
    ChoroplethChoice,
    DistrictLayer,
    ReachLayer,
    ServiceFilter,
    ServiceLayer,
)
from earlyhelp.maps.legend import Legend, legend_html
from earlyhelp.maps.page import (
    BoardPage,
    Bounds,
    Cluster,
    FullscreenButton,
    LabelSpacing,
    Layers,
    Ready,
    Tiles,
)
from earlyhelp.maps.panel import BoardHeader
from earlyhelp.maps.safety import (
    check_colour,
    escape_text,
    escape_texts,
    search_key,
)
from earlyhelp.maps.search import PlaceLabels, SearchBox
from earlyhelp.maps.services import (
    ServiceRows,
    as_list,
    service_badges,
    service_groups,
    service_rows,
    status_of,
)
from earlyhelp.maps.shapes import (
    check_projected,
    geometry_jsons,
    simplify_coverage,
    to_display,
    union,
    union_by,
)
from earlyhelp.outputs import atomic_path

_AREA_FIELDS = {"area_name": "Area", "district_name": "District", "area_code": "Area code"}
_RESERVED = {"_class", *_AREA_FIELDS}


@dataclass(frozen=True)
class Parts:
    """What a page is drawn from: display shapes, one feature per area (properties as
    shown) and the service rows with their category groups."""

    shapes: _Shapes
    features: list[dict]
    groups: list[tuple[str, CategoryConfig]]
    rows: ServiceRows


@dataclass(frozen=True)
class _Shapes:
    """Display shapes (EPSG:4326, rounded) of areas, districts and reach areas."""

    areas: gpd.GeoSeries
    districts: gpd.GeoSeries
    district_names: pd.Series
    labels: gpd.GeoSeries
    reach: gpd.GeoSeries  # indexed by service_id


# --------------------------------------------------------------------------- public API


def board_map(
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    layers: Sequence[MapLayer],
    categories: Mapping[str, CategoryConfig],
    map_cfg: MapConfig,
    title: str,
    subtitle: str,
    data_date: str,
    districts: gpd.GeoDataFrame | None = None,
    details: Mapping[str, str] | None = None,
    disclosure: DisclosureConfig | None = None,
    places: Sequence[dict[str, Any]] = (),
    attribution: str = "",
) -> folium.Map:
    """The board map of ``areas`` and ``services``.

    Parameters
    ----------
    areas
        Small areas (index ``area_code``; ``area_name``, ``district_code``,
        ``district_name``, and every column named in ``layers`` and ``details``) in a
        projected CRS (metres), already through disclosure control: a non-numeric cell
        shows as "suppressed (small number)", a missing one as "no data".
    services
        Services (index ``service_id``; ``name``, ``categories`` and optionally
        ``provider``, ``sector``, ``min_age``, ``max_age``, ``delivery``, ``status``,
        ``reach_areas``, ``opening_times``, ``contact``) as points. Closed services and
        services without a place are left off (the title panel says how many).
    layers
        The measures the areas can be coloured by, first shown first.
    categories
        The taxonomy: label, colour (hex) of each category key.
    map_cfg
        Classification method and number of classes, tiles (``""`` for none) and the
        simplification tolerance in metres.
    title, subtitle, data_date
        Shown in the title panel; ``data_date`` says when the data are from.
    districts
        Official district boundaries (index ``district_code``, ``district_name``); by
        default the union of each district's areas.
    details
        Further text columns of ``areas`` shown in area popups: column -> label (for
        example ``{"nearest_help": "Nearest help", "missing": "What is missing"}``).
    disclosure
        The suppression rule, for the words of the title panel (default 1 to 5).
    places, attribution
        The gazetteer to search (:func:`earlyhelp.publish.gazetteer.gazetteer`); what the
        map credits and its licence, as escaped HTML.

    Returns
    -------
    folium.Map
        Save it with :func:`save_map`.
    """
    disclosure = disclosure or DisclosureConfig()
    _check_config(map_cfg)
    _check_areas(areas, layers, details or {})
    classes = _classes(areas, layers, map_cfg, disclosure)
    return _build(
        areas,
        services,
        layers=list(layers),
        classes=classes,
        categories=categories,
        map_cfg=map_cfg,
        title=title,
        subtitle=subtitle,
        data_date=data_date,
        districts=districts,
        details=dict(details or {}),
        disclosure=disclosure,
        places=list(places),
        attribution=attribution,
    )


def save_map(m: folium.Map, path: str | Path, *, self_contained: bool) -> Path:
    """Write ``m`` to ``path`` (through a temporary file renamed into place).

    With ``self_contained`` every script and stylesheet is put inside the file (see
    :mod:`earlyhelp.maps.assets`), so the map works with no network at all.
    """
    html = m.get_root().render().replace("<html>", '<html lang="en-GB">', 1)
    if self_contained:
        html = inline_assets(html)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- checks


def _check_config(map_cfg: MapConfig) -> None:
    if map_cfg.classification not in CLASSIFIERS:
        raise ConfigError(
            f"[map] classification is '{map_cfg.classification}'; choose one of: "
            f"{', '.join(CLASSIFIERS)}"
        )
    if map_cfg.classes < 1:
        raise ConfigError(f"[map] classes is {map_cfg.classes}; use a whole number from 2 to 9")
    if map_cfg.simplify_m < 0:
        raise ConfigError(f"[map] simplify_m is {map_cfg.simplify_m}; use 0 or more metres")


def _check_areas(
    areas: gpd.GeoDataFrame, layers: Sequence[MapLayer], details: Mapping[str, str]
) -> None:
    if not isinstance(areas, gpd.GeoDataFrame):
        raise InputError("board map: areas must be a GeoDataFrame of small areas")
    check_projected(areas, what="board map areas")
    if len(areas) == 0:
        raise InputError("board map: there are no areas to draw")
    if not layers:
        raise ConfigError("board map: give at least one MapLayer to colour the areas by")
    needed = ["area_name", "district_code", "district_name"]
    needed += [layer.column for layer in layers] + list(details)
    missing = [c for c in needed if c not in areas.columns]
    if missing:
        raise InputError(
            f"board map: areas have no column(s) {missing}; the map needs "
            f"area_name, district_code, district_name and each layer's column"
        )
    columns = [layer.column for layer in layers] + list(details)
    clash = sorted({c for c in columns if columns.count(c) > 1} | (set(columns) & _RESERVED))
    if clash:
        raise ConfigError(
            f"board map: column(s) {clash} are shown twice or clash with the area's own "
            "fields; show each column once, as a layer or as a detail"
        )
    labels = [layer.label for layer in layers]
    twice = sorted({lb for lb in labels if labels.count(lb) > 1})
    if twice:
        raise ConfigError(f"board map: layer label(s) {twice} are used twice; give each its own")
    if areas.index.has_duplicates:
        raise InputError("board map: area codes (the index of areas) must be unique")


# --------------------------------------------------------------------------- building


def _classes(
    areas: gpd.GeoDataFrame,
    layers: Sequence[MapLayer],
    map_cfg: MapConfig,
    disclosure: DisclosureConfig,
) -> dict[str, Classes]:
    """Each layer's colour classes over ``areas``."""
    return {
        layer.column: classify(
            areas[layer.column],
            layer,
            method=map_cfg.classification,
            k=map_cfg.classes,
            symbol=disclosure.symbol,
        )
        for layer in layers
    }


def _subset(classes: Classes, where: np.ndarray, text: np.ndarray | None = None) -> Classes:
    """The county's classes restricted to some areas, ``where`` a mask or their positions
    (legend counts recounted); ``text`` is ``classes.text`` as an array, for a caller
    that takes many subsets."""
    codes = classes.codes[where]
    if text is None:
        text = np.array(classes.text, dtype=object)
    shift = -NO_DATA  # every code counted at once, the lowest (NO_DATA) first
    tally = np.bincount(codes + shift, minlength=len(classes.colours) + shift).tolist()
    return replace(
        classes,
        codes=codes,
        text=list(text[where]),
        counts=tuple(tally[shift : shift + len(classes.colours)]),
        suppressed=tally[SUPPRESSED + shift],
        no_data=tally[NO_DATA + shift],
    )


def _shapes(
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    districts: gpd.GeoDataFrame | None,
    simplify_m: float,
) -> _Shapes:
    simple = simplify_coverage(areas.geometry, tolerance_m=simplify_m)
    if districts is not None and len(districts):
        check_projected(districts, what="board map districts")
        d = districts.to_crs(areas.crs)
        d_shapes = simplify_coverage(d.geometry, tolerance_m=simplify_m)
        names = d["district_name"] if "district_name" in d.columns else pd.Series(d.index, d.index)
    else:
        d_shapes = union_by(simple, areas["district_code"])
        names = areas.groupby(areas["district_code"].to_numpy(), sort=False)[
            "district_name"
        ].first()
    labels = to_display(d_shapes.representative_point())
    reach = _reach_shapes(simple, services)
    return _Shapes(
        areas=to_display(simple),
        districts=to_display(d_shapes),
        district_names=names.reindex(d_shapes.index),
        labels=labels,
        reach=to_display(reach) if len(reach) else reach,
    )


def _reach_shapes(simple: gpd.GeoSeries, services: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Union of each (not closed) service's reach areas, where it has any."""
    empty = gpd.GeoSeries([], crs=simple.crs)
    if "reach_areas" not in services.columns or len(services) == 0:
        return empty
    status = status_of(services)
    shapes = {}
    for sid, codes, state in zip(services.index, services["reach_areas"], status, strict=True):
        codes = [c for c in as_list(codes) if c in simple.index]
        if not codes or state == "closed":
            continue
        shapes[sid] = union(np.asarray(simple.loc[codes].values))
    if not shapes:
        return empty
    return gpd.GeoSeries(list(shapes.values()), index=list(shapes.keys()), crs=simple.crs)


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _area_features(
    areas: gpd.GeoDataFrame,
    shapes: gpd.GeoSeries,
    layers: Sequence[MapLayer],
    classes: Mapping[str, Classes],
    details: Mapping[str, str],
    *,
    texts: Mapping[str, np.ndarray] | None = None,
) -> list[dict]:
    """One feature per area whose properties are exactly what the map shows; ``texts``
    are the areas' :func:`_area_texts`, when already made."""
    text: Mapping[str, Any] = _area_texts(areas, details) if texts is None else texts
    names, district, codes = text["area_name"], text["district_name"], text["area_code"]
    class_codes = np.column_stack([classes[layer.column].codes for layer in layers]).tolist()
    features = []
    for i, geometry in enumerate(geometry_jsons(shapes)):
        props: dict[str, Any] = {
            "area_name": names[i],
            "district_name": district[i],
            "area_code": codes[i],
        }
        for layer in layers:
            props[layer.column] = classes[layer.column].text[i]
        for col in details:
            props[col] = text[col][i] or "no data"
        props["_class"] = class_codes[i]
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return features


def _area_texts(areas: gpd.GeoDataFrame, details: Mapping[str, str]) -> dict[str, np.ndarray]:
    """The escaped texts of the areas' features, by column: name (the code where it has
    none), code, district name and each of ``details``."""
    codes = escape_texts(areas.index)
    names = [n or c for n, c in zip(escape_texts(areas["area_name"], max_chars=120), codes,
                                    strict=True)]  # fmt: skip
    texts = {
        "area_name": names,
        "area_code": codes,
        "district_name": escape_texts(areas["district_name"], max_chars=120),
        **{col: escape_texts(areas[col], max_chars=400) for col in details},
    }
    return {col: _objects(values) for col, values in texts.items()}


def _objects(values: list[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _facts(data_date: str, disclosure: DisclosureConfig, *, closed: int, unplaced: int) -> str:
    """The title panel's facts: data date, suppression rule, services not drawn."""
    date = escape_text(data_date) or "not given"
    lo, hi = int(disclosure.min_count), int(disclosure.max_count)
    text = (
        f"Data as at {date}. Counts from {lo} to {hi} are not shown, to protect families: "
        "those areas say &quot;suppressed (small number)&quot;."
    )
    off = []
    if unplaced:
        off.append(_plural(unplaced, "online, phone or unplaced service"))
    if closed:
        off.append(_plural(closed, "closed service"))
    if off:
        text += " Not on the map: " + " and ".join(off) + "."
    return text


_HELP = [
    "Areas are coloured by the measure chosen under <strong>Colour areas by</strong> (top "
    "right). The legend (bottom left) says what the colours mean; darker colours mean "
    "more concern.",
    "Point at (or tap) an area to see its value; click or tap it for everything this map "
    "shows about it.",
    "Badges are services, by the kind of help they give. Tick or untick kinds of help under "
    "<strong>Show on the map</strong>. A circle with a number is a group of services: "
    "click it or zoom in.",
    "Thick lines are district boundaries; dashed lines are the areas each children's "
    "centre is responsible for.",
    "This map is for learning and comparison, not a verdict on any area or service: "
    "small differences can be chance.",
]


def _new_map(bounds: np.ndarray, tiles: str) -> folium.Map:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    m = BoardPage(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        maxZoom=18,  # a map without tiles has none, and clustering needs one
        minZoom=5,
    )
    if tiles:
        try:
            Tiles(tiles, name="Background map", overlay=False, control=False).add_to(m)
        except ValueError as exc:
            raise ConfigError(
                f"[map] tiles = {tiles!r}: {exc}; use a provider name such as "
                '"OpenStreetMap", or "" for no background map'
            ) from None
    m.add_child(Bounds([[miny, minx], [maxy, maxx]]))  # as m.fit_bounds
    return m


def _build(
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    layers: list[MapLayer],
    classes: Mapping[str, Classes],
    categories: Mapping[str, CategoryConfig],
    map_cfg: MapConfig,
    title: str,
    subtitle: str,
    data_date: str,
    districts: gpd.GeoDataFrame | None,
    details: dict[str, str],
    disclosure: DisclosureConfig,
    parts: Parts | None = None,
    places: list[dict[str, Any]] | None = None,
    attribution: str = "",
) -> folium.Map:
    """Assemble the map (each script uses those before it); ``parts``: already made."""
    if services.crs is not None and areas.crs is not None and services.crs != areas.crs:
        services = services.to_crs(areas.crs)
    if parts is None:
        shapes = _shapes(areas, services, districts=districts, simplify_m=map_cfg.simplify_m)
        groups_ = service_groups(services, categories)
        rows = service_rows(services, groups=groups_, areas=areas["area_name"])
        features = _area_features(areas, shapes.areas, layers, classes, details)
        parts = Parts(shapes, features, groups_, rows)
    shapes = parts.shapes
    m = _new_map(shapes.areas.total_bounds, map_cfg.tiles)
    root = m.get_root()
    if isinstance(root, Figure):  # a map's root is always its page
        root.title = escape_text(title, max_chars=200)
    choices = _add_areas(m, parts.features, layers=layers, classes=classes, details=details)
    drawn, groups = _add_services(m, parts.rows, parts.groups)
    lines = _add_outlines(m, shapes)
    for layer, choice in zip(layers, choices, strict=True):
        m.add_child(Legend(choice, legend_html(layer, classes[layer.column], lines=lines)))
    area_keys = [
        search_key(f"{name} {code}")
        for name, code in zip(
            areas["area_name"].astype("string").fillna(""), areas.index, strict=True
        )
    ]
    places = places or []
    if any(p.get("l") for p in places):
        m.add_child(PlaceLabels(places))
    m.add_child(SearchBox(area_keys=area_keys, service_keys=drawn.search_keys, places=places))
    m.add_child(
        BoardHeader(
            title=escape_text(title, max_chars=200),
            subtitle=escape_text(subtitle, max_chars=300),
            facts=_facts(data_date, disclosure, closed=drawn.closed, unplaced=drawn.unplaced),
            help_items=_HELP,
            service_key=" ".join(
                f'<span class="eh-pin" style="background:{cfg.colour}">{badge}</span> {label}'
                for (_, cfg), badge, label in groups
            ),
        )
    )
    m.add_child(
        FullscreenButton(position="topleft", title="Full screen", title_cancel="Leave full screen")
    )
    m.add_child(Layers(position="topright", collapsed=False))
    m.add_child(ScreenControls(attribution_html=attribution))
    m.add_child(LabelSpacing())
    m.add_child(Ready())
    return m


def _add_areas(
    m: folium.Map,
    features: list[dict],
    *,
    layers: Sequence[MapLayer],
    classes: Mapping[str, Classes],
    details: Mapping[str, str],
) -> list[ChoroplethChoice]:
    """One choice (radio button) per layer, and the areas they colour; returns the choices."""
    choices = [
        ChoroplethChoice(escape_text(layer.label), column=layer.column, show=(i == 0))
        for i, layer in enumerate(layers)
    ]
    for choice in choices:
        m.add_child(choice)
    spec = {
        "name": "area_name",
        "district": "district_name",
        "layers": [
            {
                "column": layer.column,
                "label": escape_text(layer.label),
                "colours": list(classes[layer.column].colours),
            }
            for layer in layers
        ],
        "popup": [[key, _AREA_FIELDS[key]] for key in ("district_name", "area_code")]
        + [[layer.column, escape_text(layer.label)] for layer in layers]
        + [[col, escape_text(label)] for col, label in details.items()],
    }
    m.add_child(AreaLayer(_collection(features), choices=choices, spec=spec))
    return choices


def _add_services(
    m: folium.Map, drawn: ServiceRows, groups: list[tuple[str, CategoryConfig]]
) -> tuple[ServiceRows, list[tuple[tuple[str, CategoryConfig], str, str]]]:
    """One cluster of the services ``drawn`` and a filter (tick box) per category group.

    Returns the drawn rows and, per category group, ((key, config), badge, label) with
    badge and label escaped.
    """
    badges = [escape_text(b) for b in service_badges([c.label or k for k, c in groups])]
    labels = [escape_text(cfg.label or key) for key, cfg in groups]
    cluster = Cluster(
        name="Services",
        control=False,
        icon_create_function=CLUSTER_ICON_FUNCTION,
        options={
            "showCoverageOnHover": False,
            "maxClusterRadius": 50,
            "spiderfyOnMaxZoom": True,
            "disableClusteringAtZoom": 15,
            "animate": False,  # plainer, and clusters open at once when a service is found
        },
    )
    m.add_child(cluster)
    filters = []
    counts = Counter(k for kinds in drawn.kinds for k in kinds)
    for k, ((key, cfg), badge, label) in enumerate(zip(groups, badges, labels, strict=True)):
        colour = check_colour(cfg.colour, where=f"[categories.{key}] colour")
        count = counts[k]
        name = (
            f'<span class="eh-pin" style="background:{colour}">{badge}</span> '
            f'{label} <span class="eh-count">({count:,})</span>'
        )
        filters.append(ServiceFilter(name, key=key))
        m.add_child(filters[-1])
    spec = [{"badge": b, "colour": cfg.colour} for b, (_, cfg) in zip(badges, groups, strict=True)]
    m.add_child(ServiceLayer(encoded=drawn.encoded, cluster=cluster, filters=filters, groups=spec))
    return drawn, list(zip(groups, badges, labels, strict=True))


def _add_outlines(m: folium.Map, shapes: _Shapes) -> tuple[tuple[str, str], ...]:
    """District boundaries with names, and reach areas; returns their legend lines."""
    lines = [("eh-line-district", "District boundary")]
    districts = [
        {"type": "Feature", "properties": {}, "geometry": g}
        for g in geometry_jsons(shapes.districts)
    ]
    labels = [
        {"at": [float(p.y), float(p.x)], "name": escape_text(n, max_chars=80)}
        for p, n in zip(shapes.labels.to_numpy(), shapes.district_names, strict=True)
        if p is not None and not p.is_empty
    ]
    m.add_child(DistrictLayer(_collection(districts), labels))
    if len(shapes.reach):
        reach = [
            {"type": "Feature", "properties": {}, "geometry": g}
            for g in geometry_jsons(shapes.reach)
        ]
        name = escape_text("Children's centre reach areas")
        m.add_child(ReachLayer(_collection(reach), name=name))
        lines.append(("eh-line-reach", escape_text("Children's centre reach area")))
    return tuple(lines)
