"""The offer finder on the tiny county, whose distances can be worked out by hand.

The tiny county (conftest) is a 4 x 4 km grid: the bottom two rows urban, the top two
rural. Postcode QX1 1AA sits at (600500, 470500), in an urban square. From there:

- Safe Homes (domestic abuse, in person) is sqrt(2000^2 + 1000^2) = 2236 m away, beyond
  the 2000 m urban reach of domestic abuse support; Helpline (phone) is anywhere;
- Parents Together (parenting, outreach) is 2236 m away, but outreach comes 3000 m
  towards families, so it is within parenting's 1500 m urban reach;
- Teen Space (parenting, ages 11-19) is closed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO
from pyproj import Transformer
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.errors import InputError
from earlyhelp.geography import normalise_postcode
from earlyhelp.loading import file_sha256
from earlyhelp.offer import (
    OFFER_COLUMNS,
    find_offer,
    load_directory,
    locate,
    offer_to_csv,
    offer_to_json,
    parse_needs,
)

runner = CliRunner()


def offer_of(tiny, *, age: int, needs: str, postcode: str = "QX1 1AA", limit: int = 5):
    directory = load_directory(load_config(tiny.config))
    place = locate(directory, postcode=postcode)
    return find_offer(directory, place, age=age, needs=needs, limit=limit)


def listed(offer, need: str) -> list[str]:
    rows = offer.services[offer.services["need"] == need]
    return list(rows["service_id"])


def invoke(tiny, *args: str):
    return runner.invoke(app, ["offer", "--config", str(tiny.config), *args])


# ---------------------------------------------------------------------------- postcodes


@pytest.mark.parametrize("text", ["qx11aa", " QX1  1AA ", "Qx1 1aA", "QX11AA", "qx1\t1aa"])
def test_postcodes_are_normalised_before_lookup(tiny, text):
    assert normalise_postcode(pd.Series([text])).iloc[0] == "QX1 1AA"
    place = locate(load_directory(load_config(tiny.config)), postcode=text)
    assert place.postcode == "QX1 1AA"
    assert (place.x, place.y) == (600500.0, 470500.0)
    assert place.rural_urban == "urban" and not place.terminated


def test_too_short_a_postcode_is_not_one():
    assert pd.isna(normalise_postcode(pd.Series(["QX1"])).iloc[0])


def test_unknown_postcode_exits_2_with_the_fix(tiny):
    result = invoke(tiny, "--postcode", "qx9 9zz", "--age", "3", "--needs", "parenting")
    assert result.exit_code == 2
    assert "postcode QX9 9ZZ is not in the postcode lookup" in result.output
    assert "--lat/--lon or --easting/--northing" in result.output
    assert "Traceback" not in result.output


def test_a_terminated_postcode_works_with_a_note(tiny):
    result = invoke(tiny, "--postcode", "QX1 1AC", "--age", "3", "--needs", "parenting")
    assert result.exit_code == 0, result.output
    assert "QX1 1AC is terminated" in result.output
    assert "last known location was used" in result.output
    offer = offer_of(tiny, age=3, needs="parenting", postcode="qx1 1ac")
    assert offer.place.terminated and offer.place.rural_urban == "rural"


def test_no_postcode_lookup_configured_is_a_clear_message(tiny):
    tiny.set_config(replace=('path = "postcodes.csv"', 'path = ""'))
    result = invoke(tiny, "--postcode", "QX1 1AA", "--age", "3")
    assert result.exit_code == 2
    assert "postcode lookup is not set" in result.output
    assert "[postcodes]" in result.output


def test_latitude_longitude_and_easting_northing_give_the_same_place(tiny):
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(600500, 470500)
    directory = load_directory(load_config(tiny.config))
    by_degrees = locate(directory, lat=lat, lon=lon)
    by_grid = locate(directory, easting=600500, northing=470500)
    assert by_degrees.x == pytest.approx(600500, abs=0.01)
    assert by_degrees.y == pytest.approx(470500, abs=0.01)
    assert (by_grid.x, by_grid.y) == (600500.0, 470500.0)
    assert by_degrees.area_code == by_grid.area_code == "E01000001"
    assert by_grid.postcode is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--postcode", "QX1 1AA", "--easting", "600500", "--northing", "470500"], "were given"),
        (["--lat", "54.1"], "give both --lat and --lon"),
        ([], "no location was given"),
        (["--easting", "1.2", "--northing", "54.1"], "look like degrees"),
    ],
)
def test_a_location_must_be_given_once_and_whole(tiny, args, message):
    result = invoke(tiny, "--age", "3", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_location_outside_the_county_uses_the_urban_reach_with_a_note(tiny):
    directory = load_directory(load_config(tiny.config))
    place = locate(directory, easting=590000, northing=470500)
    assert place.area_code is None
    assert "outside every small area" in place.notes[0]
    offer = find_offer(directory, place, age=3, needs=["parenting"])
    assert offer.needs.loc["parenting", "reach_threshold"] == 1500


# ---------------------------------------------------------------------------- needs


def test_needs_are_normalised_and_unknown_ones_refused(tiny):
    keys = list(load_config(tiny.config).categories)
    assert parse_needs("Parenting, domestic-abuse", keys) == ["parenting", "domestic_abuse"]
    assert parse_needs(["parenting", "parenting,childrens_centre"], keys) == [
        "parenting",
        "childrens_centre",
    ]
    assert parse_needs(None, keys) == keys
    with pytest.raises(InputError, match=r"unknown need 'parentng' \(did you mean 'parenting'\?\)"):
        parse_needs("parentng", keys)


def test_unknown_need_on_the_command_line_exits_2_with_did_you_mean(tiny):
    result = invoke(tiny, "--postcode", "QX1 1AA", "--age", "3", "--needs", "domestc_abuse")
    assert result.exit_code == 2
    assert "did you mean 'domestic_abuse'?" in result.output
    assert "childrens_centre" in result.output  # the valid keys are listed


def test_an_unknown_format_is_refused(tiny):
    result = invoke(tiny, "--postcode", "QX1 1AA", "--age", "3", "--format", "jsn")
    assert result.exit_code == 2
    assert "did you mean 'json'?" in result.output


# ---------------------------------------------------------------------------- eligibility


def test_closed_services_are_never_offered(tiny):
    offer = offer_of(tiny, age=12, needs="parenting")
    assert listed(offer, "parenting") == ["S3"]  # S4 Teen Space is closed


def test_age_must_fall_within_the_service_ages(tiny):
    frame = tiny.read("services.csv")
    frame.loc[frame["service_id"] == "S4", "status"] = "active"  # Teen Space, 11-19
    tiny.write("services.csv", frame)
    assert sorted(listed(offer_of(tiny, age=12, needs="parenting"), "parenting")) == ["S3", "S4"]
    assert listed(offer_of(tiny, age=10, needs="parenting"), "parenting") == ["S3"]
    assert sorted(listed(offer_of(tiny, age=11, needs="parenting"), "parenting")) == ["S3", "S4"]
    # Bright Start takes children to age 5 inclusive
    assert "S1" in listed(offer_of(tiny, age=5, needs="childrens_centre"), "childrens_centre")
    assert "S1" not in listed(offer_of(tiny, age=6, needs="childrens_centre"), "childrens_centre")


def test_phone_and_online_services_are_listed_apart_as_available_anywhere(tiny):
    offer = offer_of(tiny, age=3, needs="domestic_abuse")
    rows = offer.services.set_index("service_id")
    assert list(rows.index) == ["S2", "S5"]  # in person first, then anywhere
    assert not rows.loc["S2", "available_anywhere"] and rows.loc["S5", "available_anywhere"]
    assert pd.isna(rows.loc["S5", "distance"])
    need = offer.needs.loc["domestic_abuse"]
    assert need["local"] == 1 and need["remote"] == 1


def test_outreach_counts_nearer_by_its_extra_reach(tiny):
    offer = offer_of(tiny, age=3, needs="parenting")
    row = offer.services.set_index("service_id").loc["S3"]
    assert row["delivery"] == "outreach"
    assert row["distance"] == pytest.approx(2236.07, abs=0.01)  # the real distance, shown
    assert row["distance_for_reach"] == 0.0  # 2236 m less the 3000 m it travels
    assert row["outreach_travels"] == 3000.0
    assert row["within_reach"]
    assert offer.needs.loc["parenting", "within_reach"] == 1


def test_within_reach_first_then_by_distance(tiny):
    frame = tiny.read("services.csv")
    extra = pd.DataFrame(
        {
            "service_id": ["S6", "S7", "S8", "S9"],
            "name": ["Far Refuge", "Near Refuge", "Middle Refuge", "Web Chat"],
            "categories": "domestic_abuse",
            "delivery": ["in_person", "in_person", "in_person", "online"],
            "status": "active",
            "easting": ["603900", "600900", "601400", ""],
            "northing": ["473900", "470500", "470500", ""],
        }
    )
    tiny.write("services.csv", pd.concat([frame, extra], ignore_index=True).fillna(""))
    offer = offer_of(tiny, age=3, needs="domestic_abuse", limit=0)
    rows = offer.services
    assert list(rows["service_id"]) == ["S7", "S8", "S2", "S6", "S5", "S9"]  # S5 Helpline
    assert list(rows["rank"]) == [1, 2, 3, 4, 5, 6]
    assert list(rows["within_reach"].iloc[:4]) == [True, True, False, False]
    short = offer_of(tiny, age=3, needs="domestic_abuse", limit=1)
    assert short.services["service_id"].tolist() == ["S7", "S5"]
    message = short.needs.loc["domestic_abuse", "message"]
    assert "2 services within reach" in message and "(1 more not listed)" in message
    assert "2 online or phone services are available anywhere (1 not listed)" in message


# ---------------------------------------------------------------------------- messages


def test_no_service_within_reach_names_the_nearest_and_how_far(tiny):
    offer = offer_of(tiny, age=3, needs="domestic_abuse")
    message = offer.needs.loc["domestic_abuse", "message"]
    assert "NO service within reach (2.0 km in an urban area)" in message
    assert "The nearest is Safe Homes, 2.2 km away" in message
    assert "1 online or phone service is available anywhere" in message
    assert offer.needs.loc["domestic_abuse", "nearest_id"] == "S2"
    result = invoke(tiny, "--postcode", "QX1 1AA", "--age", "3", "--needs", "domestic_abuse")
    text = " ".join(result.output.split())
    assert "NO service within reach" in text and "Safe Homes, 2.2 km away" in text


def test_distance_uses_the_configured_circuity(tiny):
    tiny.set_config("\n[access]\ncircuity = 1.2\n")
    offer = offer_of(tiny, age=3, needs="domestic_abuse")
    assert offer.needs.loc["domestic_abuse", "nearest_distance"] == pytest.approx(2683.28, 0.01)
    assert "2.7 km away" in offer.needs.loc["domestic_abuse", "message"]


def test_a_need_with_no_service_for_that_age_says_so(tiny):
    offer = offer_of(tiny, age=19, needs="childrens_centre")
    # Parents Together (0-19) takes a 19-year-old; Bright Start (0-5) does not
    assert listed(offer, "childrens_centre") == ["S3"]
    frame = tiny.read("services.csv")
    frame.loc[frame["service_id"] == "S3", "max_age"] = "18"
    tiny.write("services.csv", frame)
    offer = offer_of(tiny, age=19, needs="childrens_centre")
    message = offer.needs.loc["childrens_centre", "message"]
    assert "no active in-person or outreach service for a child aged 19" in message
    assert "No online or phone service either" in message


# ---------------------------------------------------------------------------- output


def test_json_output_parses(tiny):
    result = invoke(
        tiny,
        "--postcode",
        "qx11aa",
        "--age",
        "3",
        "--needs",
        "parenting,domestic_abuse",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["location"]["postcode"] == "QX1 1AA"
    assert [n["need"] for n in data["needs"]] == ["parenting", "domestic_abuse"]
    da = data["needs"][1]
    assert da["within_reach"] == 0 and da["nearest"]["name"] == "Safe Homes"
    assert [s["service_id"] for s in da["services"]] == ["S2"]
    assert [s["service_id"] for s in da["available_anywhere"]] == ["S5"]
    assert da["services"][0]["distance"] == pytest.approx(2236.1)


def test_csv_output_parses(tiny):
    result = invoke(
        tiny,
        "--postcode",
        "QX1 1AA",
        "--age",
        "3",
        "--needs",
        "parenting,domestic_abuse",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert tuple(rows[0]) == OFFER_COLUMNS
    assert [(r["need"], r["service_id"]) for r in rows] == [
        ("parenting", "S3"),
        ("domestic_abuse", "S2"),
        ("domestic_abuse", "S5"),
    ]
    assert rows[2]["available_anywhere"] == "True" and rows[2]["distance"] == ""
    offer = offer_of(tiny, age=3, needs="parenting,domestic_abuse")
    assert offer_to_csv(offer) == result.output
    assert json.loads(offer_to_json(offer))["age"] == 3


def test_directory_text_is_never_read_as_rich_markup_or_terminal_codes(tiny):
    frame = tiny.read("services.csv")
    frame.loc[frame["service_id"] == "S2", "name"] = "[bold red]Safe[/] Homes [link=x]y[/link]"
    frame.loc[frame["service_id"] == "S2", "contact"] = "\x1b[2J\x1b[31mcall 01632 960000"
    frame.loc[frame["service_id"] == "S2", "provider"] = ":warning: [/] ["
    tiny.write("services.csv", frame)
    result = invoke(tiny, "--postcode", "QX1 1AA", "--age", "3", "--needs", "domestic_abuse")
    assert result.exit_code == 0, result.output
    text = result.output
    table_row = next(line for line in text.splitlines() if line.lstrip().startswith("1 "))
    assert "[bold red]Safe[/] Homes [link=x]y[/link]" in table_row  # shown as written
    assert "The nearest is [bold red]Safe[/] Homes [link=x]y[/link]" in " ".join(text.split())
    assert ":warning: [/] [" in text  # not an emoji, not a markup error
    assert "\x1b" not in text  # no escape sequence reaches the terminal
    assert "call 01632 960000" in text


# ---------------------------------------------------------------------------- privacy


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time (ns)."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def sandbox(tiny, tmp_path, monkeypatch):
    """Empty home, temporary and working folders, with every input's hash recorded."""
    folders = {name: tmp_path / name for name in ("home", "tmp", "cwd", "cache", "config")}
    for folder in folders.values():
        folder.mkdir()
    env = {
        "HOME": folders["home"],
        "TMPDIR": folders["tmp"],
        "TEMP": folders["tmp"],
        "TMP": folders["tmp"],
        "XDG_CACHE_HOME": folders["cache"],
        "XDG_CONFIG_HOME": folders["config"],
        "XDG_DATA_HOME": folders["home"] / ".local" / "share",
    }
    hashes = {p.name: file_sha256(p) for p in tiny.root.iterdir() if p.is_file()}
    return folders, {k: str(v) for k, v in env.items()}, hashes


