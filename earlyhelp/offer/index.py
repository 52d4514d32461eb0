"""The offer index: one family's offer in a fraction of a second, without the directory.

:func:`find_offer` reads the whole directory (every service, postcode and small-area
polygon) and validates it, which at England scale takes seconds and a gigabyte, for one
family. An *offer index* is what the offer needs of those inputs, made once by a run (or
``earlyhelp offer --build-index``) into ``<run folder>/offer_index/``: numpy arrays
(memory-mapped, so a question reads only the pages it touches) and ``meta.json``.

- :func:`index_arrays` makes it from a :class:`~earlyhelp.offer.directory.Directory`;
- :func:`answer` answers one family from it, giving the same offer as
  :func:`~earlyhelp.offer.finder.find_offer` (``tests/test_offer_index.py`` compares
  them), as a :class:`~earlyhelp.offer.plain.PlainOffer`; it imports numpy, not pandas,
  geopandas or scipy (shapely and pyproj only for a location given by coordinates).

An index is used only while it matches: the same input files (size and modification
time) read with the same settings. :func:`answer` returns None otherwise, or for a
distance model other than straight-line distance, and the caller reads the directory.
"""

from __future__ import annotations

__all__ = ["INDEX_VERSION", "answer", "family_offer", "index_arrays", "index_meta", "read_meta"]

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from earlyhelp.config import Config
from earlyhelp.errors import InputError
from earlyhelp.offer.plain import PlainOffer
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

