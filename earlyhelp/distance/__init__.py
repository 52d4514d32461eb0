"""Distance models by name: straight line, road network, imported travel-time matrix.

- :mod:`earlyhelp.distance.base`: what every model provides (:class:`DistanceModel`,
  :class:`Nearest`), zero costs in a sparse matrix (:data:`ZERO_COST`, :func:`true_costs`).
- :mod:`earlyhelp.distance.euclidean`: straight line times circuity (:class:`EuclideanModel`).
- :mod:`earlyhelp.distance.network`: travel time over roads (:class:`NetworkModel`).
- :mod:`earlyhelp.distance.matrix`: an imported origin-destination table (:class:`MatrixModel`).
- :mod:`earlyhelp.distance.registry`: the models by name (:data:`DISTANCE_MODELS`,
  :func:`make_distance_model`) and what a cost is, in words (:func:`describe_cost`).

Imports run one way: registry -> euclidean, network, matrix -> base.
"""

from __future__ import annotations

from earlyhelp.distance.base import (
    ZERO_COST,
    DistanceModel,
    Nearest,
    PairBlock,
    csr_by_rows,
    join_blocks,
    sparse_costs,
    true_costs,
)
from earlyhelp.distance.euclidean import EuclideanModel
from earlyhelp.distance.matrix import MatrixModel, read_cost_matrix
from earlyhelp.distance.network import (
    NO_DRIVE_CLASSES,
    NO_WALK_CLASSES,
    ROAD_CLASS_KPH,
    NetworkModel,
)
from earlyhelp.distance.registry import DISTANCE_MODELS, describe_cost, make_distance_model

__all__ = [
    "DISTANCE_MODELS", "NO_DRIVE_CLASSES", "NO_WALK_CLASSES", "ROAD_CLASS_KPH", "ZERO_COST",
    "DistanceModel", "EuclideanModel", "MatrixModel", "Nearest", "NetworkModel", "PairBlock",
    "csr_by_rows", "describe_cost", "join_blocks", "make_distance_model", "read_cost_matrix",
    "sparse_costs", "true_costs",
]  # fmt: skip
