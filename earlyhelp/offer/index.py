"""The offer index: one family's offer in a fraction of a second, without the directory.

:func:`~earlyhelp.offer.finder.find_offer` reads the whole directory (every service,
postcode and small-area polygon) and validates it, which at England scale takes seconds
and a gigabyte, for one family. An *offer index* is what the offer needs of those
inputs, made once by a run (or ``earlyhelp offer --build-index``) into
``<run folder>/offer_index/``: ``.npy`` arrays
(:func:`~earlyhelp.offer.indexing.index_arrays` makes them) and ``meta.json``.

:func:`answer` answers one family from it, giving the same offer as
:func:`~earlyhelp.offer.finder.find_offer` (``tests/test_offer_index.py`` compares
them), as a :class:`~earlyhelp.offer.plain.PlainOffer`. It reads the arrays with the
standard library alone (memory-mapped, so a question reads only the pages it touches):
no numpy, pandas or geopandas, so that ``earlyhelp offer`` answers in a fresh process
without loading them (shapely and pyproj only for a location given by coordinates).

It measures the distance only to the services near the family: the index keeps each
kind's in-person and outreach services by square of a grid, and :func:`_near` searches
the squares outwards from the family's until none further out could be within reach or
come before the services already found in the list. Counts over a whole kind (the
services taking the child's age) come from sorted ages, without reading every service.

An index is used only while it matches: the same input files (size and modification
time) read with the same settings. :func:`answer` returns None otherwise, for a distance
model other than straight-line distance, or for an index this reader cannot read, and
the caller reads the directory.
"""

from __future__ import annotations

__all__ = ["INDEX_VERSION", "TEXT_COLUMNS", "answer", "family_offer", "quick_answer"]

import bisect
import itertools
import math
import mmap
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from earlyhelp.errors import InputError
from earlyhelp.offer.meta import (
    INDEX_VERSION,
    index_meta,
    offer_settings,
    read_meta,
    run_folder,
    settings_if_unchanged,
)
from earlyhelp.offer.plain import PlainOffer, need_line
from earlyhelp.offer.words import (
    OUTSIDE_NOTE,
    age_notes,
    check_location,
    check_request,
    message,
    no_postcode_lookup,
    normal_postcode,
    not_a_postcode,
    parse_needs,
    terminated_note,
    unknown_postcode,
)

if TYPE_CHECKING:  # the configuration is not loaded to answer from an index
    from earlyhelp.config import Config

# the services' text columns kept in the index, in the order a listed service shows them
TEXT_COLUMNS = (
    "service_id",
    "name",
    "provider",
    "sector",
    "delivery",
    "opening_times",
    "contact",
    "notes",
)


# --------------------------------------------------------------------------------------
# Reading the arrays with the standard library
# --------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """An index file this reader does not read (a layout or byte order it does not know)."""


# numpy's type codes, as the index writes them, and the memoryview format of each
_FORMATS = {"<f8": ("d", 8), "<i8": ("q", 8), "|i1": ("b", 1), "|b1": ("?", 1), "|u1": ("B", 1)}
_HEADER = re.compile(
    r"'descr':\s*'([^']+)',\s*'fortran_order':\s*(True|False),\s*'shape':\s*\(([\d,\s]*)\)"
)


