"""Early years places: the Ofsted register, the units places are counted in, and take-up.

:func:`load_childcare` reads ``[childcare]``: the register (through
:func:`earlyhelp.sources.childcare.read_ofsted_childcare`), places each provider whose
postcode Ofsted publishes (through the postcode lookup) in its small area, reads the
table from areas to wards (or uses the areas' locality or district) and DfE's take-up
table. :func:`register_services` turns the placed early years providers into services
of ``[childcare] category`` (their registered places as capacity), so that kind of help
is judged on real places rather than a directory's stand-ins.
"""

from __future__ import annotations

__all__ = ["COUNTY", "Childcare", "load_childcare", "register_services"]

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import Config
from earlyhelp.errors import InputError
from earlyhelp.loading.services import STUDY_AREA_TOLERANCE_M
from earlyhelp.loading.tables import (
    InputRecord,
    existing_file,
    file_sha256,
    read_table,
    read_vector,
)
from earlyhelp.sources._tables import find_column
from earlyhelp.validation import ValidationReport

# the early years tables' row of every provider in the county (its places and children)
COUNTY = "County"


@dataclass(frozen=True)
class Childcare:
    """What ``[childcare]`` read.

    ``providers``: the register (:data:`earlyhelp.sources.childcare.CHILDCARE_COLUMNS`)
    with ``x``, ``y`` and ``area_code`` where placed; ``units``: per small area, the
    ``unit_code`` and ``unit_name`` places are counted in (ward, locality...);
    ``take_up``: DfE's take-up rows, or None.
    """

    providers: pd.DataFrame
    units: pd.DataFrame
    geography: str
    take_up: pd.DataFrame | None
    period: str = ""


def load_childcare(
    cfg: Config,
    areas: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
    report: ValidationReport,
) -> tuple[Childcare | None, list[InputRecord]]:
    """The register, its providers placed, the counting units and take-up (None when
    ``[childcare]`` names no register)."""
    spec = cfg.childcare
    if spec.path is None:
        return None, []
    from earlyhelp.sources import read_source

    path = existing_file(spec.path, "childcare register")
    options = {"sheet": spec.sheet, **spec.options} if spec.sheet else dict(spec.options)
    providers = read_source("ofsted_childcare", path, report=report, **options)
    record = InputRecord("childcare", str(path), file_sha256(path), rows_read=len(providers))
    providers = _placed(providers, areas, postcodes, path, report)
    record.rows_used = int(providers["area_code"].notna().sum())
    record.dropped = {
        "location withheld (counted for the council only)": int(
            providers["location_withheld"].sum()
        ),
        "not active": int((providers["status"] != "active").sum()),
    }
    units, unit_records = _units(cfg, areas, report)
    take_up, period, take_records = _take_up(cfg, report)
    return (
        Childcare(providers, units, spec.geography, take_up, period),
        [record, *unit_records, *take_records],
    )


def _placed(providers, areas, postcodes, path: Path, report) -> pd.DataFrame:
    """Providers with ``x``, ``y`` and ``area_code`` where their postcode is published and
    in the lookup; a published postcode the lookup lacks is a warning (it may be over the
    border), and the provider is counted for its council only."""
    out = providers.copy()
    out["x"] = np.nan
    out["y"] = np.nan
    has = out["postcode"].astype(str) != ""
    if has.any() and postcodes is None:
        raise InputError(
            f"{path.name}: the register places providers by postcode but no postcode lookup "
            'is configured; set path = "..." under [postcodes] (such as the ONS Postcode '
            "Directory for your area)"
        )
    if has.any():
        looked = postcodes.reindex(out.loc[has, "postcode"].to_numpy())
        out.loc[has, "x"] = looked["x"].to_numpy()
        out.loc[has, "y"] = looked["y"].to_numpy()
    unknown = has & out["x"].isna()
    if unknown.any():
        report.warn(
            path,
            "Postcode",
            f"{int(unknown.sum())} provider(s) have a postcode that is not in the postcode "
            f"lookup (e.g. '{out.loc[unknown, 'postcode'].iloc[0]}'); they are counted for "
            "their council only",
            "give a postcode lookup that covers the whole council (and its borders)",
        )
    area = np.full(len(out), None, dtype=object)
    placed = out["x"].notna().to_numpy()
    if placed.any() and len(areas):
        points = gpd.points_from_xy(out.loc[placed, "x"], out.loc[placed, "y"], crs=areas.crs)
        near = areas.sindex.nearest(points, max_distance=STUDY_AREA_TOLERANCE_M)
        area[np.flatnonzero(placed)[near[0]]] = areas.index.to_numpy()[near[1]]
    out["area_code"] = area
    return out


