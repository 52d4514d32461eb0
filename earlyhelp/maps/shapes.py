"""Shapes for display: simplified with their topology kept, in degrees, rounded.

Boundaries are simplified in the analysis CRS (metres) as one coverage, so neighbouring
areas still share their edges exactly, then converted to EPSG:4326 only to draw, and
rounded to 5 decimal places (about a metre), which is finer than any screen shows.
"""

from __future__ import annotations

__all__ = [
    "DECIMALS",
    "check_projected",
    "finish_early",
    "geometry_jsons",
    "simplify_coverage",
    "simplify_coverage_early",
    "to_display",
    "union",
    "union_by",
]

import contextlib
import os
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from earlyhelp.errors import InputError

DECIMALS = 5  # about 1 m in latitude; enough for any screen
T = TypeVar("T")


def check_projected(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, what: str) -> None:
    """Refuse shapes without a CRS, or in degrees (simplifying needs metres)."""
    if frame.crs is None:
        raise InputError(
            f"{what}: the shapes have no CRS; load them through earlyhelp.loading, or "
            'set it with .set_crs("EPSG:27700")'
        )
    if not frame.crs.is_projected:
        raise InputError(
            f"{what}: the shapes are in degrees ({frame.crs.to_string()}); the map "
            'simplifies in metres, so reproject them first: .to_crs("EPSG:27700")'
        )


def simplify_coverage(geoms: gpd.GeoSeries, *, tolerance_m: float) -> gpd.GeoSeries:
    """Simplify polygons that tile an area together, keeping shared edges shared.

    Uses GEOS coverage simplification (Visvalingam-Whyatt; ``tolerance_m`` is roughly
    the square root of the largest triangle area removed, in metres). Shapes that are
    not a clean coverage fall back to simplifying each shape on its own, with a warning.
    When :func:`simplify_coverage_early` was given these very shapes, its result is
    taken (waiting for it if it is not done yet).
    """
    if tolerance_m <= 0 or len(geoms) == 0:
        return geoms
    values = np.asarray(geoms.values)
    early = _EARLY.pop(tolerance_m, None)
    if early is None or not _same_shapes(early[0], values):
        out, clean = _simplified(values, tolerance_m)
    elif early[2] == os.getpid():  # this process's thread: wait for it
        out, clean = early[1].result()
    else:  # forked from it: a result made before the fork, read without the future's lock
        out, clean = early[3][0] if early[3] else _simplified(values, tolerance_m)
    if not clean or out is None:
        warnings.warn(
            "area boundaries are not a clean coverage (they overlap or have gaps); "
            "each was simplified on its own, so neighbours may not meet exactly",
            stacklevel=2,
        )
        out = shapely.simplify(values, tolerance_m, preserve_topology=True)
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


# shapes being simplified ahead of their map, by tolerance: the shapes, their result,
# the process simplifying them, and the result again once made, in a plain list (a process
# forked meanwhile reads it without the future's lock, which the thread may have held
# at the fork: the thread is not in that process)
_Simplified = tuple[np.ndarray | None, bool]
_EARLY: dict[float, tuple[np.ndarray, Future[_Simplified], int, list[_Simplified]]] = {}


def simplify_coverage_early(geoms: gpd.GeoSeries, *, tolerance_m: float) -> None:
    """Start :func:`simplify_coverage` of ``geoms`` now, in a background thread: GEOS lets
    go of Python, so on a second core it runs beside the analysis (at England scale about
    ten seconds that the board map would otherwise wait for). The map's own call takes
    the result when it is given the very same shapes (the same objects, in the same
    order); otherwise it simplifies what it is given, as without this."""
    if tolerance_m <= 0 or len(geoms) == 0:
        return
    values = np.asarray(geoms.values).copy()  # holds the shapes: compared by identity
    made: list[_Simplified] = []

    def simplified() -> _Simplified:
        made.append(_simplified(values, tolerance_m))
        return made[0]

    _EARLY[tolerance_m] = (values, _in_thread(simplified), os.getpid(), made)


def _in_thread(fn: Callable[..., T], *args: Any) -> Future[T]:
    """``fn(*args)`` in a thread of its own whose result (or error) the future holds. The
    thread is a daemon: a run that stops meanwhile (bad input found while the shapes are
    being simplified) exits at once instead of waiting for GEOS to finish."""
    future: Future[T] = Future()

    def work() -> None:
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # raised again where the result is taken
            future.set_exception(exc)

    threading.Thread(target=work, name="earlyhelp-simplify", daemon=True).start()
    return future


def finish_early() -> None:
    """Wait for shapes still being simplified ahead (:func:`simplify_coverage_early`): a
    process forked later then inherits the result; one forked meanwhile does not wait
    for it, and simplifies the shapes itself if it draws them."""
    for _, future, _, _ in list(_EARLY.values()):
        with contextlib.suppress(Exception):  # raised again where the result is taken
            future.result()


