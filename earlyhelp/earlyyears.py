"""Early years places per child: the childcare sufficiency duty (Childcare Act 2006 s6).

Councils report each year the places registered against the children who may need them,
by ward and age. :func:`early_years_places` counts the active providers of the Ofsted
register (:mod:`earlyhelp.loading.childcare`) in the unit they stand in (``[childcare]
geography``: ward, locality, district or area):

- **under-fives** (band ``0-4``): places of providers on the Early Years Register, per
  1,000 children aged 0-4, against the standard (``[childcare] places_per_1000``, else
  the ``[categories]`` standard of ``[childcare] category``: at least 333, one place per
  three children);
- **school age** (band ``5-10``): places of providers on the Childcare Register only
  (before and after school, holidays) per 1,000 children aged 5-10; no standard.

Providers whose location Ofsted withholds (most childminders), and those whose postcode
the lookup lacks, are counted at the level the register publishes them (their local
authority), never in a ward: a ward's places are those of the providers placed in it, a
lower bound. So a ward *meets the standard* on those alone; it is *below the standard*
only when it would stay below with every unplaced place in it; in between it is
*unknown, because* the unplaced places could be there. A ward without a child
population is *unknown, because* of that, never a gap. The county row counts every
active provider. DfE's take-up (children registered for funded early
education against those eligible) is reported as published, for the council and England.
"""

from __future__ import annotations

__all__ = [
    "BANDS", "BELOW", "MEETS", "UNKNOWN", "EarlyYears", "early_years_places", "standard_of",
]  # fmt: skip

from dataclasses import dataclass

import numpy as np
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.loading.childcare import COUNTY, Childcare

# band -> (need column, register, whether the standard applies)
BANDS = {
    "0-4": ("pop_0_4", "early_years_register", True),
    "5-10": ("pop_5_10", "childcare_register", False),
}
MEETS, BELOW, UNKNOWN = "meets the standard", "below the standard", "unknown"


@dataclass(frozen=True)
class EarlyYears:
    """Places per child by unit and band (``places``), the providers counted at council
    level only (``withheld``), take-up as published (``take_up``, or None), the standard
    (places per 1,000 under-fives) and where it comes from."""

    places: pd.DataFrame
    withheld: pd.DataFrame
    take_up: pd.DataFrame | None
    standard: float
    standard_source: str
    geography: str
    estimated: int  # providers whose places are Ofsted's estimate
    no_places: int  # active providers giving no places at all
    period: str = ""


def standard_of(cfg: Config) -> tuple[float, str]:
    """The early years standard (places per 1,000 under-fives) and its source."""
    spec = cfg.childcare
    cat = cfg.categories.get(spec.category)
    if spec.places_per_1000:
        return spec.places_per_1000, "[childcare] places_per_1000 of this run"
    value = (cat.places_per_1000 if cat else 0.0) or cfg.sufficiency.places_per_1000
    return value, (cat.standard_source if cat else "")


