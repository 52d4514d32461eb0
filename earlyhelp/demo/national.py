"""A fictional England for the benchmark to run offline: 150 invented councils in five
invented regions, with the DfE children in need tables (c1, c3, c5, d3, d5), the ONS
population of children as DfE issues it, and a statistical neighbours list, all in the
layouts DfE publishes, suppression symbols included.

Wyvernshire is one of them (``X10000001``, DfE number ``1001``): its children are the
demo county's, its referrals a year those of ``need.csv``, and one story is planted:
its re-referrals within 12 months run at about 29% of referrals, against about 21% for
its ten statistical neighbours. Codes start with ``X`` and DfE numbers have four digits,
so nothing here can be taken for a real council.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

YEARS = tuple(range(2019, 2026))
WYVERNSHIRE = ("X10000001", "1001", "Wyvernshire")
REREFERRAL_STORY = 29.0  # Wyvernshire's re-referral percentage; its neighbours about 21
_PREFIXES = (
    "Gryph",
    "Wyrm",
    "Drake",
    "Hobble",
    "Sprite",
    "Newt",
    "Toad",
    "Tansy",
    "Yarrow",
    "Ember",
    "Glimmer",
    "Bramble",
    "Nettle",
    "Wisp",
    "Fable",
    "Rune",
    "Cobble",
    "Tumble",
    "Puck",
    "Owl",
    "Lantern",
    "Sorrel",
    "Gorse",
    "Hollow",
    "Puddle",
    "Kettle",
    "Bracken",
    "Moth",
    "Quill",
    "Samphire",
    "Marram",
    "Thrift",
    "Periwinkle",
    "Tern",
    "Ammonite",
    "Skylark",
    "Clover",
)
_SUFFIXES = (
    "shire",
    "mere",
    " Vale",
    "ford",
    "wick",
    "holt",
    "combe",
    "borough",
    "dale",
    " Downs",
    "marsh",
    "stow",
    " Fen",
    " Wold",
)
_REGIONS = ("North Wyvernland", "Middle Marches", "Eastern Fens", "Southern Shires", "Far West")
_ID = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]
_SOURCES = (
    "Individual",
    "Schools",
    "Education_Services",
    "Health_Services",
    "Housing",
    "LA_Services",
    "Police",
    "Other_legal_agency",
    "Other",
    "Anonymous",
    "Unknown",
)
_SOURCE_SHARE = (0.08, 0.20, 0.02, 0.15, 0.01, 0.13, 0.29, 0.04, 0.05, 0.02, 0.01)
_DURATIONS = (
    "3_months_or_less",
    "more_than_3_months_6_months",
    "more_than_6_months_less_than_1_year",
    "1_year_less_than_2_years",
    "2_years_or_more",
)
_DURATION_SHARE = (0.31, 0.26, 0.26, 0.147, 0.023)
_FACTORS = ("Alcohol_Misuse", "Drug_Misuse", "Domestic_Abuse", "Mental_Health")
_FACTOR_RATE = {
    "Alcohol_Misuse": 60,
    "Drug_Misuse": 60,
    "Domestic_Abuse": 135,
    "Mental_Health": 140,
}  # per 10,000 children, parent the subject
# fmt: on


def draw_councils(rng: np.random.Generator, children: int) -> pd.DataFrame:
    """The councils: codes, names, regions, children aged 0-17 (mid-2024) and the latent
    character each one's figures are drawn around."""
    names = [f"{p}{s}" for p in _PREFIXES for s in _SUFFIXES]
    names = [n for n in names if n != WYVERNSHIRE[2]]
    picked = rng.choice(len(names), 149, replace=False)
    n = 150
    frame = pd.DataFrame(
        {
            "new_la_code": [WYVERNSHIRE[0]] + [f"X06{i:06d}" for i in range(1, n)],
            "old_la_code": [WYVERNSHIRE[1]] + [str(1001 + i) for i in range(1, n)],
            "la_name": [WYVERNSHIRE[2]] + [names[i] for i in picked],
            "region": rng.integers(0, len(_REGIONS), n),
            "children": np.r_[children, np.round(rng.lognormal(np.log(75_000), 0.6, n - 1))],
            "need": rng.normal(0, 1, n),
        }
    )
    frame.loc[0, "region"] = 3
    frame.loc[0, "need"] = -0.2
    frame["children"] = frame["children"].clip(12_000, 320_000).astype(int)
    rates = {
        "referral_rate": 520 + 110 * frame["need"] + rng.normal(0, 50, n),
        "rereferral_pct": 21.5 + rng.normal(0, 3.5, n),
        "cpp_rate": 41 + 10 * frame["need"] + rng.normal(0, 6, n),
        "subsequent_pct": 24 + rng.normal(0, 4, n),
        "two_years_pct": np.clip(2.3 + rng.normal(0, 1.0, n), 0.2, None),
    }
    for key, values in rates.items():
        frame[key] = np.clip(values, 1, None)
    frame.loc[0, "rereferral_pct"] = REREFERRAL_STORY
    return frame


