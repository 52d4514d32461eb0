"""Configuration: ``config.toml`` becomes frozen dataclasses, validated once.

:mod:`.settings` holds the dataclasses (every option has a default; input files have
none), :mod:`.reading` reads and checks a file into them, :mod:`.checks` makes the checks
that span sections. Imports run one way: reading -> checks -> settings.

Example
-------
>>> cfg = load_config("config.toml")            # doctest: +SKIP
>>> cfg.services.columns["name"]                 # doctest: +SKIP
'name'
"""

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
    "AREA_COLUMNS", "CHOICES", "INPUT_FILES", "NEED_COLUMNS", "POSTCODE_COLUMNS",
    "ROAD_COLUMNS", "SERVICE_COLUMNS", "SOURCE_FORMATS", "AccessConfig", "AreasInput",
    "AttributionConfig", "CategoryConfig", "Config", "DisclosureConfig", "IndicatorConfig",
    "MapConfig", "NeedInput", "PostcodeInput", "RoadsInput", "RunConfig", "ServicesInput",
    "SitingConfig", "SufficiencyConfig", "load_config", "read_toml",
]  # fmt: skip
