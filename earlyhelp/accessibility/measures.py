"""The accessibility measures by name.

Measures are chosen by name through :data:`MEASURES` (``nearest``, ``within_reach``,
``share_within_reach``, ``count_within_reach``, ``2sfca``, ``e2sfca``, ``gravity``); each
returns a Series indexed by area code and named after the measure, from the
:class:`CategoryInputs` that :func:`~earlyhelp.accessibility.engine.compute_access`
builds for one category. A new measure is one entry.
"""

from __future__ import annotations

__all__ = ["MEASURES", "CategoryInputs", "Measure"]

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from earlyhelp.accessibility.costs import Catchment
from earlyhelp.accessibility.fca import enhanced_two_step_fca, gravity_access, two_step_fca
from earlyhelp.accessibility.reach import all_ages_within_reach, count_within, share_within_reach


@dataclass(frozen=True, eq=False)
class CategoryInputs:
    """Everything a measure needs for one category (built by :func:`compute_access`)."""

    category: str
    nearest: pd.DataFrame  # service_id, cost per area (nearest_service)
    band_cost: pd.DataFrame  # per area and age band of the category: nearest taking it
    children: pd.DataFrame  # children per area in the category's age bands (not weighted)
    threshold: pd.Series  # reach threshold per area, model unit
    catchment: Catchment | None  # None when no measure asked needs it
    catchment_cost: float
    demand: pd.DataFrame  # children per area and age band, need-weighted
    supply: pd.Series  # per eligible service
    serves: pd.DataFrame  # eligible services × age bands
    decay: str
    step_weights: tuple[float, ...]
    gravity_beta: float
    gravity_min_cost: float


@dataclass(frozen=True)
class Measure:
    """One accessibility measure of the registry.

    ``compute`` turns a :class:`CategoryInputs` into a Series by area; ``unit`` says
    what the value is; ``needs_catchment`` whether it reads the sparse cost matrix.
    """

    name: str
    label: str
    unit: str
    needs_catchment: bool
    compute: Callable[[CategoryInputs], pd.Series]


def _catchment(x: CategoryInputs) -> Catchment:
    """The catchment of a measure that needs one (the engine builds it for those)."""
    if x.catchment is None:
        raise ValueError(f"{x.category}: a catchment measure was computed without a catchment")
    return x.catchment


def _fca_kwargs(x: CategoryInputs) -> dict[str, Any]:
    assert x.catchment is not None
    return {
        "demand": x.demand,
        "supply": x.supply,
        "serves": x.serves,
        "catchment_cost": x.catchment_cost,
    }


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "nearest",
            "Travel cost to the nearest service",
            "cost",
            False,
            lambda x: x.nearest["cost"].rename("nearest"),
        ),
        Measure(
            "within_reach",
            "Every child of the category's ages has a service taking their age in reach",
            "bool",
            False,
            lambda x: all_ages_within_reach(x.band_cost, x.children, threshold=x.threshold),
        ),
        Measure(
            "share_within_reach",
            "Share of the category's children with a service taking their age in reach",
            "share",
            False,
            lambda x: share_within_reach(x.band_cost, x.children, threshold=x.threshold),
        ),
        Measure(
            "count_within_reach",
            "Services within the reach threshold",
            "count",
            True,
            lambda x: count_within(_catchment(x), threshold=x.threshold),
        ),
        Measure(
            "2sfca",
            "Places per child within the catchment (2SFCA)",
            "supply per child",
            True,
            lambda x: two_step_fca(_catchment(x), **_fca_kwargs(x)),
        ),
        Measure(
            "e2sfca",
            "Places per child, nearer places counting more (E2SFCA)",
            "supply per child",
            True,
            lambda x: enhanced_two_step_fca(
                _catchment(x), **_fca_kwargs(x), decay=x.decay, step_weights=x.step_weights
            ),
        ),
        Measure(
            "gravity",
            "Places per child, gravity model with competition",
            "supply per child",
            True,
            lambda x: gravity_access(
                _catchment(x), **_fca_kwargs(x), beta=x.gravity_beta, min_cost=x.gravity_min_cost
            ),
        ),
    )
}
