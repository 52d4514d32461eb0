"""Local wording of case systems onto one vocabulary: how an episode closed, where a
referral came from, and the factors recorded.

Case systems word these differently ("Step up to CSC", "Stepped up to children's social
care"); each is normalised (lower case, spaces and punctuation folded) and looked up in
the config's own mapping first (``[casework.outcomes]``, ``[casework.sources]``), then in
the common wordings below. What matches nothing is counted as ``other`` and listed in a
warning, so it can be mapped.
"""

from __future__ import annotations

__all__ = [
    "OTHER_GROUP",
    "SOURCE_GROUPS",
    "TOXIC_TRIO",
    "factor_key",
    "group_of_source",
    "normalise",
    "outcome_of",
    "source_of",
]

import re
from collections.abc import Mapping

from earlyhelp.config.extracts import OUTCOMES, REFERRAL_SOURCES

_FOLD = re.compile(r"[^a-z0-9]+")


def normalise(text: object) -> str:
    """``"Stepped up to Children's Social Care"`` -> ``"stepped up to children s social care"``."""
    return _FOLD.sub(" ", str(text).lower()).strip()


_OUTCOME_WORDS = {
    "needs_met": (
        "needs met", "outcomes achieved", "plan completed", "closed needs met",
        "successful", "goals achieved",
    ),
    "stepped_up": (
        "step up", "stepped up", "step up to csc", "stepped up to csc",
        "step up to social care", "stepped up to social care",
        "stepped up to children s social care", "step up to children s social care",
        "referred to children s social care", "escalated to children s social care",
    ),
    "stepped_down": (
        "step down", "stepped down", "stepped down to universal services",
        "step down to universal services", "single agency support", "universal services",
    ),
    "declined": (
        "declined", "consent withdrawn", "family withdrew consent", "withdrew consent",
        "disengaged", "did not engage", "family declined",
    ),
    "moved": ("moved", "moved away", "moved out of area", "moved out of the area"),
    "other": ("other",),
}  # fmt: skip

_SOURCE_WORDS = {
    "police": ("police",),
    "health_services": (
        "health", "health services", "gp", "hospital", "health visitor", "midwife",
        "nhs", "primary health", "secondary health",
    ),
    "schools": ("school", "schools", "education school"),
    "education_services": ("education services", "early years", "nursery", "education"),
    "la_services": (
        "la", "la services", "local authority", "local authority services",
        "social care", "early help", "children s services",
    ),
    "housing": ("housing", "housing services"),
    "individual": ("individual", "family", "self", "parent", "relative", "member of public"),
    "other_legal_agency": (
        "other legal agency", "probation", "court", "yot", "youth offending", "prison",
    ),
    "anonymous": ("anonymous",),
    "unknown": ("unknown", "not recorded", "not known"),
    "other": ("other",),
}  # fmt: skip

# The indicator list's groups of referral sources.
SOURCE_GROUPS = {
    "police": "police",
    "health_services": "health",
    "schools": "schools",
    "la_services": "local authority",
}
OTHER_GROUP = "other"

# Referral factors counted per 10,000 children (the "toxic trio").
TOXIC_TRIO = ("domestic_abuse", "mental_health", "substance_misuse")
_FACTOR_WORDS = {
    "domestic_abuse": ("domestic abuse", "domestic violence", "da", "dv"),
    "mental_health": ("mental health", "parental mental health", "mh"),
    "substance_misuse": (
        "substance misuse", "alcohol misuse", "drug misuse", "alcohol", "drugs",
        "parental substance misuse", "sm",
    ),
}  # fmt: skip


def _lookup(words: Mapping[str, tuple[str, ...]], names: tuple[str, ...]) -> dict[str, str]:
    found = {normalise(name): name for name in names}
    for canonical, wordings in words.items():
        found.update({normalise(w): canonical for w in wordings})
    return found


_OUTCOMES = _lookup(_OUTCOME_WORDS, OUTCOMES)
_SOURCES = _lookup(_SOURCE_WORDS, REFERRAL_SOURCES)
_FACTORS = _lookup(_FACTOR_WORDS, TOXIC_TRIO)


def outcome_of(text: str, mapping: Mapping[str, str]) -> str | None:
    """The canonical outcome of a closure reason, or None when nothing matches."""
    key = normalise(text)
    own = {normalise(k): v for k, v in mapping.items()}
    return own.get(key) or _OUTCOMES.get(key)


def source_of(text: str, mapping: Mapping[str, str]) -> str | None:
    """The canonical (DfE) source of a referral, or None when nothing matches."""
    key = normalise(text)
    own = {normalise(k): v for k, v in mapping.items()}
    return own.get(key) or _SOURCES.get(key)


def group_of_source(source: str) -> str:
    """The indicator list's group of a DfE source: police, health, schools, local
    authority or other."""
    return SOURCE_GROUPS.get(source, OTHER_GROUP)


def factor_key(text: str) -> str:
    """One recorded factor as a key: the toxic trio by name, others normalised."""
    key = normalise(text)
    return _FACTORS.get(key, key.replace(" ", "_"))
