"""Where the demo county lies, and the point arithmetic every stage draws with.

All coordinates are British National Grid (EPSG:27700) metres; all distances are
straight-line metres.
"""

from __future__ import annotations

import numpy as np
import shapely

CRS = "EPSG:27700"
BOX = (600_000.0, 465_000.0, 660_000.0, 525_000.0)  # open North Sea, lon 1-2E, lat 54-54.6N
CENTRE = np.array([630_000.0, 495_000.0])


def dist(points: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Distance (m) from each of ``points`` (n, 2) to one point ``xy``."""
    return np.hypot(points[:, 0] - xy[0], points[:, 1] - xy[1])


def dist_to(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise distance (m) between points ``a`` and ``b``, both (n, 2)."""
    return np.hypot(a[:, 0] - b[:, 0], a[:, 1] - b[:, 1])


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance matrix (m) between points ``a`` (n, 2) and ``b`` (m, 2)."""
    return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])


def round_geoms(geoms: np.ndarray) -> np.ndarray:
    """Coordinates rounded to 1 m, repeated vertices dropped."""
    return shapely.remove_repeated_points(shapely.transform(geoms, np.round))


def points_in(rng: np.random.Generator, poly: shapely.Polygon, n: int) -> np.ndarray:
    """``n`` uniform random points inside ``poly``."""
    x0, y0, x1, y1 = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy = rng.uniform((x0, y0), (x1, y1), (3 * n, 2))
        out = np.vstack([out, xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]])
    return out[:n]


def gaussian_in(
    rng: np.random.Generator, poly: shapely.Polygon, centres: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """One Gaussian point about each row of ``centres``, redrawn until inside ``poly``."""
    out = np.empty_like(centres)
    todo = np.arange(len(centres))
    while todo.size:
        xy = centres[todo] + rng.normal(0.0, 1.0, (todo.size, 2)) * sigma[todo, None]
        ok = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
        out[todo[ok]] = xy[ok]
        todo = todo[~ok]
    return out


def greedy_spread(points: np.ndarray, min_gap: np.ndarray | float, limit: int) -> list[int]:
    """Indices of ``points`` taken in order, skipping any closer than ``min_gap`` to one taken."""
    taken: list[int] = []
    for i in range(len(points)):
        if taken:
            d = dist(points[taken], points[i])
            if np.any(d < (min_gap if np.isscalar(min_gap) else np.asarray(min_gap)[taken])):
                continue
        taken.append(i)
        if len(taken) == limit:
            break
    return taken
