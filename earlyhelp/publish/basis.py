"""What a run's published numbers add up, for the audit (:mod:`.publication`).

:class:`RunBasis` reads an :class:`~earlyhelp.assessment.Assessment` once: its base cells
(children per study area and age band), and per area and kind of help the verdict, the
priority, whether reach is known and which age bands are in reach. A table's row covers
the areas at :meth:`RunBasis.where` (positions: a district's, or the county's), and its
counts sum their children weighted by an areas x bands matrix (the children of a kind's
ages, those in reach...), each built once. Every sum costs the size of its row's areas,
so a national run's district rows stay cheap.
"""

from __future__ import annotations

__all__ = ["RunBasis"]

from collections.abc import Callable, Hashable
from functools import cache

import numpy as np
import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.columns import measure_column
from earlyhelp.need import AGE_BANDS, bands_for
from earlyhelp.publish.publication import BaseCells, Sum

COUNTY = ("County", "county")  # the total rows' labels in the published tables


class RunBasis:
    """The base cells of one run and the areas x bands weights its tables sum."""

    def __init__(self, assessment: Assessment):
        a = assessment
        suff = a.require_sufficiency()
        self.assessment = a
        self.codes = a.areas.index
        need = a.inputs.need.reindex(self.codes)
        self.cells = BaseCells(self.codes, list(AGE_BANDS), need[list(AGE_BANDS)].to_numpy())
        self.keys = list(a.config.categories)
        columns = ["state", "priority", "reach_known", "adequate_places", "children"]
        wide = suff.gaps.pivot(index="area_code", columns="category", values=columns)
        self._pivot = {
            column: wide[column].reindex(index=self.codes, columns=self.keys).to_numpy()
            for column in columns
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
        district = a.areas["district_code"].astype(str).to_numpy()
        self._district = district
        # each district's positions, increasing (a stable sort of the areas by district)
        of, names = pd.factorize(district)
        starts = np.cumsum(np.bincount(of, minlength=len(names)))[:-1]
        at = np.split(np.argsort(of, kind="stable").astype(np.int64), starts) if len(names) else []
        self._where = {str(code): pos for code, pos in zip(names, at, strict=True)}
        self._where.update({label: self.cells.everyone for label in COUNTY})
        # each areas x bands matrix is built once per kind (cache on the instance)
        self.kind = cache(self._kind)
        self.reached = cache(self._reached)
        self.unreached = cache(self._unreached)
        self.known_reach = cache(self._known_reach)
        self.equals = cache(self._equals)

    # ---------------------------------------------------------------- areas and bands

    def where(self, row: Hashable) -> np.ndarray:
        """Positions of the areas a row covers: a district's, or every area for a county
        row (none for an unknown label)."""
        return self._where.get(str(row), np.zeros(0, dtype=np.int64))

    def bands(self, key: str) -> np.ndarray:
        """1 for each age band of the kind of help ``key`` (see :func:`bands_for`)."""
        cat = self.assessment.config.categories[key]
        of = set(bands_for(cat.min_age, cat.max_age))
        return np.array([1.0 if b in of else 0.0 for b in AGE_BANDS])

    def column(self, name: str, key: str) -> np.ndarray:
        """Per area, the gap table's ``name`` (state, priority, reach_known,
        adequate_places, children) for the kind of help ``key``."""
        return self._pivot[name][:, self.keys.index(key)]

    def _equals(self, name: str, key: str, value: str) -> np.ndarray:
        """Per area (bool), whether the gap table's ``name`` for ``key`` is ``value``
        (cached: a table asks it once per row)."""
        return np.asarray(self.column(name, key) == value, dtype=bool)

    def _kind(self, key: str) -> np.ndarray:
        """Weights: the children of ``key``'s ages, in every area."""
        return np.repeat(self.bands(key)[None, :], len(self.codes), axis=0)

    def _known_reach(self, key: str) -> np.ndarray:
        """Weights: children of ``key``'s ages where its reach is known."""
        known = self.column("reach_known", key).astype(bool)
        return self.kind(key) * known[:, None]

    def _reached(self, key: str) -> np.ndarray:
        """Weights: children of ``key``'s ages whose age band has a service in reach,
        where reach is known."""
        order = np.arange(len(AGE_BANDS))
        hit = (self._bits[:, self.keys.index(key)][:, None] >> order[None, :]) & 1
        return hit * self.known_reach(key)

    def _unreached(self, key: str) -> np.ndarray:
        """Weights: children of ``key``'s ages where its reach is known, but not of
        their age band."""
        return self.known_reach(key) - self.reached(key)

    def lacking_called(self, key: str) -> np.ndarray:
        """Areas (bool) whose need calls for ``key`` and where it is known out of reach."""
        return self._called[:, self.keys.index(key)] & self.equals("state", key, "out of reach")

    # ---------------------------------------------------------------- sums

    def children(self, positions: np.ndarray, weights: np.ndarray | None = None) -> Sum:
        """Children of the areas at ``positions``, every band or weighted by the rows of an
        areas x bands matrix."""
        return self.cells.children(positions, weights)

    def children_by_district(self, weights: np.ndarray) -> Callable[[Hashable], Sum]:
        """``children(where(row), weights)`` for a row label, made for every district
        together at the first district asked for (a table with a row per district)."""
        districts = [k for k in self._where if k not in COUNTY]
        known = set(districts)
        made: dict[str, Sum] = {}

        def of(row: Hashable) -> Sum:
            label = str(row)
            if label not in known:
                return self.children(self.where(row), weights)
            if not made:
                sums = self.cells.children_in([self._where[k] for k in districts], weights)
                made.update(zip(districts, sums, strict=True))
            return made[label]

        return of

    def select(self, positions: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The positions among ``positions`` where the per-area ``mask`` holds."""
        return positions[np.asarray(mask, dtype=bool)[positions]]

    def in_priority_gap(self) -> np.ndarray:
        """Weights: each child whose age band has a kind of help in a priority gap in
        their area (each band once however many kinds)."""
        hit = np.zeros((len(self.codes), len(AGE_BANDS)))
        for key in self.keys:
            gap = self.equals("priority", key, "priority gap")
            hit = np.maximum(hit, self.kind(key) * gap[:, None])
        return hit

    def adequate(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Weights, pooled over ``keys``: children of each kind's ages in areas with
        adequate places, and in areas where that is judged."""
        good = np.zeros((len(self.codes), len(AGE_BANDS)))
        judged = np.zeros_like(good)
        for key in keys:
            ok = pd.array(self.column("adequate_places", key), dtype="boolean")
            known = ~np.asarray(ok.isna()) & ~self.equals("state", key, "unknown")
            judged += self.kind(key) * known[:, None]
            good += self.kind(key) * (known & np.asarray(ok.fillna(False), dtype=bool))[:, None]
        return good, judged

    def in_need_by_district(self) -> Callable[[np.ndarray], Sum]:
        """Children in need (the need table's column of ``in_need_indicator``) as a
        block of base cells, one per area: their sum over the areas at given positions."""
        cfg = self.assessment.config
        column = cfg.indicators[cfg.sufficiency.in_need_indicator].column
        values = self.assessment.inputs.need.reindex(self.codes)[column].to_numpy(dtype=float)
        self.cells.add("children_in_need", values)

        def total(positions: np.ndarray) -> Sum:
            w = np.zeros(len(self.codes))
            w[positions] = 1.0
            return self.cells.block("children_in_need", w)

        return total

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
        codes = pd.Series(district.fillna("").to_numpy(dtype=str))
        at = {
            str(k): v.to_numpy() for k, v in codes[active.to_numpy()].groupby(codes).groups.items()
        }
        everyone = np.flatnonzero(active.to_numpy())
        none = np.zeros(0, dtype=np.int64)

        def in_district(row: Hashable) -> Sum:
            return self.cells.at("reached", everyone if row in COUNTY else at.get(str(row), none))

        return in_district
