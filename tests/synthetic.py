"""A small synthetic county for testing and benchmarking the board map (test data: the
tests import it as ``synthetic``, the benchmarks put ``tests/`` on their path).

A grid of square areas (or, with ``wiggle``, a Voronoi tessellation with wavy edges, as
real boundaries have) in EPSG:27700 around eastings 600-660 km and northings 465-525 km,
already disclosure-controlled like a published table, with services around it. Every
random draw comes from ``seed``.

>>> county = synthetic_county(6, 6, services=12)
>>> len(county.areas), len(county.services)
(36, 12)
"""

from __future__ import annotations

__all__ = ["HOSTILE_TEXT", "PRIORITIES", "SyntheticCounty", "synthetic_county"]

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from earlyhelp.config import CategoryConfig
from earlyhelp.maps.classes import MapLayer
from earlyhelp.sufficiency import PRIORITY_CLASSES

_X0, _Y0, _SIZE = 600_000.0, 465_000.0, 60_000.0
_CATEGORIES = {
    "childrens_centre": CategoryConfig(label="Children's centre", colour="#1b9e77"),
    "family_support": CategoryConfig(label="Family support", colour="#d95f02"),
    "parenting": CategoryConfig(label="Parenting programmes", colour="#7570b3"),
    "domestic_abuse": CategoryConfig(label="Domestic abuse support", colour="#e7298a"),
}
PRIORITIES = PRIORITY_CLASSES  # the classes the board map shows, as sufficiency names them

# Outside text that tries to run script in the browser, Python through Jinja, or code in
# a JavaScript template literal; a safe map shows each of them as plain text.
HOSTILE_TEXT = (
    "<script>window.__pwned = true</script>",
    '<img src=x onerror="window.__pwned=true">',
    "<svg onload=alert(1)>",
    "Sure Start {{ 7*7 }} Centre",
    "{{ self.__init__.__globals__ }}",
    "Loop {% for x in range(3) %}x{% endfor %} End",
    "{# a comment #}Hidden",
    "Back`tick ${alert(1)} `+alert(1)+`",
    'Quote" onmouseover="alert(1)',
    "Single' onfocus='alert(1)' autofocus='",
    "</script><script>window.__pwned=true</script>",
    "<!-- Bridge",
    "Tots & Teens <b>bold</b>",
    "Back\\slash \\u0061 \\`",
    "javascript:alert(1)",
)


@dataclass(frozen=True)
class SyntheticCounty:
    """Areas, services, the layers to draw and the taxonomy."""

    areas: gpd.GeoDataFrame
    services: gpd.GeoDataFrame
    layers: tuple[MapLayer, ...]
    categories: dict[str, CategoryConfig]


def _grid(nx: int, ny: int) -> list:
    w, h = _SIZE / nx, _SIZE / ny
    return [
        box(_X0 + i * w, _Y0 + j * h, _X0 + (i + 1) * w, _Y0 + (j + 1) * h)
        for j in range(ny)
        for i in range(nx)
    ]


