"""Published tables of the run: the analysis tables as they may be published.

Each function publishes one table through the run's :class:`~.publication.Publication`:
small-number suppression (counts from ``min_count`` to ``max_count`` hidden, and the
rates, intervals and comparisons that could give one back hidden with them), what each
count and share adds up (:class:`~.basis.RunBasis`), and whatever more the audit of the
whole publication hides. Returns the table as published.
"""

from __future__ import annotations

__all__ = [
    "AREA_CHILDREN",
    "RunPublication",
    "publishable_summary",
    "publishable_verdicts",
    "published_area_children",
    "run_publication",
]

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.need import AGE_BANDS
from earlyhelp.publish.basis import RunBasis
from earlyhelp.publish.hubs import hub_area_columns, publish_hub_tables
from earlyhelp.publish.publication import Item, Publication, Ratio, Share, audited, hides
from earlyhelp.sufficiency import STATES

_FULL = ["children_full_core_range", "children", "children_core_unknown"]
_TOTAL = "\0total"  # the district total rows of the map's table (not shown on the map)
AREA_CHILDREN = "map: children 0-19 by area"


@dataclass(frozen=True)
class RunPublication:
    """Everything a run publishes, audited together and sealed (:func:`run_publication`)."""

    pub: Publication
    basis: RunBasis

    def table(self, name: str) -> pd.DataFrame:
        """A published table by name (``district_summary``, ``kinds_of_help``, ...)."""
        return self.pub.shown(name)

    @property
    def hub_columns(self) -> pd.DataFrame:
        """Per study area, the hub and early years columns the maps show (published)."""
        return hub_area_columns(self.pub, self.basis)

    @property
    def area_children(self) -> pd.Series:
        """Children 0-19 per study area as the maps show them (text)."""
        return published_area_children(self.pub, self.basis)

    def manifest(self) -> dict[str, object]:
        """For the manifest: the final audit, and what it hid beyond table-by-table
        suppression (``table: row: column``)."""
        report = self.pub.report
        hid = sorted(f"{name}: {_row_text(row)}: {col}" for name, row, col in hides(self.pub))
        return {
            **({} if report is None else report.to_dict()),
            "tables_audited": sorted(self.pub.tables),
            "hidden_by_audit": hid,
        }


def run_publication(
    assessment: Assessment,
    *,
    adding: Callable[[Publication, RunBasis], Any] | None = None,
) -> RunPublication:
    """Every table, map value and report table the run publishes, through the audit of
    them all together (:func:`~earlyhelp.publish.publication.audited`). Raises
    :class:`~earlyhelp.errors.EarlyHelpError` ("refusing to publish") when they cannot be
    made safe.

    ``adding`` publishes more tables beside the run's (a siting or scenario section of its
    board report): they are audited with the run's as published, and only they may have
    more hidden."""
    from earlyhelp.publish.report.tables import publish_report_tables  # the report's, late

    basis = RunBasis(assessment)

    def build(pub: Publication) -> None:
        publishable_summary(pub, basis)
        publishable_verdicts(pub, basis)
        published_area_children(pub, basis)
        publish_report_tables(pub, basis)
        publish_hub_tables(pub, basis)  # family hubs and early years, when configured

    disclosure = assessment.config.disclosure
    run = audited(disclosure, basis.cells, build)
    if adding is None:
        return RunPublication(run, basis)

    def build_more(pub: Publication) -> None:
        build(pub)
        adding(pub, basis)

    return RunPublication(audited(disclosure, basis.cells, build_more, fixed=run), basis)


def publishable_summary(pub: Publication, basis: RunBasis) -> pd.DataFrame:
    """The district summary as it may be published: small counts suppressed, and the
    rates, intervals and comparisons built on them with them."""
    a = basis.assessment
    symbol = a.config.disclosure.symbol
    summary = a.require_sufficiency().summary
    shown = pub.table(
        "district_summary",
        summary,
        counts=[
            "children",
            "children_full_core_range",
            "children_core_unknown",
            "priority_gap_children",
        ],
        rates={
            "pct_full_core_range": _FULL,
            "pct_lower": _FULL,
            "pct_upper": _FULL,
            "pct_adequate_places": ["children"],
            "adequate_lower": ["children"],
            "adequate_upper": ["children"],
            "capacity_per_1000": ["children"],
            "spend_per_child": ["children"],
        },
        total_row="County",
        companions={
            "pct_full_core_range": ["pct_lower", "pct_upper", "vs_county"],
            "pct_adequate_places": ["adequate_lower", "adequate_upper", "adequate_vs_county"],
        },
        cells=_summary_cells(basis),
    )
    for rate, verdict in (
        ("pct_full_core_range", "vs_county"),
        ("pct_adequate_places", "adequate_vs_county"),
    ):
        hidden = shown[rate] == symbol
        shown[verdict] = shown[verdict].astype(object).where(~hidden, symbol)
    return shown


