"""The title panel above the map, the page's styles (screen, phone and print) and its help.

The panel says what the map shows, the date of the data and that small numbers are
suppressed, in plain words, and holds the search box; it sits above the map (not on it),
so it prints as the page heading. On a phone (upright, or on its side: 500 px high or
less) it shrinks to the title, the facts in small print and the search box, so the map
keeps most of the screen; no part of the page is wider or taller than the screen.
"""

from __future__ import annotations

__all__ = ["BOARD_CSS", "BoardHeader"]

from folium.template import Template

from earlyhelp.maps._render import VerbatimMacroElement

# System fonts only: the page needs no web font and no network.
BOARD_CSS = """
html, body { height: 100%; }
body {
    display: flex; flex-direction: column; margin: 0;
    font-family: "Segoe UI", system-ui, -apple-system, Arial, sans-serif; color: #1a1a1a;
}
.folium-map { flex: 1 1 auto; height: auto !important; min-height: 320px; }
.leaflet-container { font-family: inherit; font-size: 14px; }
.eh-header {
    display: flex; flex-wrap: wrap; gap: 4px 24px; align-items: flex-start;
    padding: 8px 14px 6px; border-bottom: 3px solid #1a1a1a; background: #fff;
}
.eh-heading { flex: 1 1 420px; min-width: 0; }
.eh-header h1 { font-size: 1.3rem; margin: 0 0 2px; }
.eh-subtitle { margin: 0 0 2px; font-size: 0.95rem; }
.eh-facts { margin: 0; font-size: 0.85rem; color: #3d3d3d; }
.eh-help { font-size: 0.85rem; max-width: 70ch; margin-top: 2px; }
.eh-help summary { cursor: pointer; color: #0b4f8a; }
.eh-help ul { margin: 4px 0; padding-left: 18px; }
.eh-search { position: relative; flex: 0 1 320px; font-size: 0.85rem; }
.eh-search label { display: block; font-weight: 600; margin-bottom: 2px; }
.eh-search input {
    width: 100%; box-sizing: border-box; padding: 5px 8px; font: inherit; font-size: 0.95rem;
    border: 2px solid #1a1a1a; border-radius: 3px;
}
.eh-search-results {
    position: absolute; z-index: 2000; left: 0; right: 0; margin: 2px 0 0; padding: 0;
    list-style: none; background: #fff; border: 1px solid #1a1a1a;
    box-shadow: 0 3px 8px rgba(0,0,0,.25); max-height: 60vh; overflow-y: auto;
}
.eh-search-results button {
    display: block; width: 100%; text-align: left; border: 0; background: #fff;
    padding: 6px 8px; font: inherit; cursor: pointer; border-bottom: 1px solid #e0e0e0;
}
.eh-search-results button:hover, .eh-search-results button:focus { background: #fff3b0; }
.eh-search-kind { color: #555; font-size: 0.8rem; }
.eh-legend, .leaflet-control-layers {
    background: #fff; padding: 6px 10px; border-radius: 4px; line-height: 1.35;
    box-shadow: 0 1px 5px rgba(0,0,0,.4); max-width: 300px; box-sizing: border-box;
}
.eh-toggle {
    display: flex; align-items: center; gap: 6px; width: 100%; min-height: 30px;
    margin: 0; padding: 2px 0; border: 0; background: none; color: #1a1a1a;
    font: inherit; font-size: 13px; font-weight: 700; text-align: left; cursor: pointer;
}
.eh-toggle:focus-visible { outline: 3px solid #0b4f8a; outline-offset: 1px; }
.eh-chevron { margin-left: auto; }
.eh-chevron::after { content: "\\25BE"; font-size: 14px; }
.eh-closed .eh-chevron::after { content: "\\25B8"; }
.eh-layers-icon {
    display: inline-block; flex: none; width: 14px; height: 10px;
    border-top: 2px solid #1a1a1a; border-bottom: 2px solid #1a1a1a; position: relative;
}
.eh-layers-icon::after {
    content: ""; position: absolute; left: 0; right: 0; top: 4px; border-top: 2px solid #1a1a1a;
}
.eh-hidden-text {
    position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
    white-space: nowrap;
}
.leaflet-control-layers.eh-closed .leaflet-control-layers-list { display: none; }
.leaflet-control-layers-list { overflow-y: auto; overscroll-behavior: contain; }
.leaflet-control-layers-expanded { padding: 6px 10px; }
.eh-legend-head { display: flex; align-items: flex-start; gap: 6px; cursor: pointer; }
.eh-legend-head .eh-legend-title { flex: 1 1 auto; min-width: 0; }
.eh-legend-toggle { width: auto; min-height: 22px; flex: none; padding: 0 2px; }
.eh-legend.eh-closed .eh-legend-body { display: none; }
.eh-legend-body { overflow-y: auto; overscroll-behavior: contain; margin-top: 2px; }
.leaflet-control-attribution.eh-panel {
    box-sizing: border-box; font-size: 11px; line-height: 1.35; text-align: right;
    padding: 2px 6px; white-space: normal; background: rgba(255,255,255,.9);
}
.eh-credit-toggle { display: none; }
.leaflet-control.eh-behind { visibility: hidden !important; }
.eh-found { background: none; border: 0; }
.eh-found span {
    display: block; width: 100%; height: 100%; box-sizing: border-box; border-radius: 50%;
    border: 3px solid #1a1a1a; background: rgba(255,243,176,.6); box-shadow: 0 0 0 2px #fff;
}
.eh-found-label { font-weight: 700; }
.eh-place-label span {
    display: inline-block; transform: translate(-50%, -50%); white-space: nowrap;
    font-size: 11px; color: #2b2b2b; font-style: italic;
    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff;
}
.eh-place-l1 span { font-size: 12px; font-weight: 600; font-style: normal; }
.eh-legend-title { font-size: 0.95rem; margin: 0 0 2px; }
.eh-legend-note { margin: 0 0 4px; font-size: 0.8rem; color: #3d3d3d; }
.eh-legend-rows { list-style: none; margin: 0; padding: 0; font-size: 0.85rem; }
.eh-legend-rows li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.eh-swatch {
    display: inline-block; flex: none; width: 18px; height: 14px; border: 1px solid #777;
}
.eh-swatch.eh-nodata { border-style: dashed; }
.eh-count { color: #555; font-size: 0.78rem; }
.eh-line { display: inline-block; flex: none; width: 22px; height: 0; }
.eh-line-district { border-top: 3px solid #1a1a1a; }
.eh-line-reach { border-top: 2px dashed #3d3d3d; }
.leaflet-control-layers-base::before, .leaflet-control-layers-overlays::before {
    display: block; font-weight: 700; margin-bottom: 2px;
}
.leaflet-control-layers-base::before { content: "Colour areas by"; }
.leaflet-control-layers-overlays::before { content: "Show on the map"; }
.leaflet-control-layers { font-size: 13px; line-height: 1.25; }
.leaflet-control-layers label { margin: 1px 0; }
.leaflet-control-layers-selector { margin: 0 4px 0 0; vertical-align: -1px; }
.eh-pin {
    display: inline-flex; align-items: center; justify-content: center;
    width: 20px; height: 20px; border-radius: 50%; border: 2px solid #fff;
    color: #fff; font-weight: 700; font-size: 10px; line-height: 1;
    box-shadow: 0 0 0 1px #1a1a1a; text-shadow: 0 0 2px #000;
    vertical-align: middle; letter-spacing: -0.3px;
}
.eh-marker { background: none; border: 0; }
.eh-planned .eh-pin { opacity: 0.75; border-style: dashed; border-color: #1a1a1a; }
.eh-pin sup { font-size: 9px; margin-left: 1px; top: -0.3em; }
.eh-cluster { background: none; border: 0; }
.eh-ring {
    width: 100%; height: 100%; box-sizing: border-box; padding: 6px; border-radius: 50%;
    box-shadow: 0 0 0 1px #1a1a1a;
}
.eh-ring span {
    display: flex; align-items: center; justify-content: center;
    width: 100%; height: 100%; border-radius: 50%; background: #fff;
    font-weight: 700; font-size: 12px; box-shadow: 0 0 0 1px #1a1a1a;
}
.eh-district-label span {
    display: inline-block; transform: translate(-50%, -50%); white-space: nowrap;
    font-weight: 700; font-size: 13px; color: #1a1a1a;
    text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff;
}
.eh-popup h3, .eh-service h3 { font-size: 1rem; margin: 0 0 4px; }
.eh-area table { border-collapse: collapse; font-size: 0.85rem; }
.eh-area th { text-align: left; font-weight: 600; padding: 2px 10px 2px 0; vertical-align: top; }
.eh-area td { padding: 2px 0; }
.eh-area tr.eh-current { background: #fff3b0; }
.eh-now { margin: 0 0 6px; padding: 3px 6px; background: #fff3b0; font-size: 0.9rem; }
.eh-service dl { margin: 0; font-size: 0.85rem; }
.eh-service dt { font-weight: 600; margin-top: 3px; }
.eh-service dd { margin: 0; }
.eh-provider { margin: 0 0 4px; color: #3d3d3d; }
.eh-tooltip { font-size: 0.85rem; }
.eh-print-key { display: none; }
@media (max-width: 700px), (max-height: 500px) {  /* a phone, upright or on its side */
    .folium-map { min-height: 200px; }
    .eh-header { gap: 2px 12px; padding: 6px 10px 6px; border-bottom-width: 2px; }
    .eh-heading { flex-basis: 100%; }
    .eh-header h1 { font-size: 1.05rem; }
    .eh-subtitle { display: none; }
    .eh-facts { font-size: 0.74rem; line-height: 1.3; }
    .eh-help { font-size: 0.8rem; }
    .eh-search { flex: 1 1 100%; }
    .eh-search label { font-size: 0.8rem; margin-bottom: 1px; }
    .eh-search input { font-size: 16px; padding: 6px 8px; }  /* 16px: no zoom on focus */
    .eh-search-results { max-height: 50vh; }
    .eh-search-results button { padding: 9px 8px; }
    .leaflet-control-layers, .eh-legend { max-width: calc(100vw - 70px); }
    .eh-credit-toggle { display: block; width: auto; min-height: 26px; font-size: 12px; }
    .leaflet-control-attribution.eh-closed { font-size: 0; padding: 0 4px; }
    .leaflet-control-attribution.eh-closed .eh-credit { display: none; }
    .leaflet-control-attribution.eh-closed .eh-credit-toggle { font-size: 12px; }
    .leaflet-popup-content { max-width: calc(100vw - 90px); overflow-wrap: break-word; }
    .eh-area th { width: 50%; }
    .leaflet-popup-content .eh-area table { width: 100%; }
}
@media (min-width: 701px) and (max-height: 500px) {  /* on its side: search beside the title */
    .eh-heading { flex: 1 1 0; }
    .eh-search { flex: 0 1 320px; }
}
@media print {
    @page { size: A4 landscape; margin: 10mm; }
    html, body { height: auto; }
    body { display: block; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    .folium-map { height: 165mm !important; border: 1px solid #1a1a1a; }
    .eh-search, .eh-help, .leaflet-control-zoom, .leaflet-control-layers,
    .leaflet-control-fullscreen, .leaflet-popup, .leaflet-tooltip,
    .eh-toggle:not(.eh-legend-toggle),
    .eh-legend-toggle, .eh-found { display: none !important; }
    .eh-legend.eh-closed .eh-legend-body, .leaflet-control-attribution .eh-credit {
        display: block !important;
    }
    .leaflet-control-attribution.eh-closed { font-size: 9px !important; }
    .eh-header { border-bottom: 2px solid #1a1a1a; }
    .eh-print-key { display: block; flex-basis: 100%; margin: 2px 0 0; font-size: 0.8rem; }
    .eh-print-key .eh-pin { margin-left: 8px; }
    .eh-legend { box-shadow: none; border: 1px solid #1a1a1a; }
}
"""


