"""The scenario file: what if a service closes, opens, moves or changes capacity?

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

This module reads and checks that format (:func:`read_scenario`, :func:`scenario_from_flags`,
:func:`combine`); :data:`SCENARIO_ACTIONS` lists each action's fields. Whether the service
ids exist is checked when the changes are made (:mod:`earlyhelp.scenario.actions`).
"""

from __future__ import annotations

__all__ = [
    "LOCATION_FIELDS",
    "SCENARIO_ACTIONS",
    "Change",
    "Scenario",
    "combine",
    "raise_problems",
    "read_scenario",
    "scenario_from_flags",
]

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from earlyhelp.config import read_toml
from earlyhelp.errors import InputError
from earlyhelp.text import did_you_mean

_TEXT = "text"
_NUMBER = "number"
_LIST = "list"
LOCATION_FIELDS = ("easting", "northing", "postcode")
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

# Each action: its fields and their kinds, the fields it needs, and whether it needs a
# place (easting and northing, or a postcode). How each is made: actions.ACTIONS.
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
        "needs_place": True,
    },
    "capacity": {
        "fields": {"service_id": _TEXT, "capacity": _NUMBER},
        "required": ("service_id", "capacity"),
    },
}
_TOP_KEYS = ("name", "description", *SCENARIO_ACTIONS)
_TABLES = [f"[[{action}]]" for action in SCENARIO_ACTIONS]
_TABLES_OR = ", ".join(_TABLES[:-1]) + " or " + _TABLES[-1]  # [[close]], ... or [[capacity]]


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


# --------------------------------------------------------------------------------------
# Reading a file
# --------------------------------------------------------------------------------------


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
    if spec.get("needs_place") and not (has_en or "postcode" in entry):
        problems.append(f"{where}: a {action} needs easting and northing, or a postcode")
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
    checked when the scenario is applied (:func:`~earlyhelp.scenario.apply_scenario`).
    """
    path = Path(path)
    data = read_toml(
        path,
        what="scenario file",
        missing="check the path given to --file",
        syntax=f"check quotes and brackets (each change is a {_TABLES_OR} "
        'table with service_id = "...")',
        error=InputError,
    )
    name = path.name
    problems: list[str] = []
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(
                f"{name}: unknown key '{key}'{did_you_mean(key, _TOP_KEYS)}; a scenario has "
                f"name, description and tables {', '.join(_TABLES)}"
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
        problems.append(f"{name}: the scenario has no changes; add {_TABLES_OR} tables")
    raise_problems(problems, path)
    return Scenario(
        name=data.get("name", "") or path.stem,
        description=data.get("description", ""),
        changes=tuple(changes),
        source=path,
    )


def raise_problems(problems: Sequence[str], path: Path | str | None = None) -> None:
    """Raise every problem found in a scenario at once (an :class:`InputError`), if any."""
    if not problems:
        return
    if len(problems) == 1:
        raise InputError(problems[0])
    head = f"{path}: {len(problems)} problems in the scenario" if path else "scenario problems"
    raise InputError(head + ":\n  - " + "\n  - ".join(problems))


# --------------------------------------------------------------------------------------
# Flags, and several scenarios as one
# --------------------------------------------------------------------------------------


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
