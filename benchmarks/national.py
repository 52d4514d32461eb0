"""A synthetic national county as input files, for the whole-run benchmark and the
England-scale browser test (benchmark data, not a fixture file).

:func:`write_national` writes ``areas.gpkg`` (Voronoi small areas with wavy, densely
drawn shared edges, in about 300 districts), ``need.csv`` (children by age band and the
shipped config's indicators), ``services.csv`` (the shipped twelve kinds of help, ages,
capacity, delivery and status drawn as in ``bench_access.synthetic_county``),
``postcodes.csv`` (one fictional ``Q`` postcode per area) and ``config.toml`` (the
shipped configuration pointed at these files). Every draw comes from ``seed``; files
already written for the same sizes and seed are reused.

>>> cfg_path = write_national(Path("/tmp/nat"), n_areas=2_000, n_services=12_000)  # doctest: +SKIP
"""

from __future__ import annotations

__all__ = ["write_national"]

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import box

REPO = Path(__file__).resolve().parents[1]
CRS = "EPSG:27700"
X0, Y0 = 100_000.0, 100_000.0
AGE_RANGES = [(0, 4), (0, 19), (5, 10), (11, 19), (0, 17), (5, 17), (16, 19), (0, 11)]
WORDS = ("Family", "Hub", "Young", "People", "Parent", "Support", "Centre", "Care", "Project")


