"""The demo county's early years places: wards, the Ofsted register and DfE take-up.

Drawn after every other table with its own random stream. Three files:

- ``wards.csv``: each area's ward (``ward_code`` X05..., ``ward_name``), about four areas
  to a ward within a district, as the ONS LSOA to ward lookup gives them;
- ``ofsted_childcare_register.csv``: the register in Ofsted's published layout (two
  lines of title and note above the header, 2025 headers): the directory's nurseries and
  pre-schools, out-of-school clubs (Childcare Register only), and childminders whose
  name and postcode are ``REDACTED``;
- ``ey_take_up.csv``: DfE's table of children registered for funded early education
  against those eligible, for England and Wyvernshire (``X10000001``), two years.

The planted story: **a ward with too few early years places**. Every nursery in one busy
urban ward has resigned its registration in the past year (the directory still lists
them as active), so the ward's under-fives have no registered place in it at all.
"""

from __future__ import annotations

__all__ = ["REGISTER_HEADER", "Childcare", "draw_childcare"]

import io
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2

LA_CODE, LA_NAME = "X10000001", "Wyvernshire"
AREAS_PER_WARD = 4
REGISTER_HEADER = (
    "Provider URN", "Registration Date", "Provider Type", "Provider Subtype",
    "Provider Status", "Provider Early Years Register Flag",
    "Provider Compulsory Childcare Register Flag", "Provider Voluntary Childcare Register Flag",
    "Provider Name", "Provider Address Line 1", "Provider Town", "Provider Postcode",
    "Parliamentary Constituency", "Local Authority", "Region", "Places",
    "Places including Estimates",
)  # fmt: skip
_TITLE = (
    "Latest inspections of all registered providers as at 31 August 2026 (fictional: the "
    "Wyvernshire demo county)\n"
    "This worksheet contains one table. Some cells refer to notes; childminders' names and "
    "addresses are redacted.\n"
)
_WARD_WORDS = ("Central", "North", "South", "East", "West", "Park", "Green", "Hill",
               "Bridge", "Mill", "Quay", "Fields", "Common", "Grange", "Moor", "Vale")  # fmt: skip


@dataclass(frozen=True)
class Childcare:
    """The three files (the register as text, as published) and the planted story."""

    wards: pd.DataFrame
    register: str
    take_up: pd.DataFrame
    story: dict[str, Any]


def draw_childcare(
    seed: int,
    areas: gpd.GeoDataFrame,
    need: pd.DataFrame,
    services: pd.DataFrame,
    postcodes: pd.DataFrame,
    story: dict[str, Any],
) -> Childcare:
    """Wards, the register and take-up (see the module)."""
    rng = np.random.default_rng([seed, 18, 2006])
    wards = _wards(rng, areas)
    ward_of = wards.set_index("area_code")["ward_code"]
    nurseries = services[services["categories"].str.contains("early_education")].copy()
    nurseries["area"] = (
        postcodes.set_index("postcode")["lsoa"].reindex(nurseries["postcode"]).to_numpy()
    )
    nurseries["ward"] = nurseries["area"].map(ward_of)
    thin_ward = _thin_ward(areas, need, nurseries, wards, story)
    rows = _nursery_rows(rng, nurseries, thin_ward)
    rows += _childminder_rows(rng, areas)
    rows += _club_rows(rng, areas, postcodes)
    register = pd.DataFrame(rows, columns=list(REGISTER_HEADER))
    order = rng.permutation(len(register))  # the register is in no useful order
    text = io.StringIO()
    text.write(_TITLE)
    register.iloc[order].to_csv(text, index=False, lineterminator="\n")
    name = wards.loc[wards["ward_code"] == thin_ward, "ward_name"].iloc[0]
    under5 = need.set_index("area_code")["pop_0_4"].groupby(ward_of).sum()
    _check_story(register, postcodes, ward_of, under5, thin_ward, areas, story)
    return Childcare(
        wards=wards,
        register=text.getvalue(),
        take_up=_take_up(need),
        story={
            "thin_ward": thin_ward,
            "thin_ward_name": name,
            "thin_ward_under5": int(under5[thin_ward]),
            "thin_ward_closed": int((nurseries["ward"] == thin_ward).sum()),
        },
    )


