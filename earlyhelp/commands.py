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
    "ANALYSE_STEPS",
    "REPORT_STEPS",
    "RUN_STEPS",
    "SCENARIO_STEPS",
    "SITE_STEPS",
    "DirectoryImport",
    "benchmark",
    "build_offer_index",
    "casework",
    "comparison",
    "comparison_view",
    "district_code",
    "expertise",
    "import_directory",
    "import_table",
    "option_pairs",
    "redraw_maps",
    "report",
    "run",
    "scenario",
    "site",
    "validate",
]

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from earlyhelp.assessment import STEPS, Assessment, analyse, assess
from earlyhelp.benchmark import Benchmark
from earlyhelp.casework import Casework
from earlyhelp.config import Config
from earlyhelp.errors import InputError, ValidationFailed
from earlyhelp.expertise import Expertise
from earlyhelp.loading import load_inputs
from earlyhelp.outputs import (
    check_not_inputs,
    comparison_as_analysed,
    present,
    write_csv,
    write_json,
)
from earlyhelp.publish.folder import redraw_pages, write_product
from earlyhelp.publish.run import (
    board_map_page,
    draw_ahead,
    read_run_comparison,
    report_page,
    run_product,
)
from earlyhelp.publish.tables import run_publication
from earlyhelp.scenario import (
    ScenarioResult,
    combine,
    read_scenario,
    run_scenario,
    scenario_from_flags,
)
from earlyhelp.siting import SitingResult, candidate_sites, site_services
from earlyhelp.sufficiency import compare_districts
from earlyhelp.validation import ValidationReport

if TYPE_CHECKING:  # imported late below, so that other commands do not load them
    from earlyhelp.sources.directory_quality import DirectoryQuality
    from earlyhelp.sources.feed import FeedRead

Progress = Callable[[str], None]
ANALYSE_STEPS = STEPS
RUN_STEPS = (*STEPS, "write outputs")
REPORT_STEPS = (*STEPS, "write the report")
SITE_STEPS = ("load and validate inputs", "find candidate sites", "choose the sites",
              "analyse the county as it is", "write outputs and the map")  # fmt: skip
SCENARIO_STEPS = (*STEPS, "analyse with the changes", "write outputs and the map")


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
    progress(STEPS[0])
    inputs = load_inputs(cfg)
    if draw and sufficiency:
        draw_ahead(cfg, inputs.areas)  # the map's shapes, beside the analysis
    assessment = analyse(cfg, inputs, sufficiency=sufficiency, progress=progress)
    progress(RUN_STEPS[-1])
    product = run_product(assessment, draw=draw, command=command)
    return write_product(product, Path(out or cfg.run_dir)), assessment


def build_offer_index(cfg: Config, folder: Path | None = None) -> Path:
    """Write the offer index (:mod:`earlyhelp.offer.index`) into ``folder``, by default
    the run folder's ``offer_index/`` (recorded in its manifest); return the folder."""
    from earlyhelp.offer import load_directory
    from earlyhelp.publish.offer import OFFER_INDEX, offer_index_page, write_offer_index

    directory = load_directory(cfg)
    if folder is not None:
        write_offer_index(directory, Path(folder))
        return Path(folder)
    redraw_pages(cfg.run_dir, (offer_index_page(directory),), cfg=cfg)
    return cfg.run_dir / OFFER_INDEX


