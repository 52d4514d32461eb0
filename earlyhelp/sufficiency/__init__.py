"""Sufficiency: gaps, the range of help against need, resourcing and district comparison.

Turns accessibility (:mod:`earlyhelp.accessibility`) and need (:mod:`earlyhelp.need`) into
the answers the board gives under the sufficiency duty, in these modules:

- :mod:`~earlyhelp.sufficiency.gaps`: the verdict per area and category (sufficient, a
  gap of a stated kind, or unknown and why) against stated standards, the high-need rule
  and the priority classes;
- :mod:`~earlyhelp.sufficiency.range`: the range of help and the sectors within reach;
- :mod:`~earlyhelp.sufficiency.spend`: resourcing (spend and value for money);
- :mod:`~earlyhelp.sufficiency.districts`: districts against the county, the headline
  summary, the funnel plot data and two districts compared;
- :mod:`~earlyhelp.sufficiency.assess`: :func:`assess_sufficiency` runs them all.

Imports run one way: assess -> districts -> spend, assess -> range -> gaps.
"""

from earlyhelp.sufficiency.assess import Sufficiency, assess_sufficiency, category_verdicts
from earlyhelp.sufficiency.districts import (
    compare_districts,
    district_comparison,
    district_summary,
    funnel_data,
)
from earlyhelp.sufficiency.gaps import (
    ADEQUATE_SHARE,
    GAP_STATES,
    PRIORITY_CLASSES,
    STATES,
    GapCutoffs,
    category_children,
    gap_cutoffs,
    gap_table,
    high_need_rule,
)
from earlyhelp.sufficiency.range import range_of_help
from earlyhelp.sufficiency.spend import resourcing

__all__ = [
    "ADEQUATE_SHARE", "GAP_STATES", "PRIORITY_CLASSES", "STATES", "GapCutoffs", "Sufficiency",
    "assess_sufficiency", "category_children", "category_verdicts", "compare_districts",
    "district_comparison", "district_summary", "funnel_data", "gap_cutoffs", "gap_table",
    "high_need_rule", "range_of_help", "resourcing",
]  # fmt: skip
