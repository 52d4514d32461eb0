"""The range of help: per area, the kinds of help its need profile calls for against the
kinds within reach (Munro Recommendation 10's first point), and the sectors within reach
(:func:`range_of_help`, :func:`sector_reach`).
"""

from __future__ import annotations

__all__ = [
    "range_of_help",
    "sector_reach",
]

import dataclasses
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.accessibility import compute_access
from earlyhelp.config import AccessConfig, CategoryConfig, SufficiencyConfig
from earlyhelp.distance import DistanceModel
from earlyhelp.provision import SECTORS
from earlyhelp.sufficiency.gaps import wide_measure


def sector_reach(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: gpd.GeoDataFrame,
    access_cfg: AccessConfig,
    *,
    suff: SufficiencyConfig,
    model: DistanceModel | None,
) -> pd.DataFrame:
    """Whether an active in-person service of each sector is within reach of each area.

    Runs the accessibility engine with the sectors as the taxonomy, so it measures
    distance exactly as the categories are measured, against the sector reach of
    ``[sufficiency]`` in the model's unit (metres or minutes).
    """
    known = services[services["sector"].isin(SECTORS)]
    # each service's one category is its sector: the plain value, which the engine reads
    # as a list of one (it explodes the column), not 200,000 lists made to be exploded
    by_sector = known.assign(categories=known["sector"])
    taxonomy = {
        s: CategoryConfig(
            label=s,
            reach_urban_m=suff.sector_reach_urban_m,
            reach_rural_m=suff.sector_reach_rural_m,
            reach_urban_min=suff.sector_reach_urban_min,
            reach_rural_min=suff.sector_reach_rural_min,
        )
        for s in SECTORS
    }
    cfg = dataclasses.replace(access_cfg, measures=("within_reach",), weight_demand_by_need=False)
    result = compute_access(areas, need, by_sector, taxonomy, cfg, model=model, nearest_ids=False)
    return wide_measure(result, "within_reach", taxonomy).astype(bool)


def range_of_help(
    gaps: pd.DataFrame,
    called: pd.DataFrame,
    categories: Mapping[str, CategoryConfig],
    sectors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The range of help within reach of each area against what its need calls for.

    ``called`` is the area x category table of :func:`earlyhelp.need.calls_for` (an
    indicator well above the county value calls for the categories linked to it).
    Returns, per area: ``called_for`` (labels), ``missing_called_for`` (called for and
    known to be out of reach), ``missing_core`` (categories marked ``required`` known to
    be out of reach), ``unknown`` (categories whose reach cannot be judged here: no
    service of the kind in the inputs, or no need data; see
    :mod:`earlyhelp.sufficiency.gaps`), ``n_missing`` (distinct categories in the two
    missing lists), ``full_core_range`` (every core category within reach: True, False, or
    missing where it cannot be judged), and with ``sectors`` the sectors within reach.

    When a core category cannot be judged anywhere (no service of it in the inputs), the
    full core range is missing in every area: judging it only where some other kind is
    known to be out of reach would count nothing but failures.
    """
    keys = list(categories)
    reach = gaps.pivot(index="area_code", columns="category", values="within_reach")
    reach = reach.reindex(columns=keys).fillna(False).astype(bool)
    known = gaps.pivot(index="area_code", columns="category", values="reach_known")
    unknown = ~known.reindex(index=reach.index, columns=keys).fillna(False).to_numpy(dtype=bool)
    called = called.reindex(index=reach.index, columns=keys, fill_value=False)
    labels = np.array([categories[k].label or k for k in keys], dtype=object)
    required = np.array([categories[k].required for k in keys])

    def names(mask: np.ndarray) -> np.ndarray:
        return _joined(mask, labels)

    out_of_reach = ~reach.to_numpy() & ~unknown
    missing_called = called.to_numpy(dtype=bool) & out_of_reach
    missing_core = required & out_of_reach
    core_unknown = (required & unknown).any(axis=1)
    full = pd.array(~missing_core.any(axis=1), dtype="boolean")
    full[core_unknown & ~missing_core.any(axis=1)] = pd.NA
    if (required & unknown.all(axis=0)).any():  # a core kind with no data anywhere
        full[:] = pd.NA
    out = pd.DataFrame(
        {
            "called_for": names(called.to_numpy(dtype=bool)),
            "missing_called_for": names(missing_called),
            "missing_core": names(missing_core),
            "unknown": names(unknown),
            "n_missing": (missing_called | missing_core).sum(axis=1),
            "full_core_range": full,
        },
        index=reach.index,
    )
    if sectors is not None:
        within = sectors.reindex(reach.index).fillna(False).astype(bool)
        sector_names = np.array(list(within.columns), dtype=object)
        out["sectors_within_reach"] = _joined(within.to_numpy(dtype=bool), sector_names)
        out["n_sectors_within_reach"] = within.sum(axis=1)
    return out


def _joined(mask: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per row of ``mask`` (areas × labels), the labels it marks joined by "; ": each
    distinct row joined once (a few hundred at most among tens of thousands of areas)."""
    if not mask.shape[1] or not len(mask):
        return np.full(len(mask), "", dtype=object)
    if mask.shape[1] < 63:  # each row as one number: far quicker to tell apart than rows
        codes = mask.astype(np.int64) @ (1 << np.arange(mask.shape[1], dtype=np.int64))
        distinct_codes, which = np.unique(codes, return_inverse=True)
        distinct = ((distinct_codes[:, None] >> np.arange(mask.shape[1])) & 1).astype(bool)
    else:
        distinct, which = np.unique(mask, axis=0, return_inverse=True)
    joined = np.array(["; ".join(labels[row]) for row in distinct], dtype=object)
    return joined[which.ravel()]
