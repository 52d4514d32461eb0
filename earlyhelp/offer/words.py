"""What the offer says, in words, with nothing heavier than the standard library: a
distance as a reader sees it, what an outreach service does, the sentence about each
need, a postcode written as the ONS writes it, and outside text made safe to print.

:mod:`~earlyhelp.offer.finder` (from the whole directory) and
:mod:`~earlyhelp.offer.index` (from an offer index, without loading pandas) both say
everything through these functions, so their answers read the same.
"""

from __future__ import annotations

__all__ = [
    "OUTSIDE_NOTE",
    "age_notes",
    "check_location",
    "check_request",
    "distance_text",
    "is_missing",
    "message",
    "no_postcode_lookup",
    "normal_postcode",
    "not_a_postcode",
    "outreach_text",
    "parse_needs",
    "plain",
    "terminated_note",
    "unknown_postcode",
]

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from earlyhelp.errors import InputError
from earlyhelp.text import did_you_mean
from earlyhelp.units import shown as shown_cost

OUTSIDE_NOTE = (
    "this location is outside every small area of the study area; the urban "
    "(shorter) reach thresholds are used"
)

# as earlyhelp.validation.UNPRINTABLE (kept equal by a test), without importing pandas
UNPRINTABLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_SPACE = re.compile(r"\s+")


def is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA (recognised without importing pandas)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ == "NAType"


def plain(value: object) -> str:
    """Outside text safe to print: unprintable characters removed, white space folded
    (:func:`earlyhelp.validation.plain_text`)."""
    if is_missing(value):
        return ""
    return " ".join(UNPRINTABLE.sub(" ", str(value)).split())


def normal_postcode(text: str) -> str | None:
    """A postcode as the ONS writes it (" ab12cd" -> "AB1 2CD"), or None when too short
    (:func:`earlyhelp.geography.normalise_postcode` for one value)."""
    compact = _SPACE.sub("", str(text).upper())
    return compact[:-3] + " " + compact[-3:] if len(compact) >= 5 else None


def distance_text(value: float | None, unit: str) -> str:
    """A cost as a reader sees it (``"1.8 km"``), or ``"cannot be reached"``."""
    if is_missing(value):
        return "cannot be reached"
    return shown_cost(value, unit)  # type: ignore[arg-type]


def outreach_text(extra: float, unit: str) -> str:
    """What an outreach service does: ``"comes to families, up to 3 km"``."""
    return f"comes to families, up to {shown_cost(extra, unit, spec='g')}"


def message(
    label: str,
    *,
    age: int,
    threshold: float,
    unit: str,
    rural: bool,
    n_within: int,
    n_shown: int,
    outreach_within: bool,
    nearest: Mapping[str, Any] | None,
    n_remote: int,
    n_remote_shown: int,
    extra: float,
) -> str:
    """One plain sentence (or two) about a need, for the family's worker."""
    where = "a rural area" if rural else "an urban area"
    reach = f"{distance_text(threshold, unit)} in {where}"
    anywhere = (
        f" {n_remote} online or phone service{'s' if n_remote != 1 else ''} "
        f"{'are' if n_remote != 1 else 'is'} available anywhere"
        f"{f' ({n_remote - n_remote_shown} not listed)' if n_remote > n_remote_shown else ''}."
        if n_remote
        else ""
    )
    if n_within:
        more = f" ({n_within - n_shown} more not listed)" if n_within > n_shown else ""
        travels = (
            f" Outreach services come to families, up to {shown_cost(extra, unit, spec='g')}, "
            "so they count as within reach from that much further away."
            if outreach_within
            else ""
        )
        return (
            f"{label}: {n_within} service{'s' if n_within != 1 else ''} within reach "
            f"({reach}){more}.{travels}{anywhere}"
        )
    if nearest is None:
        none = (
            f"{label}: no active in-person or outreach service for a child aged {age} "
            "anywhere in the directory."
        )
        return none + (anywhere or " No online or phone service either.")
    how_far = distance_text(nearest["distance"], unit)
    outreach = (
        f" (an outreach service: it {outreach_text(extra, unit)})"
        if nearest["delivery"] == "outreach"
        else ""
    )
    return (
        f"{label}: NO service within reach ({reach}) for a child aged {age}. The nearest "
        f"is {nearest['name']}, {how_far} away{outreach}.{anywhere}"
    )