def _check_story(register, postcodes, ward_of, under5, thin_ward, areas, story) -> None:
    """The planted ward has no registered place, and outside the thin district (short of
    places everywhere) the largest shortfall against one place per three under-fives."""
    open_ = register[(register["Provider Status"] == "Active")
                     & (register["Provider Early Years Register Flag"] == "Y")]  # fmt: skip
    lsoa = postcodes.set_index("postcode")["lsoa"]
    ward = open_["Provider Postcode"].str.upper().map(lsoa).map(ward_of)
    places = pd.to_numeric(open_["Places"], errors="coerce").fillna(0).groupby(ward).sum()
    short = under5 / 3 - places.reindex(under5.index).fillna(0)
    thin = areas.loc[areas["district_code"] == story["thin_district"], "area_code"]
    outside = short.drop(index=set(ward_of[thin]), errors="ignore")
    if places.get(thin_ward, 0) > 0 or outside.idxmax() != thin_ward:
        raise RuntimeError("demo county: the early years ward story did not plant")


def _wards(rng, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """About four areas to a ward, clustered by place within each district."""
    rep = areas.representative_point()
    xy = np.column_stack([rep.x, rep.y])
    out = []
    number = 0
    for code in sorted(pd.unique(areas["district_code"])):
        mine = np.flatnonzero(areas["district_code"].to_numpy() == code)
        k = max(1, round(len(mine) / AREAS_PER_WARD))
        _, label = kmeans2(xy[mine], k, seed=rng, minit="++")
        for cluster in range(k):
            members = mine[label == cluster]
            if not len(members):
                continue
            number += 1
            town = pd.Series(areas["locality"].to_numpy()[members]).mode().iloc[0]
            word = _WARD_WORDS[cluster % len(_WARD_WORDS)]
            for i in members:
                out.append((areas["area_code"].iat[i], f"X05{number:06d}", f"{town} {word}"))
    wards = pd.DataFrame(out, columns=["area_code", "ward_code", "ward_name"])
    wards = wards.set_index("area_code").loc[areas["area_code"]].reset_index()
    # a name used twice in a district gets its ward number
    dup = wards.drop_duplicates("ward_code")["ward_name"].duplicated(keep=False)
    twice = set(wards.drop_duplicates("ward_code")["ward_name"][dup])
    wards["ward_name"] = [
        f"{n} ({c[-3:].lstrip('0')})" if n in twice else n
        for n, c in zip(wards["ward_name"], wards["ward_code"], strict=True)
    ]
    return wards


def _thin_ward(areas, need, nurseries, wards, story) -> str:
    """The ward with the most under-fives among busy urban wards with two to five active
    nurseries, away from the planted thin district and estate."""
    urban = areas.set_index("area_code")["rural_urban"].eq("urban")
    district = areas.set_index("area_code")["district_code"]
    w = wards.set_index("area_code")["ward_code"]
    under5 = need.set_index("area_code")["pop_0_4"].groupby(w).sum()
    all_urban = urban.groupby(w).all()
    excluded = set(w[w.index.isin(story["estate_areas"])]) | set(
        w[district == story["thin_district"]]
    )
    active = nurseries[nurseries["status"] == "active"].groupby("ward").size()
    ok = [
        c for c in under5.index if all_urban[c] and c not in excluded and 2 <= active.get(c, 0) <= 5
    ]
    if not ok:
        raise RuntimeError("demo county: no ward for the early years story (try another seed)")
    return max(ok, key=lambda c: (under5[c], c))


def _urn(rng, n: int) -> list[str]:
    return [f"EY{v}" for v in rng.choice(np.arange(300_000, 999_999), n, replace=False)]


def _constituency(district_name: str) -> str:
    return f"{district_name} and the Coast" if district_name else "Wyvernshire"


def _nursery_rows(rng, nurseries: pd.DataFrame, thin_ward: str) -> list[list]:
    """The directory's nurseries as registered providers: active ones Active, closed ones
    and every one of the planted ward Resigned; a few give only an estimate of places."""
    rows = []
    urns = _urn(rng, len(nurseries))
    for urn, (_, s) in zip(urns, nurseries.iterrows(), strict=True):
        if s["status"] == "planned":
            continue
        resigned = s["status"] == "closed" or s["ward"] == thin_ward
        places = "" if pd.isna(s["capacity"]) else str(int(s["capacity"]))
        estimate = places
        u = rng.random()
        if places and u < 0.03:  # Ofsted's estimate only
            places, estimate = "", f"{float(places) + 0.5:.1f}"
        subtype = "Full day care" if (s["max_age"] - s["min_age"]) >= 3 else "Sessional day care"
        rows.append([
            urn, f"{rng.integers(1, 28):02d}/{rng.integers(1, 13):02d}/{rng.integers(2005, 2025)}",
            "Childcare on non-domestic premises", subtype,
            "Resigned" if resigned else "Active", "Y", "Y" if u > 0.7 else "N", "N",
            s["name"], "1 High Street", "", s["postcode"].lower() if u > 0.95 else s["postcode"],
            "", LA_NAME, "North Sea (fictional)", places, estimate,
        ])  # fmt: skip
    return rows


def _childminder_rows(rng, areas: gpd.GeoDataFrame) -> list[list]:
    """Childminders: name and postcode withheld, counted at council level only."""
    names = sorted(pd.unique(areas["district_name"]))
    n = 160
    urns = _urn(rng, n)
    return [
        [
            urn, f"{rng.integers(1, 28):02d}/{rng.integers(1, 13):02d}/{rng.integers(2000, 2025)}",
            "Childminder", "", "Active" if rng.random() > 0.05 else "Suspended", "Y",
            "Y", "Y" if rng.random() > 0.5 else "N", "REDACTED", "REDACTED", "REDACTED",
            "REDACTED", _constituency(names[int(rng.integers(len(names)))]), LA_NAME,
            "North Sea (fictional)", str(int(rng.integers(3, 7))), "",
        ]
        for urn in urns
    ]  # fmt: skip


def _club_rows(rng, areas: gpd.GeoDataFrame, postcodes: pd.DataFrame) -> list[list]:
    """Out-of-school clubs (Childcare Register only: school-age childcare)."""
    urban = set(areas.loc[areas["rural_urban"] == "urban", "area_code"])
    live = postcodes[(postcodes["terminated"].fillna("") == "") & postcodes["lsoa"].isin(urban)]
    chosen = live.iloc[rng.choice(len(live), 45, replace=False)]
    urns = _urn(rng, len(chosen))
    return [
        [
            urn, "01/09/2015", "Childcare on non-domestic premises", "Out of school day care",
            "Active", "N", "Y", "Y", f"After School Club & Holiday Club ({pc[:4].strip()})",
            "School Lane", "", pc, "", LA_NAME, "North Sea (fictional)",
            str(int(rng.integers(20, 41))), "",
        ]
        for urn, pc in zip(urns, chosen["postcode"], strict=True)
    ]  # fmt: skip


_TAKE_UP_COLUMNS = (
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name",
    "region_code", "region_name", "old_la_code", "new_la_code", "la_name",
    "entitlement_type", "age", "number_children", "number_eligible_children",
    "percentage_eligible_children",
)  # fmt: skip


def _take_up(need: pd.DataFrame) -> pd.DataFrame:
    """Children registered for funded early education against those eligible: England
    (national orders of magnitude, rounded) and Wyvernshire, 2025 and 2026."""
    under5 = float(need["pop_0_4"].sum())
    rows = []
    for year, mine in ((2025, (0.66, 0.90, 0.94)), (2026, (0.64, 0.89, 0.95))):
        england = ("National", "", "", "", "", 3_100_000 / under5, (0.74, 0.92, 0.96))
        county = (
            "Local authority",
            "X12000001",
            "North Sea (fictional)",
            "999",
            LA_CODE,
            1.0,
            mine,
        )
        for level, region_code, region, old, code, scale, rates in (england, county):
            name = LA_NAME if code else ""
            place = [level, "E92000001", "England", region_code, region, old, code, name]
            for age, (children, eligible) in _ages(under5 * scale, rates).items():
                pct = round(100 * children / eligible, 1)
                rows.append([year, "Reporting year", *place, "15-hour entitlement", age,
                             children, eligible, pct])  # fmt: skip
    table = pd.DataFrame(rows, columns=list(_TAKE_UP_COLUMNS))
    # DfE marks a figure of low reliability with u: the 2-year-olds of the earlier year
    table["percentage_eligible_children"] = table["percentage_eligible_children"].astype(object)
    low = (table["time_period"] == 2025) & (table["age"] == "2-year-olds")
    table.loc[low & (table["la_name"] == LA_NAME), "percentage_eligible_children"] = "u"
    return table


def _ages(under5: float, rates: tuple[float, float, float]) -> dict[str, tuple[int, int]]:
    """Registered and eligible children by age: 2-year-olds (about 40% are eligible),
    3-year-olds, 4-year-olds, 3 and 4, and the total."""
    eligible = (0.4 * under5 / 5, under5 / 5, under5 / 5)
    ages = ("2-year-olds", "3-year-olds", "4-year-olds")
    got = {age: (round(e * r), round(e)) for age, e, r in zip(ages, eligible, rates, strict=True)}
    three, four = got["3-year-olds"], got["4-year-olds"]
    got["3 and 4-year-olds"] = (three[0] + four[0], three[1] + four[1])
    two, both = got["2-year-olds"], got["3 and 4-year-olds"]
    got["Total"] = (two[0] + both[0], two[1] + both[1])
    return got
