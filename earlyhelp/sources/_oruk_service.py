"""What one Open Referral service record says, in any of the shapes councils publish.

The field rules (a person reading the JSON would read the same):

* **keys** in any case (``minimumAge``, ``MinimumAge`` and ``minimum_age`` are one key);
* **organisation**: ``organization`` or ``organisation`` (its ``name``), else a flat
  ``organization_name``;
* **ages**: ``minimum_age``/``maximum_age`` or ``min_age``/``max_age`` of the service,
  else the widest of its ``eligibility``/``eligibilitys``; a negative age (Placecube's
  ``-1``) is "not set", and a minimum above the maximum is reported and read as unknown;
* **locations**: ``service_at_locations[].location``, else ``locations[]``; a point from
  ``latitude``/``longitude`` or a GeoJSON ``geometry``; 0,0 is a placeholder and a
  latitude past 90 or longitude past 180 impossible (both ignored, the second reported);
  a postcode from a physical address, never a postal one (``postal_address``, or an
  address whose ``address_type`` is ``postal``); a ``virtual`` or ``postal`` location
  is not a place;
* **delivery**: ``attending_type`` and the locations' ``location_type`` (or, for a
  location with no place, words such as "online" in its name): virtual and phone
  services are remote, not unplaceable;
* **opening times**: ``schedules``, ``regular_schedules`` and ``regular_schedule`` of
  the service and its locations, days from ``byday`` (``MO,WE``) or ``weekday``
  (``Monday``), grouped by hours: ``Tu,Th 10:00-12:00``;
* **contact**: phones from ``phones[]`` and from ``contacts[]``, nested
  (``contacts[].phones[].number``) or flat (``contacts[].phone``), then e-mails;
  placeholder addresses (``@...invalid``) are left out;
* **taxonomy terms** from ``taxonomies[]``, ``service_taxonomys[].taxonomy``,
  ``taxonomy_terms[]`` and ``attributes[].taxonomy_term``;
* **service areas** from ``service_areas[]``; **last update** from ``last_modified``,
  ``updated_at`` or ``assured_date``.
"""

from __future__ import annotations

__all__ = ["ServiceRecord", "Term", "normal_keys", "parse_service"]

import json
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np


class Term(NamedTuple):
    """One taxonomy term as the directory gives it."""

    id: str
    code: str
    name: str
    vocabulary: str


@dataclass
class ServiceRecord:
    """What one service record says, before categories are mapped.

    ``values`` holds the canonical columns; ``problems`` the impossible values found
    (field, what), reported with the service's id; ``notes`` what is written beside it.
    """

    file: str
    record: int  # position in its file, from 1
    values: dict[str, Any]
    terms: list[Term] = field(default_factory=list)
    assured: str = ""
    updated: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    place: str = ""  # where it is, for spotting duplicates: postcode, point or location name

    @property
    def label(self) -> str:
        """How a message names the service: its id and name."""
        sid, name = self.values.get("service_id", ""), self.values.get("name", "")
        return f"{sid} '{name}'" if sid and name else (f"'{name}'" if name else sid or "?")


_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_REMOTE_WORDS = (  # a location without a place that says one of these is remote
    ("online", "online"),
    ("virtual", "online"),
    ("zoom", "online"),
    ("video", "online"),
    ("website", "online"),
    ("web", "online"),
    ("remote", "online"),
    ("telephone", "phone"),
    ("phone", "phone"),
    ("helpline", "phone"),
)
_ATTENDING = (  # words of attending_type / location_type
    ("online", "online"),
    ("virtual", "online"),
    ("remote", "online"),
    ("video", "online"),
    ("web", "online"),
    ("phone", "phone"),
    ("home", "outreach"),
    ("outreach", "outreach"),
    ("community", "outreach"),
    ("venue", "in_person"),
    ("person", "in_person"),
    ("physical", "in_person"),
    ("face", "in_person"),
    ("centre", "in_person"),
    ("drop", "in_person"),
)
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b")


def normal_keys(value: Any) -> Any:
    """The same JSON with every key in snake_case lower case (``totalElements`` ->
    ``total_elements``), so one rule reads every dialect."""
    if isinstance(value, dict):
        return {_snake(str(k)): normal_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal_keys(v) for v in value]
    return value


