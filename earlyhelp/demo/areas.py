"""Small areas (like LSOAs) and the districts they make up.

Areas are Voronoi cells about seed points clustered on the towns and villages, clipped to
the outline; districts are about ten compact, contiguous groups of areas of similar size.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from earlyhelp.demo.geometry import (
    BOX,
    CENTRE,
    CRS,
    cross,
    dist,
    gaussian_in,
    points_in,
    round_geoms,
)
from earlyhelp.demo.land import Land

# District names for districts without a town.
_LANDSCAPES = (
    "Wyvern Wolds",
    "Gryphon Fells",
    "Sprite Marshes",
    "Hollowmist Moors",
    "Lantern Levels",
    "Dapple Heath",
    "Glimmer Vale",
    "Rune Downs",
    "Ember Coast",
    "Wisp Carrs",
)


@dataclass(frozen=True)
class Areas:
    """Small areas in output order, with what later stages need to know about them."""

    gdf: gpd.GeoDataFrame
    rep: np.ndarray  # (n, 2) representative points, rounded to 1 m
    adj: sparse.csr_array  # edge adjacency
    urban: np.ndarray
    town: np.ndarray  # index of the nearest town
    district: np.ndarray  # 0-based district index (code order)
    district_codes: list[str]
    district_names: list[str]


def draw_areas(rng: np.random.Generator, land: Land) -> Areas:
    """The small areas, their districts, codes and names, in output order."""
    towns = land.towns
    t_xy = towns[["x", "y"]].to_numpy()
    t_sigma = towns["sigma_m"].to_numpy()
    geoms = _tessellate(_area_seeds(rng, land), land.outline)
    rep = np.round(shapely.get_coordinates(shapely.point_on_surface(geoms)))
    adj = _adjacency(geoms)
    d_town = cross(rep, t_xy)
    town = d_town.argmin(axis=1)
    urban = (d_town / t_sigma).min(axis=1) <= 2.2
    district, order = _numbered_districts(rep, adj)
    geoms, rep, urban, town, district = (a[order] for a in (geoms, rep, urban, town, district))
    adj = sparse.csr_array(adj[order][:, order])
    k = int(district.max()) + 1
    names = _district_names(rng, towns, rep, district, k)
    codes = [f"X07{d + 1:06d}" for d in range(k)]

    rank = pd.Series(district).groupby(district).cumcount().to_numpy()
    dname = np.array(names, dtype=object)[district]
    area_name = [
        f"{dn} {r // 5 + 1:03d}{'ABCDE'[r % 5]}" for dn, r in zip(dname, rank, strict=True)
    ]
    gdf = gpd.GeoDataFrame(
        {
            "area_code": [f"X01{i + 1:06d}" for i in range(len(geoms))],
            "area_name": area_name,
            "district_code": np.array(codes, dtype=object)[district].astype(str),
            "district_name": dname.astype(str),
            "locality": towns["name"].to_numpy()[town].astype(str),
            "rural_urban": np.where(urban, "urban", "rural"),
        },
        geometry=geoms,
        crs=CRS,
    )
    return Areas(gdf, rep, adj, urban, town, district, codes, names)


def containing_area(areas: Areas, xy: np.ndarray) -> np.ndarray:
    """Index of the area containing each point (nearest area for the odd point outside)."""
    tree = shapely.STRtree(areas.gdf.geometry.to_numpy())
    pts = shapely.points(xy.astype(float))
    found, hit = tree.query(pts, predicate="within")
    out = np.full(len(xy), -1)
    out[found] = hit
    lost = out < 0
    if lost.any():
        out[lost] = tree.nearest(pts[lost])
    return out


def _area_seeds(rng: np.random.Generator, land: Land) -> np.ndarray:
    """Seed points, dense in towns, a pair per village and a scatter over the rest; none
    within 150 m of another; rounded to 1 m."""
    towns = land.towns
    t_xy = towns[["x", "y"]].to_numpy()
    t_sigma = towns["sigma_m"].to_numpy()
    n_pts = towns["n_points"].to_numpy()
    v_xy = land.villages[["x", "y"]].to_numpy()
    parts = [
        gaussian_in(rng, land.outline, np.repeat(t_xy, n_pts, axis=0), np.repeat(t_sigma, n_pts)),
        gaussian_in(rng, land.outline, np.repeat(v_xy, 2, axis=0), np.full(2 * len(v_xy), 450.0)),
        points_in(rng, land.outline, 360),
    ]
    seeds = np.vstack(parts)
    pairs = cKDTree(seeds).query_pairs(150.0, output_type="ndarray")
    keep = np.ones(len(seeds), dtype=bool)
    keep[pairs.max(axis=1)] = False
    return np.round(seeds[keep])


def _tessellate(seeds: np.ndarray, outline: shapely.Polygon) -> np.ndarray:
    """Voronoi cells of ``seeds`` clipped to the outline, one polygon each, on a 1 m grid."""
    extent = shapely.box(*BOX).buffer(20_000.0)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=extent, ordered=True)
    )
    cells = round_geoms(shapely.intersection(round_geoms(cells), outline))
    # A cell cut in two by a bay of the outline keeps only its larger part.
    parts, idx = shapely.get_parts(cells, return_index=True)
    best = pd.Series(shapely.area(parts)).groupby(idx).idxmax().to_numpy()
    cells = parts[best]
    bad = ~shapely.is_valid(cells)
    if bad.any():
        cells[bad] = shapely.make_valid(cells[bad])
    return cells


def _adjacency(geoms: np.ndarray) -> sparse.csr_array:
    """Symmetric matrix of areas that share a boundary longer than 1 m."""
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(geoms[i]), shapely.boundary(geoms[j]))
    )
    i, j = i[shared > 1.0], j[shared > 1.0]
    n = len(geoms)
    a = sparse.coo_array((np.ones(2 * i.size, dtype=bool), (np.r_[i, j], np.r_[j, i])), (n, n))
    return sparse.csr_array(a)


def _numbered_districts(rep: np.ndarray, adj: sparse.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Each area's district, numbered north to south, and the output order of the areas:
    by district, then in a snake over 4 km bands (west to east, then back)."""
    label = _districts(rep, adj, k=10)
    k = label.max() + 1
    cx = np.bincount(label, rep[:, 0], k) / np.bincount(label, minlength=k)
    cy = np.bincount(label, rep[:, 1], k) / np.bincount(label, minlength=k)
    d_order = np.lexsort((cx, -np.round(cy, -3)))
    rank_of = np.empty(k, dtype=int)
    rank_of[d_order] = np.arange(k)
    district = rank_of[label]
    band = np.floor((BOX[3] - rep[:, 1]) / 4_000.0).astype(int)
    order = np.lexsort((np.where(band % 2 == 0, rep[:, 0], -rep[:, 0]), band, district))
    return district, order


