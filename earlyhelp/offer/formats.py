"""The offer's outputs: a terminal table, CSV or JSON (:data:`OFFER_FORMATS`).

:func:`offer_to_csv` writes the listed services, one row per need and service
(:data:`~earlyhelp.offer.finder.OFFER_COLUMNS`); :func:`offer_to_json` the whole offer;
:func:`print_offer` rich tables, one per need, where directory text is never read as
markup (rich is imported only to print).
"""

from __future__ import annotations

__all__ = ["OFFER_FORMATS", "check_format", "offer_to_csv", "offer_to_json", "print_offer"]

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.offer.finder import Offer, distance_text, outreach_text
from earlyhelp.outputs import csv_text
from earlyhelp.text import did_you_mean
from earlyhelp.validation import plain_text

OFFER_FORMATS = ("table", "csv", "json")


def check_format(name: str) -> str:
    """Refuse an output format that is not one of :data:`OFFER_FORMATS`."""
    if name not in OFFER_FORMATS:
        raise InputError(
            f"offer: unknown --format '{name}'{did_you_mean(name, OFFER_FORMATS)}; "
            f"choose one of: {', '.join(OFFER_FORMATS)}"
        )
    return name


def offer_to_csv(offer: Offer) -> str:
    """The listed services as CSV text (:data:`OFFER_COLUMNS`), one row per need and
    service, in the order listed; ``distance`` is the real distance in ``unit`` (empty for
    services available anywhere), ``distance_for_reach`` the cost reach is decided on and
    ``outreach_travels`` how far an outreach service travels to families."""
    return csv_text(offer.services)  # line breaks quoted, formulas shown as text


def offer_to_json(offer: Offer) -> str:
    """The whole offer as JSON: the location, what a distance is (``distance``), each need
    with its message and services (``within_reach`` first, then nearest first by the real
    ``distance``) and those available anywhere."""
    place = offer.place
    needs = []
    for key, row in offer.needs.iterrows():
        listed = offer.services[offer.services["need"] == key]
        local = listed[~listed["available_anywhere"].astype(bool)]
        remote = listed[listed["available_anywhere"].astype(bool)]
        needs.append(
            {
                "need": key,
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
                    "distance": _plain(row["nearest_distance"]),
                },
                "services": _records(local.drop(columns=["need", "need_label"])),
                "available_anywhere": _records(
                    remote.drop(
                        columns=[
                            "need",
                            "need_label",
                            "distance",
                            "distance_for_reach",
                            "outreach_travels",
                            "within_reach",
                        ]
                    )
                ),
            }
        )
    data = {
        "location": {
            "postcode": place.postcode,
            "terminated": place.terminated,
            "easting": round(place.x, 1),
            "northing": round(place.y, 1),
            "rural_urban": place.rural_urban,
        },
        "age": offer.age,
        "distance": offer.params,
        "needs": needs,
        "notes": list(offer.notes),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: _plain(v) for k, v in rec.items()})
    return out


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else round(float(value), 1)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def print_offer(offer: Offer, console: Any) -> None:
    """Print the offer as rich tables, one per need, on ``console`` (a rich Console).

    Every piece of directory text is passed as a :class:`rich.text.Text`, which rich
    never reads as markup, so a service called ``"[bold]Tots[/]"`` shows as written.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    def t(value: Any, style: str = "") -> Text:
        return Text(plain_text(value), style=style)

    place = offer.place
    where = f"postcode {place.postcode}" if place.postcode else "the location given"
    ru = place.rural_urban or "unclassified (urban thresholds used)"
    console.print(t(f"Early help for a child aged {offer.age} near {where} ({ru} area)", "bold"))
    for note in offer.notes:
        console.print(t(f"Note: {note}", "yellow"))
    unit = offer.params["unit"]
    console.print(t(f"Distances: {offer.params['cost_description']} from the location given."))
    for key, need in offer.needs.iterrows():
        listed = offer.services[offer.services["need"] == key]
        console.print()
        console.print(t(f"{need['label']} ({key})", "bold underline"))
        console.print(t(need["message"], "" if need["within_reach"] else "bold red"))
        if listed.empty:
            continue
        table = Table(box=box.SIMPLE_HEAD, show_lines=False)
        for header in ("#", "Service", "Ages", "How", "Distance", "In reach"):
            table.add_column(header, no_wrap=header in ("#", "Ages", "Distance"))
        table.add_column("Opening times")
        table.add_column("Contact", overflow="fold")
        remote_started = False
        for _, row in listed.iterrows():
            anywhere = bool(row["available_anywhere"])
            if anywhere and not remote_started:
                table.add_section()
                remote_started = True
            name = Text(plain_text(row["name"]), style="bold")
            if plain_text(row["provider"]):
                name.append("\n" + plain_text(row["provider"]), style="dim")
            reach = (
                t("anywhere")
                if anywhere
                else t("yes", "green")
                if row["within_reach"]
                else t("no", "red")
            )
            how = str(row["delivery"]).replace("_", " ")
            if pd.notna(row["outreach_travels"]):
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