def site(
    cfg: Config,
    *,
    category: str,
    k: int | None = None,
    candidates: Path | None = None,
    grid_spacing_m: float | None = None,
    method: str | None = None,
    capacity: float | None = None,
    rule: bool | None = None,
    out: Path | None = None,
    progress: Progress = _noop,
) -> tuple[Path, SitingResult]:
    """Choose new sites for one category and write ``<run name>-site-<category>``
    (``rule``: new sites must meet the family hub targeting aim; default ``[siting] rule``);
    ``progress`` is told each of :data:`SITE_STEPS` as it starts."""
    from earlyhelp.publish.siting import siting_product

    progress(SITE_STEPS[0])
    inputs = load_inputs(cfg)
    progress(SITE_STEPS[1])
    sites, source = candidate_sites(
        cfg, inputs.areas, path=candidates, grid_spacing_m=grid_spacing_m
    )
    progress(SITE_STEPS[2])
    result = site_services(
        cfg, inputs, category=category, candidates=sites, k=k, method=method,
        capacity=capacity, rule=rule,
    )  # fmt: skip
    progress(SITE_STEPS[3])
    baseline = analyse(cfg, inputs)  # the run the sites are added to: audited together
    progress(SITE_STEPS[4])
    product = siting_product(
        result, cfg=cfg, inputs=inputs, candidates_source=source, baseline=baseline
    )
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
    progress: Progress = _noop,
) -> tuple[Path, ScenarioResult]:
    """Apply the changes of a scenario file and flags, rerun, compare and write
    ``<run name>-scenario``; ``progress`` is told each of :data:`SCENARIO_STEPS`."""
    from earlyhelp.publish.scenario import scenario_product

    flags = scenario_from_flags(close=close, move=move, capacity=capacity)
    if file is None and not flags.changes:
        raise InputError(
            "no changes given: pass a scenario --file, or --close, --move or --capacity"
        )
    wanted = combine(read_scenario(file), flags) if file is not None else flags
    progress(SCENARIO_STEPS[0])
    inputs = load_inputs(cfg)
    baseline = analyse(cfg, inputs, progress=progress)
    progress(SCENARIO_STEPS[-2])
    result = run_scenario(cfg, inputs, wanted, baseline=baseline)
    progress(SCENARIO_STEPS[-1])
    product = scenario_product(result, cfg=cfg, inputs=inputs)
    target = out or cfg.run.output_dir / f"{cfg.run.name}-scenario"
    return write_product(product, target), result


