"""Assessment: run the pipeline and write one run's outputs.

:func:`assess` is pure: it loads and analyses and returns an :class:`Assessment` holding
every table and the parameters that made it. :func:`write_run` publishes an assessment
into ``<output_dir>/<run name>/`` atomically.
"""

from __future__ import annotations

__all__ = ["STEPS", "Assessment", "assess", "write_run"]

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.loading import Inputs, load_inputs
from earlyhelp.outputs import (
    check_not_inputs,
    library_versions,
    staged_dir,
    write_csv,
    write_gpkg,
    write_json,
)

Progress = Callable[[str], None]
STEPS = ("load and validate inputs", "write outputs")


@dataclass(frozen=True)
class Assessment:
    """Every table of one run and the configuration that made it."""

    config: Config
    inputs: Inputs

    @property
    def areas(self) -> gpd.GeoDataFrame:
        return self.inputs.areas

    @property
    def services(self) -> gpd.GeoDataFrame:
        return self.inputs.services


def _noop(_: str) -> None:
    return None


def assess(cfg: Config, *, progress: Progress = _noop) -> Assessment:
    """Load, validate and analyse the inputs named in ``cfg``."""
    progress(STEPS[0])
    inputs = load_inputs(cfg)
    return Assessment(config=cfg, inputs=inputs)


def input_paths(cfg: Config) -> list[Path]:
    """Every input file the configuration names (for the overwrite guard)."""
    specs = (cfg.areas, cfg.need, cfg.services, cfg.centres, cfg.postcodes, cfg.roads)
    paths = [s.path for s in specs if s.path is not None]
    if cfg.source is not None:
        paths.append(cfg.source)
    return paths


def write_run(
    assessment: Assessment, out_dir: Path | None = None, *, progress: Progress = _noop
) -> Path:
    """Write the run folder: results.gpkg, validation.csv and manifest.json."""
    cfg = assessment.config
    out_dir = Path(out_dir or cfg.run_dir)
    check_not_inputs([out_dir], input_paths(cfg))
    progress(STEPS[-1])
    inputs = assessment.inputs
    with staged_dir(out_dir) as stage:
        areas = inputs.areas.join(inputs.need, how="left")
        write_gpkg(
            {"areas": areas.reset_index(), "services": inputs.services.reset_index()},
            stage / "results.gpkg",
        )
        write_csv(inputs.report.to_frame(), stage / "validation.csv")
        write_json(_manifest(assessment), stage / "manifest.json")
    return out_dir


def _manifest(assessment: Assessment) -> dict:
    cfg = assessment.config
    inputs = assessment.inputs
    return {
        "run": cfg.run.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config_file": str(cfg.source.resolve()) if cfg.source else None,
        "inputs": [vars(r) for r in inputs.records],
        "validation": {
            "errors": len(inputs.report.errors),
            "warnings": len(inputs.report.warnings),
        },
        "outputs": {
            "results.gpkg": ["areas", "services"],
            "validation.csv": "every problem found in the inputs",
        },
        "parameters": cfg.to_dict(),
        "libraries": library_versions(),
        "counts": {
            "areas": len(inputs.areas),
            "districts": int(inputs.areas["district_code"].nunique()),
            "services": len(inputs.services),
            "children_0_19": float(pd.to_numeric(_children(inputs.need)).sum()),
        },
    }


def _children(need: pd.DataFrame) -> pd.Series:
    from earlyhelp.need import AGE_BANDS

    return need[list(AGE_BANDS)].sum(axis=1)
