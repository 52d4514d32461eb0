"""The demo county's case-system extract, frontline settings, consultation points,
training and fictional national tables: built from the county (read only) with their own
random stream, so that adding them changes none of the county's files.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from earlyhelp.demo.casework import (
    LEADS,
    REREFERRAL,
    STEP_UP,
    STORY_LEAD,
    choose_stepup_district,
    draw_casework,
)
from earlyhelp.demo.files import _write_csv, _write_text
from earlyhelp.demo.frontline import (
    FAR_SETTINGS,
    TRAINING_PER_100,
    draw_consultation,
    draw_settings,
    draw_training,
)
from earlyhelp.demo.national import (
    REREFERRAL_STORY,
    WYVERNSHIRE,
    draw_councils,
    national_tables,
    neighbours,
)

STREAM = 19  # the issue these files were added for: a random stream of their own
FAR_M = 10_000.0
NATIONAL_FILES = {
    "c1": "national_c1_referrals_and_rereferrals.csv",
    "c3": "national_c3_factors_identified_at_end_of_assessment.csv",
    "c5": "national_c5_referrals_by_source.csv",
    "d3": "national_d3_cpps_subsequent_plan.csv",
    "d5": "national_d5_cpps_at31march_by_duration.csv",
    "population": "national_population_0_17.csv",
}
README = "README-extracts.md"
_TEMPLATE = "README-extracts.md.j2"


@dataclass(frozen=True)
class Extracts:
    """Every added table and the identifiers of their planted stories."""

    episodes: pd.DataFrame
    referrals: pd.DataFrame
    settings: pd.DataFrame
    consultation: pd.DataFrame
    training: pd.DataFrame
    national: dict[str, pd.DataFrame]
    neighbours: pd.DataFrame
    planted: dict[str, Any]


def build_extracts(county: Any, seed: int) -> Extracts:
    """Every added table from the county and ``seed`` (its own stream), stories checked."""
    rng = np.random.default_rng([seed, STREAM])
    areas = county.areas
    svc = _with_place(county.services, areas)
    stepup = choose_stepup_district(areas, county.planted)
    episodes, referrals = draw_casework(rng, areas, county.need, svc, stepup)
    rural = areas[areas["area_code"].isin(county.planted["rural_areas"])]
    rep = rural.geometry.representative_point()
    rural_rep = pd.DataFrame(
        {"easting": rep.x.round(), "northing": rep.y.round(), "locality": rural["locality"]}
    )
    settings = draw_settings(rng, county, svc.set_index("service_id"), rural_rep)
    names = areas.groupby("district_code")["district_name"].first()
    centre_xy = _centres_xy(county, areas)
    consultation = draw_consultation(county, centre_xy, names, county_town="Wyvernport")
    where = _district_of(settings, areas)
    training = draw_training(rng, settings, where, stepup)
    councils = draw_councils(rng, int(county.need["pop_0_17"].sum()))
    national = national_tables(rng, councils, int(county.need["referrals"].sum()))
    sn = neighbours(councils)
    planted = {
        "stepup_district": stepup,
        "stepup_district_name": str(names[stepup]),
        "rereferral_lead": STORY_LEAD,
        "far_settings": _far_settings(settings, consultation),
        "far_district": str(rural["district_code"].iloc[0]),
        "far_district_name": str(rural["district_name"].iloc[0]),
        "training_district": stepup,
        "council": WYVERNSHIRE[0],
        "council_neighbours": sn.loc[sn["old_la_code"] == WYVERNSHIRE[1]].iloc[0, 4::2].tolist(),
    }
    _check(episodes, areas, planted, national)
    return Extracts(episodes, referrals, settings, consultation, training, national, sn, planted)


def write_extracts(extracts: Extracts, areas: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Write every added file into ``out_dir`` (``areas``: the county's, for the
    README's figures); return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        _write_csv(extracts.episodes, out_dir / "casework_episodes.csv"),
        _write_csv(extracts.referrals, out_dir / "casework_referrals.csv"),
        _write_csv(extracts.settings, out_dir / "frontline_settings.csv"),
        _write_csv(extracts.consultation, out_dir / "consultation_points.csv"),
        _write_csv(extracts.training, out_dir / "training_courses.csv"),
    ]
    for key, name in NATIONAL_FILES.items():
        paths.append(_write_csv(extracts.national[key], out_dir / name))
    paths.append(_write_csv(extracts.neighbours, out_dir / "national_statistical_neighbours.csv"))
    paths.append(_write_text(_readme(extracts, areas), out_dir / README))
    return paths


def _with_place(services: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Services with the district they lie in."""
    pts = gpd.GeoDataFrame(
        services[["service_id"]],
        geometry=gpd.points_from_xy(services["easting"], services["northing"]),
        crs=areas.crs,
    )
    joined = gpd.sjoin(pts, areas[["district_code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    return services.assign(district_code=joined["district_code"].to_numpy())


def _centres_xy(county: Any, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Children's centres' coordinates (through their postcodes) and districts."""
    pcs = county.postcodes.set_index("postcode")
    xy = county.centres[["service_id", "postcode"]].join(
        pcs[["easting", "northing"]], on="postcode"
    )
    pts = gpd.GeoDataFrame(
        xy, geometry=gpd.points_from_xy(xy["easting"], xy["northing"]), crs=areas.crs
    )
    joined = gpd.sjoin(pts, areas[["district_code", "district_name", "geometry"]], how="left")
    joined = joined[~joined.index.duplicated()]
    kept = joined.drop(columns=["geometry", "index_right", "postcode"], errors="ignore")
    return pd.DataFrame(kept).set_index("service_id")


def _district_of(settings: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.Series:
    pts = gpd.GeoDataFrame(
        settings[["site_id"]],
        geometry=gpd.points_from_xy(settings["easting"], settings["northing"]),
        crs=areas.crs,
    )
    joined = gpd.sjoin(pts, areas[["district_code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    return pd.Series(joined["district_code"].to_numpy(), index=settings["site_id"].to_numpy())


def _far_settings(settings: pd.DataFrame, consultation: pd.DataFrame) -> list[str]:
    """Settings more than 10 km in a straight line from every in-person point."""
    in_person = consultation[consultation["delivery"] == "in_person"]
    tree = cKDTree(in_person[["easting", "northing"]].to_numpy(float))
    dist = tree.query(settings[["easting", "northing"]].to_numpy(float))[0]
    return sorted(settings.loc[dist > FAR_M, "site_id"].tolist())


def _check(
    episodes: pd.DataFrame, areas: pd.DataFrame, planted: dict[str, Any], national: dict
) -> None:
    """The stories hold, measured from the files' own columns."""
    closed = episodes[episodes["end_date"] != ""]
    district = closed["area_code"].map(areas.set_index("area_code")["district_code"])
    up = closed["closure_reason"].str.startswith("Stepped up")
    story = district == planted["stepup_district"]
    if up[story].mean() < 2 * up[~story].mean():
        raise RuntimeError("demo: the step-up district's story does not hold")
    if len(planted["far_settings"]) < FAR_SETTINGS:
        raise RuntimeError(
            f"demo: only {len(planted['far_settings'])} settings are far from consultation"
        )
    c1 = national["c1"]
    latest = c1[(c1["time_period"] == c1["time_period"].max())]
    mine = latest.loc[latest["new_la_code"] == WYVERNSHIRE[0], "rereferral_percent"]
    if float(mine.iloc[0]) < REREFERRAL_STORY - 3:
        raise RuntimeError("demo: Wyvernshire's re-referral story does not hold")


def _facts(x: Extracts, areas: pd.DataFrame) -> dict[str, Any]:
    """Figures of the stories measured from the files themselves, for the README."""
    closed = x.episodes[x.episodes["end_date"] != ""]
    district = closed["area_code"].map(areas.set_index("area_code")["district_code"])
    up = closed["closure_reason"].str.startswith("Stepped up")
    story = district == x.planted["stepup_district"]
    c1 = x.national["c1"]
    latest = c1[(c1["time_period"] == c1["time_period"].max()) & (c1["old_la_code"] != "")]
    latest = latest.set_index("old_la_code")
    pct = pd.to_numeric(latest["rereferral_percent"], errors="coerce")
    return {
        "stepup_story": 100 * up[story].mean(),
        "stepup_other": 100 * up[~story].mean(),
        "rereferral_council": float(pct[WYVERNSHIRE[1]]),
        "rereferral_neighbours": float(pct.reindex(x.planted["council_neighbours"]).mean()),
        "year": int(latest["time_period"].iloc[0]),
    }


def _readme(x: Extracts, areas: pd.DataFrame) -> str:
    env = jinja2.Environment(
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["thousands"] = lambda value: f"{value:,}"
    env.filters["fixed"] = lambda value, places: f"{value:.{places}f}"
    text = resources.files("earlyhelp.demo").joinpath(_TEMPLATE).read_text(encoding="utf-8")
    return env.from_string(text).render(
        x=x,
        p=x.planted,
        f=_facts(x, areas),
        leads=[name for name, _ in LEADS],
        council=WYVERNSHIRE,
        step_up=STEP_UP,
        training=TRAINING_PER_100,
        rereferral=REREFERRAL,
    )
