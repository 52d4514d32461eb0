"""One line per benchmark figure, for people and for the README's speed table.

Each benchmark prints its figures as it likes and, for the table, one line per figure::

    FIGURE | what | scale | earlyhelp | anchor | ratio

``benchmarks/run_all.py`` (``make bench``) collects these lines from one run of every
benchmark and writes them into README.md between its speed-table markers, so the table
is never typed by hand.
"""

from __future__ import annotations

__all__ = ["figure"]


def figure(what: str, scale: str, ours: str, anchor: str = "", ratio: str = "") -> None:
    """Print one figure line (``|`` in a field is replaced, as it separates fields)."""
    fields = [str(f).replace("|", "/") for f in (what, scale, ours, anchor, ratio)]
    print("FIGURE | " + " | ".join(fields), flush=True)
