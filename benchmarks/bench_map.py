"""Benchmark of the board map: file size and draw time in headless Chromium.

Two cases:

- ``demo``: the fictional demo county (data/demo, read through config.toml), 993 areas and
  655 services, with 16 layers (children, need, 12 distances to the nearest help, child
  protection plans, priority classes);
- ``synthetic``: 1,000 Voronoi areas with wavy, densely drawn edges (like full-resolution
  boundaries) and 650 services, the same 16 layers.

Each map is saved self-contained and opened three times with every network request
refused; the draw time is from navigation start to the moment the areas, outlines and
markers have been drawn (``window.earlyhelp.drawnMs``, two animation frames after the
last script). Target: under 5 MB and under 2 s.

Run: ``.venv/bin/python benchmarks/bench_map.py`` (``--case demo`` or ``synthetic``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the synthetic county is test data

from figures import figure  # noqa: E402
from synthetic import PRIORITIES, synthetic_county  # noqa: E402

from earlyhelp.config import MapConfig, load_config  # noqa: E402
from earlyhelp.maps import MapLayer, board_map, save_map  # noqa: E402

OUT = REPO / "benchmarks" / "out"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _suppress(counts: pd.Series) -> pd.Series:
    """Counts 1 to 5 as "*", as disclosure control publishes them."""
    text = counts.round().astype("Int64").astype("string")
    return text.mask(counts.between(1, 5), "*")


def _measures(areas, services, categories, rng) -> tuple[object, list[MapLayer]]:
    """16 layers: children, need, 12 nearest distances, CP plans, priority classes."""
    areas = areas.copy()
    points = areas.geometry.representative_point()
    layers = [
        MapLayer("children", "Children aged 0 to 17", note="Children living in the area."),
        MapLayer("need_index", "Need index", fmt="{:.2f}"),
    ]
    for key, cat in categories.items():
        offers = services[services["categories"].map(lambda c, k=key: k in list(c))]
        column = f"km_{key}"
        if len(offers):
            nearest = np.array([offers.distance(p).min() for p in points]) / 1000
        else:
            nearest = np.full(len(areas), np.nan)
        areas[column] = nearest.round(1)
        layers.append(MapLayer(column, f"Distance to {cat.label or key}", fmt="{:.1f} km"))
    layers.append(MapLayer("cp", "Child protection plans"))
    layers.append(MapLayer("priority", "Priority", kind="categorical", categories_order=PRIORITIES))
    areas["priority"] = np.array(PRIORITIES, dtype=object)[rng.integers(0, 4, len(areas))]
    return areas, layers


def demo_case():
    from earlyhelp.loading import load_inputs

    cfg = load_config(REPO / "config.toml")
    inputs = load_inputs(cfg)
    areas = inputs.areas.join(inputs.need, how="left")
    areas["children"] = _suppress(areas["pop_0_17"])
    areas["need_index"] = areas["idaci_score"]
    areas["cp"] = _suppress(areas["cp_plans"])
    areas, layers = _measures(areas, inputs.services, cfg.categories, np.random.default_rng(1))
    keep = ["area_name", "district_code", "district_name", *(la.column for la in layers)]
    return areas[[*keep, "geometry"]], inputs.services, layers, cfg.categories, cfg.map


def synthetic_case():
    categories = load_config(REPO / "config.toml").categories
    county = synthetic_county(
        40, 25, services=650, wiggle=True, seed=7, categories=categories or None
    )
    areas = county.areas
    areas["need_index"] = areas["need_index"] / 10
    areas["cp"] = areas["cp_plans"]
    rng = np.random.default_rng(2)
    areas["children"] = _suppress(pd.Series(rng.integers(0, 600, len(areas)), areas.index))
    areas, layers = _measures(areas, county.services, county.categories, rng)
    return areas, county.services, layers, county.categories, MapConfig(tiles="")


def draw_times(path: Path, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("  chromium not found: draw time not measured")
        return []
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            page.goto(path.resolve().as_uri())
            page.wait_for_function("window.earlyhelp && window.earlyhelp.ready", timeout=60_000)
            times.append(page.evaluate("window.earlyhelp.drawnMs") / 1000)
            page.close()
        browser.close()
    return times


def run(name: str, runs: int) -> None:
    t0 = time.perf_counter()
    areas, services, layers, categories, map_cfg = (
        demo_case() if name == "demo" else synthetic_case()
    )
    t1 = time.perf_counter()
    m = board_map(
        areas,
        services,
        layers=layers,
        categories=categories,
        map_cfg=map_cfg,
        title="Early help and need",
        subtitle=f"Benchmark: {name}",
        data_date="2026",
    )
    path = save_map(m, OUT / f"board_{name}.html", self_contained=True)
    t2 = time.perf_counter()
    size_mb = path.stat().st_size / 1e6
    times = draw_times(path, runs)
    print(
        f"{name}: {len(areas)} areas, {len(services)} services, {len(layers)} layers; "
        f"inputs {t1 - t0:.1f} s, build+save {t2 - t1:.1f} s; file {size_mb:.2f} MB"
    )
    if times:
        median = statistics.median(times)
        print(
            f"  draw in Chromium: median {median:.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
        figure(
            f"board map of one county ({name}), drawn offline in headless Chromium",
            f"{len(areas):,} areas, {len(services):,} services, {len(layers)} layers",
            f"{size_mb:.1f} MB, {median:.2f} s (median of {len(times)})",
            "target 5 MB, 2 s",
            f"{size_mb / 5:.2f}x / {median / 2:.2f}x the target",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=("demo", "synthetic", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cases = ("demo", "synthetic") if args.case == "both" else (args.case,)
    for name in cases:
        if name == "demo" and not (REPO / "data" / "demo" / "areas.geojson").exists():
            print("demo: data/demo is missing; skipped")
            continue
        run(name, args.runs)


if __name__ == "__main__":
    main()
