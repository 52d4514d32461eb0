"""Published tables: the analysis tables as they may be published.

Each function returns a table that has passed small-number suppression
(:func:`earlyhelp.disclosure.suppress`): counts from ``min_count`` to ``max_count``
hidden, and the rates, intervals and comparisons that could give one back hidden with them.
"""

from __future__ import annotations

__all__ = ["publishable_summary", "publishable_verdicts"]

import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.disclosure import suppress
from earlyhelp.sufficiency import STATES

_FULL = ["children_full_core_range", "children", "children_core_unknown"]


def publishable_summary(assessment: Assessment) -> pd.DataFrame:
    """The district summary as it may be published: small counts suppressed, and the
    rates, intervals and comparisons built on them with them."""
    d = assessment.config.disclosure
    shown = suppress(
        assessment.require_sufficiency().summary,
        count_columns=[
            "children",
            "children_full_core_range",
            "children_core_unknown",
            "priority_gap_children",
        ],
        rate_columns={
            "pct_full_core_range": _FULL,
            "pct_lower": _FULL,
            "pct_upper": _FULL,
            "pct_adequate_places": ["children"],
            "adequate_lower": ["children"],
            "adequate_upper": ["children"],
            "capacity_per_1000": ["children"],
            "spend_per_child": ["children"],
        },
        min_count=d.min_count,
        max_count=d.max_count,
        symbol=d.symbol,
        total_row="County",
    )
    for rate, verdict in (
        ("pct_full_core_range", "vs_county"),
        ("pct_adequate_places", "adequate_vs_county"),
    ):
        hidden = shown[rate] == d.symbol
        shown[verdict] = shown[verdict].astype(object).where(~hidden, d.symbol)
    return shown


def publishable_verdicts(assessment: Assessment) -> pd.DataFrame:
    """Per kind of help, the county's children of its ages by verdict (sufficient, out of
    reach, too few places, unknown), the standard and why any are unknown: counts
    suppressed, each row's states adding up to its total."""
    suff = assessment.require_sufficiency()
    cfg = assessment.config
    table = suff.verdicts.copy()
    states = [f"children_{s.replace(' ', '_')}" for s in STATES]
    table["children"] = table[states].sum(axis=1)
    table["standard_per_1000"] = [
        cfg.categories[k].places_per_1000 or cfg.sufficiency.places_per_1000 for k in table.index
    ]
    columns = ["label", "standard_per_1000", "children", *states, "unknown_because"]
    d = cfg.disclosure
    return suppress(
        table[columns],
        count_columns=["children", *states],
        column_totals={"children": states},
        min_count=d.min_count,
        max_count=d.max_count,
        symbol=d.symbol,
    )
