"""Take the README's screenshots of the demo board map on a phone.

Run after ``make demo`` (it opens ``maps/demo/index.html``), with Debian's Chromium and
playwright (a test dependency)::

    .venv/bin/python docs/screenshots.py

Writes ``docs/images/board-map-phone.png`` (the map as it opens on a 390 x 844 phone:
layers and legend folded, the search box at the top) and
``docs/images/board-map-phone-found.png`` (after typing a town, "Larkspire": the map
zoomed to it and the popup of the small area it lies in). Every network request is
refused, as the map needs none.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAP = REPO / "maps" / "demo" / "index.html"
OUT = REPO / "docs" / "images"
PHONE = {"width": 390, "height": 844}


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or not MAP.is_file():
        print("needs chromium and maps/demo/index.html (run make demo first)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(MAP.as_uri())
        page.wait_for_function("window.earlyhelp && window.earlyhelp.ready")
        page.screenshot(path=str(OUT / "board-map-phone.png"))
        box = page.get_by_label("Find a place, postcode, area or service")
        box.fill("Larkspire")
        box.press("Enter")
        page.wait_for_function(
            "document.querySelector('.leaflet-popup') && "
            "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        )
        page.screenshot(path=str(OUT / "board-map-phone-found.png"))
        browser.close()
    print(f"wrote {OUT / 'board-map-phone.png'} and {OUT / 'board-map-phone-found.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
