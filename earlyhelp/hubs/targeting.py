"""Targeting: are hubs where disadvantage is greatest, and which under-fives reach one?

**The aim** (``[hubs] aim_share`` of hubs in national deciles 1 to ``aim_deciles``; the
Best Start Family Hubs guidance reports 70% in the 30% most deprived): each counted hub
(``counted_kinds``, active, inside the study area) takes the national decile of the small
area it stands in, for each deprivation measure named (IoD 2025 IMD and IDACI deciles:
``[hubs] deprivation``). :func:`targeting_tables` gives the hubs and their capacity by
decile and the verdict: *meets the aim*, *below the aim*, or *unknown* when hubs without
a decile could tip it. The share of capacity is *unknown* whenever a counted hub gives no
capacity: a network with unknown capacity is never called targeted.

**Reach** (:func:`under_five_reach`): an area's under-fives are within reach of a hub
when an active site of ``reach_kinds`` (hubs and spokes) is within the reach threshold of
``[hubs] reach_category`` (urban or rural; the run's distance model). Low-income
under-fives are estimated as under-fives times the share of children in low-income
families of ``low_income_indicator`` (an IDACI score, or a percentage), rounded to whole
children. Shares by district carry 95% intervals that allow for children of one area
being in or out together (:func:`earlyhelp.stats.dispersed_share_ci`).
"""

from __future__ import annotations

__all__ = ["Reach", "hub_deciles", "reach_by_district", "targeting_tables", "under_five_reach"]

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.distance import DistanceModel
from earlyhelp.geography import representative_points
from earlyhelp.need import indicator_values
from earlyhelp.provision import reach_thresholds
from earlyhelp.stats import area_dispersion, dispersed_share_ci

MEETS, BELOW, UNKNOWN = "meets the aim", "below the aim", "unknown"


