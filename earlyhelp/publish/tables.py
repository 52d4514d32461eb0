"""Published tables: the analysis tables as they may be published.

Each function returns a table that has passed small-number suppression
(:func:`earlyhelp.disclosure.suppress`): counts from ``min_count`` to ``max_count``
hidden, and the rates, intervals and comparisons that could give one back hidden with them.
"""

from __future__ import annotations

__all__ = ["publishable_summary"]

import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.disclosure import suppress


def publishable_summary(assessment: Assessment) -> pd.DataFrame:
    """The district summary as it may be published: small counts suppressed, and the
    rates, intervals and comparisons built on them with them."""
    d = assessment.config.disclosure
    shown = suppress(
        assessment.require_sufficiency().summary,
        count_columns=["children", "children_full_core_range", "priority_gap_children"],
        rate_columns={
            "pct_full_core_range": ["children_full_core_range", "children"],
            "pct_lower": ["children_full_core_range", "children"],
            "pct_upper": ["children_full_core_range", "children"],
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
