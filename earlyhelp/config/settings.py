"""The settings of one run: ``config.toml``'s tables as frozen dataclasses.

Every option has a default, so a config file only needs what differs, except the input
files: there is no default file (:mod:`earlyhelp.config.checks` says how each is named).
``CHOICES`` and ``SOURCE_FORMATS`` list the names a setting may take.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from earlyhelp.config.extracts import (
    EPISODE_COLUMNS,
    REFERRAL_COLUMNS,
    SITE_COLUMNS,
    TRAINING_COLUMNS,
    BenchmarkConfig,
    CaseworkConfig,
    EpisodesInput,
    ExpertiseConfig,
    ReferralsInput,
    SitesInput,
    TrainingInput,
    extract_paths,
)
from earlyhelp.errors import ConfigError
from earlyhelp.units import in_unit, metres_to_minutes

__all__ = [
    "AREA_COLUMNS",
    "CHOICES",
    "COLUMN_SETS",
    "DEFAULT_ATTRIBUTION",
    "DEFAULT_CORE_OFFER",
    "HUB_COLUMNS",
    "INPUT_FILES",
    "NEED_COLUMNS",
    "POSTCODE_COLUMNS",
    "ROAD_COLUMNS",
    "SERVICE_COLUMNS",
    "SOURCE_FORMATS",
    "AccessConfig",
    "AreasInput",
    "AttributionConfig",
    "CategoryConfig",
    "ChildcareInput",
    "Config",
    "CoreServiceConfig",
    "DisclosureConfig",
    "HubsInput",
    "IndicatorConfig",
    "MapConfig",
    "NeedInput",
    "PostcodeInput",
    "RoadsInput",
    "RunConfig",
    "ServicesInput",
    "SitingConfig",
    "SufficiencyConfig",
    "identity",
    "needs_path",
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
    "site_id",  # the family hub (or spoke) site it is delivered at, or from (issue 18)
    "core_service",  # the core family hub service(s) it is, keys of [core_offer]
)
# A family hub list: one row per site (a hub, a spoke, an outreach venue).
HUB_COLUMNS = (
    "site_id",
    "name",
    "kind",
    "status",
    "capacity",
    "postcode",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "local_authority",
    "programme",
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
    "hubs": (False, "your family hub sites (hubs, spokes): the DfE list, yours or a directory's"),
    "hub_services": (False, "services delivered at or from family hubs, read like the services"),
    "childcare": (False, "the Ofsted childcare providers register, as published"),
}


def identity(names: tuple[str, ...]) -> dict[str, str]:
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
    # how the tables of every small area and the results layers are written: "csv" (CSV
    # and a GeoPackage), "parquet" (Parquet and GeoParquet) or "auto" (Parquet above
    # columnar_above_areas small areas); district and county tables are always CSV
    tables: str = "auto"
    columnar_above_areas: int = 10_000


@dataclass(frozen=True)
class AreasInput:
    """Small areas (usually LSOAs): polygons with their district."""

    path: Path | None = None  # required: load_config refuses a config without it
    layer: str = ""
    crs: str = ""  # used only when the file declares no CRS
    columns: dict[str, str] = field(default_factory=lambda: identity(AREA_COLUMNS))
    population_points: Path | None = None  # optional population-weighted centroids


@dataclass(frozen=True)
class NeedInput:
    """The JSNA need profile: child population by age band and indicator columns."""

    path: Path | None = None  # required: load_config refuses a config without it
    sheet: str = ""
    format: str = ""  # a published layout read by earlyhelp.sources ("" = columns below)
    options: dict[str, Any] = field(default_factory=dict)  # that reader's options
    columns: dict[str, str] = field(default_factory=lambda: identity(NEED_COLUMNS))


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
    columns: dict[str, str] = field(default_factory=lambda: identity(SERVICE_COLUMNS))


@dataclass(frozen=True)
class PostcodeInput:
    """A postcode lookup used to place services (and families) given only a postcode."""

    path: Path | None = None  # no lookup unless configured
    format: str = ""  # "onspd" reads the ONS Postcode Directory as published
    options: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=lambda: identity(POSTCODE_COLUMNS))


@dataclass(frozen=True)
class RoadsInput:
    """A road network for the ``network`` distance model."""

    path: Path | None = None
    layer: str = ""
    crs: str = ""
    columns: dict[str, str] = field(default_factory=lambda: identity(ROAD_COLUMNS))


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
    """One JSNA indicator, from the need table or from its own file at its own geography.

    ``kind`` is one of count, rate, score, rank, decile. A count needs ``denominator``,
    the column it is a count of (for example children aged 0-17).

    By default the indicator is a column of the need table, one value per small area.
    With ``path`` it is read from its own file: a table with one row per area (columns
    named by ``column``, ``lower``, ``upper``, ``denominator``), or a published layout
    (``format``): a long table of area x indicator x value (``long``, choosing the
    indicator by name or code with ``indicator``), a Fingertips export, DWP Children in
    Low Income Families, Census 2021 TS011. ``geography`` says what its rows are (area:
    the analysis areas themselves; lsoa, msoa, ward, district, county) and ``lookup``
    names a table from the analysis areas' codes to that geography's codes (not needed
    for districts: the areas file has them). Each small area then takes the value of the
    unit containing it.
    """

    column: str = ""
    label: str = ""
    kind: str = "count"
    denominator: str = ""
    direction: str = "higher_is_worse"  # higher_is_worse | higher_is_better
    weight: float = 1.0
    categories: tuple[str, ...] = ()
    lower: str = ""  # published lower 95% limit (a column), used instead of computing one
    upper: str = ""  # published upper 95% limit
    path: Path | None = None  # the indicator's own file (None: the need table)
    format: str = ""  # a published layout: long | fingertips | dwp_cilif | census_ts011
    options: dict[str, Any] = field(default_factory=dict)  # that reader's options
    indicator: str = ""  # in a long table or Fingertips export: the indicator's name or code
    period: str = ""  # the time period to read ("" = the latest)
    geography: str = "area"  # area | lsoa | msoa | ward | district | county
    lookup: Path | None = None  # analysis areas (or districts) -> this geography's codes
    compare_with: str = ""  # a code in the file (E92000001 England...): the comparator as published


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
    # above this many small areas index.html is an overview of the districts, each linking
    # to its own page (district-<code>.html); 0 = always one map of every area
    overview_above_areas: int = 5_000
    # places to find by name (OS Open Names, ONS place names or built-up areas, or a
    # table of name, kind, easting, northing); None: the areas' districts and localities
    # and the postcode districts and sectors of [postcodes] only
    gazetteer: Path | None = None
    place_labels: bool = True  # write town and village names on the map


# What published outputs credit by default: the sources earlyhelp's importers read
# (ONS boundaries, lookups, population and postcodes; MHCLG's Indices of Deprivation;
# DfE's schools), all under the Open Government Licence. "{year}" is the year of the run.
DEFAULT_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0",
    "Contains OS data © Crown copyright and database right {year}",
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0",
    "Indices of Deprivation: Ministry of Housing, Communities and Local Government (MHCLG)",
)
# A postcode lookup (the ONS Postcode Directory) adds Royal Mail's statement.
POSTCODE_ATTRIBUTION = "Contains Royal Mail data © Royal Mail copyright and database right {year}"


@dataclass(frozen=True)
class AttributionConfig:
    """What every published output credits, and the licence it is published under.

    Shown on the map, in the report, in the workbook and in the notes beside the tables.
    ``statements`` empty: :data:`DEFAULT_ATTRIBUTION` (and Royal Mail's statement when a
    postcode lookup is read); ``{year}`` in a statement is the year of the run.
    """

    statements: tuple[str, ...] = ()
    licence: str = "Open Government Licence v3.0"
    licence_url: str = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    publisher: str = ""  # who publishes the outputs, e.g. "Wyvernshire Safeguarding Partnership"


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
    rule: bool = False  # new sites must meet the [hubs] targeting aim (the 70/30 rule)
    rule_scope: str = "new"  # new: the new sites meet the aim; network: old and new together


@dataclass(frozen=True)
class CoreServiceConfig:
    """One service of the family hub core offer (``[core_offer.<key>]``).

    A service counts as it when its ``core_service`` cell names the key (or the label),
    or else when one of its categories is in ``categories``.
    """

    label: str = ""
    categories: tuple[str, ...] = ()  # the [categories] keys it is delivered as
    required: bool = True  # a hub without it has a gap


# The programme's named core services (Family Hubs and Start for Life service expectations,
# Best Start Family Hubs guidance Dec 2025), mapped to the shipped [categories]. Used when
# a config has [hubs] and no [core_offer.*]; categories a config lacks are left out.
DEFAULT_CORE_OFFER: dict[str, CoreServiceConfig] = {
    key: CoreServiceConfig(label=label, categories=tuple(cats))
    for key, label, cats in (
        ("health_visiting", "Health visiting", ["health_visiting"]),
        ("infant_feeding", "Infant feeding support", []),
        ("perinatal_mental_health", "Perinatal mental health and parent-infant support", []),
        ("early_language", "Early language and the home learning environment",
         ["speech_language"]),
        ("parenting", "Parenting support", ["parenting"]),
        ("early_learning", "Early learning, stay and play, childcare",
         ["early_education", "childrens_centre"]),
        ("send", "SEND support", ["send_support"]),
        ("family_help", "Family help (targeted early help)", ["family_support"]),
        ("domestic_abuse", "Domestic abuse support", ["domestic_abuse"]),
        ("money_advice", "Money, debt, welfare and housing advice", ["money_housing_advice"]),
        ("mental_health", "Mental health support for children and parents", ["mental_health"]),
        ("substance_misuse", "Drug and alcohol support", ["substance_misuse"]),
        ("youth", "Youth services", ["youth_work"]),
    )
}  # fmt: skip


@dataclass(frozen=True)
class HubsInput:
    """Family hub sites (``[hubs]``): where hubs, spokes and outreach venues are, and the
    targeting rule they are judged against (see :mod:`earlyhelp.hubs`)."""

    path: Path | None = None  # None: no hub network is assessed
    sheet: str = ""
    format: str = ""  # "" (the columns below), dfe_family_hubs or openreferral_hubs
    options: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=lambda: identity(HUB_COLUMNS))
    join_m: float = 100.0  # a service this near a site (naming no site) is delivered at it
    reach_category: str = "childrens_centre"  # whose reach thresholds hub reach uses
    reach_kinds: tuple[str, ...] = ("hub", "spoke")  # site kinds families reach in person
    counted_kinds: tuple[str, ...] = ("hub",)  # site kinds the targeting aim counts
    deprivation: tuple[str, ...] = ()  # [indicators.*] of kind decile: IMD, IDACI (national)
    aim_share: float = 0.7  # the aim: this share of hubs ...
    aim_deciles: int = 3  # ... in national deciles 1 to this (the 30% most deprived)
    low_income_indicator: str = ""  # an [indicators.*]: share of children in low income


@dataclass(frozen=True)
class ChildcareInput:
    """Early years places (``[childcare]``): the Ofsted register of childcare providers as
    published, and DfE early years take-up (see :mod:`earlyhelp.earlyyears`)."""

    path: Path | None = None  # the Ofsted register; None: no places are assessed
    sheet: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # the reader's options
    category: str = "early_education"  # the kind of help the register's providers are
    directory: str = "replace"  # replace: the register's places stand for the category
    geography: str = "ward"  # ward | locality | district | area: where places are counted
    lookup: Path | None = None  # areas -> wards: a CSV or a boundary file with both codes
    places_per_1000: float = 0.0  # places per 1,000 under-5s; 0 = the category's standard
    take_up: Path | None = None  # DfE early years take-up table (children registered)
    take_up_area: str = ""  # its row: the council's code or name ("" = the only one)


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
    hubs: HubsInput = field(default_factory=HubsInput)
    hub_services: ServicesInput = field(default_factory=ServicesInput)
    core_offer: dict[str, CoreServiceConfig] = field(default_factory=dict)
    childcare: ChildcareInput = field(default_factory=ChildcareInput)
    casework: CaseworkConfig = field(default_factory=CaseworkConfig)
    expertise: ExpertiseConfig = field(default_factory=ExpertiseConfig)
    benchmark: BenchmarkConfig = field(default_factory=BenchmarkConfig)
    attribution: AttributionConfig = field(default_factory=AttributionConfig)
    source: Path | None = None  # the file this came from; not a TOML key

    @property
    def run_dir(self) -> Path:
        """The folder this run writes to: ``<output_dir>/<name>``."""
        return self.run.output_dir / self.run.name

    def category_label(self, key: str) -> str:
        """A category's readable label (its key when it has none, or is not configured)."""
        cat = self.categories.get(key)
        return (cat.label if cat is not None else "") or key

    def core_services(self) -> dict[str, CoreServiceConfig]:
        """The core family hub offer: ``[core_offer.*]``, or the programme's named
        services (:data:`DEFAULT_CORE_OFFER`) with the categories this config has."""
        if self.core_offer:
            return dict(self.core_offer)
        return {
            key: dataclasses.replace(
                svc, categories=tuple(c for c in svc.categories if c in self.categories)
            )
            for key, svc in DEFAULT_CORE_OFFER.items()
        }

    def required_path(self, section: str) -> Path:
        """The file a required input (areas, need or services) is read from, or the
        :class:`ConfigError` that says how to name it: no input has a default file."""
        path: Path | None = getattr(self, section).path
        if path is None:
            raise ConfigError(needs_path(self.source or "config", section))
        return path

    def attribution_lines(self, *, year: int | None = None) -> list[str]:
        """The statements every published output carries, ``{year}`` filled in (default:
        this year), followed by the licence the outputs are published under."""
        import datetime as dt

        given = self.attribution.statements
        lines = list(given or DEFAULT_ATTRIBUTION)
        if not given and self.postcodes.path is not None:
            lines.append(POSTCODE_ATTRIBUTION)
        when = str(year or dt.date.today().year)
        return [line.replace("{year}", when) for line in lines]

    def input_paths(self) -> list[Path]:
        """Every file this configuration reads (the outputs may overwrite none of them)."""
        specs = (self.areas, self.need, self.services, self.centres, self.postcodes, self.roads,
                 self.hubs, self.hub_services, self.childcare)  # fmt: skip
        paths = [s.path for s in specs if s.path is not None]
        extra = (
            self.access.matrix_path,
            self.areas.population_points,
            self.siting.candidates,
            self.map.gazetteer,
            self.childcare.lookup,
            self.childcare.take_up,
        )
        paths.extend(p for p in extra if p is not None)
        for ind in self.indicators.values():
            paths.extend(p for p in (ind.path, ind.lookup) if p is not None)
        paths.extend(extract_paths(self.casework, self.expertise, self.benchmark))
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
    ("run", "tables"): ("auto", "csv", "parquet"),
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
    ("siting", "rule_scope"): ("network", "new"),
    ("hub_services", "outside_study_area"): ("keep", "drop"),
    ("childcare", "directory"): ("replace", "add"),
    ("childcare", "geography"): ("ward", "locality", "district", "area"),
    ("sufficiency", "high_need"): ("county_quantile", "indicator_deciles"),
    ("siting", "need_weight"): ("one_plus_index", "index", "none"),
    ("indicators", "kind"): ("count", "rate", "score", "rank", "decile"),
    ("indicators", "direction"): ("higher_is_worse", "higher_is_better"),
    ("indicators", "geography"): ("area", "lsoa", "msoa", "ward", "district", "county"),
    ("indicators", "format"): ("long", "fingertips", "dwp_cilif", "census_ts011"),
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
    "long": "need",
    "dwp_cilif": "need",
    "census_ts011": "need",
    "ons_lookup": "lookup",
    "best_fit": "lookup",
    "dfe_family_hubs": "hubs",
    "openreferral_hubs": "hubs",
    "ofsted_childcare": "childcare",
    "dfe_ey_take_up": "take_up",
    "places": "places",
}
COLUMN_SETS = {
    AreasInput: AREA_COLUMNS,
    NeedInput: NEED_COLUMNS,
    ServicesInput: SERVICE_COLUMNS,
    PostcodeInput: POSTCODE_COLUMNS,
    RoadsInput: ROAD_COLUMNS,
    HubsInput: HUB_COLUMNS,
    EpisodesInput: EPISODE_COLUMNS,
    ReferralsInput: REFERRAL_COLUMNS,
    SitesInput: SITE_COLUMNS,
    TrainingInput: TRAINING_COLUMNS,
}


_NOT_THE_DEMO = "nothing is read from the demo county unless you point at it"


def needs_path(file: Path | str, section: str) -> str:
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
