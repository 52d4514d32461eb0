"""Small-number suppression for anything published, and a mark for tables that are not.

Counts of children and families from 1 to 5 (``DisclosureConfig.min_count`` to
``max_count``) can identify a family, so a published table never shows them:

1. **Primary suppression**: each count from ``min_count`` to ``max_count`` is hidden.
2. **Secondary (complementary) suppression**: where a published total and the visible cells
   beside it would give a hidden cell back by subtraction (a total with exactly one hidden
   cell among its parts and itself), the smallest other cell is hidden too, preferring a
   non-zero part, then the total, then a zero; repeated until every total is safe.
3. **Derived values**: a rate, percentage or confidence limit built on a hidden count is
   hidden with it (it would give the count back through the published denominator).

The published table keeps three states apart: a zero shows as ``0``, a hidden cell as the
suppression symbol (``*``), and a missing value (not collected, not applicable) as the
``missing`` marker (``..``, the ONS convention for "not available"). Every other column
passes through unchanged, so list every count of people in ``count_columns``, including
small denominators.

Limits: the rule above stops exact recovery of a hidden cell from one total at a time; it is
the usual manual method, not a full audit. A determined reader solving all the table's
totals together can sometimes bound a hidden cell to a small range, and tables published
side by side (areas here, districts there) can be differenced against each other. The
audit in :mod:`earlyhelp.disclosure.audit` closes that gap: it takes every count and share
published together as one system of linear equations over base cells, solves for the range
of each hidden count as a reader would (:func:`earlyhelp.disclosure.audit_publication`),
and :func:`earlyhelp.disclosure.protect_publication` hides more until no hidden count is
pinned to a range narrower than the suppression band, or refuses to publish. Publish the
coarsest table that answers the question, and register every published count with the
audit.

Analyst tables, which keep small numbers, are marked with :func:`mark_unpublished`;
writers of public outputs call :func:`check_publishable`, which accepts only tables that
came out of :func:`suppress`.
"""

from __future__ import annotations

__all__ = [
    "MISSING",
    "PUBLICATION_ATTR",
    "check_publishable",
    "is_publishable",
    "mark_unpublished",
    "suppress",
]

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.errors import EarlyHelpError

# Marker of a value that is missing (not collected or not applicable), distinct from 0 and *.
MISSING = ".."

# Key in DataFrame.attrs saying whether a table may be published: "suppressed" (made by
# suppress) or "unpublished" (marked by mark_unpublished). No key means unpublished.
PUBLICATION_ATTR = "earlyhelp_publication"


