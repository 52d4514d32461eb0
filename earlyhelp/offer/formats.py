"""The offer's outputs: a terminal table, CSV or JSON (:data:`OFFER_FORMATS`).

:func:`offer_to_csv` writes the listed services, one row per need and service
(:data:`~earlyhelp.offer.finder.OFFER_COLUMNS`); :func:`offer_to_json` the whole offer;
:func:`print_offer` rich tables, one per need, where directory text is never read as
markup (rich is imported only to print).
"""

from __future__ import annotations

__all__ = [
    "OFFER_FORMATS",
    "as_plain",
    "check_format",
    "offer_to_csv",
    "offer_to_json",
    "print_offer",
]

from typing import Any

from earlyhelp.offer.finder import Offer
from earlyhelp.offer.plain import (
    OFFER_FORMATS,
    PlainOffer,
    check_format,
    plain_csv,
    plain_json,
    print_plain,
)
from earlyhelp.offer.words import is_missing


def as_plain(offer: Offer) -> PlainOffer:
    """The offer in plain Python values (:class:`~earlyhelp.offer.plain.PlainOffer`)."""
    place = offer.place
    return PlainOffer(
        postcode=place.postcode,
        terminated=place.terminated,
        x=place.x,
        y=place.y,
        rural_urban=place.rural_urban,
        age=offer.age,
        # a need with no nearest service has None there (pandas turns it into NaN when
        # another need has one, which JSON would print as an invalid NaN)
        needs=[
            {k: None if is_missing(v) else v for k, v in row.items()}
            for row in _rows(offer.needs.reset_index())
        ],
        services=_rows(offer.services),
        notes=tuple(offer.notes),
        params=dict(offer.params),
    )


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [{k: _python(v) for k, v in rec.items()} for rec in frame.to_dict(orient="records")]


def _python(value: Any) -> Any:
    """A numpy scalar as the Python value; pandas' NA as None."""
    if type(value).__name__ == "NAType":
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, str) else value


def offer_to_csv(offer: Offer) -> str:
    """The listed services as CSV text (:data:`OFFER_COLUMNS`), one row per need and
    service, in the order listed; ``distance`` is the real distance in ``unit`` (empty for
    services available anywhere), ``distance_for_reach`` the cost reach is decided on and
    ``outreach_travels`` how far an outreach service travels to families."""
    return plain_csv(as_plain(offer))  # line breaks quoted, formulas shown as text


def offer_to_json(offer: Offer) -> str:
    """The whole offer as JSON: the location, what a distance is (``distance``), each need
    with its message and services (``within_reach`` first, then nearest first by the real
    ``distance``) and those available anywhere."""
    return plain_json(as_plain(offer))


def print_offer(offer: Offer, console: Any) -> None:
    """Print the offer as rich tables, one per need, on ``console`` (a rich Console).

    Every piece of directory text is passed as a :class:`rich.text.Text`, which rich
    never reads as markup, so a service called ``"[bold]Tots[/]"`` shows as written.
    """
    print_plain(as_plain(offer), console)
