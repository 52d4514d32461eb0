"""Making a scenario's changes to the services: one entry per action in :data:`ACTIONS`.

:func:`apply_scenario` checks every change against the services and collects every problem
before raising one :class:`~earlyhelp.errors.InputError`. The checks all actions share
run first, in one place: each service changed once (a ``[[move]]`` and a ``[[capacity]]``
may be combined), the id known (with ids like it when not), the place given inside the
study area, and the categories, sector and delivery valid. Then the action's own entry
checks the change (``check``, its problems) and, when no problem has been found,
makes it (``apply``, returning the ``detail`` shown in ``changes.csv``).

A new action is one entry in :data:`ACTIONS` plus its fields in
:data:`~earlyhelp.scenario.spec.SCENARIO_ACTIONS`. Changes are made in the order of
:data:`ACTIONS` (open, move, capacity, close), whatever their order in the file.
"""

from __future__ import annotations

__all__ = ["ACTIONS", "CHANGE_COLUMNS", "Action", "Edit", "Work", "apply_scenario"]

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import CategoryConfig
from earlyhelp.geography import normalise_postcode
from earlyhelp.loading import STUDY_AREA_TOLERANCE_M
from earlyhelp.provision import DELIVERY, SECTORS, STATUS
from earlyhelp.scenario.spec import (
    LOCATION_FIELDS,
    SCENARIO_ACTIONS,
    Change,
    Scenario,
    raise_problems,
)
from earlyhelp.text import did_you_mean

CHANGE_COLUMNS = ["action", "service_id", "name", "categories", "detail", "source"]
_COMBINABLE = ["capacity", "move"]  # the actions that may name one service together


@dataclass
class Work:
    """A scenario's changes being made: the services (a copy, changed in place), what the
    changes are checked against, the problems found and what has been done so far."""

    services: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    categories: Mapping[str, CategoryConfig]
    postcodes: pd.DataFrame | None
    scenario_name: str
    problems: list[str] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)  # rows of new services
    placed: dict[str, Any] = field(default_factory=dict)  # service id -> its new point
    ids: list[str] = field(init=False)  # the ids before any change
    known: set[str] = field(init=False)
    reach_m: float = field(init=False)  # the longest reach of any category

    def __post_init__(self) -> None:
        self.ids = [str(i) for i in self.services.index]
        self.known = set(self.ids)
        self.reach_m = max((c.reach_rural_m for c in self.categories.values()), default=0.0)


@dataclass(frozen=True)
class Edit:
    """One change being made: where it puts its service, and its categories (cleaned)."""

    change: Change
    exists: bool
    point: Any  # analysis CRS, or None when the change gives no place
    cats: list[str]

    @property
    def sid(self) -> str:
        return self.change.service_id


def _no_check(edit: Edit, work: Work) -> Sequence[str]:
    return ()


@dataclass(frozen=True)
class Action:
    """How one action is checked against the services and made.

    ``check`` returns the change's problems (after the shared checks); ``apply`` makes the
    change and returns the detail for ``changes.csv``. ``adds``: the action may name a
    service that is not in the data yet (it is added), so an unknown id is no problem.
    """

    apply: Callable[[Edit, Work], str]
    check: Callable[[Edit, Work], Sequence[str]] = _no_check
    adds: bool = False


# --------------------------------------------------------------------------------------
# The actions
# --------------------------------------------------------------------------------------


def _check_open(edit: Edit, work: Work) -> Sequence[str]:
    change, sid = edit.change, edit.sid
    if edit.exists and work.services.loc[sid, "status"] == "active":
        return [
            f"{change.where}: service '{sid}' is already active; use [[move]] or "
            "[[capacity]] to change it, or give the new service an id of its own"
        ]
    if not edit.exists:
        missing = [k for k in ("name", "categories") if not change.get(k)]
        if edit.point is None and not any(change.get(k) for k in LOCATION_FIELDS):
            missing.append("easting and northing (or postcode)")
        if missing:
            return [
                f"{change.where}: a new service needs {', '.join(missing)}; add them "
                "(or use the id of a planned or closed service to reopen it)"
            ]
    return ()


def _open(edit: Edit, work: Work) -> str:
    if not edit.exists:
        work.new.append(_new_service(edit, work.scenario_name))
        return f"new service at {edit.point.x:.0f}, {edit.point.y:.0f}"
    # reopen a planned or closed service
    change, sid, out = edit.change, edit.sid, work.services
    before = out.loc[sid, "status"]
    out.loc[sid, "status"] = "active"
    detail = f"status {before} -> active"
    for key in ("name", "capacity", "annual_cost", "min_age", "max_age", "provider"):
        if change.get(key) is not None:
            out.loc[sid, key] = change.get(key)
    for key in ("sector", "delivery"):
        if change.get(key) is not None:
            out.loc[sid, key] = change.get(key).strip().lower()
    if edit.cats:
        out.at[sid, "categories"] = edit.cats
    if edit.point is not None:
        work.placed[sid] = edit.point
        out.loc[sid, "geometry"] = edit.point
        detail += f", at {edit.point.x:.0f}, {edit.point.y:.0f}"
    return detail