def _points(n: int, side: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Area points: 80% in towns (a few cities, many towns), 20% scattered."""
    n_towns = max(3, n // 300)
    towns = rng.uniform(0.05 * side, 0.95 * side, size=(n_towns, 2))
    size = rng.pareto(1.2, n_towns) + 1
    radius = 1500 + 1500 * np.sqrt(size / size.min())
    n_urban = int(0.8 * n)
    town = rng.choice(n_towns, size=n_urban, p=size / size.sum())
    urban = towns[town] + rng.normal(size=(n_urban, 2)) * radius[town, None]
    rural = rng.uniform(0, side, size=(n - n_urban, 2))
    xy = np.clip(np.vstack([urban, rural]), 1.0, side - 1.0)
    # no two points closer than 40 m: real small areas are never slivers, and the waved
    # edges of a sliver would cross
    for _ in range(50):
        close = cKDTree(xy).query_pairs(40.0, output_type="ndarray")
        if not len(close):
            break
        move = np.unique(close[:, 1])
        xy[move] += rng.uniform(-60, 60, (len(move), 2))
        xy = np.clip(xy, 1.0, side - 1.0)
    return X0 + xy, np.arange(n) < n_urban


def _cells(xy: np.ndarray, side: float) -> np.ndarray:
    """Voronoi cells of ``xy`` in the frame, edges waved so neighbours share them."""
    frame = box(X0, Y0, X0 + side, Y0 + side)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=frame, ordered=True)
    )
    cells = shapely.intersection(cells, frame)
    edges = shapely.segmentize(shapely.union_all(shapely.boundary(cells)), 60.0)

    def wave(pts: np.ndarray) -> np.ndarray:
        x, y = pts[:, 0], pts[:, 1]
        inside = (x > X0 + 1) & (x < X0 + side - 1) & (y > Y0 + 1) & (y < Y0 + side - 1)
        dx = 4 * np.sin(y / 97.0) + 2 * np.sin(y / 23.0)
        dy = 4 * np.cos(x / 89.0) + 2 * np.cos(x / 29.0)
        return np.column_stack([x + dx * inside, y + dy * inside])

    polys = shapely.get_parts(shapely.polygonize([shapely.transform(edges, wave)]))
    # each waved cell belongs to the area point nearest a point inside it (a Voronoi
    # cell's own); an area left without one (rare) has no polygon, as a clean coverage
    # needs, and is dropped from the areas file
    _, site = cKDTree(xy).query(
        np.column_stack([shapely.get_x(c := shapely.point_on_surface(polys)), shapely.get_y(c)])
    )
    out = np.full(len(xy), None, dtype=object)
    area = shapely.area(polys)
    for i in np.argsort(area):  # the largest cell wins a clash
        out[site[i]] = polys[i]
    return out


def write_national(
    folder: Path,
    *,
    n_areas: int = 33_755,
    n_services: int = 200_000,
    n_districts: int = 300,
    side_m: float = 360_000.0,
    seed: int = 0,
) -> Path:
    """Write the synthetic national county into ``folder``; return its ``config.toml``."""
    folder = Path(folder)
    tag = f"5:{n_areas}-{n_services}-{n_districts}-{side_m:.0f}-{seed}"
    config = folder / "config.toml"
    if (folder / "MADE").exists() and (folder / "MADE").read_text() == tag:
        return config
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    xy, urban = _points(n_areas, side_m, rng)
    codes = np.array([f"E01{i:06d}" for i in range(n_areas)])

    seeds = xy[rng.choice(n_areas, n_districts, replace=False)]
    _, district = cKDTree(seeds).query(xy)
    dcode = np.array([f"E07{d:06d}" for d in range(n_districts)])[district]
    dname = np.array([f"District {d:03d}" for d in range(n_districts)])[district]
    areas = gpd.GeoDataFrame(
        {
            "area_code": codes,
            "area_name": [f"{n} {i % 1000:03d}" for i, n in enumerate(dname)],
            "district_code": dcode,
            "district_name": dname,
            "rural_urban": np.where(urban, "urban", "rural"),
        },
        geometry=_cells(xy, side_m),
        crs=CRS,
    )
    areas = areas[areas.geometry.notna()]
    areas.to_file(folder / "areas.gpkg", driver="GPKG", engine="pyogrio")

    bands = rng.poisson([90, 110, 90, 35, 35], size=(n_areas, 5))
    kids = bands[:, :4].sum(axis=1)
    risk = rng.gamma(2.0, 0.5, n_areas)
    need = pd.DataFrame(
        {
            "area_code": codes,
            "pop_0_4": bands[:, 0],
            "pop_5_10": bands[:, 1],
            "pop_11_15": bands[:, 2],
            "pop_16_17": bands[:, 3],
            "pop_18_19": bands[:, 4],
            "pop_0_17": kids,
            "idaci_score": np.round(np.clip(rng.beta(2, 8, n_areas) * risk, 0, 1), 3),
            "referrals": rng.poisson(0.06 * kids * risk),
            "children_in_need": rng.poisson(0.03 * kids * risk),
            "cp_plans": rng.poisson(0.004 * kids * risk),
            "da_factor": rng.poisson(0.01 * kids * risk),
            "mh_factor": rng.poisson(0.01 * kids * risk),
            "sm_factor": rng.poisson(0.005 * kids * risk),
        }
    )
    need.to_csv(folder / "need.csv", index=False)

    categories = re.findall(r"^\[categories\.(\w+)\]", (REPO / "config.toml").read_text(), re.M)
    at = rng.integers(0, n_areas, n_services)
    s_xy = xy[at] + rng.normal(0, 600, size=(n_services, 2))
    n_cats = rng.choice([1, 2, 3], size=n_services, p=[0.6, 0.3, 0.1])
    picks = rng.random((n_services, len(categories))).argsort(axis=1)
    cats = [";".join(categories[j] for j in row[:k]) for row, k in zip(picks, n_cats, strict=True)]
    ages = np.array(AGE_RANGES)[rng.integers(0, len(AGE_RANGES), n_services)]
    capacity = np.where(rng.random(n_services) < 0.95, rng.lognormal(3, 0.8, n_services), np.nan)
    words = np.array(WORDS)[rng.integers(0, len(WORDS), (n_services, 2))]
    services = pd.DataFrame(
        {
            "service_id": [f"S{i:07d}" for i in range(n_services)],
            "name": [f"{a} {b} {i}" for i, (a, b) in enumerate(words)],
            "provider": [f"Provider {i}" for i in rng.integers(0, 5000, n_services)],
            "sector": rng.choice(["statutory", "voluntary", "community"], n_services),
            "categories": cats,
            "min_age": ages[:, 0],
            "max_age": ages[:, 1],
            "capacity": np.round(capacity),
            "annual_cost": np.where(
                rng.random(n_services) < 0.5, np.round(rng.lognormal(10, 1, n_services)), np.nan
            ),
            "delivery": rng.choice(
                ["in_person", "outreach", "online", "phone"],
                size=n_services,
                p=[0.85, 0.08, 0.04, 0.03],
            ),
            "status": rng.choice(
                ["active", "planned", "closed"], size=n_services, p=[0.9, 0.05, 0.05]
            ),
            "easting": np.round(s_xy[:, 0]),
            "northing": np.round(s_xy[:, 1]),
            "opening_times": "Mon-Fri 9:00-17:00",
            "contact": [f"01632 {i % 1_000_000:06d}" for i in range(n_services)],
            "notes": "",
        }
    )
    services.to_csv(folder / "services.csv", index=False)

    letters = "ABCDEFGHJKLMNPRSTUWXYZ"
    postcodes = pd.DataFrame(
        {
            "postcode": [
                f"Q{letters[i % 22]}{(i // 22) % 90 + 1} {(i // 1980) % 10}"
                f"{letters[(i // 19800) % 22]}{letters[(i // 435600) % 22]}"
                for i in range(n_areas)
            ],
            "easting": np.round(xy[:, 0]),
            "northing": np.round(xy[:, 1]),
        }
    )
    postcodes.to_csv(folder / "postcodes.csv", index=False)
    config.write_text(_config_text(folder), encoding="utf-8")
    (folder / "MADE").write_text(tag)
    return config


def _config_text(folder: Path) -> str:
    """The shipped config.toml, pointed at the national files (no centres, no roads, and
    none of the demo's family hub network, early years register or deprivation deciles,
    which are files of the demo county)."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    sections = re.split(r"(?m)^(?=\[)", text)
    keep = []
    demo_only = ("centres", "roads", "hubs", "hub_services", "core_offer", "childcare")
    for section in sections:
        head = section.split("]", 1)[0].lstrip("[")
        if head.split(".")[0] in demo_only:
            continue
        if head.startswith("indicators.") and re.search(r'(?m)^path = "data/demo/', section):
            continue  # an indicator read from a demo file of its own
        keep.append(section)
    text = "".join(keep)
    paths = {
        "areas": "areas.gpkg",
        "need": "need.csv",
        "services": "services.csv",
        "postcodes": "postcodes.csv",
    }
    for section, name in paths.items():
        text = re.sub(
            rf'(?ms)(^\[{section}\]\s*\n(?:(?!\[).)*?^path = )"[^"]*"',
            rf'\1"{(folder / name).as_posix()}"',
            text,
        )
    text = re.sub(r'(?m)^name = "demo"', 'name = "national"', text)
    runs = (folder / "runs").as_posix()
    text = re.sub(r'(?m)^output_dir = "maps"', f'output_dir = "{runs}"', text)
    text = re.sub(r'(?m)^description = "[^"]*"', 'description = "Synthetic national county"', text)
    text = re.sub(r'(?m)^candidates = "[^"]*"', 'candidates = ""', text)
    # the demo's gazetteer is not England's: the map finds districts, areas and services
    return re.sub(r'(?m)^gazetteer = "[^"]*"', 'gazetteer = ""', text)
