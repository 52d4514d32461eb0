"""The README written beside the demo files: the county, every file and its columns, the
districts and the planted stories.

The text is the template ``README.md.j2`` in this package; only the figures of one seed
are computed here.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd

from earlyhelp.demo.areas import Areas
from earlyhelp.demo.stories import THIN_CAPACITY

_TEMPLATE = "README.md.j2"


def render_readme(
    seed: int,
    areas: Areas,
    need: pd.DataFrame,
    services: pd.DataFrame,
    centres: pd.DataFrame,
    postcodes: pd.DataFrame,
    roads: gpd.GeoDataFrame,
    sites: pd.DataFrame,
    story: dict[str, Any],
    facts: dict[str, Any],
) -> str:
    """The README of the demo folder, numbers filled in from this seed.

    ``story`` is the planted stories' identifiers, ``facts`` their measurements (see
    :func:`earlyhelp.demo.stories.check_stories`).
    """
    thin = areas.district_codes.index(story["thin_district"])
    in_rural = areas.gdf["area_code"].isin(story["rural_areas"]).to_numpy()
    crit = centres.loc[centres["service_id"] == story["critical_centre"]].iloc[0]
    counts = {
        "areas": len(areas.gdf),
        "districts": len(areas.district_codes),
        "need": len(need),
        "services": len(services),
        "centres": len(centres),
        "postcodes": len(postcodes),
        "terminated": int((postcodes["terminated"] != "").sum()),
        "roads": len(roads),
        "sites": len(sites),
    }
    return _template().render(
        seed=seed,
        n=counts,
        districts=_district_rows(areas, need, facts["per_1000"]),
        thin={
            "per_1000": facts["per_1000"][thin],
            "next_lowest_per_1000": np.sort(np.delete(facts["per_1000"], thin))[0],
            "cap_per_child": facts["cap_per_child"][thin],
            "lowest_cap_per_child_elsewhere": np.delete(facts["cap_per_child"], thin).min(),
            "capacity_pct": round(100 * THIN_CAPACITY),
        },
        rural_districts=[
            f"{areas.district_codes[d]} {areas.district_names[d]}"
            for d in np.unique(areas.district[in_rural])
        ],
        critical={"name": crit["name"], "postcode": crit["postcode"]},
        story=story,
        facts=facts,
    )


def _district_rows(areas: Areas, need: pd.DataFrame, per_1000: np.ndarray) -> list[dict[str, Any]]:
    """One row per district: code, name, number of areas, children aged 0-17 and services
    per 1,000 of them."""
    children = need["pop_0_17"].to_numpy()
    return [
        {
            "code": code,
            "name": name,
            "n_areas": int((areas.district == d).sum()),
            "children": int(children[areas.district == d].sum()),
            "per_1000": per_1000[d],
        }
        for d, (code, name) in enumerate(
            zip(areas.district_codes, areas.district_names, strict=True)
        )
    ]


def _template() -> jinja2.Template:
    """The README template: plain text (no escaping), block tags on lines of their own."""
    env = jinja2.Environment(
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["thousands"] = lambda value: f"{value:,}"  # 1234 -> "1,234"
    env.filters["fixed"] = lambda value, places: f"{value:.{places}f}"  # decimal places
    text = resources.files("earlyhelp.demo").joinpath(_TEMPLATE).read_text(encoding="utf-8")
    return env.from_string(text)
