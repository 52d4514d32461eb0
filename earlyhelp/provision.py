"""Provision: who each service serves, and the reach each kind of help should have.

The eligibility rules every measure and the offer finder share: only ``active`` services
count; a service serves the children of its ages (the need table's age bands its
``min_age``..``max_age`` overlap); ``online`` and ``phone`` services are available anywhere
and never count as help nearby; a service without capacity counts as one place. And the
taxonomy's reach: each category's threshold for urban and rural areas.
"""

from __future__ import annotations

__all__ = [
    "DELIVERY",
    "LOCAL_DELIVERY",
    "REMOTE_DELIVERY",
    "ROLES",
    "SECTORS",
    "STATUS",
    "age_band_mask",
    "band_ages",
    "classify_services",
    "numeric_column",
    "reach_thresholds",
    "service_supply",
    "text_column",
]

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import CategoryConfig
from earlyhelp.need import AGE_BANDS, bands_for

# What a (service, category) pair is for the measures.
ROLES = ("local", "remote", "not_active", "no_location", "no_ages", "unknown_delivery")
# The data model's vocabulary of services (the loaders check values against these).
SECTORS = ("statutory", "voluntary", "community", "private")
DELIVERY = ("in_person", "outreach", "online", "phone")
STATUS = ("active", "planned", "closed")
LOCAL_DELIVERY = ("in_person", "outreach")  # count as help nearby
REMOTE_DELIVERY = ("online", "phone")  # available anywhere, never local presence


def age_band_mask(services: pd.DataFrame) -> pd.DataFrame:
    """Which age bands of the need table each service serves (services × bands, bool).

    A band is served when any of its ages falls in ``min_age``..``max_age`` (years,
    inclusive), the rule of :func:`earlyhelp.need.bands_for`. A missing
    ``min_age`` means from birth; a missing ``max_age`` means no upper limit.
    """
    lo = numeric_column(services, "min_age", 0.0)
    hi = numeric_column(services, "max_age", np.inf)
    # bands_for's rule, for every service at once
    mask = {
        band: (lo <= band_hi) & (hi >= band_lo) for band, (band_lo, band_hi) in AGE_BANDS.items()
    }
    return pd.DataFrame(mask, index=services.index)


def classify_services(services: pd.DataFrame, *, categories: Iterable[str]) -> pd.DataFrame:
    """One row per service and taxonomy category, with the service's role in the measures.

    Parameters
    ----------
    services
        Canonical services table indexed by ``service_id``.
    categories
        Taxonomy keys; a service's categories outside these are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``service_id``, ``category``, ``delivery`` and ``role``, one of
        :data:`ROLES`: ``local`` (counts in every measure), ``remote`` (online or phone,
        reported apart), ``not_active`` (planned or closed), ``no_location``, ``no_ages``
        (its ages overlap no band of the need table) or ``unknown_delivery``.
    """
    keys = list(categories)
    status = text_column(services, "status", "")
    delivery = text_column(services, "delivery", "in_person")  # missing delivery: in person
    geoms = services.geometry if isinstance(services, gpd.GeoDataFrame) else None
    located = (
        ~(geoms.isna() | geoms.is_empty).to_numpy(dtype=bool)
        if geoms is not None
        else np.zeros(len(services), dtype=bool)
    )
    serves_any = age_band_mask(services).any(axis=1).to_numpy()
    role = np.select(
        [
            (status != "active").to_numpy(dtype=bool),
            delivery.isin(REMOTE_DELIVERY).to_numpy(dtype=bool),
            ~delivery.isin(LOCAL_DELIVERY).to_numpy(dtype=bool),
            ~located,
            ~serves_any,
        ],
        ["not_active", "remote", "unknown_delivery", "no_location", "no_ages"],
        "local",
    )
    per_service = pd.DataFrame(
        {"delivery": delivery.to_numpy(), "role": role},
        index=pd.Index(services.index, name="service_id"),
    )
    cats = services["categories"].explode().dropna().astype("string").str.strip()
    cats.index = cats.index.rename("service_id")
    cats = cats[cats.isin(keys)].rename("category")
    long = cats.to_frame().join(per_service).reset_index()
    long = long.drop_duplicates(["service_id", "category"], ignore_index=True)
    return long[["service_id", "category", "delivery", "role"]]


def service_supply(services: pd.DataFrame) -> pd.Series:
    """Supply of each service: ``capacity``, or 1 where it is missing. Named ``supply``."""
    capacity = numeric_column(services, "capacity", np.nan)
    return pd.Series(
        np.where(np.isnan(capacity), 1.0, capacity), index=services.index, name="supply"
    )


def reach_thresholds(areas: pd.DataFrame, category: CategoryConfig, *, unit: str) -> pd.Series:
    """The reach threshold of each area for one category, in ``unit`` (``m`` or ``min``).

    Rural areas (``rural_urban == "rural"``) get the rural threshold; urban areas and
    areas with no classification get the urban one, the shorter, so a gap is not hidden.
    """
    urban, rural = category.reach(unit).values()
    is_rural = (text_column(areas, "rural_urban", "") == "rural").to_numpy(dtype=bool)
    return pd.Series(np.where(is_rural, rural, urban), index=areas.index, name="reach_threshold")


def numeric_column(df: pd.DataFrame, column: str, default: float) -> np.ndarray:
    """Column as floats, ``default`` where missing."""
    if column not in df.columns:
        return np.full(len(df), default)
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(values), default, values)


def text_column(df: pd.DataFrame, column: str, default: str) -> pd.Series:
    """Column as stripped lower-case text, ``default`` where missing."""
    if column not in df.columns:
        return pd.Series(default, index=df.index, dtype="string")
    # cleaned once per distinct value (a directory has a handful of deliveries and
    # statuses over 200,000 services), then spread back by code
    codes, distinct = pd.factorize(df[column])
    cleaned = pd.Series(distinct, dtype=object).astype("string").str.strip().str.lower()
    values = np.append(cleaned.fillna(default).to_numpy(dtype=object), default)
    return pd.Series(values[codes], index=df.index, dtype="string")


def band_ages(cat: CategoryConfig) -> tuple[int, int]:
    """The ages whose children are counted for a category: whole need-table bands."""
    bands = [AGE_BANDS[b] for b in bands_for(cat.min_age, cat.max_age)]
    if not bands:
        return (int(cat.min_age), int(cat.max_age))
    return (min(b[0] for b in bands), max(b[1] for b in bands))
