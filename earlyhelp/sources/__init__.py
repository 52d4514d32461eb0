"""Readers for the UK data an analyst already has, as published.

Each reader turns one published layout into an earlyhelp canonical table (the column names
of :mod:`earlyhelp.config`), records every problem in a
:class:`~earlyhelp.validation.ValidationReport` and never changes its input. They are
chosen by name through :data:`SOURCES`, so a config input's ``format = "..."`` and the
``earlyhelp import FORMAT FILE`` command are checked against the same registry:

======================  ==========  =====================================================
name                    produces    reads
======================  ==========  =====================================================
``openreferral``        services    Open Referral UK / HSDS directory JSON (pages, or a feed URL)
``gias``                services    DfE Get Information About Schools extract
``iod``                 need        English Indices of Deprivation 2019 / 2025 by LSOA
``population``          need        ONS mid-year estimates, Census 2021 ages by LSOA
``lsoa_lookup``         lookup      ONS LSOA 2011 -> 2021 lookup
``onspd``               postcodes   ONS Postcode Directory (or NSPL)
``fingertips``          need        Fingertips public health profile export
``long``                need        any long table of area x indicator x value (JSNA)
``dwp_cilif``           need        DWP Children in Low Income Families, LA or ward
``census_ts011``        need        Census 2021 TS011 household deprivation dimensions
``ons_lookup``          lookup      ONS lookups between OA, LSOA, MSOA, ward, LAD, county
``best_fit``            lookup      areas to units (MSOA, ward) by boundaries, with fit
``places``              places      OS Open Names, ONS place names or built-up areas
======================  ==========  =====================================================

The ``need`` readers above give tables keyed by their own areas; an indicator published
for MSOAs, wards or districts is read into a run by ``[indicators.<name>]`` with ``path``,
``format``, ``geography`` and ``lookup`` (:func:`~earlyhelp.sources.indicators.read_indicator`).

Tables keyed by 2011 LSOAs can be brought onto 2021 LSOAs as they are read (the
``to_lsoa21`` option of :func:`read_source`), through
:func:`~earlyhelp.sources.lsoa_lookup.bridge_2011_to_2021`.

Example
-------
>>> report = ValidationReport()                                             # doctest: +SKIP
>>> need = read_source("population", "sapelsoasyoa.xlsx", report=report)    # doctest: +SKIP
>>> report.raise_if_errors()                                                # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "SOURCES",
    "Source",
    "bridge_2011_to_2021",
    "coerce_options",
    "join_area_tables",
    "read_indicator",
    "read_source",
]

import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import find_column, read_text_table
from earlyhelp.sources.census import read_ts011
from earlyhelp.sources.dwp import read_dwp_cilif
from earlyhelp.sources.fingertips import read_fingertips
from earlyhelp.sources.gias import read_gias
from earlyhelp.sources.indicators import read_indicator
from earlyhelp.sources.iod import read_iod
from earlyhelp.sources.long import read_long
from earlyhelp.sources.lsoa_lookup import bridge_2011_to_2021, read_lsoa_lookup
from earlyhelp.sources.ons_lookup import read_best_fit, read_ons_lookup
from earlyhelp.sources.onspd import read_onspd
from earlyhelp.sources.openreferral import read_openreferral
from earlyhelp.sources.places import read_places
from earlyhelp.sources.population import read_population
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

# Options read_source itself takes for tables keyed by area (need): bridging to 2021 LSOAs.
BRIDGE_OPTIONS = ("to_lsoa21", "lsoa21_weights", "lsoa21_weights_column")
_BRIDGE_MEANINGS = {
    "to_lsoa21": "The ONS LSOA 2011 to 2021 lookup (a CSV): bring a table keyed by 2011 LSOAs "
    "onto 2021 LSOAs as it is read.",
    "lsoa21_weights": "A table of 2021 LSOAs (such as Census 2021 children, from earlyhelp "
    "import population) by which split areas' counts are shared out; equally when not given.",
    "lsoa21_weights_column": "The column of lsoa21_weights to share by (its first count "
    "when not given).",
}


@dataclass(frozen=True)
class Source:
    """One outside format: its reader, what it is and which earlyhelp table it makes."""

    name: str
    read: Callable[..., pd.DataFrame]
    description: str
    produces: str  # the earlyhelp table it makes: services, need, postcodes, lookup or places
    example: str
    many_files: bool = False  # takes a folder or a list of files as well as one file

    @property
    def meanings(self) -> dict[str, str]:
        """What each option means, in one paragraph each, from the reader's docstring
        (its numpydoc "Parameters" section) and the bridging options' own words."""
        found = _parameter_texts(self.read.__doc__ or "")
        out = {name: found.get(name, "") for name in self.options}
        if self.produces == "need":
            out.update(_BRIDGE_MEANINGS)
        return out

    @property
    def options(self) -> dict[str, Any]:
        """The reader's keyword options and their defaults (plus bridging for need tables)."""
        params = inspect.signature(self.read).parameters.values()
        found = {
            p.name: p.default
            for p in params
            if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name != "report"
        }
        if self.produces == "need":
            found |= dict.fromkeys(BRIDGE_OPTIONS, "")
        return found


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "openreferral",
            read_openreferral,
            "Open Referral UK or HSDS service directory: JSON from a council directory's "
            "/services API (a page, a folder of pages, a list, or the feed's URL)",
            "services",
            "earlyhelp import openreferral https://example.org/api/services --out services.csv "
            "--quality quality.csv --option categories=taxonomy_map.csv",
            many_files=True,
        ),
        Source(
            "gias",
            read_gias,
            "DfE Get Information About Schools establishment extract: children's centres "
            "as services (kind=schools or all gives candidate sites instead)",
            "services",
            "earlyhelp import gias edubasealldata20250524.csv --out centres.csv",
        ),
        Source(
            "iod",
            read_iod,
            "English Indices of Deprivation 2019 or 2025 by LSOA (File 7 CSV): scores, "
            "ranks and deciles as idaci_rank, imd_decile...",
            "need",
            "earlyhelp import iod File_7_IoD2025.csv --out iod.csv",
        ),
        Source(
            "population",
            read_population,
            "ONS mid-year estimates or Census 2021 population by LSOA and age, into the need "
            "bands pop_0_4 ... pop_18_19 and pop_0_17",
            "need",
            "earlyhelp import population sapelsoasyoa2022.xlsx --out population.csv",
        ),
        Source(
            "lsoa_lookup",
            read_lsoa_lookup,
            "ONS LSOA 2011 to LSOA 2021 lookup (U unchanged, S split, M merged, X irregular)",
            "lookup",
            "earlyhelp import lsoa_lookup LSOA11_LSOA21_LAD22_EW_LU.csv --out lookup.csv",
        ),
        Source(
            "onspd",
            read_onspd,
            "ONS Postcode Directory (or NSPL) CSV, or its multi_csv folder: postcodes with "
            "grid references, LSOA and termination date",
            "postcodes",
            "earlyhelp import onspd ONSPD_MAY_2025_UK.csv --out postcodes.csv "
            "--option districts=E07000084,E07000085",
            many_files=True,
        ),
        Source(
            "fingertips",
            read_fingertips,
            "Fingertips public health profile export: one indicator and period as "
            "<name>_value, _count and _denominator by area",
            "need",
            "earlyhelp import fingertips indicators.csv --out injuries.csv "
            "--option name=injuries_0_4",
        ),
        Source(
            "long",
            read_long,
            "a long table of indicators (one row per area x indicator, as JSNA teams publish "
            "them): one indicator, or every one, as <name>_value, _lower, _upper... by area",
            "need",
            'earlyhelp import long jsna_msoa.csv --out msoa.csv --option indicator="Children '
            'in need"',
        ),
        Source(
            "dwp_cilif",
            read_dwp_cilif,
            "DWP Children in Low Income Families local-area table (LA or ward, relative or "
            "absolute): number and percentage of children 0-15, one year",
            "need",
            "earlyhelp import dwp_cilif cilif_ward.csv --out low_income.csv --option period=2025",
        ),
        Source(
            "census_ts011",
            read_ts011,
            "Census 2021 TS011 household deprivation (any geography): households by number "
            "of dimensions deprived, and the share deprived in N or more",
            "need",
            "earlyhelp import census_ts011 census2021-ts011-lsoa.csv --out hh_deprivation.csv "
            "--option dimensions=2",
        ),
        Source(
            "ons_lookup",
            read_ons_lookup,
            "ONS lookup between geographies (OA, LSOA, MSOA, ward, LAD, county) as area_code "
            "-> unit_code; LSOA 2021 -> MSOA 2021 from the naming rule with msoa_names",
            "lookup",
            "earlyhelp import ons_lookup LSOA21_WD23_LAD23_EW_LU.csv --out lsoa_msoa.csv "
            "--option to=msoa --option msoa_names=MSOA21_WD23_LAD23.csv",
        ),
        Source(
            "best_fit",
            read_best_fit,
            "areas to units by boundaries: each area's unit holds the largest share of it, "
            "and that share (fit) is stated",
            "lookup",
            "earlyhelp import best_fit lsoa21.geojson --out lsoa_ward.csv "
            "--option units=wards.geojson",
        ),
        Source(
            "places",
            read_places,
            "Place names for the map's search: OS Open Names (populated places), the ONS "
            "Index of Place Names, ONS built-up areas with coordinates or boundaries, or a "
            "table of name, kind, easting, northing",
            "places",
            "earlyhelp import places SU.csv --out places.csv --option kinds=city,town,village",
        ),
    )
}


