"""Configuration: ``config.toml`` becomes frozen dataclasses, validated once.

Every option has a default, so a config file only needs what differs, except the input
files: there is no default file. ``[areas]``, ``[need]`` and ``[services]`` must each give a
``path``; ``[centres]``, ``[postcodes]`` and ``[roads]`` (and ``[access] matrix_path``,
``[areas] population_points``, ``[siting] candidates``) mean none when left out or set to
``""``, and a section that is there without its ``path`` is refused. Unknown keys are
refused with the list of valid keys and a "did you mean". Relative paths are resolved
against the folder of the config file.

Example
-------
>>> cfg = load_config("config.toml")            # doctest: +SKIP
>>> cfg.services.columns["name"]                 # doctest: +SKIP
'name'
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from earlyhelp.errors import ConfigError, EarlyHelpError
from earlyhelp.text import did_you_mean
from earlyhelp.units import in_unit, metres_to_minutes

__all__ = [
    "AREA_COLUMNS",
    "CHOICES",
    "INPUT_FILES",
    "NEED_COLUMNS",
    "POSTCODE_COLUMNS",
    "ROAD_COLUMNS",
    "SERVICE_COLUMNS",
    "SOURCE_FORMATS",
    "AccessConfig",
    "AreasInput",
    "CategoryConfig",
    "Config",
    "DisclosureConfig",
    "IndicatorConfig",
    "MapConfig",
    "NeedInput",
    "PostcodeInput",
    "RoadsInput",
    "RunConfig",
    "ServicesInput",
    "SitingConfig",
    "SufficiencyConfig",
    "load_config",
    "read_toml",
]

# Canonical column names of each input, mapped to the user's own headers in config.
AREA_COLUMNS = (
    "area_code",
    "area_name",
    "district_code",
    "district_name",
    "locality",
    "rural_urban",
)
NEED_COLUMNS = ("area_code", "pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19")
SERVICE_COLUMNS = (
    "service_id",
    "name",
    "provider",
    "sector",
    "categories",
    "min_age",
    "max_age",
    "capacity",
    "annual_cost",
    "reached",
    "delivery",
    "status",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "postcode",
    "reach_areas",
    "opening_times",
    "contact",
    "notes",
)
POSTCODE_COLUMNS = ("postcode", "easting", "northing", "latitude", "longitude", "terminated")
ROAD_COLUMNS = ("speed_kph", "road_class")

# The input files by section: whether every run needs one, and what it is (for messages).
# No input has a default file: a required one without a path, or an optional section that
# is there without one, is refused when the config is loaded (_check_input_paths).
INPUT_FILES: dict[str, tuple[bool, str]] = {
    "areas": (True, "your small-area boundaries: GeoPackage, GeoJSON or Shapefile"),
    "need": (True, "your JSNA need profile: one row per small area, CSV or Excel"),
    "services": (True, "your service directory: CSV or Excel, or GeoJSON or GeoPackage points"),
    "centres": (False, "your children's centres or family hubs, read like the services"),
    "postcodes": (False, "a postcode lookup, such as the ONS Postcode Directory"),
    "roads": (False, 'a road network of lines, for distance_model = "network"'),
}


def _identity(names: tuple[str, ...]) -> dict[str, str]:
    return {n: n for n in names}


@dataclass(frozen=True)
class RunConfig:
    """What the run is called, where it writes and which CRS it analyses in."""

    name: str = "demo"
    output_dir: Path = Path("maps")
    crs: str = "EPSG:27700"
    description: str = ""
    data_date: str = ""
    # the study area: district codes or names to analyse (empty: every district). Areas
    # and services outside still count where they reach in; totals cover these only.
    districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class AreasInput:
    """Small areas (usually LSOAs): polygons with their district."""

    path: Path | None = None  # required: load_config refuses a config without it
    layer: str = ""
    crs: str = ""  # used only when the file declares no CRS
    columns: dict[str, str] = field(default_factory=lambda: _identity(AREA_COLUMNS))
    population_points: Path | None = None  # optional population-weighted centroids


@dataclass(frozen=True)
class NeedInput:
    """The JSNA need profile: child population by age band and indicator columns."""

    path: Path | None = None  # required: load_config refuses a config without it
    sheet: str = ""
    format: str = ""  # a published layout read by earlyhelp.sources ("" = columns below)
    options: dict[str, Any] = field(default_factory=dict)  # that reader's options
    columns: dict[str, str] = field(default_factory=lambda: _identity(NEED_COLUMNS))


@dataclass(frozen=True)
class ServicesInput:
    """A directory of services (or children's centres) as points."""

    path: Path | None = None  # required for [services]; for [centres] None = no centres
    layer: str = ""
    sheet: str = ""
    crs: str = ""
    category_separator: str = ";"
    category: str = ""  # every row gets this category (for example childrens_centre)
    format: str = ""  # a published layout read by earlyhelp.sources ("" = columns below)
    options: dict[str, Any] = field(default_factory=dict)  # that reader's options
    outside_study_area: str = "keep"  # keep | drop
    columns: dict[str, str] = field(default_factory=lambda: _identity(SERVICE_COLUMNS))


@dataclass(frozen=True)
class PostcodeInput:
    """A postcode lookup used to place services (and families) given only a postcode."""

    path: Path | None = None  # no lookup unless configured
    format: str = ""  # "onspd" reads the ONS Postcode Directory as published
    options: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=lambda: _identity(POSTCODE_COLUMNS))


