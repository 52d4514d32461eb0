"""The ``earlyhelp`` console script: ``earlyhelp offer`` answered from an up-to-date offer
index before the command line is loaded; everything else through :mod:`earlyhelp.cli`.

Loading the Typer app (typer, click, rich), the configuration and what the commands
import takes most of a second; one family's answer from the offer index takes a few
hundredths. :func:`quick_offer` answers ``earlyhelp offer`` itself when it can, with
:func:`~earlyhelp.offer.index.quick_answer`: only from an index made from this very
``config.toml`` (the same bytes at the same place, so ``load_config`` would give the
values kept with the index, and did not refuse them) and these input files, with the
same code as the command line, and writes what the command writes, byte for byte
(``tests/test_offer_index.py`` compares them), without loading typer, click, the
configuration, pandas or numpy (rich only to draw the terminal table).

Whatever it does not take exactly as the command line would (another option, ``--help``,
``--build-index``, a value typer would read differently, output that is not UTF-8), an
index that is missing or was made from another config file or other inputs, any error
or warning: it writes nothing and the command line runs as before, so its messages and
exit codes stay its own.
"""

from __future__ import annotations

__all__ = ["main", "quick_offer"]

import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

# the options of `earlyhelp offer` taken here, each with the name of its parameter
_OPTIONS = {
    "--age": "age",
    "--config": "config",
    "-c": "config",
    "--needs": "needs",
    "--postcode": "postcode",
    "--lat": "lat",
    "--lon": "lon",
    "--easting": "easting",
    "--northing": "northing",
    "--format": "output_format",
    "--limit": "limit",
    "--index": "index",
}
_WHOLE = re.compile(r"[0-9]+\Z")  # a whole number as click reads it (and no other)
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\Z")


def main() -> None:
    """Console-script entry point: ``earlyhelp offer`` from the offer index when it can
    be answered there (:func:`quick_offer`), else the command line (:mod:`earlyhelp.cli`)."""
    args = sys.argv[1:]
    if args[:1] == ["offer"]:
        try:
            if quick_offer(args[1:]):
                return
        except BrokenPipeError:  # the reader went away (earlyhelp offer | head): not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is written
            return
        except KeyboardInterrupt:
            print("earlyhelp: stopped; nothing was written", file=sys.stderr)
            sys.exit(130)
    from earlyhelp.cli import main as command_line

    command_line()


def quick_offer(args: list[str]) -> bool:
    """Answer ``earlyhelp offer <args>`` from an up-to-date offer index and write the
    answer to standard output as the command does; False, with nothing written, when
    the command line must answer instead."""
    request = _request(args)
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if request is None or request["age"] is None or encoding != "utf8":
        return False
    found = _answer(request)
    if found is None:
        return False
    from earlyhelp.offer.plain import plain_csv, plain_json, print_plain

    if request["output_format"] == "csv":
        sys.stdout.write(plain_csv(found))
    elif request["output_format"] == "json":
        sys.stdout.write(plain_json(found))
    else:
        from rich.console import Console

        wide = None if sys.stdout.isatty() else 160
        print_plain(found, Console(width=wide, highlight=False, emoji=False))
    sys.stdout.flush()
    return True


def _answer(request: dict[str, Any]) -> Any:
    """The family's :class:`~earlyhelp.offer.plain.PlainOffer` from the offer index, or
    None when the command line must answer: no index made from this very config file
    and these input files (:func:`~earlyhelp.offer.index.quick_answer`), an error or a
    warning."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            from earlyhelp.offer.index import quick_answer
            from earlyhelp.offer.plain import check_format

            check_format(request["output_format"])
            where = ("postcode", "lat", "lon", "easting", "northing")
            found = quick_answer(
                request["config"],
                request["index"],
                age=request["age"],
                needs=request["needs"] or None,
                limit=request["limit"],
                **{k: request[k] for k in where},
            )
    except Exception:  # the command line says what went wrong, in its own words
        return None
    return None if caught else found


def _request(args: list[str]) -> dict[str, Any] | None:
    """The options of ``earlyhelp offer`` as its Typer command receives them, or None for
    anything not taken here exactly as typer takes it. ``--name value`` and
    ``--name=value`` (``-c value``); a repeated option's last value counts, and every
    ``--needs``."""
    given: dict[str, Any] = {
        "age": None,
        "config": Path("config.toml"),
        "needs": [],
        "postcode": None,
        "lat": None,
        "lon": None,
        "easting": None,
        "northing": None,
        "output_format": "table",
        "limit": 5,
        "index": None,
    }
    rest = list(args)
    while rest:
        name, eq, value = rest.pop(0).partition("=")
        if name not in _OPTIONS or (eq and name == "-c") or (not eq and not rest):
            return None
        if not eq:
            value = rest.pop(0)
        parameter = _OPTIONS[name]
        read = _value(parameter, value)
        if read is None:
            return None
        if parameter == "needs":
            given["needs"].append(read)
        else:
            given[parameter] = read
    return given


def _value(parameter: str, text: str) -> Any:
    """An option's value as typer reads it, or None when it might read it otherwise."""
    if parameter in ("age", "limit"):
        return int(text) if _WHOLE.match(text) else None
    if parameter in ("lat", "lon", "easting", "northing"):
        return float(text) if _NUMBER.match(text) else None
    if not text or text.startswith("-"):  # an option's name where its value should be
        return None
    return Path(text) if parameter in ("config", "index") else text
