"""The map's controls on every screen: a phone, a tablet, a laptop, a wall screen.

:class:`ScreenControls` makes the layer list, the legend and the attribution panels that
fold to a button and open again, and keeps them out of each other's way and out of the
way of popups:

* on a small screen (700 px wide or less, or 500 px high or less: a phone on its side)
  the map opens with the layer list and the legend folded and the attribution as a
  "Sources" button, and only one panel is open at a time; choosing what colours the areas
  folds the layer list again, so the map is seen;
* on a larger screen every panel opens unfolded, and each can be folded;
* every panel is sized to the map: the layer list never runs into the legend or the
  attribution, the legend never into the zoom buttons (it scrolls inside itself);
* a popup is above everything: while one is open, any control it would cover is hidden;
  it is never taller than the map (its content scrolls inside it).

The attribution (``[attribution]`` in config.toml: what the map credits and the licence it
is published under) is set here once, as escaped HTML.
"""

from __future__ import annotations

__all__ = ["SHORT_SCREEN_PX", "SMALL_SCREEN_PX", "ScreenControls", "attribution_html"]

from collections.abc import Sequence

from folium.template import Template

from earlyhelp.maps._render import VerbatimMacroElement
from earlyhelp.maps.safety import escape_text, script_json

SMALL_SCREEN_PX = 700  # at most this wide: a phone (a tablet upright is 768)
SHORT_SCREEN_PX = 500  # or at most this high: a phone on its side (844 x 390)


