"""Disclosure control for anything published.

* :mod:`.suppression`: small-number suppression, table by table (:func:`suppress`), and the
  publishable / unpublished marks;
* :mod:`.audit`: an audit of everything published together (:func:`audit_publication`):
  what is published (:mod:`.published`), as one linear system (:mod:`.system`), attacked
  with linear programmes (:mod:`.attack`);
* :mod:`.protection`: hide more until the audit passes, or refuse to publish
  (:func:`protect_publication`).

The face of the package: import from ``earlyhelp.disclosure``.
"""

from __future__ import annotations

from earlyhelp.disclosure.audit import AuditReport, Evidence, Exposure, audit_publication
from earlyhelp.disclosure.protection import Protection, protect_publication
from earlyhelp.disclosure.published import PublishedCount, PublishedShare
from earlyhelp.disclosure.suppression import (
    MISSING,
    PUBLICATION_ATTR,
    check_publishable,
    is_publishable,
    mark_unpublished,
    suppress,
)

__all__ = [
    "MISSING",
    "PUBLICATION_ATTR",
    "AuditReport",
    "Evidence",
    "Exposure",
    "Protection",
    "PublishedCount",
    "PublishedShare",
    "audit_publication",
    "check_publishable",
    "is_publishable",
    "mark_unpublished",
    "protect_publication",
    "suppress",
]
