"""The ``earlyhelp`` command line: parse, load config, call one function, write.

Errors are turned into a one-line message and an exit code in one place
(:class:`_Group`): 2 for bad input or configuration, 1 for anything else. ``--debug``
shows the traceback as well.
"""

from __future__ import annotations

__all__ = ["app", "main"]

import os
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from earlyhelp.cli_duties import register as register_duties
from earlyhelp.errors import EarlyHelpError, ValidationFailed


def plain_text(value: object) -> str:
    """Outside text safe to print (:func:`earlyhelp.validation.plain_text`), imported late
    so that ``earlyhelp --help`` does not load pandas."""
    from earlyhelp.validation import plain_text as clean

    return clean(value)


class _Group(TyperGroup):
    """Catches every error once and turns it into a message and an exit code."""

    def invoke(self, ctx):  # the click.Context that typer vendors
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning  # one line, not Python's two
                return super().invoke(ctx)
        except ValidationFailed as exc:
            if ctx.meta.get("debug"):
                raise
            _print_problems(exc.report)
            ctx.exit(exc.exit_code)
        except EarlyHelpError as exc:
            if ctx.meta.get("debug"):
                raise
            typer.echo(f"earlyhelp: error: {plain_text(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("earlyhelp: stopped; nothing was written", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # the reader went away (earlyhelp ... | head): not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is written
            ctx.exit(0)
        except OSError as exc:  # one not met while writing (those are WriteErrors)
            if ctx.meta.get("debug"):
                raise
            from earlyhelp.outputs import plain_words  # late: --help loads no pandas

            reason, fix = plain_words(exc)
            where = exc.filename or "a file"
            typer.echo(
                f"earlyhelp: error: cannot use {plain_text(where)}: {plain_text(reason)}; {fix}",
                err=True,
            )
            ctx.exit(2)
        except Exception as exc:
            if ctx.meta.get("debug") or type(exc).__module__.startswith("typer"):
                raise  # typer's own exits and usage errors, or --debug
            typer.echo(
                f"earlyhelp: unexpected error: {type(exc).__name__}: {plain_text(exc)} "
                "(run again with --debug for the details, and report it)",
                err=True,
            )
            ctx.exit(1)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning from the libraries or the maps as one line on stderr, like the others."""
    typer.echo(f"earlyhelp: warning: {plain_text(message)}", err=True)


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help=(
        "Map early help for children and families against local need (the JSNA) and "
        "show where it is not sufficient.\n\n"
        "Start with:  earlyhelp run --config config.toml"
    ),
)

ConfigOpt = Annotated[
    Path,
    typer.Option("--config", "-c", help="The run's config.toml.", show_default=True),
]


def _version(value: bool) -> None:
    if value:
        from earlyhelp.terminal import version_text

        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.meta["debug"] = debug


def _print_problems(report, *, to_stderr: bool = True) -> None:
    """One line per problem, errors first."""
    for p in report.errors + report.warnings:
        typer.echo(f"{p.severity}: {p.line()}", err=to_stderr)


def _printable(text: str) -> str:
    """Lines of text that quote directory names, made safe for a terminal."""
    return "\n".join(plain_text(line) for line in text.splitlines())


def _say_kept(folder: Path) -> None:
    """Say which files a user added to the earlier folder were kept in the new one."""
    from earlyhelp.publish.folder import kept_note

    note = kept_note(folder)
    if note:
        typer.echo(plain_text(note))


def _run_and_write(
    config: Path, out: Path | None, *, command: str, sufficiency: bool, draw: bool = True
):
    """Shared by run, access and gaps: assess and write with a progress bar."""
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.terminal import steps

    cfg = load_config(config)
    if out is None and command != "run":
        out = cfg.run.output_dir / f"{cfg.run.name}-{command}"
    with steps(commands.RUN_STEPS) as step:
        folder, assessment = commands.run(
            cfg, out, sufficiency=sufficiency, draw=draw, command=command, progress=step
        )
    from earlyhelp.publish.run import unknown_lines

    report = assessment.inputs.report
    typer.echo(
        f"Wrote {folder} ({len(assessment.areas)} areas, {len(assessment.services)} services, "
        f"{len(report.warnings)} warning(s) in validation.csv)"
    )
    _say_kept(folder)
    for line in unknown_lines(assessment):  # what the outputs cannot judge, said last
        typer.echo(_printable(line))


OutOpt = Annotated[
    Path | None,
    typer.Option(help="Output folder (default: under output_dir from config)."),
]


@app.command()
def run(config: ConfigOpt = Path("config.toml"), out: OutOpt = None) -> None:
    """Load, check and analyse the inputs and write the run folder.

    Writes maps/<run name>/: results.gpkg (areas with every measure, services,
    districts), tables/*.csv, commissioners.xlsx, validation.csv and manifest.json.

    Example:  earlyhelp run --config config.toml
    """
    _run_and_write(config, out, command="run", sufficiency=True)


@app.command()
def access(config: ConfigOpt = Path("config.toml"), out: OutOpt = None) -> None:
    """Measure access only: nearest help, within reach, and floating-catchment scores.

    Writes maps/<run name>-access/: results.gpkg (areas with one column per
    measure and category) and tables/access.csv (area, category, measure, value).

    Example:  earlyhelp access --config config.toml
    """
    _run_and_write(config, out, command="access", sufficiency=False)


@app.command()
def gaps(config: ConfigOpt = Path("config.toml"), out: OutOpt = None) -> None:
    """Find the gaps: access against need, the range of help, resourcing, districts.

    Writes maps/<run name>-gaps/ with the tables and workbook (no maps).

    Example:  earlyhelp gaps --config config.toml
    """
    _run_and_write(config, out, command="gaps", sufficiency=True, draw=False)


@app.command()
def compare(
    config: ConfigOpt = Path("config.toml"),
    district: Annotated[
        str | None,
        typer.Option(help='A district, by code or name ("Gossamer Bay"), to compare (--with).'),
    ] = None,
    other: Annotated[
        str | None, typer.Option("--with", help="The district to compare it with: code or name.")
    ] = None,
    run_dir: Annotated[
        Path | None,
        typer.Option(
            "--run", help="Read a finished run's tables instead of analysing again (faster)."
        ),
    ] = None,
) -> None:
    """Compare districts with the county, or one district with another.

    Without --district: every district's children, share with the full core range of
    help within reach (95% confidence interval) and whether that is significantly
    higher, lower or similar to the county, priority-gap children, places per 1,000 and
    spend per child. Small numbers are suppressed as in published tables.

    With --district and --with (each a code or a name): the two side by side, measure by
    measure, shares in per cent, with whether the first is significantly higher, lower or
    similar (an analyst view: counts are not suppressed, so do not publish it as it is).

    With --run, the tables of a finished run are read instead of analysing again.

    \b
    Example:  earlyhelp compare --config config.toml --district "Gossamer Bay" --with X07000006
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.terminal import print_table, steps

    cfg = load_config(config)
    if (district is None) != (other is None):
        raise typer.BadParameter("give both --district and --with, or neither")
    with steps(() if run_dir else commands.ANALYSE_STEPS) as step:
        view = commands.comparison_view(cfg, run_dir, district, other, progress=step)
    print_table(*view)


@app.command()
def validate(
    config: ConfigOpt = Path("config.toml"),
    report_csv: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Where to write the report CSV (default: <output_dir>/<run name>-validation.csv).",
        ),
    ] = None,
) -> None:
    """Check every input and list each problem: file, row, field, what is wrong, the fix.

    Prints one line per problem and writes them all to a CSV. Exits 2 when any problem is
    an error, 0 when there are only warnings or none.

    Example:  earlyhelp validate --config config.toml --report problems.csv
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.terminal import working

    with working("reading and checking the inputs"):
        report, target = commands.validate(load_config(config), report_csv)
    _print_problems(report, to_stderr=False)
    typer.echo(
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s); report written "
        f"to {target}"
    )
    if report.errors:
        raise typer.Exit(2)


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option(help="Folder to write the demo county into.")] = Path(
        "data/demo"
    ),
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the demo's).")] = None,
) -> None:
    """Regenerate the fictional demo county (areas, need, services, centres, roads,
    case extract, frontline settings, training and national tables).

    The same seed always gives the same files.

    Example:  earlyhelp demo-data --out data/demo
    """
    from earlyhelp import demo

    chosen = demo.DEFAULT_SEED if seed is None else seed
    paths = [*demo.generate(out, seed=chosen), *demo.generate_extracts(out, seed=chosen)]
    typer.echo(f"Wrote {len(paths)} files to {out}")


@app.command()
def offer(
    age: Annotated[
        int | None,
        typer.Option(help="The child's age in completed years (0 for a baby).", min=0),
    ] = None,
    config: ConfigOpt = Path("config.toml"),
    needs: Annotated[
        list[str] | None,
        typer.Option(help="Kinds of help needed: category keys, comma-separated (default all)."),
    ] = None,
    postcode: Annotated[str | None, typer.Option(help="The family's postcode.")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude (WGS 84), with --lon.")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude (WGS 84), with --lat.")] = None,
    easting: Annotated[
        float | None, typer.Option(help="Easting (British National Grid), with --northing.")
    ] = None,
    northing: Annotated[
        float | None, typer.Option(help="Northing (British National Grid), with --easting.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="table (terminal), csv or json (to stdout).")
    ] = "table",
    limit: Annotated[
        int, typer.Option(help="Most services listed per need, local and remote each (0 = all).")
    ] = 5,
    index: Annotated[
        Path | None,
        typer.Option(help="The offer index folder (default <run folder>/offer_index)."),
    ] = None,
    build_index: Annotated[
        bool, typer.Option("--build-index", help="Write the offer index, then stop.")
    ] = False,
) -> None:
    """Find the early help that fits one child and family, nearest first.

    Lists the active services of each kind of help needed that take a child of this
    age: in person or outreach, within reach first, then by distance; online and phone
    services apart, as available anywhere; opening times and contact details. Says
    plainly when a need has no service within reach, and names the nearest one.
    Nothing about the family is written to disk or logged. Answered in a fraction of a
    second from the run's offer index when it matches the inputs (--build-index writes
    it), else from the whole directory.

    \b
    Example:  earlyhelp offer --postcode "QY22 3NJ" --age 3 --needs parenting,domestic_abuse
    """
    from earlyhelp.config import load_config
    from earlyhelp.offer.plain import check_format, plain_csv, plain_json, print_plain

    cfg = load_config(config)
    if build_index:
        from earlyhelp.commands import build_offer_index

        typer.echo(f"Wrote the offer index {build_offer_index(cfg, index)}")
        return
    if age is None:
        raise EarlyHelpError("offer: give the child's age with --age (0 for a baby)")
    check_format(output_format)
    from earlyhelp.offer.index import family_offer

    where = {"postcode": postcode, "lat": lat, "lon": lon, "easting": easting, "northing": northing}
    found = family_offer(cfg, index=index, age=age, needs=needs, limit=limit, **where)
    if output_format == "csv":
        typer.echo(plain_csv(found), nl=False)
    elif output_format == "json":
        typer.echo(plain_json(found), nl=False)
    else:
        from rich.console import Console

        wide = None if sys.stdout.isatty() else 160
        print_plain(found, Console(width=wide, highlight=False, emoji=False))


@app.command()
def report(
    config: ConfigOpt = Path("config.toml"),
    run_dir: Annotated[
        Path | None,
        typer.Option("--run", help="The run folder to write report.html into and link maps from."),
    ] = None,
) -> None:
    """Write the board report: one self-contained HTML file, also for printing to PDF.

    Structured on the sufficiency duty (Munro 2011, Recommendation 10): a plain-English
    summary, the range of help against need, reach by category and district with 95%
    confidence intervals, resourcing and value for money, priority gaps, data sources,
    method and caveats, and links to the maps in the run folder. Small numbers are
    suppressed. Writes <run folder>/report.html (default: maps/<run name>/).

    Example:  earlyhelp report --config config.toml --run maps/demo
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.terminal import steps

    with steps(commands.REPORT_STEPS) as step:
        path = commands.report(load_config(config), run_dir, progress=step)
    typer.echo(f"Wrote {path}")


@app.command("import")
def import_(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT", help="The file's layout (see above); 'list' shows each one's options."
        ),
    ],
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE...", help="The file(s) to read; for openreferral also a feed's URL."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="The CSV to write, in earlyhelp's columns.")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="A reader option as NAME=VALUE (repeat for several)."),
    ] = None,
    join: Annotated[
        Path | None,
        typer.Option(help="An area table to join the result onto by area_code (may be --out)."),
    ] = None,
    quality: Annotated[
        Path | None,
        typer.Option(
            help="openreferral: write the directory quality report here (CSV), with its "
            "terms (.terms.csv, suggestions to fill in) and duplicates (.duplicates.csv)."
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="openreferral: config.toml, for suggested categories.")
    ] = None,
    cache: Annotated[
        Path | None, typer.Option(help="openreferral URL: where pages are kept (.earlyhelp-feeds).")
    ] = None,
    refresh: Annotated[
        bool, typer.Option(help="openreferral URL: fetch again, ignoring the pages kept.")
    ] = False,
) -> None:
    """Turn a published file into a table earlyhelp reads, with every problem listed.

    FORMAT is one of: openreferral (Open Referral UK / HSDS directory JSON: a page, a
    folder of pages, or the feed's URL, whose pages are fetched politely, kept and
    resumed), gias (DfE Get Information About Schools), iod (Indices of Deprivation),
    population (ONS ages by LSOA), lsoa_lookup (ONS LSOA 2011 to 2021), onspd (ONS
    Postcode Directory), fingertips (public health profile exports). Problems are printed
    once each; errors stop it (exit 2) and no table is written. 'earlyhelp import list'
    shows every format with its options and an example.

    \b
    Example:  earlyhelp import openreferral https://example.org/api/services \\
                --out services.csv --quality quality.csv --option categories=taxonomy_map.csv
    """
    if fmt == "list":
        from earlyhelp.terminal import format_sources

        typer.echo(format_sources(), nl=False)
        return
    from earlyhelp import commands

    pairs = commands.option_pairs(option or [])
    if fmt == "openreferral" and files and (out is not None or quality is not None):
        _import_directory(files, out, quality, pairs, config=config, cache=cache, refresh=refresh)
        return
    if not files or out is None:
        raise typer.BadParameter(
            "give the FILE to read and --out TABLE.csv (openreferral: or --quality REPORT.csv)"
        )
    from earlyhelp.terminal import working

    with working(f"reading {files[0]} as {fmt}"):
        frame, report, written = commands.import_table(
            fmt, files, out=out, options=pairs, join=join
        )
    _print_problems(report, to_stderr=False)  # warnings only: errors stopped it, printed once
    for path in written[1:]:
        typer.echo(f"Wrote {path}")
    typer.echo(f"Wrote {out} ({len(frame)} rows, {len(frame.columns)} columns)")


def _import_directory(files, out, quality, pairs, *, config, cache, refresh) -> None:
    """import openreferral: fetch or read, show the quality report, write, say where."""
    from earlyhelp import commands
    from earlyhelp.terminal import print_table as _print_table
    from earlyhelp.terminal import working

    with working("reading the directory") as status:
        done = commands.import_directory(
            files, out=out, quality=quality, options=pairs, config=config, cache=cache,
            refresh=refresh, progress=status,
        )  # fmt: skip
    if done.feed is not None:
        typer.echo(plain_text(done.feed.describe()))
    summary = done.quality.summary.assign(share=lambda t: (t["share"] * 100).round(0))
    _print_table(
        f"Directory quality: {done.quality.feed}",
        {"measure": "Services with", "services": "Services", "share": "%"},
        summary,
    )
    terms = done.quality.terms
    unmapped = terms[~terms["mapped"]].head(25)
    if quality is not None and len(unmapped):
        _print_table(
            "Terms with no category (first 25; all in .terms.csv)",
            {"term": "Term", "services": "Services", "suggested": "Suggested category"},
            unmapped,
        )
    if done.report.errors:
        for path in done.written:
            typer.echo(f"Wrote {path}")
        done.report.raise_if_errors()  # every problem is printed once, by _Group, on stderr
    _print_problems(done.report, to_stderr=False)
    for path in done.written:
        n = len(done.services) if done.services is not None and path == out else None
        typer.echo(f"Wrote {path}" + (f" ({n} services)" if n is not None else ""))


@app.command()
def site(
    category: Annotated[
        str, typer.Option(help="The category of help to site: a key of [categories].")
    ],
    config: ConfigOpt = Path("config.toml"),
    k: Annotated[
        int | None, typer.Option("--k", help="How many new sites (default: [siting] k).")
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            help="CSV of candidate sites: site_id, name, kind, easting, northing "
            "(default: [siting] candidates, else a grid)."
        ),
    ] = None,
    grid_spacing: Annotated[
        float | None,
        typer.Option("--grid-spacing", help="Use a grid of candidates this many metres apart."),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(help="exact (HiGHS) or greedy (greedy + swaps); default: [siting] method."),
    ] = None,
    capacity: Annotated[
        float | None,
        typer.Option(help="Children each new site can take (exact method; default: no limit)."),
    ] = None,
    rule: Annotated[
        bool | None,
        typer.Option(
            "--rule/--no-rule",
            help="New sites must meet the [hubs] targeting aim (70% in the 30% most deprived "
            "areas by default), and say what it costs; default: [siting] rule.",
        ),
    ] = None,
    out: OutOpt = None,
) -> None:
    """Choose where k new sites of one category would bring most children within reach.

    Children of the category's ages count more where need is higher; areas already within
    reach of an active service stay covered. Fewer than k sites are chosen when no more
    would bring anyone within reach, and it says so. The exact method proves its choice the
    best possible; greedy is fast and says its gap to the optimum: how much more
    need-weighted reach the best choice of k sites could at most give. Writes
    maps/<run name>-site-<category>/: tables (chosen sites, districts, coverage before
    and after, areas newly reached), results.gpkg and a before/after map.

    \b
    Example:  earlyhelp site --config config.toml --category domestic_abuse --k 1 \\
                --candidates data/demo/candidate_sites.csv
    New family hubs, each meeting the 70/30 aim, and what the rule costs:
    Example:  earlyhelp site --config config.toml --category childrens_centre \\
                --k 3 --rule
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.publish.siting import siting_summary
    from earlyhelp.terminal import steps

    with steps(commands.SITE_STEPS) as step:
        folder, result = commands.site(
            load_config(config), category=category, k=k, candidates=candidates,
            grid_spacing_m=grid_spacing, method=method, capacity=capacity, rule=rule,
            out=out,
            progress=step,
        )  # fmt: skip
    typer.echo(_printable(siting_summary(result)))
    typer.echo(f"Wrote {folder}")
    _say_kept(folder)


@app.command()
def scenario(
    config: ConfigOpt = Path("config.toml"),
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help="A scenario file of [[close]], [[open]], [[move]] and [[capacity]] changes; "
            "see examples/scenario.toml.",
        ),
    ] = None,
    close: Annotated[
        list[str] | None, typer.Option("--close", help="Close a service by id (repeatable).")
    ] = None,
    move: Annotated[
        list[str] | None,
        typer.Option("--move", help="Move a service: ID=EASTING,NORTHING in EPSG:27700 metres."),
    ] = None,
    capacity: Annotated[
        list[str] | None,
        typer.Option("--capacity", help="Change a service's capacity: ID=PLACES."),
    ] = None,
    out: OutOpt = None,
) -> None:
    """What if services close, open, move or change capacity? Rerun and compare.

    Reruns the whole analysis with the changed services and reports children who lose or
    gain reach by category and district, areas that become priority gaps and places per
    1,000 by district. Writes maps/<run name>-scenario/: tables/*.csv, results.gpkg
    (changed_areas, changed_services, areas with before/after columns) and manifest.json.

    Several changes go in a scenario file (--file): examples/scenario.toml is one for the
    demo county, with every kind of change and what each field means; copy and edit it.

    \b
    Example:  earlyhelp scenario --config config.toml --close C003
    Example:  earlyhelp scenario --config config.toml --file examples/scenario.toml
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.publish.scenario import scenario_summary
    from earlyhelp.terminal import steps

    with steps(commands.SCENARIO_STEPS) as step:
        folder, result = commands.scenario(
            load_config(config), file=file, close=close or (), move=move or (),
            capacity=capacity or (), out=out, progress=step,
        )  # fmt: skip
    typer.echo(_printable(scenario_summary(result)))
    typer.echo(f"Wrote {folder}")
    _say_kept(folder)


@app.command("map")
def map_(
    config: ConfigOpt = Path("config.toml"),
    run_dir: Annotated[
        Path | None,
        typer.Option("--run", help="A finished run's folder (default: maps/<run name>)."),
    ] = None,
) -> None:
    """Redraw the board map (and district maps, if configured) from a finished run.

    Reads results.gpkg from the run folder and writes index.html beside it, with the
    [map] settings of the config (for example another classification or district_maps).

    Example:  earlyhelp map --config config.toml --run maps/demo
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.terminal import working

    with working("drawing the map"):
        paths = commands.redraw_maps(load_config(config), run_dir)
    typer.echo(f"Wrote {', '.join(str(p) for p in paths)}")


register_duties(app)  # casework, expertise, benchmark


def main() -> None:
    """Console-script entry point."""
    app()