@dataclass(frozen=True)
class RoadsInput:
    """A road network for the ``network`` distance model."""

    path: Path | None = None
    layer: str = ""
    crs: str = ""
    columns: dict[str, str] = field(default_factory=lambda: _identity(ROAD_COLUMNS))


@dataclass(frozen=True)
class CategoryConfig:
    """One category of help in the taxonomy."""

    label: str = ""
    reach_urban_m: float = 2000.0
    reach_rural_m: float = 8000.0
    reach_urban_min: float = 20.0
    reach_rural_min: float = 30.0
    required: bool = True
    colour: str = "#1b9e77"
    icon: str = "info-sign"
    min_age: float = 0.0  # the ages whose children this kind of help is for, in years
    max_age: float = 19.0
    places_per_1000: float = 0.0  # the standard for this kind; 0 = [sufficiency] places_per_1000
    standard_source: str = ""  # where the standard comes from, shown with it in the report

    def reach(self, unit: str) -> dict[str, float]:
        """The reach thresholds in a distance model's unit: ``{"urban": .., "rural": ..}``."""
        return {
            "urban": in_unit(self.reach_urban_m, self.reach_urban_min, unit),
            "rural": in_unit(self.reach_rural_m, self.reach_rural_min, unit),
        }


@dataclass(frozen=True)
class IndicatorConfig:
    """One JSNA indicator from the need table.

    ``kind`` is one of count, rate, score, rank, decile. A count needs ``denominator``,
    the need-table column it is a count of (for example children aged 0-17).
    """

    column: str = ""
    label: str = ""
    kind: str = "count"
    denominator: str = ""
    direction: str = "higher_is_worse"  # higher_is_worse | higher_is_better
    weight: float = 1.0
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessConfig:
    """How distance is measured and which accessibility measures are computed."""

    distance_model: str = "euclidean"  # euclidean | network | matrix
    circuity: float = 1.0
    matrix_path: Path | None = None
    travel_mode: str = "walk"  # walk | drive (network model)
    walk_kph: float = 4.8
    drive_kph: float = 40.0
    outreach_extra_m: float = 3000.0
    catchment_m: float = 10000.0
    catchment_min: float = 30.0
    measures: tuple[str, ...] = (
        "nearest",
        "within_reach",
        "share_within_reach",
        "count_within_reach",
        "e2sfca",
    )
    decay: str = "gaussian"  # step | gaussian | linear (for e2sfca and gravity)
    gravity_beta: float = 1.5
    weight_demand_by_need: bool = False

    def catchment(self, unit: str) -> float:
        """The floating catchment size in the model's unit (``catchment_m`` or ``_min``)."""
        return in_unit(self.catchment_m, self.catchment_min, unit)

    def outreach_extra(self, unit: str) -> float:
        """How much further an outreach service reaches, in the model's unit.

        ``outreach_extra_m`` as is for metres; for minutes, the time to cover it at the
        travel-mode speed (``walk_kph`` or ``drive_kph``).
        """
        kph = self.walk_kph if self.travel_mode == "walk" else self.drive_kph
        minutes = float(metres_to_minutes(self.outreach_extra_m, kph=kph))
        return in_unit(self.outreach_extra_m, minutes, unit)


