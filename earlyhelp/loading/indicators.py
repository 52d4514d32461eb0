"""Indicators from their own files, placed on the small areas; and what they cover.

An ``[indicators.<name>]`` with a ``path`` is read in its layout
(:func:`earlyhelp.sources.read_indicator`), its units' values and 95% intervals made at
their own geography (:func:`earlyhelp.need.unit_statistics`: published intervals used,
others computed there), and each small area given its unit's row through the lookup
(:func:`earlyhelp.need.place_indicator`). :func:`place_indicators` does it for every such
indicator, reporting each problem (an indicator not in the file, units no area lies in,
areas the lookup does not know); :func:`report_coverage` says which areas and children
each indicator misses, by district, and which areas are scored on fewer indicators.
"""

from __future__ import annotations

__all__ = ["place_indicators", "report_coverage"]

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import Config, IndicatorConfig
from earlyhelp.errors import InputError
from earlyhelp.geography import (
    GEOGRAPHIES,
    code_geography,
    is_comparator,
    lookup_pairs,
    study_area,
)
from earlyhelp.loading.tables import (
    InputRecord,
    existing_file,
    file_sha256,
    read_table,
    read_vector,
)
from earlyhelp.need import (
    AGE_BANDS,
    coverage_warnings,
    indicator_coverage,
    indicators_scored,
    is_placed,
    place_indicator,
    unit_statistics,
)
from earlyhelp.sources import read_indicator
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

# what the codes of each declared geography look like (code_geography's words)
_EXPECTED = {"msoa": "MSOA", "ward": "ward", "district": "district", "county": "county",
             "lsoa": "LSOA"}  # fmt: skip


def place_indicators(
    cfg: Config, areas: gpd.GeoDataFrame, need: pd.DataFrame, report: ValidationReport
) -> tuple[pd.DataFrame, list[InputRecord]]:
    """``need`` (indexed like ``areas``) with the columns of every indicator that has its
    own file, and the manifest records of those files and their lookups. An area without
    a need row gets no indicator values either (its need is unknown, not zero)."""
    has_row = need[list(AGE_BANDS)].notna().any(axis=1)
    records: list[InputRecord] = []
    for name, ind in cfg.indicators.items():
        if ind.path is None:
            continue
        own = ValidationReport()  # several indicators of one file: say each thing once
        try:
            placed, recs = _place_one(name, ind, areas, own)
            need = need.join(placed.where(has_row, axis=0))
            records.extend(r for r in recs if r.path not in {s.path for s in records})
        except InputError as exc:
            problem, _, fix = str(exc).rpartition("; ")
            fix = fix if problem else "see the indicator's section in the config"
            own.error(Path(ind.path).name, f"[indicators.{name}]", problem or str(exc), fix)
        report.problems.extend(p for p in own.problems if p not in report.problems)
    return need, records


def _place_one(
    name: str, ind: IndicatorConfig, areas: gpd.GeoDataFrame, report: ValidationReport
) -> tuple[pd.DataFrame, list[InputRecord]]:
    path = existing_file(ind.path, f"indicator '{name}'")
    units, _ = read_indicator(ind, name=name, report=report)
    record = InputRecord(f"indicator:{name}", str(path), file_sha256(path), rows_read=len(units))
    stats, interval = unit_statistics(units, ind, name=name, file=path.name)
    comparator = _comparator(stats, ind, path.name)
    unit_of, fit, lookup_records = _unit_of(name, ind, areas, stats.index, report)
    _check_geography(stats.index, ind, path.name, report)
    placed = place_indicator(
        stats, unit_of, name=name, interval=interval, comparator=comparator, fit=fit
    )
    used = set(unit_of.dropna())
    expected = _EXPECTED.get(ind.geography)
    own = [  # the file's units: not a county or England row of an MSOA table, say
        c for c in stats.index
        if not is_comparator(c) and c != ind.compare_with.strip()
        and code_geography(c) in (expected, "")
    ]  # fmt: skip
    spare = [c for c in own if c not in used]
    if spare:
        label = GEOGRAPHIES.get(ind.geography, ind.geography)
        report.warn(
            path.name,
            f"[indicators.{name}]",
            f"{len(spare):,} of {len(own):,} {label} codes of the file are the unit of no "
            f"area (e.g. '{spare[0]}' {units.loc[spare[0], 'name']}); their values are not used",
            "fine if the file covers more than your areas; otherwise the file's and the "
            "lookup's boundaries are of different years (use a lookup of the file's year)",
        )
    record.rows_used = int(stats.index.isin(list(used)).sum())
    return placed, [record, *lookup_records]


def _comparator(stats: pd.DataFrame, ind: IndicatorConfig, file: str) -> float:
    code = ind.compare_with.strip()
    if not code:
        return float("nan")
    if code not in stats.index or pd.isna(stats.loc[code, "value"]):
        others = [c for c in stats.index if is_comparator(c) or code_geography(c) == "county"]
        raise InputError(
            f"{file}: compare_with = '{code}' is not a row of the file with a value"
            f"{did_you_mean(code, others)}; rows that could be comparators: "
            f"{', '.join(others[:8]) or 'none'}; leave compare_with out to compare with "
            "the study area's own value"
        )
    return float(stats.loc[code, "value"])


