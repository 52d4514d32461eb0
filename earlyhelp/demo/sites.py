"""Candidate sites: about 300 buildings where new provision could open (schools,
community centres, GP surgeries and libraries), a few of them on the estate and in the
remote stretch so that there is somewhere to put help where the stories say it is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from earlyhelp.demo.areas import Areas
from earlyhelp.demo.land import Land, nearest_settlement
from earlyhelp.demo.postcodes import jitter_inside, live_postcodes
from earlyhelp.demo.vocabulary import FEATURES

_SAINTS = ("St Wyrmald's", "St Ebbwyn's", "St Gryffa's", "St Lanterna's", "St Quilla's")
_KINDS = np.array(["school", "community_centre", "gp_surgery", "library"])
_KIND_P = [0.45, 0.25, 0.18, 0.12]
_SITE_NAMES = {
    "school": ("{loc} Primary School", "{loc} {feature} Primary School", "{loc} Academy",
               "{saint} C of E Primary School, {loc}"),
    "community_centre": ("{loc} Community Centre", "{feature} Community Hub, {loc}",
                         "{loc} Village Hall"),  # village halls only in the country
    "gp_surgery": ("{loc} Medical Practice", "{feature} Surgery, {loc}",
                   "{loc} Health Centre"),
    "library": ("{loc} Library",),
}  # fmt: skip


def place_sites(
    rng: np.random.Generator,
    areas: Areas,
    land: Land,
    need: pd.DataFrame,
    postcodes: pd.DataFrame,
    estate: np.ndarray,
    core: np.ndarray,
) -> pd.DataFrame:
    """About 300 buildings where new provision could go, numbered north to south."""
    live = live_postcodes(postcodes).reset_index(drop=True)
    pxy = live[["easting", "northing"]].to_numpy().astype(float)
    p_area = live["area"].to_numpy()
    npc = np.bincount(p_area, minlength=len(areas.rep))
    w = need["pop_0_17"].to_numpy() * np.where(areas.urban, 2.0, 1.0) / np.maximum(npc, 1)
    w = w[p_area]
    picked = rng.choice(len(live), 295, replace=False, p=w / w.sum())
    # Make sure there is somewhere to put help on the estate and in the remote stretch.
    on_estate = np.flatnonzero(np.isin(p_area, estate))
    in_core = np.flatnonzero(np.isin(p_area, core))
    extra = np.r_[rng.choice(on_estate, 2, replace=False), rng.choice(in_core, 3, replace=False)]
    picked = np.r_[picked, np.setdiff1d(extra, picked)]
    n = len(picked)
    kind = _KINDS[rng.choice(4, n, p=_KIND_P)]
    xy = jitter_inside(rng, areas, p_area[picked], pxy[picked])
    loc = nearest_settlement(land, xy)
    rural = ~areas.urban[p_area[picked]]
    names = _site_names(rng.random((n, 2)), kind, loc, rural)
    frame = pd.DataFrame(
        {
            "name": names,
            "kind": kind,
            "easting": xy[:, 0].astype(np.int64),
            "northing": xy[:, 1].astype(np.int64),
        }
    )
    frame = frame.sort_values(["northing", "easting"], ascending=[False, True], kind="stable")
    frame.insert(0, "site_id", [f"K{i + 1:03d}" for i in range(n)])
    return frame.reset_index(drop=True)


def _site_names(u: np.ndarray, kind: np.ndarray, loc: np.ndarray, rural: np.ndarray) -> list[str]:
    """A name for each site from ``_SITE_NAMES`` by its uniform draws ``u`` (n, 2)."""
    names = []
    for i in range(len(kind)):
        options = _SITE_NAMES[kind[i]]
        if kind[i] == "community_centre" and not rural[i]:
            options = options[:2]
        names.append(
            options[int(u[i, 0] * len(options))].format(
                loc=loc[i],
                feature=FEATURES[int(u[i, 1] * len(FEATURES))],
                saint=_SAINTS[int(u[i, 1] * len(_SAINTS))],
            )
        )
    return names