def _summary_cells(basis: RunBasis):
    a = basis.assessment
    core = [k for k, c in a.config.categories.items() if c.required]
    money = a.require_sufficiency().resourcing.rename(index={"county": "County"})
    in_gap = basis.in_priority_gap()
    good, judged = basis.adequate(core)

    def cells(row: Hashable, col: str) -> Item | None:
        m = basis.where(row)
        full = basis.select(m, basis.full)
        if col == "children":
            return basis.children(m)
        if col == "children_full_core_range":
            return basis.children(full)
        if col == "children_core_unknown":
            return basis.children(basis.select(m, ~basis.full_known))
        if col == "priority_gap_children":
            return basis.children(m, in_gap)
        if col == "pct_full_core_range":
            return Share(basis.children(full), basis.children(basis.select(m, basis.full_known)))
        if col == "pct_adequate_places":
            return Share(basis.children(m, good), basis.children(m, judged))
        if col == "capacity_per_1000":
            places = float(money.at[row, "places"]) if row in money.index else np.nan
            return Ratio(basis.children(m), places, scale=1000.0, decimals=1)
        if col == "spend_per_child":
            cost = float(money.at[row, "annual_cost"]) if row in money.index else np.nan
            return Ratio(basis.children(m), cost, decimals=0)
        return None

    return cells


def publishable_verdicts(pub: Publication, basis: RunBasis) -> pd.DataFrame:
    """Per kind of help, the county's children of its ages by verdict (sufficient, out of
    reach, too few places, unknown), the standard and why any are unknown: counts
    suppressed, each row's states adding up to its total."""
    a = basis.assessment
    cfg = a.config
    table = a.require_sufficiency().verdicts.copy()
    states = {f"children_{s.replace(' ', '_')}": s for s in STATES}
    table["children"] = table[list(states)].sum(axis=1)
    table["standard_per_1000"] = [
        cfg.categories[k].places_per_1000 or cfg.sufficiency.places_per_1000 for k in table.index
    ]
    columns = ["label", "standard_per_1000", "children", *states, "unknown_because"]

    everyone = basis.where("County")

    def cells(key: Hashable, col: str) -> Item | None:
        k = str(key)
        if col == "children":
            return basis.children(everyone, basis.kind(k))
        if col in states:
            return basis.children(
                basis.select(everyone, basis.equals("state", k, states[col])), basis.kind(k)
            )
        return None

    return pub.table(
        "kinds_of_help",
        table[columns],
        counts=["children", *states],
        column_totals={"children": list(states)},
        cells=cells,
    )


def published_area_children(pub: Publication, basis: RunBasis) -> pd.Series:
    """Children 0-19 of each study area as the map shows them (text: a count, the
    suppression symbol, or the missing marker for an area without need data); within
    each district a second area is hidden where one hidden area could be worked out from
    the district's published total."""
    a = basis.assessment
    need = a.inputs.need.reindex(basis.codes)[list(AGE_BANDS)]
    counts = need.sum(axis=1, min_count=1).round(0)
    district = a.areas["district_code"].astype(str)
    table = pd.DataFrame(
        {"children": counts.to_numpy()},
        index=pd.MultiIndex.from_arrays([district.to_numpy(), basis.codes.to_numpy()]),
    )
    totals = table.groupby(level=0).sum()
    totals.index = pd.MultiIndex.from_arrays([totals.index, [_TOTAL] * len(totals)])
    position = {code: i for i, code in enumerate(basis.codes)}
    each = basis.cells.each_area()  # one area's children, for every area at once

    def cells(row: Hashable, col: str) -> Item | None:
        assert isinstance(row, tuple)
        return None if row[1] == _TOTAL else each[position[row[1]]]

    shown = pub.table(
        AREA_CHILDREN,
        pd.concat([table, totals]),
        counts=["children"],
        total_row=_TOTAL,
        cells=cells,
    )
    values = shown["children"].drop(index=_TOTAL, level=1).droplevel(0)
    return values.reindex(basis.codes).rename("children")


def _row_text(row: Hashable) -> str:
    parts = row if isinstance(row, tuple) else (row,)
    return " / ".join(str(p) for p in parts if p != _TOTAL)