def neighbours(councils: pd.DataFrame) -> pd.DataFrame:
    """Each council's ten most similar (need and size), in the 2025 model's layout."""
    feats = np.c_[councils["need"], np.log(councils["children"]) - np.log(75_000)]
    dist = np.sqrt(((feats[:, None, :] - feats[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(dist, np.inf)
    rows = []
    for i, c in councils.iterrows():
        order = np.argsort(dist[i], kind="stable")[:10]
        row = [c["old_la_code"], c["la_name"], int(c["region"]) + 1, _REGIONS[int(c["region"])]]
        for j in order:
            d = dist[i, j]
            word = (
                "Extremely close"
                if d < 0.1
                else "Very close"
                if d < 0.25
                else ("Close" if d < 0.5 else "Somewhat close")
            )
            row += [councils.at[j, "old_la_code"], word]
        rows.append(row)
    columns = ["old_la_code", "la_name", "region_ind", "region_name"]
    for k in range(1, 11):
        columns += [f"SN_{k}", f"SN_{k}P"]
    return pd.DataFrame(rows, columns=columns)


def draw_years(rng: np.random.Generator, councils: pd.DataFrame, referrals_2025: int):
    """Every council's counts for each year (unsuppressed): a long table."""
    out = []
    for year in YEARS:
        drift = 1 + 0.015 * (year - YEARS[-1])
        c = councils.assign(time_period=year)
        kids = np.round(c["children"] * (1 + 0.004 * (year - 2025))).astype(int)
        c["pop"] = kids
        c["referrals"] = rng.poisson(c["referral_rate"] * drift * kids / 10_000)
        if year == YEARS[-1]:
            c.loc[0, "referrals"] = referrals_2025
        c["rereferrals"] = rng.binomial(c["referrals"], np.clip(c["rereferral_pct"] / 100, 0, 1))
        c["nfa"] = rng.binomial(c["referrals"], 0.07)
        c["not_in_need"] = rng.binomial(c["referrals"], 0.29)
        for name, share in zip(_SOURCES, _SOURCE_SHARE, strict=True):
            c[name] = rng.binomial(c["referrals"], share)
        c["assessed"] = rng.binomial(c["referrals"], 0.8)
        for f in _FACTORS:
            lam = _FACTOR_RATE[f] * np.exp(0.25 * c["need"]) * kids / 10_000
            c[f"{f}_parent"] = rng.poisson(lam)
            c[f"{f}_child"] = rng.poisson(lam * 0.15)
            c[f"{f}_person"] = rng.poisson(lam * 0.2)
        c["cpp_start"] = rng.poisson(c["cpp_rate"] * 1.2 * kids / 10_000)
        c["cpp_subsequent"] = rng.binomial(c["cpp_start"], c["subsequent_pct"] / 100)
        c["cpp_at31"] = rng.poisson(c["cpp_rate"] * kids / 10_000)
        c["2_years_or_more"] = rng.binomial(c["cpp_at31"], c["two_years_pct"] / 100)
        shorter = np.array(_DURATION_SHARE[:-1]) / sum(_DURATION_SHARE[:-1])
        split = np.array(
            [rng.multinomial(m, shorter) for m in c["cpp_at31"] - c["2_years_or_more"]]
        )
        for k, name in enumerate(_DURATIONS[:-1]):
            c[name] = split[:, k]
        out.append(c)
    return pd.concat(out, ignore_index=True)


def _places(frame: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Council rows, with region and England rows added as sums (before suppression)."""
    numeric = [c for c in frame.columns if c not in councils.columns or c == "children"]
    numeric = [c for c in numeric if c != "time_period" and pd.api.types.is_numeric_dtype(frame[c])]
    la = frame.assign(
        geographic_level="Local authority",
        region_code=[f"X1200000{r + 1}" for r in frame["region"]],
        region_name=[_REGIONS[r] for r in frame["region"]],
    )
    regions = la.groupby(["time_period", "region_code", "region_name"])[numeric].sum().reset_index()
    regions = regions.assign(
        geographic_level="Regional", old_la_code="", new_la_code="", la_name=""
    )
    england = la.groupby("time_period")[numeric].sum().reset_index()
    england = england.assign(
        geographic_level="National",
        region_code="",
        region_name="",
        old_la_code="",
        new_la_code="",
        la_name="",
    )
    allrows = pd.concat([england, regions, la], ignore_index=True)
    allrows["time_identifier"] = "Reporting year"
    allrows["country_code"] = "X92000001"
    allrows["country_name"] = "England (fictional)"
    level = allrows["geographic_level"].map({"National": 0, "Regional": 1, "Local authority": 2})
    allrows = allrows.assign(_l=level).sort_values(
        ["time_period", "_l", "region_code", "new_la_code"],
        ascending=[False, True, True, True],
        kind="stable",
    )
    return allrows.drop(columns="_l").reset_index(drop=True)


def _pct(num: pd.Series, den: pd.Series, shown: pd.Series) -> pd.Series:
    """A percentage as DfE prints it: 'c' with its count, 'z' without a denominator."""
    value = (100 * num / den.where(den > 0)).round(1)
    text = value.map(lambda v: "z" if np.isnan(v) else f"{v:g}")
    return text.where(shown != "c", "c")


def _cells(values: pd.Series, *, small: pd.Series) -> pd.Series:
    """Counts as DfE prints them: 'c' where small (1 to 5 in a council row)."""
    text = values.round(1).map(lambda v: f"{v:g}")
    return text.where(~small, "c")


def national_tables(rng: np.random.Generator, councils: pd.DataFrame, referrals_2025: int):
    """The tables as published: {file name: frame of text cells}."""
    long = draw_years(rng, councils, referrals_2025)
    rows = _places(long, councils)
    is_la = rows["geographic_level"] == "Local authority"
    ids = rows[_ID]
    tables = {}

    def counts(cols: list[str]) -> dict[str, pd.Series]:
        return {c: _cells(rows[c], small=is_la & rows[c].between(1, 5)) for c in cols}

    c1 = counts(["referrals", "rereferrals", "nfa", "not_in_need"])
    tables["c1"] = pd.DataFrame(
        {
            **ids,
            "category": "Referrals and Re-referrals",
            "referral_count": c1["referrals"],
            "rereferral_count": c1["rereferrals"],
            "rereferral_percent": _pct(rows["rereferrals"], rows["referrals"], c1["rereferrals"]),
            "no_further_action_count": c1["nfa"],
            "no_further_action_percent": _pct(rows["nfa"], rows["referrals"], c1["nfa"]),
            "not_in_need_count": c1["not_in_need"],
            "not_in_need_percent": _pct(rows["not_in_need"], rows["referrals"], c1["not_in_need"]),
        }
    )
    factor_cols = [f"{f}_{who}" for f in _FACTORS for who in ("child", "parent", "person")]
    c3 = counts(["assessed", *factor_cols])
    tables["c3"] = pd.DataFrame(
        {
            **ids,
            "category": "Factors identified at the end of assessment",
            "Episodes_with_assessment_factor": c3["assessed"],
            **{c: c3[c] for c in factor_cols},
            "Trafficking": np.where(is_la, "low", "12"),
        }
    )
    c5 = counts(["referrals", *_SOURCES])
    tables["c5"] = pd.DataFrame(
        {
            **ids,
            "category": "Source of referral",
            "Referrals": c5["referrals"],
            **{s: c5[s] for s in _SOURCES},
        }
    )
    d3 = counts(["cpp_start", "cpp_subsequent"])
    tables["d3"] = pd.DataFrame(
        {
            **ids,
            "category": "Child Protection Plans which are a second or subsequent plan",
            "CPP_start": d3["cpp_start"],
            "CPP_subsequent": d3["cpp_subsequent"],
            "CPP_subsequent_percent": _pct(
                rows["cpp_subsequent"], rows["cpp_start"], d3["cpp_subsequent"]
            ),
        }
    )
    d5 = counts(["cpp_at31", *_DURATIONS])
    dur = {}
    for name in _DURATIONS:
        dur[name] = d5[name]
        dur[f"{name}_percent"] = _pct(rows[name], rows["cpp_at31"], d5[name])
    tables["d5"] = pd.DataFrame(
        {
            **ids,
            "category": "Child Protection Plans by length of time",
            "CPP_At31": d5["cpp_at31"],
            **dur,
        }
    )
    pop = rows.assign(time_period=rows["time_period"] - 1)
    tables["population"] = pd.DataFrame(
        {
            **pop[_ID],
            "age_group": "Children aged 0 to 17 years",
            "population_estimate": pop["pop"].astype(int).astype(str),
        }
    )
    return _with_gaps(tables)


def _with_gaps(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """DfE's other symbols, as a few councils' rows have them: one council's 2024 return
    of low reliability (``u``), one not available (``x``), one not applicable (``z``)."""
    for name, table in tables.items():
        if name == "population":
            continue
        measures = [c for c in table.columns if c not in _ID and c != "category"]
        for code, year, symbol in (("X06000007", 2024, "u"), ("X06000011", 2020, "x")):
            where = (table["new_la_code"] == code) & (table["time_period"] == year)
            table.loc[where, measures] = symbol
        if name == "d5":
            where = (table["new_la_code"] == "X06000013") & (table["time_period"] == 2021)
            table.loc[where, "2_years_or_more_percent"] = "z"
    return tables
