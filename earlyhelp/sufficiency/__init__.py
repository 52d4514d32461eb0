"""Sufficiency: gaps, the range of help against need, resourcing and district comparison.

For now the whole analysis is in :mod:`earlyhelp.sufficiency.districts`; this face
re-exports its public names.
"""

from earlyhelp.sufficiency.districts import (
    ADEQUATE_SHARE,
    PRIORITY_CLASSES,
    GapCutoffs,
    Sufficiency,
    assess_sufficiency,
    category_children,
    compare_districts,
    district_comparison,
    district_summary,
    funnel_data,
    gap_cutoffs,
    gap_table,
    range_of_help,
    resourcing,
)

__all__ = [
    "ADEQUATE_SHARE", "PRIORITY_CLASSES", "GapCutoffs", "Sufficiency", "assess_sufficiency",
    "category_children", "compare_districts", "district_comparison", "district_summary",
    "funnel_data", "gap_cutoffs", "gap_table", "range_of_help", "resourcing",
]  # fmt: skip