def check_location(
    *,
    postcode: str | None,
    lat: float | None,
    lon: float | None,
    easting: float | None,
    northing: float | None,
) -> str:
    """Which one location was given (``"postcode"``, ``"latlon"`` or ``"en"``), or an
    :class:`~earlyhelp.errors.InputError` with the fix: none or several given, a half of
    one, degrees that are not degrees, or grid metres that look like degrees."""
    given = {
        "--postcode": postcode is not None,
        "--lat/--lon": lat is not None or lon is not None,
        "--easting/--northing": easting is not None or northing is not None,
    }
    chosen = [k for k, v in given.items() if v]
    if len(chosen) != 1:
        what = "no location was given" if not chosen else f"{' and '.join(chosen)} were given"
        raise InputError(
            f"offer: {what}; give exactly one of --postcode, --lat with --lon, or "
            "--easting with --northing"
        )
    if postcode is not None:
        return "postcode"
    if chosen == ["--lat/--lon"]:
        if lat is None or lon is None:
            raise InputError("offer: give both --lat and --lon (degrees, WGS 84)")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(
                f"offer: latitude {lat} / longitude {lon} are not degrees; latitude is "
                "-90..90 and longitude -180..180 (did you mean --easting/--northing?)"
            )
        return "latlon"
    if easting is None or northing is None:
        raise InputError("offer: give both --easting and --northing (metres, EPSG:27700)")
    if abs(easting) <= 180 and abs(northing) <= 90:
        raise InputError(
            f"offer: easting {easting} / northing {northing} look like degrees; use "
            "--lat and --lon for latitude and longitude"
        )
    return "en"


def terminated_note(code: str) -> str:
    return (
        f"postcode {code} is terminated; its last known location was used (check "
        "the family's current postcode)"
    )


def not_a_postcode(text: str) -> str:
    return (
        f"offer: '{text}' is not a postcode; write it like QX1 2AB (spaces and case "
        "do not matter), or give --lat/--lon or --easting/--northing"
    )


def no_postcode_lookup(where: Path | None) -> str:
    state = "is not set" if where is None else f"({where}) was not found"
    return (
        f'offer: the postcode lookup {state}; set path = "..." under [postcodes] in '
        "config.toml to a postcode file (such as the ONS Postcode Directory), or give "
        "--lat/--lon or --easting/--northing"
    )


def unknown_postcode(code: str, where: Path | None) -> str:
    return (
        f"offer: postcode {code} is not in the postcode lookup ({where}); "
        "check it with the family, or give --lat/--lon or --easting/--northing "
        "(if the postcode is new, update the lookup file)"
    )


def check_request(age: int, limit: int) -> None:
    """Refuse an age that is not a child's (0 to 25 years, not NaN) or a negative listing
    limit."""
    if not 0 <= age <= 25:
        raise InputError(f"offer: age {age} is not a child's age in years; give 0 to 25")
    if limit < 0:
        raise InputError("offer: --limit must be 0 (list all) or more")


def parse_needs(values: Iterable[str] | str | None, categories: Iterable[str]) -> list[str]:
    """Taxonomy keys from ``"parenting,domestic_abuse"`` (or several such strings).

    Case, spaces and hyphens do not matter (``"Domestic abuse"`` is ``domestic_abuse``);
    nothing given means every category. An unknown key raises
    :class:`~earlyhelp.errors.InputError` with a "did you mean" and the valid keys.
    """
    keys = list(categories)
    if values is None:
        return keys
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in str(value).split(","):
            word = part.strip()
            if not word:
                continue
            key = re.sub(r"[\s\-]+", "_", word.lower())
            if key not in keys:
                raise InputError(
                    f"offer: unknown need '{word}'{did_you_mean(word, keys)}; needs are "
                    f"the category keys in config.toml: {', '.join(keys)}"
                )
            if key not in out:
                out.append(key)
    return out or keys


def age_notes(category: Any, key: str, age: int) -> list[str]:
    """A note when the child's age is outside the ages the kind of help is configured for."""
    if category.min_age <= age <= category.max_age:
        return []
    return [
        f"{category.label or key} is configured for ages {category.min_age:g} to "
        f"{category.max_age:g}; a child aged {age} is outside them"
    ]
