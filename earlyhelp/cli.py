"""The ``earlyhelp`` command line: parse, load config, call one function, write.

Errors are turned into a one-line message and an exit code in one place
(:class:`_Group`): 2 for bad input or configuration, 1 for anything else. ``--debug``
shows the traceback as well.
"""

from __future__ import annotations

__all__ = ["app", "main"]

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from earlyhelp.errors import EarlyHelpError, ValidationFailed


class _Group(TyperGroup):
    """Catches every error once and turns it into a message and an exit code."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            if ctx.meta.get("debug"):
                raise
            _print_problems(exc.report)
            ctx.exit(exc.exit_code)
        except EarlyHelpError as exc:
            if ctx.meta.get("debug"):
                raise
            typer.echo(f"earlyhelp: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("earlyhelp: stopped; nothing was written", err=True)
            ctx.exit(130)
        except Exception as exc:
            if ctx.meta.get("debug") or type(exc).__module__.startswith("typer"):
                raise  # typer's own exits and usage errors, or --debug
            typer.echo(
                f"earlyhelp: unexpected error: {type(exc).__name__}: {exc} "
                "(run again with --debug for the details, and report it)",
                err=True,
            )
            ctx.exit(1)


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


@app.callback()
def _main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    ctx.meta["debug"] = debug


def _print_problems(report, *, to_stderr: bool = True) -> None:
    """One line per problem, errors first."""
    for p in report.errors + report.warnings:
        typer.echo(f"{p.severity}: {p.line()}", err=to_stderr)


def _progress():
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=not sys.stderr.isatty(),
        console=_console(),
    )


def _console():
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def run(
    config: ConfigOpt = Path("config.toml"),
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder (default: <output_dir>/<run name> from config)."),
    ] = None,
) -> None:
    """Load, validate and analyse the inputs and write the run folder.

    Writes results.gpkg, validation.csv and manifest.json into maps/<run name>/.

    Example:  earlyhelp run --config config.toml
    """
    from earlyhelp.assessment import STEPS, assess, write_run
    from earlyhelp.config import load_config

    cfg = load_config(config)
    with _progress() as bar:
        task = bar.add_task("earlyhelp run", total=len(STEPS))

        def step(name: str) -> None:
            bar.update(task, description=name, advance=0 if name == STEPS[0] else 1)

        assessment = assess(cfg, progress=step)
        folder = write_run(assessment, out, progress=step)
        bar.update(task, completed=len(STEPS), description="done")
    report = assessment.inputs.report
    typer.echo(
        f"Wrote {folder} ({len(assessment.areas)} areas, {len(assessment.services)} services, "
        f"{len(report.warnings)} warning(s) in validation.csv)"
    )


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
    from earlyhelp.assessment import input_paths
    from earlyhelp.config import load_config
    from earlyhelp.loading import load_inputs
    from earlyhelp.outputs import check_not_inputs, write_csv

    cfg = load_config(config)
    target = report_csv or cfg.run.output_dir / f"{cfg.run.name}-validation.csv"
    check_not_inputs([target], input_paths(cfg))
    try:
        report = load_inputs(cfg).report
    except ValidationFailed as exc:
        report = exc.report
    write_csv(report.to_frame(), target)
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
    """Regenerate the fictional demo county (areas, need, services, centres, roads).

    The same seed always gives the same files.

    Example:  earlyhelp demo-data --out data/demo
    """
    from earlyhelp import demo

    paths = demo.generate(out, seed=demo.DEFAULT_SEED if seed is None else seed)
    typer.echo(f"Wrote {len(paths)} files to {out}")


def main() -> None:
    """Console-script entry point."""
    app()
