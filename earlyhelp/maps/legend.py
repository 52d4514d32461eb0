"""Legends: one per choropleth choice, shown only while its choice is on the map.

A :class:`Legend` is a small Leaflet control that listens to the map's
``baselayerchange`` event and hides itself unless its own choice is the chosen one, so
the reader only ever sees the legend of the colours in front of them. Its heading is a
button that folds the legend to one line and opens it again
(:mod:`earlyhelp.maps.controls`); on a phone it starts folded.
"""

from __future__ import annotations

__all__ = ["Legend", "legend_html"]

from folium.template import Template

from earlyhelp.maps._render import VerbatimMacroElement
from earlyhelp.maps.classes import NO_DATA_TEXT, SUPPRESSED_TEXT, Classes, MapLayer
from earlyhelp.maps.layers import NO_DATA_FILL, SUPPRESSED_FILL, ChoroplethChoice
from earlyhelp.maps.safety import check_colour, escape_text, script_json


def _areas(n: int) -> str:
    return f"{n:,} area" if n == 1 else f"{n:,} areas"


def _direction(layer: MapLayer) -> str:
    if layer.kind == "categorical":
        return ""
    if layer.higher_is_worse:
        return "Darker colours: higher values."
    return "Darker colours: lower values, which means more concern."


def legend_html(
    layer: MapLayer, classes: Classes, *, lines: tuple[tuple[str, str], ...] = ()
) -> str:
    """The legend's HTML: title, note, one row per class, suppressed and no-data rows.

    ``lines`` adds rows for outlines, as (CSS class of the line sample, escaped label).
    Counts say how many areas are in each class.
    """
    note = " ".join(s for s in (escape_text(layer.note), _direction(layer)) if s)
    rows = []
    for colour, label, count in zip(classes.colours, classes.labels, classes.counts, strict=True):
        check_colour(colour, where=f"legend of '{layer.column}'")
        rows.append(
            f'<li><span class="eh-swatch" style="background:{colour}"></span>'
            f'{label} <span class="eh-count">({_areas(count)})</span></li>'
        )
    if classes.suppressed:
        rows.append(
            f'<li><span class="eh-swatch" style="background:{SUPPRESSED_FILL}"></span>'
            f'{SUPPRESSED_TEXT} <span class="eh-count">({_areas(classes.suppressed)})</span></li>'
        )
    if classes.no_data:
        rows.append(
            f'<li><span class="eh-swatch eh-nodata" style="background:{NO_DATA_FILL}"></span>'
            f'{NO_DATA_TEXT} <span class="eh-count">({_areas(classes.no_data)})</span></li>'
        )
    if not rows:
        rows.append("<li>No area has a value to show.</li>")
    for css, label in lines:
        rows.append(f'<li><span class="eh-line {css}"></span>{label}</li>')
    note_html = f'<p class="eh-legend-note">{note}</p>' if note else ""
    return (
        '<div class="eh-legend-head"><h2 class="eh-legend-title">'
        f"{escape_text(layer.title)}</h2>"
        '<button type="button" class="eh-toggle eh-legend-toggle" aria-expanded="true"'
        ' title="Fold or open the legend"><span class="eh-chevron" aria-hidden="true">'
        '</span><span class="eh-hidden-text">Legend</span></button></div>'
        f'<div class="eh-legend-body">{note_html}'
        f'<ul class="eh-legend-rows">{"".join(rows)}</ul></div>'
    )


class Legend(VerbatimMacroElement):
    """The legend of one :class:`~earlyhelp.maps.layers.ChoroplethChoice`.

    Shown (bottom left) exactly while that choice is the map's chosen base layer.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, choice, html) {
            var control = L.control({position: "bottomleft"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "eh-legend");
                div.innerHTML = html;
                div.setAttribute("data-column", {{ this.column_json }});
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo(map);
            function sync() {
                control.getContainer().style.display = map.hasLayer(choice) ? "" : "none";
            }
            map.on("baselayerchange", sync);
            sync();
            return control;
        })({{ this._parent.get_name() }}, {{ this.choice.get_name() }}, {{ this.html_json }});
        {% endmacro %}
        """
    )

    def __init__(self, choice: ChoroplethChoice, html: str):
        super().__init__()
        self._name = "Legend"
        self.choice = choice
        self.html_json = script_json(html)
        self.column_json = script_json(escape_text(choice.column))
