"""An offer as plain Python values, and its outputs: CSV, JSON and terminal tables.

:class:`PlainOffer` holds what :class:`~earlyhelp.offer.finder.Offer` holds, as lists of
dicts instead of DataFrames, so that an offer answered from an offer index
(:mod:`~earlyhelp.offer.index`) is printed without loading pandas. Both finders' offers
are written by the functions here (:mod:`~earlyhelp.offer.formats` turns an ``Offer``
into a ``PlainOffer`` first), so the same answer is always written the same way.
"""

from __future__ import annotations

__all__ = [
    "OFFER_COLUMNS",
    "OFFER_FORMATS",
    "PlainOffer",
    "check_format",
    "need_line",
    "plain_csv",
    "plain_json",
    "print_plain",
]

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

from earlyhelp.errors import InputError
from earlyhelp.offer.words import UNPRINTABLE, distance_text, is_missing, outreach_text, plain
from earlyhelp.text import did_you_mean

# Columns of the listed services (and of the CSV output), in order.
OFFER_COLUMNS = (
    "need",
    "need_label",
    "rank",
    "service_id",
    "name",
    "provider",
    "sector",
    "delivery",
    "min_age",
    "max_age",
    "distance",
    "unit",
    "distance_for_reach",
    "outreach_travels",
    "reach_threshold",
    "within_reach",
    "available_anywhere",
    "opening_times",
    "contact",
    "notes",
)
OFFER_FORMATS = ("table", "csv", "json")
_REMOTE_DROPS = ("distance", "distance_for_reach", "outreach_travels", "within_reach")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PlainOffer:
    """One family's offer in plain values (see :class:`~earlyhelp.offer.finder.Offer`).

    ``needs``: one dict per need (``need``, ``label``, ``reach_threshold``, ``unit``,
    ``within_reach``, ``local``, ``remote``, ``nearest_id``, ``nearest_name``,
    ``nearest_distance``, ``nearest_delivery``, ``message``); ``services``: one dict per
    listed service with :data:`OFFER_COLUMNS`.
    """

    postcode: str | None
    terminated: bool
    x: float
    y: float
    rural_urban: str | None
    age: int
    needs: list[dict[str, Any]]
    services: list[dict[str, Any]]
    notes: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


def check_format(name: str) -> str:
    """Refuse an output format that is not one of :data:`OFFER_FORMATS`."""
    if name not in OFFER_FORMATS:
        raise InputError(
            f"offer: unknown --format '{name}'{did_you_mean(name, OFFER_FORMATS)}; "
            f"choose one of: {', '.join(OFFER_FORMATS)}"
        )
    return name


