"""Siting: where k new sites of one category would bring most need-weighted children in reach.

The code lives in :mod:`earlyhelp.siting.result`; this package re-exports its public names.
"""

from __future__ import annotations

from earlyhelp.siting.result import (
    CANDIDATE_COLUMNS,
    NEED_WEIGHTS,
    SITING_METHODS,
    CoverageProblem,
    CoverSolution,
    SitingResult,
    candidate_sites,
    coverage_problem,
    grid_candidates,
    need_factor,
    read_candidates,
    site_services,
    solve_max_cover,
)

__all__ = [
    "CANDIDATE_COLUMNS",
    "NEED_WEIGHTS",
    "SITING_METHODS",
    "CoverSolution",
    "CoverageProblem",
    "SitingResult",
    "candidate_sites",
    "coverage_problem",
    "grid_candidates",
    "need_factor",
    "read_candidates",
    "site_services",
    "solve_max_cover",
]
