"""Checks that span sections of a config, made once when it is read.

Indicator categories must be taxonomy keys, a format must read the table its section
holds, the high-need rule must name a decile indicator, the input files must be named
(no hidden defaults), and so on. Each failure is one :class:`ConfigError` that names the
file, the section and the fix.
"""

from __future__ import annotations

__all__ = ["check_config"]

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from earlyhelp.config.extracts import BENCHMARK_TABLES, OUTCOMES, REFERRAL_SOURCES
from earlyhelp.config.settings import (
    INPUT_FILES,
    SOURCE_FORMATS,
    Config,
    IndicatorConfig,
    NeedInput,
    PostcodeInput,
    ServicesInput,
    needs_path,
)
from earlyhelp.errors import ConfigError
from earlyhelp.text import did_you_mean

_NOT_THE_DEMO = "nothing is read from the demo county unless you point at it"


def check_config(cfg: Config, data: dict[str, Any], file: Path) -> None:
    """Every check that spans sections (``data`` is the file's raw tables), and of the
    values a type alone cannot catch (a negative reach, a number as the suppression
    symbol, a run name that is a path)."""
    _check_run_name(cfg.run.name, file)
    _check_names(cfg, file)
    _check_numbers(cfg, file)
    _check_symbol(cfg, file)
    _check_attribution(cfg, file)
    _cross_check(cfg, file)
    _check_input_paths(cfg, data, file)


# --------------------------------------------------------------------------- values

# A category key is matched with the directory's categories in lower case and names
# columns and folders.
_CATEGORY_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*")


def _check_names(cfg: Config, file: Path) -> None:
    """Category keys name columns and folders (the run's name: :func:`_check_run_name`)."""
    for key in cfg.categories:
        if not _CATEGORY_KEY.fullmatch(key):
            plain = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_") or "parenting"
            raise ConfigError(
                f"{file}: [categories.{key}]: a category key must be lower-case letters, "
                "digits, _ and -, as the directory's categories are matched in lower case and "
                f"the key names columns and folders; use [categories.{plain}] (and the same "
                "key in the services file)"
            )


@dataclass(frozen=True)
class _Rule:
    """What one number must be, and what it is for (said in the message)."""

    low: float
    above: bool  # the value must be above ``low`` (else: at least ``low``)
    what: str
    example: str
    high: float | None = None


_REACH = "how far families travel to this kind of help"
_CATEGORY_RULES = {
    "reach_urban_m": _Rule(0, True, f"{_REACH} in urban areas, in metres", "2000"),
    "reach_rural_m": _Rule(0, True, f"{_REACH} in rural areas, in metres", "8000"),
    "reach_urban_min": _Rule(0, True, f"{_REACH} in urban areas, in minutes", "20"),
    "reach_rural_min": _Rule(0, True, f"{_REACH} in rural areas, in minutes", "30"),
    "min_age": _Rule(0, False, "the youngest age this help is for, in years", "0", 25),
    "max_age": _Rule(0, False, "the oldest age this help is for, in years", "19", 25),
}
_SECTION_RULES = {
    "access": {
        "circuity": _Rule(
            1, False, "how much longer a road journey is than the straight line", "1.2"
        ),
        "walk_kph": _Rule(0, True, "walking speed, in km/h", "4.8"),
        "drive_kph": _Rule(0, True, "driving speed, in km/h", "40"),
        "outreach_extra_m": _Rule(
            0, False, "how much further an outreach service travels, in metres", "3000"
        ),
        "catchment_m": _Rule(0, True, "the floating catchment size, in metres", "10000"),
        "catchment_min": _Rule(0, True, "the floating catchment size, in minutes", "30"),
        "gravity_beta": _Rule(0, True, "how fast the gravity measure decays", "1.5"),
    },
    "sufficiency": {
        "places_per_1000": _Rule(0, False, "places a year per 1,000 children", "0"),
        "calls_for_ratio": _Rule(
            0, True, "how many times the county value an indicator calls for help", "1.25"
        ),
        "sector_reach_urban_m": _Rule(0, True, "sector reach in urban areas, in metres", "3000"),
        "sector_reach_rural_m": _Rule(0, True, "sector reach in rural areas, in metres", "10000"),
        "sector_reach_urban_min": _Rule(0, True, "sector reach in urban areas, in minutes", "20"),
        "sector_reach_rural_min": _Rule(0, True, "sector reach in rural areas, in minutes", "30"),
    },
    "siting": {
        "grid_spacing_m": _Rule(0, True, "the spacing of grid candidates, in metres", "1000"),
        "k": _Rule(1, False, "how many new sites to choose", "1"),
        "capacity": _Rule(0, False, "children each new site can take (0: no limit)", "0"),
        "time_limit_s": _Rule(0, True, "the solver's time limit, in seconds", "60"),
        "mip_rel_gap": _Rule(0, False, "the solver's relative gap", "1e-6"),
        "max_swaps": _Rule(0, False, "the most swaps the greedy search makes", "1000"),
    },
}


