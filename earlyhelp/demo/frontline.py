"""Fictional frontline settings, social work consultation points and training for
Wyvernshire, with one planted story:

- ``far_settings``: the schools, surgeries and early years settings of the remote rural
  stretch (the county's ``rural_areas``, with a few village schools, a surgery and a
  pre-school added there), more than 10 km in a straight line from any in-person social
  work consultation point (every point is at a children's centre, and the stretch is
  more than 10 km from every centre).

And one that sits beside the step-up district of the case extract: its schools are
offered far fewer training places per 100 staff than schools elsewhere (5 against about
25), a question to ask, not a cause.

Settings: the county's candidate schools and GP surgeries, its early education services
(early years settings) and health visiting services (their bases). Consultation: the
front door (MASH) in the county town, its phone line and online consultation, and one
locality team per district at its largest active children's centre.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FAR_SETTINGS = 5  # planted settings in the remote stretch
TRAINING_PER_100 = {"story": 5.0, "other": 25.0}
_STAFF = {
    "school": (15, 60),
    "gp_practice": (6, 25),
    "early_years": (4, 15),
    "health_visiting_base": (6, 18),
}
_SECTOR = {
    "school": "education",
    "gp_practice": "health",
    "early_years": "early years",
    "health_visiting_base": "health",
}
_FAR_KINDS = (
    ("school", "{v} Village School"),
    ("school", "{v} C of E Primary School"),
    ("school", "{v} Primary School"),
    ("gp_practice", "{v} Surgery"),
    ("early_years", "{v} Pre-school"),
)
_COURSES = (
    "Early help: when and how to ask for help",
    "Working Together to Safeguard Children: an introduction",
    "Recognising domestic abuse and coercive control",
    "Parental mental health and the family",
    "Consultation with a social worker: using the front door",
)


def draw_settings(
    rng: np.random.Generator,
    county: Any,
    service_xy: pd.DataFrame,
    rural_rep: pd.DataFrame,
) -> pd.DataFrame:
    """Frontline settings: site_id, name, kind, sector, staff, easting, northing.

    ``service_xy`` holds the services' easting/northing by id; ``rural_rep`` the
    representative points (easting, northing, locality) of the remote stretch's areas.
    """
    sites = county.sites
    chosen = sites[sites["kind"].isin(["school", "gp_surgery"])]
    rows = [
        (r.name, "school" if r.kind == "school" else "gp_practice", r.easting, r.northing)
        for r in chosen.itertuples()
    ]
    services = county.services
    live = services[services["status"].eq("active") & services["delivery"].eq("in_person")]
    for kind, category in (("early_years", "early_education"), ("health_visiting_base",
                                                                "health_visiting")):  # fmt: skip
        offers = live[live["categories"].str.split(";").map(lambda c, k=category: k in c)]
        for r in offers.itertuples():
            xy = service_xy.loc[r.service_id]
            rows.append((r.name, kind, int(xy["easting"]), int(xy["northing"])))
    picks = rural_rep.iloc[np.linspace(0, len(rural_rep) - 1, FAR_SETTINGS).astype(int)]
    for (kind, pattern), r in zip(_FAR_KINDS, picks.itertuples(), strict=True):
        rows.append((pattern.format(v=r.locality), kind, int(r.easting), int(r.northing)))
    frame = pd.DataFrame(rows, columns=["name", "kind", "easting", "northing"])
    lo = frame["kind"].map(lambda k: _STAFF[k][0]).to_numpy()
    hi = frame["kind"].map(lambda k: _STAFF[k][1]).to_numpy()
    frame["staff"] = rng.integers(lo, hi + 1)
    frame["sector"] = frame["kind"].map(_SECTOR)
    frame = frame.sort_values(["northing", "easting"], ascending=[False, True], kind="stable")
    frame.insert(0, "site_id", [f"F{i + 1:04d}" for i in range(len(frame))])
    return frame[["site_id", "name", "kind", "sector", "staff", "easting", "northing"]]


def draw_consultation(
    county: Any, centre_xy: pd.DataFrame, district_names: pd.Series, county_town: str
) -> pd.DataFrame:
    """Consultation points: the front door (MASH) at the county town's largest centre,
    its phone line and online consultation, a locality team per district at the
    district's largest active centre and a surgery at every other active centre
    (``centre_xy``: easting, northing, district_code, district_name by centre id)."""
    centres = county.centres.set_index("service_id")
    active = centres[centres["status"].eq("active")]
    size = active["reach_areas"].fillna("").str.split(";").map(len)
    placed = centre_xy.join(size.rename("size"), how="inner")
    rows = []
    hosts = set()
    for code, name in district_names.items():
        here = placed[placed["district_code"] == code].sort_values("size", ascending=False)
        if here.empty:
            continue
        best = here.iloc[0]
        hosts.add(best.name)
        rows.append(
            (f"{name} Locality Team", "locality_team", "in_person", best.easting, best.northing)
        )
    town = placed[placed["district_name"] == county_town].sort_values("size", ascending=False)
    door = town.iloc[0] if len(town) else placed.iloc[0]
    for sid, centre in placed.sort_index().iterrows():
        if sid not in hosts:
            rows.append(
                (
                    f"Social work surgery, {centres.at[sid, 'name']}",
                    "surgery",
                    "in_person",
                    centre.easting,
                    centre.northing,
                )
            )
    rows.insert(
        0,
        (
            "Wyvernshire Children's Front Door (MASH)",
            "mash",
            "in_person",
            door.easting,
            door.northing,
        ),
    )
    rows.insert(
        1,
        ("Front Door consultation line", "consultation_line", "phone", door.easting, door.northing),
    )
    rows.insert(
        2,
        (
            "Online consultation with a social worker",
            "online_consultation",
            "online",
            door.easting,
            door.northing,
        ),
    )
    frame = pd.DataFrame(rows, columns=["name", "kind", "delivery", "easting", "northing"])
    frame.insert(0, "site_id", [f"P{i + 1:02d}" for i in range(len(frame))])
    for column in ("easting", "northing"):
        frame[column] = frame[column].astype(np.int64)
    return frame


def draw_training(
    rng: np.random.Generator, settings: pd.DataFrame, district: pd.Series, story: str
) -> pd.DataFrame:
    """Courses by district and sector (places about 25 per 100 staff a year, 5 for the
    step-up district's schools), a few county-wide, with attendance."""
    staff = settings.assign(district_code=district.reindex(settings["site_id"]).to_numpy())
    staff = staff.groupby(["district_code", "sector"])["staff"].sum()
    rows = []
    for (code, sector), n in staff.items():
        planted = code == story and sector == "education"
        per_100 = TRAINING_PER_100["story" if planted else "other"]
        places = max(round(n * per_100 / 100 * rng.uniform(0.85, 1.15)), 4)
        parts = max(1, min(5, places // 20))
        cuts = np.sort(rng.choice(np.arange(1, places), parts - 1, replace=False))
        for p in np.diff(np.r_[0, cuts, places]):
            title = _COURSES[int(rng.integers(len(_COURSES)))]
            rows.append((title, sector, code, int(p), round(p * rng.uniform(0.7, 0.95))))
    for title in _COURSES[:2]:
        for sector in sorted(set(settings["sector"])):
            places = int(rng.integers(20, 60))
            rows.append((title + " (e-learning)", sector, "", places, int(places * 0.6)))
    frame = pd.DataFrame(rows, columns=["title", "sector", "district_code", "places", "attended"])
    frame.insert(0, "course_id", [f"T{i + 1:03d}" for i in range(len(frame))])
    return frame
