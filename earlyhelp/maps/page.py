"""The board map's page: Leaflet alone (no folium extras), folium's own controls drawn
once, the signal that it is drawn, and names kept apart."""

from __future__ import annotations

__all__ = [
    "BoardPage",
    "Bounds",
    "Cluster",
    "FullscreenButton",
    "LabelSpacing",
    "Layers",
    "Ready",
    "Tiles",
]

import folium
from folium.map import FitBounds
from folium.plugins import Fullscreen, MarkerCluster
from folium.template import Template

from earlyhelp.maps._render import VerbatimMacroElement

_LEAFLET = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
_LEAFLET_CSS = [("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")]


class BoardPage(folium.Map, VerbatimMacroElement):
    """A folium Map that links only Leaflet itself.

    folium's default page also loads jQuery, Bootstrap, Font Awesome and glyphicons (web
    fonts from CDNs) for its own markers; the board map uses none of them.
    """

    default_js = _LEAFLET
    default_css = _LEAFLET_CSS


# folium's own elements on the board map, each drawn as folium draws it and added to the
# page verbatim (see VerbatimMacroElement): the same page, no template compiled for it


class Tiles(folium.TileLayer, VerbatimMacroElement):
    """folium's TileLayer: the background map."""


class Bounds(FitBounds, VerbatimMacroElement):
    """folium's FitBounds (what ``Map.fit_bounds`` adds): the first view."""


class Cluster(MarkerCluster, VerbatimMacroElement):
    """folium's MarkerCluster: services grouped into numbered circles."""


class FullscreenButton(Fullscreen, VerbatimMacroElement):
    """folium's Fullscreen button."""


class Layers(folium.LayerControl, VerbatimMacroElement):
    """folium's LayerControl: the choices of measure and kinds of help."""


class Ready(VerbatimMacroElement):
    """Marks the page drawn: ``window.earlyhelp.ready`` and the time it took (ms)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.earlyhelp = window.earlyhelp || {};
        window.addEventListener("beforeprint", function () {
            {{ this._parent.get_name() }}.invalidateSize();
        });
        (function settle(map) {  // ready once the first view has finished zooming
            requestAnimationFrame(function () {
                if (map._animatingZoom) {  // Leaflet starts a zoom in the next frame
                    map.once("zoomend", function () { settle(map); });
                    return;
                }
                requestAnimationFrame(function () {
                    window.earlyhelp.drawnMs = performance.now();
                    window.earlyhelp.ready = true;
                });
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "Ready"


class LabelSpacing(VerbatimMacroElement):
    """No name written over another: after every zoom and every layer switched on or off,
    district names first, then towns, villages and hamlets, each name that would meet
    one already written is hidden until the map is zoomed in enough to part them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var pending = false;
            function rank(el) {
                if (el.classList.contains("eh-district-label")) { return 0; }
                for (var level = 1; level <= 3; level++) {
                    if (el.classList.contains("eh-place-l" + level)) { return level; }
                }
                return 4;
            }
            function space() {
                pending = false;
                var kept = [];
                var labels = [].slice.call(
                    document.querySelectorAll(".eh-district-label, .eh-place-label"));
                labels.sort(function (a, b) { return rank(a) - rank(b); });
                labels.forEach(function (el) {
                    el.style.visibility = "";
                    var span = el.firstChild;
                    if (!span || !span.getBoundingClientRect) { return; }
                    var r = span.getBoundingClientRect();
                    if (r.width === 0) { return; }
                    var meets = kept.some(function (k) {
                        return r.left < k.right && k.left < r.right &&
                               r.top < k.bottom && k.top < r.bottom;
                    });
                    if (meets) { el.style.visibility = "hidden"; } else { kept.push(r); }
                });
            }
            var settle = null;
            function later() {
                window.earlyhelp = window.earlyhelp || {};
                window.earlyhelp.namesSettled = false;
                if (!pending) { pending = true; requestAnimationFrame(space); }
                // once more when the page has been still a moment (a late change of size
                // or layout): then the names are settled
                clearTimeout(settle);
                settle = setTimeout(function () {
                    space();
                    window.earlyhelp.namesSettled = true;
                }, 200);
            }
            map.on("zoomend moveend resize viewreset overlayadd overlayremove layeradd", later);
            later();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "LabelSpacing"
