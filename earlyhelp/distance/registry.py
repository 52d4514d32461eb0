"""The distance models by name.

Models are chosen by name through :data:`DISTANCE_MODELS`, so a config name is checked
against its keys and a new model is one entry. :func:`describe_cost` says what a cost
is, in the words every map, table and report uses.
"""

from __future__ import annotations

__all__ = ["DISTANCE_MODELS", "describe_cost", "make_distance_model"]

import geopandas as gpd
import pandas as pd

from earlyhelp.config import AccessConfig
from earlyhelp.distance.base import DistanceModel
from earlyhelp.distance.euclidean import EuclideanModel
from earlyhelp.distance.matrix import MatrixModel
from earlyhelp.distance.network import NetworkModel
from earlyhelp.errors import ConfigError
from earlyhelp.text import did_you_mean

DISTANCE_MODELS: dict[str, type[EuclideanModel] | type[NetworkModel] | type[MatrixModel]] = {
    EuclideanModel.name: EuclideanModel,
    NetworkModel.name: NetworkModel,
    MatrixModel.name: MatrixModel,
}


def _model_class(
    cfg: AccessConfig,
) -> type[EuclideanModel] | type[NetworkModel] | type[MatrixModel]:
    name = cfg.distance_model
    if name not in DISTANCE_MODELS:
        raise ConfigError(
            f"[access] distance_model is '{name}'{did_you_mean(name, DISTANCE_MODELS)}; "
            f"choose one of: {', '.join(DISTANCE_MODELS)}"
        )
    return DISTANCE_MODELS[name]


def describe_cost(cfg: AccessConfig, unit: str, *, short: bool = False) -> str:
    """What a cost is, in words for a reader, from the ``[access]`` settings and the
    model's unit (``"m"`` or ``"min"``; the matrix model's unit comes from its file).

    The one place that says what a distance is; every map, listing and report that shows
    a cost or states the method uses it.

    >>> describe_cost(AccessConfig(circuity=1.2), "m")
    'estimated road distance (straight line x 1.2)'
    >>> describe_cost(AccessConfig(circuity=1.2), "m", short=True)
    'estimated road distance'
    >>> describe_cost(AccessConfig(circuity=1.0), "m")
    'straight-line distance'
    >>> describe_cost(AccessConfig(distance_model="network", travel_mode="drive"), "min")
    'driving time along the road network'
    >>> describe_cost(AccessConfig(distance_model="matrix"), "min")
    'travel time from the imported matrix'
    """
    return _model_class(cfg).describe(cfg, unit, short=short)


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
    return _model_class(cfg).from_config(cfg, roads=roads, matrix=matrix)
