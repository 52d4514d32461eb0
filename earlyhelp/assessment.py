"""Assessment: run the pipeline and write one run's outputs.

:func:`assess` is pure: it loads and analyses and returns an :class:`Assessment` holding
every table and the parameters that made it. :func:`write_run` publishes an assessment
into ``<output_dir>/<run name>/`` atomically.
"""

from __future__ import annotations

__all__ = [
    "STEPS",
    "Assessment",
    "analyse",
    "assess",
    "publishable_summary",
    "read_run_comparison",
    "write_run",
]

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.accessibility import AccessResult, compute_access
from earlyhelp.config import Config
from earlyhelp.disclosure import mark_unpublished, suppress, unpublished_banner
from earlyhelp.distance import DistanceModel, make_distance_model
from earlyhelp.errors import InputError
from earlyhelp.loading import Inputs, load_inputs
from earlyhelp.need import AGE_BANDS, area_need_index
from earlyhelp.outputs import (
    check_not_inputs,
    run_manifest,
    staged_dir,
    write_csv,
    write_gpkg,
    write_json,
    write_workbook,
)
from earlyhelp.sufficiency import GapCutoffs, Sufficiency, assess_sufficiency

Progress = Callable[[str], None]
STEPS = (
    "load and validate inputs",
    "measure access",
    "assess sufficiency",
    "write outputs",
)


@dataclass(frozen=True, eq=False)
class Assessment:
    """Every table of one run and the configuration that made it."""

    config: Config
    inputs: Inputs
    model: DistanceModel  # how distance was measured; scenarios reuse it (one road graph)
    access: AccessResult
    sufficiency: Sufficiency | None  # None when only access was asked for

    @property
    def areas(self) -> gpd.GeoDataFrame:
        return self.inputs.areas

    @property
    def services(self) -> gpd.GeoDataFrame:
        return self.inputs.services


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

    Scenarios call this with changed services, the ``model`` of the baseline run (a road
    graph is built once and shared) and its gap ``cutoffs`` (so priority gaps are judged
    against the same lines).
    """
    progress(STEPS[1])
    if model is None:
        model = make_distance_model(cfg.access, roads=inputs.roads)
    score = area_need_index(inputs.need.reindex(inputs.areas.index), cfg.indicators)
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
    suff = None
    if sufficiency:
        progress(STEPS[2])
        suff = assess_sufficiency(
            cfg,
            inputs.areas,
            inputs.need,
            inputs.services,
            access,
            model=model,
            cutoffs=cutoffs,
            need_score=score,
        )
    return Assessment(config=cfg, inputs=inputs, model=model, access=access, sufficiency=suff)


def read_run_comparison(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A finished run's published district summary (index ``district_code``, cells as
    published) and its analyst district comparison (:func:`sufficiency.district_comparison`)."""
    tables = Path(run_dir) / "tables"
    summary_csv, long_csv = tables / "district_summary.csv", tables / "district_comparison.csv"
    for path in (summary_csv, long_csv):
        if not path.exists():
            raise InputError(
                f"{path}: not found; give --run the folder of a finished 'earlyhelp run'"
            )
    summary = pd.read_csv(summary_csv, dtype=str, keep_default_na=False)
    long = pd.read_csv(long_csv, skiprows=1, keep_default_na=False, na_values=[""])
    long["category"] = long["category"].fillna("")
    return summary.set_index("district_code"), long


def input_paths(cfg: Config) -> list[Path]:
    """Every input file the configuration names (for the overwrite guard)."""
    specs = (cfg.areas, cfg.need, cfg.services, cfg.centres, cfg.postcodes, cfg.roads)
    paths = [s.path for s in specs if s.path is not None]
    if cfg.source is not None:
        paths.append(cfg.source)
    return paths


def write_run(
    assessment: Assessment,
    out_dir: Path | None = None,
    *,
    draw: bool = True,
    progress: Progress = _noop,
) -> Path:
    """Write the run folder atomically; returns its path.

    ``results.gpkg`` (layers areas, services, districts: analyst data), ``tables/*.csv``
    (published tables suppressed; analyst tables open with a NOT FOR PUBLICATION line),
    ``commissioners.xlsx``, ``validation.csv`` and ``manifest.json``; with ``draw`` (and
    sufficiency assessed) also the board map ``index.html`` and ``report.html``.
    """
    cfg = assessment.config
    out_dir = Path(out_dir or cfg.run_dir)
    check_not_inputs([out_dir], input_paths(cfg))
    progress(STEPS[-1])
    tables = _tables(assessment)
    layers = _layers(assessment)
    with staged_dir(out_dir) as stage:
        write_gpkg(layers, stage / "results.gpkg")
        for name, frame in tables.items():
            write_csv(
                frame,
                stage / "tables" / f"{name}.csv",
                index=frame.index.name is not None,
                banner=unpublished_banner(frame),
            )
        sheets = {k: tables[k] for k in _WORKBOOK if k in tables}  # the workbook's order
        if "gaps" in sheets:  # the areas with a gap; every row is in tables/gaps.csv
            gaps = sheets["gaps"]
            sheets["gaps"] = mark_unpublished(gaps[gaps["priority"] != "no gap"])
        if sheets:
            write_workbook(sheets, stage / "commissioners.xlsx")
        if draw and assessment.sufficiency is not None:
            # drawn only when there is something to publish (folium and jinja2 load late)
            from earlyhelp.maps.run import write_run_maps
            from earlyhelp.report import write_report

            areas = layers["areas"].set_index("area_code")
            services = layers["services"].set_index("service_id")
            maps = write_run_maps(
                areas, services, cfg, stage, cost_unit=assessment.access.params["unit"]
            )
            links = {code: path.name for code, path in maps.items()}
            write_report(assessment, stage / "report.html", map_links=links)
        write_csv(assessment.inputs.report.to_frame(), stage / "validation.csv")
        files = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if p.is_file())
        write_json(_manifest(assessment, files), stage / "manifest.json")
    return out_dir