def suppress(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    rate_columns: Mapping[str, str | Sequence[str]] | None = None,
    min_count: int = 1,
    max_count: int = 5,
    symbol: str = "*",
    missing: str = MISSING,
    total_row: Hashable | None = None,
    column_totals: Mapping[str, Sequence[str]] | None = None,
    decimals: int = 1,
    hide: Iterable[tuple[Hashable, str]] = (),
) -> pd.DataFrame:
    """The published form of ``table``: small counts hidden, totals made safe, text cells.

    Parameters
    ----------
    table
        The analyst table (not changed); count and rate columns numeric, missing NaN.
    count_columns
        Counts of people or events (children, families, places taken up...).
    rate_columns
        Derived column -> the counts it is built on (``{"rate": ["referrals",
        "children"]}``), hidden wherever any of them is: a rate and its numerator give
        back its denominator, and the other way round.
    min_count, max_count
        Counts from ``min_count`` to ``max_count`` inclusive (after rounding to whole
        people) are hidden (``DisclosureConfig``); with ``min_count=1`` zeros are shown.
    symbol
        What a hidden cell shows (``DisclosureConfig.symbol``).
    missing
        What a missing cell shows; must differ from ``symbol`` and from any number.
    total_row
        Index label of the row holding the column totals of the other rows, if the table
        has one. With a two-level (or deeper) index the total rows are those whose last
        index level equals ``total_row``, and each totals the other rows sharing its leading
        levels, for example a total row per district: ``("E07000084", "Total")``.
    column_totals
        Total column -> the count columns that add up to it, for example
        ``{"children": ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17"]}``. All of them
        must be in ``count_columns``.
    decimals
        Decimal places of the rate columns (counts are shown as whole numbers when whole).
    hide
        Further ``(row label, column)`` cells to hide, as primary suppressions (counts or
        rates the audit of everything published together finds must go).

    Returns
    -------
    DataFrame
        Same index, columns and order as ``table``; count and rate columns as text (``"12"``,
        ``"*"``, ``".."``, ``"0"``), other columns unchanged. ``attrs``: that it is
        publishable, the parameters, ``suppressed_cells`` (primary and secondary).

    Example
    -------
    >>> t = pd.DataFrame({"a": [12, 3], "b": [0, 8]}, index=["North", "South"])
    >>> suppress(t, count_columns=["a", "b"])
            a  b
    North  12  0
    South   *  8
    """
    cols, rates, totals = _checked_arguments(
        table, count_columns, rate_columns, column_totals, symbol, missing, min_count, max_count
    )
    values = _whole_counts(table, cols)
    primary = (values >= min_count) & (values <= max_count)
    forced_counts, forced_rates = _forced(table, cols, rates, hide)
    groups = _total_groups(table.index, values.shape[1], cols, total_row, totals)
    hidden = _secondary(values, primary | forced_counts, groups)
    out = _published_cells(
        table, values, hidden, cols, rates, symbol, missing, decimals, forced_rates
    )
    params = _parameters(
        table, cols, rates, totals, min_count, max_count, symbol, missing, total_row
    )
    out.attrs = {PUBLICATION_ATTR: "suppressed", "suppression": params}
    out.attrs["suppressed_cells"] = int(hidden.sum())
    return out


def mark_unpublished(table: pd.DataFrame, *, note: str = "") -> pd.DataFrame:
    """A copy of ``table`` marked as an analyst table that must not be published.

    The mark is ``attrs[PUBLICATION_ATTR] = "unpublished"`` (with ``note`` under
    ``attrs["publication_note"]``). It travels with copies and column selections of the
    frame; pandas drops ``attrs`` in some operations (merges of differently marked frames),
    which is why unmarked tables count as unpublished too: the mark is for people and
    writers, :func:`check_publishable` is the guard.
    """
    out = table.copy()
    out.attrs[PUBLICATION_ATTR] = "unpublished"
    if note:
        out.attrs["publication_note"] = note
    return out


def is_publishable(table: pd.DataFrame) -> bool:
    """True only for a table made by :func:`suppress` and not changed in ways that matter.

    pandas carries ``attrs`` through many operations, so the mark alone is not trusted: the
    table must still have exactly the columns :func:`suppress` returned, and none of its
    count columns may show a number from ``min_count`` to ``max_count`` (which catches rows
    added from an analyst table).
    """
    info = table.attrs.get("suppression")
    if table.attrs.get(PUBLICATION_ATTR) != "suppressed" or not isinstance(info, dict):
        return False
    if list(table.columns) != info.get("columns"):
        return False
    shown = table[info["count_columns"]].apply(pd.to_numeric, errors="coerce")
    small = (shown >= info["min_count"]) & (shown <= info["max_count"])
    return not small.to_numpy().any()


def check_publishable(table: pd.DataFrame, *, name: str) -> None:
    """Raise unless ``table`` may be published; ``name`` says which output it was for.

    Writers of public outputs (the board map, report, public CSVs) call this before writing.
    """
    if not is_publishable(table):
        raise EarlyHelpError(
            f"{name}: refusing to publish a table that has not been through small-number "
            "suppression; pass it through earlyhelp.disclosure.suppress first, or write it "
            "to the analyst folder with mark_unpublished"
        )


