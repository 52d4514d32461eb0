"""The distance models by name.

Models are chosen by name through :data:`DISTANCE_MODELS`, so a config name is checked
against its keys and a new model is one entry.
"""

from __future__ import annotations

__all__ = ["DISTANCE_MODELS", "describe_distance", "make_distance_model"]

import geopandas as gpd
import pandas as pd

from earlyhelp.config import AccessConfig
from earlyhelp.distance.base import DistanceModel
from earlyhelp.distance.euclidean import EuclideanModel
from earlyhelp.distance.matrix import MatrixModel
from earlyhelp.distance.network import NetworkModel
from earlyhelp.errors import ConfigError
from earlyhelp.text import did_you_mean
from earlyhelp.units import MINUTES

DISTANCE_MODELS: dict[str, type[EuclideanModel] | type[NetworkModel] | type[MatrixModel]] = {
    EuclideanModel.name: EuclideanModel,
    NetworkModel.name: NetworkModel,
    MatrixModel.name: MatrixModel,
}


def make_distance_model(
    cfg: AccessConfig,
    *,
    roads: gpd.GeoDataFrame | None = None,
    matrix: pd.DataFrame | None = None,
) -> DistanceModel:
    """Build the distance model named by ``cfg.distance_model``.

    Parameters
    ----------
    cfg
        The ``[access]`` settings.
    roads
        The road network, for the ``network`` model.
    matrix
        An origin-destination table, for the ``matrix`` model (else ``cfg.matrix_path``
        is read).
    """
    name = cfg.distance_model
    if name not in DISTANCE_MODELS:
        raise ConfigError(
            f"[access] distance_model is '{name}'{did_you_mean(name, DISTANCE_MODELS)}; "
            f"choose one of: {', '.join(DISTANCE_MODELS)}"
        )
    return DISTANCE_MODELS[name].from_config(cfg, roads=roads, matrix=matrix)


def describe_distance(cfg: AccessConfig, unit: str) -> str:
    """What a cost of this run is, in words for a reader: "estimated road distance
    (straight line x 1.2)", "walking time along the road network", and so on."""
    if cfg.distance_model == "euclidean":
        if cfg.circuity == 1:
            return "straight-line distance"
        return f"estimated road distance (straight line x {cfg.circuity:g})"
    if cfg.distance_model == "network":
        how = "walking" if cfg.travel_mode == "walk" else "driving"
        return f"{how} time along the road network"
    return f"{'travel time' if unit == MINUTES else 'distance'} from the imported matrix"
