"""Load a run's case-system extracts and count them: :func:`load_casework`.

The episodes (required) and referrals (optional) named in ``[casework]`` are read in
chunks into pseudonymous keys (:mod:`.extract`), the period is fixed, and everything is
counted (:mod:`.counts`). The keys are then dropped: a :class:`Casework` holds counts,
the run's children by district and the service directory's costs, nothing about any
one child.
"""

from __future__ import annotations

__all__ = ["Casework", "load_casework", "postcode_sectors"]

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.casework.counts import CaseCounts, Period, count_episodes, count_referrals
from earlyhelp.casework.extract import NO_DATE, Keys, Places, read_keys
from earlyhelp.config import Config
from earlyhelp.errors import ConfigError
from earlyhelp.loading import InputRecord, Inputs, file_sha256
from earlyhelp.need import AGE_BANDS
from earlyhelp.validation import ValidationReport

_CHILD_BANDS = [b for b in AGE_BANDS if b != "pop_18_19"]  # children aged 0-17
_EPISODE_CODED = ("reason", "outcome", "lead_organisation", "service_id", "category", "provider")
_REFERRAL_CODED = ("source", "outcome", "factors")


@dataclass(frozen=True)
class Casework:
    """What the case systems show, as counts.

    ``children`` are children aged 0-17 by district (the need table's), ``district_names``
    the districts' names, ``services`` the directory's provider, categories and annual
    cost by service id (for value for money).
    """

    counts: CaseCounts
    children: pd.Series
    district_names: pd.Series
    services: pd.DataFrame
    has_referrals: bool
    records: tuple[InputRecord, ...]
    report: ValidationReport


def load_casework(cfg: Config, inputs: Inputs, *, chunk_rows: int | None = None) -> Casework:
    """Read and count the extracts of ``[casework]`` against the run's areas and need."""
    spec = cfg.casework
    if spec.episodes.path is None:
        raise ConfigError(
            '[casework.episodes] has no path; add path = "..." (an extract of early help '
            "episodes: child_ref, area_code or postcode_sector, start_date, end_date, outcome...)"
        )
    report = ValidationReport()
    places = Places(inputs.areas["district_code"].astype(str), postcode_sectors(inputs))
    options = {} if chunk_rows is None else {"chunk_rows": chunk_rows}
    episodes = read_keys(
        spec.episodes.path,
        columns=spec.episodes.columns,
        dates=("start_date", "end_date"),
        coded=_EPISODE_CODED,
        places=places,
        report=report,
        what="early help episodes",
        **options,
    )
    referrals = None
    if spec.referrals.path is not None:
        referrals = read_keys(
            spec.referrals.path,
            columns=spec.referrals.columns,
            dates=("referral_date",),
            coded=_REFERRAL_CODED,
            places=places,
            report=report,
            what="referrals",
            **options,
        )
    report.raise_if_errors()
    counts = _count(cfg, episodes, referrals, report)
    records = [_record("casework_episodes", spec.episodes.path, episodes)]
    if referrals is not None and spec.referrals.path is not None:
        records.append(_record("casework_referrals", spec.referrals.path, referrals))
    return Casework(
        counts=counts,
        children=_children(inputs),
        district_names=_district_names(inputs),
        services=_service_costs(inputs.services),
        has_referrals=referrals is not None,
        records=tuple(records),
        report=report,
    )


def postcode_sectors(inputs: Inputs) -> pd.Series:
    """Postcode sector ("QX24 1") -> the area most of its live postcodes lie in."""
    pcs = inputs.postcodes
    if pcs is None or pcs.empty:
        return pd.Series(dtype=object)
    live = pcs[~pcs["terminated"].astype(bool)]
    points = gpd.GeoDataFrame(
        {"sector": live.index.str[:-2].str.strip()},
        geometry=gpd.points_from_xy(live["x"], live["y"]),
        crs=inputs.areas.crs,
    )
    joined = gpd.sjoin(points, inputs.areas[["geometry"]], how="inner", predicate="within")
    area = joined.columns[-1]  # the areas' index, named after it or index_right
    counts = joined.groupby(["sector", area]).size().rename("n").reset_index()
    best = counts.sort_values(["sector", "n"], ascending=[True, False]).drop_duplicates("sector")
    return best.set_index("sector")[area].astype(str)


def _count(cfg: Config, episodes: Keys, referrals: Keys | None, report: ValidationReport):
    dates = [episodes.dates["start_date"], episodes.dates["end_date"]]
    if referrals is not None:
        dates.append(referrals.dates["referral_date"])
    known = np.concatenate([d[d != NO_DATE] for d in dates])
    period = Period.of(cfg.casework, int(known.max()) if len(known) else 0)
    later_child = [episodes.child]
    later_day = [episodes.dates["start_date"]]
    if referrals is not None:
        later_child.append(referrals.child)
        later_day.append(referrals.dates["referral_date"])
    ep = count_episodes(
        episodes,
        period=period,
        outcomes_map=cfg.casework.outcomes,
        later=(np.concatenate(later_child), np.concatenate(later_day)),
        report=report,
        file=str(cfg.casework.episodes.path.name if cfg.casework.episodes.path else ""),
    )
    if referrals is None:
        empty = pd.DataFrame(columns=["referrals"], index=pd.Index([], name="group"))
        return CaseCounts(period, ep, {"district": empty, "area": empty}, pd.DataFrame())
    by, sources = count_referrals(
        referrals,
        period=period,
        sources_map=cfg.casework.sources,
        report=report,
        file=str(cfg.casework.referrals.path.name if cfg.casework.referrals.path else ""),
    )
    return CaseCounts(period, ep, by, sources)


def _record(role: str, path, keys: Keys) -> InputRecord:
    return InputRecord(
        role,
        str(path),
        file_sha256(path),
        rows_read=keys.rows_read,
        rows_used=len(keys),
        dropped=dict(keys.dropped),
    )


def _children(inputs: Inputs) -> pd.Series:
    bands = [b for b in _CHILD_BANDS if b in inputs.need.columns]
    per_area = inputs.need[bands].sum(axis=1, min_count=1)
    district = inputs.areas["district_code"].reindex(per_area.index)
    return per_area.groupby(district).sum().rename("children")


def _district_names(inputs: Inputs) -> pd.Series:
    areas = inputs.areas
    names = areas["district_name"] if "district_name" in areas else areas["district_code"]
    return names.groupby(areas["district_code"]).first().astype(str)


def _service_costs(services: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("name", "provider", "categories", "annual_cost") if c in services]
    return pd.DataFrame(services[cols]).copy()
