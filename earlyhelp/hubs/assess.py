"""The hub network of one run: :func:`assess_hubs` and the :class:`HubAssessment`.

Joins the services to the hub sites (:mod:`.sites`), builds the core offer matrix
(:mod:`.offer`), checks the targeting aim and measures under-five reach (:mod:`.targeting`).
"""

from __future__ import annotations

__all__ = ["HubAssessment", "assess_hubs"]

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.distance import DistanceModel
from earlyhelp.hubs.offer import CoreOffer, core_offer
from earlyhelp.hubs.sites import core_services_of, link_services
from earlyhelp.hubs.targeting import (
    Reach,
    hub_deciles,
    reach_by_district,
    targeting_tables,
    under_five_reach,
)


@dataclass(frozen=True, eq=False)
class HubAssessment:
    """Everything the run found about its hub network.

    ``sites`` (with ``area_code``), ``links`` (services joined to sites), ``offer`` (the
    core offer matrix), ``deciles`` (each site's national decile per measure),
    ``by_decile`` and ``targeting`` (the aim), ``reach`` (per study area),
    ``reach_districts`` (under-fives within reach by district, with 95% limits),
    ``notes`` (what the reader should know: services naming unknown sites...).
    """

    sites: gpd.GeoDataFrame
    links: pd.DataFrame
    offer: CoreOffer
    deciles: pd.DataFrame
    by_decile: pd.DataFrame
    targeting: pd.DataFrame
    reach: Reach
    reach_districts: pd.DataFrame
    notes: tuple[str, ...] = ()

    @property
    def out_of_reach(self) -> pd.DataFrame:
        """The study areas whose under-fives no hub or spoke reaches, most under-fives
        first: ``under5``, ``low_income_under5``, ``nearest_name``, ``cost``."""
        a = self.reach.areas
        out = a[~a["within_reach"] & (a["under5"].fillna(0) > 0)]
        return out.sort_values(["under5", "cost"], ascending=[False, True], kind="stable")


def assess_hubs(
    cfg: Config,
    sites: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    model: DistanceModel,
) -> HubAssessment:
    """The hub network of ``sites`` against the study ``areas`` (see the module)."""
    links, notes = link_services(sites, services, join_m=cfg.hubs.join_m)
    core = cfg.core_services()
    core_of, more = core_services_of(services, core)
    notes += more
    locality = areas["locality"] if "locality" in areas else areas["district_name"]
    locality = locality.fillna(areas["district_name"])
    offer = core_offer(
        sites,
        links,
        core_of,
        core,
        locality=locality,
        district=areas["district_code"],
        counted_kinds=cfg.hubs.counted_kinds,
    )
    deciles = hub_deciles(sites, need, cfg)
    by_decile, targeting = targeting_tables(sites, deciles, areas.index, cfg)
    reach = under_five_reach(areas, need, sites, model, cfg)
    names = areas.groupby("district_code")["district_name"].first()
    districts = reach_by_district(reach, areas["district_code"], names)
    return HubAssessment(
        sites=sites,
        links=links,
        offer=offer,
        deciles=deciles,
        by_decile=by_decile,
        targeting=targeting,
        reach=reach,
        reach_districts=districts,
        notes=tuple(notes),
    )
