"""Scenarios: what if a service closes, opens, moves or changes capacity?

A scenario is a list of changes to the services, from a TOML file or command-line flags:

.. code-block:: toml

    name = "Close the Saltmarrow hub"        # optional
    description = "Option 2 of the review"   # optional

    [[close]]
    service_id = "C003"

    [[open]]                                 # a new service (or a planned/closed one, by id)
    service_id = "N001"
    name = "Brindlecote Domestic Abuse Hub"
    categories = ["domestic_abuse"]
    easting = 620262                         # EPSG:27700 metres, or postcode = "..."
    northing = 505133
    capacity = 200                           # optional: min_age, max_age, annual_cost,
                                             # provider, sector, delivery, notes ...
    [[move]]
    service_id = "S0002"
    easting = 617500
    northing = 503900

    [[capacity]]
    service_id = "S0003"
    capacity = 400

A closed service keeps its row with ``status = "closed"`` (so it stops counting, as in the
directory). ``[[open]]`` with the id of a planned or closed service makes it active
(optionally moved, with new capacity or categories). Each service id may appear once,
except that ``[[move]]`` and ``[[capacity]]`` may both name it.

How a scenario is run and compared with the baseline: :mod:`earlyhelp.scenario.compare`.
"""

from __future__ import annotations

__all__ = [
    "SCENARIO_ACTIONS",
    "Change",
    "Scenario",
    "apply_scenario",
    "combine",
    "read_scenario",
    "scenario_from_flags",
]

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import CategoryConfig, read_toml
from earlyhelp.errors import InputError
from earlyhelp.geography import normalise_postcode
from earlyhelp.loading import STUDY_AREA_TOLERANCE_M
from earlyhelp.provision import DELIVERY, SECTORS, STATUS
from earlyhelp.text import did_you_mean

_TEXT = "text"
_NUMBER = "number"
_LIST = "list"
_LOCATION = ("easting", "northing", "postcode")
_OPEN_OPTIONAL = {
    "provider": _TEXT,
    "sector": _TEXT,
    "min_age": _NUMBER,
    "max_age": _NUMBER,
    "capacity": _NUMBER,
    "annual_cost": _NUMBER,
    "delivery": _TEXT,
    "opening_times": _TEXT,
    "contact": _TEXT,
    "notes": _TEXT,
}

