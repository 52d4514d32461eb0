"""Services on the board map: which are drawn, their badges, popups and search keys.

Only what a popup shows is embedded (name, provider and sector, category labels, ages,
how the help is given, opening times, contact, planned status, the number of areas a
centre is responsible for); notes, costs and capacities never reach the page. Every
text goes through :func:`~earlyhelp.maps.safety.escape_text`.
"""

from __future__ import annotations

__all__ = [
    "OTHER",
    "POPUP_FIELDS",
    "ServiceCells",
    "ServiceRows",
    "as_list",
    "encoded_rows",
    "located",
    "service_badges",
    "service_cells",
    "service_groups",
    "service_popup",
    "service_rows",
    "status_of",
]

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import CategoryConfig
from earlyhelp.maps.safety import escape_text, escape_texts, script_json, search_keys
from earlyhelp.maps.shapes import DECIMALS

OTHER = ("other", CategoryConfig(label="Other help", colour="#595959"))
_DELIVERY = {
    "in_person": "In person",
    "outreach": "Outreach (staff go to families)",
    "online": "Online",
    "phone": "By phone",
}
# what service_rows reads of each service (notes, costs and capacities never reach a
# page): cell by cell, and the texts it escapes by column (with their longest, max_chars)
_ROW_COLUMNS = ("categories", "min_age", "max_age", "delivery", "status", "reach_areas")
_ESCAPED = (
    ("name", 200),
    ("provider", 200),
    ("sector", None),
    ("opening_times", 300),
    ("contact", 300),
)
_STOP_WORDS = {"and", "or", "of", "the", "for", "to", "with", "a", "an", "in"}


@dataclass(frozen=True)
class ServiceRows:
    """Rows for :class:`~earlyhelp.maps.layers.ServiceLayer` and what was left off."""

    rows: list[dict]
    search_keys: list[str]
    closed: int
    unplaced: int
    # each row as script JSON (:func:`~earlyhelp.maps.safety.script_json`), when made once
    # for rows that many pages share; None: the layer encodes the rows itself
    encoded: list[str] | None = None


def as_list(value: Any) -> list[str]:
    """A list cell (list, tuple, array or ``;``-separated text) as a list of strings."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in value]


def status_of(frame: pd.DataFrame) -> pd.Series:
    """The ``status`` column in lower case ("" where missing or absent)."""
    if "status" not in frame.columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame["status"].astype("string").fillna("").str.strip().str.lower()


def located(services: gpd.GeoDataFrame) -> pd.Series:
    """Whether each service has a point to draw."""
    geom = services.geometry
    ok = ~(geom.isna() | geom.is_empty) & geom.geom_type.eq("Point")
    return ok.fillna(False).astype(bool)


def service_badges(labels: Sequence[str]) -> list[str]:
    """Short, distinct badge letters for category labels ("Family support" -> "FS").

    Initials of the first word and the next (small words skipped), else of the first
    word and a later one, else its first two letters, else a letter and a digit.
    """
    badges: list[str] = []
    for label in labels:
        text = re.sub(r"['\u2019]", "", str(label))
        words = [w for w in re.findall(r"[A-Za-z0-9]+", text) if w.lower() not in _STOP_WORDS]
        words = words or ["X"]
        candidates = [(words[0][0] + w[0]).upper() for w in words[1:]]
        candidates.append(words[0][:2].capitalize())
        candidates += [words[0][0].upper() + str(d) for d in range(1, 10)]
        badges.append(next(c for c in candidates if c not in badges))
    return badges


def service_groups(
    services: pd.DataFrame, categories: Mapping[str, CategoryConfig]
) -> list[tuple[str, CategoryConfig]]:
    """Category groups for the filter: the taxonomy's, plus "other" if a service needs it."""
    groups = list(categories.items())
    cells = services["categories"] if "categories" in services.columns else [None] * len(services)
    known = set(categories)
    if any(not cats or not known.issuperset(cats) for cats in map(as_list, cells)):
        groups.append(OTHER)
    return groups


