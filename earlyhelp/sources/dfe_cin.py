"""DfE "Characteristics of children in need" tables, as published on Explore Education
Statistics (one CSV per table, every council, region and England, one row a year).

Tables read (by DfE's names), in either of the layouts DfE has used:

==============  ==============================================  ===================================
table           what                                            told by the header
==============  ==============================================  ===================================
``b1``          children in need (episodes, children)           ``Anypoint_child``
``c1``          referrals, re-referrals within 12 months, NFA   ``referral_count`` or ``Referrals``
``c3``          factors identified at the end of assessment     ``Episodes_with_assessment_factor``
``c5``          referrals by source (police, health, schools)   ``Police``
``d1``          child protection plans, rates (2022 release)    ``CPP_anypoint``
``d3``          plans that are a second or subsequent plan      ``CPP_subsequent``
``d5``          plans open at 31 March by duration              ``2_years_or_more``
``population``  ONS mid-year estimates of children aged 0-17    ``population_estimate``
==============  ==============================================  ===================================

:func:`read_cin_table` returns a long table: one row per year, place and measure, the
value as a number and, where DfE printed a symbol instead, the symbol (:data:`DFE_SYMBOLS`:
``c`` suppressed to protect individuals, ``x`` not available, ``z`` not applicable, ``u``
low reliability, ``low`` rounds to 0 but is not 0, and the older ``:`` and ``..``; with or
without square brackets). A symbol is never read as 0.

Example
-------
>>> report = ValidationReport()                                              # doctest: +SKIP
>>> c1 = read_cin_table("c1_children_in_need_referrals_and_rereferrals.csv", report=report)
"""

from __future__ import annotations

__all__ = ["CIN_COLUMNS", "CIN_TABLES", "DFE_SYMBOLS", "cin_table_name", "read_cin_table"]

from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import Table, norm, read_text_table
from earlyhelp.validation import ValidationReport

# What a symbol printed in place of a number means (DfE and GSS conventions).
DFE_SYMBOLS = {
    "c": "suppressed by DfE to protect confidentiality",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability (DfE does not publish it)",
    "low": "rounds to 0, but is not 0",
    ":": "not available",
    "..": "not available",
}

# The long table's columns.
CIN_COLUMNS = (
    "table",
    "time_period",
    "geographic_level",
    "code",
    "old_la_code",
    "name",
    "region_code",
    "measure",
    "value",
    "symbol",
)

# Each table: a header that tells it apart (normalised), then the measures under
# DfE's other names (normalised header -> the name used here).
CIN_TABLES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "b1": (("anypointchild",), {}),
    "c1": (
        ("referralcount", "referrals"),
        {
            "referrals": "referral_count",
            "rereferrals": "rereferral_count",
            "rereferralspercent": "rereferral_percent",
            "nofurtheraction": "no_further_action_count",
            "notinneed": "not_in_need_count",
            "referralschild": "referral_child_count",
            "referralschildrate": "referral_child_rate",
            "rereferralschild": "rereferral_child_count",
            "rereferralschildpercent": "rereferral_child_percent",
        },
    ),
    "c3": (("episodeswithassessmentfactor",), {}),
    "c5": (("police",), {"referrals": "referral_count"}),
    "d1": (("cppanypoint",), {}),
    "d3": (("cppsubsequent",), {}),
    "d5": (("2yearsormore",), {}),
    "population": (("populationestimate",), {"populationestimate": "population"}),
}
# Columns that say what a row is, not what was counted.
_ID = {
    "timeperiod": "time_period",
    "timeidentifier": "",
    "geographiclevel": "geographic_level",
    "countrycode": "country_code",
    "countryname": "country_name",
    "regioncode": "region_code",
    "regionname": "region_name",
    "oldlacode": "old_la_code",
    "newlacode": "new_la_code",
    "laname": "la_name",
    "category": "",
    "agegroup": "age_group",
}
_NEEDED = ("time_period", "geographic_level", "new_la_code", "la_name")


def cin_table_name(columns: list[str]) -> str | None:
    """Which DfE table a header row is (``"c1"``...), or None."""
    headers = {norm(c) for c in columns}
    # the most particular headers first: c5 and c1 both have a referrals total
    for name in ("c3", "c5", "d1", "d3", "d5", "population", "b1", "c1"):
        if any(s in headers for s in CIN_TABLES[name][0]):
            return name
    return None


