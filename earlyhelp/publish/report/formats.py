"""How the report writes numbers: counts, percentages, money; symbols pass through.

A published cell is either a number or a symbol (the suppression symbol, or ``..`` for a
value that is missing): every formatter here shows a number its way and a symbol as it is.
"""

from __future__ import annotations

__all__ = ["cell_text", "fmt_count", "fmt_money", "fmt_num", "fmt_pct", "number"]

from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.disclosure import MISSING


def number(cell: Any) -> float | None:
    """A published cell as a number, or None for a symbol (``*``, ``..``) or missing."""
    if cell is None or cell is pd.NA:
        return None
    try:
        value = float(cell)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(value) else value


def _shown(cell: Any) -> str:
    """What a cell that is not a number shows: the suppression symbol, or ``..``."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
        return MISSING
    return str(cell)


def fmt_count(cell: Any) -> str:
    """``301247`` -> ``301,247``; symbols pass through."""
    v = number(cell)
    return _shown(cell) if v is None else f"{v:,.0f}"


def fmt_pct(cell: Any, decimals: int = 1) -> str:
    """``45.78`` -> ``45.8%``; symbols pass through."""
    v = number(cell)
    return _shown(cell) if v is None else f"{v:.{decimals}f}%"


def fmt_money(cell: Any) -> str:
    """``270.18`` -> ``£270``; ``81391800`` -> ``£81,391,800``; symbols pass through."""
    v = number(cell)
    return _shown(cell) if v is None else f"£{v:,.0f}"


def fmt_num(cell: Any, decimals: int = 1) -> str:
    """A plain number with thousands separators; symbols pass through."""
    v = number(cell)
    return _shown(cell) if v is None else f"{v:,.{decimals}f}"


def cell_text(value: Any) -> str:
    """Any table cell as text: whole numbers with thousands separators, others with one
    decimal (published text cells such as ``"17610"`` too), missing as ``..``."""
    if value is None or value is pd.NA:
        return MISSING
    v = number(value) if isinstance(value, str | float | int | np.number) else None
    if v is None:
        return MISSING if isinstance(value, float) else str(value)
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
