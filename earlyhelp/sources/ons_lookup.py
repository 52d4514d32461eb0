"""Lookups between geographies: ONS lookup files, the LSOA -> MSOA naming rule, and best
fit from boundaries.

An indicator published for MSOAs, wards, districts or a county reaches the small areas
through a table of ``area_code -> unit_code``. Three ways to make one, each saying how:

- :func:`read_ons_lookup` reads any ONS lookup ("LSOA (2021) to Electoral Ward (2023) to
  LAD (2023) Best Fit Lookup", "OA21 to LSOA21 to MSOA21 to LAD22", "Ward to LAD to
  County"...), finding its columns by their ONS names (``LSOA21CD``, ``WD23CD``,
  ``LAD23CD``, ``CTY23CD``...), from the finest geography to the one asked for;
- with ``msoa_names``, the same reader derives LSOA 2021 -> MSOA 2021 from the ONS naming
  rule (an LSOA's name is its MSOA's name and a letter: "Winchester 012C" is in
  "Winchester 012"), for when the ONS OA/LSOA/MSOA file is not at hand;
- :func:`read_best_fit` matches boundaries: each area goes to the unit holding the largest
  share of it, and that share is stated (``fit``).
"""

from __future__ import annotations

__all__ = ["GEOGRAPHY_CODES", "read_best_fit", "read_ons_lookup"]

import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.geography import best_fit, lookup_pairs, msoa_by_name
from earlyhelp.sources._tables import ONS_CODE, read_text_table, report_tidied
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

# earlyhelp's geography names -> the stems of ONS lookup headers (LSOA21CD, WD23NM...)
GEOGRAPHY_CODES = {
    "oa": ("OA",),
    "lsoa": ("LSOA",),
    "msoa": ("MSOA",),
    "ward": ("WD",),
    "district": ("LAD", "LTLA"),
    "county": ("CTY", "UTLA", "CTYUA"),
}
_ORDER = list(GEOGRAPHY_CODES)  # finest first
_HEADER = re.compile(r"^([A-Z]+)(\d\d)(CD|NM)$")
OUTPUT = ("area_code", "area_name", "unit_code", "unit_name", "fit", "method")


def _ons_columns(headers: list[str]) -> dict[str, dict[str, str]]:
    """geography -> {"code": header, "name": header} for each ONS code column found."""
    found: dict[str, dict[str, str]] = {}
    for header in headers:
        match = _HEADER.match(header.strip().upper())
        if not match:
            continue
        stem, _, kind = match.groups()
        for geography, stems in GEOGRAPHY_CODES.items():
            if stem in stems:
                slot = found.setdefault(geography, {})
                slot.setdefault("code" if kind == "CD" else "name", header)
    return {g: v for g, v in found.items() if "code" in v}


def read_ons_lookup(
    path: str | Path,
    *,
    report: ValidationReport,
    to: str = "",
    areas: str = "",
    msoa_names: str = "",
) -> pd.DataFrame:
    """Read an ONS lookup into one row per area: its unit of the geography ``to``.

    Parameters
    ----------
    path
        The lookup CSV as published by ONS (any vintage; snake_case headers work too).
    report
        Where problems are recorded.
    to
        The geography to look up: msoa, ward, district or county. By default the next
        coarser one in the file.
    areas
        The geography of the analysis areas (oa, lsoa, msoa, ward, district); by default
        the finest in the file.
    msoa_names
        A file with MSOA 2021 codes and names (such as the ONS "MSOA (2021) to Ward to LAD"
        lookup): with ``to=msoa`` on an LSOA lookup that has no MSOA column, LSOA -> MSOA
        is derived from the ONS naming rule, and says so.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name``, ``unit_code``, ``unit_name``, ``fit`` (1 where areas
        nest in units by construction; empty for a best-fit file, which does not say) and
        ``method`` in words.
    """
    table = read_text_table(Path(path), report=report)
    report_tidied(table, report)
    cols = _ons_columns(list(table.frame.columns))
    if not cols:
        raise InputError(
            f"{table.file}: no ONS code columns (such as LSOA21CD, MSOA21CD, WD23CD, LAD23CD) "
            "were found; this does not look like an ONS lookup"
        )
    source = areas or next(g for g in _ORDER if g in cols)
    target = to or next((g for g in _ORDER[_ORDER.index(source) + 1 :] if g in cols), "")
    for key, value in (("areas", source), ("to", target)):
        if value not in GEOGRAPHY_CODES:
            raise InputError(
                f"ons_lookup: {key} = '{value}'{did_you_mean(value, _ORDER)}; choose one of: "
                f"{', '.join(_ORDER)}"
            )
    if source not in cols:
        raise InputError(f"{table.file}: no {source.upper()} code column; it has {', '.join(cols)}")
    if target == "msoa" and "msoa" not in cols and msoa_names:
        return _by_name(table.frame, cols[source], msoa_names, report, table.file)
    if target not in cols:
        raise InputError(
            f"{table.file}: no {target} code column (it has {', '.join(cols)}); for LSOA 2021 "
            "-> MSOA 2021 give msoa_names=<a file of MSOA codes and names> to use the ONS "
            "naming rule, or make a best fit from boundaries with the best_fit format"
        )
    return _pairs(table, cols[source], cols[target], source, target, report)


