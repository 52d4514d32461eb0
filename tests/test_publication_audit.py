"""Everything a run publishes, attacked together as an outside reader would (issue 13).

A reader holding the board map and the district summary at once can solve them as one
system: the county total minus the districts the map shows area by area, a district's
full-core-range total minus the areas whose map class says so. These tests plant small
counts in hand-made counties, run ``earlyhelp run``, read what it published (the summary
CSV, and the map's areas as Chromium loads them), and attack with a linear programme of
their own (scipy's HiGHS, not earlyhelp's audit): nothing hidden may be worked out to
within the suppression band. The same attack on the run with the audit switched off
recovers the planted counts, so the attack has teeth.

The attacker is given more than a reader has: which areas have the full core range (from
the analyst GeoPackage), as the map's classes nearly tell.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from typer.testing import CliRunner

from earlyhelp.cli import app
from earlyhelp.maps.classes import NO_DATA_TEXT, SUPPRESSED_TEXT

runner = CliRunner()
BANDS = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]
WEST = [f"E01{i + 1:06d}" for i in range(16) if i % 4 < 2]
EAST = [f"E01{i + 1:06d}" for i in range(16) if i % 4 >= 2]


def _children(tiny, counts: dict[str, int]) -> None:
    """Set areas' children (all in the under-fives band; pop_0_17 to match)."""
    need = tiny.read("need.csv")
    for code, n in counts.items():
        row = need["area_code"] == code
        need.loc[row, [*BANDS, "pop_0_17"]] = [str(n), "0", "0", "0", "0", str(n)]
    tiny.write("need.csv", need)


def _run(tiny) -> object:
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    return tiny.root / "out" / "tiny"


def _map_children(browser, folder) -> dict[str, float | None]:
    """Each area's children as the board map shows them in Chromium (None: hidden)."""
    page = browser.new_page()
    try:
        page.goto((folder / "index.html").as_uri())
        page.wait_for_function("window.earlyhelp && window.earlyhelp.areas")
        rows = page.evaluate(
            "window.earlyhelp.areas.toGeoJSON().features"
            ".map(f => [f.properties.area_code, f.properties.children])"
        )
    finally:
        page.close()
    out: dict[str, float | None] = {}
    for code, text in rows:
        if text in (SUPPRESSED_TEXT, NO_DATA_TEXT):
            out[code] = None
        else:
            out[code] = float(str(text).replace(",", ""))
    return out


def _attack(folder, shown: dict[str, float | None], target: list[str]) -> tuple[float, float]:
    """The least and greatest children ``target`` (areas) can hold given everything
    published: the map's areas and the district summary's counts, with the membership of
    each sum known."""
    areas = gpd.read_file(folder / "results.gpkg", layer="areas").set_index("area_code")
    codes = list(areas.index)
    col = {c: i for i, c in enumerate(codes)}
    full = areas["full_core_range"]
    rows, values = [], []

    def equal(members, value) -> None:
        row = np.zeros(len(codes))
        row[[col[c] for c in members]] = 1.0
        rows.append(row)
        values.append(value)

    for code, v in shown.items():
        if v is not None:
            equal([code], v)
    summary = pd.read_csv(folder / "tables" / "district_summary.csv", dtype=str)
    for _, r in summary.iterrows():
        where = (
            codes
            if r["district_code"] == "County"
            else [c for c in codes if areas.at[c, "district_code"] == r["district_code"]]
        )
        sets = {
            "children": where,
            "children_full_core_range": [c for c in where if full[c] == 1],
            "children_core_unknown": [c for c in where if pd.isna(full[c])],
        }
        for column, members in sets.items():
            if r[column] not in ("*", ".."):
                equal(members, float(r[column]))
    objective = np.zeros(len(codes))
    objective[[col[c] for c in target]] = 1.0
    bounds = []
    for sign in (1.0, -1.0):
        res = linprog(
            sign * objective, A_eq=np.array(rows), b_eq=np.array(values), bounds=(0, None)
        )
        assert res.status in (0, 3), res.message  # optimal, or unbounded above
        bounds.append(sign * res.fun if res.status == 0 else np.inf)
    return bounds[0], bounds[1]


def _unaudited(monkeypatch) -> None:
    """Publish with table-by-table suppression only (the run before issue 13)."""
    from earlyhelp.publish import tables
    from earlyhelp.publish.publication import Publication

    def publish_as_built(disclosure, base, build, **kwargs):
        pub = Publication(disclosure, base)
        build(pub)
        pub.sealed = True
        return pub

    monkeypatch.setattr(tables, "audited", publish_as_built)


