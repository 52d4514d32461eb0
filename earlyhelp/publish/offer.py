"""The offer index of a run folder (``offer_index/``): what ``earlyhelp offer`` answers a
family from without reading the directory (:mod:`earlyhelp.offer.index`).

:func:`offer_index_page` is a page of the run's product (written with the folder and
listed in its manifest); ``earlyhelp offer --build-index`` draws the same page into a
finished folder.
"""

from __future__ import annotations

__all__ = ["OFFER_INDEX", "make_ahead", "offer_index_page", "write_offer_index"]

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from earlyhelp.distance import describe_cost
from earlyhelp.forking import Beside, beside
from earlyhelp.offer import Directory
from earlyhelp.offer.indexing import index_arrays
from earlyhelp.offer.meta import index_meta, made_from
from earlyhelp.outputs import atomic_path, write_json
from earlyhelp.publish.folder import Page

OFFER_INDEX = "offer_index"


def write_offer_index(
    directory: Directory, folder: Path, *, arrays: Mapping[str, np.ndarray] | None = None
) -> dict[str, str]:
    """Write the offer index of ``directory`` into ``folder`` (each file atomically,
    ``meta.json`` last); return what was written, for the manifest. ``arrays``: its
    arrays, when already made (:func:`~earlyhelp.offer.indexing.index_arrays`). Arrays
    an index of an earlier version left in ``folder`` are removed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    arrays = index_arrays(directory) if arrays is None else arrays
    for name, values in arrays.items():
        with atomic_path(folder / f"{name}.npy") as tmp, tmp.open("wb") as fh:
            np.save(fh, values, allow_pickle=False)
        written[f"{folder.name}/{name}.npy"] = "analyst data: the offer index"
    for old in folder.glob("*.npy"):
        if old.stem not in arrays:
            old.unlink()
    cfg = directory.config
    meta = (
        index_meta(cfg)
        | made_from(cfg)
        | {
            "cost_description": describe_cost(cfg.access, directory.model.unit),
            "services": len(directory.services),
            "areas": len(directory.areas),
        }
    )
    write_json(meta, folder / "meta.json")
    written[f"{folder.name}/meta.json"] = "analyst data: the offer index (what it was made from)"
    return written


def offer_index_page(
    directory: Directory, *, arrays: Beside[dict[str, np.ndarray]] | None = None
) -> Page:
    """The offer index as a page of a run folder (``offer_index/``); ``arrays``: its
    arrays being made beside this process (:func:`make_ahead`), else made when drawn."""

    def draw(folder: Path) -> dict[str, str]:
        made = None if arrays is None else arrays.result()
        return write_offer_index(directory, Path(folder) / OFFER_INDEX, arrays=made)

    return draw


def make_ahead(directory: Directory) -> Beside[dict[str, np.ndarray]]:
    """Start making the offer index's arrays in a process beside this one (where the
    system forks: :mod:`earlyhelp.forking`), for :func:`offer_index_page`."""
    return beside(index_arrays, directory, what="the offer index")
