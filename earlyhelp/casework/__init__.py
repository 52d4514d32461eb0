"""What the case systems show: how children are identified, what early help achieves, and
at what cost (Munro 2011, Recommendations 6 and 10), from an aggregated or pseudonymised
extract of early help episodes and referrals to children's social care.

The extract is counted as it is read and never kept: no row about a child outlives the
load, and everything published passes small-number suppression.

- :mod:`earlyhelp.casework.vocabulary`: local wording onto one vocabulary (outcomes,
  referral sources, factors);
- :mod:`earlyhelp.casework.extract`: an extract read in chunks into pseudonymous keys;
- :mod:`earlyhelp.casework.counts`: the keys counted (the definitions are there);
- :mod:`earlyhelp.casework.load`: both extracts of a run, loaded and counted
  (:func:`load_casework`);
- :mod:`earlyhelp.casework.measures`: rates and shares with 95% intervals, effectiveness
  and value for money.

Imports run one way: measures -> load -> counts -> extract, vocabulary.

Example
-------
>>> cw = load_casework(cfg, load_inputs(cfg))      # doctest: +SKIP
>>> district_measures(cw)["stepped_up_pct"]        # doctest: +SKIP
"""

from earlyhelp.casework.counts import EPISODE_COUNTS, CaseCounts, Period
from earlyhelp.casework.extract import Keys, Places, read_keys
from earlyhelp.casework.load import Casework, load_casework, postcode_sectors
from earlyhelp.casework.measures import (
    ALL,
    COUNTY,
    district_measures,
    effectiveness,
    factor_measures,
    group_measures,
    source_measures,
)

__all__ = [
    "ALL", "COUNTY", "EPISODE_COUNTS", "CaseCounts", "Casework", "Keys", "Period", "Places",
    "district_measures", "effectiveness", "factor_measures", "group_measures",
    "load_casework", "postcode_sectors", "read_keys", "source_measures",
]  # fmt: skip
