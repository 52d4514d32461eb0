"""Disclosure control for anything published: small-number suppression, table by table
(:mod:`.suppression`).

The face of the package: import from ``earlyhelp.disclosure``.
"""

from __future__ import annotations

from earlyhelp.disclosure.suppression import (
    MISSING,
    PUBLICATION_ATTR,
    UNPUBLISHED_BANNER,
    check_publishable,
    is_publishable,
    mark_unpublished,
    suppress,
    unpublished_banner,
)

__all__ = [
    "MISSING",
    "PUBLICATION_ATTR",
    "UNPUBLISHED_BANNER",
    "check_publishable",
    "is_publishable",
    "mark_unpublished",
    "suppress",
    "unpublished_banner",
]
