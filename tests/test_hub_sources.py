"""Readers of issue 18, field by field on fixtures with the published headers.

- DfE *List of family hub sites* (Region, Local_Authority, Family_Hub, Postcode, programme):
  a byte-order mark, padded cells, a name with a comma, a lower-case postcode without a
  space, "N/A" for a postcode, a name repeated within a council, other councils' rows;
- an Open Referral UK directory's family hub locations (by location name, by a service's
  taxonomy term; a spoke; a virtual location and one without a place left out);
- Ofsted's childcare providers register, two editions: 2025 (title and note lines above
  the header, capitalised headers, ``Provider Postcode``, ``REDACTED`` and ``NULL``, an
  estimate of places only, suspended and resigned providers, an out-of-school club) and
  2023 (lower-case headers, ``Postcode``, register combinations, Windows-1252 text);
- DfE early years take-up (two years, national, regional and council rows, ``u`` and
  ``c``, numbers with thousands separators).

The DfE hub list and the Ofsted register are not in ../shared/realdata (too large to keep
there); the take-up reader is tried on the real DfE early years files that are, and
refuses them with the reason (they are other tables of the same release).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from earlyhelp.errors import InputError
from earlyhelp.sources import SOURCES, coerce_options, read_source
from earlyhelp.validation import ValidationReport

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
HUBS = FIXTURES / "hubs" / "List_of_family_hub_sites.csv"
ORUK = FIXTURES / "hubs" / "oruk_family_hubs.json"
OFSTED25 = FIXTURES / "childcare" / "ofsted_childcare_providers_2025.csv"
OFSTED23 = FIXTURES / "childcare" / "ofsted_childcare_providers_2023.csv"
TAKE_UP = FIXTURES / "childcare" / "early_years_provision_children_registered.csv"


def lines(report: ValidationReport) -> list[str]:
    return [p.line() for p in report.problems]


def test_the_dfe_hub_list_is_read_field_by_field():
    report = ValidationReport()
    hubs = read_source("dfe_family_hubs", HUBS, report=report, local_authority=["hampshire"])
    assert list(hubs.columns) == [
        "site_id", "name", "kind", "status", "postcode", "latitude", "longitude",
        "local_authority", "programme",
    ]  # fmt: skip
    assert hubs["name"].tolist() == [
        "Havant Family Hub",
        "Leigh Park Family Hub, Dunsbury Way",
        "St Mary's & St Paul's Family Hub",
        "Havant Family Hub",
    ]
    assert hubs["postcode"].tolist() == ["PO9 1QJ", "PO9 3AY", "SO14 0AB", "PO9 2AA"]
    assert hubs["site_id"].tolist() == [
        "hampshire/havant-family-hub",
        "hampshire/leigh-park-family-hub-dunsbury-way",
        "hampshire/st-mary-s-st-paul-s-family-hub",
        "hampshire/havant-family-hub-2",
    ]
    assert set(hubs["local_authority"]) == {"Hampshire"}
    assert set(hubs["kind"]) == {"hub"} and set(hubs["status"]) == {"active"}
    assert set(hubs["programme"]) == {"Family Hubs and Start for Life"}
    found = lines(report)
    assert any("row 6, field 'Postcode': 1 hub(s) have no usable postcode" in f for f in found)
    assert any("row 2, 7, field 'Family_Hub': 2 row(s) repeat a hub name" in f for f in found)
    assert any("a byte-order mark" in f and "spaces around them" in f for f in found)


def test_the_dfe_hub_list_keeps_every_council_unless_told_and_names_a_wrong_one():
    every = read_source("dfe_family_hubs", HUBS, report=ValidationReport())
    assert set(every["local_authority"]) == {"Hampshire", "Hackney", "Blackpool"}
    with pytest.raises(InputError) as info:
        read_source(
            "dfe_family_hubs", HUBS, report=ValidationReport(), local_authority=["Hamshire"]
        )
    assert "'Hamshire', which is not in the list (did you mean 'Hampshire'?)" in str(info.value)
    options = coerce_options("dfe_family_hubs", {"local_authority": "Hackney,Blackpool"})
    assert options == {"local_authority": ["Hackney", "Blackpool"]}


def test_a_file_that_is_not_the_hub_list_is_refused_with_what_it_should_hold():
    with pytest.raises(InputError) as info:
        read_source("dfe_family_hubs", TAKE_UP, report=ValidationReport())
    assert str(info.value).startswith(
        "early_years_provision_children_registered.csv: no header row with the expected "
        "columns was found in the first 30 rows; check that this is the file as published"
    )


def test_an_open_referral_directory_gives_its_family_hub_locations():
    report = ValidationReport()
    hubs = read_source("openreferral_hubs", ORUK, report=report)
    assert hubs["site_id"].tolist() == ["loc-hub-1", "loc-2", "loc-s"]
    assert hubs["name"].tolist() == [
        "Havant Family Hub",
        "Leigh Park Centre",  # its service's taxonomy term says Family Hub
        "Waterlooville Family Hub spoke (linked site)",
    ]
    assert hubs["kind"].tolist() == ["hub", "hub", "spoke"]
    assert hubs.loc[0, "latitude"] == pytest.approx(50.8555)
    assert hubs["postcode"].tolist() == ["PO9 1QJ", "PO9 3AY", "PO7 7DX"]
    assert hubs["services"].tolist() == ["svc-1;svc-4", "svc-2", "svc-4"]
    assert any("neither coordinates nor a postcode" in f for f in lines(report))
    with pytest.raises(InputError) as info:
        read_source("openreferral_hubs", ORUK, report=ValidationReport(), flag="children's centre")
    assert "no location or service in the directory says" in str(info.value)


def test_the_2025_ofsted_register_is_read_below_its_title_lines():
    report = ValidationReport()
    reg = read_source("ofsted_childcare", OFSTED25, report=report)
    assert reg["provider_id"].tolist() == [f"EY10000{i}" for i in range(1, 10)]
    row = reg.set_index("provider_id")
    assert row.loc["EY100001", ["name", "postcode", "places"]].tolist() == [
        "Little Acorns Nursery", "PO9 1QJ", 60.0,
    ]  # fmt: skip
    # an estimate of places only is used, and said to be one
    assert row.loc["EY100002", "places"] == 24.5 and row.loc["EY100002", "places_estimated"]
    assert row.loc["EY100002", "postcode"] == "PO9 3AY"  # "po9 3ay" as published
    # childminders' withheld names and postcodes, REDACTED or NULL
    for urn in ("EY100003", "EY100004", "EY100009"):
        assert row.loc[urn, "location_withheld"] and row.loc[urn, "name"] == ""
    assert row.loc["EY100004", "places"] == 4.0
    assert row.loc["EY100005", "status"] == "closed"  # Suspended
    assert row.loc["EY100006", "status"] == "closed"  # Resigned
    # an out-of-school club is on the Childcare Register only: school-age places
    assert not row.loc["EY100007", "early_years_register"]
    assert row.loc["EY100007", "childcare_register"]
    assert np.isnan(row.loc["EY100008", "places"])  # neither figure: unknown, not 0
    assert row.loc["EY100001", "constituency"] == "Havant"
    found = lines(report)
    assert any("row 11, field 'Places': 1 active provider(s) give no places" in f for f in found)
    assert any("3 active provider(s) (15 places), mostly childminders" in f for f in found)


def test_the_2023_ofsted_register_lower_case_headers_and_register_combinations():
    report = ValidationReport()
    reg = read_source("ofsted_childcare", OFSTED23, report=report).set_index("provider_id")
    assert reg.loc["EY200001", "name"] == "St Mary\u2019s Nursery"  # read from Windows-1252
    assert reg.loc["EY200001", "early_years_register"]  # EYR only
    assert reg.loc["EY200002", "early_years_register"]  # ALL
    assert not reg.loc["EY200003", "early_years_register"]  # CCR-VCR: school age only
    assert reg.loc["EY200003", "childcare_register"]
    assert any("read as Windows-1252" in f for f in lines(report))


def test_the_register_keeps_one_council_and_refuses_an_unknown_status():
    reg = read_source(
        "ofsted_childcare", OFSTED25, report=ValidationReport(), local_authority=["HAMPSHIRE"]
    )
    assert "EY100009" not in set(reg["provider_id"])  # Hackney's
    bad = OFSTED25.read_text(encoding="utf-8").replace(",Active,Y,N,N,Little", ",Open,Y,N,N,Little")
    report = ValidationReport()
    path = OFSTED25.parent / "_bad_status.csv"
    try:
        path.write_text(bad, encoding="utf-8")
        read_source("ofsted_childcare", path, report=report)
    finally:
        path.unlink()
    (error,) = [p.line() for p in report.errors]
    assert "row 4, field 'Provider Status': 1 provider(s) have a status" in error
    assert "'open'" in error


def test_take_up_is_read_for_the_council_and_england_in_the_latest_year():
    report = ValidationReport()
    t = read_source("dfe_ey_take_up", TAKE_UP, report=report, area="E10000014")
    assert t.attrs["period"] == "2024"
    assert t["area_name"].tolist() == ["England", "England", "Hampshire", "Hampshire"]
    assert t["age"].tolist() == ["2-year-olds", "3 and 4-year-olds"] * 2
    assert t["percent"].tolist()[:2] == [74.9, 93.0]
    assert np.isnan(t["percent"].iloc[2])  # "u": low reliability, missing not 0
    assert t["children"].iloc[3] == 24500 and t["eligible"].iloc[3] == 25600
    assert any("withheld by the publisher" in f for f in lines(report))
    earlier = read_source("dfe_ey_take_up", TAKE_UP, report=ValidationReport(), period="2023")
    assert set(earlier["period"]) == {"2023"} and "Southampton" in set(earlier["area_name"])
    with pytest.raises(InputError) as info:
        read_source("dfe_ey_take_up", TAKE_UP, report=ValidationReport(), area="Hamshire")
    assert "(did you mean 'Hampshire'?)" in str(info.value)


def test_every_new_reader_is_in_the_registry_with_what_it_makes():
    made = {name: SOURCES[name].produces for name in SOURCES}
    assert made["dfe_family_hubs"] == made["openreferral_hubs"] == "hubs"
    assert made["ofsted_childcare"] == "childcare" and made["dfe_ey_take_up"] == "take_up"


def test_the_real_dfe_early_years_tables_are_not_taken_for_take_up(realdata):
    """Tried on the real extracts: table 3b (providers by type) and table 10 (funded
    children by Ofsted grade) are other tables of the same DfE release."""
    for name in (
        "dfe_ey2022_3b_provider_type_hampshire.csv",
        "dfe_ey2022_10_early_years_provision_lad_hampshire.csv",
    ):
        path = realdata / "early_years" / name
        if not path.exists():
            pytest.skip(f"{name} is not in the real data here")
        with pytest.raises(InputError) as info:
            read_source("dfe_ey_take_up", path, report=ValidationReport())
        assert "this is not DfE's early years take-up table" in str(info.value)


def test_real_hub_lists_and_registers_are_read_where_present(realdata):
    """The DfE hub list and the Ofsted register are read as published wherever an analyst
    has saved them beside the real data (they are not there on this project's machine)."""
    found = sorted(realdata.rglob("*family_hub*.csv")) + sorted(realdata.rglob("*hildcare*.csv"))
    if not found:
        pytest.skip("no DfE hub list or Ofsted register in ../shared/realdata")
    for path in found:
        fmt = "dfe_family_hubs" if "hub" in path.name.lower() else "ofsted_childcare"
        table = read_source(fmt, path, report=ValidationReport())
        assert len(table) > 0


def test_a_register_postcode_that_is_not_one_is_named_by_row_and_not_placed(tmp_path):
    text = OFSTED25.read_text(encoding="utf-8").replace(",po9 3ay,", ",NOT KNOWN YET,")
    path = tmp_path / "register.csv"
    path.write_text(text, encoding="utf-8")
    report = ValidationReport()
    reg = read_source("ofsted_childcare", path, report=report).set_index("provider_id")
    assert reg.loc["EY100002", "postcode"] == "" and not reg.loc["EY100002", "location_withheld"]
    found = [f for f in lines(report) if "not a UK postcode" in f]
    assert len(found) == 1 and "row 5, field 'Provider Postcode'" in found[0]
    assert "'NOT KNOWN YET'" in found[0] and "counted for their local authority only" in found[0]


def test_a_register_without_its_header_is_one_clear_message_and_exit_2(tmp_path):
    from typer.testing import CliRunner

    from earlyhelp.cli import app

    text = OFSTED25.read_text(encoding="utf-8").replace("Provider URN,", "Provider Ref,")
    path = tmp_path / "register.csv"
    path.write_text(text, encoding="utf-8")
    args = ["import", "ofsted_childcare", str(path), "--out", str(tmp_path / "out.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "register.csv: no header row with the expected columns was found" in result.output
    assert "check that this is the file as published" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out.csv").exists()


def test_real_open_referral_directories_give_hub_locations_by_their_own_words(realdata):
    """Tried on the real feeds in ../shared/realdata: none says 'family hub' (refused with
    the fix), and Buckinghamshire's Outpost feed gives the places of its early years
    services when told its words."""
    path = realdata / "directories" / "bucks_fis_outpost_services.json"
    if not path.exists():
        pytest.skip("the Buckinghamshire directory is not in the real data here")
    with pytest.raises(InputError) as info:
        read_source("openreferral_hubs", path, report=ValidationReport())
    assert "no location or service in the directory says 'family hub'" in str(info.value)
    assert "option flag" in str(info.value)
    hubs = read_source("openreferral_hubs", path, report=ValidationReport(), flag="early years")
    assert len(hubs) > 0 and hubs["site_id"].is_unique
    placed = hubs["latitude"].astype(str).ne("") | hubs["postcode"].ne("")
    assert placed.all()
    lat = hubs["latitude"].astype(float)
    assert lat.between(49.8, 55.9).all()  # in England
    assert hubs["services"].ne("").all()  # each joined to its services by id
