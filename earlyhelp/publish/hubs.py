"""The family hub and early years tables of a run, as they may be published.

Each table goes through the run's :class:`~.publication.Publication` (so the audit of
everything published sees it) with what its counts and shares of children add up in base
cells. Counts of hubs, services, providers and places are not counts of people: they are
published as they are. Counts of children (under-fives within and out of reach of a hub,
low-income under-fives, children in a ward) are suppressed and audited; a share is hidden
with its count, and its interval and verdict with it.

:func:`publish_hub_tables` publishes them all (called inside the run's
:func:`~.tables.run_publication`); :data:`HUB_TABLES` names them, and
:func:`hub_area_columns` gives the map's columns per area from what was published.
"""

from __future__ import annotations

__all__ = ["HUB_TABLES", "hub_area_columns", "hub_map_layers", "publish_hub_tables"]

from collections.abc import Hashable

import numpy as np
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.disclosure import MISSING, check_publishable
from earlyhelp.earlyyears import BANDS, EarlyYears, standard_of
from earlyhelp.hubs import HubAssessment
from earlyhelp.need import AGE_BANDS, indicator_values
from earlyhelp.publish.basis import RunBasis
from earlyhelp.publish.publication import Item, Publication, Ratio, Share
from earlyhelp.units import shown as shown_cost

HUB_TABLES = (
    "hub_core_offer",
    "hub_core_offer_localities",
    "hub_core_offer_counts",
    "hub_targeting",
    "hub_targeting_deciles",
    "hub_reach_under5",
    "hub_under5_out_of_reach",
    "early_years_places",
    "early_years_withheld",
    "early_years_take_up",
)
NO_UNDER5 = "unknown, because no count of under-fives is given"  # never out of reach, never within
_LOW = "low_income_under5"  # the base-cell block of estimated low-income under-fives
_REACH_RATES = ("pct", "lower", "upper")


def _nothing(row: Hashable, col: str) -> Item | None:
    return None  # hubs, services, providers, places: not people


def _publish(pub: Publication, name: str, frame: pd.DataFrame, **kwargs) -> pd.DataFrame:
    kwargs.setdefault("counts", [])
    kwargs.setdefault("cells", _nothing)
    shown = pub.table(name, frame, **kwargs)
    check_publishable(shown, name=f"tables/{name}.csv")
    return shown


def publish_hub_tables(pub: Publication, basis: RunBasis) -> None:
    """Every hub and early years table of the run (for the audit)."""
    a = basis.assessment
    if a.hubs is not None:
        hub_offer_tables(pub, a.hubs)
        hub_targeting_tables(pub, a.hubs)
        hub_reach_table(pub, basis, a.hubs)
        hub_out_of_reach_table(pub, basis, a.hubs)
    if a.early_years is not None:
        early_years_tables(pub, basis, a.early_years)


# --------------------------------------------------------------------------- core offer


def hub_offer_tables(pub: Publication, hubs: HubAssessment) -> tuple[pd.DataFrame, ...]:
    """The core offer matrix by site and by locality, and the hubs offering each core
    service in each way (counts of hubs: published as they are)."""
    offer = hubs.offer
    by_site = _publish(pub, "hub_core_offer", offer.by_site)
    by_locality = _publish(pub, "hub_core_offer_localities", offer.by_locality)
    counts = _publish(pub, "hub_core_offer_counts", offer.counts)
    return by_site, by_locality, counts


def hub_targeting_tables(pub: Publication, hubs: HubAssessment) -> tuple[pd.DataFrame, ...]:
    """The aim's verdicts per measure, and hubs and capacity by national decile."""
    summary = hubs.targeting.copy()
    for col in ("pct_hubs", "pct_capacity", "aim_pct"):
        summary[col] = summary[col].round(1)
    by_decile = hubs.by_decile.copy()
    for col in ("pct_hubs", "pct_capacity"):
        by_decile[col] = by_decile[col].round(1)
    return (
        _publish(pub, "hub_targeting", summary),
        _publish(pub, "hub_targeting_deciles", by_decile),
    )


# --------------------------------------------------------------------------- reach


def _band(basis: RunBasis, column: str = "pop_0_4") -> np.ndarray:
    """Weights (areas x bands): the children of one age band (default the under-fives)."""
    w = np.zeros((len(basis.codes), len(AGE_BANDS)))
    w[:, list(AGE_BANDS).index(column)] = 1.0
    return w


def _low_income_block(basis: RunBasis, hubs: HubAssessment):
    """Estimated low-income under-fives per area as a block of base cells (whole
    children, as published): their sum over the areas at given positions."""
    values = hubs.reach.areas["low_income_under5"].reindex(basis.codes).fillna(0.0)
    basis.cells.add(_LOW, values.round(0).to_numpy())

    def total(positions: np.ndarray) -> Item:
        w = np.zeros(len(basis.codes))
        w[positions] = 1.0
        return basis.cells.block(_LOW, w)

    return total


