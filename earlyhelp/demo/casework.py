"""A fictional case-system extract: early help episodes and referrals to children's
social care for Wyvernshire, pseudonymous and invented, with two planted stories:

- ``stepup_district``: one district whose early help steps up to children's social care
  far more often (40% of closed episodes against 12% elsewhere);
- ``rereferral_lead``: one lead organisation whose families come back far more often
  (45% of episodes it closed other than by step-up are followed within a year by a new
  episode or a referral, against 14% for the others).

Episodes start from October 2023 and referrals from April 2024, both to the end of March
2026, so the year April 2024 to March 2025 has its year of follow-up. Areas, children
and need come from the county's own tables; the child references are random numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

EXTRACT_END = np.datetime64("2026-03-31")
EPISODES_FROM = np.datetime64("2023-10-01")
REFERRALS_FROM = np.datetime64("2024-04-01")
STEP_UP = {"story": 0.40, "other": 0.12}
REREFERRAL = {"story": 0.45, "other": 0.14}
EH_PER_REFERRAL = 0.4  # early help episodes a year per referral to social care a year

# Lead organisations and how often each leads an episode; the story's one is the last.
LEADS = (
    ("Wyvernshire Early Help Service", 0.44),
    ("Wyvernshire Community Health NHS Trust", 0.15),
    ("Wyvernshire schools (lead professional)", 0.15),
    ("Lantern Families Trust", 0.10),
    ("Brightwater Children's Charity", 0.07),
    ("Puffin Parents Trust", 0.09),
)
STORY_LEAD = "Puffin Parents Trust"
# Reasons for early help (taxonomy keys) and how often each is the main one.
REASONS = (
    ("family_support", 0.30),
    ("parenting", 0.22),
    ("domestic_abuse", 0.14),
    ("mental_health", 0.12),
    ("youth_work", 0.08),
    ("money_housing_advice", 0.06),
    ("substance_misuse", 0.05),
    ("send_support", 0.03),
)
# How closed episodes that did not step up closed (SSD-like wording).
CLOSURES = (
    ("Needs met", 0.70),
    ("Stepped down to universal services", 0.14),
    ("Family withdrew consent", 0.09),
    ("Moved out of area", 0.05),
    ("Other", 0.02),
)
STEPPED_UP = "Stepped up to children's social care"
# Where referrals come from, in a case system's own words, and how often.
SOURCES = (
    ("Police", 0.29),
    ("School", 0.20),
    ("GP", 0.07),
    ("Hospital", 0.08),
    ("Local authority", 0.13),
    ("Individual", 0.08),
    ("Housing", 0.02),
    ("Other legal agency", 0.04),
    ("Anonymous", 0.03),
    ("Other", 0.06),
)
REFERRAL_OUTCOMES = (("Assessment", 0.62), ("No further action", 0.08), ("Early help", 0.30))


def choose_stepup_district(areas: pd.DataFrame, planted: dict[str, Any]) -> str:
    """The first district (by code) that no other planted story is in."""
    taken = set()
    for key in ("rural_areas", "estate_areas", "critical_reach_areas"):
        taken |= set(areas.loc[areas["area_code"].isin(planted[key]), "district_code"])
    taken.add(planted["thin_district"])
    free = sorted(set(areas["district_code"]) - taken)
    return free[0]


def draw_casework(
    rng: np.random.Generator,
    areas: pd.DataFrame,
    need: pd.DataFrame,
    services: pd.DataFrame,
    stepup_district: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The episodes and referrals extracts (see the module's description)."""
    district = areas.set_index("area_code")["district_code"]
    per_year = need.set_index("area_code")["referrals"].astype(float)
    years = (EXTRACT_END - EPISODES_FROM).astype(int) / 365.25
    n = rng.poisson(per_year.to_numpy() * EH_PER_REFERRAL * years)
    area = np.repeat(per_year.index.to_numpy(), n)
    episodes = _episodes(rng, area, district, services, stepup_district, EPISODES_FROM)
    returns, back = _returns(rng, episodes)
    episodes = pd.concat([episodes, returns], ignore_index=True)
    referrals = _referrals(rng, per_year, episodes, back)
    order = rng.permutation(len(episodes))
    episodes = episodes.iloc[order].reset_index(drop=True)
    return _tidy_episodes(episodes), referrals


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([t[0] for t in table], dtype=object)
    p = np.array([t[1] for t in table])
    return names[rng.choice(len(names), n, p=p / p.sum())]


