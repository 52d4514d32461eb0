"""Truthful distances: what a reader is shown is the real distance, said for what it is.

The tiny county (conftest) with ``circuity = 1.2`` and a domestic abuse outreach service,
Safe at Home Outreach, at (600500, 472000): 1500 m in a straight line from the middle of
area E01000001 and from postcode QX1 1AA (600500, 470500), so 1.8 km of estimated road.
It travels 3 km to families, so for reach it counts as 0 m away and is within the 2 km
urban reach of domestic abuse support. Before, the map read "0.0 km" there.

Safe Homes (in person) is sqrt(2000^2 + 1000^2) x 1.2 = 2.7 km from QX1 1AA, beyond reach.
For the offer, Near Refuge (in person) is 1000 m x 1.2 = 1.2 km away: within reach, and
nearer than the outreach service, so it is listed first.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.publish.maps import board_layers, read_run_layers

runner = CliRunner()

AREA = "E01000001"  # the square around QX1 1AA
OUTREACH = {
    "service_id": "O1",
    "name": "Safe at Home Outreach",
    "delivery": "outreach",
    "easting": "600500",
    "northing": "472000",
}
NEAR = {
    "service_id": "N1",
    "name": "Near Refuge",
    "delivery": "in_person",
    "easting": "601500",
    "northing": "470500",
}


def _with_services(tiny, *rows: dict[str, str]) -> None:
    """The tiny county with circuity 1.2 and these active domestic abuse services added."""
    tiny.set_config("\n[access]\ncircuity = 1.2\n")
    frame = tiny.read("services.csv")
    extra = pd.DataFrame(
        [
            {
                "provider": "Tiny Refuge",
                "sector": "voluntary",
                "categories": "domestic_abuse",
                "min_age": "0",
                "max_age": "19",
                "status": "active",
                **row,
            }
            for row in rows
        ]
    )
    tiny.write("services.csv", pd.concat([frame, extra], ignore_index=True).fillna(""))


# ---------------------------------------------------------------------------- the map


@pytest.fixture
def mapped(tiny):
    """The run folder of the tiny county with the outreach service."""
    _with_services(tiny, OUTREACH)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    return tiny, tiny.root / "out" / "tiny"


def test_results_carry_the_real_distance_beside_the_cost_reach_is_decided_on(mapped):
    _, folder = mapped
    areas, _ = read_run_layers(folder)
    row = areas.loc[AREA]
    assert row["nearest_id__domestic_abuse"] == "O1"
    assert row["nearest__domestic_abuse"] == 0.0  # effective: 1800 m less 3000 m, floored
    assert row["distance__domestic_abuse"] == pytest.approx(1800.0)  # real
    assert row["nearest_outreach__domestic_abuse"]
    assert row["within_reach__domestic_abuse"]
    access = pd.read_csv(folder / "tables" / "access_NOT_FOR_PUBLICATION.csv")
    one = access[(access["area_code"] == AREA) & (access["category"] == "domestic_abuse")]
    assert one.set_index("measure")["value"]["distance"] == pytest.approx(1800.0)


def test_the_map_shows_the_outreach_service_at_1_8_km_not_0_0(mapped):
    tiny, folder = mapped
    areas, services = read_run_layers(folder)
    shown, layers = board_layers(areas, load_config(tiny.config), services=services)
    column = "distance__domestic_abuse"
    assert shown.loc[AREA, column] == 1.8
    outreach = areas["nearest_outreach__domestic_abuse"].astype(bool)
    assert (shown.loc[outreach, column] > 0).all()  # no outreach area reads 0.0 km
    layer = next(layer for layer in layers if layer.column == column)
    assert layer.label == "Distance to Domestic abuse (estimated road distance)"
    assert "estimated road distance (straight line x 1.2)" in layer.note
    assert "Outreach services travel to families up to 3 km" in layer.note
    parenting = next(layer for layer in layers if layer.column == "distance__parenting")
    assert "Outreach" in parenting.note  # Parents Together is an outreach service
    centres = next(layer for layer in layers if layer.column == "distance__childrens_centre")
    assert "Outreach" in centres.note
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Distance to Domestic abuse (estimated road distance)" in page
    assert "straight line)" not in page.replace("(straight line x 1.2)", "")


def test_a_category_without_outreach_says_nothing_of_it(tiny):
    tiny.set_config("\n[access]\ncircuity = 1.0\n")
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    areas, services = read_run_layers(tiny.root / "out" / "tiny")
    _, layers = board_layers(areas, load_config(tiny.config), services=services)
    layer = next(layer for layer in layers if layer.column == "distance__domestic_abuse")
    assert layer.label == "Distance to Domestic abuse (straight-line distance)"
    assert layer.note == (
        "From the area to the nearest active Domestic abuse: straight-line distance."
    )


def test_an_old_run_folder_says_its_distances_count_outreach_nearer(mapped):
    """A folder written before distance__<category> existed still draws, and says what
    its distances are."""
    tiny, folder = mapped
    areas, services = read_run_layers(folder)
    old = areas.drop(columns=[c for c in areas if c.startswith(("distance__", "nearest_o"))])
    _, layers = board_layers(old, load_config(tiny.config), services=services)
    layer = next(layer for layer in layers if layer.column == "nearest__domestic_abuse")
    assert "counted 3 km nearer here" in layer.note and "run earlyhelp run again" in layer.note


# ---------------------------------------------------------------------------- the offer


def _offer(tiny, fmt: str) -> str:
    result = runner.invoke(
        app,
        [
            "offer",
            "--config",
            str(tiny.config),
            "--postcode",
            "QX1 1AA",
            "--age",
            "3",
            "--needs",
            "domestic_abuse",
            "--format",
            fmt,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_offer_prints_the_outreach_service_at_1_8_km_nearest_first(tiny):
    _with_services(tiny, OUTREACH, NEAR)
    text = _offer(tiny, "table")
    assert "Distances: estimated road distance (straight line x 1.2)" in text
    rows = [line for line in text.splitlines() if line.lstrip()[:2] in ("1 ", "2 ", "3 ")]
    names = ["Near Refuge", "Safe at Home Outreach", "Safe Homes"]
    assert [name in row for name, row in zip(names, rows, strict=True)] == [True, True, True]
    distances = [re.search(r"\d+\.\d km", row).group() for row in rows]
    assert distances == ["1.2 km", "1.8 km", "2.7 km"]  # nearest first, as shown
    assert "outreach: comes to families," in rows[1]
    assert "up to 3 km" in " ".join(text.split())
    assert "0.0 km" not in text


def test_the_offer_csv_and_json_carry_the_real_distance_in_the_order_shown(tiny):
    _with_services(tiny, OUTREACH, NEAR)
    rows = list(csv.DictReader(io.StringIO(_offer(tiny, "csv"))))
    local = [r for r in rows if r["available_anywhere"] == "False"]
    assert [r["service_id"] for r in local] == ["N1", "O1", "S2"]
    assert [round(float(r["distance"])) for r in local] == [1200, 1800, 2683]
    assert [r["within_reach"] for r in local] == ["True", "True", "False"]
    outreach = local[1]
    assert float(outreach["distance_for_reach"]) == 0.0  # the cost reach is decided on
    assert float(outreach["outreach_travels"]) == 3000.0
    assert local[0]["outreach_travels"] == ""
    data = json.loads(_offer(tiny, "json"))
    assert data["distance"]["cost_description"] == "estimated road distance (straight line x 1.2)"
    listed = data["needs"][0]["services"]
    assert [(s["service_id"], s["distance"]) for s in listed] == [
        ("N1", 1200.0),
        ("O1", 1800.0),
        ("S2", 2683.3),
    ]
    assert data["needs"][0]["nearest"] == {
        "service_id": "N1",
        "name": "Near Refuge",
        "distance": 1200.0,
    }