def _npy(path: Path) -> memoryview:
    """The values of a ``.npy`` file, memory-mapped, as one flat memoryview (row by row);
    :class:`_Unreadable` for a file this reader does not know."""
    with open(path, "rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    width = 2 if mapped[6] == 1 else 4  # format 1.0 or 2.0/3.0: the header's length
    start = 8 + width + int.from_bytes(mapped[8 : 8 + width], "little")
    found = _HEADER.search(mapped[8 + width : start].decode("latin-1"))
    if mapped[:6] != b"\x93NUMPY" or found is None or found[2] == "True":
        raise _Unreadable(path)
    if found[1] not in _FORMATS or (found[1][0] == "<" and sys.byteorder != "little"):
        raise _Unreadable(path)
    code, size = _FORMATS[found[1]]
    count = math.prod(int(n) for n in found[3].split(",") if n.strip())
    raw: Any = memoryview(mapped)[start : start + count * size]
    return raw.cast(code)


class _Index:
    """The arrays of an index folder, each memory-mapped when first used."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._arrays: dict[str, Any] = {}
        self._exists: dict[str, bool] = {}

    def __getitem__(self, name: str) -> Any:
        """Array ``name`` as a flat memoryview of Python numbers."""
        if name not in self._arrays:
            self._arrays[name] = _npy(self.folder / f"{name}.npy")
        return self._arrays[name]

    def has(self, name: str) -> bool:
        if name not in self._exists:  # looked up once: a family's answer reads many cells
            self._exists[name] = (self.folder / f"{name}.npy").exists()
        return self._exists[name]

    def text(self, column: str, i: int) -> Any:
        """Cell ``i`` of a text column (NaN where it was missing, as pandas gives it)."""
        if self.has(f"{column}_na") and self[f"{column}_na"][i]:
            return math.nan
        at = self[f"{column}_at"]
        return bytes(self[f"{column}_text"][at[i] : at[i + 1]]).decode("utf-8")

    def texts(self, column: str) -> _Texts:
        return _Texts(self, column)


class _Texts:
    """A text column as a sequence of str (for :mod:`bisect`)."""

    def __init__(self, index: _Index, column: str) -> None:
        self.index, self.column = index, column
        self.size = len(index[f"{column}_at"]) - 1

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> Any:
        return self.index.text(self.column, i)


# --------------------------------------------------------------------------------------
# Answering one family
# --------------------------------------------------------------------------------------


def answer(
    cfg: Config,
    folder: Path,
    *,
    age: int,
    needs: Any = None,
    limit: int = 5,
    postcode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    easting: float | None = None,
    northing: float | None = None,
) -> PlainOffer | None:
    """One family's offer from the index in ``folder``, or None when there is no index
    there, it does not match ``cfg``'s inputs and settings, this reader cannot read it,
    or the distance model is not straight-line distance (the caller then reads the
    directory). A request the directory would refuse raises the same
    :class:`~earlyhelp.errors.InputError`."""
    meta = read_meta(folder)
    if meta is None:
        return None
    if {k: meta.get(k) for k in ("version", "files", "settings")} != index_meta(cfg):
        return None
    where = {"postcode": postcode, "lat": lat, "lon": lon, "easting": easting}
    return _answer(
        offer_settings(cfg), folder, meta, age=age, needs=needs, limit=limit, northing=northing,
        **where,
    )  # fmt: skip


def quick_answer(config: Path, folder: Path | None = None, **family: Any) -> PlainOffer | None:
    """:func:`answer` without loading the configuration: from the offer index in
    ``folder`` (default the run folder's ``offer_index/``) made from the config file
    ``config`` as it is now, byte for byte, and from input files as they are now, with
    the settings kept in its ``meta.json``; else None (``family`` as :func:`answer`
    takes it)."""
    try:
        text = Path(config).read_bytes()
    except OSError:
        return None
    if folder is None:
        run = run_folder(config, text)
        if run is None:
            return None
        folder = run / "offer_index"
    meta = read_meta(Path(folder))
    settings = None if meta is None else settings_if_unchanged(config, text, meta)
    if meta is None or settings is None:
        return None
    return _answer(settings, Path(folder), meta, **family)


def _answer(
    settings: dict[str, Any],
    folder: Path,
    meta: dict[str, Any],
    *,
    age: int,
    needs: Any = None,
    limit: int = 5,
    **where: Any,
) -> PlainOffer | None:
    """One family's offer from a matching index, with the answer's ``settings``
    (:func:`~earlyhelp.offer.meta.offer_settings`); ``where``: one location."""
    if settings["distance_model"] != "euclidean":
        return None
    check_request(age, limit)
    categories = {c["key"]: SimpleNamespace(**c) for c in settings["categories"]}
    keys = parse_needs(needs, categories)
    index = _Index(folder)
    try:
        place = _locate(index, settings, **where)
        return _offer(index, settings, categories, meta, place, age=age, keys=keys, limit=limit)
    except (_Unreadable, OSError, ValueError):  # a file missing, cut short or unknown
        return None


def family_offer(cfg: Config, *, index: Path | None = None, **family: Any) -> PlainOffer:
    """One family's offer (``family``: ``age``, ``needs``, ``limit`` and one location, as
    :func:`answer` takes them): from the offer index in ``index`` (default the run
    folder's ``offer_index/``) when it matches, else from the whole directory."""
    folder = Path(index) if index is not None else cfg.run_dir / "offer_index"
    found = answer(cfg, folder, **family)
    if found is not None:
        return found
    from earlyhelp.offer.directory import load_directory, locate
    from earlyhelp.offer.finder import find_offer
    from earlyhelp.offer.formats import as_plain

    where = {k: family.get(k) for k in ("postcode", "lat", "lon", "easting", "northing")}
    directory = load_directory(cfg)
    place = locate(directory, **where)
    offer = find_offer(
        directory,
        place,
        age=family["age"],
        needs=family.get("needs"),
        limit=family.get("limit", 5),
    )
    return as_plain(offer)


def _locate(
    index: _Index,
    settings: dict[str, Any],
    *,
    postcode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    easting: float | None = None,
    northing: float | None = None,
) -> dict:
    """Where the family lives, as :func:`~earlyhelp.offer.directory.locate` places it."""
    lookup = None if settings["postcodes"] is None else Path(settings["postcodes"])
    kind = check_location(postcode=postcode, lat=lat, lon=lon, easting=easting, northing=northing)
    notes: list[str] = []
    terminated, code, area = False, None, -1
    if kind == "postcode":
        code = normal_postcode(str(postcode))
        if code is None:
            raise InputError(not_a_postcode(str(postcode)))
        if not index.has("postcode_at"):
            raise InputError(no_postcode_lookup(lookup))
        codes = index.texts("postcode")
        at = bisect.bisect_left(codes, code)
        if at >= len(codes) or codes[at] != code:
            raise InputError(unknown_postcode(code, lookup))
        x, y = float(index["postcode_x"][at]), float(index["postcode_y"][at])
        terminated = bool(index["postcode_terminated"][at])
        if terminated:
            notes.append(terminated_note(code))
        area = int(index["postcode_area"][at])
    else:
        src, (x, y) = (
            ("EPSG:4326", (float(lon), float(lat)))  # type: ignore[arg-type]
            if kind == "latlon"
            else ("EPSG:27700", (float(easting), float(northing)))  # type: ignore[arg-type]
        )
        x, y = _project(x, y, src, settings["crs"])
        area = _area_at(index, x, y)
    area_code = rural_urban = None
    if area >= 0:
        area_code = index.text("area_code", area)
        ru = index.text("area_ru", area)
        rural_urban = None if isinstance(ru, float) else str(ru)
    else:
        notes.append(OUTSIDE_NOTE)
    return {
        "x": x,
        "y": y,
        "postcode": code,
        "terminated": terminated,
        "area": area,
        "area_code": area_code,
        "rural_urban": rural_urban,
        "notes": notes,
    }


def _project(x: float, y: float, src: str, dst: str) -> tuple[float, float]:
    if src == dst:  # the same name: pyproj would find them equal and leave the point be
        return x, y
    from pyproj import CRS, Transformer

    if CRS.from_user_input(src).equals(CRS.from_user_input(dst)):
        return x, y
    tx, ty = Transformer.from_crs(src, dst, always_xy=True).transform(x, y)
    return float(tx), float(ty)


def _area_at(index: _Index, x: float, y: float) -> int:
    """The first small area holding the point (by position), or -1."""
    b = index["area_bounds"]  # xmin, ymin, xmax, ymax of each area, one after another
    bounds = (b[0::4].tolist(), b[1::4].tolist(), b[2::4].tolist(), b[3::4].tolist())
    corners = zip(*bounds, strict=True)
    near = [i for i, (x0, y0, x1, y1) in enumerate(corners) if x0 <= x <= x1 and y0 <= y <= y1]
    if not near:
        return -1
    import shapely

    at, wkb = index["area_wkb_at"], index["area_wkb"]
    point = shapely.Point(x, y)
    for i in near:  # in order: the first hit is the lowest position
        if shapely.from_wkb(bytes(wkb[at[i] : at[i + 1]])).intersects(point):
            return i
    return -1


def _offer(
    index: _Index,
    settings: dict[str, Any],
    categories: dict[str, Any],
    meta: dict[str, Any],
    place: dict[str, Any],
    *,
    age: int,
    keys: list[str],
    limit: int,
) -> PlainOffer:
    """:func:`~earlyhelp.offer.finder.find_offer` on the index's arrays."""
    unit = "m"
    extra = settings["outreach_extra"]
    names = index.texts("category")
    stored = [names[i] for i in range(len(names))]
    rows: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    notes = list(place["notes"])
    for key in keys:
        notes.extend(age_notes(categories[key], key, age))
        need_of = (categories[key], extra, settings["circuity"])
        listed, need = _one_need(index, stored.index(key), need_of, place, limit=limit, age=age)
        rows.extend(listed)
        summary.append(need)
    notes.extend(_responsible_centres(index, place))
    return PlainOffer(
        postcode=place["postcode"],
        terminated=place["terminated"],
        x=place["x"],
        y=place["y"],
        rural_urban=place["rural_urban"],
        age=int(age),
        needs=summary,
        services=rows,
        notes=tuple(dict.fromkeys(notes)),
        params={
            "distance_model": "euclidean",
            "cost_description": meta["cost_description"],
            "unit": unit,
            "circuity": settings["circuity"],
            "outreach_extra": extra,
            "limit": limit,
            "rural_urban": place["rural_urban"] or "urban (no class)",
        },
    )


def _one_need(
    index: _Index,
    k: int,
    need_of: tuple[Any, float, float],
    place: dict[str, Any],
    *,
    limit: int,
    age: int,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The services listed for the ``k``-th kind of help (ranked) and its summary line;
    ``need_of`` is the need's category (key, label, ages, reach), the outreach extra and
    the circuity."""
    unit = "m"
    category, extra, circuity = need_of
    key = category.key
    start = index["key_start"]
    local_part = slice(start[2 * k], start[2 * k + 1])
    remote_part = slice(start[2 * k + 1], start[2 * k + 2])
    rural = (place["rural_urban"] or "").strip().lower() == "rural"
    label = category.label or key
    urban_m, rural_m = category.reach["urban"], category.reach["rural"]
    threshold = float(rural_m if rural else urban_m)
    near = _near(index, k, place, age=age, reach=(threshold, extra, circuity), limit=limit)
    # within reach first, then by distance, name and id (and directory order)
    name, ident = index["name_rank"], index["id_rank"]
    near.sort(key=lambda c: (not c[4], c[1], name[c[0]], ident[c[0]], c[0]))
    shown = near if limit == 0 else near[:limit]
    remote = _remote(index, remote_part, age=age, limit=limit)
    n_remote = _taking(index, remote_part, age)
    listed = _listed(index, (key, label, threshold, unit, extra), local=shown, remote=remote)
    for rank, row in enumerate(listed, start=1):
        row["rank"] = rank
    nearest = None
    if shown:
        first = shown[0][0]
        nearest = {
            "service_id": index.text("service_id", first),
            "name": index.text("name", first),
            "distance": shown[0][1],
            "delivery": index.text("delivery", first),
        }
    n_within = sum(c[4] for c in near)  # every service within reach is near
    text = message(
        label,
        age=age,
        threshold=threshold,
        unit=unit,
        rural=place["rural_urban"] == "rural",
        n_within=n_within,
        n_shown=sum(c[4] for c in shown),
        outreach_within=any(c[4] and c[3] for c in near),
        nearest=nearest,
        n_remote=n_remote,
        n_remote_shown=len(remote),
        extra=extra,
    )
    n_local = _taking(index, local_part, age)
    line = need_line(key, label, threshold, unit, n_within, n_local, n_remote, nearest, text)
    return listed, line


def _taking(index: _Index, part: slice, age: int) -> int:
    """How many services of ``part`` of the ``key_*`` arrays take a child of ``age``:
    those whose youngest age is at most ``age``, less those whose oldest is below it
    (each service's youngest age is at most its oldest)."""
    youngest, oldest = index["key_youngest_sorted"], index["key_oldest_sorted"]
    at_most = bisect.bisect_right(youngest, age, part.start, part.stop)
    return at_most - bisect.bisect_left(oldest, age, part.start, part.stop)


def _remote(index: _Index, part: slice, *, age: int, limit: int) -> list[int]:
    """The first ``limit`` services (all when 0) of ``part`` of the ``key_*`` arrays (a
    kind's services available anywhere, kept by name and id) that take a child of ``age``."""
    youngest, oldest = index["key_youngest"][part].tolist(), index["key_oldest"][part].tolist()
    ages = zip(youngest, oldest, strict=True)
    services = index["key_service"][part]
    taking = (services[i] for i, (lo, hi) in enumerate(ages) if lo <= age <= hi)
    return list(taking) if limit == 0 else list(itertools.islice(taking, limit))


# a local service near a family: service, distance, distance for reach, outreach, in reach
_Near = tuple[int, float, float, bool, bool]


def _near(
    index: _Index,
    k: int,
    place: dict[str, Any],
    *,
    age: int,
    reach: tuple[float, float, float],
    limit: int,
) -> list[_Near]:
    """The ``k``-th kind's local services taking a child of ``age`` that are within reach
    of ``place`` or among the ``limit`` nearest (all of them when ``limit`` is 0), and
    perhaps a few more; ``reach``: the threshold, the outreach extra and the circuity.

    The grid's squares are searched outwards from the family's until no service in a
    square not searched can be within reach, nor nearer than the ``limit``-th found
    (one as near could come first by name, so it must be nearer). How near such a
    service can be is computed as its distance is (:func:`_beyond`), so rounding cannot
    leave out one that belongs."""
    threshold, extra, circuity = reach
    px, py = place["x"], place["y"]
    if not (math.isfinite(px) and math.isfinite(py) and circuity > 0):
        raise _Unreadable("a place the grid cannot be searched from")
    grid = index["grid"].tolist()
    west, south, side, columns, rows = grid[0], grid[1], grid[2], int(grid[3]), int(grid[4])
    cells = columns * rows
    starts = index["cell_start"][k * (cells + 1) : (k + 1) * (cells + 1)]
    column = min(max(math.floor((px - west) / side), 0), columns - 1)
    row = min(max(math.floor((py - south) / side), 0), rows - 1)
    most = max(columns, rows)
    squares = (threshold + max(extra, 0.0)) / circuity / side  # reach, in squares
    pad = math.ceil(squares) if squares < most and limit else most  # limit 0: all listed
    whole = (0, columns - 1, 0, rows - 1)
    found: list[_Near] = []
    seen = None
    while True:
        window = (
            max(column - pad, 0), min(column + pad, columns - 1),
            max(row - pad, 0), min(row + pad, rows - 1),
        )  # fmt: skip
        for lo, hi in _runs(window, seen, columns, starts):
            found.extend(_measured(index, slice(lo, hi), place, age=age, reach=reach))
        seen = window
        if window == whole:
            return found
        beyond = _beyond(window, grid, px, py) * circuity
        none_beyond_in_reach = min(beyond, max(beyond - extra, 0.0)) > threshold
        if limit and none_beyond_in_reach and sum(c[4] or c[1] < beyond for c in found) >= limit:
            return found
        pad = 2 * pad + 1


def _runs(
    window: tuple[int, int, int, int],
    seen: tuple[int, int, int, int] | None,
    columns: int,
    starts: Any,
) -> list[tuple[int, int]]:
    """The parts of the ``key_*`` arrays holding the services of the squares in
    ``window`` but not in ``seen`` (a smaller window inside it, or None), each
    (start, end); ``window`` is (west column, east column, south row, north row) and
    ``starts`` where each square's services begin."""
    c0, c1, r0, r1 = window
    runs: list[tuple[int, int]] = []
    for r in range(r0, r1 + 1):
        spans = [(c0, c1)]
        if seen is not None and seen[2] <= r <= seen[3]:  # the row's squares not seen
            spans = [(c0, seen[0] - 1), (seen[1] + 1, c1)]
        for a, b in spans:
            if a > b:
                continue
            lo, hi = starts[r * columns + a], starts[r * columns + b + 1]
            if lo == hi:
                continue
            if runs and runs[-1][1] == lo:  # one square after another: read at once
                runs[-1] = (runs[-1][0], hi)
            else:
                runs.append((lo, hi))
    return runs


def _measured(
    index: _Index,
    part: slice,
    place: dict[str, Any],
    *,
    age: int,
    reach: tuple[float, float, float],
) -> list[_Near]:
    """The services of ``part`` of the ``key_*`` arrays taking a child of ``age``, each
    with its distance from ``place``, distance for reach and whether it is in reach."""
    threshold, extra, circuity = reach
    px, py = place["x"], place["y"]
    out = []
    each = zip(
        index["key_service"][part].tolist(),
        index["key_x"][part].tolist(),
        index["key_y"][part].tolist(),
        index["key_youngest"][part].tolist(),
        index["key_oldest"][part].tolist(),
        index["key_outreach"][part].tolist(),
        strict=True,
    )
    for s, x, y, youngest, oldest, outreach in each:
        if youngest <= age <= oldest:
            d = math.sqrt((x - px) * (x - px) + (y - py) * (y - py)) * circuity
            effective = max(d - extra, 0.0) if outreach else d
            out.append((s, d, effective, outreach, effective <= threshold))
    return out


def _beyond(window: tuple[int, int, int, int], grid: list[float], px: float, py: float) -> float:
    """How near the point (``px``, ``py``) a service in a square of the grid outside
    ``window`` can be, in straight-line metres (infinite when the window is the whole
    grid). Computed as a distance is, from the squares' edges as the index placed the
    services in them, so no such service is nearer, however the sums round."""
    west, south, side, columns, rows = grid[0], grid[1], grid[2], int(grid[3]), int(grid[4])
    c0, c1, r0, r1 = window
    strips = []  # the grid outside the window: columns [a, b) by rows [c, d)
    if c0 > 0:
        strips.append((0, c0, 0, rows))
    if c1 < columns - 1:
        strips.append((c1 + 1, columns, 0, rows))
    if r0 > 0:
        strips.append((c0, c1 + 1, 0, r0))
    if r1 < rows - 1:
        strips.append((c0, c1 + 1, r1 + 1, rows))
    nearest = math.inf
    for a, b, c, d in strips:
        dx = _gap(px, west + a * side, west + b * side)
        dy = _gap(py, south + c * side, south + d * side)
        nearest = min(nearest, math.sqrt(dx * dx + dy * dy))
    return nearest


def _gap(value: float, lo: float, hi: float) -> float:
    """How far ``value`` is from the interval from ``lo`` to ``hi`` (0 inside it)."""
    return lo - value if value < lo else value - hi if value > hi else 0.0


def _listed(
    index: _Index,
    need: tuple[str, str, float, str, float],
    *,
    local: list[tuple[int, float, float, bool, bool]],
    remote: list[int],
) -> list[dict[str, Any]]:
    """The rows of one need's listed services: the ``local`` ones (service, distance,
    distance for reach, outreach, within reach; in order) then those available anywhere
    (``remote``); ``need`` is (key, label, threshold, unit, outreach extra)."""
    key, label, threshold, unit, extra = need
    listed = [
        _row(index, s, key, label, threshold, unit)
        | {
            "distance": distance,
            "distance_for_reach": effective,
            "outreach_travels": extra if outreach else math.nan,
            "within_reach": within,
            "available_anywhere": False,
        }
        for s, distance, effective, outreach, within in local
    ]
    return listed + [
        _row(index, s, key, label, threshold, unit)
        | {
            "distance": math.nan,
            "distance_for_reach": math.nan,
            "outreach_travels": math.nan,
            "within_reach": None,
            "available_anywhere": True,
        }
        for s in remote
    ]


def _row(index: _Index, s: int, key: str, label: str, threshold: float, unit: str) -> dict:
    row = {"need": key, "need_label": label, "unit": unit, "reach_threshold": threshold}
    for column in TEXT_COLUMNS:
        row[column] = index.text(column, s)
    row["min_age"] = index["min_age"][s]
    row["max_age"] = index["max_age"][s]
    return row


def _responsible_centres(index: _Index, place: dict[str, Any]) -> list[str]:
    """The active children's centres responsible for the family's area, in directory order."""
    if place["area"] < 0 or not index.has("reach_area"):
        return []
    areas = index["reach_area"]
    lo = bisect.bisect_left(areas, place["area"])
    hi = bisect.bisect_right(areas, place["area"])
    out = []
    for s in index["reach_service"][lo:hi].tolist():
        if not index["status_active"][s]:
            continue
        name, contact = index.text("name", s), index.text("contact", s)
        out.append(
            f"The children's centre responsible for this area is {name}"
            + (f" ({contact})" if contact else "")
            + "."
        )
    return out
