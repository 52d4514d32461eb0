"""Costs imported from an origin-destination table (as r5py or TravelTime produce)."""

from __future__ import annotations

__all__ = ["MatrixModel", "read_cost_matrix"]

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from earlyhelp.config import AccessConfig
from earlyhelp.distance.base import Nearest, no_nearest, sparse_costs
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.units import MINUTES

_MATRIX_UNITS = {"minutes": "min", "metres": "m", "meters": "m"}


@dataclass(frozen=True, eq=False)
class MatrixModel:
    """Costs read from an origin-destination table (as r5py or TravelTime produce).

    The table has one row per reachable pair: ``area_code``, ``service_id`` and one of
    ``minutes`` or ``metres``. A pair that is not in the table cannot be reached.
    Origins and destinations are matched on their index (area code, service id).
    """

    name: ClassVar[str] = "matrix"
    shared_catchment: ClassVar[bool] = True
    origin_code: np.ndarray  # position in origin_labels of each row
    dest_code: np.ndarray
    cost: np.ndarray
    origin_labels: pd.Index
    dest_labels: pd.Index
    matrix_unit: str = "min"

    @property
    def unit(self) -> str:
        return self.matrix_unit

    @classmethod
    def from_config(
        cls,
        cfg: AccessConfig,
        *,
        roads: gpd.GeoDataFrame | None = None,
        matrix: pd.DataFrame | None = None,
    ) -> MatrixModel:
        """Use ``matrix`` if given, else read ``[access] matrix_path``."""
        if matrix is not None:
            return cls.from_table(matrix)
        if cfg.matrix_path is None:
            raise ConfigError("distance_model = 'matrix' needs matrix_path = \"...\" in [access]")
        return cls.from_table(read_cost_matrix(cfg.matrix_path), source=str(cfg.matrix_path))

    @classmethod
    def describe(cls, cfg: AccessConfig, unit: str, *, short: bool = False) -> str:
        """What a cost is: ``"travel time from the imported matrix"`` when the table gives
        minutes (``unit`` ``"min"``), ``"distance from the imported matrix"`` for metres."""
        what = "travel time" if unit == MINUTES else "distance"
        return f"{what} from the imported matrix"

    @classmethod
    def from_table(cls, table: pd.DataFrame, *, source: str = "matrix") -> MatrixModel:
        """Check and index an origin-destination table; duplicate pairs keep the lowest cost."""
        missing = [c for c in ("area_code", "service_id") if c not in table.columns]
        if missing:
            raise InputError(
                f"{source}: the cost matrix needs columns area_code, service_id and minutes "
                f"(or metres); missing: {', '.join(missing)}"
            )
        unit_cols = [c for c in _MATRIX_UNITS if c in table.columns]
        if len(unit_cols) != 1:
            raise InputError(
                f"{source}: the cost matrix needs exactly one cost column, minutes or metres "
                f"(found: {', '.join(unit_cols) or 'none'})"
            )
        col = unit_cols[0]
        cost = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(cost) & table[col].notna().to_numpy())
        if len(bad):
            raise InputError(
                f"{source}: row {bad[0] + 2}, field {col}: '{table[col].iloc[bad[0]]}' is not a "
                "number; fix or delete the row"
            )
        if (cost < 0).any():
            row = int(np.flatnonzero(cost < 0)[0])
            raise InputError(
                f"{source}: row {row + 2}, field {col}: costs cannot be negative; fix the row"
            )
        ok = np.isfinite(cost)  # an empty cost means the pair cannot be reached
        o_code, o_labels = pd.factorize(table["area_code"].astype("string").to_numpy()[ok])
        d_code, d_labels = pd.factorize(table["service_id"].astype("string").to_numpy()[ok])
        cost = cost[ok]
        # Keep the cheapest of duplicate pairs.
        order = np.lexsort((cost, d_code, o_code))
        o_code, d_code, cost = o_code[order], d_code[order], cost[order]
        first = np.ones(len(cost), dtype=bool)
        first[1:] = (o_code[1:] != o_code[:-1]) | (d_code[1:] != d_code[:-1])
        return cls(
            origin_code=o_code[first],
            dest_code=d_code[first],
            cost=cost[first],
            origin_labels=pd.Index(o_labels),
            dest_labels=pd.Index(d_labels),
            matrix_unit=_MATRIX_UNITS[col],
        )

    def _positions(
        self, origins: pd.Series, destinations: pd.Series
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Origin position, destination position and cost of the table rows asked about."""
        o_index = _unique_labels(origins, "origins")
        d_index = _unique_labels(destinations, "destinations")
        o_pos = o_index.get_indexer(self.origin_labels)[self.origin_code]
        d_pos = d_index.get_indexer(self.dest_labels)[self.dest_code]
        keep = (o_pos >= 0) & (d_pos >= 0)
        return o_pos[keep], d_pos[keep], self.cost[keep]

    def costs(
        self, origins: pd.Series, destinations: pd.Series, *, max_cost: float
    ) -> sparse.csr_matrix:
        """Costs of the table's pairs within ``max_cost``, matched on the two indexes."""
        i, j, c = self._positions(origins, destinations)
        keep = c <= max_cost
        return sparse_costs(i[keep], j[keep], c[keep], (len(origins), len(destinations)))

    def nearest(self, origins: pd.Series, destinations: pd.Series) -> Nearest:
        """Cheapest destination in the table for each origin."""
        i, j, c = self._positions(origins, destinations)
        out = no_nearest(len(origins))
        if not len(c):
            return out
        order = np.lexsort((j, c, i))
        i, j, c = i[order], j[order], c[order]
        first = np.ones(len(i), dtype=bool)
        first[1:] = i[1:] != i[:-1]
        out.cost[i[first]] = c[first]
        out.position[i[first]] = j[first]
        return out


def read_cost_matrix(path: str | Path) -> pd.DataFrame:
    """Read an origin-destination table from CSV or Parquet.

    Codes are read as text so that ``E01000001`` and ``00123`` keep their form.
    """
    path = Path(path)
    text_cols = {"area_code": "string", "service_id": "string"}
    try:
        if path.suffix.lower() == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path, dtype=text_cols, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: cost matrix not found; check matrix_path in [access]") from None
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read the cost matrix ({exc}); save it as UTF-8 CSV with columns "
            "area_code, service_id, minutes"
        ) from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def _unique_labels(items: pd.Series, what: str) -> pd.Index:
    index = pd.Index(items.index.astype("string"))
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise InputError(f"{what}: code '{dup}' appears more than once; codes must be unique")
    return index