def _pairs(table, src: dict[str, str], dst: dict[str, str], source: str, target: str,
           report: ValidationReport) -> pd.DataFrame:  # fmt: skip
    frame = table.frame
    out = pd.DataFrame(
        {
            "area_code": frame[src["code"]],
            "area_name": frame[src["name"]] if "name" in src else "",
            "unit_code": frame[dst["code"]],
            "unit_name": frame[dst["name"]] if "name" in dst else "",
        }
    ).drop_duplicates(["area_code", "unit_code"])
    several = out["area_code"].duplicated(keep=False)
    if several.any():
        report.error(
            table.file,
            dst["code"],
            f"{out.loc[several, 'area_code'].nunique()} {source} code(s) lie in more than one "
            f"{target} (e.g. '{out.loc[several, 'area_code'].iloc[0]}'): this is not a lookup "
            "from areas to one unit each",
            "use a best-fit lookup (ONS publishes them for LSOA -> ward), or the best_fit format",
        )
    best = target == "ward" and source in ("lsoa", "msoa")  # wards cut across them
    out["fit"] = np.nan if best else 1.0
    out["method"] = (
        f"ONS best-fit lookup ({src['code']} -> {dst['code']}): fit not stated"
        if best
        else f"ONS lookup ({src['code']} -> {dst['code']}): {source}s nest in {target}s"
    )
    return out.reset_index(drop=True)


def _by_name(frame: pd.DataFrame, src: dict[str, str], msoa_file: str, report, file: str):
    if "name" not in src:
        raise InputError(f"{file}: msoa_names needs the LSOA names (such as LSOA21NM) too")
    names = read_text_table(Path(msoa_file), report=report)
    cols = _ons_columns(list(names.frame.columns)).get("msoa", {})
    if "name" not in cols:
        raise InputError(
            f"{names.file}: no MSOA code and name columns (MSOA21CD, MSOA21NM) for msoa_names"
        )
    lsoas = frame[[src["code"], src["name"]]].drop_duplicates(src["code"])
    lsoas.columns = ["code", "name"]
    msoas = names.frame[[cols["code"], cols["name"]]].drop_duplicates()
    msoas.columns = ["code", "name"]
    found = msoa_by_name(lsoas, msoas)
    out = found.reset_index().assign(area_name=lsoas["name"].to_numpy())
    out["fit"] = np.where(out["unit_code"].notna(), 1.0, np.nan)
    out["method"] = "derived from the ONS naming rule (LSOA name = MSOA name + a letter)"
    unmatched = out["unit_code"].isna()
    if unmatched.any():
        report.warn(
            file,
            src["name"],
            f"{unmatched.sum()} LSOA(s) match no MSOA name in {names.file} "
            f"(e.g. '{out.loc[unmatched, 'area_name'].iloc[0]}'); they have no MSOA",
            "check both files are 2021 geographies of the same areas, or use the ONS OA21 to "
            "LSOA21 to MSOA21 lookup",
        )
    return out[list(OUTPUT)]


