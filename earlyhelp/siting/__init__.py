"""Siting: where k new sites of one category would bring most need-weighted children in reach.

The maximal covering location problem with the existing provision fixed, in these modules:

- :mod:`~earlyhelp.siting.candidates`: candidate sites from a file of points or a grid.
- :mod:`~earlyhelp.siting.problem`: the coverage problem of one category (demand, need
  weights, who is covered already, who each candidate would reach).
- :mod:`~earlyhelp.siting.solvers`: the solvers (exact MILP by HiGHS, greedy with swaps,
  the capacitated MILP); numpy, scipy and highspy only, with
  :mod:`~earlyhelp.siting.milp` (the covering MILP, its reduction and its LP relaxation's
  proven bound) and :mod:`~earlyhelp.siting.highs` running HiGHS.
- :mod:`~earlyhelp.siting.result`: :func:`site_services` runs it all and returns a
  :class:`SitingResult`; :mod:`earlyhelp.publish.siting` writes its folder.

- :mod:`~earlyhelp.siting.rule`: the family hub targeting rule as a constraint (``--rule``)
  and what it costs in coverage.

Imports run one way: result -> rule -> problem, solvers -> milp -> highs; candidates stands
alone.
"""

from __future__ import annotations

from earlyhelp.siting.candidates import (
    CANDIDATE_COLUMNS,
    candidate_sites,
    grid_candidates,
    read_candidates,
)
from earlyhelp.siting.problem import NEED_WEIGHTS, CoverageProblem, coverage_problem, need_factor
from earlyhelp.siting.result import SitingResult, site_services
from earlyhelp.siting.rule import rule_report, targeting_rule
from earlyhelp.siting.solvers import SITING_METHODS, CoverSolution, TargetingRule, solve_max_cover

__all__ = [
    "CANDIDATE_COLUMNS", "NEED_WEIGHTS", "SITING_METHODS", "CoverSolution", "CoverageProblem",
    "SitingResult", "TargetingRule", "candidate_sites", "coverage_problem", "grid_candidates",
    "need_factor", "read_candidates", "rule_report", "site_services", "solve_max_cover",
    "targeting_rule",
]  # fmt: skip
