"""What each published case-system figure adds up: the base cells of the casework
publication, so that its tables are audited together (:func:`~.publication.audited`).

The base cells are the episodes counted by every key a published table groups them by
at once (district, lead organisation, reason, kind of help, provider, service:
``episodes["cube"]``), one block per count (started, closed, needs met...); the referrals
by district and source; and the referrals recording each of the toxic trio by district.
A table's row is a set of those cells (a district's, an organisation's, a kind of help
and provider's, all of them), so a hidden count in one table cannot be worked out from
another's rows and totals.

What is not modelled: that one count lies within another (needs met within closed): the
blocks are audited as independent counts, which can only make a reader seem to know
less than they could work out by bounding one by the other.
"""

from __future__ import annotations

__all__ = ["CaseBasis"]

from collections.abc import Callable, Hashable, Sequence

import numpy as np
import pandas as pd

from earlyhelp.casework import ALL, COUNTY, Casework
from earlyhelp.casework.measures import with_directory
from earlyhelp.casework.vocabulary import TOXIC_TRIO, group_of_source
from earlyhelp.publish.publication import BaseCells, Item, Ratio, Share, Sum

# A table's share columns: the count over its base.
SHARES = {"needs_met": "closed", "stepped_up": "closed", "rereferred": "followed_up"}
_COSTED = {"closed_costed": "closed", "needs_met_costed": "needs_met"}