def early_years_places(
    childcare: Childcare, areas: pd.DataFrame, need: pd.DataFrame, cfg: Config
) -> EarlyYears:
    """Places per 1,000 children by unit and band for the study ``areas`` (see the module).

    ``places`` rows are ``(unit_code, band)`` and ``(County, band)``: ``unit_name``,
    ``providers``, ``places``, ``children``, ``places_per_1000``, ``standard`` (NaN where
    none applies) and ``verdict``.
    """
    standard, source = standard_of(cfg)
    units = childcare.units.reindex(areas.index)
    kids = need.reindex(areas.index)
    reg = childcare.providers[childcare.providers["status"] == "active"]
    placed = reg[reg["area_code"].isin(areas.index)]
    unplaced = reg[reg["x"].isna()]  # withheld, or a postcode the lookup lacks
    council = pd.concat([placed, unplaced])  # outside the study area: not the council's
    rows = []
    for band, (column, register, has_standard) in BANDS.items():
        of_band = placed[placed[register].astype(bool)]
        unit_of = of_band["area_code"].map(units["unit_code"])
        places = of_band["places"].fillna(0.0).groupby(unit_of).sum()
        count = of_band.groupby(unit_of).size()
        no_places = of_band["places"].isna().groupby(unit_of).sum()  # places not given
        children = kids[column].groupby(units["unit_code"]).sum(min_count=1)
        name = units.groupby("unit_code")["unit_name"].first()
        away = unplaced[unplaced[register].astype(bool)]
        rule = (standard, has_standard, len(away), float(away["places"].fillna(0).sum()))
        where = childcare.geography
        for code in children.index:
            got = (count.get(code, 0), places.get(code, 0.0), children[code])
            rows.append(
                _row(code, band, name.get(code, code), *got, *rule, geography=where,
                     unknown=int(no_places.get(code, 0)))
            )  # fmt: skip
        everyone = council[council[register].astype(bool)]
        got = (len(everyone), float(everyone["places"].fillna(0).sum()), kids[column].sum())
        rows.append(
            _row(COUNTY, band, "County (every provider)", *got, standard, has_standard,
                 unknown=int(everyone["places"].isna().sum()))
        )  # fmt: skip
    table = pd.DataFrame(rows).set_index(["unit_code", "band"])
    return EarlyYears(
        places=table,
        withheld=_withheld(unplaced),
        take_up=childcare.take_up,
        standard=standard,
        standard_source=source,
        geography=childcare.geography,
        estimated=int(reg["places_estimated"].sum()),
        no_places=int(reg["places"].isna().sum()),
        period=childcare.period,
    )


def _row(
    code, band, name, providers, places, children, standard, has_standard, away=0, away_places=0.0,
    *, geography: str = "ward", unknown: int = 0,
) -> dict:  # fmt: skip
    """One unit's row; ``away``/``away_places``: providers (and their places) of the band
    placed in no unit, which could be in this one; ``unknown``: providers here giving no
    places (counted as none, so a unit below the standard with them is unknown)."""
    known = children == children and children is not None
    per = 1000 * places / children if known and children > 0 else np.nan
    if not has_standard or not standard:
        verdict = "no standard"
    elif not known:
        verdict = f"{UNKNOWN}, because no population of this age is given for it"
    elif children <= 0:
        verdict = "no children"
    elif per >= standard - 1e-9:
        verdict = MEETS
    elif unknown:
        verdict = (
            f"{UNKNOWN}, because {unknown} provider(s) here give no places (Ofsted publishes "
            f"none); below the standard on the places given"
        )
    elif 1000 * (places + away_places) / children < standard - 1e-9:
        verdict = BELOW  # even with every unplaced place here
    else:
        verdict = (
            f"{UNKNOWN}, because {away_places:,.0f} places of {away} providers placed in no "
            f"{geography} (location withheld by Ofsted, or postcode not found) could be here; "
            f"below the standard on the {providers} placed here"
        )
    return {
        "unit_code": code,
        "band": band,
        "unit_name": name,
        "providers": int(providers),
        "places": float(places),
        "children": float(children) if known else np.nan,
        "places_per_1000": per,
        "standard": standard if has_standard and standard else np.nan,
        "verdict": verdict,
    }


def _withheld(unplaced: pd.DataFrame) -> pd.DataFrame:
    """Active providers placed in no unit, by local authority and band: those whose
    location Ofsted withholds, and those whose postcode the lookup lacks."""
    rows = []
    for band, (_, register, _) in BANDS.items():
        of_band = unplaced[unplaced[register].astype(bool)]
        why = np.where(of_band["location_withheld"], "location withheld", "postcode not found")
        for (la, reason), group in of_band.groupby([of_band["local_authority"], why]):
            rows.append(
                {
                    "local_authority": la or "not given",
                    "band": band,
                    "reason": reason,
                    "providers": len(group),
                    "places": float(group["places"].fillna(0).sum()),
                }
            )
    columns = ["local_authority", "band", "reason", "providers", "places"]
    return pd.DataFrame(rows, columns=columns)