def hub_deciles(sites: pd.DataFrame, need: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Each site's national decile on every ``[hubs] deprivation`` measure: the decile of
    the small area it stands in (NaN outside the study area or without a value)."""
    out = pd.DataFrame(index=sites.index)
    for name in cfg.hubs.deprivation:
        values = indicator_values(need, name, cfg.indicators[name])["value"]
        out[name] = sites["area_code"].map(values).astype(float)
    return out


def _counted(sites: pd.DataFrame, study: pd.Index, cfg: Config) -> pd.DataFrame:
    """The hubs the aim counts: active, of ``counted_kinds``, in the study area."""
    keep = (
        (sites["status"] == "active")
        & sites["kind"].isin(cfg.hubs.counted_kinds)
        & sites["area_code"].isin(study)
    )
    return sites[keep]


def targeting_tables(
    sites: pd.DataFrame, deciles: pd.DataFrame, study: pd.Index, cfg: Config
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by decile, summary) for every deprivation measure.

    By decile (rows ``(measure, decile)``, decile 1-10 or ``no decile``): ``hubs``,
    ``pct_hubs``, ``capacity``, ``capacity_unknown`` (hubs giving none), ``pct_capacity``.
    Summary (one row per measure): ``hubs``, ``hubs_in_aim``, ``pct_hubs`` (of hubs with a
    decile), ``aim_pct``, ``verdict``, ``hubs_without_decile``, ``capacity_in_aim``,
    ``capacity``, ``pct_capacity``, ``capacity_verdict``, ``hubs_without_capacity``.
    """
    hubs = _counted(sites, study, cfg)
    aim, top = cfg.hubs.aim_share, cfg.hubs.aim_deciles
    capacity = pd.to_numeric(hubs["capacity"], errors="coerce")
    rows, summary = [], {}
    for name in deciles.columns:
        d = deciles.loc[hubs.index, name]
        label = d.map(lambda v: "no decile" if np.isnan(v) else str(int(v)))
        for decile in [*(str(i) for i in range(1, 11)), "no decile"]:
            m = (label == decile).to_numpy()
            cap = capacity[m]
            rows.append(
                {
                    "measure": name,
                    "decile": decile,
                    "hubs": int(m.sum()),
                    "pct_hubs": 100 * m.sum() / len(hubs) if len(hubs) else np.nan,
                    "capacity": float(cap.sum()) if cap.notna().all() else np.nan,
                    "capacity_unknown": int(cap.isna().sum()),
                }
            )
        summary[name] = _verdicts(d, capacity, aim, top)
    by_decile = pd.DataFrame(rows).set_index(["measure", "decile"])
    total = by_decile.groupby(level="measure")["capacity"].transform("sum", min_count=1)
    known = by_decile.groupby(level="measure")["capacity_unknown"].transform("sum") == 0
    by_decile["pct_capacity"] = (100 * by_decile["capacity"] / total).where(known)
    return by_decile, pd.DataFrame.from_dict(summary, orient="index").rename_axis("measure")


def _verdicts(d: pd.Series, capacity: pd.Series, aim: float, top: int) -> dict[str, object]:
    """The verdicts on hubs and on capacity for one measure (see the module)."""
    n = len(d)
    known = d.notna()
    inside = (d <= top) & known
    lo = inside.sum() / n if n else np.nan
    hi = (inside.sum() + (~known).sum()) / n if n else np.nan
    if not n:
        verdict = "no hubs"
    elif lo >= aim - 1e-12:
        verdict = MEETS
    elif hi < aim - 1e-12:
        verdict = BELOW
    else:
        verdict = f"{UNKNOWN}, because {int((~known).sum())} hub(s) have no decile"
    cap_known = capacity.notna().all() and known.all()
    cap_total = float(capacity.sum()) if cap_known else np.nan
    cap_in = float(capacity[inside].sum()) if cap_known else np.nan
    cap_share = cap_in / cap_total if cap_known and cap_total > 0 else np.nan
    if not n:
        cap_verdict = "no hubs"
    elif not capacity.notna().all():
        cap_verdict = (
            f"{UNKNOWN}, because capacity is not given for {int(capacity.isna().sum())} of {n} hubs"
        )
    elif not known.all():
        cap_verdict = f"{UNKNOWN}, because {int((~known).sum())} hub(s) have no decile"
    else:
        cap_verdict = MEETS if cap_share >= aim - 1e-12 else BELOW
    return {
        "hubs": n,
        "hubs_in_aim": int(inside.sum()),
        "pct_hubs": 100 * inside.sum() / known.sum() if known.sum() else np.nan,
        "aim_pct": 100 * aim,
        "verdict": verdict,
        "hubs_without_decile": int((~known).sum()),
        "capacity_in_aim": cap_in,
        "capacity": cap_total,
        "pct_capacity": 100 * cap_share,
        "capacity_verdict": cap_verdict,
        "hubs_without_capacity": int(capacity.isna().sum()),
    }


# --------------------------------------------------------------------------- reach


@dataclass(frozen=True)
class Reach:
    """Under-fives and hub reach per study area (index ``area_code``): ``under5``,
    ``low_income_under5`` (NaN without a low-income indicator), ``within_reach``,
    ``nearest_site``, ``nearest_name``, ``cost`` (in ``unit``), ``threshold``."""

    areas: pd.DataFrame
    unit: str
    low_income: bool


def under_five_reach(
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    model: DistanceModel,
    cfg: Config,
) -> Reach:
    """Which areas' under-fives are within reach of a hub or spoke (see the module)."""
    spec = cfg.hubs
    reach = sites[(sites["status"] == "active") & sites["kind"].isin(spec.reach_kinds)]
    points = representative_points(areas)
    cat = cfg.categories[spec.reach_category]
    threshold = reach_thresholds(areas, cat, unit=model.unit).to_numpy(dtype=float)
    if len(reach):
        found = model.nearest(points, reach.geometry)
        cost, position = found.cost, found.position
    else:
        cost, position = np.full(len(areas), np.inf), np.full(len(areas), -1)
    has = position >= 0
    ids = np.asarray([*reach.index.astype(str), ""], dtype=object)
    labels = np.asarray([*reach["name"].astype(str), ""], dtype=object)
    nearest = ids[np.where(has, position, -1)]
    names = labels[np.where(has, position, -1)]
    under5 = need.reindex(areas.index)["pop_0_4"].astype(float)
    share = _low_income_share(need.reindex(areas.index), cfg)
    table = pd.DataFrame(
        {
            "under5": under5,
            "low_income_under5": (under5 * share).round(0),
            "within_reach": np.isfinite(cost) & (cost <= threshold) & under5.notna().to_numpy(),
            "nearest_site": nearest,
            "nearest_name": names,
            "cost": np.where(np.isfinite(cost), cost, np.nan),
            "threshold": threshold,
        },
        index=areas.index,
    )
    return Reach(table, model.unit, bool(spec.low_income_indicator))


def _low_income_share(need: pd.DataFrame, cfg: Config) -> pd.Series:
    """The share (0-1) of children in low-income families per area (NaN when none is
    configured): a score as it is, a rate read as a percentage."""
    name = cfg.hubs.low_income_indicator
    if not name:
        return pd.Series(np.nan, index=need.index)
    ind = cfg.indicators[name]
    values = indicator_values(need, name, ind)["value"].astype(float)
    return (values / 100.0 if ind.kind == "rate" else values).clip(0, 1)


def reach_by_district(reach: Reach, district: pd.Series, names: pd.Series) -> pd.DataFrame:
    """Under-fives (and low-income under-fives) within reach by district and the county:
    counts, the share and its 95% limits; ``areas_without_under5``: areas whose
    under-fives are not counted (unknown: in neither count)."""
    a = reach.areas
    out = pd.DataFrame(index=[*sorted(pd.unique(district)), "County"])
    for col, stem in (("under5", "under5"), ("low_income_under5", "low_income")):
        total = a[col].fillna(0.0)
        within = total.where(a["within_reach"], 0.0)
        phi = area_dispersion(within, total)
        n = total.groupby(district).sum()
        y = within.groupby(district).sum()
        n.loc["County"], y.loc["County"] = n.sum(), y.sum()
        n, y = n.reindex(out.index).fillna(0.0), y.reindex(out.index).fillna(0.0)
        lower, upper = dispersed_share_ci(y.to_numpy(), n.to_numpy(), phi=phi)
        unknown = col == "low_income_under5" and not reach.low_income
        out[f"{stem}"] = np.nan if unknown else n
        out[f"{stem}_within"] = np.nan if unknown else y
        out[f"{stem}_out"] = np.nan if unknown else n - y
        pct = np.where(n > 0, 100 * y / n.where(n > 0), np.nan)
        out[f"{stem}_pct"] = np.nan if unknown else pct
        out[f"{stem}_lower"] = np.nan if unknown else 100 * lower
        out[f"{stem}_upper"] = np.nan if unknown else 100 * upper
    # areas whose under-fives are not counted: neither within nor out of reach (unknown)
    missing = a["under5"].isna().groupby(district).sum()
    missing.loc["County"] = missing.sum()
    out["areas_without_under5"] = missing.reindex(out.index).fillna(0).astype(int)
    out.insert(0, "district_name", [names.get(c, "County") for c in out.index])
    out.index.name = "district_code"
    return out
