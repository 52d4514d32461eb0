"""Accessibility: how well each small area reaches each category of early help.

Modules (imports run one way: engine -> measures -> fca, reach -> costs):

- ``costs``: costs from areas to services (:class:`Catchment`, the nearest service);
- ``reach``: within reach by age band, and services counted within reach;
- ``fca``: distance decays and floating catchments (2SFCA, E2SFCA, gravity);
- ``measures``: the measures by name (:data:`MEASURES`);
- ``engine``: :func:`compute_access`, every measure of every category (:class:`AccessResult`).
"""

from earlyhelp.accessibility.costs import (
    Catchment,
    build_catchment,
    nearest_by_band,
    nearest_service,
)
from earlyhelp.accessibility.engine import AccessResult, compute_access
from earlyhelp.accessibility.fca import (
    DECAYS,
    GRAVITY_MIN_COST,
    STEP_WEIGHTS,
    decay_weights,
    enhanced_two_step_fca,
    gravity_access,
    two_step_fca,
)
from earlyhelp.accessibility.measures import MEASURES, CategoryInputs, Measure
from earlyhelp.accessibility.reach import (
    all_ages_within_reach,
    band_reach,
    catchment_band_reach,
    category_bands,
    count_within,
    share_within_reach,
    within_reach,
)

__all__ = [
    "DECAYS", "GRAVITY_MIN_COST", "MEASURES", "STEP_WEIGHTS", "AccessResult", "Catchment",
    "CategoryInputs", "Measure", "all_ages_within_reach", "band_reach", "build_catchment",
    "catchment_band_reach", "category_bands", "compute_access", "count_within", "decay_weights",
    "enhanced_two_step_fca", "gravity_access", "nearest_by_band", "nearest_service",
    "share_within_reach", "two_step_fca", "within_reach",
]  # fmt: skip