def read_source(
    fmt: str,
    path: str | Path | Sequence[str | Path],
    *,
    report: ValidationReport,
    **options: Any,
) -> pd.DataFrame:
    """Read a published file in format ``fmt`` into earlyhelp's canonical table.

    Parameters
    ----------
    fmt
        A name from :data:`SOURCES`.
    path
        The file; for formats with ``many_files`` also a folder or a list of files.
    report
        Where every problem is recorded; the caller decides when to stop
        (``report.raise_if_errors()``).
    **options
        The reader's keyword options (see ``SOURCES[fmt].options``). Tables keyed by
        area also take ``to_lsoa21``: the path of the ONS LSOA 2011 -> 2021 lookup, to
        bring a 2011-coded table onto 2021 LSOAs; ``lsoa21_weights``: a table of 2021
        LSOAs (such as ``earlyhelp import population`` made from Census 2021) whose
        ``lsoa21_weights_column`` (its first count by default) shares out split areas.

    Returns
    -------
    pandas.DataFrame
        The canonical table. ``attrs["format"]`` and ``attrs["produces"]`` name what it
        is; after bridging, ``attrs["bridge_report"]`` says what happened to each 2011
        LSOA that changed.

    Raises
    ------
    InputError
        For an unknown format or option (with the nearest name), or a file that cannot
        be read at all.
    """
    source = _source(fmt)
    known = source.options
    for key in options:
        if key not in known:
            listed = ", ".join(known) or "none"
            raise InputError(
                f"{fmt}: unknown option '{key}'{did_you_mean(key, list(known))}; "
                f"the options of {fmt} are: {listed}"
            )
    if isinstance(path, list | tuple):
        if len(path) == 1:
            path = path[0]
        elif not source.many_files:
            raise InputError(
                f"{fmt}: give one file, not {len(path)}; only "
                f"{', '.join(n for n, s in SOURCES.items() if s.many_files)} read several"
            )
    bridge = {k: options.pop(k) for k in BRIDGE_OPTIONS if k in options}
    frame = source.read(path, report=report, **options)
    if bridge.get("to_lsoa21"):
        frame = _bridge(frame, report=report, **bridge)
    frame.attrs.update({"format": source.name, "produces": source.produces})
    return frame


