"""The whole county from one seed: every table, in the order the random draws are made,
with the planted stories checked and the README rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.demo.areas import draw_areas
from earlyhelp.demo.centres import place_centres
from earlyhelp.demo.land import draw_land, place_names
from earlyhelp.demo.people import choose_thin_district, draw_estates, draw_need, find_stretch_core
from earlyhelp.demo.postcodes import draw_postcodes
from earlyhelp.demo.readme import render_readme
from earlyhelp.demo.roads import draw_roads
from earlyhelp.demo.services import place_services
from earlyhelp.demo.sites import place_sites
from earlyhelp.demo.stories import check_stories, planted_story


@dataclass(frozen=True)
class County:
    """Every table of the county as written, the planted stories and the README."""

    areas: gpd.GeoDataFrame
    need: pd.DataFrame
    services: pd.DataFrame
    centres: pd.DataFrame
    postcodes: pd.DataFrame
    roads: gpd.GeoDataFrame
    sites: pd.DataFrame
    places: pd.DataFrame  # the gazetteer: towns and villages (no random draw)
    planted: dict[str, Any]
    readme: str = field(repr=False)


def build_county(seed: int) -> County:
    """Every table of the county from one seed, with the planted stories checked.

    The order of the steps is the order of the random draws: changing it changes every
    file that follows.
    """
    rng = np.random.default_rng(seed)
    land = draw_land(rng)
    areas = draw_areas(rng, land)
    stretch_core = find_stretch_core(areas, land)
    estate, other_estates = draw_estates(rng, areas, land)
    need = draw_need(rng, areas, land, estate, other_estates)
    thin = choose_thin_district(areas, need, land, estate, stretch_core)
    postcodes = draw_postcodes(rng, areas, land)
    centres, critical_id = place_centres(rng, areas, land, need, postcodes, stretch_core, thin)
    services = place_services(rng, areas, land, need, postcodes, thin, estate, stretch_core)
    sites = place_sites(rng, areas, land, need, postcodes, estate, stretch_core)
    roads = draw_roads(areas, land)

    story = planted_story(
        areas, land, centres, services, postcodes, thin=thin, estate=estate, critical_id=critical_id
    )
    facts = check_stories(areas, need, services, centres, postcodes, story, land)
    readme = render_readme(
        seed, areas, need, services, centres, postcodes, roads, sites, story, facts
    )
    return County(
        areas=areas.gdf,
        need=need,
        services=services,
        centres=centres,
        postcodes=postcodes,
        roads=roads,
        sites=sites,
        places=place_names(land, areas.gdf),
        planted=story,
        readme=readme,
    )
