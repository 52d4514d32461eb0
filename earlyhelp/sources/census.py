"""Census 2021 topic summaries as need indicators: TS011 household deprivation.

ONS TS011 counts households by how many of four **dimensions of deprivation** they have:
employment, education, health and disability, and housing. The bulk download (NOMIS or
ONS "census2021-ts011-<geography>.csv") has ``date``, ``geography``, ``geography code`` and
one column per class, ``Household deprivation: Household is deprived in two dimensions;
measures: Value``; the same file exists for LSOAs, MSOAs, wards and districts.
"""

from __future__ import annotations

__all__ = ["DEPRIVATION_CLASSES", "read_ts011"]

from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import (
    as_counts,
    find_column,
    norm,
    published_numbers,
    read_text_table,
    report_tidied,
    text,
)
from earlyhelp.sources.long import stem
from earlyhelp.validation import ValidationReport

# number of dimensions -> the words of its column header
DEPRIVATION_CLASSES = {
    0: "not deprived in any dimension",
    1: "deprived in one dimension",
    2: "deprived in two dimensions",
    3: "deprived in three dimensions",
    4: "deprived in four dimensions",
}


def read_ts011(
    path: str | Path,
    *,
    report: ValidationReport,
    dimensions: int = 1,
    name: str = "household_deprivation",
) -> pd.DataFrame:
    """Read Census 2021 TS011 (household deprivation) for any geography.

    Parameters
    ----------
    path
        The CSV as downloaded (``census2021-ts011-lsoa.csv``, or for MSOAs, wards...).
    report
        Where problems are recorded.
    dimensions
        The indicator counts households deprived in at least this many dimensions (1 to
        4): 1 is "deprived in any dimension", 2 the usual "two or more".
    name
        The stem of the indicator's columns, in snake_case.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name``, ``households`` (all households),
        ``households_deprived_0`` ... ``_4`` (households deprived in exactly that many
        dimensions), then the indicator: ``<name>_count`` (deprived in ``dimensions`` or
        more), ``<name>_percent`` (of all households) and ``<name>_denominator`` (all
        households).
    """
    if not 1 <= dimensions <= 4:
        raise InputError(f"census_ts011: dimensions must be 1 to 4, not {dimensions}")
    table = read_text_table(
        Path(path),
        report=report,
        is_header=lambda r: find_column(r, ["geography code"]) is not None,
    )
    code = find_column(table.frame.columns, ["geography code", "geography_code", "mnemonic"])
    total = _class_column(table.frame.columns, "total: all households")
    classes = {
        n: _class_column(table.frame.columns, words) for n, words in DEPRIVATION_CLASSES.items()
    }
    if code is None or total is None or any(c is None for c in classes.values()):
        raise InputError(
            f"{table.file}: no 'geography code' and 'Household deprivation: ...; measures: "
            "Value' columns; this does not look like Census 2021 TS011 as downloaded"
        )
    tidied: list[str] = []
    names = text(table, find_column(table.frame.columns, ["geography"]))
    out = pd.DataFrame({"area_code": table.frame[code], "area_name": names})
    households = published_numbers(table, total, report=report, tidied=tidied)
    out["households"] = as_counts(households)
    counts = {
        n: published_numbers(table, c, report=report, tidied=tidied) for n, c in classes.items()
    }
    for n, values in counts.items():
        out[f"households_deprived_{n}"] = as_counts(values)
    report_tidied(table, report, tidied)
    key = stem(name, "household_deprivation")
    deprived = sum(counts[n] for n in range(dimensions, 5))
    out[f"{key}_count"] = as_counts(deprived)
    out[f"{key}_percent"] = 100 * deprived / households.where(households > 0)
    out[f"{key}_denominator"] = as_counts(households)
    out.attrs["dimensions"] = dimensions
    out.attrs["column_kinds"] = {c: "count" for c in out.columns if c not in (
        "area_code", "area_name", f"{key}_percent")} | {f"{key}_percent": "rate"}  # fmt: skip
    out.attrs["rate_denominators"] = {f"{key}_percent": f"{key}_denominator"}
    return out


def _class_column(columns, words: str) -> str | None:
    key = norm(words)
    for column in columns:
        if key in norm(column) and norm(column).startswith("householddeprivation"):
            return str(column)
    return None