def _check_numbers(cfg: Config, file: Path) -> None:
    """Numbers out of their range (a negative reach, circuity below 1, NaN) are refused,
    naming the key, what it is for and a value that works."""
    for key, cat in cfg.categories.items():
        for name, rule in _CATEGORY_RULES.items():
            _check_number(file, f"categories.{key}", name, getattr(cat, name), rule)
        if cat.min_age > cat.max_age:
            raise ConfigError(
                f"{file}: [categories.{key}] min_age = {cat.min_age:g} is above max_age = "
                f"{cat.max_age:g}; give the youngest age first (min_age = 0, max_age = 19 "
                "covers every child)"
            )
    for key, ind in cfg.indicators.items():
        rule = _Rule(0, False, "how much the indicator counts in the need index", "1")
        _check_number(file, f"indicators.{key}", "weight", ind.weight, rule)
    for section, rules in _SECTION_RULES.items():
        values = getattr(cfg, section)
        for name, rule in rules.items():
            _check_number(file, section, name, getattr(values, name), rule)


def _check_number(file: Path, section: str, key: str, value: float, rule: _Rule) -> None:
    wanted = f"{'above' if rule.above else 'at least'} {rule.low:g}"
    if rule.high is not None:
        wanted = f"from {rule.low:g} to {rule.high:g}"
    low_ok = value > rule.low if rule.above else value >= rule.low
    high_ok = rule.high is None or value <= rule.high
    if math.isfinite(value) and low_ok and high_ok:
        return
    raise ConfigError(
        f"{file}: [{section}] {key} = {value:g} must be {wanted}: it is {rule.what}; use a "
        f"value such as {key} = {rule.example}"
    )


# What a missing cell shows in published tables (earlyhelp.disclosure.MISSING), and the
# other texts the map reads as missing: a suppression symbol must be none of them.
MISSING_MARKERS = ("..", "None", "<NA>")


def _check_symbol(cfg: Config, file: Path) -> None:
    """The suppression symbol must be seen as one: not empty, not a number (a hidden cell
    would read as a count), not the missing marker (it would read as missing data)."""
    symbol = cfg.disclosure.symbol
    if not symbol.strip():
        problem = "is empty, so a hidden cell would look like an empty one"
    elif symbol.strip() in MISSING_MARKERS:
        problem = "is what a missing value shows, so a hidden count would read as missing data"
    else:
        try:
            float(symbol)
        except ValueError:
            return
        problem = "reads as a number, so a hidden cell would read as a count"
    raise ConfigError(
        f'{file}: [disclosure] symbol = "{symbol}" {problem}; use a symbol such as "*" or "c"'
    )


def _check_attribution(cfg: Config, file: Path) -> None:
    """Statements are lines of text; the licence's address is a web address (it becomes a
    link on the map and in the report)."""
    given = cfg.attribution
    for line in given.statements:
        if not line.strip() or "\n" in line:
            raise ConfigError(
                f"{file}: [attribution] statements: each statement is one line of text, "
                f'not empty, such as "Contains OS data © Crown copyright and database '
                f'right {{year}}"'
            )
    url = given.licence_url
    if url and not re.fullmatch(r"https?://[^\s\"'<>]+", url):
        raise ConfigError(
            f"{file}: [attribution] licence_url = {json.dumps(url)} is not a web address; "
            'write one starting with https://, or licence_url = "" for none'
        )


def _cross_check(cfg: Config, file: Path) -> None:
    """Checks that span sections: indicator categories must be taxonomy keys, and so on."""
    _check_indicators(cfg, file)
    _check_formats(cfg, file)
    _check_sufficiency(cfg, file)
    _check_extracts(cfg, file)
    keys = list(cfg.categories)
    for svc in (cfg.services, cfg.centres):
        if svc.category and keys and svc.category not in cfg.categories:
            raise ConfigError(
                f"{file}: category = '{svc.category}' is not in [categories]"
                f"{did_you_mean(svc.category, keys)}"
            )
    if cfg.access.distance_model == "matrix" and cfg.access.matrix_path is None:
        raise ConfigError(
            f"{file}: distance_model = 'matrix' needs matrix_path = \"...\" in [access]"
        )
    if cfg.access.distance_model == "network" and cfg.roads.path is None:
        raise ConfigError(f"{file}: distance_model = 'network' needs path = \"...\" in [roads]")
    d = cfg.disclosure
    if not 0 <= d.min_count <= d.max_count:
        raise ConfigError(f"{file}: [disclosure] needs 0 <= min_count <= max_count")