def _checked_arguments(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    rate_columns: Mapping[str, str | Sequence[str]] | None,
    column_totals: Mapping[str, Sequence[str]] | None,
    symbol: str,
    missing: str,
    min_count: int,
    max_count: int,
) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """The count columns, each rate column's bases and each total column's parts as
    lists, after :func:`_check_arguments`."""
    # a rate is hidden with any count it is built on: numerator or denominator
    rates = {
        col: [base] if isinstance(base, str) else list(base)
        for col, base in (rate_columns or {}).items()
    }
    totals = {k: list(v) for k, v in (column_totals or {}).items()}
    cols = list(count_columns)
    _check_arguments(table, cols, rates, totals, symbol, missing, min_count, max_count)
    return cols, rates, totals


def _check_arguments(
    table: pd.DataFrame,
    cols: list[str],
    rate_columns: dict[str, list[str]],
    column_totals: dict[str, list[str]],
    symbol: str,
    missing: str,
    min_count: int,
    max_count: int,
) -> None:
    """Refuse arguments that would publish something unsafe or ambiguous (ValueError)."""
    absent = [c for c in [*cols, *rate_columns] if c not in table.columns]
    if absent:
        raise ValueError(f"columns not in the table: {', '.join(absent)}")
    for col, bases in rate_columns.items():
        for base in bases:
            if base not in cols:
                raise ValueError(f"rate column '{col}' is built on '{base}', not a count column")
    for total, parts in column_totals.items():
        unknown = [c for c in [total, *parts] if c not in cols]
        if unknown:
            raise ValueError(f"column_totals names non-count columns: {', '.join(unknown)}")
    if not 0 <= min_count <= max_count:
        raise ValueError("suppression needs 0 <= min_count <= max_count")
    if symbol == missing or not symbol:
        raise ValueError("symbol and missing must be different, and symbol not empty")
    for marker in (symbol, missing):
        try:
            float(marker)
        except ValueError:
            continue
        raise ValueError(f"marker {marker!r} reads as a number; use a symbol such as '*'")
    if table.index.has_duplicates:
        raise ValueError("the table index must be unique to find its total rows")


def _parameters(
    table: pd.DataFrame,
    cols: list[str],
    rate_columns: dict[str, list[str]],
    column_totals: dict[str, list[str]],
    min_count: int,
    max_count: int,
    symbol: str,
    missing: str,
    total_row: Hashable | None,
) -> dict[str, Any]:
    """What :func:`suppress` records in ``attrs["suppression"]``: the table's columns and
    the parameters used (read back by :func:`is_publishable`)."""
    return {
        "columns": list(table.columns),
        "min_count": min_count,
        "max_count": max_count,
        "symbol": symbol,
        "missing": missing,
        "count_columns": cols,
        "rate_columns": rate_columns,
        "total_row": total_row,
        "column_totals": column_totals,
    }