def _move(edit: Edit, work: Work) -> str:
    sid, point = edit.sid, edit.point
    old = work.services.loc[sid, "geometry"]
    work.placed[sid] = point
    work.services.loc[sid, "geometry"] = point
    far = old.distance(point) if old is not None and not old.is_empty else float("nan")
    return f"moved {far:,.0f} m to {point.x:.0f}, {point.y:.0f}"


def _capacity(edit: Edit, work: Work) -> str:
    sid, value = edit.sid, float(edit.change.get("capacity"))
    before = work.services.loc[sid, "capacity"]
    work.services.loc[sid, "capacity"] = value
    was = "unknown" if pd.isna(before) else f"{before:,.0f}"
    return f"capacity {was} -> {value:,.0f}"


def _close(edit: Edit, work: Work) -> str:
    before = work.services.loc[edit.sid, "status"]
    work.services.loc[edit.sid, "status"] = "closed"
    return f"status {before} -> closed"


# In the order the changes are made.
ACTIONS: dict[str, Action] = {
    "open": Action(apply=_open, check=_check_open, adds=True),
    "move": Action(apply=_move),
    "capacity": Action(apply=_capacity),
    "close": Action(apply=_close),
}
assert set(ACTIONS) == set(SCENARIO_ACTIONS), "each action of the spec needs an entry here"


# --------------------------------------------------------------------------------------
# Applying, and the checks all actions share
# --------------------------------------------------------------------------------------


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
    work = Work(services.copy(), areas, categories, postcodes, scenario.name)
    work.problems.extend(_repeated(scenario.changes))
    rows = []
    order = list(ACTIONS)
    for change in sorted(scenario.changes, key=lambda c: order.index(c.action)):
        action = ACTIONS[change.action]
        edit = _shared_checks(change, action, work)
        if edit is None:
            continue
        work.problems.extend(action.check(edit, work))
        if work.problems:
            continue
        rows.append(_made(edit, action, work))
    raise_problems(work.problems, scenario.source)
    return _finish(work), pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _repeated(changes: Iterable[Change]) -> list[str]:
    """A problem for each service changed more than once (a move and a capacity may be)."""
    problems = []
    seen: dict[str, list[Change]] = {}
    for change in changes:
        seen.setdefault(change.service_id, []).append(change)
    for sid, group in seen.items():
        actions = [c.action for c in group]
        if len(group) > 1 and sorted(actions) != _COMBINABLE:
            problems.append(
                f"{group[1].where}: service '{sid}' is already changed by {group[0].where}; "
                "give each service one change (a [[move]] and a [[capacity]] may be combined)"
            )
    return problems


def _shared_checks(change: Change, action: Action, work: Work) -> Edit | None:
    """The change with its place and categories, its problems added to ``work.problems``;
    None when it cannot be checked further (an unknown id, a place far outside)."""
    sid, problems, categories = change.service_id, work.problems, work.categories
    exists = sid in work.known
    if not action.adds and not exists:
        problems.append(f"{change.where}: {_close_ids(sid, work.ids)}")
        return None
    point = _locate(change, crs=work.services.crs, postcodes=work.postcodes, problems=problems)
    if point is not None:
        dist = float(work.areas.distance(point).min()) if len(work.areas) else 0.0
        if dist > max(work.reach_m, STUDY_AREA_TOLERANCE_M):
            problems.append(
                f"{change.where}: the place given is {dist / 1000:,.1f} km outside the study "
                "area; check easting and northing (EPSG:27700 metres, not swapped)"
            )
            return None
    taxonomy = list(categories)
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
    return Edit(change, exists, point, cats)


def _made(edit: Edit, action: Action, work: Work) -> dict[str, Any]:
    """Make the change; its row of the changes table."""
    sid, out = edit.sid, work.services
    name = edit.change.get("name") or (str(out.loc[sid, "name"]) if edit.exists else sid)
    detail = action.apply(edit, work)
    shown = edit.cats or (list(out.loc[sid, "categories"]) if edit.exists else [])
    return {
        "action": edit.change.action,
        "service_id": sid,
        "name": name,
        "categories": "; ".join(shown),
        "detail": detail,
        "source": edit.change.where,
    }


def _finish(work: Work) -> gpd.GeoDataFrame:
    """The changed services with the new ones added, and the area of each placed one."""
    out, crs = work.services, work.services.crs
    if work.new:
        frame = gpd.GeoDataFrame(work.new, geometry="geometry", crs=crs).set_index("service_id")
        out = pd.concat([out, frame.reindex(columns=out.columns)])
        out = gpd.GeoDataFrame(out, geometry="geometry", crs=crs)
    placed = [*work.placed, *(r["service_id"] for r in work.new)]
    if placed and "area_code" in out.columns:
        out.loc[placed, "area_code"] = _area_codes(out.geometry.loc[placed], work.areas)
    out.index.name = "service_id"
    return out


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


def _new_service(edit: Edit, scenario_name: str) -> dict[str, Any]:
    change, sid = edit.change, edit.sid

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
        "categories": edit.cats,
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
        "geometry": edit.point,
    }