_NAME_FIX = (
    "the run's folder is <output_dir>/<name>, so write a plain folder name such as "
    'name = "demo" or name = "wyvernshire-2026" (no /, \\ or :, not starting with "."), '
    "and say where it goes with output_dir"
)


def _check_run_name(name: str, file: Path) -> None:
    """``[run] name`` names one folder inside ``output_dir``: not a path (``../../x``
    would write outside it), not hidden, not empty."""
    shown = json.dumps(name, ensure_ascii=False)
    if not name.strip():
        why = "is empty"
    elif any(sep in name for sep in "/\\:"):
        why = "is a path, not a folder name (it would write outside output_dir)"
    elif name.startswith("."):
        why = 'starts with "." (a hidden folder, or ".." which is outside output_dir)'
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        why = "has a control character in it"
    else:
        return
    raise ConfigError(f"{file}: [run] name = {shown} {why}; {_NAME_FIX}")


def _check_indicators(cfg: Config, file: Path) -> None:
    keys = list(cfg.categories)
    for name, ind in cfg.indicators.items():
        where = f"{file}: [indicators.{name}]"
        _check_indicator_source(ind, where)
        if ind.kind == "count" and not ind.denominator and not ind.format:
            raise ConfigError(
                f'{where} is a count and needs denominator = "...", '
                "the need-table column it is a count of"
            )
        for cat in ind.categories:
            if cat not in cfg.categories:
                raise ConfigError(
                    f"{where} calls for unknown category '{cat}'"
                    f"{did_you_mean(cat, keys)}; categories are: {', '.join(keys)}"
                )
    in_need = cfg.indicators.get(cfg.sufficiency.in_need_indicator)
    if in_need is not None and (in_need.path is not None or in_need.geography != "area"):
        raise ConfigError(
            f"{file}: [sufficiency] in_need_indicator = '{cfg.sufficiency.in_need_indicator}' "
            "is added up over small areas (spend per child in need), so it must be a count "
            "column of the need table itself, not an indicator with its own path or geography"
        )


def _check_indicator_source(ind: IndicatorConfig, where: str) -> None:
    """Where an indicator is read from: its column, its file, its geography and lookup."""
    if not ind.column and not ind.format:
        raise ConfigError(
            f'{where} needs column = "..." (the header of its values), or a published '
            'format = "..." with path = "..." (long, fingertips, dwp_cilif, census_ts011)'
        )
    if ind.format and ind.path is None:
        raise ConfigError(f'{where} format = "{ind.format}" needs path = "..." (the file)')
    if bool(ind.lower) != bool(ind.upper):
        raise ConfigError(f"{where} needs both lower and upper (the 95% limits), or neither")
    if (ind.indicator and ind.format not in ("long", "fingertips")) or (
        ind.period and ind.format not in ("long", "fingertips", "dwp_cilif")
    ):
        raise ConfigError(
            f'{where}: indicator and period choose rows of a long table; add format = "long" '
            '(or "fingertips"; period also for "dwp_cilif") and path = "..."'
        )
    if ind.compare_with and ind.path is None:
        raise ConfigError(
            f"{where}: compare_with names a row of the indicator's own file (such as "
            'E92000001 England); add path = "..."'
        )
    if ind.geography not in ("area", "lsoa") and ind.path is None:
        raise ConfigError(
            f'{where} geography = "{ind.geography}" needs path = "..." (the indicator\'s own '
            f"table, one row per {ind.geography}); the need table is one row per small area"
        )
    if ind.geography in ("msoa", "ward", "county") and ind.lookup is None:
        raise ConfigError(
            f'{where} geography = "{ind.geography}" needs lookup = "..." (a table from your '
            f"areas' codes to {ind.geography} codes, such as the ONS best-fit lookup, or one "
            "made with earlyhelp import ons_lookup or best_fit)"
        )
    if ind.lookup is not None and ind.geography == "area":
        raise ConfigError(
            f'{where} has a lookup, so say which geography its file is: geography = "msoa", '
            '"ward", "district" or "county"'
        )


def _check_formats(cfg: Config, file: Path) -> None:
    sections: dict[str, ServicesInput | NeedInput | PostcodeInput] = {
        "services": cfg.services,
        "centres": cfg.centres,
        "need": cfg.need,
        "postcodes": cfg.postcodes,
    }
    for section, spec in sections.items():
        if not spec.format:
            continue
        if spec.format not in SOURCE_FORMATS:
            raise ConfigError(
                f"{file}: format = '{spec.format}' in [{section}]"
                f"{did_you_mean(spec.format, SOURCE_FORMATS)}; formats are: "
                f"{', '.join(SOURCE_FORMATS)}"
            )
        makes = SOURCE_FORMATS[spec.format]
        wanted = "services" if section == "centres" else section
        if makes != wanted:
            raise ConfigError(
                f"{file}: format = '{spec.format}' in [{section}] reads {makes}, not "
                f"{wanted}; use it in the [{makes}] section, or choose another format"
            )