def _episodes(
    rng: np.random.Generator,
    area: np.ndarray,
    district: pd.Series,
    services: pd.DataFrame,
    stepup_district: str,
    start_from: np.datetime64,
) -> pd.DataFrame:
    """Episodes in ``area`` (one per entry), starting from ``start_from``."""
    n = len(area)
    span = int((EXTRACT_END - start_from).astype(int))
    start = start_from + rng.integers(0, span + 1, n).astype("timedelta64[D]")
    frame = pd.DataFrame(
        {
            "child": rng.choice(9_000_000, n, replace=False) + 1_000_000,
            "area_code": area,
            "start": start,
            "reason": _pick(rng, REASONS, n),
            "lead_organisation": _pick(rng, LEADS, n),
        }
    )
    frame["district"] = district.reindex(area).to_numpy()
    frame["service_id"] = _services_for(rng, frame, services)
    return _close(rng, frame, stepup_district)


def _close(rng: np.random.Generator, frame: pd.DataFrame, stepup_district: str) -> pd.DataFrame:
    """End dates (blank while open at the extract's end) and how each closed."""
    n = len(frame)
    days = np.clip(rng.gamma(4.0, 38.0, n), 14, 720).astype(int)
    end = frame["start"].to_numpy() + days.astype("timedelta64[D]")
    open_ = end > EXTRACT_END
    story = (frame["district"] == stepup_district).to_numpy()
    up = rng.random(n) < np.where(story, STEP_UP["story"], STEP_UP["other"])
    outcome = np.where(up, STEPPED_UP, _pick(rng, CLOSURES, n))
    frame["end"] = np.where(open_, np.datetime64("NaT"), end)
    frame["outcome"] = np.where(open_, "", outcome)
    return frame


def _services_for(rng: np.random.Generator, frame: pd.DataFrame, services: pd.DataFrame):
    """The service that delivered each episode: one of its reason's active in-person or
    outreach services in its district (else anywhere); blank when there is none."""
    live = services[
        services["status"].eq("active") & services["delivery"].isin(["in_person", "outreach"])
    ]
    cats = live["categories"].str.split(";")
    pools: dict[tuple[str, str], np.ndarray] = {}
    for reason in {r for r, _ in REASONS}:
        offers = live[cats.map(lambda c, r=reason: r in c)]
        pools[(reason, "")] = offers["service_id"].to_numpy()
        for d, group in offers.groupby("district_code"):
            pools[(reason, str(d))] = group["service_id"].to_numpy()
    out = np.empty(len(frame), dtype=object)
    u = rng.random(len(frame))
    for i, (reason, d) in enumerate(zip(frame["reason"], frame["district"], strict=True)):
        pool = pools.get((reason, d))
        if pool is None or not len(pool):
            pool = pools[(reason, "")]
        out[i] = pool[int(u[i] * len(pool))] if len(pool) else ""
    return out