def _snake(key: str) -> str:
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key.strip())
    return re.sub(r"[\s\-]+", "_", key).lower()


def parse_service(raw: dict[str, Any], file: str, record: int) -> ServiceRecord:
    """One record (keys already normal, :func:`normal_keys`) as a :class:`ServiceRecord`."""
    s = raw
    svc = ServiceRecord(file=file, record=record, values={})
    svc.values = {"service_id": _text(s.get("id")), "name": _text(s.get("name"))}
    lo, hi = _ages(s, svc)
    places = [p for p in (_location(loc, extra, svc) for loc, extra in _locations(s)) if p]
    placed = [p for p in places if p["latitude"] is not None or p["postcode"]]
    first = placed[0] if placed else None
    if len(placed) > 1:
        others = ", ".join(p["postcode"] or p["name"] or "?" for p in placed[1:4])
        more = "..." if len(placed) > 4 else ""
        svc.notes.append(f"{len(placed)} locations; the first was used (others: {others}{more})")
    areas = _service_areas(s)
    svc.values |= {
        "provider": _provider(s),
        "categories": "",
        "min_age": lo,
        "max_age": hi,
        "delivery": _delivery(s, places, first),
        "status": _text(s.get("status")),
        "latitude": first["latitude"] if first else None,
        "longitude": first["longitude"] if first else None,
        "postcode": first["postcode"] if first else "",
        "opening_times": _opening_times(s, places),
        "contact": _contact(s, places),
        "service_areas": "; ".join(areas),
        "notes": "",
    }
    if first is not None:
        svc.place = first["postcode"] or f"{first['latitude']:.4f},{first['longitude']:.4f}"
    svc.terms = _terms(s)
    svc.assured = _text(s.get("assured_date"))
    svc.updated = _latest(s)
    return svc


# --------------------------------------------------------------------------- small readers


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return [value] if isinstance(value, dict) else []


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split())


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).strip())
    except ValueError:
        return None
    return out if np.isfinite(out) else None


def _provider(s: dict[str, Any]) -> str:
    for key in ("organization", "organisation"):
        org = s.get(key)
        if isinstance(org, dict) and _text(org.get("name")):
            return _text(org.get("name"))
    return _text(s.get("organization_name") or s.get("organisation_name"))


def _latest(s: dict[str, Any]) -> str:
    """The latest of the dates a record says it was changed or checked (ISO text)."""
    dates = [
        _text(s.get(k))
        for k in ("last_modified", "updated_at", "date_modified", "assured_date")
        if _text(s.get(k))
    ]
    meta = s.get("pc_metadata")
    if isinstance(meta, dict):
        dates += [_text(meta.get(k)) for k in ("date_modified", "date_assured") if meta.get(k)]
    return max(dates, default="")


# --------------------------------------------------------------------------- ages


def _ages(s: dict[str, Any], svc: ServiceRecord) -> tuple[float | None, float | None]:
    """The service's own ages, else the widest of its eligibility records."""
    lo, hi = _age_pair(s, svc)
    if lo is None and hi is None:
        elig = [
            e for k in ("eligibilitys", "eligibility", "eligibilities") for e in _list(s.get(k))
        ]
        pairs = [_age_pair(e, svc) for e in elig]
        los = [p[0] for p in pairs if p[0] is not None]
        his = [p[1] for p in pairs if p[1] is not None]
        lo, hi = (min(los) if los else None), (max(his) if his else None)
    if lo is not None and hi is not None and lo > hi:
        svc.problems.append(("min_age", f"minimum age {lo:g} above maximum age {hi:g}"))
        return None, None
    return lo, hi


def _age_pair(d: dict[str, Any], svc: ServiceRecord) -> tuple[float | None, float | None]:
    out: list[float | None] = []
    for keys in (("minimum_age", "min_age", "age_min"), ("maximum_age", "max_age", "age_max")):
        value = next((_number(d[k]) for k in keys if _number(d.get(k)) is not None), None)
        if value is not None and value < 0:  # -1: "not set" (Placecube)
            note = f"age {value:g} read as not set"
            if note not in svc.notes:
                svc.notes.append(note)
            value = None
        out.append(value)
    return out[0], out[1]


# --------------------------------------------------------------------------- locations


