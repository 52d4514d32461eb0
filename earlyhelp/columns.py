"""Column names of the per-category measures: ``<measure>__<category>``.

Wide tables hold one column per measure and category of help (``nearest__parenting``,
``priority__domestic_abuse``, ``within_reach_before__childrens_centre``). This module is
the one place that spells the convention; everything else asks it. A leaf module.

>>> measure_column("nearest", "parenting")
'nearest__parenting'
>>> split_measure_column("within_reach_before__childrens_centre")
('within_reach_before', 'childrens_centre')
"""

from __future__ import annotations

__all__ = [
    "PUBLISHED_CHILDREN",
    "SEPARATOR",
    "measure_column",
    "measure_frame",
    "prefixed",
    "split_measure_column",
]

from collections.abc import Iterable

import pandas as pd

SEPARATOR = "__"

# The areas layer's children 0-19 as the maps publish them (text: a count, the suppression
# symbol, or the missing marker), so a map redrawn from results.gpkg shows what the
# disclosure audit of the whole publication passed.
PUBLISHED_CHILDREN = "children_published"


def measure_column(measure: str, category: str) -> str:
    """The column of one measure for one category."""
    return f"{measure}{SEPARATOR}{category}"


def split_measure_column(column: str) -> tuple[str, str] | None:
    """``(measure, category)`` of a measure column, or None for any other column."""
    measure, sep, category = str(column).partition(SEPARATOR)
    return (measure, category) if sep and measure and category else None


def prefixed(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """A table with one column per category named as that measure's columns."""
    return frame.rename(columns=lambda category: measure_column(measure, str(category)))


def measure_frame(
    wide: pd.DataFrame, measure: str, categories: Iterable[str]
) -> pd.DataFrame | None:
    """One measure of a wide table as a table with a column per category key, in the order
    given; None when any of those columns is missing."""
    keys = list(categories)
    columns = [measure_column(measure, k) for k in keys]
    if any(c not in wide.columns for c in columns):
        return None
    return wide[columns].set_axis(keys, axis=1)