def _returns(rng: np.random.Generator, episodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Children who come back within a year of an episode closing other than by step-up:
    half as a new episode, half as a referral (child, area_code, date)."""
    closed = episodes["end"].notna().to_numpy() & (episodes["outcome"] != STEPPED_UP).to_numpy()
    story = (episodes["lead_organisation"] == STORY_LEAD).to_numpy()
    back = closed & (rng.random(len(episodes)) < np.where(story, *REREFERRAL.values()))
    gap = rng.integers(20, 340, len(episodes)).astype("timedelta64[D]")
    when = episodes["end"].to_numpy(dtype="datetime64[D]") + gap
    back &= when <= EXTRACT_END
    as_episode = back & (rng.random(len(episodes)) < 0.5)
    again = episodes.loc[as_episode, ["child", "area_code", "district", "reason"]].copy()
    again["start"] = when[as_episode]
    again["lead_organisation"] = _pick(rng, LEADS[:-1], len(again))
    again["service_id"] = episodes.loc[as_episode, "service_id"].to_numpy()
    again = _close(rng, again, stepup_district="")
    as_referral = back & ~as_episode
    referrals = pd.DataFrame(
        {
            "child": episodes.loc[as_referral, "child"].to_numpy(),
            "area_code": episodes.loc[as_referral, "area_code"].to_numpy(),
            "date": when[as_referral],
        }
    )
    return again, referrals


def _referrals(
    rng: np.random.Generator, per_year: pd.Series, episodes: pd.DataFrame, back: pd.DataFrame
) -> pd.DataFrame:
    """Referrals to children's social care: the area's yearly rate over two years, the
    step-ups of early help, and the children coming back after early help."""
    years = (EXTRACT_END - REFERRALS_FROM).astype(int) / 365.25
    n = rng.poisson(per_year.to_numpy() * years)
    area = np.repeat(per_year.index.to_numpy(), n)
    span = int((EXTRACT_END - REFERRALS_FROM).astype(int))
    date = REFERRALS_FROM + rng.integers(0, span + 1, len(area)).astype("timedelta64[D]")
    child = rng.choice(9_000_000, len(area), replace=False) + 10_000_000
    up = episodes[(episodes["outcome"] == STEPPED_UP).to_numpy()]
    frame = pd.DataFrame(
        {
            "child": np.r_[child, up["child"].to_numpy(), back["child"].to_numpy()],
            "area_code": np.r_[area, up["area_code"].to_numpy(), back["area_code"].to_numpy()],
            "date": np.r_[
                date,
                up["end"].to_numpy(dtype="datetime64[D]"),
                back["date"].to_numpy(dtype="datetime64[D]"),
            ],
        }
    )
    frame = frame[(frame["date"] >= REFERRALS_FROM) & (frame["date"] <= EXTRACT_END)]
    m = len(frame)
    frame["source"] = _pick(rng, SOURCES, m)
    frame.loc[frame.index >= len(area), "source"] = "Early help"
    frame["outcome"] = _pick(rng, REFERRAL_OUTCOMES, m)
    frame["factors"] = _factors(rng, m)
    frame = frame.iloc[rng.permutation(m)].sort_values("date", kind="stable")
    return pd.DataFrame(
        {
            "child_ref": [f"C{c:08d}" for c in frame["child"]],
            "area_code": frame["area_code"].to_numpy(),
            "referral_date": pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "source": frame["source"].to_numpy(),
            "outcome": frame["outcome"].to_numpy(),
            "factors": frame["factors"].to_numpy(),
        }
    )


_FACTORS = (
    ("Domestic abuse", 0.24),
    ("Parental mental health", 0.22),
    ("Substance misuse", 0.10),
    ("Neglect", 0.18),
)


def _factors(rng: np.random.Generator, n: int) -> np.ndarray:
    """Factors recorded on each referral, ';'-separated (often none)."""
    has = np.column_stack([rng.random(n) < p for _, p in _FACTORS])
    names = [name for name, _ in _FACTORS]
    return np.array([";".join(np.array(names)[row]) for row in has], dtype=object)


def _tidy_episodes(frame: pd.DataFrame) -> pd.DataFrame:
    """The extract as a case system exports it: text dates, blank while open."""
    end = pd.to_datetime(frame["end"])
    return pd.DataFrame(
        {
            "child_ref": [f"C{c:08d}" for c in frame["child"]],
            "area_code": frame["area_code"].to_numpy(),
            "start_date": pd.to_datetime(frame["start"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "end_date": end.dt.strftime("%Y-%m-%d").fillna("").to_numpy(),
            "reason": frame["reason"].to_numpy(),
            "closure_reason": frame["outcome"].to_numpy(),
            "lead_organisation": frame["lead_organisation"].to_numpy(),
            "service_id": frame["service_id"].to_numpy(),
        }
    )
