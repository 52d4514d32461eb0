"""The reach of social work expertise and training for one run: :func:`assess_expertise`."""

from __future__ import annotations

__all__ = ["Expertise", "assess_expertise"]

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.distance import make_distance_model
from earlyhelp.errors import ConfigError
from earlyhelp.expertise.reach import (
    REMOTE_DELIVERY,
    area_distance,
    locate,
    nearest_consultation,
    reach_by_district,
)
from earlyhelp.expertise.sites import read_sites
from earlyhelp.expertise.training import read_training, training_by_district
from earlyhelp.loading import InputRecord, Inputs
from earlyhelp.validation import ValidationReport


@dataclass(frozen=True)
class Expertise:
    """What ``earlyhelp expertise`` found.

    ``settings``: every frontline setting in the run's areas with its district, nearest
    in-person consultation point, ``cost`` (in ``unit``) and ``far``; ``points``: the
    consultation points; ``by_district``: :func:`~.reach.reach_by_district`;
    ``training``: :func:`~.training.training_by_district` (None without a training file);
    ``area_cost``: each small area's cost to in-person consultation (for the map).
    """

    settings: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    by_district: pd.DataFrame
    training: pd.DataFrame | None
    area_cost: pd.Series
    unit: str
    far: float
    records: tuple[InputRecord, ...]
    report: ValidationReport

    @property
    def remote(self) -> gpd.GeoDataFrame:
        """Consultation by phone or online: available to every setting."""
        return self.points[self.points["delivery"].isin(REMOTE_DELIVERY)]


def assess_expertise(cfg: Config, inputs: Inputs) -> Expertise:
    """Read ``[expertise]``'s settings, consultation points and training, and measure."""
    spec = cfg.expertise
    if cfg.access.distance_model == "matrix":
        raise ConfigError(
            "[expertise] measures from each setting, but distance_model = 'matrix' only "
            "knows the costs from small areas to services; use 'euclidean' or 'network' "
            "for this command"
        )
    report = ValidationReport()
    settings, s_rec = read_sites(spec.settings, role="settings", crs=cfg.run.crs, report=report)
    points, p_rec = read_sites(
        spec.consultation, role="consultation", crs=cfg.run.crs, report=report
    )
    records = [s_rec, p_rec]
    model = make_distance_model(cfg.access, roads=inputs.roads)
    far = spec.far(model.unit)
    where = locate(settings, inputs.areas)
    outside = where["district_code"] == ""
    if outside.any():
        report.warn(
            s_rec.path,
            "",
            f"{int(outside.sum())} setting(s) lie outside every area of the run; left out",
            "check their coordinates, or that the areas cover the whole county",
        )
    settings = settings[~outside.to_numpy()]
    settings = settings.join(where[~outside]).join(
        nearest_consultation(settings, points, model, far=far)
    )
    training = None
    if spec.training.path is not None:
        names = inputs.areas.groupby("district_code")["district_name"].first()
        courses, t_rec = read_training(spec.training, districts=names, report=report)
        records.append(t_rec)
        training = training_by_district(courses, pd.DataFrame(settings), names)
    return Expertise(
        settings=settings,
        points=points,
        by_district=reach_by_district(pd.DataFrame(settings)),
        training=training,
        area_cost=area_distance(inputs.areas, points, model),
        unit=model.unit,
        far=far,
        records=tuple(records),
        report=report,
    )