class CaseBasis:
    """The base cells of one casework publication and the rows of its tables."""

    def __init__(self, cw: Casework):
        self.cw = cw
        cube = with_directory(cw.counts.episodes["cube"].reset_index(), cw.services)
        if "annual_cost" in cw.services:
            costs = pd.to_numeric(cw.services["annual_cost"], errors="coerce")
            cube["costed"] = cube["service_id"].map(costs).notna()
        else:
            cube["costed"] = False
        # episodes of services no table tells apart are one cell: fewer unknowns to solve
        keys = ["district", "lead_organisation", "reason", "category", "provider", "costed"]
        flags = [c for c in cube.columns if c not in (*keys, "service_id")]
        self.cube = cube.groupby(keys, sort=False)[flags].sum().reset_index()
        self.costed = self.cube["costed"].to_numpy(dtype=bool)
        self.sources = cw.counts.sources
        self.trio = cw.counts.referrals["district"]
        self.base = BaseCells(pd.Index([]), [], np.zeros(0))
        for flag in ("started", "closed", "needs_met", "stepped_up", "followed_up", "rereferred"):
            if flag in self.cube:
                self.base.add(f"episodes:{flag}", self.cube[flag].to_numpy())
        if len(self.sources):
            self.base.add("referrals", self.sources["referrals"].to_numpy())
        for factor in TOXIC_TRIO:
            if factor in self.trio:
                self.base.add(f"referrals:{factor}", self.trio[factor].to_numpy())
        self._source_rows = (
            _groups(self.sources["district"].astype(str)) if len(self.sources) else {}
        )
        self._trio_rows = _groups(pd.Series(self.trio.index.astype(str)))

    # ---------------------------------------------------------------- sums of a row

    def episodes(self, count: str, rows: np.ndarray) -> Sum | None:
        """Episodes counted as ``count`` in the cube's ``rows`` (positions)."""
        if count in _COSTED:
            return self.episodes(_COSTED[count], rows[self.costed[rows]])
        if not self.base.has(f"episodes:{count}"):
            return None
        return self.base.at(f"episodes:{count}", rows)

    def referrals(self, districts: Sequence[str] | None) -> Sum | None:
        """Referrals made by the districts given (every one: None)."""
        if not len(self.sources):
            return None
        if districts is None:
            return self.base.at("referrals", np.arange(len(self.sources)))
        return self.base.at("referrals", _among(self._source_rows, districts))

    def factor(self, factor: str, districts: Sequence[str]) -> Sum | None:
        """Referrals recording ``factor`` made by the districts given."""
        if not self.base.has(f"referrals:{factor}"):
            return None
        return self.base.at(f"referrals:{factor}", _among(self._trio_rows, districts))

    # ---------------------------------------------------------------- a table's cells

    def cells(
        self,
        rows: Callable[[Hashable], np.ndarray],
        *,
        children: pd.Series | None = None,
        costs: pd.Series | None = None,
        districts: Callable[[Hashable], Sequence[str]] | None = None,
    ) -> Callable[[Hashable, str], Item | None]:
        """The cells of a table whose row ``key`` is the cube's ``rows(key)`` (positions):
        counts, shares of :data:`SHARES`, rates per 10,000 children a year over
        ``children`` (a count the run publishes), costs per episode over the row's
        published ``costs``; referral columns by ``districts(key)``."""
        years = self.cw.counts.period.years

        def count(key: Hashable, col: str) -> Sum | None:
            if col == "referrals" and districts is not None:
                return self.referrals(districts(key))
            if col in TOXIC_TRIO and districts is not None:
                return self.factor(col, districts(key))
            return self.episodes(col, rows(key))

        def cell(key: Hashable, col: str) -> Item | None:
            if col.endswith("_pct") and col[: -len("_pct")] in SHARES:
                share = col[: -len("_pct")]
                top, bottom = count(key, share), count(key, SHARES[share])
                return None if top is None or bottom is None else Share(top, bottom)
            if col.endswith("_rate") and children is not None:
                found = count(key, col[: -len("_rate")])
                known = float(children.get(key, np.nan)) * years
                return None if found is None else Ratio(found, known, 10_000.0, False, 1)
            if col in ("cost_per_episode", "cost_per_needs_met") and costs is not None:
                base = "closed_costed" if col == "cost_per_episode" else "needs_met_costed"
                found = count(key, base)
                known = float(costs.get(key, np.nan))
                return None if found is None else Ratio(found, known, 1.0, True, 1)
            if col in ("children", "cost") or col.endswith(("_lower", "_upper", "_vs")):
                return None
            return count(key, col)

        return cell

    # ---------------------------------------------------------------- row sets

    def by(
        self, column: str, total: Hashable, among: Sequence[str] | None = None
    ) -> Callable[[Hashable], np.ndarray]:
        """Rows of a table grouped by the cube's ``column`` (positions); the ``total`` row
        is every row ``among`` those values (default: all)."""
        groups = _groups(self.cube[column].astype(str))
        everyone = (
            np.arange(len(self.cube)) if among is None else _among(groups, [str(a) for a in among])
        )
        empty = np.zeros(0, dtype=np.int64)

        def rows(key: Hashable) -> np.ndarray:
            return everyone if key == total else groups.get(str(key), empty)

        return rows

    def by_label(self) -> Callable[[Hashable], np.ndarray]:
        """Rows of the effectiveness table (``category: provider``; ``All``)."""
        label = self.cube["category"].astype(str) + ": " + self.cube["provider"].astype(str)
        return self._by_values(label, ALL)

    def _by_values(self, values: pd.Series, total: Hashable) -> Callable[[Hashable], np.ndarray]:
        groups = _groups(values)
        everyone = np.arange(len(values))
        empty = np.zeros(0, dtype=np.int64)
        return lambda key: everyone if key == total else groups.get(str(key), empty)

    def source_cells(self) -> Callable[[Hashable, str], Item | None]:
        """The referrals by source table: each group's referrals and its share of all."""
        if not len(self.sources):
            return lambda key, col: None
        rows = self._by_values(self.sources["source"].map(group_of_source).astype(str), ALL)

        def cell(key: Hashable, col: str) -> Item | None:
            if col == "referrals":
                return self.base.at("referrals", rows(key))
            if col == "share_pct":
                everyone = self.base.at("referrals", rows(ALL))
                return Share(self.base.at("referrals", rows(key)), everyone)
            return None

        return cell


def _groups(values: pd.Series) -> dict[str, np.ndarray]:
    """Each value's positions."""
    return {
        str(k): np.asarray(v, dtype=np.int64)
        for k, v in values.groupby(values.to_numpy()).indices.items()
    }


def _among(groups: dict[str, np.ndarray], keys: Sequence[str]) -> np.ndarray:
    """The positions of every key given, in order."""
    parts = [groups[k] for k in keys if k in groups]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def district_total(districts: Sequence[str]) -> Callable[[Hashable], Sequence[str]]:
    """A district table's referral rows: a district's own, or the county's (every
    district of the table)."""

    def of(key: Hashable) -> Sequence[str]:
        return list(districts) if key == COUNTY else [str(key)]

    return of
