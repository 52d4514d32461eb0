"""The accessibility measures by name.

Measures are chosen by name through :data:`MEASURES` (``nearest``, ``within_reach``,
``share_within_reach``, ``count_within_reach``, ``2sfca``, ``e2sfca``, ``gravity``); each
returns a Series indexed by area code and named after the measure, from the
:class:`CategoryInputs` that :func:`~earlyhelp.accessibility.engine.compute_access`
builds for one category. A new measure is one entry.

A measure may bring *companions*: measures computed whenever it is, in the same way,
but not chosen by name. ``nearest`` brings two, so that a cost shown to a reader is
always the true one:

``nearest``
    The *effective* cost (model unit) to the nearest service for reach: an outreach
    service's cost less ``outreach_extra`` (it travels to families), floored at 0. The
    cost reach is decided on; not a distance to show anyone.
``distance`` (companion of ``nearest``)
    The *true* cost (model unit) to that same service, with no outreach credit: the
    estimated road distance, or travel time, a map or listing shows. Equal to
    ``nearest`` where that service is in person.
``nearest_outreach`` (companion of ``nearest``)
    Whether that service is an outreach one (False where there is none).
``reach_bands`` (companion of ``share_within_reach``)
    Which of the need table's age bands (:data:`earlyhelp.need.AGE_BANDS`, in order) have
    a service taking them within reach, as bits: ``1`` the first band, ``2`` the second,
    ``5`` the first and third. The share within reach is the reached bands' children
    over all the category's; the disclosure audit sums children by it.
``capacity_unknown`` (companion of ``e2sfca``)
    1 where a service that gave no capacity lies in the area's floating catchment: it
    counts as one place, so the area's places per child are a lower bound that a
    shortfall against a standard cannot be read from.
"""

from __future__ import annotations

__all__ = ["MEASURES", "CategoryInputs", "Measure"]

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from earlyhelp.accessibility.costs import Catchment
from earlyhelp.accessibility.fca import (
    enhanced_two_step_fca,
    gravity_access,
    holds_any,
    two_step_fca,
)
from earlyhelp.accessibility.reach import (
    all_reached,
    count_within,
    reached_bits,
    share_reached,
)


@dataclass(frozen=True, eq=False)
class CategoryInputs:
    """Everything a measure needs for one category (built by :func:`compute_access`)."""

    category: str
    nearest: pd.DataFrame  # service_id, cost, distance, outreach per area (nearest_service)
    reached: pd.DataFrame | None  # per area and age band: a service taking it in reach
    children: pd.DataFrame  # children per area in the category's age bands (not weighted)
    threshold: pd.Series  # reach threshold per area, model unit
    catchment: Catchment | None  # None when no measure asked needs it
    reach_catchment: Catchment | None  # the catchment cut to each area's threshold, if made
    catchment_cost: float
    demand: pd.DataFrame  # children per area and age band, need-weighted
    supply: pd.Series  # per eligible service
    capacity_missing: pd.Series  # per eligible service: True where it gave no capacity
    serves: pd.DataFrame  # eligible services × age bands
    decay: str
    step_weights: tuple[float, ...]
    gravity_beta: float
    gravity_min_cost: float


@dataclass(frozen=True)
class Measure:
    """One accessibility measure of the registry.

    ``compute`` turns a :class:`CategoryInputs` into a Series by area; ``unit`` says
    what the value is; ``reads`` which costs it needs: ``"catchment"`` the pairs within
    the floating catchment, ``"reach"`` the pairs within each area's reach threshold,
    ``"bands"`` which age bands are reached (``CategoryInputs.reached``), ``""`` only the
    nearest service; ``companions`` are measures computed whenever this one is (see the
    module's notes).
    """

    name: str
    label: str
    unit: str
    reads: str
    compute: Callable[[CategoryInputs], pd.Series]
    companions: tuple[Measure, ...] = ()

    @property
    def needs_catchment(self) -> bool:
        """Whether the measure reads the sparse costs of area-service pairs."""
        return self.reads in ("catchment", "reach")

    def with_companions(self) -> tuple[Measure, ...]:
        """This measure and its companions, in the order their columns are written."""
        return (self, *self.companions)


def _catchment(x: CategoryInputs) -> Catchment:
    """The catchment of a measure that needs one (the engine builds it for those)."""
    if x.catchment is None:
        raise ValueError(f"{x.category}: a catchment measure was computed without a catchment")
    return x.catchment


def _reached(x: CategoryInputs) -> pd.DataFrame:
    """The bands reached of a measure that needs them (the engine finds them for those)."""
    if x.reached is None:
        raise ValueError(f"{x.category}: a reach measure was computed without bands reached")
    return x.reached


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
            "Effective cost to the nearest service for reach (outreach counted nearer)",
            "cost",
            "",
            lambda x: x.nearest["cost"].rename("nearest"),
            companions=(
                Measure(
                    "distance",
                    "True distance or travel time to the nearest service for reach",
                    "cost",
                    "",
                    lambda x: x.nearest["distance"].rename("distance"),
                ),
                Measure(
                    "nearest_outreach",
                    "The nearest service for reach is an outreach service",
                    "bool",
                    "",
                    lambda x: x.nearest["outreach"].astype(bool).rename("nearest_outreach"),
                ),
            ),
        ),
        Measure(
            "within_reach",
            "Every child of the category's ages has a service taking their age in reach",
            "bool",
            "bands",
            lambda x: all_reached(_reached(x), x.children),
        ),
        Measure(
            "share_within_reach",
            "Share of the category's children with a service taking their age in reach",
            "share",
            "bands",
            lambda x: share_reached(_reached(x), x.children),
            companions=(
                Measure(
                    "reach_bands",
                    "Age bands with a service taking them in reach (bit i: the need "
                    "table's i-th band)",
                    "bits",
                    "bands",
                    lambda x: reached_bits(_reached(x)),
                ),
            ),
        ),
        Measure(
            "count_within_reach",
            "Services within the reach threshold",
            "count",
            "reach",
            lambda x: count_within(x.reach_catchment or _catchment(x), threshold=x.threshold),
        ),
        Measure(
            "2sfca",
            "Places per child within the catchment (2SFCA)",
            "supply per child",
            "catchment",
            lambda x: two_step_fca(_catchment(x), **_fca_kwargs(x)),
        ),
        Measure(
            "e2sfca",
            "Places per child, nearer places counting more (E2SFCA)",
            "supply per child",
            "catchment",
            lambda x: enhanced_two_step_fca(
                _catchment(x), **_fca_kwargs(x), decay=x.decay, step_weights=x.step_weights
            ),
            companions=(
                Measure(
                    "capacity_unknown",
                    "A service that gave no capacity is in the catchment (places a lower bound)",
                    "bool",
                    "catchment",
                    lambda x: holds_any(
                        _catchment(x), x.capacity_missing.to_numpy(dtype=bool), x.catchment_cost
                    ).rename("capacity_unknown"),
                ),
            ),
        ),
        Measure(
            "gravity",
            "Places per child, gravity model with competition",
            "supply per child",
            "catchment",
            lambda x: gravity_access(
                _catchment(x), **_fca_kwargs(x), beta=x.gravity_beta, min_cost=x.gravity_min_cost
            ),
        ),
    )
}
