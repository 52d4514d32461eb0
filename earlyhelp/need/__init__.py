"""Need: the child population by age band and the JSNA indicators of each small area.

:mod:`.bands` holds the age bands and who counts in them; :mod:`.values` reads one
indicator for every area, from the need table or placed from its own geography;
:mod:`.placing` places an indicator published for MSOAs, wards, districts or a county on
the small areas (each takes its unit's value and interval); :mod:`.index` makes the need
index and what need calls for; :mod:`.coverage` says which areas and children each
indicator covers. Imports run one way: bands, values -> placing, index -> coverage.
"""

from earlyhelp.need.bands import AGE_BANDS, bands_for, children, children_in_ages
from earlyhelp.need.coverage import coverage_warnings, indicator_coverage, indicators_scored
from earlyhelp.need.index import area_need_index, calls_for, need_index
from earlyhelp.need.placing import INTERVALS, place_indicator, unit_statistics
from earlyhelp.need.values import (
    INDICATOR_FIELDS,
    INDICATOR_KINDS,
    RATE_PER,
    county_value,
    indicator_column,
    indicator_values,
    is_placed,
)

__all__ = [
    "AGE_BANDS",
    "INDICATOR_FIELDS",
    "INDICATOR_KINDS",
    "INTERVALS",
    "RATE_PER",
    "area_need_index",
    "bands_for",
    "calls_for",
    "children",
    "children_in_ages",
    "county_value",
    "coverage_warnings",
    "indicator_column",
    "indicator_coverage",
    "indicator_values",
    "indicators_scored",
    "is_placed",
    "need_index",
    "place_indicator",
    "unit_statistics",
]  # fmt: skip
