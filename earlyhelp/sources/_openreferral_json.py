"""Reading an Open Referral UK directory's JSON into service records.

The files (a page, a folder of pages or a list), each file's page envelope and the paging
it reports (pages or services missing are warned about), repeated ids across pages, and
what each service record says (:class:`ServiceRecord`: ages, the first location, delivery,
opening times, contact and taxonomy terms) before its terms are mapped to categories. The
shapes understood are those listed in :mod:`earlyhelp.sources.openreferral`, which maps,
checks and returns them as rows.
"""

from __future__ import annotations

__all__ = ["ServiceRecord", "read_directory"]

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from earlyhelp.errors import InputError
from earlyhelp.validation import ValidationReport

_DELIVERY = (  # first match wins; looked for in attending_type and location_type
    ("online", "online"),
    ("virtual", "online"),
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
)


@dataclass
class ServiceRecord:
    """What one service record says, before categories are mapped."""

    file: str
    record: int  # position in its file, from 1
    values: dict[str, Any]
    terms: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, code, name, vocab
    assured: str = ""
    notes: list[str] = field(default_factory=list)


def read_directory(files: list[Path], report: ValidationReport) -> list[ServiceRecord]:
    """Every service record of the files, once each (repeated ids are left out)."""
    services = _read_services(files, report)
    if not services:
        raise InputError(
            f"{files[0].name}: no services were found in the file(s); check that this is the "
            "response of an Open Referral UK /services endpoint"
        )
    where = files[0].name if len(files) == 1 else files[0].parent.name
    return _drop_repeated_ids(services, where, report)


def _read_services(files: list[Path], report: ValidationReport) -> list[ServiceRecord]:
    services: list[ServiceRecord] = []
    pages: dict[str, Any] = {"seen": set(), "total_pages": None, "total_items": None}
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise InputError(
                f"{file.name}: the file is not UTF-8 JSON; download it again"
            ) from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{file.name}: not valid JSON ({exc.msg} at line {exc.lineno}); the download "
                "may have been cut short, so download it again"
            ) from None
        records = _records(data, file, pages)
        for i, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                report.warn(
                    file,
                    "",
                    f"item {i} is not a service record and was skipped",
                    "check that the file is an Open Referral UK /services response",
                    rows=i,
                )
                continue
            services.append(_parse_service(record, file.name, i))
    _check_pages(pages, len(services), files, report)
    return services