INDEX_VERSION = 1
ROLES = ("local", "remote", "other")
_TEXT = (
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
# Making the index (from a loaded directory)
# --------------------------------------------------------------------------------------


def index_meta(cfg: Config) -> dict[str, Any]:
    """What an index must match to be used: the input files (size and modification time),
    the settings that shape what is read, and the index's version."""
    files = []
    for spec in (cfg.areas, cfg.services, cfg.centres, cfg.postcodes):
        if spec.path is not None and Path(spec.path).exists():
            st = Path(spec.path).stat()
            files.append([str(Path(spec.path).resolve()), st.st_size, st.st_mtime_ns])
    return {"version": INDEX_VERSION, "files": files, "settings": _settings_hash(cfg)}


def _settings_hash(cfg: Config) -> str:
    every = cfg.to_dict()
    shaping = {k: every.get(k) for k in ("areas", "services", "centres", "postcodes", "access")}
    shaping["crs"] = cfg.run.crs
    shaping["categories"] = sorted(cfg.categories)
    text = json.dumps(shaping, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _blob(values: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Text cells as one UTF-8 byte array, offsets, and where a cell was missing (None,
    NaN or pd.NA). Text goes through Arrow in one pass; other values as their ``str``."""
    import pandas as pd  # the writing side only: answering from the index never loads it
    import pyarrow as pa

    cells = np.empty(len(values), dtype=object)
    cells[:] = list(values)
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        gone = pd.isna(cells)
        cells = np.array([None if g else str(v) for v, g in zip(cells, gone, strict=True)], object)
    text = pa.array(cells, type=pa.large_string(), from_pandas=True)
    missing = text.is_null().to_numpy(zero_copy_only=False)
    text = text.fill_null("")
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[: len(text) + 1].copy()
    data = text.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return raw[offsets[0] : offsets[-1]].copy(), offsets - offsets[0], np.asarray(missing, bool)


def _ranks(values: list[str]) -> np.ndarray:
    """Each value's place in Python's order of the values (equal values, equal places)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.zeros(len(values), dtype=np.int64)
    place = 0
    for n, i in enumerate(order):
        if n and values[i] != values[order[n - 1]]:
            place = n
        rank[i] = place
    return rank


def index_arrays(directory: Any) -> dict[str, np.ndarray]:
    """The arrays of an offer index of ``directory`` (a loaded
    :class:`~earlyhelp.offer.directory.Directory`)."""
    import shapely

    from earlyhelp.provision import classify_services

    cfg = directory.config
    services, areas, postcodes = directory.services, directory.areas, directory.postcodes
    keys = list(cfg.categories)
    roles = classify_services(services, categories=keys)
    role = roles.drop_duplicates("service_id").set_index("service_id")["role"]
    code = role.reindex(services.index).map({"local": 0, "remote": 1}).fillna(2)
    position = {sid: i for i, sid in enumerate(services.index)}
    cats = roles.assign(s=roles["service_id"].map(position), k=roles["category"].map(keys.index))
    cats = cats.sort_values(["s"], kind="stable")
    out: dict[str, np.ndarray] = {
        "role": code.to_numpy(dtype=np.int8),
        "cat_service": cats["s"].to_numpy(dtype=np.int64),
        "cat_key": cats["k"].to_numpy(dtype=np.int16),
        "keys": np.array(keys),
        "x": services.geometry.x.to_numpy(dtype=float),
        "y": services.geometry.y.to_numpy(dtype=float),
        "min_age": services["min_age"].to_numpy(dtype=float, na_value=np.nan),
        "max_age": services["max_age"].to_numpy(dtype=float, na_value=np.nan),
        "status_active": (services["status"] == "active").to_numpy(dtype=bool),
    }
    ids = [str(s) for s in services.index]
    out["id_rank"] = _ranks(ids)
    out["name_rank"] = _ranks([str(v) for v in services["name"]])
    for column in _TEXT:
        values = ids if column == "service_id" else services.get(column, [None] * len(services))
        out[f"{column}_text"], out[f"{column}_at"], out[f"{column}_na"] = _blob(values)
    # areas: codes, rural/urban, bounds and shapes (for a place given by coordinates)
    geoms = np.asarray(areas.geometry.values)
    out["area_code_text"], out["area_code_at"], _ = _blob([str(c) for c in areas.index])
    ru = areas["rural_urban"] if "rural_urban" in areas else [None] * len(areas)
    out["area_ru_text"], out["area_ru_at"], out["area_ru_na"] = _blob(list(ru))
    out["area_bounds"] = shapely.bounds(geoms)
    wkb = shapely.to_wkb(geoms)
    out["area_wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)
    out["area_wkb_at"] = np.r_[0, np.cumsum([len(w) for w in wkb])].astype(np.int64)
    # children's centres: which active services are responsible for each area
    reach = services.get("reach_areas", [None] * len(services))
    area_pos = {c: i for i, c in enumerate(areas.index)}
    pairs = [
        (area_pos[c], s)
        for s, codes in enumerate(reach)
        for c in dict.fromkeys(codes if isinstance(codes, list | tuple) else [])
        if c in area_pos
    ]
    pairs.sort()
    out["reach_area"] = np.array([a for a, _ in pairs], dtype=np.int64)
    out["reach_service"] = np.array([s for _, s in pairs], dtype=np.int64)
    # postcodes, sorted, with the area each lies in (the first, as locate() finds it)
    if postcodes is not None:
        pc = postcodes.sort_index()
        out["postcode"] = np.array(list(pc.index), dtype=str)
        out["postcode_x"] = pc["x"].to_numpy(dtype=float)
        out["postcode_y"] = pc["y"].to_numpy(dtype=float)
        out["postcode_terminated"] = pc["terminated"].to_numpy(dtype=bool)
        tree = shapely.STRtree(geoms)
        point, hit = tree.query(shapely.points(out["postcode_x"], out["postcode_y"]), "intersects")
        first = np.full(len(pc), np.iinfo(np.int64).max)
        np.minimum.at(first, point, hit)
        out["postcode_area"] = np.where(first == np.iinfo(np.int64).max, -1, first)
    return out


# --------------------------------------------------------------------------------------
# Reading it and answering one family
# --------------------------------------------------------------------------------------


def read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class _Index:
    """The arrays of an index folder, each memory-mapped when first used."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._arrays: dict[str, np.ndarray] = {}
        self._exists: dict[str, bool] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            self._arrays[name] = np.load(self.folder / f"{name}.npy", mmap_mode="r")
        return self._arrays[name]

    def has(self, name: str) -> bool:
        if name not in self._exists:  # looked up once: a family's answer reads many cells
            self._exists[name] = (self.folder / f"{name}.npy").exists()
        return self._exists[name]

    def text(self, column: str, i: int) -> Any:
        """Cell ``i`` of a text column (NaN where it was missing, as pandas gives it)."""
        if self.has(f"{column}_na") and self[f"{column}_na"][i]:
            return float("nan")
        at = self[f"{column}_at"]
        return bytes(self[f"{column}_text"][at[i] : at[i + 1]]).decode("utf-8")

    def equals(self, column: str, rows: np.ndarray, value: str) -> np.ndarray:
        """Whether each of cells ``rows`` of a text column is ``value`` (missing: no),
        compared as bytes in one pass."""
        want = np.frombuffer(value.encode("utf-8"), dtype=np.uint8)
        at, text = self[f"{column}_at"], self[f"{column}_text"]
        start = np.asarray(at[rows], dtype=np.int64)
        same = (np.asarray(at[rows + 1], dtype=np.int64) - start) == len(want)
        if len(want) and same.any():
            cells = np.asarray(text)[start[same, None] + np.arange(len(want))]
            same[same] = (cells == want).all(axis=1)
        if self.has(f"{column}_na"):
            same &= ~np.asarray(self[f"{column}_na"][rows], dtype=bool)
        return same


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
    there, it does not match ``cfg``'s inputs and settings, or the distance model is not
    straight-line distance (the caller then reads the directory)."""
    meta = read_meta(folder)
    if cfg.access.distance_model != "euclidean" or meta is None:
        return None
    if {k: meta.get(k) for k in ("version", "files", "settings")} != index_meta(cfg):
        return None
    check_request(age, limit)
    keys = parse_needs(needs, cfg.categories)
    index = _Index(folder)
    place = _locate(index, cfg, postcode, lat, lon, easting, northing)
    return _offer(index, cfg, meta, place, age=age, keys=keys, limit=limit)


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


def _locate(index: _Index, cfg: Config, postcode, lat, lon, easting, northing) -> dict:
    """Where the family lives, as :func:`~earlyhelp.offer.directory.locate` places it."""
    kind = check_location(postcode=postcode, lat=lat, lon=lon, easting=easting, northing=northing)
    notes: list[str] = []
    terminated, code, area = False, None, -1
    if kind == "postcode":
        code = normal_postcode(str(postcode))
        if code is None:
            raise InputError(not_a_postcode(str(postcode)))
        if not index.has("postcode"):
            raise InputError(no_postcode_lookup(cfg.postcodes.path))
        codes = index["postcode"]
        at = int(np.searchsorted(codes, code))
        if at >= len(codes) or codes[at] != code:
            raise InputError(unknown_postcode(code, cfg.postcodes.path))
        x, y = float(index["postcode_x"][at]), float(index["postcode_y"][at])
        terminated = bool(index["postcode_terminated"][at])
        if terminated:
            notes.append(terminated_note(code))
        area = int(index["postcode_area"][at])
    else:
        src, (x, y) = (
            ("EPSG:4326", (float(lon), float(lat)))
            if kind == "latlon"
            else ("EPSG:27700", (float(easting), float(northing)))
        )
        x, y = _project(x, y, src, cfg.run.crs)
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
    from pyproj import CRS, Transformer

    if CRS.from_user_input(src).equals(CRS.from_user_input(dst)):
        return x, y
    tx, ty = Transformer.from_crs(src, dst, always_xy=True).transform(x, y)
    return float(tx), float(ty)


def _area_at(index: _Index, x: float, y: float) -> int:
    """The first small area holding the point (by position), or -1."""
    import shapely

    b = index["area_bounds"]
    near = np.flatnonzero((b[:, 0] <= x) & (b[:, 2] >= x) & (b[:, 1] <= y) & (b[:, 3] >= y))
    at, wkb = index["area_wkb_at"], index["area_wkb"]
    point = shapely.Point(x, y)
    for i in near:  # in order: the first hit is the lowest position
        if shapely.from_wkb(bytes(wkb[at[i] : at[i + 1]])).intersects(point):
            return int(i)
    return -1


def _offer(
    index: _Index,
    cfg: Config,
    meta: dict[str, Any],
    place: dict[str, Any],
    *,
    age: int,
    keys: list[str],
    limit: int,
) -> PlainOffer:
    """:func:`~earlyhelp.offer.finder.find_offer` on the index's arrays."""
    unit = "m"
    extra = cfg.access.outreach_extra(unit)
    lo = np.nan_to_num(index["min_age"], nan=0.0)
    hi = np.where(np.isnan(index["max_age"]), np.inf, index["max_age"])
    takes = (lo <= age) & (hi >= age)
    rows: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    notes = list(place["notes"])
    for key in keys:
        notes.extend(age_notes(cfg.categories[key], key, age))
        listed, need = _one_need(index, cfg, place, key, age=age, takes=takes, limit=limit)
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
            "circuity": cfg.access.circuity,
            "outreach_extra": extra,
            "limit": limit,
            "rural_urban": place["rural_urban"] or "urban (no class)",
        },
    )


def _one_need(
    index: _Index,
    cfg: Config,
    place: dict[str, Any],
    key: str,
    *,
    age: int,
    takes: np.ndarray,
    limit: int,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The services listed for one need (ranked) and its summary line; ``takes`` says
    which services take a child of ``age``."""
    unit = "m"
    extra = cfg.access.outreach_extra(unit)
    stored = [str(k) for k in index["keys"]]
    role, cat_service, cat_key = index["role"], index["cat_service"], index["cat_key"]
    rural = (place["rural_urban"] or "").strip().lower() == "rural"
    category = cfg.categories[key]
    label = category.label or key
    urban_m, rural_m = category.reach(unit).values()
    threshold = float(rural_m if rural else urban_m)
    mine = cat_service[cat_key == stored.index(key)]
    mine = mine[takes[mine] & (role[mine] <= 1)]
    local, remote = mine[role[mine] == 0], mine[role[mine] == 1]
    dx, dy = index["x"][local] - place["x"], index["y"][local] - place["y"]
    distance = np.sqrt(dx * dx + dy * dy) * cfg.access.circuity
    outreach = index.equals("delivery", local, "outreach")
    effective = np.where(outreach, np.maximum(distance - extra, 0.0), distance)
    within = effective <= threshold
    order = np.lexsort((index["id_rank"][local], index["name_rank"][local], distance, ~within))
    remote = remote[np.lexsort((index["id_rank"][remote], index["name_rank"][remote]))]
    shown = order if limit == 0 else order[:limit]
    remote_shown = remote if limit == 0 else remote[:limit]
    listed = _listed(
        index,
        (key, label, threshold, unit, extra),
        local=local[shown],
        remote=remote_shown,
        distance=distance[shown],
        effective=effective[shown],
        outreach=outreach[shown],
        within=within[shown],
    )
    for rank, row in enumerate(listed, start=1):
        row["rank"] = rank
    nearest = None
    if len(order):
        first = int(local[order[0]])
        nearest = {
            "service_id": index.text("service_id", first),
            "name": index.text("name", first),
            "distance": float(distance[order[0]]),
            "delivery": index.text("delivery", first),
        }
    n_within = int(within.sum())
    text = message(
        label,
        age=age,
        threshold=threshold,
        unit=unit,
        rural=place["rural_urban"] == "rural",
        n_within=n_within,
        n_shown=int(within[shown].sum()),
        outreach_within=bool((within & outreach).any()),
        nearest=nearest,
        n_remote=len(remote),
        n_remote_shown=len(remote_shown),
        extra=extra,
    )
    return listed, _need_line(key, label, threshold, unit, n_within, local, remote, nearest, text)


def _need_line(
    key: str,
    label: str,
    threshold: float,
    unit: str,
    n_within: int,
    local: np.ndarray,
    remote: np.ndarray,
    nearest: dict[str, Any] | None,
    text: str,
) -> dict[str, Any]:
    """One need's summary line of a plain offer."""
    near = nearest or {}
    return {
        "need": key,
        "label": label,
        "reach_threshold": threshold,
        "unit": unit,
        "within_reach": n_within,
        "local": len(local),
        "remote": len(remote),
        "nearest_id": near.get("service_id"),
        "nearest_name": near.get("name"),
        "nearest_distance": near.get("distance"),
        "nearest_delivery": near.get("delivery"),
        "message": text,
    }


def _listed(
    index: _Index,
    need: tuple[str, str, float, str, float],
    *,
    local: np.ndarray,
    remote: np.ndarray,
    distance: np.ndarray,
    effective: np.ndarray,
    outreach: np.ndarray,
    within: np.ndarray,
) -> list[dict[str, Any]]:
    """The rows of one need's listed services: the ``local`` ones (with their distances,
    in order) then those available anywhere (``remote``); ``need`` is (key, label,
    threshold, unit, outreach extra)."""
    key, label, threshold, unit, extra = need
    listed = [
        _row(index, int(s), key, label, threshold, unit)
        | {
            "distance": float(distance[i]),
            "distance_for_reach": float(effective[i]),
            "outreach_travels": extra if outreach[i] else math.nan,
            "within_reach": bool(within[i]),
            "available_anywhere": False,
        }
        for i, s in enumerate(local)
    ]
    return listed + [
        _row(index, int(s), key, label, threshold, unit)
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
    for column in _TEXT:
        row[column] = index.text(column, s)
    row["min_age"] = float(index["min_age"][s])
    row["max_age"] = float(index["max_age"][s])
    return row


def _responsible_centres(index: _Index, place: dict[str, Any]) -> list[str]:
    """The active children's centres responsible for the family's area, in directory order."""
    if place["area"] < 0 or not index.has("reach_area"):
        return []
    areas = index["reach_area"]
    lo = int(np.searchsorted(areas, place["area"], "left"))
    hi = int(np.searchsorted(areas, place["area"], "right"))
    out = []
    for s in index["reach_service"][lo:hi]:
        if not index["status_active"][s]:
            continue
        name, contact = index.text("name", int(s)), index.text("contact", int(s))
        out.append(
            f"The children's centre responsible for this area is {name}"
            + (f" ({contact})" if contact else "")
            + "."
        )
    return out
