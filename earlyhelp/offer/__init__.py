"""The offer finder: which early help fits one child and family, and how near it is.

Nothing about the family is written to disk or logged.

- :mod:`~earlyhelp.offer.directory`: what the finder reads (:func:`load_directory`, never
  the need data) and where the family lives (:func:`locate`).
- :mod:`~earlyhelp.offer.finder`: the services that fit a child's age and needs, ranked by
  reach (:func:`find_offer`, :func:`parse_needs`).
- :mod:`~earlyhelp.offer.formats`: the offer as CSV, JSON or tables on the terminal.

Imports run one way: formats -> finder -> directory.

Example
-------
>>> from earlyhelp.config import load_config                     # doctest: +SKIP
>>> directory = load_directory(load_config("config.toml"))       # doctest: +SKIP
>>> place = locate(directory, postcode="qx12ab")                  # doctest: +SKIP
>>> offer = find_offer(directory, place, age=3, needs=["parenting"])  # doctest: +SKIP
>>> print(offer_to_csv(offer))                                   # doctest: +SKIP
"""

from earlyhelp.offer.directory import Directory, Place, load_directory, locate
from earlyhelp.offer.finder import OFFER_COLUMNS, Offer, find_offer, parse_needs
from earlyhelp.offer.formats import (
    OFFER_FORMATS,
    check_format,
    offer_to_csv,
    offer_to_json,
    print_offer,
)

__all__ = [
    "OFFER_COLUMNS", "OFFER_FORMATS", "Directory", "Offer", "Place", "check_format",
    "find_offer", "load_directory", "locate", "offer_to_csv", "offer_to_json", "parse_needs",
    "print_offer",
]  # fmt: skip