@dataclass(frozen=True)
class SufficiencyConfig:
    """Standards and thresholds that turn access into gaps."""

    # places a year per 1,000 children of a category's ages, for categories that set none
    # (0: judge reach only)
    places_per_1000: float = 0.0
    high_need: str = "county_quantile"  # county_quantile | indicator_deciles
    high_need_quantile: float = 0.8  # county_quantile: need index at or above this quantile
    high_need_indicator: str = ""  # indicator_deciles: an [indicators.*] of kind "decile"
    high_need_deciles: int = 3  # indicator_deciles: national deciles 1 to this are high need
    calls_for_ratio: float = 1.25
    sector_reach_urban_m: float = 3000.0
    sector_reach_rural_m: float = 10000.0
    sector_reach_urban_min: float = 20.0
    sector_reach_rural_min: float = 30.0
    in_need_indicator: str = ""  # the indicator counting children in need (spend per child)

    def sector_reach(self, unit: str) -> dict[str, float]:
        """How near a service of a sector must be, in the model's unit (urban and rural)."""
        return {
            "urban": in_unit(self.sector_reach_urban_m, self.sector_reach_urban_min, unit),
            "rural": in_unit(self.sector_reach_rural_m, self.sector_reach_rural_min, unit),
        }


@dataclass(frozen=True)
class DisclosureConfig:
    """Small-number suppression for anything published."""

    min_count: int = 1
    max_count: int = 5
    symbol: str = "*"


@dataclass(frozen=True)
class MapConfig:
    """How the board map is drawn."""

    classification: str = "quantiles"  # quantiles | natural_breaks
    classes: int = 5
    tiles: str = "OpenStreetMap"  # "" draws no base map
    self_contained: bool = True
    simplify_m: float = 25.0
    district_maps: bool = False


@dataclass(frozen=True)
class SitingConfig:
    """Where new provision would bring most need-weighted children within reach
    (``earlyhelp site``; see :mod:`earlyhelp.siting`)."""

    candidates: Path | None = None  # CSV of site_id, name, kind, easting, northing; None = grid
    grid_spacing_m: float = 1000.0  # spacing of grid candidates when there is no file
    k: int = 1  # number of new sites
    method: str = "exact"  # exact (HiGHS) | greedy (greedy + 1-swap local search)
    need_weight: str = "one_plus_index"  # one_plus_index | index | none
    capacity: float = 0.0  # children each new site can take; 0 = no limit
    time_limit_s: float = 60.0  # HiGHS time limit
    mip_rel_gap: float = 1e-6  # HiGHS stops within this relative gap of the proven bound
    max_swaps: int = 1000  # most 1-swaps the greedy local search makes