class ScreenControls(VerbatimMacroElement):
    """Folding panels, sizes that fit, popups above all, and the attribution.

    Add it after the layer control and the legends. ``attribution_html`` is escaped
    HTML (statements and the licence link).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, attribution, smallPx, shortPx) {
            var box = map.getContainer();
            var small = function () {
                return box.clientWidth <= smallPx || window.innerHeight <= shortPx;
            };
            var panels = [];
            function setOpen(panel, open) {
                panel.els.forEach(function (el) { el.classList.toggle("eh-closed", !open); });
                panel.buttons().forEach(function (b) {
                    b.setAttribute("aria-expanded", open ? "true" : "false");
                });
            }
            function isOpen(panel) { return !panel.els[0].classList.contains("eh-closed"); }
            function toggle(panel, open) {
                if (open && small()) {  // one panel at a time on a phone
                    panels.forEach(function (p) { if (p !== panel) { setOpen(p, false); } });
                }
                setOpen(panel, open);
                fit();
            }
            function makePanel(els, buttons, heads) {
                var panel = {els: els, buttons: function () { return buttons; }};
                buttons.concat(heads || []).forEach(function (target) {
                    L.DomEvent.on(target, "click", function (e) {
                        var inner = e.target.closest && e.target.closest("button");
                        if (inner && inner !== target) { return; }
                        L.DomEvent.stop(e);
                        toggle(panel, !isOpen(panel));
                    });
                });
                els.forEach(function (el) { el.classList.add("eh-panel"); });
                panels.push(panel);
                return panel;
            }

            // the layer list: a "Map layers" button above it
            var layers = box.querySelector(".leaflet-control-layers");
            var layerPanel = null;
            if (layers) {
                var list = layers.querySelector(".leaflet-control-layers-list");
                var button = L.DomUtil.create("button", "eh-toggle eh-layers-toggle");
                button.type = "button";
                button.innerHTML = "<span class=\\"eh-layers-icon\\" aria-hidden=\\"true\\">"
                    + "</span>Map layers"
                    + "<span class=\\"eh-chevron\\" aria-hidden=\\"true\\"></span>";
                if (list) {
                    list.id = "eh-layer-list";
                    button.setAttribute("aria-controls", list.id);
                }
                layers.insertBefore(button, layers.firstChild);
                layerPanel = makePanel([layers], [button]);
                map.on("baselayerchange", function () {
                    if (small() && isOpen(layerPanel)) { toggle(layerPanel, false); }
                    fit();
                });
            }

            // the legends (one per choice, one shown at a time): folded or open together
            var legends = Array.prototype.slice.call(box.querySelectorAll(".eh-legend"));
            var legendPanel = legends.length ? makePanel(
                legends,
                legends.map(function (el) { return el.querySelector(".eh-legend-toggle"); })
                    .filter(Boolean),
                legends.map(function (el) { return el.querySelector(".eh-legend-head"); })
                    .filter(Boolean)
            ) : null;

            // the attribution: the sources and the licence; a "Sources" button on a phone.
            // Leaflet redraws the control's HTML when attributions change, so the button
            // is part of the attribution itself and its clicks are caught on the control.
            var credit = map.attributionControl;
            var creditPanel = null;
            if (credit) {
                credit.setPrefix(false);
                credit.addAttribution(
                    "<button type=\\"button\\" class=\\"eh-toggle eh-credit-toggle\\" "
                    + "aria-expanded=\\"true\\">&copy; Sources</button>"
                    + "<span class=\\"eh-credit\\">" + attribution
                    + " &middot; Map drawn with <a href=\\"https://leafletjs.com\\">Leaflet</a>"
                    + "</span>"
                );
                var creditBox = credit.getContainer();
                L.DomEvent.disableClickPropagation(creditBox);
                creditPanel = makePanel([creditBox], []);
                creditPanel.buttons = function () {
                    var toggles = creditBox.querySelectorAll(".eh-credit-toggle");
                    return Array.prototype.slice.call(toggles);
                };
                L.DomEvent.on(creditBox, "click", function (e) {
                    if (e.target.closest && e.target.closest(".eh-credit-toggle")) {
                        L.DomEvent.stop(e);
                        toggle(creditPanel, !isOpen(creditPanel));
                    }
                });
            }

            function rect(el) { return el.getBoundingClientRect(); }
            function visible(el) {
                var r = rect(el);
                return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
            }
            function corner(name) {
                var c = box.querySelector(".leaflet-" + name.split("-").join(".leaflet-"));
                var out = {width: 0, height: 0, left: 0, right: 0};
                if (!c) { return out; }
                var kids = Array.prototype.filter.call(c.children, visible);
                if (!kids.length) { return out; }
                var r = kids.map(rect), mapBox = rect(box);
                out.width = Math.max.apply(null, r.map(function (x) { return x.right; }))
                    - Math.min.apply(null, r.map(function (x) { return x.left; }));
                out.height = Math.max.apply(null, r.map(function (x) { return x.bottom; }))
                    - Math.min.apply(null, r.map(function (x) { return x.top; }));
                var lefts = r.map(function (x) { return x.left; });
                var rights = r.map(function (x) { return x.right; });
                out.left = Math.min.apply(null, lefts) - mapBox.left;
                out.right = Math.max.apply(null, rights) - mapBox.left;
                return out;
            }
            var GAP = 10;
            function fit() {
                var W = box.clientWidth, H = box.clientHeight;
                var topLeft = corner("top-left"), bottomRight = corner("bottom-right");
                if (creditPanel) {  // beside the legend and the scale, never over them
                    var beside = W - corner("bottom-left").width - 3 * GAP;
                    var maxCredit = Math.min(beside, small() ? W : Math.floor(W * 0.45));
                    creditPanel.els[0].style.maxWidth = Math.max(120, maxCredit) + "px";
                    bottomRight = corner("bottom-right");
                }
                if (layerPanel) {
                    var layersCap = small() ? W : 340;
                    layers.style.maxWidth =
                        Math.max(150, Math.min(layersCap, W - topLeft.width - 3 * GAP)) + "px";
                    var bottomLeft = corner("bottom-left");
                    var lr = rect(layers), mapBox = rect(box);
                    var overLegend = lr.left - mapBox.left < bottomLeft.right + GAP;
                    var below = Math.max(bottomRight.height, overLegend ? bottomLeft.height : 0);
                    var list = layers.querySelector(".leaflet-control-layers-list");
                    var head = layers.querySelector(".eh-layers-toggle");
                    var room = H - 2 * GAP - below - GAP - (head ? head.offsetHeight : 0) - 16;
                    if (list) { list.style.maxHeight = Math.max(60, room) + "px"; }
                }
                var topRight = corner("top-right");
                legends.forEach(function (el) {
                    var body = el.querySelector(".eh-legend-body");
                    var head = el.querySelector(".eh-legend-head");
                    var legendCap = small() ? W : 300;
                    el.style.maxWidth =
                        Math.max(140, Math.min(legendCap, W - bottomRight.width - 3 * GAP)) + "px";
                    var mapBox = rect(box), lr = rect(el);
                    var underLayers = lr.right - mapBox.left > W - topRight.width - GAP;
                    var above = Math.max(topLeft.height, underLayers ? topRight.height : 0);
                    var scale = box.querySelector(".leaflet-control-scale");
                    var scaleH = scale && visible(scale) ? scale.offsetHeight + GAP : 0;
                    var room = H - above - scaleH - 4 * GAP - (head ? head.offsetHeight : 0) - 16;
                    if (body) { body.style.maxHeight = Math.max(40, room) + "px"; }
                });
                coverCheck();
            }

            // a popup is above everything: hide what it would cover while it is open
            var popup = null;
            function coverCheck() {
                var controls = box.querySelectorAll(".leaflet-control");
                Array.prototype.forEach.call(controls, function (c) {
                    c.classList.remove("eh-behind");
                });
                if (!popup || !popup.getElement()) { return; }
                var p = rect(popup.getElement());
                Array.prototype.forEach.call(controls, function (c) {
                    var r = rect(c);
                    var meets = r.width > 0 && r.left < p.right && r.right > p.left
                        && r.top < p.bottom && r.bottom > p.top;
                    if (meets) { c.classList.add("eh-behind"); }
                });
            }
            map.on("popupopen", function (e) {
                popup = e.popup;
                // no taller than the map (a phone on its side): it scrolls inside itself
                var o = e.popup.options;
                if (o.ehMaxHeight === undefined) { o.ehMaxHeight = o.maxHeight || Infinity; }
                var cap = Math.min(o.ehMaxHeight, Math.max(100, box.clientHeight - 90));
                if (o.maxHeight !== cap) { o.maxHeight = cap; e.popup.update(); }
                if (small()) { panels.forEach(function (p) { setOpen(p, false); }); }
                requestAnimationFrame(coverCheck);
            });
            map.on("popupclose", function () { popup = null; coverCheck(); });
            map.on("move zoomend", function () { if (popup) { coverCheck(); } });
            map.on("overlayadd overlayremove", fit);
            window.addEventListener("resize", function () { map.invalidateSize(); fit(); });

            // phones start folded; larger screens open
            var open = !small();
            panels.forEach(function (p) { setOpen(p, open); });
            fit();
            window.earlyhelp = window.earlyhelp || {};
            window.earlyhelp.panels = {
                layers: layerPanel, legend: legendPanel, credit: creditPanel,
                open: function (panel) { toggle(panel, true); },
                close: function (panel) { toggle(panel, false); },
                fit: fit
            };
        })({{ this._parent.get_name() }}, {{ this.attribution_json }}, {{ this.small_px }},
           {{ this.short_px }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        attribution_html: str = "",
        small_px: int = SMALL_SCREEN_PX,
        short_px: int = SHORT_SCREEN_PX,
    ):
        super().__init__()
        self._name = "ScreenControls"
        self.attribution_json = script_json(attribution_html)
        self.small_px = int(small_px)
        self.short_px = int(short_px)


def attribution_html(
    statements: Sequence[str], *, licence: str = "", licence_url: str = "", publisher: str = ""
) -> str:
    """The map's attribution as escaped HTML: each statement, then who publishes the map
    under which licence (a link when ``licence_url`` is given, an http(s) address)."""
    parts = [escape_text(s, max_chars=300) for s in statements if str(s).strip()]
    if licence:
        name = escape_text(licence, max_chars=120)
        url = escape_text(licence_url)
        if url and not url.startswith(("http://", "https://")):
            url = ""
        link = f'<a href="{url}">{name}</a>' if url else name
        who = f"{escape_text(publisher, max_chars=120)} publishes" if publisher else "Published"
        parts.append(f"{who} under the {link}")
    return " &middot; ".join(parts)
