"""The offer index gives the same answers as the offer read from the whole directory,
and ``earlyhelp offer`` answered before the command line loads (:mod:`earlyhelp.launch`)
writes what the command line writes.

Each answer is compared as it is written: CSV, JSON and the terminal tables, for many
families of the demo county (postcodes, grid references and latitude/longitude, ages
and needs, listing limits) and of the tiny county (outreach, phone and closed services,
a terminated postcode). An index that no longer matches its inputs is not used, and
whatever the quick answer does not take is left to the command line.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from rich.console import Console
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.errors import InputError
from earlyhelp.launch import quick_offer
from earlyhelp.offer import find_offer, load_directory, locate
from earlyhelp.offer.formats import as_plain
from earlyhelp.offer.index import answer
from earlyhelp.offer.meta import run_folder
from earlyhelp.offer.plain import plain_csv, plain_json, print_plain
from earlyhelp.publish.offer import write_offer_index


def _written(plain) -> list[str]:
    buffer = io.StringIO()
    print_plain(plain, Console(file=buffer, width=160, highlight=False, emoji=False))
    return [plain_csv(plain), plain_json(plain), buffer.getvalue()]


def _both(cfg, directory, folder, *, where, **family):
    """What the directory and the index answer, as written; and, not written, each
    need's counts of services (taking the child's age, anywhere) are the same."""
    full = as_plain(find_offer(directory, locate(directory, **where), **family))
    fast = answer(cfg, folder, **where, **family)
    assert fast is not None
    assert fast.needs == full.needs
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


def _lattice(tiny, *, circuity: float) -> None:
    """The tiny county with 81 services on a lattice every 500 m (on the corners, edges
    and middles of the index's squares, 1 km wide with a circuity of 1: every reach is
    1 km in town), many at the same distance from a family and with the same name; an
    outreach service just in reach and one just out (reach 1 km, outreach 500 m
    further); two children's centres (fewer than are listed) as far from a family, the
    one first by name in a square further out; and services available anywhere, some
    taking no child of the ages asked."""
    reach = "reach_urban_m = 1000\nreach_rural_m = 2500\n"
    tiny.set_config(
        f"\n[access]\ncircuity = {circuity}\noutreach_extra_m = 500\n",
        replace=("reach_urban_m = 1500\nreach_rural_m = 5000\n", reach),
    )
    text = tiny.config.read_text(encoding="utf-8")
    for label in ('"Domestic abuse"\n', '"Children\'s centre"\n'):
        text = text.replace(label, label + reach)
    tiny.config.write_text(text, encoding="utf-8")
    rows = []
    for n in range(81):
        col, row = divmod(n, 9)
        rows.append(
            {
                "service_id": f"L{80 - n:02d}",  # ids against directory order
                "name": "Twins" if n % 3 else f"Hub {n % 4}",
                "categories": "parenting;domestic_abuse" if n % 5 == 0 else "parenting",
                "min_age": (0, 0, 5, 11)[n % 4],
                "max_age": (19, 4, 11, 19)[n % 4],
                "delivery": "outreach" if n % 7 == 3 else "in_person",
                "status": "closed" if n % 11 == 10 else "active",
                "easting": 600_000 + 500 * col,
                "northing": 470_000 + 500 * row,
            }
        )
    extra = [  # (id, name, categories, delivery, easting, northing)
        ("O1", "Just in reach", "domestic_abuse", "outreach", 602_500, 471_000),
        ("O2", "Just out of reach", "domestic_abuse", "outreach", 601_000, 472_501),
        # both 3 km from QX1 1AA, the first listed outside the squares searched first
        ("C1", "Centre A", "childrens_centre", "in_person", 604_000, 471_000),
        ("C2", "Centre B", "childrens_centre", "in_person", 602_800, 473_400),
    ]
    for sid, name, categories, delivery, x, y in extra:
        rows.append({"service_id": sid, "name": name, "categories": categories,
                     "min_age": 0, "max_age": 19, "delivery": delivery, "status": "active",
                     "easting": x, "northing": y})  # fmt: skip
    for n in range(7):
        rows.append({"service_id": f"R{n}", "name": f"Line {n % 2}", "categories": "parenting",
                     "min_age": (0, 12)[n % 2], "max_age": 19,
                     "delivery": ("phone", "online")[n % 2], "status": "active"})  # fmt: skip
    tiny.write("services.csv", pd.DataFrame(rows).assign(provider="Lattice", sector="voluntary"))
    tiny.write(
        "postcodes.csv",
        pd.DataFrame(
            {
                "postcode": ["QX1 1AA", "QX1 1AB", "QX1 1AC", "QX1 1AD", "QX1 1AE"],
                "easting": [601_000, 600_000, 604_000, 601_250, 603_000],
                "northing": [471_000, 470_000, 474_000, 472_750, 471_500],
                "terminated": "",
            }
        ),
    )


@pytest.mark.parametrize("circuity", [1.0, 1.2])
def test_the_index_answers_as_the_directory_does_among_many_services_at_equal_distances(
    tiny, tmp_path, circuity
):
    """Families on the corners of the index's squares, on the county's corners and far
    outside it; every limit from one to more than there are, and 0 (all)."""
    _lattice(tiny, circuity=circuity)
    cfg = load_config(tiny.config)
    directory = load_directory(cfg)
    folder = tmp_path / "offer_index"
    write_offer_index(directory, folder)
    side = np.load(folder / "grid.npy")[2]
    assert side == 1000 / circuity  # the squares as wide as the shortest reach
    places = [{"postcode": p} for p in directory.postcodes.index] + [
        {"easting": 599_000.0, "northing": 469_000.0},  # outside, near a corner
        {"easting": 652_000.0, "northing": 472_000.0},  # far outside: nothing in reach
        {"easting": 601_000.0, "northing": 400_000.0},
    ]
    for i, where in enumerate(places):
        for age, limit in [(3, 1), (11, 3), (0, 5), (4, 0), (11, 200)][i % 2 :: 2]:
            full, fast = _both(cfg, directory, folder, where=where, age=age, limit=limit)
            assert fast == full, (where, age, limit)
    here = find_offer(directory, locate(directory, postcode="QX1 1AA"), age=3, limit=0)
    listed = here.services.set_index("service_id")
    if circuity == 1.0:  # the outreach services at the edge of reach, on either side
        assert listed.loc["O1", "within_reach"] and not listed.loc["O2", "within_reach"]
    assert listed["distance"].duplicated().sum() > 20  # many ties, decided by name and id
    anywhere = find_offer(directory, locate(directory, easting=652_000.0, northing=472_000.0),
                          age=3)  # fmt: skip
    assert (anywhere.needs["within_reach"] == 0).all()


def test_an_age_that_is_not_a_number_is_refused_by_the_index_and_the_directory(tiny, tmp_path):
    """NaN passes ``age < 0`` and ``age > 25``; the index, counting by sorted ages,
    would count every service for it where the directory counts none."""
    cfg = load_config(tiny.config)
    directory = load_directory(cfg)
    write_offer_index(directory, tmp_path / "offer_index")
    place = locate(directory, postcode="QX1 1AA")
    with pytest.raises(InputError, match="age nan is not a child's age"):
        find_offer(directory, place, age=math.nan)
    with pytest.raises(InputError, match="age nan is not a child's age"):
        answer(cfg, tmp_path / "offer_index", age=math.nan, postcode="QX1 1AA")


def test_an_index_that_no_longer_matches_its_inputs_is_not_used(tiny, tmp_path):
    cfg = load_config(tiny.config)
    write_offer_index(load_directory(cfg), tmp_path / "offer_index")
    assert answer(cfg, tmp_path / "offer_index", age=3, postcode="QX1 1AA") is not None
    services = cfg.services.path
    stat = os.stat(services)
    os.utime(services, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert answer(cfg, tmp_path / "offer_index", age=3, postcode="QX1 1AA") is None
    assert answer(cfg, tmp_path / "nowhere", age=3, postcode="QX1 1AA") is None


# --------------------------------------------------------------------------------------
# `earlyhelp offer` before the command line loads: the same bytes, or the command line
# --------------------------------------------------------------------------------------

runner = CliRunner()


def _quick(args: list[str]) -> bytes | None:
    """What :func:`quick_offer` writes for ``earlyhelp offer <args>``, or None when it
    leaves the answer to the command line (having written nothing)."""
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    with contextlib.redirect_stdout(stream):
        done = quick_offer(args)
    stream.flush()
    if not done:
        assert buffer.getvalue() == b""
        return None
    return buffer.getvalue()


def _command_line(args: list[str]) -> bytes:
    result = runner.invoke(app, ["offer", *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _same(args: list[str]) -> None:
    quick = _quick(args)
    assert quick is not None, args
    assert quick.strip(), args  # an answer, not nothing
    assert quick == _command_line(args), args


def test_the_quick_offer_writes_what_the_command_line_writes_in_the_demo(demo):
    _, _, folder = demo
    postcodes = pd.read_csv(REPO / "data/demo/postcodes.csv")["postcode"].tolist()[::89]
    for i, postcode in enumerate(postcodes):
        args = ["--config", str(REPO / "config.toml"), "--index", str(folder)]
        args += ["--postcode", postcode if i % 2 else f" {postcode.lower()} "]
        args += [f"--age={(0, 3, 9, 15, 18)[i % 5]}", "--format", ("table", "csv", "json")[i % 3]]
        args += [
            [],
            ["--needs", "parenting,domestic_abuse"],
            ["--needs", "youth_work", "--needs", "Childrens centre"],
            ["--needs=childrens_centre", "--limit", "0"],
        ][i % 4]
        _same(args)
    assert len(postcodes) > 40


@pytest.mark.parametrize(
    "where",
    [
        ["--easting", "612345", "--northing", "481234.0"],
        ["--easting=690000", "--northing=380000"],  # outside every area
        ["--lat", "54.21", "--lon", "2.05"],
        ["--lon=2.05", "--lat=54.21e0"],
    ],
)
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_the_quick_offer_places_coordinates_as_the_command_line_does(demo, where, fmt):
    _, _, folder = demo
    config = ["-c", str(REPO / "config.toml"), "--index", str(folder)]
    _same([*config, *where, "--age", "4", "--format", fmt])


@pytest.fixture
def tiny_index(tiny):
    """The tiny county with its offer index where a run puts it (no --index needed)."""
    cfg = load_config(tiny.config)
    write_offer_index(load_directory(cfg), cfg.run_dir / "offer_index")
    return tiny


def test_the_quick_offer_writes_what_the_command_line_writes_in_the_tiny_county(tiny_index):
    cfg = load_config(tiny_index.config)
    postcodes = list(load_directory(cfg).postcodes.index)
    assert len(postcodes) >= 2
    for postcode in postcodes:  # a terminated one among them
        for age, fmt in ((0, "table"), (3, "csv"), (12, "json"), (3, "table")):
            args = ["--config", str(tiny_index.config), "--postcode", postcode]
            _same([*args, "--age", str(age), "--format", fmt])


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--build-index"],
        ["--postcode", "QX1 1AA"],  # no age
        ["--age", "3"],  # no place
        ["--age", "3", "--postcode", "QX1 1AA", "--format", "xml"],
        ["--age", "30", "--postcode", "QX1 1AA"],
        ["--age", "-1", "--postcode", "QX1 1AA"],
        ["--age", "3.5", "--postcode", "QX1 1AA"],
        ["--age", "\uff13", "--postcode", "QX1 1AA"],  # a full-width 3: int() would take it
        ["--age", "3", "--postcode", "QX1 1AA", "--limit", "-1"],
        ["--age", "3", "--postcode", "QX"],
        ["--age", "3", "--postcode", "QX9 9ZZ"],  # not in the lookup
        ["--age", "3", "--postcode", "QX1 1AA", "--needs", "parentin"],
        ["--age", "3", "--lat", "51.0"],  # half a place
        ["--age", "3", "--lat", "1_0", "--lon", "2"],
        ["--age", "3", "--easting", "2", "--northing", "51"],  # degrees
        ["--age", "3", "--postcode", "QX1 1AA", "--postcode"],  # no value
        ["--age", "3", "--postcode", "--needs", "parenting"],
        ["--agee", "3", "--postcode", "QX1 1AA"],
        ["--age", "3", "--postcode", "QX1 1AA", "extra"],
        ["--age", "3", "--postcode", "QX1 1AA", "--"],
        ["--age", "3", "--postcode", "QX1 1AA", "--debug"],
        ["--age", "3", "--postcode", "QX1 1AA", "--index", "nowhere"],
    ],
)
def test_the_quick_offer_leaves_the_rest_to_the_command_line(tiny_index, args):
    assert _quick(["--config", str(tiny_index.config), *args]) is None


def test_the_quick_offer_reads_the_config_as_the_command_line_does(tiny_index):
    args = ["--age", "3", "--postcode", "QX1 1AA", "--format", "csv"]
    config = ["--config", str(tiny_index.config)]
    answered = _quick([*config, *args])
    assert answered is not None
    assert _quick(["-c=" + str(tiny_index.config), *args]) is None  # click reads "=..."
    assert _quick(args) is None  # config.toml of the working folder: not the tiny one's
    text = tiny_index.config.read_text(encoding="utf-8")
    tiny_index.config.write_text(text + "\n[access]\ncircuity = 1.5\n", encoding="utf-8")
    assert _quick([*config, *args]) is None  # the index was made with other settings
    tiny_index.config.write_text(text + "\n[run]\ncolour = 1\n", encoding="utf-8")
    assert _quick([*config, *args]) is None  # the command line refuses this config
    tiny_index.config.write_text(text + "\n# the same settings\n", encoding="utf-8")
    assert _quick([*config, *args]) is None  # not the file the index was made from ...
    assert _command_line([*config, *args]) == answered  # ... the command line answers
    tiny_index.config.write_text(text, encoding="utf-8")
    assert _quick([*config, *args]) == answered
    elsewhere = tiny_index.root / "copy.toml"
    elsewhere.write_text(text, encoding="utf-8")  # the same bytes, read from another folder
    assert _quick(["--config", str(elsewhere), *args]) is None


@pytest.mark.parametrize(
    "run",
    [
        "",
        '[run]\nname = "x"\n',
        '[run]\noutput_dir = "a/b"\n',
        '[ run ]  # the run\ndescription = "name = \\"y\\""\nname = "x"  # named\n',
        "[run]\nname = 'x'\n",  # the TOML parser reads these
        '[run]\nname = "x\\u0041"\noutput_dir = """a"""\n',
        'run = { name = "x", output_dir = "y" }\n',
        '\t[run]\n\tname\t=\t"x"\n',
        '[run]\nname = "x"\ndescription = """\nname = "y"\nend"""\n',
    ],
)
def test_the_run_folder_is_found_as_the_config_names_it(tiny, run):
    text = tiny.config.read_text(encoding="utf-8")
    tiny.config.write_text(text.replace('[run]\nname = "tiny"\noutput_dir = "out"\n', run))
    found = run_folder(tiny.config, tiny.config.read_bytes())
    assert found == load_config(tiny.config).run_dir.resolve()


def test_the_quick_offer_does_not_use_an_index_older_than_its_inputs(tiny_index):
    args = ["--config", str(tiny_index.config), "--age", "3", "--postcode", "QX1 1AA"]
    assert _quick(args) is not None
    stat = os.stat(tiny_index.path("services.csv"))
    os.utime(tiny_index.path("services.csv"), ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _quick(args) is None


def _fresh(entry: str, args: list[str], cwd) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", f"from earlyhelp.{entry} import main; main()", "offer", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--age", "3", "--postcode", "QX1 1AA", "--format", "table"],
        ["--age", "3", "--postcode", "QX1 1AC", "--format", "json", "--needs", "parenting"],
        ["--age", "3", "--postcode", "QX9 9ZZ", "--format", "csv"],  # an error: exit 2
        ["--help"],
    ],
)
def test_the_console_script_answers_as_the_command_line_in_a_fresh_process(tiny_index, args):
    """The console script (earlyhelp.launch) against the command line itself: the same
    output, messages and exit code, whether answered quickly or left to it."""
    config = ["--config", str(tiny_index.config)]
    quick = _fresh("launch", [*config, *args], tiny_index.root)
    assert quick == _fresh("cli", [*config, *args], tiny_index.root)
    assert quick[0] == (0 if "QX9 9ZZ" not in args else 2)


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_the_quick_offer_loads_neither_the_command_line_nor_the_config_nor_numpy(tiny_index, fmt):
    script = (
        "import json, sys\n"
        "from earlyhelp.launch import quick_offer\n"
        f"args = ['--config', {str(tiny_index.config)!r}, '--postcode', 'QX1 1AA', "
        f"'--age', '3', '--format', {fmt!r}]\n"
        "assert quick_offer(args)\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    modules = set(json.loads(proc.stderr))
    loaded = {name.split(".")[0] for name in modules}
    heavy = {"typer", "click", "pandas", "numpy", "geopandas", "shapely", "pyproj", "scipy"}
    heavy |= {"pydantic", "folium", "pyarrow"} | ({"rich"} if fmt != "table" else set())
    assert not loaded & heavy
    assert "earlyhelp.config" not in modules  # the config file is not read into settings


def test_the_console_script_is_the_launcher():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["earlyhelp"] == "earlyhelp.launch:main"


def test_building_the_index_again_leaves_no_array_of_an_earlier_index(tiny):
    """An index of an earlier version had other arrays: building it again into a run
    folder removes them, and the manifest lists what the folder holds."""
    cfg = load_config(tiny.config)
    runner = CliRunner()
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    folder = cfg.run_dir / "offer_index"
    stale = folder / "area_wkb_v1.npy"
    stale.write_bytes(b"an array of version 1")
    manifest = cfg.run_dir / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["outputs"]["offer_index/area_wkb_v1.npy"] = "analyst data: the offer index"
    manifest.write_text(json.dumps(data), encoding="utf-8")

    result = runner.invoke(app, ["offer", "--config", str(tiny.config), "--build-index"])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    listed = json.loads(manifest.read_text(encoding="utf-8"))["outputs"]
    held = {f"offer_index/{p.name}" for p in folder.iterdir()}
    assert {k for k in listed if k.startswith("offer_index/")} == held
    assert "offer_index/meta.json" in held and len(held) > 2