def _wavy(nx: int, ny: int, rng: np.random.Generator) -> list:
    """Voronoi cells with wavy edges; shared edges stay shared (same vertices moved alike)."""
    n = nx * ny
    pts = shapely.points(rng.uniform(_X0, _X0 + _SIZE, n), rng.uniform(_Y0, _Y0 + _SIZE, n))
    frame = box(_X0, _Y0, _X0 + _SIZE, _Y0 + _SIZE)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame))
    cells = shapely.intersection(cells, frame)
    # Wave the shared edges once each (a noded line network), then rebuild the cells
    # from them, so neighbours keep identical edges: a valid coverage, like real data.
    edges = shapely.segmentize(shapely.union_all(shapely.boundary(cells)), 40.0)

    def wave(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        inside = (x > _X0 + 1) & (x < _X0 + _SIZE - 1) & (y > _Y0 + 1) & (y < _Y0 + _SIZE - 1)
        dx = 20 * np.sin(y / 97.0) + 10 * np.sin(y / 23.0)
        dy = 20 * np.cos(x / 89.0) + 10 * np.cos(x / 29.0)
        return np.column_stack([x + dx * inside, y + dy * inside])

    cells = shapely.get_parts(shapely.polygonize([shapely.transform(edges, wave)]))
    # order west to east, south to north, like the grid
    c = shapely.centroid(cells)
    order = np.lexsort((shapely.get_x(c), np.floor((shapely.get_y(c) - _Y0) / (_SIZE / ny))))
    return list(cells[order])


def synthetic_county(
    nx: int = 6,
    ny: int = 6,
    *,
    services: int = 12,
    seed: int = 2011,
    wiggle: bool = False,
    names: Sequence[str] = (),
    categories: Mapping[str, CategoryConfig] | None = None,
) -> SyntheticCounty:
    """A county of ``nx`` x ``ny`` areas in 3 districts (west to east) and its services.

    ``names`` replace the first service names (for hostile-text tests). Counts of 1 to 5
    children arrive as ``"*"``, as disclosure control publishes them; some cells are
    missing. Every fifth service is a children's centre responsible for the areas
    nearest to it; the others offer one or two of the other ``categories`` (by default
    four of them).
    """
    categories = dict(categories or _CATEGORIES)
    rng = np.random.default_rng(seed)
    geoms = _wavy(nx, ny, rng) if wiggle else _grid(nx, ny)
    n = len(geoms)
    centroids = shapely.centroid(np.asarray(geoms))
    x = shapely.get_x(centroids)
    third = np.clip(((x - _X0) / (_SIZE / 3)).astype(int), 0, 2)
    children = rng.integers(0, 400, n)
    children_text = np.where((children >= 1) & (children <= 5), "*", children.astype(str))
    need = rng.gamma(2.0, 10.0, n).round(1)
    access = rng.uniform(0, 100, n).round(0)
    access[rng.random(n) < 0.05] = np.nan
    cp = rng.integers(0, 12, n)
    cp_text = np.where((cp >= 1) & (cp <= 5), "*", cp.astype(str)).astype(object)
    cp_text[rng.random(n) < 0.05] = None
    priority = np.array(PRIORITIES, dtype=object)[rng.integers(0, 4, n)]
    areas = gpd.GeoDataFrame(
        {
            "area_code": [f"E01{i + 1:06d}" for i in range(n)],
            "area_name": [f"Area {i + 1:03d}" for i in range(n)],
            "district_code": [f"E0700000{d + 1}" for d in third],
            "district_name": [("Westmarch", "Midvale", "Eastholm")[d] for d in third],
            "children": pd.array(children_text, dtype="string"),
            "need_index": need,
            "access_parenting": access,
            "cp_plans": cp_text,
            "priority": priority,
            "nearest_help": [f"{d:.1f} km to family support" for d in rng.uniform(0.2, 9, n)],
        },
        geometry=geoms,
        crs="EPSG:27700",
    ).set_index("area_code")

    centre = "childrens_centre" if "childrens_centre" in categories else next(iter(categories))
    others = [k for k in categories if k != centre] or [centre]
    sx = rng.uniform(_X0 + 500, _X0 + _SIZE - 500, services)
    sy = rng.uniform(_Y0 + 500, _Y0 + _SIZE - 500, services)
    points = gpd.GeoSeries(gpd.points_from_xy(sx, sy), crs="EPSG:27700")
    cats, reach = [], []
    for i in range(services):
        if i % 5 == 0:
            cats.append([centre])
            d = areas.geometry.centroid.distance(points.iloc[i]).sort_values()
            reach.append(list(d.index[: max(1, n // max(services // 5, 1))]))
        else:
            first, second = others[i % len(others)], others[(i + 1) % len(others)]
            cats.append([first] + ([second] if i % 4 == 0 and second != first else []))
            reach.append([])
    base = [f"Service {i + 1:03d}" for i in range(services)]
    given = list(names)[:services]
    frame = gpd.GeoDataFrame(
        {
            "service_id": [f"S{i + 1:04d}" for i in range(services)],
            "name": given + base[len(given) :],
            "provider": [f"Provider {i % 7}" for i in range(services)],
            "sector": ["voluntary", "statutory", "community"] * (services // 3)
            + ["voluntary"] * (services % 3),
            "categories": cats,
            "min_age": [0.0] * services,
            "max_age": [float(5 + i % 14) for i in range(services)],
            "delivery": ["in_person"] * services,
            "status": ["active"] * services,
            "reach_areas": reach,
            "opening_times": ["Mon-Fri 9:00-17:00"] * services,
            "contact": [f"01632 960{i:03d}" for i in range(services)],
            "notes": ["internal note: not for the map"] * services,
        },
        geometry=points.to_numpy(),
        crs="EPSG:27700",
    ).set_index("service_id")
    layers = (
        MapLayer("children", "Children aged 0 to 19", note="Children living in the area."),
        MapLayer("need_index", "Need index", fmt="{:.1f}"),
        MapLayer(
            "access_parenting",
            "Access to parenting programmes",
            fmt="{:.0f}",
            higher_is_worse=False,
        ),
        MapLayer("cp_plans", "Child protection plans"),
        MapLayer(
            "priority",
            "Priority for early help",
            kind="categorical",
            categories_order=PRIORITIES,
        ),
    )
    return SyntheticCounty(areas=areas, services=frame, layers=layers, categories=categories)
