"""Search by area or service name, in the page itself (no plugin, no network).

The index holds only *search keys* (letters and digits, see
:func:`~earlyhelp.maps.safety.search_key`), never the outside text itself; results show
the escaped names the map already carries.
"""

from __future__ import annotations

__all__ = ["SearchBox"]

from folium.template import Template

from earlyhelp.maps._render import VerbatimMacroElement
from earlyhelp.maps.safety import script_json


class SearchBox(VerbatimMacroElement):
    """Wires the search box of :class:`~earlyhelp.maps.panel.BoardHeader` to the map.

    ``area_keys`` follow the order of the area features; ``service_keys`` the order of
    the services' rows in :class:`~earlyhelp.maps.layers.ServiceLayer`. Choosing an
    area zooms to it and opens its popup; choosing a service ticks its category if
    needed, zooms until its cluster opens and opens its popup.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, areaKeys, serviceKeys) {
            var input = document.getElementById("eh-search-input");
            var list = document.getElementById("eh-search-results");
            if (!input || !list) { return; }
            function key(text) {
                return text.normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "")
                    .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
            }
            function find(query) {
                var q = key(query), hits = [];
                if (!q) { return hits; }
                function scan(keys, kind) {
                    keys.forEach(function (k, i) {
                        var at = k.indexOf(q);
                        if (at >= 0) { hits.push({kind: kind, i: i, rank: at === 0 ? 0 : 1}); }
                    });
                }
                scan(areaKeys, "area");
                scan(serviceKeys, "service");
                hits.sort(function (a, b) { return a.rank - b.rank; });
                return hits.slice(0, 10);
            }
            function describe(hit) {
                if (hit.kind === "area") {
                    var p = window.earlyhelp.areas.byIndex[hit.i].feature.properties;
                    return p[{{ this.name_key_json }}]
                        + " <span class=\\"eh-search-kind\\">area in "
                        + p[{{ this.district_key_json }}] + "</span>";
                }
                return window.earlyhelp.serviceNames[hit.i]
                    + " <span class=\\"eh-search-kind\\">service</span>";
            }
            function show(hit) {
                list.hidden = true;
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
            window.earlyhelp = window.earlyhelp || {};
            window.earlyhelp.find = find;
        })({{ this._parent.get_name() }}, {{ this.area_keys_json }}, {{ this.service_keys_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        area_keys: list[str],
        service_keys: list[str],
        name_key: str = "area_name",
        district_key: str = "district_name",
    ):
        super().__init__()
        self._name = "SearchBox"
        self.area_keys_json = script_json(area_keys)
        self.service_keys_json = script_json(service_keys)
        self.name_key_json = script_json(name_key)
        self.district_key_json = script_json(district_key)
