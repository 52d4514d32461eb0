"""The expertise folder: what ``earlyhelp expertise`` publishes, and its section of the
run's board report.

Published: ``tables/expertise_by_district.csv`` (frontline settings by district and kind,
those far from in-person social work consultation, the median and longest distance),
``expertise_far_settings.csv`` (each far setting by name: public buildings, not people),
``training_by_district.csv`` (places and attendance per 100 frontline staff, by district
and sector; attendance counts staff, so it is suppressed like any count of people) and
``map.html``. ``results.gpkg`` holds the settings and consultation points.
"""

from __future__ import annotations

__all__ = ["expertise_product", "expertise_summary", "report_lines"]

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.distance import describe_cost
from earlyhelp.expertise import Expertise
from earlyhelp.loading import Inputs
from earlyhelp.publish.extract_maps import settings_map
from earlyhelp.publish.folder import PUBLISHED, Page, Product, ReportSection, input_records
from earlyhelp.publish.suppressed import cell, interval, published
from earlyhelp.units import display_name, display_values
from earlyhelp.units import shown as shown_cost

_KIND_LABELS = {
    "school": "School",
    "early_years": "Early years setting",
    "gp_practice": "GP practice",
    "health_visiting_base": "Health visiting base",
}


def expertise_product(result: Expertise, *, cfg: Config, inputs: Inputs) -> Product:
    """Everything ``earlyhelp expertise`` writes (see the module's description)."""
    shown = _published(result, cfg)
    settings = result.settings.assign(distance=display_values(result.settings["cost"], result.unit))
    return Product(
        command="expertise",
        cfg=cfg,
        inputs=(*input_records(inputs), *(vars(r) for r in result.records)),
        tables=shown,
        layers={
            "settings": settings.reset_index(),
            "consultation_points": result.points.reset_index(),
        },
        pages=(_map_page(result, inputs, cfg),),
        sections={"expertise": _manifest_section(result, cfg)},
        report=_report_section(result, shown, cfg),
    )


def expertise_summary(result: Expertise, cfg: Config) -> str:
    """A few plain lines for the terminal (published figures only)."""
    return "\n".join(report_lines(result, _published(result, cfg), cfg))


def _published(result: Expertise, cfg: Config) -> dict[str, pd.DataFrame]:
    unit = display_name(result.unit)
    by = result.by_district.copy()
    for column in ("median_cost", "max_cost"):
        by[column] = display_values(by[column].replace(np.inf, np.nan), result.unit)
    by = by.rename(columns={"median_cost": f"median_{unit}", "max_cost": f"max_{unit}"})
    by.index = [f"{code} | {kind}" for code, kind in by.index]
    by.index.name = "district | kind"
    tables = {
        "expertise_by_district": published(
            by, cfg, counts=["staff"], name="expertise_by_district.csv"
        ),
        "expertise_far_settings": published(
            _far_table(result), cfg, counts=[], name="expertise_far_settings.csv"
        ),
    }
    if result.training is not None:
        t = result.training.copy()
        t.index = [f"{code} | {sector}" for code, sector in t.index]
        t.index.name = "district | sector"
        rates = {
            f"attended{s}": ["attended", "staff"] for s in ("_per_100_staff", "_lower", "_upper")
        } | {f"places{s}": ["staff"] for s in ("_per_100_staff", "_lower", "_upper")}
        tables["training_by_district"] = published(
            t,
            cfg,
            counts=["staff", "attended"],
            rates=rates,
            derived={"attended_vs": "attended_per_100_staff", "places_vs": "places_per_100_staff"},
            name="training_by_district.csv",
        )
    return tables


def _far_table(result: Expertise) -> pd.DataFrame:
    far = result.settings[result.settings["far"]]
    return pd.DataFrame(
        {
            "name": far["name"],
            "kind": far["kind"],
            "district_name": far["district_name"],
            "nearest_in_person_consultation": far["nearest_point_name"],
            f"distance_{display_name(result.unit)}": display_values(
                far["cost"].replace(np.inf, np.nan), result.unit
            ).round(1),
            "phone_or_online_consultation": np.where(far["remote_available"], "yes", "no"),
        },
        index=far.index,
    ).sort_values(["district_name", "name"])


