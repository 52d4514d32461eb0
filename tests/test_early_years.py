"""Early years places per child by ward on the tiny county, worked out by hand (issue 18).

The tiny county's areas hold 50 under-fives each. Wards (the lookup): W1 = areas 1-2,
W2 = 5-6, W3 = 3-4, W4 = area 7 (20 under-fives), W5 = area 8 (no population given),
W6 = areas 9-16. The register (Ofsted's 2025 layout, title lines above the header):

- a nursery at QX1 1AA (area 1, W1) with 40 places; one at QX1 1AB (area 6, W2) with
  10 places; a resigned nursery at QX1 1AA (not counted); an out-of-school club at
  QX1 1AB (Childcare Register only: school-age places);
- two childminders whose postcode is REDACTED, 6 and 4 places: 10 places placed in no
  ward, counted for the council only;
- a pre-school at QX1 1AB (W2) giving no places (neither figure published).

Against the standard of 333 places per 1,000 under-fives:

- W1: 40 / 100 = 400 per 1,000: meets the standard on its placed providers alone;
- W2: 10 / 100 = 100 on the places given, but its pre-school gives none: unknown;
- W3: 0 / 100; with them 100: below, for certain;
- W4: 0 / 20; with them 500 >= 333: unknown (the childminders could be there);
- W5: no population: unknown, never a gap;
- W6: 0 / 400; with them 25: below, for certain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from earlyhelp.assessment import assess
from earlyhelp.cli import app
from earlyhelp.config import load_config
from earlyhelp.earlyyears import BELOW, MEETS

runner = CliRunner()
TITLE = (
    "Latest inspections of all registered providers as at 31 August 2025\n"
    "This worksheet contains one table. Some cells refer to notes which can be found on "
    "the notes worksheet.\n"
)
HEADER = (
    "Provider URN,Registration Date,Provider Type,Provider Subtype,Provider Status,"
    "Provider Early Years Register Flag,Provider Compulsory Childcare Register Flag,"
    "Provider Voluntary Childcare Register Flag,Provider Name,Provider Address Line 1,"
    "Provider Town,Provider Postcode,Parliamentary Constituency,Local Authority,Region,"
    "Places,Places including Estimates\n"
)
ROWS = [
    "EY1,01/02/2010,Childcare on non-domestic premises,Full day care,Active,Y,N,N,"
    "Acorns Nursery,1 Lane,Tiny,QX1 1AA,Tiny,Tinyshire,South East,40,40",
    "EY2,01/02/2010,Childcare on non-domestic premises,Full day care,Active,Y,N,N,"
    "Oak Nursery,2 Lane,Tiny,QX1 1AB,Tiny,Tinyshire,South East,10,10",
    "EY3,01/02/2010,Childcare on non-domestic premises,Full day care,Resigned,Y,N,N,"
    "Gone Nursery,3 Lane,Tiny,QX1 1AA,Tiny,Tinyshire,South East,90,90",
    "EY4,01/02/2010,Childcare on non-domestic premises,Out of school day care,Active,N,Y,Y,"
    "Kids Club,School Lane,Tiny,QX1 1AB,Tiny,Tinyshire,South East,30,30",
    "EY5,07/08/2015,Childminder,,Active,Y,Y,Y,REDACTED,REDACTED,REDACTED,REDACTED,Tiny,"
    "Tinyshire,South East,6,6",
    "EY6,07/08/2016,Childminder,,Active,Y,N,N,REDACTED,REDACTED,REDACTED,REDACTED,Tiny,"
    "Tinyshire,South East,4,",
    "EY7,01/02/2012,Childcare on non-domestic premises,Sessional day care,Active,Y,N,N,"
    "Pip Pre-school,4 Lane,Tiny,QX1 1AB,Tiny,Tinyshire,South East,,",
]
WARDS = {
    "W1": [1, 2], "W2": [5, 6], "W3": [3, 4], "W4": [7], "W5": [8],
    "W6": list(range(9, 17)),
}  # fmt: skip
EXTRA = """
[categories.early_education]
label = "Early education"

