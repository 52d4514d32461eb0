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
    "located",
    "service_badges",
    "service_cells",
    "service_groups",
    "service_popup",
    "service_rows",
    "status_of",
]

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

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
    """The services' rows for :class:`~earlyhelp.maps.layers.ServiceLayer`, each as the
    page's script holds it (``encoded``: :func:`~earlyhelp.maps.safety.script_json` of
    the row), their category groups (``kinds``, the row's ``k``), search keys, and how
    many services were left off."""

    encoded: list[str]
    kinds: list[tuple[int, ...]]
    search_keys: list[str]
    closed: int
    unplaced: int

    @property
    def rows(self) -> list[dict]:
        """The rows read back: ``ll`` [lat, lon], ``k`` category groups, ``n`` name,
        ``by`` provider, ``d`` popup lines, ``pl`` planned (0/1), ``w`` what tells two
        services of one name apart (kind, place)."""
        return [json.loads(text) for text in self.encoded]


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
    return {
        "by": _by(provider, sector),
        "d": _lines(
            labels,
            _age_line(_age(row.get("min_age")), _age(row.get("max_age"))),
            _delivery_line(row.get("delivery")),
            opening,
            contact,
            _is_planned(row.get("status")),
            reach_count,
        ),
    }


def _by(provider: str, sector: str) -> str:
    """Who gives the help: the provider and its sector (escaped)."""
    return (provider + (f" ({sector} sector)" if sector else "")).strip()


def _lines(
    labels: Sequence[str],
    ages: str,
    delivery: str,
    opening: str,
    contact: str,
    planned: bool,
    reach_count: int,
) -> str:
    """A popup's lines (see :func:`service_popup`), each the index of its heading and
    its text: ``ages`` and ``delivery`` are their lines already (:func:`_age_line`,
    :func:`_delivery_line`, "" for none), the texts escaped."""
    lines = (
        "0" + ("; ".join(labels) or "not recorded"),
        ages,
        delivery,
        "3" + opening if opening else "",
        "4" + contact if contact else "",
        "5Planned: not open yet" if planned else "",
        _reach_line(reach_count),
    )
    return "\n".join(line for line in lines if line)


def _reach_line(count: int) -> str:
    """The line of how many small areas a children's centre is responsible for."""
    if not count:
        return ""
    return f"6{count:,} {'small area' if count == 1 else 'small areas'} (dashed outline)"


def _age_line(lo: str, hi: str) -> str:
    """The ages line of a popup from the youngest and oldest age shown ("" for none)."""
    return f"1{lo or '0'} to {hi or '?'} years" if lo or hi else ""


def _delivery_line(value: Any) -> str:
    """The line saying how help is given, from a ``delivery`` cell ("" for none)."""
    delivery = str(value or "").strip().lower()
    return "2" + (_DELIVERY.get(delivery) or escape_text(delivery)) if delivery else ""


def _is_planned(value: Any) -> bool:
    """Whether a ``status`` cell says the service is planned (not open yet)."""
    return str(value or "").strip().lower() == "planned"


def _ages(values: np.ndarray) -> list[str]:
    """:func:`_age` of each cell; a column of numbers once per distinct number (told
    apart bit for bit, so -0 is written as -0)."""
    if len(values) and all(type(v) is float for v in values):
        bits, inverse = np.unique(values.astype(float).view(np.int64), return_inverse=True)
        shown = [_age(v) for v in bits.view(np.float64).tolist()]
        return [shown[i] for i in inverse.tolist()]
    return _each(values, _age)


def _each(values: np.ndarray, fn: Callable[[Any], Any]) -> list[Any]:
    """``fn`` of each cell, once per distinct text (cells of other types each time)."""
    memo: dict[str, Any] = {}
    out = []
    for value in values:
        if type(value) is str:
            if value not in memo:
                memo[value] = fn(value)
            out.append(memo[value])
        else:
            out.append(fn(value))
    return out


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
        """The rows of the services at ``positions`` (all of them by default). Their
        parts are made column by column (a part that repeats, such as an age, a kind of
        help or how help is given, once) and joined into each row's JSON by Arrow."""
        at = np.arange(len(self.lat)) if positions is None else np.asarray(positions, dtype=int)
        none = np.full(len(at), None, dtype=object)
        cell = dict(zip(self.columns, (values[at] for values in self.cells), strict=True))
        text = {c: values[at] for c, values in self.text.items()}
        in_county, names = self.in_county, self.names
        kinds = [self.kinds.of(as_list(cats)) for cats in cell.get("categories", none)]
        reach = [  # (most services are responsible for no area: an empty list)
            0 if type(areas) is list and not areas else sum(c in in_county for c in as_list(areas))
            for areas in cell.get("reach_areas", none)
        ]
        lows, highs = _ages(cell.get("min_age", none)), _ages(cell.get("max_age", none))
        places = [names.get(code, "") for code in cell.get("area_code", none)]
        planned = _each(cell.get("status", none), _is_planned)
        lines = list(
            map(
                _lines,
                [kind.labels for kind in kinds],
                map(_age_line, lows, highs),
                _each(cell.get("delivery", none), _delivery_line),
                text["opening_times"],
                text["contact"],
                planned,
                reach,
            )
        )
        encoded = _row_texts(
            lat=self.lat[at],
            lon=self.lon[at],
            kinds=[kind.text for kind in kinds],
            name=[n or "Unnamed service" for n in text["name"]],
            by=list(map(_by, text["provider"], text["sector"])),
            lines=lines,
            planned=planned,
            # what tells two services of one name apart in search: kind, place
            where=[
                f"{k.first}, {p}" if k.first and p else k.first or p
                for k, p in zip(kinds, places, strict=True)
            ],
        )
        return ServiceRows(
            encoded=encoded,
            kinds=[kind.order for kind in kinds],
            search_keys=self.keys[at].tolist(),
            closed=self.closed,
            unplaced=self.unplaced,
        )