def _layers(assessment: Assessment) -> dict[str, pd.DataFrame]:
    """The GeoPackage layers: every area with every measure, services, districts."""
    inputs, suff = assessment.inputs, assessment.sufficiency
    access = assessment.access
    areas = (
        inputs.areas.join(inputs.need, how="left")
        .join(access.wide)
        .join(access.nearest_service.add_prefix("nearest_id__"))
    )
    districts = inputs.areas.dissolve(by="district_code", aggfunc={"district_name": "first"})
    if suff is not None:
        priority = suff.gaps.pivot(index="area_code", columns="category", values="priority")
        areas = areas.join(suff.need_index).join(priority.add_prefix("priority__"))
        areas = areas.join(suff.range)
        districts = districts.join(suff.summary.drop(columns="district_name"))
    return {
        "areas": areas.reset_index(),
        "services": inputs.services.reset_index(),
        "districts": districts.reset_index(),
    }


# The commissioners' workbook: the tables a commissioner reads (the long access table
# and the need index stay in CSV and the GeoPackage).
_WORKBOOK = (
    "district_summary",
    "district_comparison",
    "resourcing",
    "range_of_help",
    "gaps",
    "funnel",
)


def publishable_summary(assessment: Assessment) -> pd.DataFrame:
    """The district summary as it may be published: small counts suppressed, and the
    rates, intervals and comparisons built on them with them."""
    d = assessment.config.disclosure
    shown = suppress(
        assessment.sufficiency.summary,
        count_columns=["children", "children_full_core_range", "priority_gap_children"],
        rate_columns={
            "pct_full_core_range": ["children_full_core_range", "children"],
            "pct_lower": ["children_full_core_range", "children"],
            "pct_upper": ["children_full_core_range", "children"],
            "pct_adequate_places": ["children"],
            "adequate_lower": ["children"],
            "adequate_upper": ["children"],
            "capacity_per_1000": ["children"],
            "spend_per_child": ["children"],
        },
        min_count=d.min_count,
        max_count=d.max_count,
        symbol=d.symbol,
        total_row="County",
    )
    for rate, verdict in (
        ("pct_full_core_range", "vs_county"),
        ("pct_adequate_places", "adequate_vs_county"),
    ):
        hidden = shown[rate] == d.symbol
        shown[verdict] = shown[verdict].astype(object).where(~hidden, d.symbol)
    return shown


def _tables(assessment: Assessment) -> dict[str, pd.DataFrame]:
    """Every CSV table of the run. Only suppressed tables are publishable."""
    suff = assessment.sufficiency
    access = {
        "access": mark_unpublished(assessment.access.tidy),
        "remote_services": mark_unpublished(assessment.access.remote_services),
    }
    if suff is None:
        return access
    summary = publishable_summary(assessment)
    analyst = {
        "gaps": suff.gaps,
        "range_of_help": suff.range.reset_index(),
        "district_comparison": suff.districts,
        "funnel": suff.funnel,
        "resourcing": suff.resourcing.reset_index(),
        "need_index": suff.need_index.reset_index(),
    }
    out = {"district_summary": summary, **access}
    out.update({name: mark_unpublished(frame) for name, frame in analyst.items()})
    return out


# What each output is, for the manifest; anything else is analyst data.
_PUBLICATION = {
    "tables/district_summary.csv": "published: small numbers suppressed",
    "index.html": "published: the board map, small numbers suppressed",
    "report.html": "published: the board report, small numbers suppressed",
    "validation.csv": "every problem found in the inputs",
}


def _manifest(assessment: Assessment, files: list[str]) -> dict:
    inputs = assessment.inputs
    return run_manifest(
        assessment.config,
        command="run",
        inputs=[vars(r) for r in inputs.records],
        outputs={
            path: _PUBLICATION.get(path, "analyst data, not for publication") for path in files
        },
        validation={
            "errors": len(inputs.report.errors),
            "warnings": len(inputs.report.warnings),
        },
        access={
            "notes": list(assessment.access.notes),
            "eligibility": assessment.access.eligibility.reset_index().to_dict("records"),
            **assessment.access.params,
        },
        counts={
            "areas": len(inputs.areas),
            "districts": int(inputs.areas["district_code"].nunique()),
            "services": len(inputs.services),
            "children_0_19": float(np.nansum(inputs.need[list(AGE_BANDS)].to_numpy())),
        },
    )
