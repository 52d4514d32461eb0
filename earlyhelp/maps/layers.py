"""Leaflet layers of the board map: areas coloured by a chosen measure, district and
reach-area outlines, and services as category badges, clustered, filtered by category.

All areas are drawn once, from one GeoJSON holding every displayed property; each
choropleth is a *choice* (a base layer in the layer control, radio buttons) and choosing
one restyles the same shapes, so the geometry is embedded once however many measures the
map offers. Every string these elements carry has been through
:func:`~earlyhelp.maps.safety.escape_text` before it gets here.
"""

from __future__ import annotations

__all__ = [
    "CLUSTER_ICON_FUNCTION",
    "AreaLayer",
    "ChoroplethChoice",
    "DistrictLayer",
    "ReachLayer",
    "ServiceFilter",
    "ServiceLayer",
]

from collections.abc import Sequence

from folium.template import Template

from earlyhelp.maps._render import VerbatimLayer, VerbatimMacroElement
from earlyhelp.maps.safety import check_colour, script_json
from earlyhelp.maps.services import POPUP_FIELDS

SUPPRESSED_FILL = "#8c8c8c"  # mid grey: a number exists but is too small to show
NO_DATA_FILL = "#ffffff"  # white, faint: nothing to show


class ChoroplethChoice(VerbatimLayer):
    """One measure the areas can be coloured by: a radio button in the layer control.

    An empty layer group; :class:`AreaLayer` restyles the areas when it is chosen and
    :class:`~earlyhelp.maps.legend.Legend` shows its legend.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {% endmacro %}
        """
    )

    def __init__(self, label_html: str, *, column: str, show: bool = False):
        super().__init__(name=label_html, overlay=False, control=True, show=show)
        self._name = "ChoroplethChoice"
        self.column = column


class AreaLayer(VerbatimMacroElement):
    """The small areas, coloured by whichever :class:`ChoroplethChoice` is chosen.

    Parameters
    ----------
    collection
        GeoJSON FeatureCollection; each feature's properties are the displayed text
        fields plus ``_class``, the colour class of the area in each choice (0 up,
        -1 suppressed, -2 no data).
    choices
        The choices, in the order of ``_class``.
    spec
        ``layers`` (column, label, colours per choice), ``popup`` ([key, label] rows),
        and the ``name`` and ``district`` property keys.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, choices, spec, data) {
            var current = 0;
            choices.forEach(function (choice, i) { if (map.hasLayer(choice)) { current = i; } });
            function style(feature) {
                var code = feature.properties._class[current];
                var base = {color: "#ffffff", weight: 0.7, opacity: 0.9, fillOpacity: 0.8};
                if (code >= 0) {
                    base.fillColor = spec.layers[current].colours[code];
                } else if (code === -1) {
                    base.fillColor = {{ this.suppressed_fill|tojson }};
                } else {
                    base.fillColor = {{ this.no_data_fill|tojson }};
                    base.fillOpacity = 0.45;
                    base.color = "#9e9e9e";
                    base.dashArray = "2 3";
                }
                return base;
            }
            function tooltip(layer) {
                var p = layer.feature.properties, shown = spec.layers[current];
                return "<strong>" + p[spec.name] + "</strong> (" + p[spec.district] + ")<br>"
                    + shown.label + ": <strong>" + p[shown.column] + "</strong>";
            }
            function popup(layer) {
                // the measure on show first, then everything the map shows about the area
                var p = layer.feature.properties, rows = "", shown = spec.layers[current];
                spec.popup.forEach(function (field) {
                    var mark = field[0] === shown.column ? " class=\\"eh-current\\"" : "";
                    rows += "<tr" + mark + "><th scope=\\"row\\">" + field[1] + "</th><td>"
                        + p[field[0]] + "</td></tr>";
                });
                return "<div class=\\"eh-area\\"><h3>" + p[spec.name] + "</h3>"
                    + "<p class=\\"eh-now\\">" + shown.label + ": <strong>" + p[shown.column]
                    + "</strong></p><table>" + rows + "</table></div>";
            }
            var byIndex = [];
            var geo = L.geoJSON(data, {
                style: style,
                onEachFeature: function (feature, layer) {
                    byIndex.push(layer);
                    layer.bindTooltip(tooltip, {sticky: true, className: "eh-tooltip"});
                    layer.bindPopup(popup, {className: "eh-popup", maxWidth: 360, maxHeight: 300});
                    layer.on("mouseover", function () {
                        layer.setStyle({weight: 3, color: "#1a1a1a", opacity: 1});
                    });
                    layer.on("mouseout", function () { geo.resetStyle(layer); });
                }
            }).addTo(map);
            map.on("baselayerchange", function (e) {
                var i = choices.indexOf(e.layer);
                if (i >= 0) { current = i; geo.setStyle(style); }
            });
            geo.currentChoice = function () { return current; };
            geo.byIndex = byIndex;
            window.earlyhelp = window.earlyhelp || {};
            window.earlyhelp.map = map;
            window.earlyhelp.areas = geo;
            return geo;
        })(
            {{ this._parent.get_name() }},
            [{{ this.choice_names|join(", ") }}],
            {{ this.spec_json }},
            {{ this.data_json }}
        );
        {% endmacro %}
        """
    )

    suppressed_fill = SUPPRESSED_FILL
    no_data_fill = NO_DATA_FILL

    def __init__(self, collection: dict, *, choices: Sequence[ChoroplethChoice], spec: dict):
        super().__init__()
        self._name = "AreaLayer"
        self.choices = list(choices)
        self.data_json = script_json(collection)
        self.spec_json = script_json(spec)

    @property
    def choice_names(self) -> list[str]:
        return [c.get_name() for c in self.choices]