def _age(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return escape_text(value)
    return "" if np.isnan(number) else f"{number:g}"


# the headings of a service's popup, in the order of POPUP_FIELDS' indexes
POPUP_FIELDS = (
    "Help offered",
    "Ages",
    "How",
    "Opening times",
    "Contact",
    "Status",
    "Responsible for",
)


def service_popup(
    row: Mapping[str, Any],
    labels: Sequence[str],
    *,
    reach_count: int = 0,
    escape: Callable[..., str] = escape_text,
) -> dict[str, Any]:
    """What one service's popup says, from escaped parts only; the page's script writes
    the popup from it (:class:`~earlyhelp.maps.layers.ServiceLayer`).

    Returns ``by`` (provider and sector, "" if neither) and ``d``, the rows of the popup,
    one a line, each the index of its heading in :data:`POPUP_FIELDS` (one digit) and its
    text (escaped text holds no line break). ``labels`` are the (escaped) labels of
    its categories; ``reach_count`` the number of areas a children's centre is
    responsible for; ``escape`` is :func:`~earlyhelp.maps.safety.escape_text` (or a memo
    of it, for many services).
    """
    return _popup(
        escape(row.get("provider"), max_chars=200),
        escape(row.get("sector")),
        labels,
        row,
        escape(row.get("opening_times"), max_chars=300),
        escape(row.get("contact"), max_chars=300),
        reach_count,
    )


def _popup(
    provider: str,
    sector: str,
    labels: Sequence[str],
    row: Mapping[str, Any],
    opening: str,
    contact: str,
    reach_count: int,
) -> dict[str, Any]:
    """:func:`service_popup` from the service's texts already escaped (``provider``,
    ``sector``, ``opening`` times, ``contact``); the rest is read from ``row``."""
    rows = ["0" + ("; ".join(labels) or "not recorded")]
    lo, hi = _age(row.get("min_age")), _age(row.get("max_age"))
    if lo or hi:
        rows.append(f"1{lo or '0'} to {hi or '?'} years")
    delivery = str(row.get("delivery") or "").strip().lower()
    if delivery:
        rows.append("2" + (_DELIVERY.get(delivery) or escape_text(delivery)))
    if opening:
        rows.append("3" + opening)
    if contact:
        rows.append("4" + contact)
    if str(row.get("status") or "").strip().lower() == "planned":
        rows.append("5Planned: not open yet")
    if reach_count:
        areas = "small area" if reach_count == 1 else "small areas"
        rows.append(f"6{reach_count:,} {areas} (dashed outline)")
    by = (provider + (f" ({sector} sector)" if sector else "")).strip()
    return {"by": by, "d": "\n".join(rows)}


def service_rows(
    services: gpd.GeoDataFrame,
    *,
    groups: Sequence[tuple[str, CategoryConfig]],
    areas: pd.Series,
) -> ServiceRows:
    """The services to draw (placed and not closed), as rows for the service layer;
    ``areas`` holds each small area's name by its code. Each text column is escaped as
    a whole (:func:`~earlyhelp.maps.safety.escape_texts`), not cell by cell."""
    return service_cells(services, groups=groups, areas=areas).rows()


def service_cells(
    services: gpd.GeoDataFrame,
    *,
    groups: Sequence[tuple[str, CategoryConfig]],
    areas: pd.Series,
) -> ServiceCells:
    """What :func:`service_rows` makes the rows of the services to draw from: their
    cells read, their texts escaped and their places in degrees, each column at once;
    :meth:`ServiceCells.rows` makes the rows of all of them or of some."""
    status = status_of(services).to_numpy()
    placed = located(services).to_numpy()
    closed = status == "closed"
    shown = services[placed & ~closed]
    if len(shown):
        points = shown.geometry.to_crs("EPSG:4326")
        lat = np.round(points.y.to_numpy(), DECIMALS)
        lon = np.round(points.x.to_numpy(), DECIMALS)
    else:
        lat = lon = np.array([])
    # what a row reads cell by cell (its texts are escaped by column, below)
    columns = [c for c in (*_ROW_COLUMNS, "area_code") if c in shown.columns]
    none = [None] * len(shown)
    escape = lru_cache(maxsize=1 << 16)(escape_text)  # category labels repeat
    return ServiceCells(
        columns=columns,
        cells=[shown[c].to_numpy(dtype=object) for c in columns],  # read by column, once
        text={
            c: _objects(escape_texts(shown[c] if c in shown.columns else none, max_chars=most))
            for c, most in _ESCAPED
        },
        keys=_objects(search_keys(shown["name"] if "name" in shown.columns else none)),
        lat=lat,
        lon=lon,
        names=dict(zip(areas.index, escape_texts(areas, max_chars=120), strict=True)),
        in_county=set(areas.index),
        kinds=_Kinds(groups, escape),
        closed=int(closed.sum()),
        unplaced=int((~placed & ~closed).sum()),
    )


def _objects(values: list[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@dataclass(frozen=True)
class ServiceCells:
    """The drawn services' cells by column (``cells``, named by ``columns``), texts
    escaped (``text``), places (``lat``, ``lon``), the escaped names of the areas
    (``names``) and the county's area codes (``in_county``), and how many services
    were left off (``closed``, ``unplaced``)."""

    columns: list[str]
    cells: list[np.ndarray]
    text: dict[str, np.ndarray]
    keys: np.ndarray  # search keys of the names
    lat: np.ndarray
    lon: np.ndarray
    names: dict[Any, str]
    in_county: set
    kinds: _Kinds
    closed: int
    unplaced: int

    def rows(self, positions: np.ndarray | None = None) -> ServiceRows:
        """The rows of the services at ``positions`` (all of them by default)."""
        at = np.arange(len(self.lat)) if positions is None else np.asarray(positions, dtype=int)
        cells = [values[at] for values in self.cells]
        text = {c: values[at] for c, values in self.text.items()}
        lat, lon = self.lat[at].tolist(), self.lon[at].tolist()
        records = (dict(zip(self.columns, v, strict=True)) for v in zip(*cells, strict=True))
        names, in_county, kinds = self.names, self.in_county, self.kinds
        rows = []
        for i, row in enumerate(records):
            order, labels = kinds.of(as_list(row.get("categories")))
            reach = sum(1 for c in as_list(row.get("reach_areas")) if c in in_county)
            popup = _popup(text["provider"][i], text["sector"][i], labels, row,
                           text["opening_times"][i], text["contact"][i], reach)  # fmt: skip
            kind, place = labels[0] if labels else "", names.get(row.get("area_code"), "")
            rows.append(
                {
                    "ll": [lat[i], lon[i]],
                    "k": list(order),  # its own list: rows share what _Kinds made
                    "n": text["name"][i] or "Unnamed service",
                    **popup,
                    "pl": int(str(row.get("status") or "").strip().lower() == "planned"),
                    # what tells two services of one name apart in search: kind, place
                    "w": f"{kind}, {place}" if kind and place else kind or place,
                }
            )
        return ServiceRows(
            rows=rows,
            search_keys=self.keys[at].tolist(),
            closed=self.closed,
            unplaced=self.unplaced,
        )


class _Kinds:
    """A service's category groups (positions in ``groups``, in its own order, "other"
    for a key the taxonomy lacks) and escaped labels, from its category keys; made once
    for each list of keys (services share a few)."""

    def __init__(self, groups: Sequence[tuple[str, CategoryConfig]], escape: Callable) -> None:
        self.categories = dict(groups)
        self.position = {key: i for i, (key, _) in enumerate(groups)}
        self.other = self.position.get(OTHER[0])
        self.escape = escape
        self.made: dict[tuple[str, ...], tuple[list[int], list[str]]] = {}

    def of(self, cats: list[str]) -> tuple[list[int], list[str]]:
        """The groups and labels of ``cats`` (lists the caller must not change)."""
        key = tuple(cats)
        if key not in self.made:
            self.made[key] = self._of(cats)
        return self.made[key]

    def _of(self, cats: list[str]) -> tuple[list[int], list[str]]:
        order: list[int] = []
        for c in cats:
            k = self.position.get(c, self.other)
            if k is not None and k not in order:
                order.append(k)
        if not order:
            order = [self.other if self.other is not None else 0]
        categories, escape = self.categories, self.escape
        labels = [escape(categories[c].label or c) if c in categories else escape(c) for c in cats]
        return order, labels


_ROW_KEYS = ("ll", "k", "n", "by", "d", "pl", "w")
# what JSON or script_json would write differently in a text: a quote, a backslash, a
# control character, "<" ("</", "<!") and the line and paragraph separators
_NOT_VERBATIM = re.compile('[\x00-\x1f"\\\\<\u2028\u2029]')


def encoded_rows(rows: Sequence[dict]) -> list[str]:
    """Each of :func:`service_rows`' rows as :func:`~earlyhelp.maps.safety.script_json`
    writes it, the same text, written directly: its texts are escaped (no quote,
    backslash, ``<`` or control character) and its popup lines joined by line breaks.
    A row that is not so (or holds a number JSON would write otherwise) goes through
    :func:`~earlyhelp.maps.safety.script_json`."""
    return [_row_json(row) or script_json(row) for row in rows]


def _row_json(row: dict) -> str | None:
    if tuple(row) != _ROW_KEYS:
        return None
    (lat, lon), k, name, by, lines, planned, where = row.values()
    texts = (name, by, lines, where)
    if not all(type(t) is str for t in texts):
        return None
    if _NOT_VERBATIM.search(name + by + where + lines.replace("\n", " ")):
        return None
    if not (type(lat) is float and type(lon) is float and math.isfinite(lat + lon)):
        return None
    if type(planned) is not int or type(k) is not list or any(type(i) is not int for i in k):
        return None
    kinds = ",".join(map(str, k))
    d = lines.replace("\n", "\\n")
    return (
        f'{{"ll":[{lat!r},{lon!r}],"k":[{kinds}],"n":"{name}","by":"{by}","d":"{d}",'
        f'"pl":{planned},"w":"{where}"}}'
    )