def _units(cfg: Config, areas: gpd.GeoDataFrame, report) -> tuple[pd.DataFrame, list]:
    """Per area, the unit its places are counted in: the lookup's ward, or the areas'
    own locality, district or the area itself. A unit coded as the county's own row
    (:data:`COUNTY`, in any case) is refused: its places would be mixed with the
    county's, and it would be taken for the county's total when small numbers are
    hidden."""
    units, records = _unit_table(cfg, areas, report)
    code = units["unit_code"].astype("string").str.strip()
    taken = (code.str.lower() == COUNTY.lower()).fillna(False).to_numpy()
    if taken.any():
        spec = cfg.childcare
        if spec.geography in ("area", "locality", "district"):
            column = {"area": "area_code", "locality": "locality"}.get(
                spec.geography, "district_code"
            )
            where = f"{Path(str(cfg.areas.path)).name}, field '{cfg.areas.columns[column]}'"
        else:
            where = Path(str(spec.lookup)).name
        codes = ", ".join(sorted(map(str, units.index[taken]))[:5])
        raise InputError(
            f"{where}: the {spec.geography} '{code[taken].iloc[0]}'"
            f" (areas {codes}) is what earlyhelp calls the whole county in the early years "
            f"tables, so its places would be mixed with the county's; give it another "
            f'name, or count by another [childcare] geography (such as "district")'
        )
    return units, records


def _unit_table(cfg: Config, areas: gpd.GeoDataFrame, report) -> tuple[pd.DataFrame, list]:
    spec = cfg.childcare
    if spec.geography == "area":
        names = areas.get("area_name", pd.Series(areas.index, index=areas.index))
        return pd.DataFrame({"unit_code": areas.index, "unit_name": names}), []
    if spec.geography in ("locality", "district"):
        column = "locality" if spec.geography == "locality" else "district_code"
        if column not in areas or areas[column].isna().all():
            raise InputError(
                f'[childcare] geography = "{spec.geography}" needs the areas\' {column} '
                f'column; map it under [areas.columns], or count by geography = "district"'
            )
        name = areas[column] if column == "locality" else areas["district_name"]
        return pd.DataFrame({"unit_code": areas[column], "unit_name": name}), []
    return _ward_lookup(spec.lookup, areas, report)


def _ward_lookup(lookup: Path | None, areas, report) -> tuple[pd.DataFrame, list]:
    path = existing_file(lookup, "ward lookup of [childcare]")
    if path.suffix.lower() in (".geojson", ".gpkg", ".shp", ".json"):
        vector = read_vector(path)
        table = pd.DataFrame(vector.drop(columns=vector.geometry.name)).astype("string")
        table = table.fillna("")
    else:
        table = read_table(path, report=report).frame
    record = InputRecord("childcare ward lookup", str(path), file_sha256(path), len(table))
    code = _ward_column(table, ["ward_code", "wd_code", "wardcode"], r"^w(ar)?d\d{2}cd$")
    name = _ward_column(table, ["ward_name", "wd_name", "wardname"], r"^w(ar)?d\d{2}nm$")
    if code is None:
        raise InputError(
            f"{path.name}: no ward code column (such as WD23CD, ward24cd or ward_code); give "
            "the ONS lookup from your areas to wards, or a file with area_code, ward_code "
            "and ward_name"
        )
    wanted = set(areas.index.astype(str))
    hits = {c: len(set(table[c].astype(str).str.strip()) & wanted) for c in table.columns}
    column = max(hits, key=lambda c: hits[c])
    if not hits[column]:
        raise InputError(
            f"{path.name}: no column holds your areas' codes (e.g. '{areas.index[0]}'); the "
            "ward lookup must give each of your areas its ward"
        )
    rows = table.assign(**{column: table[column].astype(str).str.strip()})
    rows = rows.drop_duplicates(column).set_index(column)
    out = pd.DataFrame(
        {
            "unit_code": rows[code].reindex(areas.index.astype(str)).to_numpy(),
            "unit_name": (rows[name] if name else rows[code])
            .reindex(areas.index.astype(str))
            .to_numpy(),
        },
        index=areas.index,
    )
    missing = out["unit_code"].isna() | (out["unit_code"].astype(str) == "")
    record.rows_used = int((~missing).sum())
    if missing.any():
        report.warn(
            path.name,
            column,
            f"{int(missing.sum())} of {len(areas)} area(s) have no ward in the lookup (e.g. "
            f"'{out.index[missing.to_numpy()][0]}'); their children and places are counted "
            "under 'no ward'",
            "use a lookup of the same year as your areas",
        )
        out.loc[missing, ["unit_code", "unit_name"]] = ["", "no ward"]
    return out, [record]


