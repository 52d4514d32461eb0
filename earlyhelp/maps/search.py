"""Find a place: search by town, village, postcode, district, area or service, in the
page itself (no plugin, no network), and the names of towns and villages on the map.

The index holds only *search keys* (letters and digits, see
:func:`~earlyhelp.maps.safety.search_key`), never the outside text itself; results show
the escaped names the map already carries. Places come from the map's gazetteer
(:func:`earlyhelp.publish.gazetteer.gazetteer`): districts and localities, towns and
villages, postcode districts and sectors. A full postcode (``SO23 8UJ``, with or without
its space) finds its sector, the nearest place the map knows.

Choosing a place zooms to it, marks it, and opens the popup of the small area it lies in,
so a board member sees at once what the map says about where they live.
"""

from __future__ import annotations

__all__ = ["PlaceIndex", "PlaceLabels", "SearchBox"]

from collections.abc import Sequence
from typing import Any

import numpy as np
from folium.template import Template

from earlyhelp.maps._render import VerbatimLayer, VerbatimMacroElement
from earlyhelp.maps.safety import script_json


class PlaceIndex:
    """The gazetteer's places (``ll`` [lat, lon] each) with their positions read once, so
    that each district's page finds its own quickly."""

    def __init__(self, places: Sequence[dict[str, Any]], crs: Any):
        self.places = list(places)
        self.crs = crs  # of the shapes given to within()
        ll = np.array([p["ll"] for p in self.places], dtype=float).reshape(-1, 2)
        self._lat, self._lon = ll[:, 0], ll[:, 1]

    def within(self, shape: Any) -> list[dict[str, Any]]:
        """The places inside the box around ``shape`` (in the index's ``crs``), in their
        order: a district map finds the places of its district and its border, not the
        whole county's."""
        if not self.places:
            return []
        import geopandas as gpd

        return self.inside(*gpd.GeoSeries([shape], crs=self.crs).to_crs("EPSG:4326").total_bounds)

    def inside(self, west: float, south: float, east: float, north: float) -> list[dict[str, Any]]:
        """The places inside a box in degrees, in their order."""
        if not self.places:
            return []
        lat, lon = self._lat, self._lon
        inside = (south <= lat) & (lat <= north) & (west <= lon) & (lon <= east)
        return [self.places[i] for i in np.flatnonzero(inside)]


