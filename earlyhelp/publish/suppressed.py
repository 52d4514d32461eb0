"""Published tables of the case-system, expertise and benchmark products: every one made
by :func:`earlyhelp.disclosure.suppress` with the run's rule, and text columns derived
from a hidden figure (a comparison, an interval written out) hidden with it.
"""

from __future__ import annotations

__all__ = ["cell", "hide_with", "interval", "published"]

from collections.abc import Mapping, Sequence

import pandas as pd

from earlyhelp.config import Config
from earlyhelp.disclosure import check_publishable, suppress
from earlyhelp.publish.report.formats import number


def published(
    frame: pd.DataFrame,
    cfg: Config,
    *,
    counts: Sequence[str],
    rates: Mapping[str, Sequence[str]] | None = None,
    total_row: str | None = None,
    derived: Mapping[str, str] | None = None,
    name: str,
    decimals: int = 1,
) -> pd.DataFrame:
    """``frame`` through small-number suppression with the run's ``[disclosure]`` rule.

    ``rates`` maps each rate, share or limit column to the counts it is built on (hidden
    with any of them); ``derived`` maps a text column (a comparison, an interval written
    out) to the rate column it comes from, and is hidden where that is. ``name`` says
    which output it is for, should it not be publishable.
    """
    d = cfg.disclosure
    shown = suppress(
        frame,
        count_columns=list(counts),
        rate_columns={k: list(v) for k, v in (rates or {}).items()},
        min_count=d.min_count,
        max_count=d.max_count,
        symbol=d.symbol,
        total_row=total_row,
        decimals=decimals,
    )
    hide_with(shown, derived or {}, symbol=d.symbol)
    check_publishable(shown, name=name)
    return shown


def hide_with(shown: pd.DataFrame, derived: Mapping[str, str], *, symbol: str) -> None:
    """Hide each derived text column (in place) wherever its source column is hidden
    (the suppression symbol); the columns stay as they are, so the table stays
    publishable."""
    for column, source in derived.items():
        gone = shown[source].astype(str) == symbol
        shown[column] = shown[column].astype(object).where(~gone, symbol)


def interval(lower: object, upper: object, *, unit: str = "") -> str:
    """``"12.3 to 15.6%"`` from two published cells; a symbol or ``..`` passes through."""
    lo, hi = number(lower), number(upper)
    if lo is None or hi is None:
        return str(lower if lo is None else upper)
    return f"{lo:,.1f} to {hi:,.1f}{unit}"


def cell(value: object, *, unit: str = "", decimals: int = 1) -> str:
    """A published cell in a sentence: ``"15.2%"``, ``"4,927"``; symbols pass through."""
    v = number(value)
    if v is None:
        return str(value)
    whole = decimals == 0 or (float(v).is_integer() and "." not in str(value))
    return f"{v:,.0f}{unit}" if whole else f"{v:,.{decimals}f}{unit}"