def coerce_options(fmt: str, raw: Mapping[str, str]) -> dict[str, Any]:
    """Turn ``NAME=VALUE`` text from the command line into the reader's option types.

    Numbers become int or float, ``true``/``false`` booleans, lists are comma-separated
    (``districts=E07000084,E07000085``); anything else (paths, dates, names) stays text.
    """
    source = _source(fmt)
    hints = typing.get_type_hints(source.read)
    known = source.options
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise InputError(
                f"{fmt}: unknown option '{key}'{did_you_mean(key, list(known))}; "
                f"the options of {fmt} are: {', '.join(known)}"
            )
        out[key] = _convert(hints.get(key, str), value, f"{fmt} option '{key}'")
    return out


def join_area_tables(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Join tables keyed by ``area_code`` (population, IoD, Fingertips) into one need table.

    Areas missing from a table get empty cells. Tables must share one LSOA vintage and no
    other column: a clash is an error rather than a silent overwrite.
    """
    if not tables:
        raise InputError("join: no tables to join")
    vintages = {
        v for t in tables if "lsoa_vintage" in t for v in t["lsoa_vintage"].dropna().unique() if v
    }
    if len(vintages) > 1:
        raise InputError(
            f"join: the tables mix LSOA vintages ({', '.join(sorted(vintages))}); bring the "
            "2011-coded one onto 2021 LSOAs first with the to_lsoa21 option"
        )
    out = tables[0].set_index("area_code")
    for table in tables[1:]:
        right = table.set_index("area_code").drop(columns=["lsoa_vintage"], errors="ignore")
        clash = [c for c in right.columns if c in out.columns]
        if clash:
            raise InputError(
                f"join: column(s) {', '.join(clash)} are in more than one table; drop or "
                "rename one (for Fingertips, give each indicator its own name option)"
            )
        out = out.join(right, how="outer")
    if "lsoa_vintage" in out and vintages:
        out["lsoa_vintage"] = next(iter(vintages))
    return out.reset_index()


# --------------------------------------------------------------------------- helpers


def _parameter_texts(doc: str) -> dict[str, str]:
    """Each parameter's description from a numpydoc "Parameters" section, as one line."""
    lines = inspect.cleandoc(doc).splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Parameters") + 2
    except StopIteration:
        return {}
    out: dict[str, list[str]] = {}
    current = None
    for line in lines[start:]:
        if line and not line.startswith(" "):
            if set(line.strip()) <= {"-"} or line.strip() in ("Returns", "Raises", "Notes"):
                break
            current = line.split(":")[0].strip()  # "name" or "name : type" or "a, b"
            out[current] = []
        elif current is not None and line.strip():
            out[current].append(line.strip())
    texts = {}
    for names, words in out.items():
        for name in names.split(","):  # "sex, age": one text for both
            texts[name.strip()] = " ".join(words).replace("``", "")
    return texts


def _source(fmt: str) -> Source:
    if fmt not in SOURCES:
        names = list(SOURCES)
        raise InputError(
            f"unknown format '{fmt}'{did_you_mean(fmt, names)}; the formats are: {', '.join(names)}"
        )
    return SOURCES[fmt]


def _convert(hint: Any, value: str, where: str) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    simple = {a for a in args} | ({hint} if not args else set())
    text_ = value.strip()
    if bool in simple:
        if text_.lower() in ("true", "yes", "1"):
            return True
        if text_.lower() in ("false", "no", "0"):
            return False
        raise InputError(f"{where} must be true or false, not '{value}'")
    if int in simple or float in simple:
        try:
            return int(text_) if int in simple else float(text_)
        except ValueError:
            if str not in simple:
                raise InputError(f"{where} must be a number, not '{value}'") from None
    origin = typing.get_origin(hint)
    if origin in (Sequence, list, tuple) or str(hint).startswith("collections.abc.Sequence"):
        return [v.strip() for v in text_.split(",") if v.strip()]
    return text_


def _bridge(
    frame: pd.DataFrame,
    *,
    report: ValidationReport,
    to_lsoa21: str | Path,
    lsoa21_weights: str | Path = "",
    lsoa21_weights_column: str = "",
) -> pd.DataFrame:
    """Bring a table read by a need reader onto 2021 LSOAs, using its column kinds."""
    vintage = frame.attrs.get("lsoa_vintage", "")
    if vintage == "2021":
        raise InputError(
            "to_lsoa21: the table is already keyed by 2021 LSOAs; leave the option out"
        )
    kinds: dict[str, str] = frame.attrs.get("column_kinds", {})
    denominators: dict[str, str] = frame.attrs.get("rate_denominators", {})
    counts = [c for c, k in kinds.items() if k == "count"]
    rates = {c: denominators.get(c) for c, k in kinds.items() if k == "rate"}
    ranks = [c for c, k in kinds.items() if k == "rank"]
    population = next((c for c in counts if c.startswith("pop_total")), None)
    lookup = read_lsoa_lookup(Path(to_lsoa21), report=report)
    weights = _weights(lsoa21_weights, lsoa21_weights_column, report) if lsoa21_weights else None
    table21, what = bridge_2011_to_2021(
        frame, lookup, counts=counts, rates=rates, ranks=ranks, weights=weights,
        population=population,
    )  # fmt: skip
    names = lookup.drop_duplicates("lsoa21cd").set_index("lsoa21cd")
    out = table21.reset_index()
    texts = {
        "lsoa_vintage": "2021",
        "area_name": out["area_code"].map(names["lsoa21nm"]),
        "district_code": out["area_code"].map(names["district_code"]),
        "district_name": out["area_code"].map(names["district_name"]),
    }
    for column in (c for c in frame.columns if c in texts):
        out[column] = texts[column]
    out = out[["area_code", *(c for c in frame.columns if c in out.columns and c != "area_code")]]
    lost = what["change"] == ""
    changed = what[~lost]
    if len(changed):
        split = int((changed["change"] == "S").sum())
        shared = "by the weights given" if weights is not None else "equally"
        report.warn(
            Path(to_lsoa21).name,
            "",
            f"{len(changed)} 2011 LSOA(s) changed on the way to 2021 LSOAs ({split} split, "
            f"{len(changed) - split} merged or redrawn): counts were shared {shared}, rates "
            "recomputed, and ranks and deciles left empty where an area changed",
            "see the bridge report written beside the table for each LSOA; give "
            "lsoa21_weights (such as Census 2021 children by 2021 LSOA) to share by population",
        )
    if lost.any():
        report.warn(
            Path(to_lsoa21).name,
            "lsoa11cd",
            f"{int(lost.sum())} area code(s) of the table are not 2011 LSOAs of the lookup and "
            f"were left out (e.g. '{what.loc[lost, 'lsoa11cd'].iloc[0]}')",
            "check the table is keyed by 2011 LSOA codes and the lookup covers England",
        )
    out.attrs = {
        "lsoa_vintage": "2021",
        "column_kinds": kinds,
        "rate_denominators": denominators,
        "bridge_report": what,
    }
    return out


def _weights(path: str | Path, column: str, report: ValidationReport) -> pd.Series:
    table = read_text_table(Path(path), report=report)
    code = find_column(table.frame.columns, ["area_code", "lsoa21cd", "LSOA 2021 Code"])
    if code is None:
        raise InputError(f"{table.file}: lsoa21_weights needs an area_code column")
    if not column:
        # the first count of people: a pop_ column, else any numeric column that is not
        # a code or a year (an imported table's lsoa_vintage is numeric but no weight)
        numeric = [
            c
            for c in table.frame.columns
            if c not in (code, "lsoa_vintage")
            and pd.to_numeric(table.frame[c], errors="coerce").notna().all()
        ]
        if not numeric:
            raise InputError(f"{table.file}: lsoa21_weights has no column of numbers")
        people = [c for c in numeric if c.lower().startswith(("pop_", "age_"))]
        column = (people or numeric)[0]
    if column not in table.frame.columns:
        raise InputError(
            f"{table.file}: no column '{column}'"
            f"{did_you_mean(column, list(table.frame.columns))} for lsoa21_weights_column"
        )
    values = pd.to_numeric(table.frame[column], errors="coerce").astype(float)
    return pd.Series(values.to_numpy(), index=table.frame[code].to_numpy(dtype=str)).where(
        lambda s: np.isfinite(s)
    )
