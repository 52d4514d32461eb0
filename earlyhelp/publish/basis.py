"""What a run's published numbers add up, for the audit (:mod:`.publication`).

:class:`RunBasis` reads an :class:`~earlyhelp.assessment.Assessment` once: its base cells
(children per study area and age band), and per area and kind of help the verdict, the
priority, whether reach is known and which age bands are in reach. Its methods give the
weight matrices (areas x age bands) that the tables' rows sum: the children of a
district, of a kind's ages, in areas with a given verdict.
"""

from __future__ import annotations

__all__ = ["RunBasis"]

from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.columns import measure_column
from earlyhelp.need import AGE_BANDS, bands_for
from earlyhelp.publish.publication import BaseCells, Sum

COUNTY = ("County", "county")  # the total rows' labels in the published tables


class RunBasis:
    """The base cells of one run and the area x band weights its tables sum."""

    def __init__(self, assessment: Assessment):
        a = assessment
        suff = a.require_sufficiency()
        self.assessment = a
        self.codes = a.areas.index
        need = a.inputs.need.reindex(self.codes)
        self.cells = BaseCells(self.codes, list(AGE_BANDS), need[list(AGE_BANDS)].to_numpy())
        self.district = a.areas["district_code"].astype(str).to_numpy()
        self.keys = list(a.config.categories)
        gaps = suff.gaps
        self._pivot = {
            column: gaps.pivot(index="area_code", columns="category", values=column)
            .reindex(index=self.codes, columns=self.keys)
            .to_numpy()
            for column in ("state", "priority", "reach_known", "adequate_places")
        }
        bits = [
            a.access.wide.get(measure_column("reach_bands", k), pd.Series(0, index=self.codes))
            for k in self.keys
        ]
        self._bits = np.column_stack(
            [b.reindex(self.codes).fillna(0).to_numpy(dtype=np.int64) for b in bits]
        )
        called = suff.called.reindex(index=self.codes, columns=self.keys, fill_value=False)
        self._called = called.fillna(False).to_numpy(dtype=bool)
        full = suff.range["full_core_range"].reindex(self.codes)
        self.full = full.fillna(False).to_numpy(dtype=bool)
        self.full_known = full.notna().to_numpy()

    # ---------------------------------------------------------------- areas and bands

    def where(self, row: Hashable) -> np.ndarray:
        """The areas a row covers: a district's, or every area for a county row."""
        if row in COUNTY:
            return np.ones(len(self.codes), dtype=bool)
        return self.district == str(row)

    def bands(self, key: str) -> np.ndarray:
        """1 for each age band of the kind of help ``key`` (see :func:`bands_for`)."""
        cat = self.assessment.config.categories[key]
        of = set(bands_for(cat.min_age, cat.max_age))
        return np.array([1.0 if b in of else 0.0 for b in AGE_BANDS])

    def of_kind(self, key: str, areas: np.ndarray) -> np.ndarray:
        """Weights: the children of ``key``'s ages in ``areas`` (bool by area)."""
        return np.asarray(areas, dtype=float)[:, None] * self.bands(key)[None, :]

    def column(self, name: str, key: str) -> np.ndarray:
        """Per area, the gap table's ``name`` (state, priority, reach_known,
        adequate_places) for the kind of help ``key``."""
        return self._pivot[name][:, self.keys.index(key)]

    def reached(self, key: str) -> np.ndarray:
        """Weights: children of ``key``'s ages whose age band has a service in reach,
        where reach is known."""
        order = np.arange(len(AGE_BANDS))
        hit = (self._bits[:, self.keys.index(key)][:, None] >> order[None, :]) & 1
        known = self.column("reach_known", key).astype(bool)
        return hit * self.of_kind(key, known)

    def known_reach(self, key: str) -> np.ndarray:
        """Weights: children of ``key``'s ages where its reach is known."""
        return self.of_kind(key, self.column("reach_known", key).astype(bool))

    def lacking_called(self, key: str) -> np.ndarray:
        """Areas whose need calls for ``key`` and where it is known to be out of reach."""
        return self._called[:, self.keys.index(key)] & (self.column("state", key) == "out of reach")

    # ---------------------------------------------------------------- sums

    def children(self, weights: np.ndarray) -> Sum:
        return self.cells.children(weights)

    def in_priority_gap(self) -> np.ndarray:
        """Weights: each child whose age band has a kind of help in a priority gap in
        their area (each band once however many kinds)."""
        hit = np.zeros((len(self.codes), len(AGE_BANDS)))
        for key in self.keys:
            gap = self.column("priority", key) == "priority gap"
            hit = np.maximum(hit, self.of_kind(key, gap))
        return hit

    def adequate(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Weights, pooled over ``keys``: children of each kind's ages in areas with
        adequate places, and in areas where that is judged."""
        good = np.zeros((len(self.codes), len(AGE_BANDS)))
        judged = np.zeros_like(good)
        for key in keys:
            ok = pd.array(self.column("adequate_places", key), dtype="boolean")
            known = ~np.asarray(ok.isna()) & (self.column("state", key) != "unknown")
            judged += self.of_kind(key, known)
            good += self.of_kind(key, known & np.asarray(ok.fillna(False), dtype=bool))
        return good, judged

    def in_need_by_district(self) -> Callable[[np.ndarray], Sum]:
        """Children in need (the need table's column of ``in_need_indicator``) as a
        block of base cells, one per area: the sum over areas (bool by area)."""
        cfg = self.assessment.config
        column = cfg.indicators[cfg.sufficiency.in_need_indicator].column
        values = self.assessment.inputs.need.reindex(self.codes)[column].to_numpy(dtype=float)
        self.cells.add("children_in_need", values)
        return lambda areas: self.cells.block("children_in_need", np.asarray(areas, dtype=float))

    def reached_by_district(self) -> Callable[[Hashable], Sum]:
        """Children reached by active services in the study area, as a block of base cells
        (one per service): their sum in a district (or the county)."""
        a = self.assessment
        services = a.inputs.services
        active = (services["status"] == "active") & services["area_code"].notna()
        reached = (
            services["reached"] if "reached" in services else pd.Series(0.0, index=services.index)
        )
        values = pd.to_numeric(reached, errors="coerce").where(active, 0.0).fillna(0.0)
        district = services["area_code"].map(a.areas["district_code"]).astype("string")
        self.cells.add("reached", values.to_numpy())
        codes = district.fillna("").to_numpy(dtype=str)
        return lambda row: self.cells.block(
            "reached",
            (active.to_numpy() & ((codes == str(row)) | (row in COUNTY))).astype(float),
        )