def comparison(
    cfg: Config, run_dir: Path | None = None, *, progress: Progress = _noop
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The published district summary and the analyst district comparison: read from a
    finished run's tables (``run_dir``), else analysed again."""
    if run_dir is not None:
        return read_run_comparison(run_dir)
    assessment = assess(cfg, progress=progress)
    published = run_publication(assessment).table("district_summary")
    # to the precision a run writes, so both ways print the same
    long = present(assessment.require_sufficiency().districts, table="district_comparison")
    return published, comparison_as_analysed(long)


def comparison_view(
    cfg: Config,
    run_dir: Path | None,
    district: str | None,
    other: str | None,
    *,
    progress: Progress = _noop,
) -> tuple[str, dict[str, str], pd.DataFrame]:
    """What ``earlyhelp compare`` prints: a title, column labels and the table; every
    district against the county (as published), or ``district`` beside ``other`` (each
    a code or a name)."""
    summary, long = comparison(cfg, run_dir, progress=progress)
    if district is None or other is None:
        return _district_view(summary, cfg.disclosure.symbol)
    first, second = (district_code(summary, d) for d in (district, other))
    return _pair_view(summary, long, first, second, cfg)


def district_code(summary: pd.DataFrame, given: str) -> str:
    """The code of the district ``given`` by its code or its name (any case and spacing),
    or an :class:`InputError` naming the districts and the nearest one."""
    from earlyhelp.text import did_you_mean

    def plain(text: object) -> str:
        return " ".join(str(text).split()).casefold()

    districts = summary.drop(index="County", errors="ignore")
    by_key = {plain(code): str(code) for code in districts.index}
    names = districts["district_name"].astype(str)
    by_key.update({plain(name): str(code) for code, name in names.items()})
    found = by_key.get(plain(given))
    if found is None:
        known = [f"{name} ({code})" for code, name in names.items()]
        raise InputError(
            f"no district '{given}' in this run{did_you_mean(given, list(names))}; give a "
            f"code or a name: {', '.join(known)}"
        )
    return found


def _shown(value: object, symbol: str, fmt: str) -> str:
    """A published cell as text: numbers formatted, the suppression symbol as it is."""
    text = str(value)
    if text in (symbol, "", "nan", "None", ".."):
        return "" if text in ("nan", "None") else text
    try:
        number = float(text)
    except ValueError:
        return text
    return fmt.format(number)


def _district_view(summary: pd.DataFrame, symbol: str) -> tuple[str, dict[str, str], pd.DataFrame]:
    """Every district against the county, as published: percentages with their sign."""
    table = summary.reset_index()
    formats = {
        "children": "{:,.0f}",
        "priority_gap_children": "{:,.0f}",
        "pct_full_core_range": "{:.1f}%",
        "pct_adequate_places": "{:.1f}%",
        "capacity_per_1000": "{:,.1f}",
        "spend_per_child": "£{:,.0f}",
    }
    for column, fmt in formats.items():
        table[column] = [_shown(v, symbol, fmt) for v in table[column]]
    lower = [_shown(v, symbol, "{:.1f}") for v in table["pct_lower"]]
    upper = [_shown(v, symbol, "{:.1f}%") for v in table["pct_upper"]]
    table["ci"] = [
        "" if lo == symbol else f"{lo}\u2013{hi}" for lo, hi in zip(lower, upper, strict=True)
    ]
    columns = {
        "district_name": "District",
        "children": "Children 0-19",
        "pct_full_core_range": "With the full core range in reach",
        "ci": "95% CI",
        "vs_county": "Core range vs county",
        "pct_adequate_places": "With adequate places",
        "adequate_vs_county": "Places vs county",
        "priority_gap_children": "Children in priority gaps",
        "capacity_per_1000": "Capacity per 1,000 children",
        "spend_per_child": "Spend per child",
    }
    return "Districts against the county (* = small number suppressed)", columns, table


_UNIT_FORMATS = {
    "share of children": ("{:.1f}%", 100.0, "{:+.1f} points"),
    "children": ("{:,.0f}", 1.0, "{:+,.0f}"),
    "areas": ("{:,.0f}", 1.0, "{:+,.0f}"),
    "places per 1,000 children": ("{:,.1f}", 1.0, "{:+,.1f}"),
    "GBP per child": ("£{:,.0f}", 1.0, "{:+,.0f}"),
}


def _pair_view(
    summary: pd.DataFrame, long: pd.DataFrame, district: str, other: str, cfg: Config
) -> tuple[str, dict[str, str], pd.DataFrame]:
    """Two districts side by side, measure by measure, in words (an analyst view)."""
    from earlyhelp.outputs import column_format, output_name

    table = compare_districts(long, district, other)
    names = dict(zip(summary.index, summary["district_name"], strict=True))
    rows = []
    for r in table.to_dict("records"):
        value, scale, change = _UNIT_FORMATS.get(str(r["unit"]), ("{:,.1f}", 1.0, "{:+,.1f}"))
        cells = [r[district], r[other], r["difference"]]
        shown = [
            "" if pd.isna(v) else (change if i == 2 else value).format(float(v) * scale)
            for i, v in enumerate(cells)
        ]
        name = output_name(str(r["measure"])).replace("share_", "pct_")
        rows.append(
            {
                "measure": column_format(name).header,
                "category": cfg.category_label(str(r["category"])) if r["category"] else "all",
                district: shown[0],
                other: shown[1],
                "difference": shown[2],
                "verdict": r["verdict"],
            }
        )
    columns = {
        "measure": "Measure",
        "category": "Kind of help",
        district: names.get(district, district),
        other: names.get(other, other),
        "difference": "Difference",
        "verdict": "First is",
    }
    title = f"{names.get(district, district)} against {names.get(other, other)}"
    return title, columns, pd.DataFrame(rows, columns=list(columns))


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
    from earlyhelp.publish.maps import read_run_cost_unit, read_run_layers, read_run_summary

    folder = Path(run_dir or cfg.run_dir)
    areas, services = read_run_layers(folder)
    page = board_map_page(
        areas,
        services,
        cfg,
        cost_unit=read_run_cost_unit(folder),
        district_summary=read_run_summary(folder),
    )
    return [folder / name for name in redraw_pages(folder, (page,), cfg=cfg)]


def report(cfg: Config, run_dir: Path | None = None, *, progress: Progress = _noop) -> Path:
    """Assess again and rewrite a run folder's ``report.html``, linking the maps there and
    showing the siting and scenario products made for the run. When the folder was made
    from other input files, the report says so. ``progress``: each of
    :data:`REPORT_STEPS`."""
    from earlyhelp.publish.report import run_folder_notes

    folder = Path(run_dir or cfg.run_dir)
    check_not_inputs([folder], cfg.input_paths())
    assessment = assess(cfg, progress=progress)
    progress(REPORT_STEPS[-1])
    page = report_page(assessment, notes=run_folder_notes(folder, assessment))
    redraw_pages(folder, (page,), cfg=cfg)
    return folder / "report.html"


# --------------------------------------------------------------------------- import


def option_pairs(items: Sequence[str]) -> dict[str, str]:
    """``--option NAME=VALUE`` items as a dict of text (the reader gives them their types)."""
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--option '{item}' is not NAME=VALUE; write it as name=value")
        pairs[name.strip()] = value.strip()
    return pairs


def import_table(
    fmt: str,
    files: Sequence[str | Path],
    *,
    out: Path,
    options: Mapping[str, str] | None = None,
    join: Path | None = None,
) -> tuple[pd.DataFrame, ValidationReport, list[Path]]:
    """Read published file(s) in format ``fmt`` and write the table ``out`` (joined onto
    the area table ``join`` when given; a 2011 -> 2021 bridge report beside it). Stops
    with :class:`ValidationFailed`, writing nothing, when any error was found. Returns the
    table, the report (its warnings) and the files written."""
    from earlyhelp.loading import read_table
    from earlyhelp.sources import coerce_options, join_area_tables, read_source

    paths = [Path(f) for f in files]
    check_not_inputs([out], [f for f in paths if f != join])
    report = ValidationReport()
    frame = read_source(
        fmt,
        paths if len(paths) > 1 else paths[0],
        report=report,
        **coerce_options(fmt, dict(options or {})),
    )
    report.raise_if_errors()
    bridge = frame.attrs.get("bridge_report")
    if join is not None:
        frame = join_area_tables([read_table(join, report=report).frame, frame])
    written = [write_csv(frame, out, guard=False)]  # data earlyhelp reads back: no guard
    if bridge is not None:
        written.append(write_csv(bridge, out.with_suffix(".bridge.csv")))
    return frame, report, written


# Options of `earlyhelp import openreferral` that are not the reader's: fetching a feed's
# URL (earlyhelp.sources.feed.fetch_feed) and the quality report.
FEED_OPTIONS = {
    "per_page": int,
    "delay_s": float,
    "retries": int,
    "backoff_s": float,
    "timeout_s": float,
    "full_records": str,
    "updated_within_months": int,
}


@dataclass
class DirectoryImport:
    """What ``earlyhelp import openreferral`` read and wrote."""

    report: ValidationReport
    quality: DirectoryQuality
    services: pd.DataFrame | None = None
    feed: FeedRead | None = None  # for a feed's URL
    written: list[Path] = field(default_factory=list)


def import_directory(
    source: Sequence[str | Path],
    *,
    out: Path | None = None,
    quality: Path | None = None,
    options: Mapping[str, str] | None = None,
    config: Path | None = None,
    cache: Path | None = None,
    refresh: bool = False,
    progress: Progress = _noop,
) -> DirectoryImport:
    """Read an Open Referral directory (files, a folder, or a feed's URL, whose pages are
    fetched into ``cache``), and write the services table ``out`` with its manifest
    (``<out>.manifest.json``) and the quality report ``quality`` with its terms and
    duplicates (``<quality>.terms.csv``, ``<quality>.duplicates.csv``).

    The services table is written only when no error was found; the quality report is
    written all the same (it is how a feed's problems are found). ``config`` gives the
    category keys and labels that unmapped terms are matched against for suggestions.
    """
    from earlyhelp.sources import coerce_options
    from earlyhelp.sources._oruk_pages import read_directory
    from earlyhelp.sources._tables import expand_paths
    from earlyhelp.sources.directory_quality import directory_quality
    from earlyhelp.sources.feed import fetch_feed, is_url
    from earlyhelp.sources.openreferral import read_taxonomy_map, services_table

    given = dict(options or {})
    raw = dict(given)
    knobs = {k: _typed(k, raw.pop(k)) for k in list(raw) if k in FEED_OPTIONS}
    reader = coerce_options("openreferral", raw)
    months = int(knobs.pop("updated_within_months", 12))
    report = ValidationReport()
    feed, where = None, [str(s) for s in source]
    if len(source) == 1 and is_url(source[0]):
        home = (out or quality or Path("quality.csv")).resolve().parent
        feed = fetch_feed(
            str(source[0]), cache=cache or home / ".earlyhelp-feeds", refresh=refresh,
            progress=progress, **knobs,
        )  # fmt: skip
        files = feed.files
    else:
        paths = [Path(s) for s in source]
        files = expand_paths(paths[0] if len(paths) == 1 else paths, pattern="*.json")
    check_not_inputs([p for p in (out, quality) if p], files)
    directory = read_directory(files, report, where=feed.url if feed else "")
    if isinstance(reader.get("categories"), str):
        reader["categories"] = read_taxonomy_map(reader["categories"], report=report)
    measured = directory_quality(
        directory,
        feed=feed.url if feed else "; ".join(where),
        mapping=reader.get("categories"),
        labels=_labels(config),
        updated_within_months=months,
        reference_date=reader.get("reference_date"),
    )
    result = DirectoryImport(report, measured, feed=feed)
    if out is not None:
        result.services = services_table(directory, report=report, **reader)
    if quality is not None:
        result.written += _write_quality(result.quality, quality)
    if out is not None and result.services is not None and not report.errors:
        write_csv(result.services, out, guard=False)  # read back: no guard
        manifest = _import_manifest(result, files=files, source=where, options=given, out=out)
        result.written += [out, write_json(manifest, out.with_suffix(".manifest.json"))]
    return result


def _typed(key: str, value: str) -> Any:
    try:
        return FEED_OPTIONS[key](value)
    except ValueError:
        raise InputError(f"openreferral option '{key}' must be a number, not '{value}'") from None


def _labels(config: Path | None) -> dict[str, str] | None:
    if config is None:
        return None
    from earlyhelp.config import load_config

    cfg = load_config(config)
    return {key: cfg.category_label(key) for key in cfg.categories} or None


def _write_quality(quality: DirectoryQuality, path: Path) -> list[Path]:
    terms = path.with_name(f"{path.stem}.terms.csv")
    duplicates = path.with_name(f"{path.stem}.duplicates.csv")
    write_csv(quality.summary, path)
    write_csv(quality.terms.drop(columns="mapped"), terms)
    write_csv(quality.duplicates, duplicates)
    return [path, terms, duplicates]


def _import_manifest(
    result: DirectoryImport, *, files: list[Path], source: list[str], options, out: Path
) -> dict[str, Any]:
    """What an import read (the feed, when and which pages; or the files) and wrote."""
    import datetime as dt

    from earlyhelp.loading.tables import file_sha256
    from earlyhelp.outputs import library_versions

    assert result.services is not None
    return {
        "command": "import openreferral",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": source,
        "feed": result.feed.manifest() if result.feed else None,
        "files_read": [{"path": str(f), "sha256": file_sha256(f)} for f in files],
        "options": dict(options),
        "outputs": {str(out): f"{len(result.services)} services"},
        "problems": {
            "errors": len(result.report.errors),
            "warnings": len(result.report.warnings),
        },
        "quality": result.quality.summary.drop(columns="feed").to_dict("records"),
        "libraries": library_versions(("requests",)),
    }


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