def _ward_column(table: pd.DataFrame, names: list[str], pattern: str) -> str | None:
    found = find_column(table.columns, names)
    if found:
        return found
    hits = [c for c in table.columns if pd.Series([c.lower()]).str.fullmatch(pattern).iloc[0]]
    return hits[0] if hits else None


def _take_up(cfg: Config, report) -> tuple[pd.DataFrame | None, str, list[InputRecord]]:
    spec = cfg.childcare
    if spec.take_up is None:
        return None, "", []
    from earlyhelp.sources import read_source

    path = existing_file(spec.take_up, "early years take-up table")
    table = read_source("dfe_ey_take_up", path, report=report, area=spec.take_up_area)
    record = InputRecord("take_up", str(path), file_sha256(path), len(table), len(table))
    return table, str(table.attrs.get("period", "")), [record]


def register_services(
    childcare: Childcare,
    services: pd.DataFrame,
    *,
    category: str,
    replace: bool,
    crs: str,
    report: ValidationReport,
) -> gpd.GeoDataFrame:
    """``services`` with the register's placed early years providers as services of
    ``category`` (capacity = registered places, ages 0-4). With ``replace`` the
    directory's services of that category lose it (a service with no other category is
    dropped): the register's places stand for it."""
    reg = childcare.providers
    keep = (reg["status"] == "active") & reg["early_years_register"] & reg["x"].notna()
    reg = reg[keep]
    new = gpd.GeoDataFrame(
        {
            "service_id": "ofsted-" + reg["provider_id"].astype(str),
            "name": reg["name"].where(reg["name"] != "", reg["provider_type"]),
            "provider": reg["name"],
            "sector": pd.array([pd.NA] * len(reg), dtype="string"),
            "categories": [[category]] * len(reg),
            "min_age": 0.0,
            "max_age": 4.0,
            "capacity": reg["places"].astype(float),
            "annual_cost": np.nan,
            "reached": np.nan,
            "delivery": "in_person",
            "status": "active",
            "reach_areas": [[] for _ in range(len(reg))],
            "opening_times": "",
            "contact": "",
            "notes": "Ofsted register: " + reg["provider_type"].astype(str),
            "source": "childcare",
            "area_code": reg["area_code"],
        },
        geometry=gpd.points_from_xy(reg["x"], reg["y"]),
        crs=crs,
    )
    out = services
    if replace and len(services):
        has = services["categories"].map(lambda cats: category in (cats or []))
        if has.any():
            stripped = services["categories"].map(lambda cats: [c for c in cats if c != category])
            out = services.assign(categories=stripped)
            out = out[out["categories"].map(len) > 0]
            report.warn(
                "services",
                "categories",
                f"{int(has.sum())} directory service(s) of '{category}' were replaced by the "
                f"{len(new):,} placed early years providers of the Ofsted register (their "
                "places are the capacity); services of other kinds keep their other kinds",
                'set directory = "add" under [childcare] to count both (school nursery '
                "classes are not on the Ofsted register: list them in the directory then)",
            )
    return gpd.GeoDataFrame(pd.concat([out, new], ignore_index=True), crs=crs)
