"""Who runs the help: the council, the NHS trust, charities, community groups and
companies, and how likely each sector is to run each kind of service.

All invented, as every name in the demo county is.
"""

from __future__ import annotations

import numpy as np

COUNCIL = "Wyvernshire County Council"
_NHS = "Wyvernshire Community Health NHS Trust"
_HEALTH = ("health_visiting", "speech_language", "mental_health")  # the NHS trust's, if statutory

_SECTORS = ("statutory", "voluntary", "community", "private")
# Chance of each sector (in _SECTORS order) running each service category.
_SECTOR_P = {
    "family_support": (0.55, 0.30, 0.15, 0.00),
    "parenting": (0.35, 0.35, 0.25, 0.05),
    "domestic_abuse": (0.20, 0.75, 0.05, 0.00),
    "mental_health": (0.50, 0.35, 0.05, 0.10),
    "substance_misuse": (0.40, 0.60, 0.00, 0.00),
    "youth_work": (0.30, 0.35, 0.35, 0.00),
    "health_visiting": (1.00, 0.00, 0.00, 0.00),
    "speech_language": (0.60, 0.15, 0.10, 0.15),
    "send_support": (0.50, 0.30, 0.15, 0.05),
    "money_housing_advice": (0.30, 0.60, 0.10, 0.00),
    "early_education": (0.25, 0.10, 0.20, 0.45),
}
# Providers to pick from by category ("" for any other); {loc} is the nearest settlement.
_VOLUNTARY = {
    "domestic_abuse": ("Safe Harbour Wyvern", "Freedom Steps Trust"),
    "substance_misuse": ("Steady Tide Recovery", "Clear Path Charity"),
    "mental_health": ("Quiet Harbour Counselling", "Open Tide Listening Service"),
    "money_housing_advice": ("Tidewater Advice", "Northern Lights Money Advice"),
    "youth_work": ("Kindling Youth Trust", "Lighthouse Youth Projects"),
    "": ("Lantern Families Trust", "Brightwater Children's Charity", "Puffin Parents Trust"),
}
_COMMUNITY = (
    "{loc} Community Association",
    "{loc} Parents' Forum",
    "Friends of {loc} Library",
    "{loc} Methodist Church",
)
_PRIVATE = {
    "early_education": ("Sprout & Sparrow Childcare Ltd", "Little Acorns Nurseries Ltd"),
    "speech_language": ("Harbourside Speech Therapy Ltd",),
    "mental_health": ("Clearwater Therapies Ltd",),
    "": ("Tidepool Learning Ltd", "Clearwater Therapies Ltd"),
}


def sector_for(key: str, u: float) -> str:
    """The sector running a service in category ``key``, picked by the uniform draw ``u``."""
    s = int(np.searchsorted(np.cumsum(_SECTOR_P[key]), u, side="right"))
    return _SECTORS[min(s, 3)]


def provider_for(key: str, sector: str, loc: str, u: float) -> str:
    """The provider of a service in category ``key`` and ``sector`` near the settlement
    ``loc``, picked by the uniform draw ``u``."""
    if sector == "statutory":
        return _NHS if key in _HEALTH else COUNCIL
    if sector == "voluntary":
        pool = _VOLUNTARY.get(key, _VOLUNTARY[""])
    elif sector == "community":
        pool = (*_COMMUNITY, "Wyvern Dads' Network") if key == "parenting" else _COMMUNITY
    else:
        pool = _PRIVATE.get(key, _PRIVATE[""])
    return pool[int(u * len(pool))].format(loc=loc)
