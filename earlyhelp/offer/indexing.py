"""Making the offer index from a loaded directory (numpy and shapely; read back by
:mod:`~earlyhelp.offer.index` with the standard library alone).

The arrays are laid out for that reader: fixed-width numbers (``float64``, ``int64``,
``int8``, ``bool``), text as one UTF-8 byte array with offsets (``<column>_text``,
``<column>_at``) and where a cell was missing (``<column>_na``), and the services of
each kind of help side by side (``key_start`` into ``key_service``), so that one need's
services are one slice.

So that one family's answer looks only at the services near it, each kind's in-person
and outreach services are kept by square of a grid laid over them (``grid``: its
corner, side and size; ``cell_start``: where each square's services begin, square by
square along each row, rows from the south), and those available anywhere in the order
they are listed (by name and id). Sorted copies of their ages (``key_youngest_sorted``,
``key_oldest_sorted``) count the services that take a child of a given age without
reading them all. A service whose youngest age is above its oldest takes no child and
is left out.
"""

from __future__ import annotations

__all__ = ["index_arrays"]

import math
from typing import Any

import numpy as np

from earlyhelp.offer.index import TEXT_COLUMNS
from earlyhelp.offer.words import is_missing

# the most squares along a side of the grid of services (so a large county's stays small)
_MOST_SQUARES = 256


