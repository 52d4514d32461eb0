"""Sufficiency: gaps, the range of help against need, resourcing and district comparison.

Turns accessibility (:mod:`earlyhelp.accessibility`) and need (:mod:`earlyhelp.need`) into
the answers the board gives under the sufficiency duty, in these modules:

- :mod:`~earlyhelp.sufficiency.gaps`: gaps per area and category, the cut-offs and the
  priority classes;
- :mod:`~earlyhelp.sufficiency.range`: the range of help and the sectors within reach;
- :mod:`~earlyhelp.sufficiency.spend`: resourcing (spend and value for money);
- :mod:`~earlyhelp.sufficiency.districts`: districts against the county, the headline
  summary, the funnel plot data and two districts compared;
- :mod:`~earlyhelp.sufficiency.assess`: :func:`assess_sufficiency` runs them all.

Imports run one way: assess -> districts -> spend, assess -> range -> gaps.
"""

from earlyhelp.sufficiency.assess import Sufficiency, assess_sufficiency
from earlyhelp.sufficiency.districts import (
    compare_districts,
    district_comparison,
    district_summary,
    funnel_data,
)
from earlyhelp.sufficiency.gaps import (
    ADEQUATE_SHARE,
    PRIORITY_CLASSES,
    GapCutoffs,
    category_children,
    gap_cutoffs,
    gap_table,
)
from earlyhelp.sufficiency.range import range_of_help
from earlyhelp.sufficiency.spend import resourcing

__all__ = [
    "ADEQUATE_SHARE", "PRIORITY_CLASSES", "GapCutoffs", "Sufficiency", "assess_sufficiency",
    "category_children", "compare_districts", "district_comparison", "district_summary",
    "funnel_data", "gap_cutoffs", "gap_table", "range_of_help", "resourcing",
]  # fmt: skip
