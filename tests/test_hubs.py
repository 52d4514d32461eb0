"""Family hubs on the tiny county, with answers worked out by hand (issue 18).

The tiny county is 4 x 4 areas of 1 km, West (columns 0-1) and East (2-3), urban in rows
0-1 (hub reach 2 km, the children's centre category's) and rural in rows 2-3 (8 km),
50 under-fives in every area. Two hubs, a spoke and an outreach venue are added:

- H1 (hub) at 600,600 / 471,500 in area 5 (West, national decile 1), capacity 100;
- H2 (hub) at 603,500 / 473,500 in area 16 (East, decile 8), capacity not given;
- S1 (spoke) at 600,500 / 473,500 (West, rural); O1 (outreach venue).

Straight-line metres (circuity 1): the urban areas out of reach of every hub and spoke
are E01000003 and E01000004 (row 0, East: 2,147 m and 3,010 m from H1, 3,162 m and
3,000 m from H2); E01000008 (row 1, East) is exactly 2,000 m from H2: within reach.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from typer.testing import CliRunner

from earlyhelp.assessment import assess
from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.disclosure import suppress
from earlyhelp.errors import ConfigError
from earlyhelp.hubs import NONE, UNKNOWN

runner = CliRunner()
BANDS = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]
EXTRA = """
[indicators.imd_decile]
label = "IMD decile"
path = "deprivation.csv"
column = "imd_decile"
kind = "decile"
weight = 0

[hubs]
path = "hubs.csv"
deprivation = ["imd_decile"]
join_m = 50

[hub_services]
path = "hub_services.csv"

[core_offer.parenting]
label = "Parenting support"
categories = ["parenting"]

[core_offer.domestic_abuse]
label = "Domestic abuse support"
categories = ["domestic_abuse"]