class _Kind(NamedTuple):
    """A list of category keys as a row shows it."""

    order: tuple[int, ...]  # the groups, in the service's own order
    labels: list[str]  # escaped labels
    text: str  # the groups as the row's JSON writes them ("0,3")
    first: str  # the first label ("" for none)


class _Kinds:
    """A service's category groups (positions in ``groups``, in its own order, "other"
    for a key the taxonomy lacks) and escaped labels, from its category keys; made once
    for each list of keys (services share a few)."""

    def __init__(self, groups: Sequence[tuple[str, CategoryConfig]], escape: Callable) -> None:
        self.categories = dict(groups)
        self.position = {key: i for i, (key, _) in enumerate(groups)}
        self.other = self.position.get(OTHER[0])
        self.escape = escape
        self.made: dict[tuple[str, ...], _Kind] = {}

    def of(self, cats: list[str]) -> _Kind:
        """The groups and labels of ``cats`` (lists the caller must not change)."""
        key = tuple(cats)
        if key not in self.made:
            self.made[key] = self._of(cats)
        return self.made[key]

    def _of(self, cats: list[str]) -> _Kind:
        order: list[int] = []
        for c in cats:
            k = self.position.get(c, self.other)
            if k is not None and k not in order:
                order.append(k)
        if not order:
            order = [self.other if self.other is not None else 0]
        categories, escape = self.categories, self.escape
        labels = [escape(categories[c].label or c) if c in categories else escape(c) for c in cats]
        first = labels[0] if labels else ""
        return _Kind(tuple(order), labels, ",".join(map(str, order)), first)


# what JSON or script_json would write differently in a text: a quote, a backslash, a
# control character, "<" ("</", "<!") and the line and paragraph separators (RE2, for
# Arrow; in the popup's lines a line break is written \n, so it is left out there)
_NOT_VERBATIM = r'[\x00-\x1f"\\<\x{2028}\x{2029}]'
_NOT_VERBATIM_LINES = r'[\x00-\x09\x0b-\x1f"\\<\x{2028}\x{2029}]'


def _row_texts(
    *,
    lat: np.ndarray,
    lon: np.ndarray,
    kinds: list[str],
    name: list[str],
    by: list[str],
    lines: list[str],
    planned: list[bool],
    where: list[str],
) -> list[str]:
    """Each row's JSON as :func:`~earlyhelp.maps.safety.script_json` writes it, the same
    text: joined by Arrow where the row's texts hold nothing JSON would write otherwise
    (escaped text holds no quote, backslash, ``<`` or control character) and its place
    is a finite number; any other row is written by ``script_json`` itself. ``kinds``
    are the groups as written (``"0,3"``), ``lines`` the popup's lines of each row
    (:func:`_lines`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def column(values: list[str]) -> pa.Array:
        return pa.array(values, type=pa.string())

    d = column(lines)
    texts = {"n": column(name), "by": column(by), "w": column(where)}
    odd = np.asarray(pc.match_substring_regex(d, _NOT_VERBATIM_LINES))
    for values in texts.values():
        odd |= np.asarray(pc.match_substring_regex(values, _NOT_VERBATIM))
    odd |= ~np.isfinite(lat + lon)
    pl = ["1" if p else "0" for p in planned]
    joined = pc.binary_join_element_wise(
        '{"ll":[', column([repr(x) for x in lat.tolist()]), ",",
        column([repr(x) for x in lon.tolist()]), '],"k":[', column(kinds), '],"n":"',
        texts["n"], '","by":"', texts["by"], '","d":"', pc.replace_substring(d, "\n", "\\n"),
        '","pl":', column(pl), ',"w":"', texts["w"], '"}', "",
    ).to_pylist()  # fmt: skip
    for i in np.flatnonzero(odd).tolist():
        row = {
            "ll": [float(lat[i]), float(lon[i])],
            "k": [int(k) for k in kinds[i].split(",")],
            "n": name[i],
            "by": by[i],
            "d": lines[i],
            "pl": int(planned[i]),
            "w": where[i],
        }
        joined[i] = script_json(row)
    return joined