class DistrictLayer(VerbatimLayer):
    """District boundaries (drawn above the areas, never catching the mouse) and names."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, data, labels) {
            if (!map.getPane("ehDistricts")) {
                map.createPane("ehDistricts");
                map.getPane("ehDistricts").style.zIndex = 450;
                map.getPane("ehDistricts").style.pointerEvents = "none";
            }
            var group = L.featureGroup();
            L.geoJSON(data, {
                pane: "ehDistricts",
                interactive: false,
                style: {color: "#1a1a1a", weight: 2.2, opacity: 0.9, fill: false}
            }).addTo(group);
            if (!map.getPane("ehLabels")) {
                map.createPane("ehLabels");
                map.getPane("ehLabels").style.zIndex = 620;
                map.getPane("ehLabels").style.pointerEvents = "none";
            }
            labels.forEach(function (label) {
                L.marker(label.at, {
                    pane: "ehLabels",
                    interactive: false,
                    keyboard: false,
                    icon: L.divIcon({
                        className: "eh-district-label",
                        html: "<span>" + label.name + "</span>",
                        iconSize: null
                    })
                }).addTo(group);
            });
            return group;
        })({{ this._parent.get_name() }}, {{ this.data_json }}, {{ this.labels_json }});
        {% endmacro %}
        """
    )

    def __init__(self, collection: dict, labels: list[dict], *, name: str = "District boundaries"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "DistrictLayer"
        self.data_json = script_json(collection)
        self.labels_json = script_json(labels)


class ReachLayer(VerbatimLayer):
    """Outlines of the areas each children's centre is responsible for (dashed)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (map, data) {
            if (!map.getPane("ehReach")) {
                map.createPane("ehReach");
                map.getPane("ehReach").style.zIndex = 440;
                map.getPane("ehReach").style.pointerEvents = "none";
            }
            return L.geoJSON(data, {
                pane: "ehReach",
                interactive: false,
                style: {color: {{ this.colour|tojson }}, weight: 2, opacity: 0.95,
                        dashArray: "6 4", fill: false}
            });
        })({{ this._parent.get_name() }}, {{ this.data_json }});
        {% endmacro %}
        """
    )

    def __init__(self, collection: dict, *, name: str, colour: str = "#3d3d3d"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ReachLayer"
        self.colour = check_colour(colour, where="reach area outline")
        self.data_json = script_json(collection)


# JavaScript for the services' MarkerCluster: a ring showing the categories inside.
CLUSTER_ICON_FUNCTION = "function (cluster) { return earlyhelpClusterIcon(cluster); }"


class ServiceFilter(VerbatimLayer):
    """A tick box in the layer control that shows or hides one category of services."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {% endmacro %}
        """
    )

    def __init__(self, label_html: str, *, key: str, show: bool = True):
        super().__init__(name=label_html, overlay=True, control=True, show=show)
        self._name = "ServiceFilter"
        self.key = key