def _same_shapes(a: np.ndarray, b: np.ndarray) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _simplified(values: np.ndarray, tolerance_m: float) -> tuple[np.ndarray | None, bool]:
    """The coverage simplified (None where GEOS fails) and whether the shapes are a clean
    coverage, checked beside the simplifying (two GEOS calls at once); what it gave is
    used only if they are."""
    checking = _in_thread(shapely.coverage_is_valid, values)
    out = _coverage_simplified(values, tolerance_m)
    try:
        clean = bool(checking.result())
    except (shapely.errors.GEOSException, ValueError):
        clean = False
    return out, clean


def _coverage_simplified(values: np.ndarray, tolerance_m: float) -> np.ndarray | None:
    """GEOS coverage simplification, or None where it fails or gives invalid shapes."""
    try:
        with np.errstate(all="ignore"):  # not warnings.catch_warnings: safe in a thread
            out = shapely.coverage_simplify(values, tolerance_m)
    except (shapely.errors.GEOSException, ValueError):
        return None
    return out if shapely.is_valid(out).all() else None


def union_by(geoms: gpd.GeoSeries, keys: pd.Series) -> gpd.GeoSeries:
    """Union of the shapes sharing each key (a coverage union: fast, edges dissolve)."""
    groups = pd.Series(np.arange(len(geoms)), index=geoms.index).groupby(
        keys.to_numpy(), sort=False
    )
    values = np.asarray(geoms.values)
    merged = {key: union(values[positions.to_numpy()]) for key, positions in groups}
    return gpd.GeoSeries(list(merged.values()), index=list(merged.keys()), crs=geoms.crs)


def union(parts: np.ndarray):
    """Union of polygons: a fast coverage union, or a full union where GEOS refuses it
    (coverage union needs the parts exactly noded, which real boundaries may not be)."""
    try:
        return shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        return shapely.union_all(parts)


def to_display(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Shapes in EPSG:4326 rounded to :data:`DECIMALS`, repeated points removed."""
    out = geoms.to_crs("EPSG:4326")
    values = shapely.transform(np.asarray(out.values), lambda xy: np.round(xy, DECIMALS))
    try:
        values = shapely.remove_repeated_points(values)
    except shapely.errors.GEOSException:  # a sliver ring rounded to fewer than 3 points
        values = np.array([_without_repeats(g) for g in values], dtype=object)
    return gpd.GeoSeries(values, index=geoms.index, crs="EPSG:4326")


def _without_repeats(geom: Any) -> Any:
    """One shape without repeated points; where a ring collapses, the shape made valid."""
    try:
        return shapely.remove_repeated_points(geom)
    except shapely.errors.GEOSException:
        return shapely.make_valid(geom)


def geometry_jsons(geoms: gpd.GeoSeries | np.ndarray) -> list[dict | None]:
    """The GeoJSON geometry of each shape, None where it is missing or empty: JSON writes
    it as it writes shapely's own GeoJSON (coordinates as the shortest decimal of each
    float).

    The coordinates of flat polygons and multipolygons (all a board map draws) are read
    for all the shapes at once; shapely's own GeoJSON reads them point by point, five
    times as slow for a district page of England. Any other shape is shapely's own.
    """
    values = np.asarray(geoms, dtype=object)
    out: list[dict | None] = [None] * len(values)
    kind = shapely.get_type_id(values)  # -1 where a shape is missing
    drawn = (kind >= 0) & ~shapely.is_empty(values)
    polygonal = drawn & np.isin(kind, (_POLYGON, _MULTIPOLYGON)) & ~shapely.has_z(values)
    for i in np.flatnonzero(drawn & ~polygonal).tolist():
        out[i] = mapping(values[i])
    where = np.flatnonzero(polygonal)
    parts, shape_of = shapely.get_parts(values[where], return_index=True)
    rings, part_of = shapely.get_rings(parts, return_index=True)
    counts = shapely.get_num_coordinates(rings)
    ends = np.cumsum(counts)
    # (x, y) tuples, as shapely's own: tuples of numbers the garbage collector soon
    # stops watching (lists it would keep counting, and a page holds thousands)
    x, y = shapely.get_coordinates(rings).T.tolist()
    points = list(zip(x, y, strict=True))
    polygons: list[list] = [[] for _ in parts]
    for p, start, end in zip(
        part_of.tolist(), (ends - counts).tolist(), ends.tolist(), strict=True
    ):
        polygons[p].append(points[start:end])
    members: list[list] = [[] for _ in where]
    for s, polygon in zip(shape_of.tolist(), polygons, strict=True):
        members[s].append(polygon or [[]])  # an empty part: shapely writes an empty ring
    single = (kind[where] == _POLYGON).tolist()
    for i, own, one in zip(where.tolist(), members, single, strict=True):
        if one:
            out[i] = {"type": "Polygon", "coordinates": own[0]}
        else:
            out[i] = {"type": "MultiPolygon", "coordinates": own}
    return out


# shapely's type numbers as plain integers (numpy compares an enum member slowly)
_POLYGON, _MULTIPOLYGON = int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON)
