"""What goes beside a folder's tables: the notes (``tables/README.txt``), the workbook's
About sheet, and the worst priority of each small area for the GeoPackage.

The notes say, for each CSV, whether it may be published (as its file name does), what it
is, and each column's meaning with its unit; then the unit convention, the attribution
and the licence the outputs are published under (``[attribution]`` in config.toml).
"""

from __future__ import annotations

__all__ = ["tables_readme", "workbook_about", "worst_priority"]

import datetime as dt
import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd

from earlyhelp.columns import measure_column
from earlyhelp.config import Config
from earlyhelp.disclosure import is_publishable
from earlyhelp.outputs import TABLE_NOTES, column_format, sheet_title
from earlyhelp.sufficiency import PRIORITY_CLASSES

_CONVENTION = (
    "Units, the same in every table, the workbook and results.gpkg: shares of children "
    "are percentages (0-100, columns pct_*); places are a year per 1,000 children "
    "(places_per_1000*); counts are whole numbers; money is in pounds (GBP); distances are "
    "in metres (minutes with the road network model); the need index is 0-100. Empty "
    "cells are values that are missing or do not apply."
)
_PUBLISHED = (
    "may be published: small numbers suppressed ({symbol} marks a count from "
    "{lo} to {hi}, and what could give one back)"
)
_UNPUBLISHED = "NOT FOR PUBLICATION: analyst table with unsuppressed small numbers"


def _wrapped(text: str, indent: str = "") -> str:
    return textwrap.fill(text, width=88, initial_indent=indent, subsequent_indent=indent)


def credit_lines(cfg: Config) -> list[str]:
    """The attribution and licence as lines of text."""
    lines = list(cfg.attribution_lines())
    given = cfg.attribution
    if given.licence:
        where = f" ({given.licence_url})" if given.licence_url else ""
        if given.publisher:
            lines.append(
                f"{given.publisher} publishes these outputs under the {given.licence}{where}."
            )
        else:
            lines.append(f"These outputs are published under the {given.licence}{where}.")
    return lines


def tables_readme(
    cfg: Config,
    command: str,
    tables: Mapping[str, tuple[str, pd.DataFrame]],
    *,
    cost_unit: str | None,
) -> str:
    """The text of ``tables/README.txt`` for ``tables`` (name -> (path, table as written))."""
    d = cfg.disclosure
    title = f"Tables of earlyhelp {command}: {cfg.run.description or cfg.run.name}"
    out = [title, "=" * len(title), ""]
    out += [
        _wrapped(
            f"Data as at {cfg.run.data_date or 'a date not stated'}. Each table is a plain "
            "CSV (UTF-8, the header on the first line) that opens in Excel, QGIS or with "
            "pandas.read_csv. Whether a table may be published is in its name and in "
            "manifest.json: a name ending _NOT_FOR_PUBLICATION holds small numbers that "
            "could identify families."
        ),
        "",
        _wrapped(_CONVENTION),
        "",
    ]
    labels = {key: cfg.category_label(key) for key in cfg.categories}
    for name, (path, frame) in tables.items():
        status = (
            _PUBLISHED.format(symbol=d.symbol, lo=d.min_count, hi=d.max_count)
            if path.endswith(f"/{name}.csv")
            else _UNPUBLISHED
        )
        out += [path.removeprefix("tables/"), "-" * len(path.removeprefix("tables/"))]
        out.append(_wrapped(TABLE_NOTES.get(name, "A table of results.")))
        out.append(_wrapped(f"Status: {status}."))
        for column in frame.columns:
            fmt = column_format(str(column), table=name, cost_unit=cost_unit, labels=labels)
            header = fmt.header
            if fmt.kind == "flag":  # the workbook says yes/no; a CSV holds True/False
                header = header.replace("(yes/no)", "(True/False)")
            out.append(_wrapped(f"{column}: {header}", "  "))
        out.append("")
    out += ["Attribution and licence", "-----------------------"]
    out += [_wrapped(line) for line in credit_lines(cfg)]
    out.append("")
    return "\n".join(out)


def workbook_about(
    cfg: Config, command: str, sheets: Mapping[str, pd.DataFrame]
) -> list[tuple[str, str]]:
    """The rows of the workbook's About sheet: what it is, each sheet, units, credits."""
    rows = [
        ("Early help", cfg.run.description or cfg.run.name),
        ("Made by", f"earlyhelp {command}, {dt.date.today():%d %B %Y}"),
        ("Data as at", cfg.run.data_date or "not stated"),
    ]
    for name, frame in sheets.items():
        publishable = frame.attrs.get("publishable", is_publishable(frame))
        status = "May be published." if publishable else "NOT FOR PUBLICATION."
        rows.append(
            (f"Sheet: {sheet_title(name)}", f"{TABLE_NOTES.get(name, '')} {status}".strip())
        )
    rows.append(("Units", _CONVENTION))
    for i, line in enumerate(credit_lines(cfg)):
        rows.append(("Attribution and licence" if i == 0 else "", line))
    if cfg.attribution.licence_url:
        rows.append(("Licence", cfg.attribution.licence_url))
    return rows


def worst_priority(layers: Mapping[str, pd.DataFrame], cfg: Config) -> dict[str, pd.DataFrame]:
    """``layers`` with the ``areas`` layer given ``priority``: the most urgent class of
    the core kinds of help in each area (what the board map's priority layer shows), for
    the GeoPackage's style. Unchanged when the layer has no priority columns."""
    out = dict(layers)
    areas = layers.get("areas")
    core = [k for k, c in cfg.categories.items() if c.required]
    columns = [] if areas is None else [measure_column("priority", k) for k in core]
    columns = [c for c in columns if areas is not None and c in areas]
    if areas is None or not columns or "priority" in areas:
        return out
    rank = {name: i for i, name in enumerate(PRIORITY_CLASSES)}
    worst = areas[columns].apply(lambda col: col.map(rank)).min(axis=1)
    known = worst.notna().to_numpy()
    values = np.full(len(areas), None, dtype=object)
    values[known] = np.array(PRIORITY_CLASSES, dtype=object)[worst[known].astype(int)]
    out["areas"] = areas.copy().assign(priority=values)  # copy: one block, not hundreds
    return out