@dataclass(frozen=True)
class Config:
    """The whole configuration of one run."""

    run: RunConfig = field(default_factory=RunConfig)
    areas: AreasInput = field(default_factory=AreasInput)
    need: NeedInput = field(default_factory=NeedInput)
    services: ServicesInput = field(default_factory=ServicesInput)
    centres: ServicesInput = field(
        default_factory=lambda: ServicesInput(category="childrens_centre")
    )
    postcodes: PostcodeInput = field(default_factory=PostcodeInput)
    roads: RoadsInput = field(default_factory=RoadsInput)
    categories: dict[str, CategoryConfig] = field(default_factory=dict)
    indicators: dict[str, IndicatorConfig] = field(default_factory=dict)
    access: AccessConfig = field(default_factory=AccessConfig)
    sufficiency: SufficiencyConfig = field(default_factory=SufficiencyConfig)
    disclosure: DisclosureConfig = field(default_factory=DisclosureConfig)
    map: MapConfig = field(default_factory=MapConfig)
    siting: SitingConfig = field(default_factory=SitingConfig)
    source: Path | None = None  # the file this came from; not a TOML key

    @property
    def run_dir(self) -> Path:
        """The folder this run writes to: ``<output_dir>/<name>``."""
        return self.run.output_dir / self.run.name

    def category_label(self, key: str) -> str:
        """A category's readable label (its key when it has none, or is not configured)."""
        cat = self.categories.get(key)
        return (cat.label if cat is not None else "") or key

    def required_path(self, section: str) -> Path:
        """The file a required input (areas, need or services) is read from, or the
        :class:`ConfigError` that says how to name it: no input has a default file."""
        path: Path | None = getattr(self, section).path
        if path is None:
            raise ConfigError(_needs_path(self.source or "config", section))
        return path

    def input_paths(self) -> list[Path]:
        """Every file this configuration reads (the outputs may overwrite none of them)."""
        specs = (self.areas, self.need, self.services, self.centres, self.postcodes, self.roads)
        paths = [s.path for s in specs if s.path is not None]
        extra = (self.access.matrix_path, self.areas.population_points, self.siting.candidates)
        paths.extend(p for p in extra if p is not None)
        if self.source is not None:
            paths.append(self.source)
        return paths

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready form of every parameter (for the manifest)."""
        return _plain(self)


# Names a value may take. Where a registry owns the names (DISTANCE_MODELS, MEASURES,
# DECAYS, CLASSIFIERS, SITING_METHODS, NEED_WEIGHTS, INDICATOR_KINDS, SOURCES) they are
# repeated here, so that reading a config file imports none of the modules that read the
# config (no import circle) and none of folium or HiGHS; tests/test_config.py checks that
# each list agrees with its registry. A text key whose default is "" may also be left "".
CHOICES = {
    ("access", "distance_model"): ("euclidean", "network", "matrix"),
    ("access", "measures"): (
        "nearest",
        "within_reach",
        "share_within_reach",
        "count_within_reach",
        "2sfca",
        "e2sfca",
        "gravity",
    ),
    ("services", "outside_study_area"): ("keep", "drop"),
    ("centres", "outside_study_area"): ("keep", "drop"),
    ("access", "travel_mode"): ("walk", "drive"),
    ("access", "decay"): ("step", "gaussian", "linear"),
    ("map", "classification"): ("quantiles", "natural_breaks"),
    ("siting", "method"): ("exact", "greedy"),
    ("sufficiency", "high_need"): ("county_quantile", "indicator_deciles"),
    ("siting", "need_weight"): ("one_plus_index", "index", "none"),
    ("indicators", "kind"): ("count", "rate", "score", "rank", "decile"),
    ("indicators", "direction"): ("higher_is_worse", "higher_is_better"),
}
# The published formats earlyhelp.sources reads, and the table each makes (SOURCES).
SOURCE_FORMATS = {
    "openreferral": "services",
    "gias": "services",
    "iod": "need",
    "population": "need",
    "lsoa_lookup": "lookup",
    "onspd": "postcodes",
    "fingertips": "need",
}
_COLUMN_SETS = {
    AreasInput: AREA_COLUMNS,
    NeedInput: NEED_COLUMNS,
    ServicesInput: SERVICE_COLUMNS,
    PostcodeInput: POSTCODE_COLUMNS,
    RoadsInput: ROAD_COLUMNS,
}


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a ``config.toml``; ``None`` gives the built-in defaults.

    Relative paths inside the file are resolved against the file's folder, so a run
    works from any working directory. The defaults name no input file: a ``Config`` built
    from them needs its areas, need and services paths set before anything is loaded.
    """
    if path is None:
        return Config()
    path = Path(path)
    data = read_toml(
        path,
        what="config file",
        missing="pass --config with the path to your config.toml",
        error=ConfigError,
    )
    cfg = _build(Config, data, path, ())
    cfg = _resolve_paths(cfg, path.parent.resolve())
    _cross_check(cfg, path)
    _check_input_paths(cfg, data, path)
    return dataclasses.replace(cfg, source=path)


