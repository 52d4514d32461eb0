"""Assessment: run the analysis pipeline of one run.

:func:`assess` loads and analyses and returns an :class:`Assessment` holding every table
and the parameters that made it; :func:`analyse` does the same for inputs already loaded
(scenarios rerun it with changed services). Writing is for :mod:`earlyhelp.publish`.
"""

from __future__ import annotations

__all__ = ["STEPS", "Assessment", "analyse", "assess"]

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from earlyhelp.accessibility import AccessResult, compute_access
from earlyhelp.config import Config
from earlyhelp.distance import DistanceModel, make_distance_model
from earlyhelp.earlyyears import EarlyYears, early_years_places
from earlyhelp.errors import EarlyHelpError
from earlyhelp.geography import study_area
from earlyhelp.hubs import HubAssessment, assess_hubs
from earlyhelp.loading import Inputs, load_inputs
from earlyhelp.need import area_need_index
from earlyhelp.sufficiency import GapCutoffs, Sufficiency, assess_sufficiency

Progress = Callable[[str], None]
STEPS = ("load and validate inputs", "measure access", "assess sufficiency")


@dataclass(frozen=True, eq=False)
class Assessment:
    """Every table of one run and the configuration that made it."""

    config: Config
    inputs: Inputs  # every area and service read (the study area's neighbours too)
    areas: gpd.GeoDataFrame  # the study area: the districts analysed ([run] districts)
    model: DistanceModel  # how distance was measured; scenarios reuse it (one road graph)
    access: AccessResult  # of the study area's areas
    sufficiency: Sufficiency | None  # None when only access was asked for
    hubs: HubAssessment | None = None  # the family hub network ([hubs]), when there is one
    early_years: EarlyYears | None = None  # early years places ([childcare]), when read

    @property
    def services(self) -> gpd.GeoDataFrame:
        return self.inputs.services

    def require_sufficiency(self) -> Sufficiency:
        """The sufficiency tables; an error for a run that measured access only."""
        if self.sufficiency is None:
            raise EarlyHelpError(
                "this run measured access only; it needs the sufficiency analysis (make it "
                "with 'earlyhelp run', or call assess(cfg) with sufficiency=True)"
            )
        return self.sufficiency


def _noop(_: str) -> None:
    return None


def assess(cfg: Config, *, sufficiency: bool = True, progress: Progress = _noop) -> Assessment:
    """Load, validate and analyse the inputs named in ``cfg``.

    With ``sufficiency=False`` it stops after measuring access.
    """
    progress(STEPS[0])
    inputs = load_inputs(cfg)
    return analyse(cfg, inputs, sufficiency=sufficiency, progress=progress)


def analyse(
    cfg: Config,
    inputs: Inputs,
    *,
    model: DistanceModel | None = None,
    cutoffs: GapCutoffs | None = None,
    sufficiency: bool = True,
    progress: Progress = _noop,
) -> Assessment:
    """Analyse inputs already loaded: access, then sufficiency.

    Access is measured for every area read, so that children outside the study area
    (``[run] districts``) compete for the places near its edge; sufficiency, totals and
    the need index cover the study area only. Scenarios call this with changed services,
    the ``model`` of the baseline run (a road graph is built once and shared) and its gap
    ``cutoffs`` (so priority gaps are judged against the same lines).
    """
    progress(STEPS[1])
    if model is None:
        model = make_distance_model(cfg.access, roads=inputs.roads)
    study = study_area(inputs.areas, cfg.run.districts)
    score = area_need_index(inputs.need.reindex(study.index), cfg.indicators)
    # the median area weighs 1; an area at need index 100 weighs 2
    weight = score / 50.0 if cfg.access.weight_demand_by_need else None
    access = compute_access(
        inputs.areas,
        inputs.need,
        inputs.services,
        cfg.categories,
        cfg.access,
        model=model,
        need_weight=weight,
    )
    access = _restricted(access, study.index)
    suff = None
    if sufficiency:
        progress(STEPS[2])
        suff = assess_sufficiency(
            cfg,
            study,
            inputs.need,
            inputs.services,
            access,
            model=model,
            cutoffs=cutoffs,
            need_score=score,
        )
    hubs = early = None
    if sufficiency and inputs.hubs is not None:
        hubs = assess_hubs(cfg, inputs.hubs, inputs.services, study, inputs.need, model)
    if sufficiency and inputs.childcare is not None:
        early = early_years_places(inputs.childcare, study, inputs.need, cfg)
    return Assessment(
        config=cfg,
        inputs=inputs,
        areas=study,
        model=model,
        access=access,
        sufficiency=suff,
        hubs=hubs,
        early_years=early,
    )


def _restricted(access: AccessResult, index: pd.Index) -> AccessResult:
    """The access result of the areas in ``index`` only."""
    if len(index) == len(access.wide.index) and index.equals(access.wide.index):
        return access
    return dataclasses.replace(
        access,
        tidy=access.tidy[access.tidy["area_code"].isin(index)].reset_index(drop=True),
        wide=access.wide.reindex(index),
        nearest_service=access.nearest_service.reindex(index),
    )