def hub_reach_table(pub: Publication, basis: RunBasis, hubs: HubAssessment) -> pd.DataFrame:
    """Under-fives (and low-income under-fives) within reach of a hub or spoke, by
    district and the county: counts, the share and its 95% limits."""
    table = hubs.reach_districts.copy()
    within = hubs.reach.areas["within_reach"].reindex(basis.codes).fillna(False)
    within = within.to_numpy(dtype=bool)
    low = _low_income_block(basis, hubs)
    under5 = _band(basis)

    def cells(row: Hashable, col: str) -> Item | None:
        at = basis.where(row)
        parts = (at, basis.select(at, within), basis.select(at, ~within))
        if col.startswith("under5"):
            total, inside, out = (basis.children(p, under5) for p in parts)
        else:
            total, inside, out = (low(p) for p in parts)
        part = col.removeprefix("under5").removeprefix("low_income").lstrip("_")
        items: dict[str, Item] = {"": total, "within": inside, "out": out}
        items["pct"] = Share(inside, total)
        return items.get(part)

    counts = [f"{s}{p}" for s in ("under5", "low_income") for p in ("", "_within", "_out")]
    rates = {f"{s}_{r}": [f"{s}_out", s] for s in ("under5", "low_income") for r in _REACH_RATES}
    return _publish(
        pub,
        "hub_reach_under5",
        table,
        counts=counts,
        rates=rates,
        total_row="County",
        column_totals={s: [f"{s}_within", f"{s}_out"] for s in ("under5", "low_income")},
        companions={f"{s}_pct": [f"{s}_lower", f"{s}_upper"] for s in ("under5", "low_income")},
        cells=cells,
    )


def hub_out_of_reach_table(pub: Publication, basis: RunBasis, hubs: HubAssessment):
    """The areas whose under-fives no hub or spoke reaches, most under-fives first, with
    their national deprivation deciles, the nearest hub or spoke and how far it is.
    Low-income under-fives are published by district only: an area's estimate is small
    and model-made, and would be hidden in most areas."""
    a = basis.assessment
    out = hubs.out_of_reach
    unit = hubs.reach.unit
    table = pd.DataFrame(
        {
            "area_name": a.areas["area_name"].reindex(out.index),
            "district_name": a.areas["district_name"].reindex(out.index),
            "under5": out["under5"],
        },
        index=out.index,
    )
    for name in a.config.hubs.deprivation:
        values = indicator_values(a.inputs.need.reindex(out.index), name, a.config.indicators[name])
        table[name] = values["value"].astype("Int64")
    table["nearest_hub"] = out["nearest_name"]
    costs = out["cost"].fillna(np.inf)
    table["distance"] = [shown_cost(c, unit) if np.isfinite(c) else "none" for c in costs]
    position = {code: i for i, code in enumerate(basis.codes)}
    under5 = _band(basis)

    def cells(row: Hashable, col: str) -> Item | None:
        if col != "under5":
            return None
        return basis.children(np.array([position[row]]), under5)

    return _publish(pub, "hub_under5_out_of_reach", table, counts=["under5"], cells=cells)


# --------------------------------------------------------------------------- early years


def early_years_tables(pub: Publication, basis: RunBasis, ey: EarlyYears):
    """Places per 1,000 children by unit and band (children audited; places published as
    they are), the providers counted for the council only, and take-up as published."""
    units = _units(basis).to_numpy()
    at = {str(u): np.flatnonzero(units == u) for u in pd.unique(units)}
    at["County"] = np.arange(len(basis.codes))
    weights = {band: _band(basis, columns[0]) for band, columns in BANDS.items()}
    table = ey.places.reorder_levels(["band", "unit_code"]).sort_index()
    table["places_per_1000"] = table["places_per_1000"].round(1)

    def cells(row: Hashable, col: str) -> Item | None:
        assert isinstance(row, tuple)
        band, unit = row
        positions = at.get(str(unit), np.zeros(0, dtype=np.int64))
        children = basis.children(positions, weights[str(band)])
        if col == "children":
            return children
        if col == "places_per_1000":
            places = float(table.at[row, "places"])
            return Ratio(children, places, scale=1000.0, per_count=True, decimals=1)
        return None

    places = _publish(
        pub,
        "early_years_places",
        table,
        counts=["children"],
        rates={"places_per_1000": ["children"]},
        total_row="County",
        companions={"places_per_1000": ["verdict"]},
        cells=cells,
    )
    withheld = _publish(pub, "early_years_withheld", ey.withheld)
    take_up = _publish(pub, "early_years_take_up", ey.take_up) if ey.take_up is not None else None
    return places, withheld, take_up


# --------------------------------------------------------------------------- the map