def _unit_of(
    name: str,
    ind: IndicatorConfig,
    areas: gpd.GeoDataFrame,
    units: pd.Index,
    report: ValidationReport,
) -> tuple[pd.Series, pd.Series | None, list[InputRecord]]:
    """The unit of each area (index: area code), the fit where the lookup says, and the
    lookup's manifest record."""
    if ind.lookup is not None:
        return _from_lookup(name, ind, areas, units, report)
    if ind.geography == "district":
        return areas["district_code"].astype("object").rename("unit"), None, []
    unit_of = pd.Series(areas.index, index=areas.index, dtype="object", name="unit")
    if not areas.index.isin(units).any():
        first = units[0] if len(units) else ""
        kind = code_geography(first)
        raise InputError(
            f"{Path(ind.path or '').name}: none of its codes (e.g. '{first}'"
            f"{', ' + kind if kind else ''}) is a code of your areas (e.g. '{areas.index[0]}'); "
            'say which geography it is with geography = "msoa", "ward", "district" or '
            '"county" and give lookup = "..." from your areas to it'
        )
    return unit_of, None, []


def _from_lookup(name, ind, areas, units, report):
    path = existing_file(ind.lookup, f"lookup of indicator '{name}'")
    if path.suffix.lower() in (".geojson", ".gpkg", ".shp", ".json"):  # boundaries with codes
        vector = read_vector(path)
        table = pd.DataFrame(vector.drop(columns=vector.geometry.name)).astype("string")
        table = table.fillna("")
    else:
        table = read_table(path, report=report).frame
    record = InputRecord(f"lookup:{name}", str(path), file_sha256(path), rows_read=len(table))
    via_district = False
    pair = lookup_pairs(table, pd.Index(areas.index.astype(str)), units)
    if pair is None:
        districts = pd.Index(areas["district_code"].astype(str).unique())
        pair, via_district = lookup_pairs(table, districts, units), True
    if pair is None:
        raise InputError(
            f"{path.name}: no column holds your areas' codes (e.g. '{areas.index[0]}') or "
            f"districts' codes, with another holding the indicator's codes (e.g. "
            f"'{units[0] if len(units) else ''}'); give a lookup from your areas to "
            f"{GEOGRAPHIES.get(ind.geography, ind.geography)}s (earlyhelp import ons_lookup "
            "or best_fit makes one)"
        )
    source, target = pair
    frame = table[[source, target]].apply(lambda c: c.str.strip()).drop_duplicates()
    several = frame[source].duplicated(keep=False)
    if several.any():
        report.error(path.name, target,
            f"{frame.loc[several, source].nunique()} code(s) of column '{source}' have more "
            f"than one unit in column '{target}' (e.g. '{frame.loc[several, source].iloc[0]}')",
            "use a best-fit lookup, with one unit for each area")  # fmt: skip
    mapping = frame.drop_duplicates(source).set_index(source)[target]
    keys = (
        areas["district_code"].astype(str)
        if via_district
        else pd.Series(areas.index, index=areas.index)
    )
    unit_of = keys.map(mapping).astype("object").rename("unit")
    unit_of.index = areas.index
    fit = None
    if "fit" in table.columns:
        fits = pd.to_numeric(
            table.drop_duplicates(source).set_index(source)["fit"], errors="coerce"
        )
        fit = keys.map(fits).astype(float)
        fit.index = areas.index
    missing = unit_of.isna()
    if missing.any():
        report.warn(path.name, source,
            f"{missing.sum():,} of {len(areas):,} areas are not in the lookup (e.g. "
            f"'{areas.index[missing.to_numpy()][0]}'), so indicator '{name}' has no value there",
            "use a lookup of the same year as your areas' boundaries")  # fmt: skip
    record.rows_used = int(frame[source].isin(keys).sum())
    return unit_of, fit, [record]


def _check_geography(units: pd.Index, ind: IndicatorConfig, file: str, report) -> None:
    expected = _EXPECTED.get(ind.geography)
    kinds = pd.Series([code_geography(c) for c in units if not is_comparator(c)])
    if expected is None or kinds.empty:
        return
    common = kinds.value_counts().idxmax()
    if common and common != expected and not (expected == "county" and common == "district"):
        report.warn(
            file,
            "geography",
            f'the indicator is declared geography = "{ind.geography}" but most of its codes '
            f"are {common} codes (e.g. '{units[0]}')",
            "set geography to what the file holds, with a lookup to it",
        )


def report_coverage(
    cfg: Config, areas: gpd.GeoDataFrame, need: pd.DataFrame, report: ValidationReport
) -> pd.Series:
    """Warn of each indicator's uncovered areas and children (by district) and of areas
    scored on fewer indicators than others, over the study area; returns the number of
    indicators scored in every area (``indicators_scored``; missing without a need row)."""
    # an indicator whose file could not be read is an error already: left out here
    usable = {n: i for n, i in cfg.indicators.items() if i.path is None or is_placed(need, n)}
    if not usable or not len(areas):
        return pd.Series(np.nan, index=areas.index, name="indicators_scored")
    study = study_area(areas, cfg.run.districts)
    need_s = need.reindex(study.index)
    has_row = need_s[list(AGE_BANDS)].notna().any(axis=1)
    coverage = indicator_coverage(need_s[has_row], usable, study[has_row.to_numpy()])
    scored = indicators_scored(need_s[has_row], usable)
    files = {n: Path(i.path).name for n, i in cfg.indicators.items() if i.path is not None}
    for file, field, problem, fix in coverage_warnings(
        coverage, scored, study[has_row.to_numpy()], files=files
    ):
        report.warn(file, field, problem, fix)
    every = indicators_scored(need, usable)
    return every.astype(float).where(need[list(AGE_BANDS)].notna().any(axis=1))
