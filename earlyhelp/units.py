"""Units of cost: a distance model measures in metres (``"m"``) or minutes (``"min"``).

One place decides what a cost means and how it reads: :func:`in_unit` picks the metres
or the minutes form of a setting, :func:`shown` writes a cost for a reader ("1.6 km",
"12 min"). A leaf module: it imports nothing of earlyhelp.
"""

from __future__ import annotations

__all__ = [
    "COST_UNITS",
    "METRES",
    "MINUTES",
    "display_name",
    "display_values",
    "in_unit",
    "metres_to_minutes",
    "shown",
]

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy arrays work here, but reading a config need not load numpy
    import numpy as np

METRES = "m"
MINUTES = "min"
COST_UNITS = (METRES, MINUTES)


def _checked(unit: str) -> str:
    if unit not in COST_UNITS:
        raise ValueError(f"cost unit must be one of {COST_UNITS}, not {unit!r}")
    return unit


def in_unit(metres: float, minutes: float, unit: str) -> float:
    """The form of a setting that matches ``unit``: ``metres`` for "m", ``minutes`` for "min"."""
    return metres if _checked(unit) == METRES else minutes


def metres_to_minutes(metres: float | np.ndarray, *, kph: float) -> float | np.ndarray:
    """Minutes needed to cover ``metres`` at ``kph`` kilometres an hour."""
    return metres * 0.06 / kph


def display_name(unit: str) -> str:
    """The unit a reader sees: kilometres for metres, minutes for minutes."""
    return "km" if _checked(unit) == METRES else "min"


def display_values(values, unit: str):
    """Costs in the unit a reader sees (metres become kilometres; minutes stay)."""
    return values / 1000.0 if _checked(unit) == METRES else values


def shown(value: float, unit: str, *, spec: str | None = None) -> str:
    """A cost as a reader sees it: ``1600`` metres -> ``"1.6 km"``, ``12.4`` min -> ``"12 min"``.

    ``spec`` is the number's format (default ``.1f`` for kilometres, ``.0f`` for minutes;
    ``g`` for a setting such as a threshold: ``2000`` -> ``"2 km"``).
    """
    if _checked(unit) == METRES:
        return f"{value / 1000:{spec or '.1f'}} km"
    return f"{value:{spec or '.0f'}} min"