[childcare]
path = "register.csv"
geography = "ward"
lookup = "wards.csv"
places_per_1000 = 333
"""


def early_years_county(tiny):
    (tiny.path("register.csv")).write_text(TITLE + HEADER + "\n".join(ROWS) + "\n", "utf-8")
    rows = [
        {"area_code": f"E01{i:06d}", "ward_code": ward, "ward_name": f"Ward {ward}"}
        for ward, areas in WARDS.items()
        for i in areas
    ]
    pd.DataFrame(rows).to_csv(tiny.path("wards.csv"), index=False)
    need = tiny.read("need.csv")
    bands = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19", "pop_0_17"]
    need.loc[need["area_code"] == "E01000007", "pop_0_4"] = "20"
    need.loc[need["area_code"] == "E01000008", bands] = ""
    tiny.write("need.csv", need)
    tiny.set_config(extra=EXTRA)
    return load_config(tiny.config)


def test_places_per_child_by_ward_and_verdicts_worked_by_hand(tiny):
    ey = assess(early_years_county(tiny)).early_years
    under5 = ey.places.xs("0-4", level="band")
    per = under5["places_per_1000"]
    assert per["W1"] == pytest.approx(400.0) and per["W2"] == pytest.approx(100.0)
    assert per["W3"] == 0 and per["W4"] == 0 and per["W6"] == 0
    verdict = under5["verdict"]
    assert verdict["W1"] == MEETS
    assert verdict[["W3", "W6"]].eq(BELOW).all()
    assert verdict["W2"].startswith("unknown, because 1 provider(s) here give no places")
    # the two childminders' 10 places could all be in W4 (20 under-fives): unknown
    assert verdict["W4"].startswith("unknown, because 10 places of 2 providers placed in no")
    # no population: unknown, never a gap and never sufficient
    assert np.isnan(under5.loc["W5", "children"]) and np.isnan(per["W5"])
    assert verdict["W5"] == "unknown, because no population of this age is given for it"
    # the council counts every active provider: 40 + 10 + 6 + 4 = 60 places for 720,
    # below the standard on the places given, but one provider gives none
    county = under5.loc["County"]
    assert county["places"] == 60 and county["children"] == 50 * 14 + 20
    assert county["providers"] == 5 and county["verdict"].startswith("unknown, because 1")
    school = ey.places.xs("5-10", level="band")
    assert school.loc["W2", "places"] == 30 and school.loc["W2", "verdict"] == "no standard"
    withheld = ey.withheld.set_index("band")
    assert withheld.loc["0-4", ["reason", "providers", "places"]].tolist() == [
        "location withheld", 2, 10.0,
    ]  # fmt: skip


def test_the_report_says_what_is_certain_whatever_the_childminders_location(tiny):
    early_years_county(tiny)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    folder = tiny.root / "out" / "tiny"
    table = pd.read_csv(folder / "tables" / "early_years_places.csv", dtype=str)
    shown = table[table["band"] == "0-4"].set_index("unit_code")
    assert shown.loc["W4", "verdict"].startswith("unknown, because")
    html = (folder / "report.html").read_text(encoding="utf-8")
    # short on placed providers: W3 33.3, W4 6.66, W6 133.2 = 173.16 places (W2's places
    # are not all known); the 10 unplaced places can make up at most 10 of them
    assert "2 of 6 wards are below it whatever the location" in html
    assert "1 more is below it on the providers placed in them" in html
    assert "1 more is below it on the places given, but providers there give none" in html
    assert "1 has no child population: unknown" in html
    assert "are 173 places short on the providers placed in them" in html
    assert "at least 163 places are missing across them" in html


def test_a_unit_coded_as_the_county_is_refused(tiny):
    """The early years tables' county row is "County": a ward (or locality) coded so
    would have its places mixed with the county's, and be taken for the county's total
    when small numbers are hidden."""
    early_years_county(tiny)
    wards = pd.read_csv(tiny.path("wards.csv"), dtype=str)
    wards.loc[wards["ward_code"] == "W4", "ward_code"] = "county"
    wards.to_csv(tiny.path("wards.csv"), index=False)
    assert tiny.refused() == (
        "earlyhelp: error: wards.csv: the ward 'county' (areas E01000007) is what earlyhelp "
        "calls the whole county in the early years tables, so its places would be mixed "
        "with the county's; give it another name, or count by another [childcare] "
        'geography (such as "district")'
    )