def read_best_fit(
    path: str | Path,
    *,
    report: ValidationReport,
    units: str = "",
    area_code: str = "",
    unit_code: str = "",
    lookup: str = "",
) -> pd.DataFrame:
    """Match area boundaries to unit boundaries: each area's unit holds the largest share
    of it (``fit``, 0-1), as :func:`earlyhelp.geography.best_fit`.

    Parameters
    ----------
    path
        The areas' boundaries (GeoJSON, GeoPackage or Shapefile with a declared CRS).
    report
        Where problems are recorded (areas that fit their unit poorly).
    units
        The units' boundaries (MSOAs, wards...).
    area_code, unit_code
        The code columns; by default the column of each file holding distinct ONS codes.
    lookup
        An existing lookup (such as an ONS best-fit lookup, which does not say how well
        its areas fit) to measure instead of choosing: its units are kept and ``fit``
        says what share of each area lies in its unit.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``area_name``, ``unit_code``, ``unit_name``, ``fit`` and ``method``.
    """
    if not units:
        raise InputError("best_fit: give the units' boundaries with units=<file>")
    areas_gdf, units_gdf = _vector(Path(path)), _vector(Path(units))
    a_code, u_code = (
        _code_column(areas_gdf, area_code, path),
        _code_column(units_gdf, unit_code, units),
    )
    a_name, u_name = _name_of(areas_gdf, a_code), _name_of(units_gdf, u_code)
    assigned = _assigned(lookup, areas_gdf[a_code], units_gdf[u_code], report) if lookup else None
    fit = best_fit(
        areas_gdf.set_index(areas_gdf[a_code].astype(str)).geometry,
        units_gdf.set_index(units_gdf[u_code].astype(str)).geometry,
        assigned=assigned,
    )
    out = fit.reset_index()
    out["area_name"] = out["area_code"].map(areas_gdf.set_index(a_code)[a_name]) if a_name else ""
    out["unit_name"] = out["unit_code"].map(units_gdf.set_index(u_code)[u_name]) if u_name else ""
    out["method"] = (
        f"{Path(lookup).name}, its fit measured from boundaries"
        if lookup
        else "best fit by boundaries: the unit holding the largest share of the area"
    )
    poor = out["fit"] < 0.9
    if poor.any():
        given = "the unit the lookup gives" if lookup else "their best-fit unit"
        report.warn(
            Path(path).name,
            "fit",
            f"{poor.sum()} of {len(out)} areas have under 90% of their area in {given} "
            f"(lowest {out['fit'].min():.0%}, '{out.loc[out['fit'].idxmin(), 'area_code']}')",
            "boundaries of different vintages or resolutions overlap imperfectly: the fit is "
            "a measure of the lookup against these boundaries, as good as they are",
        )
    return out[list(OUTPUT)]


def _assigned(path: str, areas: pd.Series, units: pd.Series, report) -> pd.Series:
    """The unit each area is given by an existing lookup (columns found by their codes)."""
    table = read_text_table(Path(path), report=report).frame
    pair = lookup_pairs(table, pd.Index(areas.astype(str)), pd.Index(units.astype(str)))
    if pair is None:
        raise InputError(
            f"{Path(path).name}: no column holds the areas' codes with another holding the "
            "units' codes; give a lookup between these two boundary files' codes"
        )
    return table.drop_duplicates(pair[0]).set_index(pair[0])[pair[1]]


def _vector(path: Path) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"{path.name}: cannot read its boundaries ({exc})") from None
    if gdf.crs is None:
        raise InputError(f"{path.name}: the boundaries have no coordinate reference system")
    return gdf


def _code_column(gdf: gpd.GeoDataFrame, wanted: str, path) -> str:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if wanted:
        if wanted not in columns:
            raise InputError(
                f"{Path(path).name}: no column '{wanted}'{did_you_mean(wanted, columns)}"
            )
        return wanted
    scored = [
        (c, gdf[c].astype(str).nunique())
        for c in columns
        if gdf[c].astype(str).str.fullmatch(ONS_CODE).mean() > 0.9
    ]
    if not scored:
        raise InputError(f"{Path(path).name}: no column of ONS codes; name it with the option")
    return max(scored, key=lambda pair: pair[1])[0]


def _name_of(gdf: gpd.GeoDataFrame, code: str) -> str:
    name = re.sub(r"cd$", "nm", code) if code.endswith("cd") else re.sub(r"CD$", "NM", code)
    return name if name != code and name in gdf.columns else ""