# Each action: its fields and their kinds, and the fields it needs.
SCENARIO_ACTIONS: dict[str, dict[str, Any]] = {
    "close": {"fields": {"service_id": _TEXT}, "required": ("service_id",)},
    "open": {
        "fields": {
            "service_id": _TEXT,
            "name": _TEXT,
            "categories": _LIST,
            "easting": _NUMBER,
            "northing": _NUMBER,
            "postcode": _TEXT,
            **_OPEN_OPTIONAL,
        },
        "required": ("service_id",),
    },
    "move": {
        "fields": {
            "service_id": _TEXT,
            "easting": _NUMBER,
            "northing": _NUMBER,
            "postcode": _TEXT,
        },
        "required": ("service_id",),
    },
    "capacity": {
        "fields": {"service_id": _TEXT, "capacity": _NUMBER},
        "required": ("service_id", "capacity"),
    },
}
_TOP_KEYS = ("name", "description", *SCENARIO_ACTIONS)
_APPLY_ORDER = ("open", "move", "capacity", "close")


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change to the services.

    ``where`` says where it came from, for messages: ``scenario.toml, [[close]] entry 1``
    or ``--close C003``. ``values`` holds the entry's other fields.
    """

    action: str
    service_id: str
    where: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass(frozen=True)
class Scenario:
    """A named list of changes to the services."""

    name: str = "scenario"
    description: str = ""
    changes: tuple[Change, ...] = ()
    source: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "source": str(self.source) if self.source else None,
            "changes": [
                {"action": c.action, "service_id": c.service_id, "from": c.where, **c.values}
                for c in self.changes
            ],
        }


def _kind_problem(kind: str, value: Any) -> str | None:
    if kind == _TEXT and not isinstance(value, str):
        return f"must be text in quotes, not {value!r}"
    if kind == _NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"must be a number (no quotes or commas), not {value!r}"
    if kind == _LIST and not (
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        return f'must be a list of category keys like ["domestic_abuse"], not {value!r}'
    return None


def _entry_problems(action: str, entry: Any, where: str) -> list[str]:
    spec = SCENARIO_ACTIONS[action]
    if not isinstance(entry, dict):
        return [f"{where}: must be a table of keys (write [[{action}]] on its own line)"]
    problems = []
    known = list(spec["fields"])
    for key, value in entry.items():
        if key not in spec["fields"]:
            problems.append(
                f"{where}, field '{key}': not a field of [[{action}]]{did_you_mean(key, known)};"
                f" fields are: {', '.join(known)}"
            )
            continue
        bad = _kind_problem(spec["fields"][key], value)
        if bad:
            problems.append(f"{where}, field '{key}': {bad}")
    for key in spec["required"]:
        if key not in entry or (isinstance(entry[key], str) and not entry[key].strip()):
            problems.append(f"{where}: field '{key}' is missing; add {key} = \"...\"")
    has_en = "easting" in entry or "northing" in entry
    if has_en and not ("easting" in entry and "northing" in entry):
        problems.append(f"{where}: give both easting and northing (EPSG:27700 metres)")
    if has_en and "postcode" in entry:
        problems.append(f"{where}: give easting and northing or a postcode, not both")
    if action == "move" and not (has_en or "postcode" in entry):
        problems.append(f"{where}: a move needs easting and northing, or a postcode")
    for key in ("capacity", "annual_cost", "min_age", "max_age"):
        value = entry.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            problems.append(f"{where}, field '{key}': cannot be below zero (got {value})")
    lo, hi = entry.get("min_age"), entry.get("max_age")
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        problems.append(f"{where}: min_age {lo} is above max_age {hi}; swap them")
    return problems


def read_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario TOML file (every problem reported at once).

    Checks the structure and the type of every field; whether the service ids exist is
    checked when the scenario is applied (:func:`apply_scenario`).
    """
    path = Path(path)
    data = read_toml(
        path,
        what="scenario file",
        missing="check the path given to --file",
        syntax="check quotes and brackets (each change is a [[close]], [[open]], [[move]] "
        'or [[capacity]] table with service_id = "...")',
        error=InputError,
    )
    name = path.name
    problems: list[str] = []
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(
                f"{name}: unknown key '{key}'{did_you_mean(key, _TOP_KEYS)}; a scenario has "
                f"name, description and tables [[close]], [[open]], [[move]], [[capacity]]"
            )
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{name}: '{key}' must be text in quotes")
    changes = []
    for action in SCENARIO_ACTIONS:
        entries = data.get(action, [])
        if isinstance(entries, dict):  # [close] written instead of [[close]]
            problems.append(
                f"{name}: write [[{action}]] (double brackets) for each change, not [{action}]"
            )
            continue
        if not isinstance(entries, list):
            problems.append(f"{name}: '{action}' must be [[{action}]] tables")
            continue
        for i, entry in enumerate(entries, start=1):
            where = f"{name}, [[{action}]] entry {i}"
            found = _entry_problems(action, entry, where)
            problems.extend(found)
            if not found:
                values = {k: v for k, v in entry.items() if k != "service_id"}
                if isinstance(values.get("categories"), str):
                    values["categories"] = [
                        c.strip() for c in values["categories"].split(";") if c.strip()
                    ]
                changes.append(Change(action, entry["service_id"].strip(), where, values))
    if not problems and not changes:
        problems.append(
            f"{name}: the scenario has no changes; add [[close]], [[open]], [[move]] or "
            "[[capacity]] tables"
        )
    _raise(problems, path)
    return Scenario(
        name=data.get("name", "") or path.stem,
        description=data.get("description", ""),
        changes=tuple(changes),
        source=path,
    )


def _raise(problems: Sequence[str], path: Path | str | None = None) -> None:
    if not problems:
        return
    if len(problems) == 1:
        raise InputError(problems[0])
    head = f"{path}: {len(problems)} problems in the scenario" if path else "scenario problems"
    raise InputError(head + ":\n  - " + "\n  - ".join(problems))