def report_lines(result: Expertise, shown: dict[str, pd.DataFrame], cfg: Config) -> list[str]:
    """The report's sentences (published figures only)."""
    what = describe_cost(cfg.access, result.unit)
    far_text = shown_cost(result.far, result.unit, spec="g")
    settings = result.settings
    far = settings[settings["far"]]
    remote = result.remote
    lines = [
        f"{len(settings):,} frontline settings (schools, early years settings, GP practices and "
        f"health visiting bases) were measured to the nearest of "
        f"{int((~result.points['delivery'].isin(['phone', 'online'])).sum()):,} in-person "
        f"social work consultation points ({what}).",
        f"{len(far):,} are more than {far_text} away"
        + (f", in {', '.join(sorted(far['district_name'].unique()))}." if len(far) else "."),
    ]
    if len(remote):
        names = "; ".join(remote["name"])
        lines.append(
            f"Consultation by phone or online ({names}) is open to every setting wherever it "
            "is, and counts for all of them: the distances are to in-person consultation only."
        )
    else:
        lines.append("No phone or online consultation point was given: distance is all there is.")
    training = shown.get("training_by_district")
    if training is not None:
        county = training.loc["County | all sectors"]
        lines.append(
            f"Training: {cell(county['places_per_100_staff'])} places per 100 frontline staff "
            f"a year (95% CI {interval(county['places_lower'], county['places_upper'])}); "
            + _low_training(training)
        )
    lines.append(
        "Distance and training places say whether expertise is within reach, not whether "
        "professionals know how to use it: ask them (the indicator list's question, how do "
        "you know that agencies know how to access early help?)."
    )
    return lines


def _low_training(training: pd.DataFrame) -> str:
    low = training[training["places_vs"] == "lower"]
    if low.empty:
        return "no district and sector has significantly fewer places per 100 staff."
    parts = [
        f"{r['district_name']} ({key.split(' | ')[1]}: {cell(r['places_per_100_staff'])})"
        for key, r in low.iterrows()
    ]
    return "significantly fewer places per 100 staff than the county in " + "; ".join(parts) + "."


def _report_section(result: Expertise, shown: dict, cfg: Config) -> ReportSection:
    """By district: settings, far settings, the longest distance and training per 100."""
    by = result.by_district.xs("all settings", level="kind")
    unit = display_name(result.unit)
    frame = pd.DataFrame(
        {
            "Frontline settings": by["settings"].astype(float),
            "Far from in-person consultation": by["far"].astype(float),
            f"Longest distance ({unit})": display_values(
                by["max_cost"].replace(np.inf, np.nan), result.unit
            ).round(1),
        }
    )
    frame.index = [
        "County" if code == "County" else str(name) for code, name in by["district_name"].items()
    ]
    frame = pd.concat([frame.drop(index="County"), frame.loc[["County"]]])
    if result.training is not None:
        t = result.training.groupby(level=0).sum(numeric_only=True)
        per = 100 * t["places"] / t["staff"].where(t["staff"] > 0)
        frame["Training places per 100 staff"] = per.reindex(by.index).to_numpy()
    table = published(frame, cfg, counts=[], name="report section: expertise")
    title = "Social work expertise and training for professionals in universal services"
    return ReportSection("expertise", title, tuple(report_lines(result, shown, cfg)), table)


def _manifest_section(result: Expertise, cfg: Config) -> dict:
    return {
        "distance": describe_cost(cfg.access, result.unit),
        "far_threshold": shown_cost(result.far, result.unit, spec="g"),
        "settings": len(result.settings),
        "far_settings": int(result.settings["far"].sum()),
        "consultation_points": len(result.points),
        "phone_or_online": result.remote["name"].tolist(),
        "problems": [p.line() for p in result.report.problems],
    }


def _map_page(result: Expertise, inputs: Inputs, cfg: Config) -> Page:
    def draw(folder: Path) -> dict[str, str]:
        areas = inputs.areas.assign(
            consultation_distance=display_values(result.area_cost, result.unit),
            consultation_far=np.where(result.area_cost > result.far, "far", "within reach"),
        )
        far = shown_cost(result.far, result.unit, spec="g")
        points, kinds = _points(result), _kinds(result)
        settings_map(areas, points, kinds, cfg, folder / "map.html", unit=result.unit, far=far)
        return {"map.html": f"{PUBLISHED} (frontline settings and social work consultation)"}

    return draw


def _kinds(result: Expertise) -> dict[str, str]:
    kinds = sorted(result.settings["kind"].unique())
    return {k: _KIND_LABELS.get(k, k.replace("_", " ").capitalize()) for k in kinds}


def _points(result: Expertise) -> gpd.GeoDataFrame:
    """Settings (their distance in the pop-up) and consultation points, as map markers."""
    s = result.settings
    distance = display_values(s["cost"].replace(np.inf, np.nan), result.unit)
    unit = display_name(result.unit)
    settings = gpd.GeoDataFrame(
        {
            "name": s["name"],
            "categories": [[k] for k in s["kind"]],
            "provider": [
                f"{d:,.1f} {unit} from {n}" + (" (far)" if f else "")
                for d, n, f in zip(distance, s["nearest_point_name"], s["far"], strict=True)
            ],
            "delivery": "in_person",
            "status": "active",
        },
        geometry=s.geometry,
        crs=s.crs,
    )
    p = result.points
    points = gpd.GeoDataFrame(
        {
            "name": p["name"],
            "categories": [["consultation"]] * len(p),
            "provider": p["kind"].str.replace("_", " "),
            "delivery": p["delivery"],
            "status": "active",
        },
        geometry=p.geometry,
        crs=p.crs,
    )
    return gpd.GeoDataFrame(pd.concat([settings, points]), geometry="geometry", crs=s.crs)
