"""Configuration: defaults, unknown keys refused with a suggestion, values checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from earlyhelp.config import Config, load_config
from earlyhelp.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# The inputs every config must name; everything else has a default.
INPUTS = """
[areas]
path = "areas.geojson"
[need]
path = "need.csv"
[services]
path = "services.csv"
"""


def test_a_file_naming_only_its_inputs_gives_every_other_default(tmp_path):
    cfg = load_config(write(tmp_path, INPUTS))
    assert cfg.run.crs == "EPSG:27700"
    assert cfg.access.distance_model == "euclidean"
    assert cfg.disclosure.max_count == 5
    assert cfg.areas.columns["area_code"] == "area_code"
    # relative paths are resolved against the config file's folder
    assert cfg.need.path == tmp_path / "need.csv"
    # the optional inputs left out are none, never a demo file
    assert cfg.centres.path is cfg.postcodes.path is cfg.roads.path is None
    assert cfg.centres.category == "childrens_centre"
    named = ["areas.geojson", "need.csv", "services.csv", "config.toml"]
    assert cfg.input_paths() == [tmp_path / name for name in named]


def test_the_shipped_config_points_at_the_demo_county():
    cfg = load_config(REPO / "config.toml")
    assert cfg.areas.path == REPO / "data/demo/areas.geojson"
    assert len(cfg.categories) == 12
    assert set(cfg.indicators["domestic_abuse"].categories) == {"domestic_abuse"}


def test_unknown_key_lists_valid_keys_and_suggests_one(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "[access]\ndistance_modle = 'network'\n"))
    message = str(info.value)
    assert "unknown key 'distance_modle' in [access] (did you mean 'distance_model'?)" in message
    assert "valid keys are: distance_model, circuity," in message


def test_unknown_section_is_refused(tmp_path):
    with pytest.raises(
        ConfigError, match=r"unknown key 'acess' in \[top level\] \(did you mean 'access'\?\)"
    ):
        load_config(write(tmp_path, "[acess]\n"))


def test_column_mapping_keeps_defaults_and_refuses_unknown_canonical_names(tmp_path):
    cfg = load_config(write(tmp_path, INPUTS + "[areas.columns]\narea_code = 'LSOA21CD'\n"))
    assert cfg.areas.columns["area_code"] == "LSOA21CD"
    assert cfg.areas.columns["district_code"] == "district_code"
    with pytest.raises(ConfigError, match=r"unknown column key .lsoa. in \[areas.columns\]"):
        load_config(write(tmp_path, INPUTS + "[areas.columns]\nlsoa = 'LSOA21CD'\n"))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[access]\ncircuity = 'high'\n", "'access.circuity' must be a number, not 'high'"),
        ("[map]\nself_contained = 'yes'\n", "'map.self_contained' must be true or false"),
        (
            "[access]\ndecay = 'gausian'\n",
            "decay = 'gausian' in [access] (did you mean 'gaussian'?)",
        ),
        (
            "[access]\ndistance_model = 'roads'\n",
            "distance_model = 'roads' in [access]; choose one of: euclidean, network, matrix",
        ),
        (
            "[access]\nmeasures = ['e2sfc']\n",
            "unknown measures 'e2sfc' in [access] (did you mean 'e2sfca'?)",
        ),
        ("[disclosure]\nmin_count = 6\nmax_count = 5\n", "needs 0 <= min_count <= max_count"),
        (
            "[categories.parenting]\n[indicators.x]\ncolumn = 'x'\nkind = 'count'\n",
            "[indicators.x] is a count and needs denominator",
        ),
        (
            "[categories.parenting]\n[indicators.x]\ncolumn='x'\nkind='score'\n"
            "categories=['parentin']\n",
            "calls for unknown category 'parentin' (did you mean 'parenting'?)",
        ),
    ],
)
def test_wrong_values_name_the_key_and_the_fix(tmp_path, text, expected):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert expected in str(info.value)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="config file not found; pass --config"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[run\n"))


def test_config_is_frozen():
    cfg = Config()
    with pytest.raises(AttributeError):
        cfg.run.name = "changed"  # type: ignore[misc]


def test_config_choices_agree_with_the_registries_that_own_them():
    from earlyhelp.accessibility import DECAYS, MEASURES
    from earlyhelp.config import CHOICES, SOURCE_FORMATS
    from earlyhelp.distance import DISTANCE_MODELS
    from earlyhelp.maps.classes import CLASSIFIERS
    from earlyhelp.need import INDICATOR_KINDS
    from earlyhelp.siting import NEED_WEIGHTS, SITING_METHODS
    from earlyhelp.sources import SOURCES

    assert set(CHOICES[("access", "decay")]) == set(DECAYS)
    assert set(CHOICES[("map", "classification")]) == set(CLASSIFIERS)
    assert set(CHOICES[("siting", "method")]) == set(SITING_METHODS)
    assert set(CHOICES[("siting", "need_weight")]) == set(NEED_WEIGHTS)
    assert set(CHOICES[("indicators", "kind")]) == set(INDICATOR_KINDS)
    assert set(CHOICES[("access", "distance_model")]) == set(DISTANCE_MODELS)
    assert set(CHOICES[("access", "measures")]) == set(MEASURES)
    assert {name: source.produces for name, source in SOURCES.items()} == SOURCE_FORMATS


# --------------------------------------------------------------------------- input paths
# No input has a default file. Each test plants the demo county where the old defaults
# pointed (data/demo beside the config), so that reading it would have gone unnoticed;
# load_config refuses the config, so no input at all is read.

NOT_THE_DEMO = "nothing is read from the demo county unless you point at it"
AREAS_NEED_PATH = (
    '[areas] needs path = "..." (your small-area boundaries: GeoPackage, GeoJSON or '
    f"Shapefile); {NOT_THE_DEMO}"
)


def refusal(tiny) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(tiny.config)
    return str(info.value)


def test_a_config_without_areas_is_refused_not_read_from_the_demo_county(tiny):
    tiny.plant_demo()
    tiny.set_config(replace=('[areas]\npath = "areas.geojson"\n', ""))
    assert refusal(tiny) == f"{tiny.config}: {AREAS_NEED_PATH}"


def test_a_config_without_need_is_refused_not_read_from_the_demo_county(tiny):
    tiny.plant_demo()
    tiny.set_config(replace=('[need]\npath = "need.csv"\n', ""))
    assert refusal(tiny) == (
        f'{tiny.config}: [need] needs path = "..." (your JSNA need profile: one row per '
        f"small area, CSV or Excel); {NOT_THE_DEMO}"
    )


def test_centres_with_a_category_and_columns_but_no_path_is_refused_with_both_fixes(tiny):
    """It used to read data/demo/services.csv as the centres."""
    tiny.plant_demo()
    centres = '[centres]\ncategory = "childrens_centre"\n\n[centres.columns]\nname = "centre"'
    tiny.set_config(replace=('[centres]\npath = ""', centres))
    assert refusal(tiny) == (
        f'{tiny.config}: [centres] has no path; add path = "..." (your children\'s centres '
        "or family hubs, read like the services), or remove [centres] and [centres.columns] "
        f"if you have none; {NOT_THE_DEMO}"
    )


@pytest.mark.parametrize(
    "replace,expected",
    [
        (
            ('[services]\npath = "services.csv"', '[services]\npath = ""'),
            '[services] needs path = "..." (your service directory: CSV or Excel, or GeoJSON '
            f"or GeoPackage points); {NOT_THE_DEMO}",
        ),
        (
            ('[areas]\npath = "areas.geojson"', '[areas]\ncrs = "EPSG:27700"'),
            AREAS_NEED_PATH,
        ),
        (
            ('[postcodes]\npath = "postcodes.csv"', '[postcodes]\nformat = "onspd"'),
            '[postcodes] has no path; add path = "..." (a postcode lookup, such as the ONS '
            f"Postcode Directory), or remove [postcodes] if you have none; {NOT_THE_DEMO}",
        ),
        (
            (
                "[categories.parenting]",
                '[roads.columns]\nspeed_kph = "maxspeed"\n\n[categories.parenting]',
            ),
            '[roads] has no path; add path = "..." (a road network of lines, for '
            'distance_model = "network"), or remove [roads] and [roads.columns] if you have '
            f"none; {NOT_THE_DEMO}",
        ),
    ],
    ids=["services-blank", "areas-without-path", "postcodes-without-path", "roads-columns-only"],
)
def test_every_input_section_without_a_path_says_which_and_how_to_fix_it(tiny, replace, expected):
    tiny.plant_demo()
    tiny.set_config(replace=replace)
    assert refusal(tiny) == f"{tiny.config}: {expected}"


def test_the_built_in_defaults_name_no_input_file():
    cfg = load_config(None)
    assert cfg.input_paths() == []
    with pytest.raises(ConfigError) as info:
        cfg.required_path("need")
    assert str(info.value) == (
        'config: [need] needs path = "..." (your JSNA need profile: one row per small area, '
        f"CSV or Excel); {NOT_THE_DEMO}"
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../x", "is a path, not a folder name (it would write outside output_dir)"),
        ("runs/2026", "is a path, not a folder name (it would write outside output_dir)"),
        ("a\\\\b", "is a path, not a folder name (it would write outside output_dir)"),
        ("C:x", "is a path, not a folder name (it would write outside output_dir)"),
        ("..", 'starts with "." (a hidden folder, or ".." which is outside output_dir)'),
        (".hidden", 'starts with "." (a hidden folder, or ".." which is outside output_dir)'),
        ("", "is empty"),
        ("  ", "is empty"),
        ("a\\tb", "has a control character in it"),
    ],
)
def test_the_run_name_must_be_a_plain_folder_name(tmp_path, name, why):
    path = write(tmp_path, f'[run]\nname = "{name}"\n' + INPUTS)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    shown = json.dumps(load_toml_name(path))
    assert str(info.value) == (
        f"{path}: [run] name = {shown} {why}; the run's folder is <output_dir>/<name>, so "
        'write a plain folder name such as name = "demo" or name = "wyvernshire-2026" (no /, '
        '\\ or :, not starting with "."), and say where it goes with output_dir'
    )


def load_toml_name(path: Path) -> str:
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))["run"]["name"]


@pytest.mark.parametrize("name", ["demo", "wyvernshire-2026", "Hampshire run 2 (draft)", "a.b"])
def test_plain_run_names_are_accepted(tmp_path, name):
    assert load_config(write(tmp_path, f'[run]\nname = "{name}"\n' + INPUTS)).run.name == name


def test_a_run_named_as_a_path_writes_nothing_anywhere(tiny):
    from typer.testing import CliRunner

    from earlyhelp.cli import app

    tiny.set_config(replace=('name = "tiny"', 'name = "../../escaped"'))
    before = sorted(p.relative_to(tiny.root.parent) for p in tiny.root.parent.rglob("*"))
    result = CliRunner().invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f'earlyhelp: error: {tiny.config}: [run] name = "../../escaped" is a path, not a '
        "folder name (it would write outside output_dir); "
    )
    after = sorted(p.relative_to(tiny.root.parent) for p in tiny.root.parent.rglob("*"))
    assert after == before
    assert not (tiny.root.parent / "escaped").exists()  # out/../../escaped