[core_offer.infant_feeding]
label = "Infant feeding"
categories = []
"""


def hub_county(tiny, *, under5: dict[str, int] | None = None, extra: str = ""):
    """The tiny county with the hub list, hub services and deciles above."""
    codes = [f"E01{i + 1:06d}" for i in range(16)]
    pd.DataFrame(
        {"area_code": codes, "imd_decile": [1, 1, 2, 9, 1, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8]}
    ).to_csv(tiny.path("deprivation.csv"), index=False)
    pd.DataFrame(
        {
            "site_id": ["H1", "H2", "S1", "O1"],
            "name": ["North & West Hub", "East Hub", "Hill Spoke", "Library"],
            "kind": ["hub", "Family Hub", "linked site", "outreach venue"],
            "capacity": ["100", "", "", ""],
            "easting": [600600, 603500, 600500, 601500],
            "northing": [471500, 473500, 473500, 472500],
        }
    ).to_csv(tiny.path("hubs.csv"), index=False)
    pd.DataFrame(
        {
            "service_id": ["H01", "H02", "H03", "H04", "H05"],
            "name": [
                "Parents group",
                "Parenting online",
                "DA outreach",
                "Parents club",
                "Unlinked group",
            ],
            "categories": ["parenting", "parenting", "domestic_abuse", "parenting", "parenting"],
            "delivery": ["in_person", "online", "outreach", "in_person", "in_person"],
            "capacity": ["20", "50", "10", "15", "15"],
            # H01-H03 name their hub; H04 is at H2's door (10 m); H05 is 400 m from any site
            "site_id": ["H1", "H1", "H1", "", ""],
            "easting": [600600, 600600, 600600, 603510, 602000],
            "northing": [471500, 471500, 471500, 473500, 470400],
        }
    ).to_csv(tiny.path("hub_services.csv"), index=False)
    if under5:
        need = tiny.read("need.csv")
        for code, n in under5.items():
            row = need["area_code"] == code
            need.loc[row, [*BANDS, "pop_0_17"]] = [str(n), "0", "0", "0", "0", str(n)]
        tiny.write("need.csv", need)
    tiny.set_config(EXTRA + extra)
    return load_config(tiny.config)


def test_services_join_their_hub_by_id_or_by_location(tiny):
    a = assess(hub_county(tiny))
    links = a.hubs.links.set_index("service_id")
    assert links.loc["H01", ["site_id", "mode", "how"]].tolist() == ["H1", "in person", "id"]
    assert links.loc["H02", ["site_id", "mode"]].tolist() == ["H1", "virtual"]
    assert links.loc["H03", ["site_id", "mode"]].tolist() == ["H1", "outreach"]
    assert links.loc["H04", ["site_id", "how"]].tolist() == ["H2", "location"]
    assert "H05" not in links.index  # 400 m from a site: join_m is 50
    sites = a.hubs.sites
    assert sites.loc["H2", "kind"] == "hub" and sites.loc["S1", "kind"] == "spoke"
    assert sites.loc["O1", "kind"] == "outreach"


def test_the_core_offer_matrix_names_each_hubs_gaps_and_says_unknown(tiny):
    offer = assess(hub_county(tiny)).hubs.offer
    m = offer.by_site
    assert m.loc["H1", "parenting"] == "in person + virtual"
    assert m.loc["H1", "domestic_abuse"] == "outreach"
    assert m.loc["H2", "parenting"] == "in person"
    assert m.loc["H2", "domestic_abuse"] == NONE
    # no service anywhere is infant feeding: unknown at every site, never a gap
    assert set(m["infant_feeding"]) == {UNKNOWN} and offer.unknown == ("infant_feeding",)
    assert m.loc["H1", "gaps"] == "" and m.loc["H2", "gaps"] == "Domestic abuse support"
    assert m.loc["S1", "gaps"] == ""  # a spoke is not expected to hold everything
    counts = offer.counts
    assert counts.loc["parenting", ["in_person", "virtual", "none"]].tolist() == [2, 1, 0]
    assert counts.loc["domestic_abuse", ["outreach", "none"]].tolist() == [1, 1]


def test_the_targeting_aim_verdicts_and_unknown_capacity(tiny):
    a = assess(hub_county(tiny))
    row = a.hubs.targeting.loc["imd_decile"]
    assert (row["hubs"], row["hubs_in_aim"], row["pct_hubs"]) == (2, 1, 50.0)
    assert row["verdict"] == "below the aim"
    # H2 gives no capacity: the share of capacity cannot be known, never "meets"
    assert row["capacity_verdict"] == "unknown, because capacity is not given for 1 of 2 hubs"
    assert np.isnan(row["pct_capacity"])
    by_decile = a.hubs.by_decile.loc["imd_decile"]
    assert by_decile.loc["1", "hubs"] == 1 and by_decile.loc["8", "hubs"] == 1


def test_the_aim_is_met_unknown_or_missed_as_the_deciles_say(tiny):
    met = hub_county(tiny, extra="")
    text = tiny.config.read_text().replace("deprivation = [", "aim_share = 0.5\ndeprivation = [")
    tiny.config.write_text(text)
    half = load_config(tiny.config)
    assert assess(half).hubs.targeting.loc["imd_decile", "verdict"] == "meets the aim"
    assert met.hubs.aim_share == 0.7
    deprivation = pd.read_csv(tiny.path("deprivation.csv"))
    deprivation["imd_decile"] = deprivation["imd_decile"].astype(float)
    deprivation.loc[deprivation["area_code"] == "E01000016", "imd_decile"] = np.nan
    deprivation.to_csv(tiny.path("deprivation.csv"), index=False)
    row = assess(half).hubs.targeting.loc["imd_decile"]
    assert row["verdict"] == "meets the aim"  # 1 of 1 known; the other cannot lower it below
    tiny.config.write_text(text.replace("aim_share = 0.5", "aim_share = 0.7"))
    row = assess(load_config(tiny.config)).hubs.targeting.loc["imd_decile"]
    assert row["verdict"] == "unknown, because 1 hub(s) have no decile"


def _expected_reach(tiny) -> pd.Series:
    """By hand: each area's representative point against hubs and spokes (straight line),
    2 km urban, 8 km rural."""
    import geopandas as gpd

    areas = gpd.read_file(tiny.path("areas.geojson")).set_index("area_code")
    p = areas.geometry.representative_point()
    sites = np.array([[600600, 471500], [603500, 473500], [600500, 473500]])
    d = np.hypot(p.x.to_numpy()[:, None] - sites[:, 0], p.y.to_numpy()[:, None] - sites[:, 1])
    limit = np.where(areas["rural_urban"] == "rural", 8000, 2000)
    return pd.Series(d.min(axis=1) <= limit, index=areas.index)


def test_under_fives_within_reach_by_district_agree_with_a_hand_count(tiny):
    a = assess(hub_county(tiny))
    expected = _expected_reach(tiny)
    got = a.hubs.reach.areas["within_reach"]
    assert got.equals(expected.reindex(got.index))
    assert sorted(got.index[~got]) == ["E01000003", "E01000004"]
    table = a.hubs.reach_districts
    assert table.loc["E07000001", ["under5", "under5_within"]].tolist() == [400, 400]
    assert table.loc["E07000002", ["under5", "under5_within", "under5_out"]].tolist() == [
        400, 300, 100,
    ]  # fmt: skip
    assert table.loc["County", "under5_pct"] == pytest.approx(700 / 800 * 100)
    lo, hi = table.loc["E07000002", ["under5_lower", "under5_upper"]]
    assert lo < 75.0 < hi  # the interval holds the share
    assert np.isnan(table.loc["County", "low_income_pct"])  # no low-income indicator
    out = a.hubs.out_of_reach
    assert set(out.index) == {"E01000003", "E01000004"}


def test_config_checks_name_the_fix(tiny):
    hub_county(tiny)
    text = tiny.config.read_text()
    tiny.config.write_text(
        text.replace('deprivation = ["imd_decile"]', 'deprivation = ["cp_plans"]')
    )
    with pytest.raises(ConfigError) as info:
        load_config(tiny.config)
    assert "deprivation names 'cp_plans'" in str(info.value)
    assert 'not an [indicators.*] of kind = "decile"' in str(info.value)
    tiny.config.write_text(text.replace("join_m = 50", 'join_m = 50\nreach_category = "hubz"'))
    with pytest.raises(ConfigError) as info:
        load_config(tiny.config)
    assert "reach_category = 'hubz' is not in [categories]" in str(info.value)
    tiny.config.write_text(text.replace('[hubs]\npath = "hubs.csv"\n', "[hubs]\n"))
    with pytest.raises(ConfigError) as info:
        load_config(tiny.config)
    assert "[hubs] has no path" in str(info.value)


def test_a_bad_hub_list_is_one_clear_message_and_exit_2(tiny):
    hub_county(tiny)
    hubs = pd.read_csv(tiny.path("hubs.csv"), dtype=str)
    hubs.loc[1, "capacity"] = "about 300"
    hubs.loc[2, "site_id"] = "H1"
    hubs.to_csv(tiny.path("hubs.csv"), index=False)
    result = runner.invoke(app, ["validate", "--config", str(tiny.config)])
    assert result.exit_code == 2, result.output
    assert "hubs.csv, row 3, field 'capacity': 1 value(s) are not numbers: \"about 300\"" in (
        result.output
    )
    assert "hubs.csv, row 2, 4, field 'site_id'" in result.output
    assert "Traceback" not in result.output


def _attack(published: dict[str, pd.DataFrame], target: str, codes: list[str]) -> tuple:
    """The least and most under-fives ``target`` can hold given the published reach and
    out-of-reach tables (scipy's HiGHS): one unknown per out-of-reach East area."""
    reach, listed = published["reach"], published["out"]
    col = {c: i for i, c in enumerate(codes)}
    a_eq, b_eq = [], []
    out = reach.loc["E07000002", "under5_out"]
    if str(out).replace(".", "").isdigit():
        a_eq.append(np.ones(len(codes)))
        b_eq.append(float(out))
    for code in codes:
        value = str(listed.loc[code, "under5"]) if code in listed.index else "*"
        if value.replace(".", "").isdigit():
            row = np.zeros(len(codes))
            row[col[code]] = 1
            a_eq.append(row)
            b_eq.append(float(value))
    bounds = [(0, None)] * len(codes)
    c = np.zeros(len(codes))
    c[col[target]] = 1
    lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs").fun
    hi = -linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs").fun
    return lo, hi


def test_a_planted_small_count_out_of_reach_cannot_be_worked_out(tiny):
    """E01000003 holds 3 under-fives, out of reach; E01000004 is the other East area out
    of reach. Suppressed table by table, the district's under-fives out of reach less the
    listed area give the 3 back; published as earlyhelp publishes (audited together),
    the attack cannot pin it within the suppression band."""
    cfg = hub_county(tiny, under5={"E01000003": 3})
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    tables = tiny.root / "out" / "tiny" / "tables"
    reach = pd.read_csv(tables / "hub_reach_under5.csv", dtype=str).set_index("district_code")
    out = pd.read_csv(tables / "hub_under5_out_of_reach.csv", dtype=str).set_index("area_code")
    assert not (tables / "hub_reach_under5.csv").read_text().startswith("#")  # publishable
    assert out.loc["E01000003", "under5"] == cfg.disclosure.symbol
    codes = ["E01000003", "E01000004"]
    lo, hi = _attack({"reach": reach, "out": out}, "E01000003", codes)
    assert hi - lo >= cfg.disclosure.max_count, (lo, hi)
    # the same attack on tables suppressed one by one gets the planted 3 back exactly
    a = assess(cfg)
    d = cfg.disclosure
    naive_reach = suppress(
        a.hubs.reach_districts, count_columns=["under5", "under5_within", "under5_out"],
        min_count=d.min_count, max_count=d.max_count, symbol=d.symbol, total_row="County",
    )  # fmt: skip
    naive_out = suppress(
        a.hubs.out_of_reach[["under5"]], count_columns=["under5"], min_count=d.min_count,
        max_count=d.max_count, symbol=d.symbol,
    )  # fmt: skip
    lo, hi = _attack({"reach": naive_reach, "out": naive_out}, "E01000003", codes)
    assert lo == pytest.approx(3) and hi == pytest.approx(3)


def test_outside_text_reaches_the_report_and_map_only_escaped(tiny):
    hub_county(tiny)
    hubs = pd.read_csv(tiny.path("hubs.csv"), dtype=str)
    hubs.loc[0, "name"] = '<script>alert("hub")</script> & <img src=x onerror=alert(1)>'
    hubs.to_csv(tiny.path("hubs.csv"), index=False)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny"
    report = (folder / "report.html").read_text(encoding="utf-8")
    board = (folder / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;hub&#34;)&lt;/script&gt;" in report
    for page in (report, board):
        assert '<script>alert("hub")' not in page
        assert "<img src=x onerror" not in page
    assert "onerror" in board  # the name is there, as text


def test_an_area_without_an_under_five_count_is_unknown_never_out_of_reach(tiny):
    """E01000004 is out of reach of every hub; without its count of under-fives it is
    neither out of reach nor within: unknown, on the map and in the district table."""
    from earlyhelp.publish.tables import run_publication

    hub_county(tiny)
    need = tiny.read("need.csv")
    need.loc[need["area_code"] == "E01000004", BANDS] = ""
    tiny.write("need.csv", need)
    a = assess(load_config(tiny.config))
    assert list(a.hubs.out_of_reach.index) == ["E01000003"]
    east = a.hubs.reach_districts.loc["E07000002"]
    assert east["areas_without_under5"] == 1 and east["under5_out"] == 50
    assert a.hubs.reach_districts.loc["County", "areas_without_under5"] == 1
    shown = run_publication(a).hub_columns["hub_reach"]
    assert shown["E01000004"] == "unknown, because no count of under-fives is given"
    assert shown["E01000003"] == "out of reach" and shown["E01000001"] == "within reach"
