"""The offer finder: which early help fits one child and family, and how near it is."""

from earlyhelp.offer.finder import (
    OFFER_COLUMNS,
    OFFER_FORMATS,
    Directory,
    Offer,
    Place,
    check_format,
    find_offer,
    load_directory,
    locate,
    offer_to_csv,
    offer_to_json,
    parse_needs,
    print_offer,
)

__all__ = [
    "OFFER_COLUMNS",
    "OFFER_FORMATS",
    "Directory",
    "Offer",
    "Place",
    "check_format",
    "find_offer",
    "load_directory",
    "locate",
    "offer_to_csv",
    "offer_to_json",
    "parse_needs",
    "print_offer",
]
