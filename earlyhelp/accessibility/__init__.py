"""Accessibility: how well each small area reaches each category of early help.

The engine lives in :mod:`earlyhelp.accessibility.engine` for now; this face re-exports it.
"""

from __future__ import annotations

from earlyhelp.accessibility.engine import (
    DECAYS,
    GRAVITY_MIN_COST,
    MEASURES,
    STEP_WEIGHTS,
    AccessResult,
    Catchment,
    CategoryInputs,
    Measure,
    all_ages_within_reach,
    band_reach,
    build_catchment,
    category_bands,
    compute_access,
    count_within,
    decay_weights,
    enhanced_two_step_fca,
    gravity_access,
    nearest_by_band,
    nearest_service,
    share_within_reach,
    two_step_fca,
    within_reach,
)

__all__ = [
    "DECAYS",
    "GRAVITY_MIN_COST",
    "MEASURES",
    "STEP_WEIGHTS",
    "AccessResult",
    "Catchment",
    "CategoryInputs",
    "Measure",
    "all_ages_within_reach",
    "band_reach",
    "build_catchment",
    "category_bands",
    "compute_access",
    "count_within",
    "decay_weights",
    "enhanced_two_step_fca",
    "gravity_access",
    "nearest_by_band",
    "nearest_service",
    "share_within_reach",
    "two_step_fca",
    "within_reach",
]