def _districts(rep: np.ndarray, adj: sparse.csr_array, *, k: int) -> np.ndarray:
    """About ``k`` compact districts of similar size, each contiguous."""
    seeds = [rep[np.argmin(dist(rep, CENTRE))]]
    for _ in range(k - 1):  # farthest-point start, then Lloyd iterations
        seeds.append(rep[np.argmax(cKDTree(np.asarray(seeds)).query(rep)[0])])
    centres = np.asarray(seeds)
    offset = np.zeros(k)  # power-diagram weights (m^2) that even out district sizes
    target = len(rep) / k
    for _ in range(60):
        label = (cross(rep, centres) ** 2 + offset).argmin(axis=1)
        counts = np.bincount(label, minlength=k)
        offset += 4_000.0**2 * (counts - target) / target
        centres = np.c_[
            np.bincount(label, rep[:, 0], k) / np.maximum(counts, 1),
            np.bincount(label, rep[:, 1], k) / np.maximum(counts, 1),
        ]
    label = (cross(rep, centres) ** 2 + offset).argmin(axis=1)
    return _make_contiguous(label, adj)


def _make_contiguous(label: np.ndarray, adj: sparse.csr_array) -> np.ndarray:
    """Move every detached piece of a district to the neighbour it borders most."""
    label = label.copy()
    for _ in range(20):
        moved = False
        for d in np.unique(label):
            members = np.flatnonzero(label == d)
            n_comp, comp = csgraph.connected_components(adj[members][:, members], directed=False)
            if n_comp == 1:
                continue
            main = np.argmax(np.bincount(comp))
            for c in range(n_comp):
                if c == main:
                    continue
                piece = members[comp == c]
                neighbours = adj[piece].indices
                others = label[neighbours][label[neighbours] != d]
                if others.size:
                    label[piece] = np.bincount(others).argmax()
                    moved = True
        if not moved:
            break
    return np.unique(label, return_inverse=True)[1]


def _district_names(
    rng: np.random.Generator, towns: pd.DataFrame, rep: np.ndarray, district: np.ndarray, k: int
) -> list[str]:
    """Each district named after the largest town whose centre lies in it, else a landscape."""
    n_pts = towns["n_points"].to_numpy()
    centre_district = district[cKDTree(rep).query(towns[["x", "y"]].to_numpy())[1]]
    names: list[str] = []
    spare = iter(rng.permutation(np.array(_LANDSCAPES)).tolist())
    for d in range(k):
        inside = np.flatnonzero(centre_district == d)
        names.append(
            str(towns["name"].iloc[inside[np.argmax(n_pts[inside])]])
            if inside.size
            else next(spare)
        )
    return names