def _pair(text: str, flag: str, shape: str) -> tuple[str, str]:
    sid, sep, rest = text.partition("=")
    if not sep or not sid.strip() or not rest.strip():
        raise InputError(f"{flag} {text}: write it as {shape}")
    return sid.strip(), rest.strip()


def _number(text: str, flag: str, whole: str, shape: str) -> float:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise InputError(f"{flag} {whole}: '{text}' is not a number; write it as {shape}") from None
    if not np.isfinite(value):
        raise InputError(f"{flag} {whole}: '{text}' is not a number; write it as {shape}")
    return value


def scenario_from_flags(
    *,
    close: Iterable[str] = (),
    move: Iterable[str] = (),
    capacity: Iterable[str] = (),
    name: str = "",
) -> Scenario:
    """A scenario from command-line flags.

    ``close``: service ids. ``move``: ``ID=EASTING,NORTHING`` (EPSG:27700 metres).
    ``capacity``: ``ID=N``.
    """
    changes = [Change("close", sid.strip(), f"--close {sid}") for sid in close]
    shape = "--move ID=EASTING,NORTHING (EPSG:27700 metres), e.g. --move C003=612000,498000"
    for text in move:
        sid, rest = _pair(text, "--move", shape)
        parts = rest.split(",")
        if len(parts) != 2:
            raise InputError(f"--move {text}: write it as {shape}")
        e, n = (_number(p.strip(), "--move", text, shape) for p in parts)
        changes.append(Change("move", sid, f"--move {text}", {"easting": e, "northing": n}))
    shape = "--capacity ID=PLACES, e.g. --capacity C003=800"
    for text in capacity:
        sid, rest = _pair(text, "--capacity", shape)
        value = _number(rest, "--capacity", text, shape)
        if value < 0:
            raise InputError(f"--capacity {text}: capacity cannot be below zero")
        changes.append(Change("capacity", sid, f"--capacity {text}", {"capacity": value}))
    ids = [c.service_id for c in changes if c.action == "close"]
    label = name or ("close " + ", ".join(ids) if ids and len(ids) == len(changes) else "")
    return Scenario(name=label or "scenario", changes=tuple(changes))


def combine(*scenarios: Scenario) -> Scenario:
    """One scenario with the changes of all (the first one's name and source)."""
    scenarios = tuple(s for s in scenarios if s is not None)
    if not scenarios:
        return Scenario()
    named = [s for s in scenarios if s.changes]
    first = named[0] if named else scenarios[0]
    return Scenario(
        name=first.name if len(named) <= 1 else " + ".join(s.name for s in named),
        description=first.description,
        changes=tuple(c for s in scenarios for c in s.changes),
        source=next((s.source for s in scenarios if s.source), None),
    )


# --------------------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------------------


def _id_key(text: str) -> str:
    """An id without case, spaces or the leading zeros of its numbers ("c03" ~ "C003")."""
    return re.sub(r"(?<!\d)0+(?=\d)", "", re.sub(r"[\s_-]", "", text.lower()))


def _close_ids(sid: str, ids: Sequence[str]) -> str:
    same = [i for i in ids if _id_key(i) == _id_key(sid)]
    close = list(dict.fromkeys([*same, *difflib.get_close_matches(sid, ids, n=5, cutoff=0.5)]))
    if not close:
        close = [i for i in ids if i[:2].lower() == sid[:2].lower()]
    close = close[:5]
    hint = f" (did you mean '{same[0]}'?)" if same else did_you_mean(sid, ids)
    listed = f"; ids like it: {', '.join(close)}" if close else ""
    return f"no service '{sid}'{hint}{listed}; check the id in the services or centres file"


def _locate(
    change: Change,
    *,
    crs: Any,
    postcodes: pd.DataFrame | None,
    problems: list[str],
) -> Any:
    """The point a change puts its service at (analysis CRS), or None when not given."""
    if change.get("easting") is not None:
        pt = gpd.GeoSeries(
            gpd.points_from_xy([change.get("easting")], [change.get("northing")]),
            crs="EPSG:27700",
        ).to_crs(crs)
        return pt.iloc[0]
    if change.get("postcode"):
        code = normalise_postcode(pd.Series([change.get("postcode")])).iloc[0]
        if postcodes is None:
            problems.append(
                f"{change.where}, field 'postcode': no postcode lookup is configured; give "
                "easting and northing instead, or set [postcodes] path"
            )
        elif code not in postcodes.index:
            problems.append(
                f"{change.where}, field 'postcode': '{change.get('postcode')}' is not in the "
                "postcode lookup; check it, or give easting and northing"
            )
        else:
            row = postcodes.loc[code]
            return gpd.points_from_xy([row["x"]], [row["y"]])[0]
    return None


