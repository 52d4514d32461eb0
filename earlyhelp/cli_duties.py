"""The commands of the rest of the duty: ``casework``, ``expertise`` and ``benchmark``.

Thin, as every command is: load the config, call one function of
:mod:`earlyhelp.commands`, print what it returns. :func:`register` adds them to the
``earlyhelp`` app (:mod:`earlyhelp.cli`, which catches every error in one place).
"""

from __future__ import annotations

__all__ = ["register"]

from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[
    Path,
    typer.Option("--config", "-c", help="The run's config.toml.", show_default=True),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(help="Output folder (default: under output_dir from config)."),
]


def _printable(text: str) -> str:
    from earlyhelp.validation import plain_text

    return "\n".join(plain_text(line) for line in text.splitlines())


def casework(config: ConfigOpt = Path("config.toml"), out: OutOpt = None) -> None:
    """Count the case-system extracts: identification, outcomes and value for money.

    Reads the early help episodes and referrals of [casework] (an aggregated or
    pseudonymised extract: nothing about any one child is kept or written) and writes
    maps/<run name>-casework/: episodes and referrals per 10,000 children, step-up,
    re-referral within 12 months and needs met by district, lead organisation and reason,
    referrals by source and factor, cost per episode and per episode with needs met by
    kind of help and provider, each with 95% intervals and small numbers suppressed;
    map.html; and a section for the run's board report (earlyhelp report).

    Example:  earlyhelp casework --config config.toml
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.publish.casework import casework_summary

    cfg = load_config(config)
    folder, result = commands.casework(cfg, out=out)
    typer.echo(_printable(casework_summary(result, cfg)))
    for problem in result.report.problems:
        typer.echo(f"{problem.severity}: {_printable(problem.line())}", err=True)
    typer.echo(f"Wrote {folder}")


def expertise(config: ConfigOpt = Path("config.toml"), out: OutOpt = None) -> None:
    """Measure the reach of social work expertise and training for frontline settings.

    Reads the frontline settings, social work consultation points and training courses
    of [expertise] and writes maps/<run name>-expertise/: each setting's distance to the
    nearest in-person consultation point (with the run's distance model; phone and online
    consultation count everywhere), settings far from it, training places per 100
    frontline staff by district and sector, map.html, and a section for the board report.

    Example:  earlyhelp expertise --config config.toml
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.publish.expertise import expertise_summary

    cfg = load_config(config)
    folder, result = commands.expertise(cfg, out=out)
    typer.echo(_printable(expertise_summary(result, cfg)))
    for problem in result.report.problems:
        typer.echo(f"{problem.severity}: {_printable(problem.line())}", err=True)
    typer.echo(f"Wrote {folder}")


def benchmark(config: ConfigOpt = Path("config.toml"), out: OutOpt = None) -> None:
    """Compare the council with its statistical neighbours and England (DfE tables).

    Reads the DfE children in need tables and statistical neighbours of [benchmark] as
    published and writes maps/<run name>-benchmark/: referrals and re-referrals,
    referrals by source, factors at assessment and child protection plans per 10,000,
    second plans and plans of two years or more, each with its 95% interval beside the
    neighbours' average and England, the trend over the years published, a funnel plot
    of every council (benchmark.html) and a section for the board report.

    Example:  earlyhelp benchmark --config config.toml
    """
    from earlyhelp import commands
    from earlyhelp.config import load_config
    from earlyhelp.publish.benchmark import benchmark_summary

    cfg = load_config(config)
    folder, result = commands.benchmark(cfg, out=out)
    typer.echo(_printable(benchmark_summary(result, cfg)))
    typer.echo(f"Wrote {folder}")


def register(app: typer.Typer) -> None:
    """Add ``casework``, ``expertise`` and ``benchmark`` to ``app``."""
    for command in (casework, expertise, benchmark):
        app.command()(command)
