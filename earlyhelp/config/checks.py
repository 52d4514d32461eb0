"""Checks that span sections of a config, made once when it is read.

Indicator categories must be taxonomy keys, a format must read the table its section
holds, the high-need rule must name a decile indicator, the input files must be named
(no hidden defaults), and so on. Each failure is one :class:`ConfigError` that names the
file, the section and the fix.
"""

from __future__ import annotations

__all__ = ["check_config"]

from pathlib import Path
from typing import Any

from earlyhelp.config.extracts import BENCHMARK_TABLES, OUTCOMES, REFERRAL_SOURCES
from earlyhelp.config.settings import (
    INPUT_FILES,
    SOURCE_FORMATS,
    Config,
    NeedInput,
    PostcodeInput,
    ServicesInput,
    needs_path,
)
from earlyhelp.errors import ConfigError
from earlyhelp.text import did_you_mean

_NOT_THE_DEMO = "nothing is read from the demo county unless you point at it"


def check_config(cfg: Config, data: dict[str, Any], file: Path) -> None:
    """Every check that spans sections (``data`` is the file's raw tables)."""
    _cross_check(cfg, file)
    _check_input_paths(cfg, data, file)


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


def _check_indicators(cfg: Config, file: Path) -> None:
    keys = list(cfg.categories)
    for name, ind in cfg.indicators.items():
        if not ind.column:
            raise ConfigError(f'{file}: [indicators.{name}] needs column = "..."')
        if ind.kind == "count" and not ind.denominator:
            raise ConfigError(
                f'{file}: [indicators.{name}] is a count and needs denominator = "...", '
                "the need-table column it is a count of"
            )
        for cat in ind.categories:
            if cat not in cfg.categories:
                raise ConfigError(
                    f"{file}: [indicators.{name}] calls for unknown category '{cat}'"
                    f"{did_you_mean(cat, keys)}; categories are: {', '.join(keys)}"
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
