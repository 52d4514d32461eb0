"""The offer index gives the same answers as the offer read from the whole directory.

Each answer is compared as it is written: CSV, JSON and the terminal tables, for many
families of the demo county (postcodes, grid references and latitude/longitude, ages
and needs, listing limits) and of the tiny county (outreach, phone and closed services,
a terminated postcode). An index that no longer matches its inputs is not used.
"""

from __future__ import annotations

import io
import os

import pandas as pd
import pytest
from conftest import REPO
from rich.console import Console

from earlyhelp.config import load_config
from earlyhelp.offer import find_offer, load_directory, locate
from earlyhelp.offer.formats import as_plain
from earlyhelp.offer.index import answer
from earlyhelp.offer.plain import plain_csv, plain_json, print_plain
from earlyhelp.publish.offer import write_offer_index


def _written(plain) -> list[str]:
    buffer = io.StringIO()
    print_plain(plain, Console(file=buffer, width=160, highlight=False, emoji=False))
    return [plain_csv(plain), plain_json(plain), buffer.getvalue()]


def _both(cfg, directory, folder, *, where, **family):
    full = as_plain(find_offer(directory, locate(directory, **where), **family))
    fast = answer(cfg, folder, **where, **family)
    assert fast is not None
    return _written(full), _written(fast)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    cfg = load_config(REPO / "config.toml")
    directory = load_directory(cfg)
    folder = tmp_path_factory.mktemp("index") / "offer_index"
    write_offer_index(directory, folder)
    return cfg, directory, folder


def test_the_index_answers_as_the_directory_does_in_the_demo(demo):
    cfg, directory, folder = demo
    postcodes = pd.read_csv(REPO / "data/demo/postcodes.csv")["postcode"].tolist()[::61]
    cases = 0
    for i, postcode in enumerate(postcodes):
        age = (0, 3, 9, 15, 18)[i % 5]
        needs = (None, "parenting,domestic_abuse", "youth_work", "childrens_centre")[i % 4]
        for limit in (5, 0) if i % 3 == 0 else (5,):
            full, fast = _both(
                cfg, directory, folder, where={"postcode": postcode}, age=age, needs=needs,
                limit=limit,
            )  # fmt: skip
            assert fast == full, postcode
            cases += 1
    assert cases > 60


@pytest.mark.parametrize(
    "where",
    [
        {"easting": 612_345.0, "northing": 481_234.0},
        {"easting": 690_000.0, "northing": 380_000.0},  # outside every area
        {"lat": 54.21, "lon": 2.05},
    ],
)
def test_the_index_places_coordinates_as_the_directory_does(demo, where):
    cfg, directory, folder = demo
    full, fast = _both(cfg, directory, folder, where=where, age=4, needs=None, limit=5)
    assert fast == full


def test_the_index_answers_as_the_directory_does_in_the_tiny_county(tiny, tmp_path):
    cfg = load_config(tiny.config)
    directory = load_directory(cfg)
    write_offer_index(directory, tmp_path / "offer_index")
    for postcode in directory.postcodes.index:
        for age in (0, 3, 12):
            full, fast = _both(
                cfg, directory, tmp_path / "offer_index", where={"postcode": postcode},
                age=age, needs=None, limit=5,
            )  # fmt: skip
            assert fast == full


def test_an_index_that_no_longer_matches_its_inputs_is_not_used(tiny, tmp_path):
    cfg = load_config(tiny.config)
    write_offer_index(load_directory(cfg), tmp_path / "offer_index")
    assert answer(cfg, tmp_path / "offer_index", age=3, postcode="QX1 1AA") is not None
    services = cfg.services.path
    stat = os.stat(services)
    os.utime(services, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert answer(cfg, tmp_path / "offer_index", age=3, postcode="QX1 1AA") is None
    assert answer(cfg, tmp_path / "nowhere", age=3, postcode="QX1 1AA") is None
