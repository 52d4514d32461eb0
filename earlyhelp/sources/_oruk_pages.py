"""Reading an Open Referral directory's JSON files into service records.

The files (a page, a folder of pages or a list), each file's page envelope in any of its
spellings (``content`` or ``contents``; ``totalElements``, ``total_items`` or
``totalelements``; an empty page), the paging it reports (pages or services missing are
warned about) and repeated ids across pages. What each record says is read by
:func:`earlyhelp.sources._oruk_service.parse_service`.
"""

from __future__ import annotations

__all__ = ["Directory", "read_directory"]

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from earlyhelp.errors import InputError
from earlyhelp.sources._oruk_service import ServiceRecord, normal_keys, parse_service
from earlyhelp.validation import ValidationReport

# envelope keys, compared as lower-case letters only: "totalElements" == "totalelements"
_RECORDS = ("content", "contents")
_TOTAL_PAGES = ("totalpages",)
_TOTAL_ITEMS = ("totalelements", "totalitems")
_PAGE_NUMBER = ("number", "pagenumber")


@dataclass
class Directory:
    """The service records of a directory's files and what their envelopes said."""

    services: list[ServiceRecord]  # once each: records without an id or repeated left out
    where: str  # the file, or the folder of pages, named in problems
    records: list[ServiceRecord] = field(default_factory=list)  # every record read
    pages_read: list[int] = field(default_factory=list)
    total_pages: int | None = None
    total_items: int | None = None


def read_directory(files: list[Path], report: ValidationReport, *, where: str = "") -> Directory:
    """Every service record of the files, once each (repeated ids are left out).

    ``where`` names the directory in problems about all of it (default: the file, or
    the folder of pages). A directory that holds no service at all is an empty list,
    not an error: the caller says why nothing can be used.
    """
    where = where or (files[0].name if len(files) == 1 else files[0].parent.name)
    directory = Directory([], where)
    for file in files:
        data = _load(file)
        for i, record in enumerate(_records(data, file, directory), start=1):
            if not isinstance(record, dict):
                report.warn(
                    file,
                    "",
                    f"item {i} is not a service record and was skipped",
                    "check that the file is an Open Referral /services response",
                    rows=i,
                )
                continue
            directory.services.append(parse_service(normal_keys(record), file.name, i))
    _check_pages(directory, report)
    directory.records = list(directory.services)
    directory.services = _drop_repeated_ids(directory.services, where, report)
    return directory


def _load(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{file.name}: the file is not UTF-8 JSON; download it again") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{file.name}: not valid JSON ({exc.msg} at line {exc.lineno}); the download "
            "may have been cut short, so download it again"
        ) from None


def _key(name: object) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalpha())


def _records(data: Any, file: Path, directory: Directory) -> list[Any]:
    """The service records of one file, noting the paging information it carries."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise InputError(f"{file.name}: expected a JSON object or a list of services")
    keys = {_key(k): v for k, v in data.items()}
    records = next((keys[k] for k in _RECORDS if isinstance(keys.get(k), list)), None)
    if records is None:
        if "id" in keys and "name" in keys:
            return [data]
        raise InputError(
            f"{file.name}: not an Open Referral services response (no 'content' or "
            f"'contents' list of services; top-level keys are: {', '.join(list(data)[:8])}); "
            "save the JSON of the directory's /services endpoint"
        )
    for names, attr in (
        (_TOTAL_PAGES, "total_pages"),
        (_TOTAL_ITEMS, "total_items"),
        (_PAGE_NUMBER, "pages_read"),
    ):
        value = next((_int(keys[k]) for k in names if _int(keys.get(k)) is not None), None)
        if value is None:
            continue
        if attr == "pages_read":
            directory.pages_read.append(value)
        else:
            setattr(directory, attr, value)
    return records


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _check_pages(directory: Directory, report: ValidationReport) -> None:
    total_pages, total_items = directory.total_pages, directory.total_items
    seen = sorted(set(directory.pages_read))
    n_services = len(directory.services)
    if total_pages is not None and len(seen) < total_pages:
        report.warn(
            directory.where,
            "",
            f"the directory has {total_pages} page(s) of services but {len(seen)} were given "
            f"(page numbers read: {', '.join(str(p) for p in seen) or 'none'})",
            "import the feed's URL (earlyhelp import openreferral https://.../services), which "
            "reads every page, or download every page into one folder and import the folder",
        )
    elif total_items is not None and n_services < total_items:
        report.warn(
            directory.where,
            "",
            f"the directory says it holds {total_items} services but {n_services} were read",
            "import the feed's URL, or download every page of /services into one folder",
        )


def _drop_repeated_ids(
    services: list[ServiceRecord], where: str, report: ValidationReport
) -> list[ServiceRecord]:
    seen: dict[str, ServiceRecord] = {}
    missing = [s for s in services if not s.values["service_id"]]
    if missing:
        report.error(
            missing[0].file,
            "id",
            f"{len(missing)} service(s) have no id ({', '.join(s.label for s in missing[:5])})",
            "the directory must give every service an id; report it to the directory's owner",
            rows=[s.record for s in missing],
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
