"""QGIS styles for a folder's GeoPackage, so its layers open styled like the board map.

QGIS reads a GeoPackage's ``layer_styles`` table when a layer is added and applies the
row marked ``useAsDefault``; other rows are listed under Layer Properties > Style > Load
Style > From database. :func:`layer_styles` makes those rows for the layers a folder
writes: small areas by priority gap (default) and by need index, district boundaries with
their names, and services by kind of help in the category colours of the config. The
styles are QML (QGIS's own style XML); every label from outside (category labels, column
values) is XML-escaped.
"""

from __future__ import annotations

__all__ = ["PRIORITY_COLOURS", "layer_styles"]

import itertools
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.sufficiency import PRIORITY_CLASSES

# The board map's colours of the priority classes (earlyhelp.publish.maps draws them).
PRIORITY_COLOURS = ("#b2182b", "#d6604d", "#f4a582", "#bdbdbd", "#92c5de", "#f7f7f7")
_NEED_COLOURS = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
_GEOMETRY = "geom"  # the geometry column pyogrio names in a GeoPackage


def _rgba(colour: str, alpha: int = 255) -> str:
    """``#1b9e77`` -> ``27,158,119,255`` (QGIS's colour form)."""
    text = colour.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    return ",".join(str(int(text[i : i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _props(values: Mapping[str, str]) -> str:
    return "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in values.items())


def _fill(name: str, colour: str, *, outline: str = "#ffffff", width: str = "0.1") -> str:
    return (
        f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        'force_rhr="0"><layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "color": _rgba(colour),
                "style": "solid",
                "outline_color": _rgba(outline),
                "outline_style": "solid",
                "outline_width": width,
                "outline_width_unit": "MM",
            }
        )
        + "</layer></symbol>"
    )


def _marker(name: str, colour: str) -> str:
    return (
        f'<symbol type="marker" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        'force_rhr="0"><layer class="SimpleMarker" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "name": "circle",
                "color": _rgba(colour),
                "outline_color": _rgba("#ffffff"),
                "outline_width": "0.3",
                "size": "3",
                "size_unit": "MM",
            }
        )
        + "</layer></symbol>"
    )


def _qml(renderer: str, labeling: str = "") -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        '<qgis version="3.28.0" styleCategories="Symbology|Labeling">'
        f"{renderer}{labeling}</qgis>"
    )


def _categorised(column: str, values: Sequence[str], colours: Sequence[str]) -> str:
    cats = "".join(
        f'<category render="true" symbol="{i}" value={quoteattr(v)} '
        f"label={quoteattr(v[:1].upper() + v[1:])}/>"
        for i, v in enumerate(values)
    )
    symbols = "".join(_fill(str(i), c) for i, c in enumerate(colours))
    return (
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(column)} symbollevels="0" '
        f'enableorderby="0" forceraster="0"><categories>{cats}</categories>'
        f"<symbols>{symbols}</symbols></renderer-v2>"
    )


def _graduated(column: str, values: pd.Series, colours: Sequence[str], unit: str) -> str | None:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty:
        return None
    edges = np.unique(np.quantile(numbers, np.linspace(0, 1, len(colours) + 1)))
    if len(edges) < 2:
        edges = np.array([numbers.min(), numbers.max() + 1])
    ranges, symbols = [], []
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        colour = colours[min(i * len(colours) // (len(edges) - 1), len(colours) - 1)]
        label = f"{lo:,.0f} to {hi:,.0f}{unit}"
        ranges.append(
            f'<range render="true" symbol="{i}" lower="{lo:.6f}" upper="{hi:.6f}" '
            f"label={quoteattr(label)}/>"
        )
        symbols.append(_fill(str(i), colour))
    return (
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(column)} '
        'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" '
        f'forceraster="0"><ranges>{"".join(ranges)}</ranges>'
        f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
    )


def _outline_with_labels(label_column: str) -> str:
    renderer = (
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        '<symbols><symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">'
        '<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "style": "no",
                "color": _rgba("#ffffff", 0),
                "outline_color": _rgba("#1a1a1a"),
                "outline_style": "solid",
                "outline_width": "0.6",
                "outline_width_unit": "MM",
            }
        )
        + "</layer></symbol></symbols></renderer-v2>"
    )
    labeling = (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(label_column)} fontSize="10" fontWeight="75" '
        'textColor="26,26,26,255"><text-buffer bufferDraw="1" bufferSize="1" '
        'bufferColor="255,255,255,255"/></text-style><placement placement="0"/>'
        "</settings></labeling>"
    )
    return _qml(renderer, labeling)


def _services(cfg: Config) -> str:
    rules, symbols = [], []
    for i, (key, cat) in enumerate(cfg.categories.items()):
        test = f"regexp_match(\"categories\", '(^|;){key}(;|$)')"
        label = cat.label or key
        rules.append(
            f'<rule key="r{i}" symbol="{i}" filter={quoteattr(test)} label={quoteattr(label)}/>'
        )
        symbols.append(_marker(str(i), cat.colour))
    renderer = (
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
        f'<rules key="root">{"".join(rules)}</rules><symbols>{"".join(symbols)}</symbols>'
        "</renderer-v2>"
    )
    return _qml(renderer)


def _row(layer: str, name: str, qml: str, *, default: bool, description: str) -> dict:
    return {
        "f_table_catalog": "",
        "f_table_schema": "",
        "f_table_name": layer,
        "f_geometry_column": _GEOMETRY,
        "styleName": name,
        "styleQML": qml,
        "styleSLD": "",
        "useAsDefault": default,
        "description": description,
        "owner": "earlyhelp",
        "ui": "",
        "update_time": "2000-01-01T00:00:00Z",  # fixed, as the GeoPackage's own dates
    }


def layer_styles(layers: Mapping[str, pd.DataFrame], cfg: Config) -> pd.DataFrame | None:
    """The ``layer_styles`` rows for ``layers`` (as written), or None when no layer has a
    style: ``areas`` by priority (the worst of the core kinds of help, column
    ``priority``) and by need index, ``districts`` as outlines with names, ``services`` by
    kind of help (a service with several shows once per kind)."""
    rows = []
    areas = layers.get("areas")
    credit = "; ".join(cfg.attribution_lines())
    if areas is not None and "priority" in areas:
        qml = _qml(_categorised("priority", PRIORITY_CLASSES, PRIORITY_COLOURS))
        rows.append(_row("areas", "Priority gaps", qml, default=True, description=escape(credit)))
    if areas is not None and "need_index" in areas:
        renderer = _graduated("need_index", areas["need_index"], _NEED_COLOURS, "")
        if renderer is not None:
            rows.append(
                _row(
                    "areas",
                    "Need index (0-100)",
                    _qml(renderer),
                    default="priority" not in areas,
                    description=escape(credit),
                )
            )
    if "districts" in layers and "district_name" in layers["districts"]:
        qml = _outline_with_labels("district_name")
        rows.append(_row("districts", "District boundaries", qml, default=True, description=""))
    services = layers.get("services")
    if services is not None and "categories" in services and cfg.categories:
        rows.append(_row("services", "Kinds of help", _services(cfg), default=True, description=""))
    return pd.DataFrame(rows) if rows else None