def plain_csv(offer: PlainOffer) -> str:
    """The listed services as CSV text, one row per need and service, as pandas would
    write them through :func:`earlyhelp.outputs.csv_text` (formulas shown as text, cells
    with line breaks, quotes or commas quoted, ``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(OFFER_COLUMNS)
    for row in offer.services:
        writer.writerow([_csv_cell(row.get(c)) for c in OFFER_COLUMNS])
    pieces = buffer.getvalue().split('"')
    pieces[::2] = [piece.replace("\r\n", "\n") for piece in pieces[::2]]
    return '"'.join(pieces)


def _csv_cell(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = UNPRINTABLE.sub("", str(value))
    if text.startswith(_FORMULA_START) and not _numeric(text):
        return "'" + text
    return text


def _numeric(text: str) -> bool:
    """Whether pandas' ``to_numeric`` reads ``text`` as a number (``-5`` is not a formula)."""
    if "_" in text:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def plain_json(offer: PlainOffer) -> str:
    """The whole offer as JSON: the location, what a distance is (``distance``), each need
    with its message and services (``within_reach`` first, then nearest first by the real
    ``distance``) and those available anywhere."""
    needs = []
    for row in offer.needs:
        listed = [s for s in offer.services if s["need"] == row["need"]]
        local = [s for s in listed if not s["available_anywhere"]]
        remote = [s for s in listed if s["available_anywhere"]]
        needs.append(
            {
                "need": row["need"],
                "label": row["label"],
                "reach_threshold": row["reach_threshold"],
                "unit": row["unit"],
                "within_reach": int(row["within_reach"]),
                "message": row["message"],
                "nearest": None
                if row["nearest_id"] is None
                else {
                    "service_id": row["nearest_id"],
                    "name": row["nearest_name"],
                    "distance": _rounded(row["nearest_distance"]),
                },
                "services": [_record(s, ("need", "need_label")) for s in local],
                "available_anywhere": [
                    _record(s, ("need", "need_label", *_REMOTE_DROPS)) for s in remote
                ],
            }
        )
    data = {
        "location": {
            "postcode": offer.postcode,
            "terminated": offer.terminated,
            "easting": round(offer.x, 1),
            "northing": round(offer.y, 1),
            "rural_urban": offer.rural_urban,
        },
        "age": offer.age,
        "distance": offer.params,
        "needs": needs,
        "notes": list(offer.notes),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _record(row: dict[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
    return {c: _rounded(row.get(c)) for c in OFFER_COLUMNS if c not in drop}


def _rounded(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 1)
    return value


def print_plain(offer: PlainOffer, console: Any) -> None:
    """Print the offer as rich tables, one per need, on ``console`` (a rich Console).

    Every piece of directory text is passed as a :class:`rich.text.Text`, which rich
    never reads as markup, so a service called ``"[bold]Tots[/]"`` shows as written.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    def t(value: Any, style: str = "") -> Text:
        return Text(plain(value), style=style)

    where = f"postcode {offer.postcode}" if offer.postcode else "the location given"
    ru = offer.rural_urban or "unclassified (urban thresholds used)"
    console.print(t(f"Early help for a child aged {offer.age} near {where} ({ru} area)", "bold"))
    for note in offer.notes:
        console.print(t(f"Note: {note}", "yellow"))
    unit = offer.params["unit"]
    console.print(t(f"Distances: {offer.params['cost_description']} from the location given."))
    for need in offer.needs:
        key = need["need"]
        listed = [s for s in offer.services if s["need"] == key]
        console.print()
        console.print(t(f"{need['label']} ({key})", "bold underline"))
        console.print(t(need["message"], "" if need["within_reach"] else "bold red"))
        if not listed:
            continue
        table = Table(box=box.SIMPLE_HEAD, show_lines=False)
        for header in ("#", "Service", "Ages", "How", "Distance", "In reach"):
            table.add_column(header, no_wrap=header in ("#", "Ages", "Distance"))
        table.add_column("Opening times")
        table.add_column("Contact", overflow="fold")
        remote_started = False
        for row in listed:
            anywhere = bool(row["available_anywhere"])
            if anywhere and not remote_started:
                table.add_section()
                remote_started = True
            name = Text(plain(row["name"]), style="bold")
            if plain(row["provider"]):
                name.append("\n" + plain(row["provider"]), style="dim")
            reach = (
                t("anywhere")
                if anywhere
                else t("yes", "green")
                if row["within_reach"]
                else t("no", "red")
            )
            how = str(row["delivery"]).replace("_", " ")
            if not is_missing(row["outreach_travels"]):
                how += ": " + outreach_text(row["outreach_travels"], unit)
            table.add_row(
                t(row["rank"]),
                name,
                t(f"{row['min_age']:g}-{row['max_age']:g}"),
                t(how),
                t("" if anywhere else distance_text(row["distance"], unit)),
                reach,
                t(row["opening_times"]),
                t(row["contact"]),
            )
        console.print(table)


def need_line(
    key: str,
    label: str,
    threshold: float,
    unit: str,
    n_within: int,
    n_local: int,
    n_remote: int,
    nearest: dict[str, Any] | None,
    text: str,
) -> dict[str, Any]:
    """One need's row of :attr:`Offer.needs` (the same for an answer from the index and
    from the directory): ``n_local`` and ``n_remote`` count the active in-person or
    outreach and online or phone services taking the child's age; ``nearest`` holds the
    nearest service's ``service_id``, ``name``, ``distance`` and ``delivery`` (None:
    none in reach)."""
    near = nearest or {}
    return {
        "need": key,
        "label": label,
        "reach_threshold": threshold,
        "unit": unit,
        "within_reach": n_within,
        "local": n_local,
        "remote": n_remote,
        "nearest_id": near.get("service_id"),
        "nearest_name": near.get("name"),
        "nearest_distance": near.get("distance"),
        "nearest_delivery": near.get("delivery"),
        "message": text,
    }
