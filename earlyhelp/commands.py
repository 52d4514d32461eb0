"""What each command does, as library functions: compute, build the product, write it.

The command line (:mod:`earlyhelp.cli`) parses arguments, loads the configuration, calls
one function here and prints what it returns. Each function that writes returns the
folder it wrote with the result it wrote there, so a caller (or a test) can read both.

Example
-------
>>> from earlyhelp.config import load_config                   # doctest: +SKIP
>>> folder, assessment = run(load_config("config.toml"))       # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "RUN_STEPS",
    "benchmark",
    "casework",
    "comparison",
    "expertise",
    "redraw_maps",
    "report",
    "run",
    "scenario",
    "site",
    "validate",
]

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from earlyhelp.assessment import STEPS, Assessment, assess
from earlyhelp.benchmark import Benchmark
from earlyhelp.casework import Casework
from earlyhelp.config import Config
from earlyhelp.errors import InputError, ValidationFailed
from earlyhelp.expertise import Expertise
from earlyhelp.loading import load_inputs
from earlyhelp.outputs import check_not_inputs, write_csv
from earlyhelp.publish.folder import redraw_pages, write_product
from earlyhelp.publish.run import board_map_page, read_run_comparison, report_page, run_product
from earlyhelp.publish.tables import publishable_summary
from earlyhelp.scenario import (
    ScenarioResult,
    combine,
    read_scenario,
    run_scenario,
    scenario_from_flags,
)
from earlyhelp.siting import SitingResult, candidate_sites, site_services
from earlyhelp.validation import ValidationReport

Progress = Callable[[str], None]
RUN_STEPS = (*STEPS, "write outputs")


def _noop(_: str) -> None:
    return None


def run(
    cfg: Config,
    out: Path | None = None,
    *,
    sufficiency: bool = True,
    draw: bool = True,
    command: str = "run",
    progress: Progress = _noop,
) -> tuple[Path, Assessment]:
    """Assess and write a run folder (default ``<output_dir>/<run name>``).

    ``run`` writes everything; ``access`` (``sufficiency=False``) only the access tables;
    ``gaps`` (``draw=False``) the tables and workbook without maps or report.
    """
    assessment = assess(cfg, sufficiency=sufficiency, progress=progress)
    progress(RUN_STEPS[-1])
    product = run_product(assessment, draw=draw, command=command)
    return write_product(product, Path(out or cfg.run_dir)), assessment


def site(
    cfg: Config,
    *,
    category: str,
    k: int | None = None,
    candidates: Path | None = None,
    grid_spacing_m: float | None = None,
    method: str | None = None,
    capacity: float | None = None,
    out: Path | None = None,
) -> tuple[Path, SitingResult]:
    """Choose new sites for one category and write ``<run name>-site-<category>``."""
    from earlyhelp.publish.siting import siting_product

    inputs = load_inputs(cfg)
    sites, source = candidate_sites(
        cfg, inputs.areas, path=candidates, grid_spacing_m=grid_spacing_m
    )
    result = site_services(
        cfg, inputs, category=category, candidates=sites, k=k, method=method, capacity=capacity
    )
    product = siting_product(result, cfg=cfg, inputs=inputs, candidates_source=source)
    target = out or cfg.run.output_dir / f"{cfg.run.name}-site-{category}"
    return write_product(product, target), result


def scenario(
    cfg: Config,
    *,
    file: Path | None = None,
    close: Sequence[str] = (),
    move: Sequence[str] = (),
    capacity: Sequence[str] = (),
    out: Path | None = None,
) -> tuple[Path, ScenarioResult]:
    """Apply the changes of a scenario file and flags, rerun, compare and write
    ``<run name>-scenario``."""
    from earlyhelp.publish.scenario import scenario_product

    flags = scenario_from_flags(close=close, move=move, capacity=capacity)
    if file is None and not flags.changes:
        raise InputError(
            "no changes given: pass a scenario --file, or --close, --move or --capacity"
        )
    wanted = combine(read_scenario(file), flags) if file is not None else flags
    inputs = load_inputs(cfg)
    result = run_scenario(cfg, inputs, wanted)
    product = scenario_product(result, cfg=cfg, inputs=inputs)
    target = out or cfg.run.output_dir / f"{cfg.run.name}-scenario"
    return write_product(product, target), result


def comparison(cfg: Config, run_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published district summary and the analyst district comparison: read from a
    finished run's tables (``run_dir``), else analysed again."""
    if run_dir is not None:
        return read_run_comparison(run_dir)
    assessment = assess(cfg)
    return publishable_summary(assessment), assessment.require_sufficiency().districts