def _forced(
    table: pd.DataFrame,
    cols: list[str],
    rates: dict[str, list[str]],
    hide: Iterable[tuple[Hashable, str]],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``hide`` as a mask of the count columns and one per rate column."""
    counts = np.zeros((len(table), len(cols)), dtype=bool)
    by_rate = {col: np.zeros(len(table), dtype=bool) for col in rates}
    for row, col in hide:
        if col not in cols and col not in rates:
            raise ValueError(f"cannot hide ({row!r}, {col!r}): not a count or rate column")
        i = table.index.get_loc(row)
        if not isinstance(i, int):
            raise ValueError(f"cannot hide ({row!r}, {col!r}): the row label is not unique")
        if col in rates:
            by_rate[col][i] = True
        else:
            counts[i, cols.index(col)] = True
    return counts, by_rate


def _whole_counts(table: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """The count columns as floats (NaN where missing), rounded to whole people."""
    values = table[cols].apply(pd.to_numeric, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    # whole people: an apportioned 5.4 children is published as 5, so it is tested as 5
    return np.round(values)


def _published_cells(
    table: pd.DataFrame,
    values: np.ndarray,
    hidden: np.ndarray,
    cols: list[str],
    rate_columns: dict[str, list[str]],
    symbol: str,
    missing: str,
    decimals: int,
    forced_rates: dict[str, np.ndarray],
) -> pd.DataFrame:
    """A copy of ``table`` with its count and rate columns as text cells: a rate is hidden
    wherever any count it is built on is (see :func:`suppress`), or where it is forced."""
    out = table.copy()
    for j, col in enumerate(cols):
        out[col] = _as_text(values[:, j], hidden[:, j], symbol, missing, _format_count)
    for col, bases in rate_columns.items():
        rates = pd.to_numeric(table[col], errors="raise").to_numpy(dtype=float, na_value=np.nan)
        gone = np.logical_or.reduce([hidden[:, cols.index(b)] for b in bases], initial=False)
        gone = gone | forced_rates[col]
        out[col] = _as_text(rates, gone, symbol, missing, lambda v: f"{v:.{decimals}f}")
    return out


def _total_groups(
    index: pd.Index,
    n_cols: int,
    cols: list[str],
    total_row: Hashable | None,
    column_totals: dict[str, list[str]],
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Every published total with the cells adding up to it.

    Each group is ``(rows, columns, total position)``: the cells ``(rows[i], columns[i])``
    of one sum, with the total cell at ``total position``.
    """
    groups: list[tuple[np.ndarray, np.ndarray, int]] = []
    if total_row is not None:
        if isinstance(index, pd.MultiIndex):
            last = index.get_level_values(-1)
            lead = index.droplevel(-1)
            is_total = np.asarray(last == total_row)
            keys = pd.factorize(lead)[0]
        else:
            is_total = np.asarray(index == total_row)
            keys = np.zeros(len(index), dtype=int)
        if not is_total.any():
            raise ValueError(f"total_row {total_row!r} is not in the table index")
        for t in np.flatnonzero(is_total):
            members = np.flatnonzero((keys == keys[t]) & ~is_total)
            rows = np.append(members, t)
            for j in range(n_cols):
                groups.append((rows, np.full(rows.size, j), rows.size - 1))
    for total, parts in column_totals.items():
        cidx = np.array([cols.index(c) for c in parts] + [cols.index(total)])
        for i in range(len(index)):
            groups.append((np.full(cidx.size, i), cidx, cidx.size - 1))
    return groups


def _secondary(
    values: np.ndarray, hidden: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray, int]]
) -> np.ndarray:
    """Hide more cells until no published total has exactly one hidden cell in its sum."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for rows, cols, t in groups:
            if np.isnan(values[rows[t], cols[t]]):
                continue  # no published total, nothing to subtract from
            if hidden[rows, cols].sum() != 1:
                continue
            k = _complement(values[rows, cols], hidden[rows, cols], t)
            if k is None:
                continue  # every other cell is missing: nothing further can be hidden
            hidden[rows[k], cols[k]] = True
            changed = True
    return hidden


def _complement(vals: np.ndarray, hid: np.ndarray, t: int) -> int | None:
    """Position (in the group) of the cell to hide beside a lone hidden cell.

    The smallest visible non-zero part; failing that the total; failing that a zero part.
    """
    visible = ~hid & ~np.isnan(vals)
    parts = visible.copy()
    parts[t] = False
    positive = np.flatnonzero(parts & (vals > 0))
    if positive.size:
        return int(positive[np.argmin(vals[positive])])
    if visible[t]:
        return t
    zeros = np.flatnonzero(parts)
    return int(zeros[0]) if zeros.size else None


def _format_count(v: float) -> str:
    """``12`` for a whole count, the shortest exact decimal otherwise (modelled estimates)."""
    return str(int(v)) if float(v).is_integer() else str(float(v))


def _as_text(
    values: np.ndarray,
    hidden: np.ndarray,
    symbol: str,
    missing: str,
    fmt: Callable[[float], str],
) -> list[str]:
    """Text cells: the symbol where hidden, the missing marker where NaN, else ``fmt(v)``."""
    # as Python floats and bools (formatted as numpy's would be; a NaN is not itself)
    return [
        symbol if h else missing if v != v else fmt(v)
        for v, h in zip(np.asarray(values, dtype=float).tolist(), hidden.tolist(), strict=True)
    ]