def read_toml(
    path: Path,
    *,
    what: str,
    missing: str,
    syntax: str = "check quotes and brackets",
    error: type[EarlyHelpError] = ConfigError,
) -> dict[str, Any]:
    """A TOML file's tables, or one clear ``error`` naming the file, the problem and the
    fix: ``missing`` when there is no such file, ``syntax`` when it is not valid TOML."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: {what} not found; {missing}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: {what} is not UTF-8 text; save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}; {syntax}") from None


# Keys that earlier versions read, with what to do instead.
_RETIRED: dict[tuple[tuple[str, ...], str], str] = {
    (("sufficiency",), "low_access_quantile"): (
        "is no longer used: a gap is now judged against standards, not the county's bottom "
        "fifth; delete the line and set places_per_1000 under each [categories.*] (see "
        "config.toml)"
    ),
}


def _build(cls: type, data: Any, file: Path, where: tuple[str, ...]) -> Any:
    """Build dataclass ``cls`` from a TOML table, refusing unknown keys and wrong types."""
    label = ".".join(where) or "top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: [{label}] must be a table of keys, not {data!r}")
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls) if f.name != "source"]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if (where[:1], key) in _RETIRED:
            raise ConfigError(f"{file}: [{label}] {key} {_RETIRED[(where[:1], key)]}")
        if key not in known:
            raise ConfigError(
                f"{file}: unknown key '{key}' in [{label}]{did_you_mean(key, known)}; "
                f"valid keys are: {', '.join(known)}"
            )
        kwargs[key] = _convert(hints[key], value, file, (*where, key), cls)
    return cls(**kwargs)


def _convert(hint: Any, value: Any, file: Path, where: tuple[str, ...], owner: type) -> Any:
    key = ".".join(where)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):  # Path | None
        inner = next(a for a in args if a is not type(None))
        if value in ("", None):
            return None
        return _convert(inner, value, file, where, owner)
    if hint is Any:  # a reader's options: checked by the reader itself
        return value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value, file, where)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{file}: '{key}' must be a table, not {value!r}")
        val_type = args[1]
        if val_type is str and owner in _COLUMN_SETS:  # a column mapping
            allowed = _COLUMN_SETS[owner]
            for canonical, column in value.items():
                if canonical not in allowed:
                    raise ConfigError(
                        f"{file}: unknown column key '{canonical}' in [{key}]"
                        f"{did_you_mean(canonical, allowed)}; valid keys are: {', '.join(allowed)}"
                    )
                if not isinstance(column, str):
                    raise ConfigError(
                        f"{file}: [{key}] {canonical} must be a column name in quotes"
                    )
            # Keys left out keep their default: the canonical name itself.
            return {**_identity(allowed), **value}
        return {k: _convert(val_type, v, file, (*where, k), owner) for k, v in value.items()}
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{file}: \'{key}\' must be a list of names, like ["a", "b"]')
        choices = CHOICES.get((where[0], where[-1]), ())
        for name in value if choices else ():
            if name not in choices:
                raise ConfigError(
                    f"{file}: unknown {where[-1]} '{name}' in [{'.'.join(where[:-1])}]"
                    f"{did_you_mean(name, choices)}; choose from: {', '.join(choices)}"
                )
        return tuple(value)
    if hint is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{file}: '{key}' must be a file path in quotes")
        return Path(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{file}: '{key}' must be true or false, not {value!r}")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{file}: '{key}' must be a number, not {value!r}")
        if hint is int and not float(value).is_integer():
            raise ConfigError(f"{file}: '{key}' must be a whole number, not {value!r}")
        return hint(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{file}: '{key}' must be text in quotes, not {value!r}")
        choices = CHOICES.get((where[0], where[-1]), ())
        empty_ok = value == "" and _default(owner, where[-1]) == ""
        if choices and value not in choices and not empty_ok:
            raise ConfigError(
                f"{file}: {where[-1]} = '{value}' in [{'.'.join(where[:-1])}]"
                f"{did_you_mean(value, choices)}; choose one of: {', '.join(choices)}"
            )
        return value
    raise ConfigError(f"{file}: cannot read '{key}'")  # pragma: no cover - a typing gap


def _default(owner: type, name: str) -> Any:
    """A dataclass field's default (None when it has none)."""
    found = [f for f in dataclasses.fields(owner) if f.name == name]
    return found[0].default if found else None


def _resolve_paths(obj: Any, base: Path) -> Any:
    """Return ``obj`` with every relative Path made absolute against ``base``."""
    if isinstance(obj, Path):
        return obj if obj.is_absolute() else base / obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: _resolve_paths(getattr(obj, f.name), base)
            for f in dataclasses.fields(obj)
            if f.name != "source"
        }
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, dict):
        return {k: _resolve_paths(v, base) for k, v in obj.items()}
    if isinstance(obj, str) and Path(obj).suffix.lower() in _FILE_SUFFIXES:
        return str(_resolve_paths(Path(obj), base))  # a file named in a reader's options
    return obj


_FILE_SUFFIXES = {".csv", ".json", ".xlsx", ".geojson", ".gpkg", ".txt"}


def _cross_check(cfg: Config, file: Path) -> None:
    """Checks that span sections: indicator categories must be taxonomy keys, and so on."""
    _check_indicators(cfg, file)
    _check_formats(cfg, file)
    _check_sufficiency(cfg, file)
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


def _check_input_paths(cfg: Config, data: dict[str, Any], file: Path) -> None:
    """No hidden defaults: areas, need and services each need a path, and an optional
    input's section (centres, postcodes, roads) means none only when it is left out or
    says ``path = ""``; there without a path, it is refused rather than guessed at."""
    for section, (required, what) in INPUT_FILES.items():
        table = data.get(section)
        if required and getattr(cfg, section).path is None:
            raise ConfigError(_needs_path(file, section))
        if not required and table is not None and "path" not in table:
            tables = [f"[{section}]"]
            tables += [f"[{section}.{key}]" for key, v in table.items() if isinstance(v, dict)]
            remove = tables[0] if len(tables) == 1 else f"{', '.join(tables[:-1])} and {tables[-1]}"
            raise ConfigError(
                f'{file}: [{section}] has no path; add path = "..." ({what}), or remove '
                f"{remove} if you have none; {_NOT_THE_DEMO}"
            )


_NOT_THE_DEMO = "nothing is read from the demo county unless you point at it"


def _needs_path(file: Path | str, section: str) -> str:
    """The message for a required input without a path."""
    what = INPUT_FILES[section][1]
    return f'{file}: [{section}] needs path = "..." ({what}); {_NOT_THE_DEMO}'


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [_plain(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj
