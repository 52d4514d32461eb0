"""Distance models by name: straight line, road network, imported travel-time matrix.

The models live in :mod:`earlyhelp.distance.network` for now; this face re-exports them.
"""

from __future__ import annotations

from earlyhelp.distance.network import (
    DISTANCE_MODELS,
    NO_DRIVE_CLASSES,
    NO_WALK_CLASSES,
    ROAD_CLASS_KPH,
    ZERO_COST,
    DistanceModel,
    EuclideanModel,
    MatrixModel,
    Nearest,
    NetworkModel,
    make_distance_model,
    read_cost_matrix,
    sparse_costs,
    true_costs,
)

__all__ = [
    "DISTANCE_MODELS",
    "NO_DRIVE_CLASSES",
    "NO_WALK_CLASSES",
    "ROAD_CLASS_KPH",
    "ZERO_COST",
    "DistanceModel",
    "EuclideanModel",
    "MatrixModel",
    "Nearest",
    "NetworkModel",
    "make_distance_model",
    "read_cost_matrix",
    "sparse_costs",
    "true_costs",
]