def validate(cfg: Config, report_csv: Path | None = None) -> tuple[ValidationReport, Path]:
    """Check every input; write every problem to a CSV (default
    ``<output_dir>/<run name>-validation.csv``). Returns the report and the CSV."""
    target = report_csv or cfg.run.output_dir / f"{cfg.run.name}-validation.csv"
    check_not_inputs([target], cfg.input_paths())
    try:
        report = load_inputs(cfg).report
    except ValidationFailed as exc:
        report = exc.report
    write_csv(report.to_frame(), target)
    return report, target


def redraw_maps(cfg: Config, run_dir: Path | None = None) -> list[Path]:
    """Redraw the board map (and district maps) of a finished run from its results.gpkg,
    with this configuration's ``[map]`` settings. Returns the maps drawn."""
    from earlyhelp.publish.maps import read_run_cost_unit, read_run_layers

    folder = Path(run_dir or cfg.run_dir)
    areas, services = read_run_layers(folder)
    page = board_map_page(areas, services, cfg, cost_unit=read_run_cost_unit(folder))
    return [folder / name for name in redraw_pages(folder, (page,), cfg=cfg)]


def report(cfg: Config, run_dir: Path | None = None) -> Path:
    """Assess again and rewrite a run folder's ``report.html``, linking the maps there and
    showing the siting and scenario products made for the run. When the folder was made
    from other input files, the report says so."""
    from earlyhelp.publish.report import run_folder_notes

    folder = Path(run_dir or cfg.run_dir)
    check_not_inputs([folder], cfg.input_paths())
    assessment = assess(cfg)
    page = report_page(assessment, notes=run_folder_notes(folder, assessment))
    redraw_pages(folder, (page,), cfg=cfg)
    return folder / "report.html"


def casework(cfg: Config, *, out: Path | None = None) -> tuple[Path, Casework]:
    """Count the case-system extracts of ``[casework]`` and write ``<run name>-casework``:
    identification, outcomes, effectiveness and value for money, suppressed, with a
    section for the run's board report."""
    from earlyhelp.casework import load_casework
    from earlyhelp.publish.casework import casework_product

    inputs = load_inputs(cfg)
    result = load_casework(cfg, inputs)
    product = casework_product(result, cfg=cfg, inputs=inputs)
    target = out or cfg.run.output_dir / f"{cfg.run.name}-casework"
    return write_product(product, target), result


def expertise(cfg: Config, *, out: Path | None = None) -> tuple[Path, Expertise]:
    """Measure how far frontline settings are from social work consultation and what
    training reaches their staff; write ``<run name>-expertise``."""
    from earlyhelp.expertise import assess_expertise
    from earlyhelp.publish.expertise import expertise_product

    inputs = load_inputs(cfg)
    result = assess_expertise(cfg, inputs)
    product = expertise_product(result, cfg=cfg, inputs=inputs)
    target = out or cfg.run.output_dir / f"{cfg.run.name}-expertise"
    return write_product(product, target), result


def benchmark(cfg: Config, *, out: Path | None = None) -> tuple[Path, Benchmark]:
    """Compare the council with its statistical neighbours and England from the DfE
    tables of ``[benchmark]``; write ``<run name>-benchmark``."""
    from earlyhelp.benchmark import benchmark as compare
    from earlyhelp.benchmark import find_council, load_national
    from earlyhelp.publish.benchmark import benchmark_product

    data = load_national(cfg.benchmark)
    result = compare(data, find_council(data, cfg.benchmark.council), years=cfg.benchmark.years)
    product = benchmark_product(result, cfg=cfg, records=data.records)
    target = out or cfg.run.output_dir / f"{cfg.run.name}-benchmark"
    return write_product(product, target), result