def read_cin_table(
    path: str | Path, *, report: ValidationReport, table: str | None = None
) -> pd.DataFrame:
    """Read one DfE children in need table as published into a long table.

    Parameters
    ----------
    path
        The CSV (or a sheet saved from it), as downloaded from Explore Education
        Statistics or copied from DfE's own repositories.
    report
        Where every problem is recorded (a cell that is neither a number nor a DfE symbol
        is an error naming its rows).
    table
        The table it must be (``"c1"``...): a file of another table is refused. None
        takes the table its headers show.

    Returns
    -------
    DataFrame
        Columns :data:`CIN_COLUMNS`: ``code`` and ``name`` are the council's new code and
        name, the region's, or ``E92000001`` England; ``value`` is NaN where ``symbol``
        says what DfE printed instead. ``attrs["table"]`` names the table.
    """
    path = Path(path)
    read = read_text_table(path, report=report)
    found = cin_table_name(list(read.frame.columns))
    if found is None or (table is not None and found != table):
        want = f"DfE table {table}" if table else "a DfE children in need table"
        raise InputError(
            f"{path.name}: not {want} as published (found "
            f"{'table ' + found if found else 'none of their headers'}); download the table "
            "'as published' from Explore Education Statistics and keep its headers"
        )
    ids, measures = _split_columns(read, found)
    places = _places(read, ids, path)
    cells = read.frame[list(measures)]
    long = pd.DataFrame(
        {
            "row": np.repeat(np.arange(len(read.frame)), len(measures)),
            "measure": np.tile([measures[c] for c in cells.columns], len(read.frame)),
            "cell": cells.to_numpy().ravel(),
        }
    )
    value, symbol = _values(long, read, measures, report)
    out = places.iloc[long["row"].to_numpy()].reset_index(drop=True)
    out.insert(0, "table", found)
    out["measure"] = long["measure"].to_numpy()
    out["value"] = value
    out["symbol"] = symbol
    out = out[list(CIN_COLUMNS)]
    out.attrs["table"] = found
    return out


def _split_columns(read: Table, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The identifying columns (header -> canonical) and the measures (header -> name)."""
    aliases = CIN_TABLES[name][1]
    ids: dict[str, str] = {}
    measures: dict[str, str] = {}
    for column in read.frame.columns:
        key = norm(column)
        if key in _ID:
            if _ID[key]:
                ids[column] = _ID[key]
        elif column and not column.startswith("Unnamed"):
            measures[column] = aliases.get(key, column.strip().lower())
    missing = [c for c in _NEEDED if c not in ids.values()]
    if missing:
        raise InputError(
            f"{read.file}: the column(s) {', '.join(missing)} are missing; DfE tables "
            "carry time_period, geographic_level, new_la_code and la_name: keep the file "
            "as published"
        )
    return ids, measures


def _places(read: Table, ids: dict[str, str], path: Path) -> pd.DataFrame:
    """Year, level, code and name of each row: a council's, a region's or England's."""
    f = read.frame.rename(columns=ids)
    level = f["geographic_level"].str.strip()
    years = pd.to_numeric(f["time_period"].str[:4], errors="coerce")
    if years.isna().any():
        rows = [read.lines[i] for i in np.flatnonzero(years.isna().to_numpy())[:5]]
        raise InputError(
            f"{path.name}, row(s) {', '.join(map(str, rows))}: time_period is not a year "
            "such as 2025; keep the file as published"
        )
    national = level.str.lower().eq("national").to_numpy()
    regional = level.str.lower().eq("regional").to_numpy()
    country_code = f.get("country_code", pd.Series("E92000001", index=f.index))
    code = np.where(
        national,
        country_code.replace("", "E92000001"),
        np.where(regional, f.get("region_code", ""), f["new_la_code"]),
    )
    name = np.where(
        national,
        "England",
        np.where(regional, f.get("region_name", ""), f["la_name"]),
    )
    return pd.DataFrame(
        {
            "time_period": years.astype(int).to_numpy(),
            "geographic_level": level.to_numpy(),
            "code": code,
            "old_la_code": f.get("old_la_code", pd.Series("", index=f.index)).to_numpy(),
            "name": name,
            "region_code": f.get("region_code", pd.Series("", index=f.index)).to_numpy(),
        }
    )


def _values(
    long: pd.DataFrame, read: Table, measures: dict[str, str], report: ValidationReport
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers, and DfE's symbol where one was printed instead ("" where a number was)."""
    text = long["cell"].astype("string").fillna("").str.strip()
    key = text.str.lower().str.removeprefix("[").str.removesuffix("]")
    is_symbol = key.isin(list(DFE_SYMBOLS)).to_numpy()
    value = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy()
    blank = (text == "").to_numpy()
    bad = ~is_symbol & ~blank & np.isnan(value)
    if bad.any():
        where = long.loc[bad]
        for measure, cells in where.groupby("measure", sort=False):
            rows = sorted({read.lines[r] for r in cells["row"]})
            examples = ", ".join(f'"{v}"' for v in cells["cell"].unique()[:3])
            header = next(h for h, m in measures.items() if m == measure)
            report.error(
                read.file,
                header,
                f"{len(cells)} cell(s) are neither numbers nor DfE symbols: {examples}",
                "DfE prints numbers or one of c, x, z, u, low, :, .. ; download the table "
                "again as published",
                rows=rows,
            )
    value = np.where(is_symbol | bad, np.nan, value)
    symbol = np.where(is_symbol, key.to_numpy(dtype=object), "")
    return value.astype(float), symbol.astype(object)