class ServiceLayer(VerbatimMacroElement):
    """Services as category badges in one MarkerCluster, filtered by category.

    A service shows while any of its categories is ticked (one marker per service, with
    the badge of its first ticked category and a "+" if it offers more). Clusters are
    drawn as a ring whose colours are the categories inside, around the number of
    services. ``rows``: ``ll`` [lat, lon], ``k`` category group indexes (the service's
    own order), ``n`` name, ``by`` provider and ``d`` popup rows (all escaped: see
    :func:`~earlyhelp.maps.services.service_popup`; the popup is written here from them),
    ``pl`` planned (0/1).
    ``groups``: ``badge`` and ``colour`` of each category, in the order of ``filters``;
    ``encoded``: instead of ``rows``, each row as
    :func:`~earlyhelp.maps.safety.script_json` gives it
    (:class:`~earlyhelp.maps.services.ServiceRows`).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        function earlyhelpClusterIcon(cluster) {
            var colours = window.earlyhelp.groupColours, counts = {}, stops = [], at = 0;
            var markers = cluster.getAllChildMarkers(), n = markers.length;
            markers.forEach(function (m) {
                var k = m.options.ehGroup;
                counts[k] = (counts[k] || 0) + 1;
            });
            Object.keys(counts).sort(function (a, b) { return a - b; }).forEach(function (k) {
                var to = at + 100 * counts[k] / n;
                stops.push(colours[k] + " " + at.toFixed(1) + "% " + to.toFixed(1) + "%");
                at = to;
            });
            var size = n < 10 ? 32 : n < 100 ? 38 : 44;
            return L.divIcon({
                html: "<div class=\\"eh-ring\\" style=\\"background:conic-gradient("
                    + stops.join(",") + ")\\"><span>" + n + "</span></div>",
                className: "eh-cluster",
                iconSize: [size, size]
            });
        }
        var {{ this.get_name() }} = (function (map, cluster, filters, groups, data) {
            window.earlyhelp = window.earlyhelp || {};
            window.earlyhelp.groupColours = groups.map(function (g) { return g.colour; });
            var icons = {}, fields = {{ this.fields_json }};
            function popup(s) {  // every text in s was escaped before it reached the page
                var rows = s.d.split("\\n").map(function (r) {
                    return "<dt>" + fields[r.charAt(0)] + "</dt><dd>" + r.slice(1) + "</dd>";
                }).join("");
                return "<div class=\\"eh-service\\"><h3>" + s.n + "</h3>"
                    + (s.by ? "<p class=\\"eh-provider\\">" + s.by + "</p>" : "")
                    + "<dl>" + rows + "</dl></div>";
            }
            function icon(k, more, planned) {
                var key = k + ":" + more + ":" + planned;
                if (!icons[key]) {
                    icons[key] = L.divIcon({
                        className: "eh-marker" + (planned ? " eh-planned" : ""),
                        html: "<span class=\\"eh-pin\\" style=\\"background:" + groups[k].colour
                            + "\\">" + groups[k].badge + (more ? "<sup>+</sup>" : "") + "</span>",
                        iconSize: [24, 24],
                        iconAnchor: [12, 12],
                        popupAnchor: [0, -10],
                        tooltipAnchor: [12, 0]
                    });
                }
                return icons[key];
            }
            var markers = data.map(function (s) {
                var marker = L.marker(s.ll, {icon: icon(s.k[0], s.k.length > 1, s.pl),
                                             riseOnHover: true, ehGroup: s.k[0]});
                marker.bindPopup(popup(s), {className: "eh-popup", maxWidth: 340});
                marker.bindTooltip(s.n, {className: "eh-tooltip", direction: "right"});
                return marker;
            });
            var shown = data.map(function () { return false; });
            function refresh() {
                var add = [], remove = [];
                data.forEach(function (s, i) {
                    var ticked = s.k.filter(function (k) { return map.hasLayer(filters[k]); });
                    if (ticked.length) {
                        if (markers[i].options.ehGroup !== ticked[0]) {
                            markers[i].options.ehGroup = ticked[0];
                            markers[i].setIcon(icon(ticked[0], s.k.length > 1, s.pl));
                        }
                        if (!shown[i]) { add.push(markers[i]); shown[i] = true; }
                    } else if (shown[i]) {
                        remove.push(markers[i]);
                        shown[i] = false;
                    }
                });
                cluster.removeLayers(remove);
                cluster.addLayers(add);
                cluster.refreshClusters();
            }
            filters.forEach(function (f) { f.on("add remove", refresh); });
            refresh();
            function showService(i) {
                // tick its category if need be, zoom in until its cluster opens, open it
                var marker = markers[i];
                if (!shown[i]) { map.addLayer(filters[data[i].k[0]]); }
                var parent = marker.__parent;
                var zoom = Math.max(map.getZoom(), parent ? parent._zoom + 1 : 0);
                map.setView(marker.getLatLng(), Math.min(zoom, map.getMaxZoom()), {animate: false});
                if (!marker._icon && marker.__parent && marker.__parent._icon) {
                    marker.__parent.spiderfy();
                }
                if (marker._map) { marker.openPopup(); }
            }
            window.earlyhelp.cluster = cluster;
            window.earlyhelp.filters = filters;
            window.earlyhelp.serviceMarkers = markers;
            window.earlyhelp.serviceNames = data.map(function (s) { return s.n; });
            window.earlyhelp.serviceWhere = data.map(function (s) { return s.w; });
            window.earlyhelp.showService = showService;
            return markers;
        })(
            {{ this._parent.get_name() }},
            {{ this.cluster.get_name() }},
            [{{ this.filter_names|join(", ") }}],
            {{ this.groups_json }},
            {{ this.data_json }}
        );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: Sequence[dict] = (),
        *,
        cluster,
        filters: Sequence[ServiceFilter],
        groups: list[dict],
        encoded: Sequence[str] | None = None,
    ):
        super().__init__()
        self._name = "ServiceLayer"
        self.cluster = cluster
        self.filters = list(filters)
        if len(groups) != len(self.filters):
            raise ValueError("give one group (badge, colour) per filter")
        for group in groups:
            check_colour(group["colour"], where="category colour")
        self.groups_json = script_json(groups)
        self.fields_json = script_json(POPUP_FIELDS)
        if encoded is None:
            self.data_json = script_json(list(rows))
        else:  # each row already script_json(row): the same text as script_json(rows)
            if rows:
                raise ValueError("give the rows or the rows encoded, not both")
            self.data_json = "[" + ",".join(encoded) + "]"

    @property
    def filter_names(self) -> list[str]:
        return [f.get_name() for f in self.filters]