class SearchBox(VerbatimMacroElement):
    """Wires the search box of :class:`~earlyhelp.maps.panel.BoardHeader` to the map.

    ``area_keys`` follow the order of the area features; ``service_keys`` the order of
    the services' rows in :class:`~earlyhelp.maps.layers.ServiceLayer`; ``places`` are
    the gazetteer's entries (``n`` escaped name, ``k`` what it is, ``q`` search key,
    ``ll`` [lat, lon], ``b`` bounds or None, ``z`` zoom). Choosing an area zooms to it
    and opens its popup; a service ticks its category if needed, zooms until its cluster
    opens and opens its popup; a place zooms to it, marks it and opens its area's popup.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, areaKeys, serviceKeys, places) {
            var input = document.getElementById("eh-search-input");
            var list = document.getElementById("eh-search-results");
            if (!input || !list) { return; }
            var KIND_ORDER = {place: 0, area: 1, service: 2};
            function key(text) {
                return text.normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "")
                    .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
            }
            function postcodeKey(q) {  // "so238uj" -> "so23 8uj"
                var m = q.replace(/ /g, "").match(/^([a-z]{1,2}[0-9][a-z0-9]?)([0-9][a-z]{0,2})$/);
                return m ? m[1] + " " + m[2] : q;
            }
            function rank(k, q) {  // 0 the same, 1 starts with it, 2 a word does, 3 inside
                if (k === q) { return 0; }
                var at = k.indexOf(q);
                if (at < 0) { return -1; }
                if (at === 0) { return 1; }
                return k.charAt(at - 1) === " " ? 2 : 3;
            }
            function find(query) {
                var q = postcodeKey(key(query)), hits = [];
                if (!q) { return hits; }
                function scan(keys, kind) {
                    keys.forEach(function (k, i) {
                        var r = rank(k, q);
                        if (r >= 0) { hits.push({kind: kind, i: i, rank: r}); }
                    });
                }
                scan(places.map(function (p) { return p.q; }), "place");
                scan(areaKeys, "area");
                scan(serviceKeys, "service");
                if (!hits.length && /^[a-z]{1,2}[0-9]/.test(q)) {
                    // a postcode the map does not hold: its sector, else its district
                    for (var cut = q.length - 1; cut >= 2 && !hits.length; cut--) {
                        var part = q.slice(0, cut).trim();
                        places.forEach(function (p, i) {
                            if (p.q === part) {
                                hits.push({kind: "place", i: i, rank: 0, near: true});
                            }
                        });
                    }
                }
                hits.sort(function (a, b) {
                    return a.rank - b.rank || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.i - b.i;
                });
                return hits.slice(0, 12);
            }
            function describe(hit) {
                if (hit.kind === "place") {
                    var p = places[hit.i];
                    var what = hit.near ? p.k + ", the nearest to " + key(input.value).toUpperCase()
                        : p.k;
                    return p.n + " <span class=\\"eh-search-kind\\">" + what + "</span>";
                }
                if (hit.kind === "area") {
                    var a = window.earlyhelp.areas.byIndex[hit.i].feature.properties;
                    return a[{{ this.name_key_json }}]
                        + " <span class=\\"eh-search-kind\\">small area in "
                        + a[{{ this.district_key_json }}] + "</span>";
                }
                var where = window.earlyhelp.serviceWhere[hit.i];
                return window.earlyhelp.serviceNames[hit.i]
                    + " <span class=\\"eh-search-kind\\">service" + (where ? ": " + where : "")
                    + "</span>";
            }
            function inRing(x, y, ring) {
                var inside = false;
                for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                    var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
                    if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
                        inside = !inside;
                    }
                }
                return inside;
            }
            function inPolygon(x, y, rings) {
                if (!inRing(x, y, rings[0])) { return false; }
                for (var h = 1; h < rings.length; h++) {
                    if (inRing(x, y, rings[h])) { return false; }
                }
                return true;
            }
            function areaAt(ll) {
                var areas = window.earlyhelp.areas.byIndex;
                for (var i = 0; i < areas.length; i++) {
                    var g = areas[i].feature.geometry;
                    var polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
                    for (var k = 0; k < polys.length; k++) {
                        if (inPolygon(ll[1], ll[0], polys[k])) { return areas[i]; }
                    }
                }
                return null;
            }
            var found = null;
            function mark(p) {
                if (found) { map.removeLayer(found); }
                found = L.marker(p.ll, {
                    interactive: false, keyboard: false, zIndexOffset: 1000,
                    icon: L.divIcon({className: "eh-found", html: "<span></span>",
                                     iconSize: [22, 22]})
                }).bindTooltip(p.n, {permanent: true, direction: "top", offset: [0, -12],
                                     className: "eh-found-label"}).addTo(map);
            }
            function showPlace(p) {
                if (map._animatingZoom) {  // a zoom still running would undo this at its end
                    map.once("zoomend", function () { showPlace(p); });
                    return;
                }
                if (p.b) { map.fitBounds(p.b, {maxZoom: p.z, animate: false}); }
                else { map.setView(p.ll, p.z, {animate: false}); }
                mark(p);
                var area = p.z >= 13 ? areaAt(p.ll) : null;
                if (area) { area.openPopup(L.latLng(p.ll[0], p.ll[1])); }
                window.earlyhelp.foundPlace = p.n;
            }
            function show(hit) {
                list.hidden = true;
                if (hit.kind === "place") { showPlace(places[hit.i]); return; }
                if (hit.kind === "area") {
                    var layer = window.earlyhelp.areas.byIndex[hit.i];
                    map.fitBounds(layer.getBounds(), {maxZoom: 14});
                    layer.openPopup(layer.getBounds().getCenter());
                    return;
                }
                window.earlyhelp.showService(hit.i);
            }
            var current = [];
            function update() {
                current = find(input.value);
                list.innerHTML = "";
                if (!input.value.trim()) { list.hidden = true; return; }
                if (current.length === 0) {
                    list.innerHTML =
                        "<li><button type=\\"button\\" disabled>Nothing found</button></li>";
                }
                current.forEach(function (hit) {
                    var item = document.createElement("li");
                    var button = document.createElement("button");
                    button.type = "button";
                    button.innerHTML = describe(hit);
                    button.addEventListener("click", function () { show(hit); });
                    item.appendChild(button);
                    list.appendChild(item);
                });
                list.hidden = false;
            }
            input.addEventListener("input", update);
            input.addEventListener("keydown", function (e) {
                if (e.key === "Enter" && current.length) { e.preventDefault(); show(current[0]); }
                if (e.key === "Escape") { input.value = ""; update(); }
            });
            document.addEventListener("click", function (e) {
                if (!list.hidden && !e.target.closest(".eh-search")) { list.hidden = true; }
            });
            window.earlyhelp = window.earlyhelp || {};
            window.earlyhelp.find = find;
            window.earlyhelp.places = places;
        })(
            {{ this._parent.get_name() }},
            {{ this.area_keys_json }},
            {{ this.service_keys_json }},
            {{ this.places_json }}
        );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        area_keys: list[str],
        service_keys: list[str],
        places: Sequence[dict[str, Any]] = (),
        name_key: str = "area_name",
        district_key: str = "district_name",
    ):
        super().__init__()
        self._name = "SearchBox"
        self.area_keys_json = script_json(area_keys)
        self.service_keys_json = script_json(service_keys)
        self.places_json = script_json(list(places))
        self.name_key_json = script_json(name_key)
        self.district_key_json = script_json(district_key)


class PlaceLabels(VerbatimLayer):
    """Town and village names written on the map (a tick box in the layer list).

    Towns and cities are written from zoom 10, villages from 12, hamlets and suburbs from
    14 (``l`` of each place: 1, 2, 3), so names never crowd the map; they never catch the
    mouse. Names are escaped (they come from the gazetteer).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, places) {
            if (!map.getPane("ehPlaces")) {
                map.createPane("ehPlaces");
                map.getPane("ehPlaces").style.zIndex = 615;
                map.getPane("ehPlaces").style.pointerEvents = "none";
            }
            var FROM = {1: 10, 2: 12, 3: 14};
            var group = L.layerGroup();
            var labels = places.map(function (p) {
                return {level: p.l, marker: L.marker(p.ll, {
                    pane: "ehPlaces", interactive: false, keyboard: false,
                    icon: L.divIcon({className: "eh-place-label eh-place-l" + p.l,
                                     html: "<span>" + p.n + "</span>", iconSize: null})
                })};
            });
            function refresh() {
                var z = map.getZoom();
                labels.forEach(function (label) {
                    var show = z >= FROM[label.level];
                    if (show && !group.hasLayer(label.marker)) { group.addLayer(label.marker); }
                    if (!show && group.hasLayer(label.marker)) { group.removeLayer(label.marker); }
                });
            }
            map.on("zoomend", refresh);
            group.on("add", refresh);
            return group;
        })({{ this._parent.get_name() }}, {{ this.places_json }});
        {% endmacro %}
        """
    )

    def __init__(self, places: Sequence[dict[str, Any]], *, name: str = "Town and village names"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PlaceLabels"
        labelled = [p for p in places if p.get("l")]
        self.places_json = script_json(
            [{"n": p["n"], "ll": p["ll"], "l": p["l"]} for p in labelled]
        )
