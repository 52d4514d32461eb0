"""Configuration: ``config.toml`` becomes frozen dataclasses, validated once.

:mod:`.settings` holds the dataclasses (every option has a default; input files have
none), :mod:`.reading` reads and checks a file into them, :mod:`.checks` makes the checks
that span sections; :mod:`.extracts` the sections of case-system extracts, expertise
and benchmarks. Imports run one way: reading -> checks -> settings -> extracts.

Example
-------
>>> cfg = load_config("config.toml")            # doctest: +SKIP
>>> cfg.services.columns["name"]                 # doctest: +SKIP
'name'
"""

from earlyhelp.config.extracts import (
    BENCHMARK_TABLES,
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
)
from earlyhelp.config.reading import load_config, read_toml
from earlyhelp.config.settings import (
    AREA_COLUMNS,
    CHOICES,
    INPUT_FILES,
    NEED_COLUMNS,
    POSTCODE_COLUMNS,
    ROAD_COLUMNS,
    SERVICE_COLUMNS,
    SOURCE_FORMATS,
    AccessConfig,
    AreasInput,
    AttributionConfig,
    CategoryConfig,
    Config,
    DisclosureConfig,
    IndicatorConfig,
    MapConfig,
    NeedInput,
    PostcodeInput,
    RoadsInput,
    RunConfig,
    ServicesInput,
    SitingConfig,
    SufficiencyConfig,
)  # fmt: skip

__all__ = [
    "AREA_COLUMNS", "BENCHMARK_TABLES", "CHOICES", "EPISODE_COLUMNS", "INPUT_FILES",
    "NEED_COLUMNS", "POSTCODE_COLUMNS", "REFERRAL_COLUMNS", "ROAD_COLUMNS", "SERVICE_COLUMNS",
    "SITE_COLUMNS", "SOURCE_FORMATS", "TRAINING_COLUMNS", "AccessConfig", "AreasInput",
    "AttributionConfig",
    "BenchmarkConfig", "CaseworkConfig", "CategoryConfig", "Config", "DisclosureConfig",
    "EpisodesInput", "ExpertiseConfig", "IndicatorConfig", "MapConfig", "NeedInput",
    "PostcodeInput", "ReferralsInput", "RoadsInput", "RunConfig", "ServicesInput",
    "SitesInput", "SitingConfig", "SufficiencyConfig", "TrainingInput", "load_config",
    "read_toml",
]  # fmt: skip
