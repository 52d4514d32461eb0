"""The offer finder: which early help fits one child and family, and how near it is.

Nothing about the family is written to disk or logged.

- :mod:`~earlyhelp.offer.directory`: what the finder reads (:func:`load_directory`, never
  the need data) and where the family lives (:func:`locate`).
- :mod:`~earlyhelp.offer.finder`: the services that fit a child's age and needs, ranked by
  reach (:func:`find_offer`, :func:`parse_needs`).
- :mod:`~earlyhelp.offer.formats`: the offer as CSV, JSON or tables on the terminal.
- :mod:`~earlyhelp.offer.index`: the same answer from an offer index, in a fraction of a
  second, read with the standard library (no numpy or pandas);
  :mod:`~earlyhelp.offer.indexing` makes the index. :mod:`~earlyhelp.offer.words` and
  :mod:`~earlyhelp.offer.plain` say and write both answers.

Imports run one way: formats -> finder -> directory; indexing -> index -> meta, plain ->
words (:mod:`~earlyhelp.offer.meta`: what an index was made from).
Names are imported from their modules when first used, so ``earlyhelp.offer.index`` loads
neither numpy nor pandas (``earlyhelp.launch`` answers ``earlyhelp offer`` with it).

Example
-------
>>> from earlyhelp.config import load_config                     # doctest: +SKIP
>>> directory = load_directory(load_config("config.toml"))       # doctest: +SKIP
>>> place = locate(directory, postcode="qx12ab")                  # doctest: +SKIP
>>> offer = find_offer(directory, place, age=3, needs=["parenting"])  # doctest: +SKIP
>>> print(offer_to_csv(offer))                                   # doctest: +SKIP
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "Directory": "directory",
    "Place": "directory",
    "load_directory": "directory",
    "locate": "directory",
    "OFFER_COLUMNS": "plain",
    "Offer": "finder",
    "find_offer": "finder",
    "parse_needs": "words",
    "OFFER_FORMATS": "formats",
    "check_format": "formats",
    "offer_to_csv": "formats",
    "offer_to_json": "formats",
    "print_offer": "formats",
}

__all__ = [
    "OFFER_COLUMNS", "OFFER_FORMATS", "Directory", "Offer", "Place", "check_format",
    "find_offer", "load_directory", "locate", "offer_to_csv", "offer_to_json", "parse_needs",
    "print_offer",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'earlyhelp.offer' has no attribute {name!r}")
    return getattr(import_module(f"earlyhelp.offer.{_WHERE[name]}"), name)