def _records(data: Any, file: Path, pages: dict[str, Any]) -> list[Any]:
    """The service records of one file, noting the paging information it carries."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise InputError(f"{file.name}: expected a JSON object or list of services")
    for key, total_pages, total_items, number in (
        ("content", "totalPages", "totalElements", "number"),
        ("contents", "total_pages", "total_items", "page_number"),
    ):
        if isinstance(data.get(key), list):
            if data.get(total_pages) is not None:
                pages["total_pages"] = int(data[total_pages])
            if data.get(total_items) is not None:
                pages["total_items"] = int(data[total_items])
            if data.get(number) is not None:
                pages["seen"].add(int(data[number]))
            return data[key]
    if "id" in data and "name" in data:
        return [data]
    raise InputError(
        f"{file.name}: not an Open Referral UK services response (no 'content' list of "
        f"services; top-level keys are: {', '.join(list(data)[:8])}); save the JSON of the "
        "directory's /services endpoint"
    )


def _check_pages(pages, n_services: int, files: list[Path], report: ValidationReport) -> None:
    total_pages, total_items, seen = pages["total_pages"], pages["total_items"], pages["seen"]
    where = files[0].parent.name if len(files) > 1 else files[0].name
    if total_pages is not None and len(seen) < total_pages:
        report.warn(
            where,
            "",
            f"the directory has {total_pages} page(s) of services but {len(seen)} were given "
            f"(page numbers read: {', '.join(str(p) for p in sorted(seen)) or 'none'})",
            "download every page (the API's page=... parameter, or a larger per_page) into "
            "one folder and import the folder",
        )
    elif total_items is not None and n_services < total_items:
        report.warn(
            where,
            "",
            f"the directory says it holds {total_items} services but {n_services} were read",
            "download every page of the /services endpoint into one folder and import it",
        )


def _parse_service(s: dict[str, Any], file: str, record: int) -> ServiceRecord:
    svc = ServiceRecord(file=file, record=record, values={})
    org = s.get("organization")
    if not isinstance(org, dict):
        org = {}
    lo, hi = _ages(s)
    locations = [_location(sal) for sal in _list(s.get("service_at_locations"))]
    placed = [loc for loc in locations if loc["latitude"] is not None or loc["postcode"]]
    first = placed[0] if placed else None
    if any(loc["zero"] for loc in locations):
        svc.notes.append("coordinates 0,0 ignored")
    if len(placed) > 1:
        others = ", ".join(loc["postcode"] or loc["name"] or "?" for loc in placed[1:4])
        more = "..." if len(placed) > 4 else ""
        svc.notes.append(f"{len(placed)} locations; the first was used (others: {others}{more})")
    svc.values = {
        "service_id": _text(s.get("id")),
        "name": _text(s.get("name")),
        "provider": _text(org.get("name")),
        "categories": "",
        "min_age": lo,
        "max_age": hi,
        "delivery": _delivery(s, first),
        "status": _text(s.get("status")),
        "latitude": first["latitude"] if first else None,
        "longitude": first["longitude"] if first else None,
        "postcode": first["postcode"] if first else "",
        "opening_times": _opening_times(s, first),
        "contact": _contact(s),
        "notes": "",
    }
    svc.terms = _terms(s)
    svc.assured = _text(s.get("assured_date"))
    return svc


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).strip())
    except ValueError:
        return None
    return out if np.isfinite(out) else None


def _ages(s: dict[str, Any]) -> tuple[float | None, float | None]:
    """``minimum_age``/``maximum_age`` of the service, else the widest of its eligibilitys."""
    lo, hi = _number(s.get("minimum_age")), _number(s.get("maximum_age"))
    if lo is None and hi is None:
        elig = _list(s.get("eligibilitys")) + _list(s.get("eligibility"))
        los = [v for e in elig if (v := _number(e.get("minimum_age"))) is not None]
        his = [v for e in elig if (v := _number(e.get("maximum_age"))) is not None]
        lo, hi = (min(los) if los else None), (max(his) if his else None)
    return lo, hi


def _location(sal: dict[str, Any]) -> dict[str, Any]:
    loc = sal.get("location")
    if not isinstance(loc, dict):
        loc = sal
    lat, lon = _number(loc.get("latitude")), _number(loc.get("longitude"))
    zero = lat == 0 and lon == 0  # some directories write 0,0 for "not known"
    if zero:
        lat = lon = None
    addresses: list[dict[str, Any]] = []
    for key in ("physical_addresses", "physical_address", "addresses", "address"):
        addresses += [a for a in _list(loc.get(key)) if isinstance(a, dict)]
    for key in ("postal_address", "postal_addresses"):  # a postal address places less well
        addresses += [a for a in _list(loc.get(key)) if isinstance(a, dict)]
    postcode = next((_text(a.get("postal_code")) for a in addresses if a.get("postal_code")), "")
    schedules = (
        _list(sal.get("regular_schedule"))
        + _list(sal.get("regular_schedules"))
        + _list(sal.get("schedules"))
    )
    return {
        "name": _text(loc.get("name")),
        "latitude": lat if lon is not None else None,
        "longitude": lon if lat is not None else None,
        "postcode": postcode.upper(),
        "location_type": _text(loc.get("location_type")),
        "schedules": schedules,
        "zero": zero,
    }


def _delivery(s: dict[str, Any], first: dict[str, Any] | None) -> str:
    said = " ".join(
        _text(v).lower() for v in (s.get("attending_type"), first and first["location_type"]) if v
    )
    for word, delivery in _DELIVERY:
        if word in said:
            return delivery
    return "in_person" if first is not None else ""


def _opening_times(s: dict[str, Any], first: dict[str, Any] | None) -> str:
    schedules = _list(s.get("regular_schedules")) + _list(s.get("schedules"))
    if first is not None:
        schedules += first["schedules"]
    out: list[str] = []
    for sch in schedules:
        days = ",".join(d.strip().title() for d in _text(sch.get("byday")).split(",") if d.strip())
        opens, closes = _text(sch.get("opens_at"))[:5], _text(sch.get("closes_at"))[:5]
        hours = f"{opens}-{closes}" if opens and closes else ""
        said = " ".join(p for p in (days, hours) if p) or _text(sch.get("description"))
        if said and said not in out:
            out.append(said)
    return "; ".join(out)


def _contact(s: dict[str, Any]) -> str:
    phones = [p for c in _list(s.get("contacts")) for p in _list(c.get("phones"))]
    phones += _list(s.get("phones"))
    found = [_text(p.get("number")) for p in phones if isinstance(p, dict)]
    found.append(_text(s.get("email")))
    unique = dict.fromkeys(f for f in found if f)
    return "; ".join(unique)


def _terms(s: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Every taxonomy term of a service as (id, code, name, vocabulary)."""
    raw: list[dict[str, Any]] = []
    for item in _list(s.get("service_taxonomys")) + _list(s.get("taxonomy_terms")):
        inner = item.get("taxonomy") or item.get("taxonomy_term")
        raw.append(inner if isinstance(inner, dict) else item)
    for attr in _list(s.get("attributes")):  # HSDS 3
        inner = attr.get("taxonomy_term")
        if isinstance(inner, dict):
            raw.append(inner)
    out = []
    for term in raw:
        code = _text(term.get("code"))
        name = _text(term.get("name") or term.get("term")) or code
        vocab = _text(term.get("vocabulary") or term.get("taxonomy"))
        out.append((_text(term.get("id")), code, name, vocab))
    return list(dict.fromkeys(out))


def _drop_repeated_ids(
    services: list[ServiceRecord], where: str, report: ValidationReport
) -> list[ServiceRecord]:
    seen: dict[str, ServiceRecord] = {}
    missing = [s for s in services if not s.values["service_id"]]
    for s in missing:
        report.error(
            s.file,
            "id",
            "a service has no id",
            "the directory must give every service an id; report it to the directory's owner",
            rows=s.record,
        )
    repeated: Counter[str] = Counter()
    for s in services:
        sid = s.values["service_id"]
        if sid and sid in seen:
            repeated[sid] += 1
        elif sid:
            seen[sid] = s
    if repeated:
        listed = ", ".join(f"'{k}'" for k in list(repeated)[:5])
        report.warn(
            where,
            "id",
            f"{sum(repeated.values())} repeated service record(s) were left out (ids {listed}"
            f"{'...' if len(repeated) > 5 else ''}); pages downloaded twice repeat services",
            "nothing to do if the pages overlap; otherwise check the directory for duplicates",
        )
    return list(seen.values())
