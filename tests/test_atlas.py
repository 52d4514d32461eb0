"""The board map of a large county: an overview of districts linking to one page each.

The county is the benchmark's synthetic national one (``benchmarks/national.py``) at a
small size, with ``overview_above_areas`` set below its size so that the run draws the
atlas: the same code that draws England's. ``EARLYHELP_ENGLAND=1`` runs it at England
scale (33,755 areas, 200,000 services; minutes).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import OfflinePage

from earlyhelp.commands import run
from earlyhelp.config import load_config

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from national import write_national  # noqa: E402

ENGLAND = os.environ.get("EARLYHELP_ENGLAND") == "1"
SIZE = (33_755, 200_000, 300) if ENGLAND else (1_500, 6_000, 12)


def _properties(html: str) -> dict[str, dict]:
    """Each area's properties as embedded in a board map page, by area code."""
    found = (json.loads(p) for p in re.findall(r'"properties":(\{"area_name"[^{}]*\})', html))
    return {p["area_code"]: p for p in found}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same county drawn as an atlas and as one map of every area."""
    root = tmp_path_factory.mktemp("national")
    n_areas, n_services, n_districts = SIZE
    config = write_national(root, n_areas=n_areas, n_services=n_services, n_districts=n_districts)
    text = config.read_text(encoding="utf-8")
    folders = {}
    for name, above in (("atlas", 1000), ("single", 0)):
        path = root / f"{name}.toml"
        mine = text.replace('name = "national"', f'name = "{name}"')
        mine, n = re.subn(
            r"(?m)^overview_above_areas = \d+", f"overview_above_areas = {above}", mine
        )
        assert n == 1
        path.write_text(mine, encoding="utf-8")
        folders[name], _ = run(load_config(path))
    return folders


def test_the_overview_shows_only_the_published_district_summary(runs):
    folder = runs["atlas"]
    html = (folder / "index.html").read_text(encoding="utf-8")
    summary = pd.read_csv(
        folder / "tables" / "district_summary.csv", dtype=str, keep_default_na=False
    )
    districts = summary[summary["district_code"].str.startswith("E07")]
    rows = re.findall(r"<tr><td><a href=\"(district-[^\"]+)\">[^<]*</a></td>(.*?)</tr>", html)
    assert len(rows) == len(districts)
    for (href, cells), (_, row) in zip(rows, districts.iterrows(), strict=True):
        assert href == f"district-{row['district_code'].lower()}.html"
        shown = re.findall(r"<td>([^<]*)</td>", cells)
        published = [row[c] for c in summary.columns if c not in ("district_code", "district_name")]
        assert shown == published
    # nothing else: no area codes, no small-area figures
    assert "E01" not in html


def test_district_pages_show_the_area_values_of_the_county_map(runs):
    county = _properties((runs["single"] / "index.html").read_text(encoding="utf-8"))
    pages = sorted(runs["atlas"].glob("district-*.html"))
    assert len(pages) == SIZE[2]
    seen: dict[str, dict] = {}
    for page in pages:
        assert page.stat().st_size < 15e6
        seen.update(_properties(page.read_text(encoding="utf-8")))
    assert seen == county  # every area once, with the values the county map shows


def test_the_overview_opens_offline_and_links_to_a_district_page(browser, runs):
    folder = runs["atlas"]
    ready = "window.earlyhelp && window.earlyhelp.ready"
    overview = OfflinePage(browser, folder / "index.html", ready=ready)
    try:
        assert overview.errors == [] and overview.requests == []
        assert overview.js("() => document.querySelectorAll('path.leaflet-interactive').length") > 0
        overview.page.click("table a >> nth=0")
        overview.page.wait_for_function(ready, timeout=30_000)
        assert overview.page.url.split("/")[-1].startswith("district-")
        areas = overview.js("() => document.querySelectorAll('path.leaflet-interactive').length")
        assert areas > 0
        assert overview.errors == [] and overview.requests == []
    finally:
        overview.page.close()