def _assert_untouched(tmp_path: Path, before: dict, tiny, hashes: dict) -> None:
    assert _tree(tmp_path) == before  # no file created, changed or removed anywhere
    assert {p.name: file_sha256(p) for p in tiny.root.iterdir() if p.is_file()} == hashes


OFFER_ARGS = ["--postcode", "QX1 1AC", "--age", "3", "--needs", "parenting,domestic_abuse"]


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_the_offer_writes_nothing_in_process(tiny, tmp_path, sandbox, monkeypatch, fmt):
    folders, env, hashes = sandbox
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr("tempfile.tempdir", None)  # so TMPDIR is read again
    monkeypatch.chdir(folders["cwd"])
    before = _tree(tmp_path)
    result = runner.invoke(
        app, ["offer", "--config", str(tiny.config), *OFFER_ARGS, "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    _assert_untouched(tmp_path, before, tiny, hashes)


def test_the_offer_writes_nothing_in_a_fresh_process(tiny, tmp_path, sandbox):
    """A new interpreter, so that import-time caches (pyproj, GDAL, fontconfig) count too;
    nothing goes to stderr (no logging)."""
    folders, env, hashes = sandbox
    before = _tree(tmp_path)
    full_env = {**os.environ, **env, "PYTHONDONTWRITEBYTECODE": "1"}
    for fmt in ("table", "json"):
        proc = subprocess.run(
            [
                sys.executable,
                "-B",
                "-c",
                "from earlyhelp.cli import main; main()",
                "offer",
                "--config",
                str(tiny.config),
                *OFFER_ARGS,
                "--format",
                fmt,
            ],
            cwd=folders["cwd"],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == ""
        assert "Safe Homes" in proc.stdout
    _assert_untouched(tmp_path, before, tiny, hashes)


def test_the_offer_does_not_read_the_need_data(tiny):
    tiny.path("need.csv").unlink()  # an assessment could not run without it
    result = invoke(tiny, "--postcode", "QX1 1AA", "--age", "3", "--needs", "parenting")
    assert result.exit_code == 0, result.output
    assert "Parents Together" in result.output


def test_the_offer_names_the_childrens_centre_responsible_for_the_area():
    from earlyhelp.demo import planted

    cfg = load_config(REPO / "config.toml")
    directory = load_directory(cfg)
    centre = directory.services.loc[planted()["critical_centre"]]
    postcode = str(
        pd.read_csv(REPO / "data/demo/childrens_centres.csv")
        .set_index("service_id")
        .loc[centre.name, "postcode"]
    )
    place = locate(directory, postcode=postcode)
    assert place.area_code in centre["reach_areas"]
    offer = find_offer(directory, place, age=3, needs=["parenting"])
    assert f"The children's centre responsible for this area is {centre['name']}" in " ".join(
        offer.notes
    )