def _area_codes(points: gpd.GeoSeries, areas: gpd.GeoDataFrame) -> np.ndarray:
    """The area each point lies in, else the nearest within the study-area tolerance
    (generalised coastlines), else None."""
    out = np.full(len(points), None, dtype=object)
    if not len(points):
        return out
    hit = areas.sindex.nearest(
        points.to_numpy(), max_distance=STUDY_AREA_TOLERANCE_M, return_all=False
    )
    out[hit[0]] = areas.index.to_numpy()[hit[1]]
    return out


def apply_scenario(
    services: gpd.GeoDataFrame,
    scenario: Scenario,
    *,
    areas: gpd.GeoDataFrame,
    categories: Mapping[str, CategoryConfig],
    postcodes: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The services with the scenario's changes made, and a table of what changed.

    ``services`` is not modified. Every problem (an unknown id, a contradiction, a category
    not in the taxonomy, a place far outside the study area) is collected and raised once
    as an :class:`~earlyhelp.errors.InputError` naming the file entry or flag.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The changed services (index ``service_id``) and one row per change: ``action``,
        ``service_id``, ``name``, ``categories``, ``detail``, ``source``.
    """
    out = services.copy()
    ids = [str(i) for i in services.index]
    known = set(ids)
    problems: list[str] = []
    seen: dict[str, list[Change]] = {}
    for change in scenario.changes:
        seen.setdefault(change.service_id, []).append(change)
    for sid, group in seen.items():
        actions = [c.action for c in group]
        if len(group) > 1 and sorted(actions) != ["capacity", "move"]:
            problems.append(
                f"{group[1].where}: service '{sid}' is already changed by {group[0].where}; "
                "give each service one change (a [[move]] and a [[capacity]] may be combined)"
            )
    reach_m = max((c.reach_rural_m for c in categories.values()), default=0.0)
    taxonomy = list(categories)
    rows = []
    new_rows = []
    moved_points: dict[str, Any] = {}
    ordered = sorted(scenario.changes, key=lambda c: _APPLY_ORDER.index(c.action))
    for change in ordered:
        sid = change.service_id
        exists = sid in known
        if change.action != "open" and not exists:
            problems.append(f"{change.where}: {_close_ids(sid, ids)}")
            continue
        point = _locate(change, crs=services.crs, postcodes=postcodes, problems=problems)
        if point is not None:
            dist = float(areas.distance(point).min()) if len(areas) else 0.0
            if dist > max(reach_m, STUDY_AREA_TOLERANCE_M):
                problems.append(
                    f"{change.where}: the place given is {dist / 1000:,.1f} km outside the study "
                    "area; check easting and northing (EPSG:27700 metres, not swapped)"
                )
                continue
        cats = [c.strip().lower() for c in change.get("categories", [])]
        for cat in cats:
            if cat not in categories:
                problems.append(
                    f"{change.where}, field 'categories': '{cat}' is not in [categories]"
                    f"{did_you_mean(cat, taxonomy)}; categories are: {', '.join(taxonomy)}"
                )
        for key, choices in (("sector", SECTORS), ("delivery", DELIVERY)):
            value = change.get(key)
            if value is not None and value.strip().lower() not in choices:
                problems.append(
                    f"{change.where}, field '{key}': '{value}' is not a valid {key}"
                    f"{did_you_mean(value, choices)}; use one of: {', '.join(choices)}"
                )
        if change.action == "open":
            if exists and out.loc[sid, "status"] == "active":
                problems.append(
                    f"{change.where}: service '{sid}' is already active; use [[move]] or "
                    "[[capacity]] to change it, or give the new service an id of its own"
                )
                continue
            if not exists:
                missing = [k for k in ("name", "categories") if not change.get(k)]
                if point is None and not any(change.get(k) for k in _LOCATION):
                    missing.append("easting and northing (or postcode)")
                if missing:
                    problems.append(
                        f"{change.where}: a new service needs {', '.join(missing)}; add them "
                        "(or use the id of a planned or closed service to reopen it)"
                    )
                    continue
        if problems:
            continue
        name = change.get("name") or (str(out.loc[sid, "name"]) if exists else sid)
        if change.action == "close":
            before = out.loc[sid, "status"]
            out.loc[sid, "status"] = "closed"
            detail = f"status {before} -> closed"
        elif change.action == "capacity":
            before = out.loc[sid, "capacity"]
            out.loc[sid, "capacity"] = float(change.get("capacity"))
            was = "unknown" if pd.isna(before) else f"{before:,.0f}"
            detail = f"capacity {was} -> {float(change.get('capacity')):,.0f}"
        elif change.action == "move":
            old = out.loc[sid, "geometry"]
            moved_points[sid] = point
            out.loc[sid, "geometry"] = point
            far = old.distance(point) if old is not None and not old.is_empty else float("nan")
            detail = f"moved {far:,.0f} m to {point.x:.0f}, {point.y:.0f}"
        elif exists:  # reopen a planned or closed service
            before = out.loc[sid, "status"]
            out.loc[sid, "status"] = "active"
            detail = f"status {before} -> active"
            for key in ("name", "capacity", "annual_cost", "min_age", "max_age", "provider"):
                if change.get(key) is not None:
                    out.loc[sid, key] = change.get(key)
            for key in ("sector", "delivery"):
                if change.get(key) is not None:
                    out.loc[sid, key] = change.get(key).strip().lower()
            if cats:
                out.at[sid, "categories"] = cats
            if point is not None:
                moved_points[sid] = point
                out.loc[sid, "geometry"] = point
                detail += f", at {point.x:.0f}, {point.y:.0f}"
        else:
            new_rows.append(_new_service(sid, change, cats, point, scenario.name))
            detail = f"new service at {point.x:.0f}, {point.y:.0f}"
        shown = cats or (list(out.loc[sid, "categories"]) if exists else [])
        rows.append(
            {
                "action": change.action,
                "service_id": sid,
                "name": name,
                "categories": "; ".join(shown),
                "detail": detail,
                "source": change.where,
            }
        )
    _raise(problems, scenario.source)
    if new_rows:
        frame = gpd.GeoDataFrame(new_rows, geometry="geometry", crs=services.crs).set_index(
            "service_id"
        )
        out = pd.concat([out, frame.reindex(columns=out.columns)])
        out = gpd.GeoDataFrame(out, geometry="geometry", crs=services.crs)
    placed = [*moved_points, *(r["service_id"] for r in new_rows)]
    if placed and "area_code" in out.columns:
        out.loc[placed, "area_code"] = _area_codes(out.geometry.loc[placed], areas)
    out.index.name = "service_id"
    table = pd.DataFrame(
        rows, columns=["action", "service_id", "name", "categories", "detail", "source"]
    )
    return out, table


def _new_service(
    sid: str, change: Change, cats: list[str], point: Any, scenario_name: str
) -> dict[str, Any]:
    def text(key: str, default: str = "") -> str:
        value = change.get(key)
        return default if value is None else str(value).strip()

    def number(key: str, default: float) -> float:
        value = change.get(key)
        return default if value is None else float(value)

    return {
        "service_id": sid,
        "name": text("name", sid),
        "provider": text("provider"),
        "sector": text("sector", "voluntary").lower(),
        "categories": cats,
        "min_age": number("min_age", 0.0),
        "max_age": number("max_age", 19.0),
        "capacity": number("capacity", np.nan),
        "annual_cost": number("annual_cost", np.nan),
        "reached": np.nan,
        "delivery": text("delivery", "in_person").lower(),
        "status": STATUS[0],  # active
        "reach_areas": [],
        "opening_times": text("opening_times"),
        "contact": text("contact"),
        "notes": text("notes", f"opened in scenario '{scenario_name}'"),
        "source": "scenario",
        "area_code": None,
        "geometry": point,
    }