def _locations(s: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each location with the service-at-location record it came in (schedules, phones)."""
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for sal in _list(s.get("service_at_locations")):
        loc = sal.get("location")
        found.append((loc, sal) if isinstance(loc, dict) else (sal, {}))
    if not found:
        found = [(loc, {}) for k in ("locations", "location") for loc in _list(s.get(k))]
    return found


def _location(
    loc: dict[str, Any], sal: dict[str, Any], svc: ServiceRecord
) -> dict[str, Any] | None:
    kind = _text(loc.get("location_type")).lower()
    if kind == "postal":
        return None  # an address to write to, not a place
    lat, lon = _point(loc, svc)
    addresses = [
        a
        for k in ("physical_addresses", "physical_address", "addresses", "address")
        for a in _list(loc.get(k))
        if _text(a.get("address_type")).lower() != "postal"
    ]
    if not any(k in loc for k in ("postal_address", "postal_addresses")):
        addresses.append(loc)  # Outpost: the address is written on the location itself
    postcode = next(
        (
            _text(a.get(k))
            for a in addresses
            for k in ("postal_code", "postcode")
            if _text(a.get(k))
        ),
        "",
    )
    if not postcode:  # a postcode written into the location's name or first line
        found = (_POSTCODE.search(_text(loc.get(k)).upper()) for k in ("name", "address_1"))
        postcode = next((f"{m.group(1)} {m.group(2)}" for m in found if m), "")
    if kind == "virtual":
        lat = lon = None
        postcode = ""
    said = " ".join(_text(loc.get(k)).lower() for k in ("name", "city", "address_1", "description"))
    remote = next((d for w, d in _REMOTE_WORDS if w in said), "")
    return {
        "name": _text(loc.get("name")),
        "latitude": lat,
        "longitude": lon,
        "postcode": postcode.upper(),
        "location_type": kind,
        "remote": "online" if kind == "virtual" else remote,
        "schedules": _schedules(loc) + _schedules(sal),
        "phones": _phones(loc) + _phones(sal),
    }


def _point(loc: dict[str, Any], svc: ServiceRecord) -> tuple[float | None, float | None]:
    """Latitude and longitude from the fields or a GeoJSON point; placeholders and
    impossible values are dropped (the second reported), swapped ones put right."""
    lat = _number(loc.get("latitude", loc.get("lat")))
    lon = _number(loc.get("longitude", loc.get("lon", loc.get("lng"))))
    geometry = loc.get("geometry")
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError:
            geometry = None
    if (lat is None or lon is None) and isinstance(geometry, dict):
        xy = geometry.get("coordinates")
        if _text(geometry.get("type")).lower() == "point" and isinstance(xy, list) and len(xy) > 1:
            lon, lat = _number(xy[0]), _number(xy[1])
    if lat is None or lon is None or (lat == 0 and lon == 0):
        if lat == 0 and lon == 0:
            svc.notes.append("coordinates 0,0 ignored")
        return None, None
    if abs(lat) > 90 or abs(lon) > 180:
        svc.problems.append(
            ("latitude", f"impossible coordinates latitude {lat:g}, longitude {lon:g}")
        )
        return None, None
    if -9 <= lat <= 2.5 and 49 <= lon <= 61:  # Great Britain, written the wrong way round
        svc.notes.append("latitude and longitude were swapped")
        lat, lon = lon, lat
    return lat, lon


def _service_areas(s: dict[str, Any]) -> list[str]:
    names = [
        _text(a.get("name") or a.get("service_area") or a.get("description"))
        for a in _list(s.get("service_areas"))
    ]
    return list(dict.fromkeys(n for n in names if n))


def _delivery(s: dict[str, Any], places: list[dict[str, Any]], first: dict | None) -> str:
    """in_person, outreach, online or phone; "" when the record does not say."""
    said = " ".join(
        [_text(s.get("attending_type")).lower()]
        + [_text(x.get("attending_type")).lower() for x in _schedules(s)]
        + [p["location_type"] for p in places]
    )
    words = {d for w, d in _ATTENDING if w in said}
    physical = first is not None or any(p["location_type"] == "physical" for p in places)
    if physical:  # a place of its own, even one the record does not locate
        return "outreach" if "outreach" in words and "in_person" not in words else "in_person"
    remote = [p["remote"] for p in places if p["remote"]]
    for delivery in ("online", "phone"):
        if delivery in words or delivery in remote:
            return delivery
    return "outreach" if "outreach" in words else ""


# --------------------------------------------------------------------------- schedules


def _schedules(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        x for k in ("regular_schedules", "regular_schedule", "schedules") for x in _list(d.get(k))
    ]


def _days(sch: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[,;\s]+", _text(sch.get("byday") or sch.get("weekday"))):
        word = re.sub(r"^[+-]?\d+(?=[A-Za-z])", "", part).lower()  # RRULE "1MO"
        if word.isdigit() and 1 <= int(word) <= 7:
            out.append(_DAYS[int(word) - 1])  # ISO: 1 is Monday
            continue
        out += [d for d in _DAYS if word and word[:2] == d.lower()]
    return list(dict.fromkeys(out))


def _hhmm(value: Any) -> str:
    found = _TIME.search(_text(value))
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else ""


def _opening_times(s: dict[str, Any], places: list[dict[str, Any]]) -> str:
    """Schedules as ``Tu,Th 10:00-12:00; Sa 09:00-12:00``: days grouped by their hours."""
    schedules = _schedules(s) + [x for p in places for x in p["schedules"]]
    hours: dict[str, list[str]] = {}
    said: list[str] = []
    for sch in schedules:
        opens, closes = _hhmm(sch.get("opens_at")), _hhmm(sch.get("closes_at"))
        span = f"{opens}-{closes}" if opens and closes else ""
        days = _days(sch)
        if days or span:
            hours.setdefault(span, [])
            hours[span] += [d for d in days if d not in hours[span]]
        elif _text(sch.get("description")):
            said.append(_text(sch.get("description")))
    out = []
    for span, days in hours.items():
        ordered = ",".join(sorted(days, key=_DAYS.index))
        out.append(" ".join(p for p in (ordered, span) if p))
    return "; ".join(dict.fromkeys(out + said))


# --------------------------------------------------------------------------- contact, terms


def _phones(d: dict[str, Any]) -> list[str]:
    """Phone numbers of a record: its ``phones[]`` and its contacts' (nested or flat)."""
    items = _list(d.get("phones"))
    for contact in _list(d.get("contacts")):
        items += _list(contact.get("phones"))
        items += [{"number": contact.get(k)} for k in ("phone", "telephone") if contact.get(k)]
    items += [{"number": d.get(k)} for k in ("phone", "telephone") if isinstance(d.get(k), str)]
    out = []
    for item in items:
        number = _text(item.get("number")).strip("\"' ")
        extension = _text(item.get("extension"))
        if number:
            out.append(f"{number} ext. {extension}" if extension else number)
    return out


def _emails(d: dict[str, Any]) -> list[str]:
    found = [_text(d.get("email"))] + [_text(c.get("email")) for c in _list(d.get("contacts"))]
    return [e for e in found if "@" in e and not e.lower().endswith(".invalid")]


def _contact(s: dict[str, Any], places: list[dict[str, Any]]) -> str:
    phones = _phones(s) + [n for p in places for n in p["phones"]]
    return "; ".join(dict.fromkeys(phones + _emails(s)))


def _terms(s: dict[str, Any]) -> list[Term]:
    """Every taxonomy term of a service."""
    raw: list[dict[str, Any]] = list(_list(s.get("taxonomies")))
    for item in _list(s.get("service_taxonomys")) + _list(s.get("taxonomy_terms")):
        inner = item.get("taxonomy") or item.get("taxonomy_term")
        raw.append(inner if isinstance(inner, dict) else item)
    for attr in _list(s.get("attributes")):
        inner = attr.get("taxonomy_term")
        if isinstance(inner, dict):
            raw.append(inner)
    out = []
    for term in raw:
        code = _text(term.get("code") or term.get("slug"))
        name = _text(term.get("name") or term.get("term")) or code
        detail = term.get("taxonomy_detail")
        vocab = _text(term.get("vocabulary") or term.get("taxonomy"))
        if not vocab and isinstance(detail, dict):
            vocab = _text(detail.get("name"))
        if name or code or term.get("id") is not None:
            out.append(Term(_text(term.get("id")), code, name, vocab))
    return list(dict.fromkeys(out))
