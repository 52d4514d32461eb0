"""What the command line shows: tables as wide as the terminal, progress on every step
that takes more than a moment, and the readable list of import formats.

Part of the command-line layer (beside :mod:`earlyhelp.cli`): it prints, and imports
rich and the registries late, so that ``earlyhelp --help`` stays fast. Every cell and
name printed here is outside text, shown as text, never read as rich markup.
"""

from __future__ import annotations

__all__ = [
    "console",
    "format_sources",
    "print_table",
    "steps",
    "version_text",
    "working",
]

import contextlib
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any


def console(*, stderr: bool = False):
    """A rich console as wide as the terminal (``COLUMNS`` when output is not one)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=False)


def _plain(value: object) -> str:
    from earlyhelp.validation import plain_text

    return plain_text(value)


def cell(value: Any) -> str:
    """A table cell as text: missing as '', whole numbers with thousands separators,
    other numbers to one decimal; text as it is (made safe for a terminal)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return _plain(value)


def print_table(title: str, columns: Mapping[str, str], table) -> None:
    """``table``'s ``columns`` (key -> heading) under ``title``, as wide as the terminal.

    Numbers and words are never broken: when the columns cannot fit side by side (a narrow
    terminal), each row is printed as a block of "heading: value" lines instead.
    """
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    out = console()
    labels = [_plain(label) for label in columns.values()]
    rows = [[cell(row[c]) for c in columns] for _, row in table.iterrows()]
    widths = [
        max([cell_len(w) for w in label.split()] + [cell_len(r[i]) for r in rows] + [1])
        for i, label in enumerate(labels)
    ]
    # the box's edge each side, and between two columns a space of padding each side of a
    # one-space divider: without them counted, rich squeezes the columns and the
    # terminal cuts the last ones off ("Spe", "£1,")
    spare = out.width - (sum(widths) + 3 * len(widths) - 1)
    if spare < 0:
        _print_blocks(out, _plain(title), labels, rows)
        return
    # the room left goes, a space at a time, to the column with the tallest heading
    whole = [max(cell_len(label), width) for label, width in zip(labels, widths, strict=True)]
    while spare > 0:
        growing = [i for i in range(len(widths)) if widths[i] < whole[i]]
        if not growing:
            break
        i = max(growing, key=lambda i: len(textwrap.wrap(labels[i], widths[i])))
        widths[i] += 1
        spare -= 1
    grid = Table(title=Text(_plain(title)), expand=False, box=box.SIMPLE_HEAD, pad_edge=False)
    for label, width in zip(labels, widths, strict=True):
        grid.add_column(Text(label), width=width)
    for values in rows:
        grid.add_row(*(Text(v) for v in values))
    out.print(grid)


def _print_blocks(out, title: str, labels: Sequence[str], rows: list[list[str]]) -> None:
    """Each row as its first cell, then "heading: value" lines (for a narrow terminal)."""
    from rich.text import Text

    out.print(Text(title, style="bold"))
    for values in rows:
        out.print(Text(""))
        out.print(Text(values[0], style="bold"))
        for label, value in zip(labels[1:], values[1:], strict=True):
            if value:
                out.print(Text(f"  {label.strip()}: {value}"))


@contextlib.contextmanager
def steps(names: Sequence[str], *, title: str = "earlyhelp") -> Iterator[Callable[[str], None]]:
    """A progress bar over named steps (on stderr); yields ``step(name)``, to call as each
    step starts. It disappears when done, and shows nothing when stderr is not a terminal."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=True,
        console=console(stderr=True),
        disable=not sys.stderr.isatty(),
    )
    with bar:
        task = bar.add_task(title, total=len(names))
        seen: list[str] = []

        def step(name: str) -> None:
            if seen:
                bar.advance(task)
            seen.append(name)
            bar.update(task, description=_plain(name))

        yield step
        bar.update(task, completed=len(names), description="done")


@contextlib.contextmanager
def working(text: str) -> Iterator[Callable[[str], None]]:
    """A spinner with ``text`` (on stderr) while one long step runs; yields a function
    that changes the text."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    with console(stderr=True).status(_plain(text)) as status:
        yield lambda new: status.update(_plain(new))


def _default(value: Any) -> str:
    if value in ("", None, ()) or value == []:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    return str(value)


def _words(text: str) -> str:
    """A docstring's Python words as the command line writes them (True -> true)."""
    import re

    swap = {"True": "true", "False": "false", "None": "none"}
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text).replace("`", "")  # Sphinx roles
    return re.sub(r"\b(True|False|None)\b", lambda m: swap[m.group(1)], text)


def format_sources(width: int | None = None) -> str:
    """Every format ``earlyhelp import`` reads: what it is, the table it makes, each
    option with its default and meaning, and an example; wrapped to ``width`` (the
    terminal's by default)."""
    from earlyhelp.sources import SOURCES

    width = max(60, width or shutil.get_terminal_size((100, 24)).columns)
    out: list[str] = []
    for name, source in SOURCES.items():
        out.append(f"{name}: makes a {source.produces} table")
        out += textwrap.wrap(source.description, width, initial_indent="  ",
                             subsequent_indent="  ")  # fmt: skip
        meanings = source.meanings
        if source.options:
            out.append("  options (--option NAME=VALUE):")
        for option, default in source.options.items():
            head = f"    {option} (default: {_default(default)})"
            out.append(head)
            out += textwrap.wrap(_words(meanings.get(option) or ""), width, initial_indent="      ",
                                 subsequent_indent="      ")  # fmt: skip
        if not source.options:
            out.append("  options: none")
        out += textwrap.wrap(f"example: {source.example}", width, initial_indent="  ",
                             subsequent_indent="    ", break_on_hyphens=False)  # fmt: skip
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def version_text() -> str:
    """``earlyhelp 0.1.0`` (the installed version)."""
    from importlib import metadata

    try:
        version = metadata.version("earlyhelp")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        from earlyhelp import __version__ as version
    return f"earlyhelp {version}"