def hub_area_columns(pub: Publication, basis: RunBasis) -> pd.DataFrame:
    """Per study area, what the board map shows of hubs and early years, as published:
    ``hub_reach`` (within reach / out of reach), ``hub_under5_out`` (under-fives out of
    reach: the audited count, 0 where within reach), ``hub_core_nearby`` (core services
    offered at the nearest hub or spoke in reach), ``hub_nearest`` (its name, distance
    and gaps) and ``early_years_places`` (places per 1,000 under-fives of the area's ward)."""
    a = basis.assessment
    out = pd.DataFrame(index=basis.codes)
    if a.hubs is not None:
        reach = a.hubs.reach.areas.reindex(basis.codes)
        within = reach["within_reach"].fillna(False).to_numpy(dtype=bool)
        counted = reach["under5"].notna().to_numpy()
        out["hub_reach"] = np.where(
            within, "within reach", np.where(counted, "out of reach", NO_UNDER5)
        )
        shown = pub.shown("hub_under5_out_of_reach")["under5"]
        out["hub_under5_out"] = (
            shown.reindex(basis.codes).astype(object).where(reach.index.isin(shown.index), 0)
        )
        offer = a.hubs.offer.by_site
        core = offer["core_offered"].reindex(reach["nearest_site"]).to_numpy()
        n = len(a.config.core_services())
        out["hub_core_nearby"] = np.where(reach["within_reach"].fillna(False), core, 0).astype(
            float
        )
        out["hub_nearest"] = [
            _nearest_text(r, offer, n, a.hubs.reach.unit) for _, r in reach.iterrows()
        ]
    if a.early_years is not None:
        units = _units(basis)
        shown = pub.shown("early_years_places").xs("0-4", level="band")["places_per_1000"]
        out["early_years_places"] = units.map(shown).fillna(MISSING).astype(str).to_numpy()
    return out


def _units(basis: RunBasis) -> pd.Series:
    """The unit (ward...) places are counted in, per study area."""
    childcare = basis.assessment.inputs.childcare
    assert childcare is not None
    return childcare.units.reindex(basis.codes)["unit_code"].astype(str)


def _nearest_text(r: pd.Series, offer: pd.DataFrame, n: int, unit: str) -> str:
    site = r["nearest_site"]
    if not site or site not in offer.index:
        return "none"
    row = offer.loc[site]
    far = shown_cost(float(r["cost"]), unit) if np.isfinite(r["cost"]) else ""
    text = f"{row['name']} ({row['kind']}, {far}): {int(row['core_offered'])} of {n} core services"
    return text + (f"; not offered: {row['gaps']}" if row["gaps"] else "")


def hub_map_layers(areas: pd.DataFrame, out: pd.DataFrame, cfg: Config, unit: str) -> list:
    """The board map's hub and early years layers (:class:`~earlyhelp.maps.MapLayer`),
    adding their columns from ``areas`` (a run's areas layer) to ``out``; none when the
    run has no hub list or register. Titles and notes say the parameters the run used
    (the kinds of site, the reach and its unit, the counting unit, the standard)."""
    from earlyhelp.maps.classes import MapLayer

    layers = []
    if "hub_reach" in areas:
        spec = cfg.hubs
        sites = " or ".join(spec.reach_kinds)
        cat = cfg.categories.get(spec.reach_category)
        reach = cat.reach(unit) if cat is not None else {}
        within = (
            f"within {shown_cost(reach['urban'], unit, spec='g')} (urban) or "
            f"{shown_cost(reach['rural'], unit, spec='g')} (rural)"
            if reach
            else "within reach"
        )
        out["hub_reach"] = areas["hub_reach"].fillna(MISSING)
        layers.append(
            MapLayer(
                "hub_reach",
                "Family hub within reach of under-fives",
                kind="categorical",
                categories_order=("out of reach", "within reach", NO_UNDER5),
                colours=("#d6604d", "#4393c3", "#bdbdbd"),
                note=f"Whether the area's under-fives live {within} of an open {sites}; "
                "unknown where the area gives no count of under-fives.",
            )
        )
        out["hub_under5_out"] = _numbers(areas["hub_under5_out"])
        layers.append(
            MapLayer(
                "hub_under5_out",
                "Under-fives out of reach of a family hub",
                note=f"Children aged 0-4 living where no open {sites} is {within}.",
            )
        )
        n_core = len(cfg.core_services())
        out["hub_core_nearby"] = areas["hub_core_nearby"].astype(float)
        layers.append(
            MapLayer(
                "hub_core_nearby",
                f"Core family hub services at the nearest hub in reach (of {n_core})",
                higher_is_worse=False,
                note=f"How many of the {n_core} core family hub services the nearest open "
                f"{sites} {within} offers in person, by outreach or virtually (0: none in "
                "reach).",
            )
        )
        out["hub_nearest"] = areas["hub_nearest"].fillna("none")
    if "early_years_places" in areas:
        geography = cfg.childcare.geography
        standard, _ = standard_of(cfg)
        out["early_years_places"] = _numbers(areas["early_years_places"])
        layers.append(
            MapLayer(
                "early_years_places",
                f"Early years places per 1,000 under-fives ({geography})",
                higher_is_worse=False,
                note=f"Registered places of the providers Ofsted places in the area's "
                f"{geography}, per 1,000 children aged 0-4 there, against a standard of "
                f"{standard:g}; providers whose location is withheld (most childminders) "
                f"count for the council only, so a {geography}'s places are a lower bound.",
            )
        )
    return layers


def _numbers(text: pd.Series) -> pd.Series:
    """Published text cells as numbers where they are numbers (symbols stay text)."""
    numeric = pd.to_numeric(text, errors="coerce")
    return numeric.astype(object).where(numeric.notna(), text.fillna(MISSING))
