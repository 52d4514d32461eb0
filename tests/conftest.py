"""Shared fixtures: a tiny, valid county written to a temporary folder.

Tests break one thing in it and check the exact message the user gets.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

REPO = Path(__file__).resolve().parents[1]
# the real Hampshire data beside the checkout, or where EARLYHELP_REALDATA points
REALDATA = Path(os.environ.get("EARLYHELP_REALDATA", REPO.parent / "shared" / "realdata"))

CONFIG = """
[run]
name = "tiny"
output_dir = "out"

[areas]
path = "areas.geojson"

[need]
path = "need.csv"

[services]
path = "services.csv"

[centres]
path = ""

[postcodes]
path = "postcodes.csv"

[categories.parenting]
label = "Parenting"
reach_urban_m = 1500
reach_rural_m = 5000

[categories.domestic_abuse]
label = "Domestic abuse"

[categories.childrens_centre]
label = "Children's centre"

[indicators.cp_plans]
column = "cp_plans"
kind = "count"
denominator = "pop_0_17"
categories = ["parenting"]
"""


@dataclass
class Tiny:
    """A 4 x 4 grid of 1 km square areas in two districts, with need and five services."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    def path(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.path(name), dtype=str, keep_default_na=False)

    def write(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_csv(self.path(name), index=False)

    def plant_demo(self) -> Path:
        """Copy the demo county to ``data/demo`` beside the config, where input sections
        without a path once silently read from, so a test can show none of it is read."""
        return Path(shutil.copytree(REPO / "data" / "demo", self.root / "data" / "demo"))

    def set_config(self, extra: str = "", *, replace: tuple[str, str] | None = None) -> None:
        text = CONFIG
        if replace:
            assert replace[0] in text, replace[0]
            text = text.replace(*replace)
        self.config.write_text(text + extra, encoding="utf-8")

    def refused(self) -> str:
        """``earlyhelp run`` on this county, refused: exit code 2 and nothing written;
        the first line of what it said."""
        from typer.testing import CliRunner

        from earlyhelp.cli import app

        result = CliRunner().invoke(app, ["run", "--config", str(self.config)])
        assert result.exit_code == 2, result.output
        assert not (self.root / "out" / "tiny").exists()  # nothing written
        return result.stderr.strip().splitlines()[0]


def make_tiny(root: Path) -> Tiny:
    root.mkdir(parents=True, exist_ok=True)
    cells = []
    for i in range(16):
        row, col = divmod(i, 4)
        x0, y0 = 600000 + col * 1000, 470000 + row * 1000
        cells.append(
            {
                "area_code": f"E01{i + 1:06d}",
                "area_name": f"Tiny {i + 1:03d}",
                "district_code": "E07000001" if col < 2 else "E07000002",
                "district_name": "West" if col < 2 else "East",
                "rural_urban": "urban" if row < 2 else "rural",
                "geometry": box(x0, y0, x0 + 1000, y0 + 1000),
            }
        )
    gpd.GeoDataFrame(cells, crs="EPSG:27700").to_file(root / "areas.geojson", driver="GeoJSON")
    need = pd.DataFrame(
        {
            "area_code": [c["area_code"] for c in cells],
            "pop_0_4": 50,
            "pop_5_10": 60,
            "pop_11_15": 50,
            "pop_16_17": 20,
            "pop_18_19": 20,
            "pop_0_17": 180,
            "cp_plans": [i % 7 for i in range(16)],
        }
    )
    need.to_csv(root / "need.csv", index=False)
    services = pd.DataFrame(
        {
            "service_id": ["S1", "S2", "S3", "S4", "S5"],
            "name": ["Bright Start", "Safe Homes", "Parents Together", "Teen Space", "Helpline"],
            "provider": "Tiny Council",
            "sector": ["statutory", "voluntary", "community", "voluntary", "voluntary"],
            "categories": [
                "childrens_centre",
                "domestic_abuse",
                "parenting;childrens_centre",
                "parenting",
                "domestic_abuse",
            ],
            "min_age": ["0", "0", "0", "11", "0"],
            "max_age": ["5", "19", "19", "19", "19"],
            "capacity": ["120", "40", "", "30", "500"],
            "annual_cost": ["250000", "80000", "60000", "45000.50", ""],
            "delivery": ["in_person", "in_person", "outreach", "in_person", "phone"],
            "status": ["active", "active", "active", "closed", "active"],
            "easting": ["600500", "602500", "601500", "603500", ""],
            "northing": ["470500", "471500", "472500", "473500", ""],
            "postcode": ["", "", "", "", ""],
        }
    )
    services.to_csv(root / "services.csv", index=False)
    pd.DataFrame(
        {
            "postcode": ["QX1 1AA", "QX1 1AB", "QX1 1AC"],
            "easting": [600500, 601500, 602500],
            "northing": [470500, 471500, 473500],
            "terminated": ["", "", "2019-03"],
        }
    ).to_csv(root / "postcodes.csv", index=False)
    tiny = Tiny(root)
    tiny.set_config()
    return tiny


@pytest.fixture
def tiny(tmp_path: Path) -> Tiny:
    """A fresh, valid tiny county in its own folder."""
    return make_tiny(tmp_path / "tiny")


@pytest.fixture(scope="session")
def demo_assessment():
    """The demo county analysed once for the whole session (read it; never change it)."""
    from earlyhelp.assessment import assess
    from earlyhelp.config import load_config

    return assess(load_config(REPO / "config.toml"))


@pytest.fixture(scope="session")
def demo_run_folder(demo_assessment, tmp_path_factory) -> Path:
    """The demo run folder as `earlyhelp run` writes it, written once for the session."""
    from earlyhelp.publish.folder import write_product
    from earlyhelp.publish.run import run_product

    return write_product(run_product(demo_assessment), tmp_path_factory.mktemp("demo") / "demo")


@pytest.fixture
def realdata() -> Path:
    """The real Hampshire data beside the repo; the test is skipped where it is absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not present on this machine")
    return REALDATA


def chromium_path() -> str | None:
    """Debian's chromium, which the browser tests drive through playwright."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("EARLYHELP_REQUIRE_BROWSER"):
        pytest.fail("chromium is required (EARLYHELP_REQUIRE_BROWSER is set) but not installed")
    return found


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots for people (ignored)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Hostile text that runs sets this or opens a dialog; the tests check neither happens.
TRIPWIRE = """
window.__pwned = false;
window.alert = window.confirm = window.prompt = function () { window.__pwned = true; };
"""


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the session, driven by playwright."""
    path = chromium_path()
    if path is None:
        pytest.skip("chromium is not installed (set EARLYHELP_REQUIRE_BROWSER to fail instead)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


class OfflinePage:
    """A page with every request but local files refused, and every error and dialog kept.

    ``files_allowed`` says which file: URLs may load; ``console`` which console message
    types count as errors; ``ready`` is a JavaScript condition to wait for after loading.
    """

    def __init__(
        self,
        browser,
        path: Path,
        *,
        width: int = 1280,
        height: int = 800,
        ready: str | None = None,
        files_allowed=lambda url: True,
        console: tuple[str, ...] = ("error",),
    ):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self._files_allowed = files_allowed
        self._console_types = console
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.add_init_script(TRIPWIRE)
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri())
        if ready:
            self.page.wait_for_function(ready, timeout=15_000)
        else:
            self.page.wait_for_load_state("load")

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:") and self._files_allowed(url):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def _console(self, message):
        if message.type in self._console_types:
            self.errors.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, script: str, arg=None):
        return self.page.evaluate(script, arg)