def _width(lo: float, hi: float) -> float:
    return np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1


@pytest.mark.parametrize("audit", [False, True], ids=["table-by-table", "audited"])
def test_a_one_area_district_is_not_the_county_less_the_mapped_areas(
    tiny, browser, monkeypatch, audit
):
    """Case (a): a district whose only children are 3 in one area. Its count is hidden in
    the summary with a second district, but the map shows every area of that second
    district, so the county total less them gives 3."""
    _children(tiny, {code: 0 for code in EAST} | {EAST[0]: 3})
    if not audit:
        _unaudited(monkeypatch)
    folder = _run(tiny)
    summary = pd.read_csv(folder / "tables" / "district_summary.csv", dtype=str)
    assert summary.set_index("district_code").at["E07000002", "children"] == "*"
    shown = _map_children(browser, folder)
    assert shown[EAST[0]] is None
    lo, hi = _attack(folder, shown, EAST)
    if not audit:
        assert lo == pytest.approx(3) and hi == pytest.approx(3)  # the attack has teeth
        return
    assert _width(lo, hi) >= 5, (lo, hi)
    manifest = json.loads((folder / "manifest.json").read_text())
    audit_record = manifest["disclosure_audit"]
    assert audit_record["passed"] and audit_record["hidden_by_audit"]


@pytest.mark.parametrize("audit", [False, True], ids=["table-by-table", "audited"])
def test_a_hidden_area_is_not_its_districts_full_range_less_the_areas_in_that_class(
    tiny, browser, monkeypatch, audit
):
    """Case (b): an area of 3 children with the full core range, hidden on the map with a
    second area that lacks it. The district's children with the full core range, less
    the visible areas with it, would give 3."""
    small, other = "E01000002", "E01000001"  # full core range: True, False (tiny's services)
    _children(tiny, {code: 200 for code in WEST} | {small: 3, other: 30})
    if not audit:
        _unaudited(monkeypatch)
    folder = _run(tiny)
    areas = gpd.read_file(folder / "results.gpkg", layer="areas").set_index("area_code")
    assert areas.at[small, "full_core_range"] == 1 and areas.at[other, "full_core_range"] == 0
    shown = _map_children(browser, folder)
    assert shown[small] is None
    lo, hi = _attack(folder, shown, [small])
    if not audit:
        assert shown[other] is None  # the map's own second suppression, not enough
        assert lo == pytest.approx(3) and hi == pytest.approx(3)
        return
    assert _width(lo, hi) >= 5, (lo, hi)


def test_a_published_table_the_audit_did_not_see_is_refused(demo_assessment):
    """Nothing reaches a page around the audit: a sealed publication gives back exactly
    what was audited, and refuses a table it never saw."""
    from earlyhelp.publish.tables import run_publication

    published = run_publication(demo_assessment)
    pub = published.pub
    assert pub.sealed and pub.report is not None and pub.report.passed
    assert {"district_summary", "kinds_of_help", "report: range of help"} <= set(pub.tables)
    frame = pd.DataFrame({"children": [3.0]}, index=["X"])
    with pytest.raises(AssertionError, match="not in the audited publication"):
        pub.table("a new table", frame, counts=["children"], cells=lambda row, col: None)


def test_a_report_section_is_audited_with_the_run_and_only_it_is_hidden_further(tiny):
    """A siting or scenario section published beside the run: 203 children (a hidden area
    of 3 and a mapped area of 200) would give the 3 back from the map. The audit hides the
    section's number, and leaves the run's published tables exactly as they were."""
    import numpy as np

    from earlyhelp.assessment import assess
    from earlyhelp.config import load_config
    from earlyhelp.publish.tables import AREA_CHILDREN, run_publication

    small, big = "E01000002", "E01000006"
    _children(tiny, {code: 200 for code in WEST} | {small: 3})
    run = assess(load_config(tiny.config))
    alone = run_publication(run)
    assert alone.area_children[small] == "*" and alone.area_children[big] == "200"
    section = pd.DataFrame({"children": [203.0]}, index=["closing the hub"])

    def adding(pub, basis):
        where = np.flatnonzero(basis.codes.isin([small, big]))
        pub.table(
            "report: a section",
            section,
            counts=["children"],
            cells=lambda r, c: basis.children(where),
        )

    together = run_publication(run, adding=adding)
    assert together.table("report: a section").at["closing the hub", "children"] == "*"
    for name in alone.pub.tables:
        assert together.table(name).equals(alone.table(name)), name
    assert together.pub.report.passed
    assert together.table(AREA_CHILDREN).equals(alone.table(AREA_CHILDREN))