class BoardHeader(VerbatimMacroElement):
    """Title panel above the map: title, subtitle, facts, help and the search box.

    Every argument is escaped HTML (see :func:`~earlyhelp.maps.safety.escape_text`).
    """

    html_index = 0  # the page starts with it, before the map

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
        <header class="eh-header">
          <div class="eh-heading">
            <h1>{{ this.title }}</h1>
            {% if this.subtitle %}<p class="eh-subtitle">{{ this.subtitle }}</p>{% endif %}
            <p class="eh-facts">{{ this.facts }}</p>
            <details class="eh-help">
              <summary>How to read this map</summary>
              <ul>
                {% for item in this.help %}<li>{{ item }}</li>{% endfor %}
              </ul>
            </details>
          </div>
          {% if this.service_key %}
          <p class="eh-print-key">Services: {{ this.service_key }}</p>
          {% endif %}
          <div class="eh-search" role="search">
            <label for="eh-search-input">Find a place, postcode, area or service</label>
            <input id="eh-search-input" type="search" autocomplete="off"
                   placeholder="A town, village, postcode or name"
                   aria-controls="eh-search-results">
            <ul id="eh-search-results" class="eh-search-results" hidden></ul>
          </div>
        </header>
        {% endmacro %}
        """
    )

    css = BOARD_CSS

    def __init__(
        self,
        *,
        title: str,
        subtitle: str,
        facts: str,
        help_items: list[str],
        service_key: str = "",
    ):
        super().__init__()
        self._name = "BoardHeader"
        self.title = title
        self.subtitle = subtitle
        self.facts = facts
        self.help = list(help_items)
        self.service_key = service_key  # badges and labels, printed in place of the layer list