def _blob(values: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Text cells as one UTF-8 byte array, offsets, and where a cell was missing (None,
    NaN or pd.NA: :func:`is_missing`). Text goes through Arrow in one pass; other values
    as their ``str``."""
    import pandas as pd
    import pyarrow as pa

    cells = _cells(values)
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        cells = np.array([None if is_missing(v) else str(v) for v in cells], dtype=object)
    text = pa.array(cells, type=pa.large_string(), from_pandas=True)
    missing = text.is_null().to_numpy(zero_copy_only=False)
    text = text.fill_null("")
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[: len(text) + 1].copy()
    data = text.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return raw[offsets[0] : offsets[-1]].copy(), offsets - offsets[0], np.asarray(missing, bool)


def _cells(values: Any) -> np.ndarray:
    """A column's cells as a 1-D object array: a pandas column's own objects at once (its
    text is slow to read one cell at a time), anything else item by item."""
    import pandas as pd

    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=object)
    cells = np.empty(len(values), dtype=object)
    cells[:] = list(values)
    return cells


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
    cfg = directory.config
    services = directory.services
    # squares as wide as the shortest reach (straight-line metres): a family's services
    # within reach lie in a few rows of squares
    reach_m = [c.reach("m")["urban"] / cfg.access.circuity for c in cfg.categories.values()]
    out = _service_arrays(services, list(cfg.categories), square_m=min(reach_m, default=0.0))
    out |= _area_arrays(directory.areas, services)
    if directory.postcodes is not None:
        out |= _postcode_arrays(directory.postcodes, directory.areas)
    return out


def _service_arrays(services: Any, keys: list[str], *, square_m: float) -> dict[str, np.ndarray]:
    """Each service's ages and text; the local and remote services of each kind of help
    side by side (those closed, not in the directory or taking no child left out), with
    what choosing among them needs (``key_*``: place, ages, outreach): the local ones by
    square of the grid (:func:`_grid`, squares about ``square_m`` wide), the remote ones
    by name and id."""
    from earlyhelp.provision import classify_services

    roles = classify_services(services, categories=keys)
    role = roles.drop_duplicates("service_id").set_index("service_id")["role"]
    code = role.reindex(services.index).map({"local": 0, "remote": 1}).fillna(2)
    position = {sid: i for i, sid in enumerate(services.index)}
    cats = roles.assign(s=roles["service_id"].map(position), k=roles["category"].map(keys.index))
    cats = cats.assign(r=cats["s"].map(code.set_axis(range(len(services)))))
    delivery = services.get("delivery", [None] * len(services))
    min_age = services["min_age"].to_numpy(dtype=float, na_value=np.nan)
    max_age = services["max_age"].to_numpy(dtype=float, na_value=np.nan)
    each = {
        "x": services.geometry.x.to_numpy(dtype=float),
        "y": services.geometry.y.to_numpy(dtype=float),
        "youngest": np.nan_to_num(min_age, nan=0.0),  # no youngest age: from birth
        "oldest": np.where(np.isnan(max_age), np.inf, max_age),  # no oldest age: any
        "outreach": np.array(
            [not is_missing(d) and str(d) == "outreach" for d in _cells(delivery)], dtype=bool
        ),
    }
    takes_a_child = each["youngest"] <= each["oldest"]
    cats = cats[(cats["r"] < 2).to_numpy() & takes_a_child[cats["s"].to_numpy(dtype=np.int64)]]
    ids = [str(s) for s in services.index]
    id_rank = _ranks(ids)
    name_rank = _ranks([str(v) for v in _cells(services["name"])])
    local = cats["r"].to_numpy() == 0
    placed = cats["s"].to_numpy(dtype=np.int64)[local]
    grid = _grid(each["x"][placed], each["y"][placed], square_m=square_m)
    listed = np.empty(len(services), dtype=np.int64)  # each service's place by name and id
    listed[np.lexsort((np.arange(len(services)), id_rank, name_rank))] = np.arange(len(services))
    order = listed[cats["s"].to_numpy(dtype=np.int64)]
    if grid is not None:
        order[local] = grid[1]
    cats = cats.assign(o=order).sort_values(["k", "r", "o", "s"], kind="stable")
    chosen = cats["s"].to_numpy(dtype=np.int64)
    out = {f"key_{name}": values[chosen] for name, values in each.items()}
    out["key_service"] = chosen
    # local services of need k at [2k, 2k+1), those available anywhere at [2k+1, 2k+2)
    group = 2 * cats["k"].to_numpy(dtype=np.int64) + cats["r"].to_numpy(dtype=np.int64)
    out["key_start"] = np.searchsorted(group, np.arange(2 * len(keys) + 1)).astype(np.int64)
    for name in ("youngest", "oldest"):
        out[f"key_{name}_sorted"] = out[f"key_{name}"][np.lexsort((out[f"key_{name}"], group))]
    if grid is not None:  # else a family's answer is left to the directory
        out["grid"] = grid[0]
        out["cell_start"] = _cell_starts(cats["o"].to_numpy(), out["key_start"], grid[0])
    out["category_text"], out["category_at"], _ = _blob(keys)
    out["min_age"], out["max_age"] = min_age, max_age
    out["status_active"] = (services["status"] == "active").to_numpy(dtype=bool)
    out["id_rank"] = id_rank
    out["name_rank"] = name_rank
    for column in TEXT_COLUMNS:
        values = ids if column == "service_id" else services.get(column, [None] * len(services))
        out[f"{column}_text"], out[f"{column}_at"], out[f"{column}_na"] = _blob(values)
    return out


def _grid(x: np.ndarray, y: np.ndarray, *, square_m: float) -> tuple[np.ndarray, np.ndarray] | None:
    """A grid of squares over the points (``x``, ``y``): the grid as (west, south, side,
    columns, rows), and each point's square, counted row by row from the south-west
    corner; None when a point has no finite place. The squares are ``square_m`` wide, or
    wider so that no side has more than :data:`_MOST_SQUARES` of them. A point lies in
    its square as the reader computes the square's edges (``west + column * side``)."""
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    west, south = (float(x.min()), float(y.min())) if len(x) else (0.0, 0.0)
    extent = max(float(x.max()) - west, float(y.max()) - south) if len(x) else 0.0
    side = max(square_m, extent / _MOST_SQUARES)
    if not (0 < side < math.inf):
        side = 1.0
    column, columns = _squares(x, west, side)
    row, rows = _squares(y, south, side)
    return np.array([west, south, side, columns, rows], dtype=float), row * columns + column


def _squares(values: np.ndarray, start: float, side: float) -> tuple[np.ndarray, int]:
    """Each value's square along one axis (``start + i * side <= value < start + (i + 1)
    * side``, computed as the reader computes it) and how many squares there are."""
    i = np.floor((values - start) / side).astype(np.int64)
    while True:  # the division may be a last bit out
        low, high = values < start + i * side, values >= start + (i + 1) * side
        if not (low.any() or high.any()):
            break
        i = i - low + high
    return i, int(i.max()) + 1 if len(i) else 1


def _cell_starts(square: np.ndarray, key_start: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Where each square's local services of each kind of help begin in the ``key_*``
    arrays (``square``: each entry's square, ascending in each kind's local part):
    ``columns * rows + 1`` entries a kind, the last where its local services end."""
    cells = int(grid[3]) * int(grid[4])
    starts = []
    for k in range(len(key_start) // 2):
        lo, hi = int(key_start[2 * k]), int(key_start[2 * k + 1])
        starts.append(lo + np.searchsorted(square[lo:hi], np.arange(cells + 1), side="left"))
    return np.concatenate(starts).astype(np.int64) if starts else np.zeros(0, np.int64)


def _area_arrays(areas: Any, services: Any) -> dict[str, np.ndarray]:
    """Area codes, rural/urban, bounds and shapes (for a place given by coordinates), and
    which services are children's centres responsible for each area."""
    import shapely

    out: dict[str, np.ndarray] = {}
    geoms = np.asarray(areas.geometry.values)
    out["area_code_text"], out["area_code_at"], _ = _blob([str(c) for c in areas.index])
    ru = areas["rural_urban"] if "rural_urban" in areas else [None] * len(areas)
    out["area_ru_text"], out["area_ru_at"], out["area_ru_na"] = _blob(list(ru))
    out["area_bounds"] = np.ascontiguousarray(shapely.bounds(geoms), dtype=float)
    wkb = shapely.to_wkb(geoms)
    out["area_wkb"] = np.frombuffer(b"".join(wkb), dtype=np.uint8)
    out["area_wkb_at"] = np.r_[0, np.cumsum([len(w) for w in wkb])].astype(np.int64)
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
    return out


def _postcode_arrays(postcodes: Any, areas: Any) -> dict[str, np.ndarray]:
    """Postcodes in Python's order, each with its place and the area it lies in (the
    first by position, as :func:`~earlyhelp.offer.directory.locate` finds it)."""
    import shapely

    codes = [str(c) for c in postcodes.index]
    order = np.array(sorted(range(len(codes)), key=codes.__getitem__), dtype=np.int64)
    pc = postcodes.iloc[order]
    out: dict[str, np.ndarray] = {}
    out["postcode_text"], out["postcode_at"], _ = _blob([codes[i] for i in order])
    out["postcode_x"] = pc["x"].to_numpy(dtype=float)
    out["postcode_y"] = pc["y"].to_numpy(dtype=float)
    out["postcode_terminated"] = pc["terminated"].to_numpy(dtype=bool)
    tree = shapely.STRtree(np.asarray(areas.geometry.values))
    point, hit = tree.query(shapely.points(out["postcode_x"], out["postcode_y"]), "intersects")
    first = np.full(len(pc), np.iinfo(np.int64).max)
    np.minimum.at(first, point, hit)
    out["postcode_area"] = np.where(first == np.iinfo(np.int64).max, -1, first).astype(np.int64)
    return out