def _check_sufficiency(cfg: Config, file: Path) -> None:
    suff = cfg.sufficiency
    names = ", ".join(cfg.indicators) or "none are configured"
    for key in ("in_need_indicator", "high_need_indicator"):
        value = getattr(suff, key)
        if value and value not in cfg.indicators:
            raise ConfigError(
                f"{file}: [sufficiency] {key} = '{value}' is not an indicator"
                f"{did_you_mean(value, cfg.indicators)}; indicators are: {names}"
            )
    if not 0 < suff.high_need_quantile < 1:
        raise ConfigError(
            f"{file}: [sufficiency] high_need_quantile must be between 0 and 1 (0.8: the "
            f"county's top fifth), not {suff.high_need_quantile!r}"
        )
    if suff.high_need == "indicator_deciles":
        ind = cfg.indicators.get(suff.high_need_indicator)
        if ind is None or ind.kind != "decile":
            raise ConfigError(
                f"{file}: [sufficiency] high_need = 'indicator_deciles' needs "
                'high_need_indicator = "..." naming an [indicators.*] of kind = "decile" '
                "(national deciles, 1 = most deprived, such as IDACI from the IoD importer)"
            )
        if not 1 <= suff.high_need_deciles <= 10:
            raise ConfigError(
                f"{file}: [sufficiency] high_need_deciles must be 1 to 10 (3: the 30% most "
                f"deprived), not {suff.high_need_deciles}"
            )
    for key, cat in cfg.categories.items():
        if cat.places_per_1000 < 0:
            raise ConfigError(
                f"{file}: [categories.{key}] places_per_1000 cannot be below 0 (0 uses "
                "[sufficiency] places_per_1000)"
            )


def _check_extracts(cfg: Config, file: Path) -> None:
    """[casework], [expertise] and [benchmark]: names from their vocabularies, real dates."""
    import datetime as dt

    cw = cfg.casework
    for key in ("period_start", "period_end"):
        value = getattr(cw, key)
        try:
            if value:
                dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigError(
                f"{file}: [casework] {key} = '{value}' is not a date; write it as "
                '"2024-04-01" (year-month-day), or leave it "" for the latest full year'
            ) from None
    if bool(cw.period_start) != bool(cw.period_end):
        raise ConfigError(f"{file}: [casework] give both period_start and period_end, or neither")
    if cw.follow_up_days < 1:
        raise ConfigError(f"{file}: [casework] follow_up_days must be 1 or more (365 is usual)")
    for table, allowed in (("outcomes", OUTCOMES), ("sources", REFERRAL_SOURCES)):
        for local, canonical in getattr(cw, table).items():
            if canonical not in allowed:
                raise ConfigError(
                    f"{file}: [casework.{table}] '{local}' = '{canonical}'"
                    f"{did_you_mean(canonical, allowed)}; choose one of: {', '.join(allowed)}"
                )
    for name in cfg.benchmark.tables:
        if name not in BENCHMARK_TABLES:
            raise ConfigError(
                f"{file}: unknown table '{name}' in [benchmark.tables]"
                f"{did_you_mean(name, BENCHMARK_TABLES)}; DfE's children in need tables "
                f"read here are: {', '.join(BENCHMARK_TABLES)}"
            )
    for key in ("settings", "consultation"):
        fmt = getattr(cfg.expertise, key).format
        if fmt not in ("", "gias"):
            raise ConfigError(
                f"{file}: [expertise.{key}] format = '{fmt}'; use \"gias\" for a GIAS "
                "extract, or leave it out for a table of site_id, name, kind and a location"
            )


def _check_input_paths(cfg: Config, data: dict[str, Any], file: Path) -> None:
    """No hidden defaults: areas, need and services each need a path, and an optional
    input's section (centres, postcodes, roads) means none only when it is left out or
    says ``path = ""``; there without a path, it is refused rather than guessed at."""
    for section, (required, what) in INPUT_FILES.items():
        table = data.get(section)
        if required and getattr(cfg, section).path is None:
            raise ConfigError(needs_path(file, section))
        if not required and table is not None and "path" not in table:
            tables = [f"[{section}]"]
            tables += [f"[{section}.{key}]" for key, v in table.items() if isinstance(v, dict)]
            remove = tables[0] if len(tables) == 1 else f"{', '.join(tables[:-1])} and {tables[-1]}"
            raise ConfigError(
                f'{file}: [{section}] has no path; add path = "..." ({what}), or remove '
                f"{remove} if you have none; {_NOT_THE_DEMO}"
            )
