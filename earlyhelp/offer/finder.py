"""The offer finder: which early help fits one child and family, and how near it is.

Munro (2011) Recommendation 10 asks how "the early help that a particular child and
family need is identified and offered". Given where a family lives (a postcode, latitude
and longitude, or easting and northing), the child's age and the kinds of help they need
(taxonomy keys), :func:`find_offer` lists the **active** services that fit:

- of each category asked for, taking a child of that age (``min_age <= age <= max_age``,
  whole years, inclusive);
- in person or outreach, ranked by reach: those within the category's reach threshold
  (urban or rural, from the family's small area) first, then by distance. Distance is
  measured with the configured distance model (straight line times ``circuity`` by
  default); an outreach service comes to families, so it counts ``outreach_extra_m``
  nearer, as in :mod:`earlyhelp.accessibility`;
- online and phone services apart, as available anywhere.

When a need has no service within reach, the offer says so plainly and names the nearest
one and how far it is.

Privacy
    Nothing about the family is written to disk or logged. :func:`load_directory` reads
    only the configuration, services, centres, postcodes and small areas (for the
    rural/urban class that sets the reach threshold), never the need data, and writes
    nothing: no run folder, no cache.

Example
-------
>>> from earlyhelp.config import load_config                     # doctest: +SKIP
>>> directory = load_directory(load_config("config.toml"))       # doctest: +SKIP
>>> place = locate(directory, postcode="qx12ab")                  # doctest: +SKIP
>>> offer = find_offer(directory, place, age=3, needs=["parenting"])  # doctest: +SKIP
>>> print(offer_to_csv(offer))                                   # doctest: +SKIP
"""

from __future__ import annotations

__all__ = [
    "OFFER_COLUMNS",
    "OFFER_FORMATS",
    "Directory",
    "Offer",
    "Place",
    "check_format",
    "find_offer",
    "load_directory",
    "locate",
    "offer_to_csv",
    "offer_to_json",
    "parse_needs",
    "print_offer",
]

import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import Point

from earlyhelp.config import CategoryConfig, Config
from earlyhelp.distance import DistanceModel, make_distance_model, true_costs
from earlyhelp.errors import InputError
from earlyhelp.geography import normalise_postcode
from earlyhelp.loading import load_inputs
from earlyhelp.outputs import spreadsheet_safe
from earlyhelp.provision import classify_services, reach_thresholds
from earlyhelp.text import did_you_mean
from earlyhelp.units import shown as shown_cost
from earlyhelp.validation import plain_text

OFFER_FORMATS = ("table", "csv", "json")

# Columns of Offer.services (and of the CSV output), in order.
OFFER_COLUMNS = (
    "need",
    "need_label",
    "rank",
    "service_id",
    "name",
    "provider",
    "sector",
    "delivery",
    "min_age",
    "max_age",
    "distance",
    "unit",
    "effective_distance",
    "reach_threshold",
    "within_reach",
    "available_anywhere",
    "opening_times",
    "contact",
    "notes",
)


# --------------------------------------------------------------------------------------
# The directory: what the offer finder loads
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Directory:
    """The service directory and what is needed to place a family and measure distance.

    Attributes
    ----------
    config
        The run's configuration (taxonomy, reach thresholds, distance model).
    services
        Services and children's centres in the canonical model, indexed by
        ``service_id`` (every status; :func:`find_offer` keeps the active ones).
    areas
        Small areas (``rural_urban`` chooses the reach threshold), without need data.
    postcodes
        The postcode lookup (index: normalised postcode; ``x``, ``y`` in the analysis
        CRS; ``terminated``), or None when none is configured.
    model
        The configured distance model.
    """

    config: Config
    services: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    postcodes: pd.DataFrame | None
    model: DistanceModel


def load_directory(cfg: Config) -> Directory:
    """Read the services, centres, postcodes and small areas named in ``cfg``.

    Reads only; writes nothing. The need data are not read. Raises
    :class:`~earlyhelp.errors.ValidationFailed` when an input has errors.
    """
    if not cfg.categories:
        raise InputError(
            f"{cfg.source or 'config'}: no [categories.<key>] are defined; the offer finder "
            "needs the taxonomy of help"
        )
    inputs = load_inputs(cfg, need=False)
    services, areas, postcodes, roads = (
        inputs.services,
        inputs.areas,
        inputs.postcodes,
        inputs.roads,
    )
    if services.empty:
        raise InputError(
            f'{cfg.source or "config"}: no services were read; set path = "..." under '
            "[services] to the service directory"
        )
    model = make_distance_model(cfg.access, roads=roads)
    return Directory(config=cfg, services=services, areas=areas, postcodes=postcodes, model=model)


# --------------------------------------------------------------------------------------
# Where the family is
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where the family lives, in the analysis CRS.

    ``postcode`` is the normalised postcode when one was given; ``terminated`` says the
    lookup marks it terminated (its last known place is used). ``area_code`` and
    ``rural_urban`` come from the small area the point falls in (None outside every
    area; the urban, shorter, reach threshold is then used).
    """

    x: float
    y: float
    postcode: str | None = None
    terminated: bool = False
    area_code: str | None = None
    rural_urban: str | None = None
    notes: tuple[str, ...] = ()


def locate(
    directory: Directory,
    *,
    postcode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    easting: float | None = None,
    northing: float | None = None,
) -> Place:
    """Place a family from exactly one of: a postcode, ``lat``/``lon`` (degrees, WGS 84)
    or ``easting``/``northing`` (British National Grid metres).

    A postcode is normalised (``" qx12ab "`` is ``QX1 2AB``) and looked up in the
    configured postcode file; a terminated postcode is used at its last known place with
    a note. Raises :class:`~earlyhelp.errors.InputError` (exit code 2) with the fix for
    an unknown postcode or a location given twice or by halves.
    """
    cfg = directory.config
    given = {
        "--postcode": postcode is not None,
        "--lat/--lon": lat is not None or lon is not None,
        "--easting/--northing": easting is not None or northing is not None,
    }
    chosen = [k for k, v in given.items() if v]
    if len(chosen) != 1:
        what = "no location was given" if not chosen else f"{' and '.join(chosen)} were given"
        raise InputError(
            f"offer: {what}; give exactly one of --postcode, --lat with --lon, or "
            "--easting with --northing"
        )
    notes: list[str] = []
    terminated = False
    code: str | None = None
    if postcode is not None:
        code, x, y, terminated = _from_postcode(directory, postcode)
        if terminated:
            notes.append(
                f"postcode {code} is terminated; its last known location was used (check "
                "the family's current postcode)"
            )
    elif chosen == ["--lat/--lon"]:
        if lat is None or lon is None:
            raise InputError("offer: give both --lat and --lon (degrees, WGS 84)")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(
                f"offer: latitude {lat} / longitude {lon} are not degrees; latitude is "
                "-90..90 and longitude -180..180 (did you mean --easting/--northing?)"
            )
        x, y = _project(lon, lat, "EPSG:4326", cfg.run.crs)
    else:
        if easting is None or northing is None:
            raise InputError("offer: give both --easting and --northing (metres, EPSG:27700)")
        if abs(easting) <= 180 and abs(northing) <= 90:
            raise InputError(
                f"offer: easting {easting} / northing {northing} look like degrees; use "
                "--lat and --lon for latitude and longitude"
            )
        x, y = _project(easting, northing, "EPSG:27700", cfg.run.crs)
    area_code, rural_urban = _area_at(directory.areas, x, y)
    if area_code is None:
        notes.append(
            "this location is outside every small area of the study area; the urban "
            "(shorter) reach thresholds are used"
        )
    return Place(
        x=x,
        y=y,
        postcode=code,
        terminated=terminated,
        area_code=area_code,
        rural_urban=rural_urban,
        notes=tuple(notes),
    )


def _from_postcode(directory: Directory, text: str) -> tuple[str, float, float, bool]:
    cfg = directory.config
    code = normalise_postcode(pd.Series([text])).iloc[0]
    if pd.isna(code):
        raise InputError(
            f"offer: '{text}' is not a postcode; write it like QX1 2AB (spaces and case "
            "do not matter), or give --lat/--lon or --easting/--northing"
        )
    if directory.postcodes is None:
        where = cfg.postcodes.path
        state = "is not set" if where is None else f"({where}) was not found"
        raise InputError(
            f'offer: the postcode lookup {state}; set path = "..." under [postcodes] in '
            "config.toml to a postcode file (such as the ONS Postcode Directory), or give "
            "--lat/--lon or --easting/--northing"
        )
    if code not in directory.postcodes.index:
        raise InputError(
            f"offer: postcode {code} is not in the postcode lookup ({cfg.postcodes.path}); "
            "check it with the family, or give --lat/--lon or --easting/--northing "
            "(if the postcode is new, update the lookup file)"
        )
    row = directory.postcodes.loc[code]
    return str(code), float(row["x"]), float(row["y"]), bool(row["terminated"])


def _project(x: float, y: float, src: str, dst: str) -> tuple[float, float]:
    pt = gpd.GeoSeries([Point(x, y)], crs=src)
    if not pt.crs.equals(dst):
        pt = pt.to_crs(dst)
    return float(pt.x.iloc[0]), float(pt.y.iloc[0])


def _area_at(areas: gpd.GeoDataFrame, x: float, y: float) -> tuple[str | None, str | None]:
    """The small area holding the point (the first, on a boundary) and its class."""
    if areas.empty:
        return None, None
    hit = areas.sindex.query(Point(x, y), predicate="intersects")
    if not len(hit):
        return None, None
    row = areas.iloc[int(np.min(hit))]
    ru = row.get("rural_urban")
    return str(areas.index[int(np.min(hit))]), (None if pd.isna(ru) else str(ru))


# --------------------------------------------------------------------------------------
# The offer
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Offer:
    """The services that fit one child and family, and what to tell them.

    Attributes
    ----------
    place
        Where the family lives.
    age
        The child's age in completed years.
    needs
        One row per need asked for (index ``need``): ``label``, ``reach_threshold``,
        ``unit``, ``within_reach`` (how many local services are), ``local`` (active
        in-person or outreach services taking the child's age, anywhere),
        ``remote`` (online or phone ones), ``nearest_name``, ``nearest_distance`` and
        ``message``, a plain sentence for the family's worker.
    services
        The services listed, one row per need and service (:data:`OFFER_COLUMNS`):
        local ones ranked (within reach first, then by distance), then those available
        anywhere (online, phone; no distance).
    notes
        Notes about the location and the inputs (a terminated postcode, for example).
    params
        The distance model, its unit, circuity, outreach reach and the listing limit.
    """

    place: Place
    age: int
    needs: pd.DataFrame
    services: pd.DataFrame
    notes: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


def parse_needs(values: Iterable[str] | str | None, categories: Iterable[str]) -> list[str]:
    """Taxonomy keys from ``"parenting,domestic_abuse"`` (or several such strings).

    Case, spaces and hyphens do not matter (``"Domestic abuse"`` is ``domestic_abuse``);
    nothing given means every category. An unknown key raises
    :class:`~earlyhelp.errors.InputError` with a "did you mean" and the valid keys.
    """
    keys = list(categories)
    if values is None:
        return keys
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in str(value).split(","):
            word = part.strip()
            if not word:
                continue
            key = re.sub(r"[\s\-]+", "_", word.lower())
            if key not in keys:
                raise InputError(
                    f"offer: unknown need '{word}'{did_you_mean(word, keys)}; needs are "
                    f"the category keys in config.toml: {', '.join(keys)}"
                )
            if key not in out:
                out.append(key)
    return out or keys


def find_offer(
    directory: Directory,
    place: Place,
    *,
    age: int,
    needs: Sequence[str] | None = None,
    limit: int = 5,
) -> Offer:
    """The active services that fit a child of ``age`` at ``place`` for each need.

    Parameters
    ----------
    directory
        From :func:`load_directory`.
    place
        From :func:`locate`.
    age
        The child's age in completed years (0 for a baby or an expected baby).
    needs
        Taxonomy keys (see :func:`parse_needs`); None means every category.
    limit
        Most services listed per need, in person or outreach and online or phone each
        (0 lists all); the need's message counts those left out.
    """
    cfg = directory.config
    _check_request(age, limit)
    keys = parse_needs(needs, cfg.categories)
    unit = directory.model.unit
    extra = cfg.access.outreach_extra(unit)
    roles = _fitting_roles(directory.services, keys, age)
    cost, effective = _family_costs(directory, place, roles, extra)
    rows: list[pd.DataFrame] = []
    summary: list[dict[str, Any]] = []
    notes = list(place.notes)
    for key in keys:
        category = cfg.categories[key]
        notes.extend(_age_notes(category, key, age))
        listed, need_row = _need_offer(
            key,
            category,
            directory.services,
            roles[roles["category"] == key],
            cost=cost,
            effective=effective,
            place=place,
            age=age,
            unit=unit,
            extra=extra,
            limit=limit,
        )
        rows.append(listed)
        summary.append(need_row)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    table["unit"] = unit
    table = table.reindex(columns=list(OFFER_COLUMNS))
    notes.extend(_responsible_centres(directory.services, place))
    return Offer(
        place=place,
        age=int(age),
        needs=pd.DataFrame(summary).set_index("need"),
        services=table,
        notes=tuple(dict.fromkeys(notes)),
        params=_offer_params(directory.model, extra=extra, limit=limit, place=place),
    )


def _check_request(age: int, limit: int) -> None:
    """Refuse an age that is not a child's (0 to 25 years) or a negative listing limit."""
    if age < 0 or age > 25:
        raise InputError(f"offer: age {age} is not a child's age in years; give 0 to 25")
    if limit < 0:
        raise InputError("offer: --limit must be 0 (list all) or more")


def _fitting_roles(services: gpd.GeoDataFrame, keys: Sequence[str], age: int) -> pd.DataFrame:
    """The roles (:func:`~earlyhelp.provision.classify_services`) of the active local and
    remote services of the needs ``keys`` that take a child of ``age`` (blank ages: 0 and
    no upper limit)."""
    roles = classify_services(services, categories=keys)
    lo = pd.to_numeric(services["min_age"], errors="coerce").fillna(0.0)
    hi = pd.to_numeric(services["max_age"], errors="coerce").fillna(np.inf)
    takes_age = ((lo <= age) & (hi >= age)).reindex(roles["service_id"]).to_numpy()
    return roles[takes_age & roles["role"].isin(["local", "remote"]).to_numpy()]


def _family_costs(
    directory: Directory, place: Place, roles: pd.DataFrame, extra: float
) -> tuple[pd.Series, pd.Series]:
    """Cost from the family to each local service of ``roles`` (model unit), and the
    effective cost: an outreach service comes ``extra`` nearer, down to zero."""
    local_ids = pd.unique(roles.loc[roles["role"] == "local", "service_id"])
    cost = _costs(directory, place, pd.Index(local_ids))
    services = directory.services
    outreach = (services["delivery"] == "outreach").reindex(cost.index).to_numpy(dtype=bool)
    return cost, cost.where(~outreach, (cost - extra).clip(lower=0.0))


def _age_notes(category: CategoryConfig, key: str, age: int) -> list[str]:
    """A note when the child's age is outside the ages the kind of help is configured for."""
    if category.min_age <= age <= category.max_age:
        return []
    return [
        f"{category.label or key} is configured for ages {category.min_age:g} to "
        f"{category.max_age:g}; a child aged {age} is outside them"
    ]


def _need_offer(
    key: str,
    category: CategoryConfig,
    services: gpd.GeoDataFrame,
    mine: pd.DataFrame,
    *,
    cost: pd.Series,
    effective: pd.Series,
    place: Place,
    age: int,
    unit: str,
    extra: float,
    limit: int,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The services listed for one need (local ranked, then remote; :data:`OFFER_COLUMNS`
    but ``unit``) and its row of :attr:`Offer.needs`. ``mine`` are the need's roles."""
    label = category.label or key
    area = pd.DataFrame({"rural_urban": [place.rural_urban or ""]})
    threshold = float(reach_thresholds(area, category, unit=unit).iloc[0])
    local = _ranked_local(services, mine, key, label, cost, effective, threshold)
    reachable = local[local["effective_distance"].notna()]
    nearest = reachable.iloc[0] if len(reachable) else None
    shown = local if limit == 0 else local.head(limit)
    remote = _remote_listing(services, mine, key, label, threshold)
    remote_shown = remote if limit == 0 else remote.head(limit)
    listed = pd.concat([shown, remote_shown], ignore_index=True)
    listed["rank"] = np.arange(1, len(listed) + 1)
    n_within = int(local["within_reach"].sum())
    message = _message(
        label,
        age=age,
        threshold=threshold,
        unit=unit,
        rural=place.rural_urban == "rural",
        n_within=n_within,
        n_shown=int(shown["within_reach"].sum()),
        nearest=nearest,
        n_remote=len(remote),
        n_remote_shown=len(remote_shown),
        extra=extra,
    )
    return listed, {
        "need": key,
        "label": label,
        "reach_threshold": threshold,
        "unit": unit,
        "within_reach": n_within,
        "local": len(local),
        "remote": len(remote),
        "nearest_id": None if nearest is None else nearest["service_id"],
        "nearest_name": None if nearest is None else nearest["name"],
        "nearest_distance": None if nearest is None else float(nearest["distance"]),
        "nearest_delivery": None if nearest is None else nearest["delivery"],
        "message": message,
    }


def _ranked_local(
    services: gpd.GeoDataFrame,
    mine: pd.DataFrame,
    key: str,
    label: str,
    cost: pd.Series,
    effective: pd.Series,
    threshold: float,
) -> pd.DataFrame:
    """The need's in-person and outreach services with their distances, within reach
    first, then by effective distance (unreachable last), name and id."""
    local = _listing(services, mine[mine["role"] == "local"]["service_id"], key, label)
    local["distance"] = cost.reindex(local["service_id"]).to_numpy()
    local["effective_distance"] = effective.reindex(local["service_id"]).to_numpy()
    local["reach_threshold"] = threshold
    local["within_reach"] = (local["effective_distance"] <= threshold).to_numpy()
    local["available_anywhere"] = False
    return local.sort_values(
        ["within_reach", "effective_distance", "name", "service_id"],
        ascending=[False, True, True, True],
        na_position="last",
        kind="stable",
    )


def _remote_listing(
    services: gpd.GeoDataFrame, mine: pd.DataFrame, key: str, label: str, threshold: float
) -> pd.DataFrame:
    """The need's online and phone services, available anywhere (no distance), by name."""
    remote = _listing(services, mine[mine["role"] == "remote"]["service_id"], key, label)
    return remote.assign(
        distance=np.nan,
        effective_distance=np.nan,
        reach_threshold=threshold,
        within_reach=pd.NA,
        available_anywhere=True,
    ).sort_values(["name", "service_id"], kind="stable")


def _offer_params(
    model: DistanceModel, *, extra: float, limit: int, place: Place
) -> dict[str, Any]:
    """The distance model, its unit, circuity, outreach reach and the listing limit."""
    return {
        "distance_model": getattr(model, "name", type(model).__name__),
        "unit": model.unit,
        "circuity": getattr(model, "circuity", None),
        "outreach_extra": extra,
        "limit": limit,
        "rural_urban": place.rural_urban or "urban (no class)",
    }


def _responsible_centres(services: gpd.GeoDataFrame, place: Place) -> list[str]:
    """Who is responsible for the family's area: the active children's centres whose
    ``reach_areas`` include it (the first door to knock on, whatever the need)."""
    if not place.area_code or "reach_areas" not in services:
        return []
    active = services[services["status"] == "active"]
    own = active[active["reach_areas"].map(lambda codes: place.area_code in (codes or []))]
    return [
        f"The children's centre responsible for this area is {row['name']}"
        + (f" ({row['contact']})" if row.get("contact") else "")
        + "."
        for _, row in own.iterrows()
    ]


def _listing(services: gpd.GeoDataFrame, ids: pd.Series, key: str, label: str) -> pd.DataFrame:
    """The directory's columns of the services ``ids``, for one need."""
    ids = pd.Index(pd.unique(ids), name="service_id")
    cols = ["name", "provider", "sector", "delivery", "min_age", "max_age"]
    cols += ["opening_times", "contact", "notes"]
    sub = pd.DataFrame(services.loc[ids]).reindex(columns=cols)
    sub = sub.reset_index()
    sub.insert(0, "need_label", label)
    sub.insert(0, "need", key)
    return sub


def _costs(directory: Directory, place: Place, ids: pd.Index) -> pd.Series:
    """Cost (model unit) from the family to each service; NaN where it cannot be reached."""
    if not len(ids):
        return pd.Series([], index=ids, dtype=float, name="distance")
    model = directory.model
    label = place.area_code or "family"
    if getattr(model, "name", "") == "matrix" and place.area_code is None:
        raise InputError(
            "offer: the matrix distance model measures from small areas, and this "
            "location is in none of them; use a location inside the study area"
        )
    origin = gpd.GeoSeries([Point(place.x, place.y)], index=[label], crs=directory.areas.crs)
    dests = directory.services.loc[ids].geometry
    matrix = model.costs(origin, dests, max_cost=math.inf).tocsr()
    values = np.full(len(ids), np.nan)
    row = matrix.getrow(0)
    values[row.indices] = true_costs(row.data)
    return pd.Series(values, index=ids, name="distance")


def _distance_text(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "cannot be reached"
    return shown_cost(value, unit)


def _message(
    label: str,
    *,
    age: int,
    threshold: float,
    unit: str,
    rural: bool,
    n_within: int,
    n_shown: int,
    nearest: pd.Series | None,
    n_remote: int,
    n_remote_shown: int,
    extra: float,
) -> str:
    """One plain sentence (or two) about a need, for the family's worker."""
    where = "a rural area" if rural else "an urban area"
    reach = f"{_distance_text(threshold, unit)} in {where}"
    anywhere = (
        f" {n_remote} online or phone service{'s' if n_remote != 1 else ''} "
        f"{'are' if n_remote != 1 else 'is'} available anywhere"
        f"{f' ({n_remote - n_remote_shown} not listed)' if n_remote > n_remote_shown else ''}."
        if n_remote
        else ""
    )
    if n_within:
        more = f" ({n_within - n_shown} more not listed)" if n_within > n_shown else ""
        return (
            f"{label}: {n_within} service{'s' if n_within != 1 else ''} within reach "
            f"({reach}){more}.{anywhere}"
        )
    if nearest is None:
        none = (
            f"{label}: no active in-person or outreach service for a child aged {age} "
            "anywhere in the directory."
        )
        return none + (anywhere or " No online or phone service either.")
    how_far = _distance_text(nearest["distance"], unit)
    outreach = (
        f" (an outreach service: it comes up to {_distance_text(extra, unit)} towards families)"
        if nearest["delivery"] == "outreach"
        else ""
    )
    return (
        f"{label}: NO service within reach ({reach}) for a child aged {age}. The nearest "
        f"is {nearest['name']}, {how_far} away{outreach}.{anywhere}"
    )


# --------------------------------------------------------------------------------------
# Output: terminal table, CSV, JSON
# --------------------------------------------------------------------------------------


def check_format(name: str) -> str:
    """Refuse an output format that is not one of :data:`OFFER_FORMATS`."""
    if name not in OFFER_FORMATS:
        raise InputError(
            f"offer: unknown --format '{name}'{did_you_mean(name, OFFER_FORMATS)}; "
            f"choose one of: {', '.join(OFFER_FORMATS)}"
        )
    return name


def offer_to_csv(offer: Offer) -> str:
    """The listed services as CSV text (:data:`OFFER_COLUMNS`), one row per need and
    service; distances in ``unit`` (empty for services available anywhere)."""
    buffer = io.StringIO()
    spreadsheet_safe(offer.services).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def offer_to_json(offer: Offer) -> str:
    """The whole offer as JSON: the location, each need with its message and services
    (``within_reach`` first, then by distance) and those available anywhere."""
    place = offer.place
    needs = []
    for key, row in offer.needs.iterrows():
        listed = offer.services[offer.services["need"] == key]
        local = listed[~listed["available_anywhere"].astype(bool)]
        remote = listed[listed["available_anywhere"].astype(bool)]
        needs.append(
            {
                "need": key,
                "label": row["label"],
                "reach_threshold": row["reach_threshold"],
                "unit": row["unit"],
                "within_reach": int(row["within_reach"]),
                "message": row["message"],
                "nearest": None
                if row["nearest_id"] is None
                else {
                    "service_id": row["nearest_id"],
                    "name": row["nearest_name"],
                    "distance": _plain(row["nearest_distance"]),
                },
                "services": _records(local.drop(columns=["need", "need_label"])),
                "available_anywhere": _records(
                    remote.drop(
                        columns=[
                            "need",
                            "need_label",
                            "distance",
                            "effective_distance",
                            "within_reach",
                        ]
                    )
                ),
            }
        )
    data = {
        "location": {
            "postcode": place.postcode,
            "terminated": place.terminated,
            "easting": round(place.x, 1),
            "northing": round(place.y, 1),
            "rural_urban": place.rural_urban,
        },
        "age": offer.age,
        "distance": offer.params,
        "needs": needs,
        "notes": list(offer.notes),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: _plain(v) for k, v in rec.items()})
    return out


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else round(float(value), 1)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def print_offer(offer: Offer, console: Any) -> None:
    """Print the offer as rich tables, one per need, on ``console`` (a rich Console).

    Every piece of directory text is passed as a :class:`rich.text.Text`, which rich
    never reads as markup, so a service called ``"[bold]Tots[/]"`` shows as written.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    def t(value: Any, style: str = "") -> Text:
        return Text(plain_text(value), style=style)

    place = offer.place
    where = f"postcode {place.postcode}" if place.postcode else "the location given"
    ru = place.rural_urban or "unclassified (urban thresholds used)"
    console.print(t(f"Early help for a child aged {offer.age} near {where} ({ru} area)", "bold"))
    for note in offer.notes:
        console.print(t(f"Note: {note}", "yellow"))
    unit = offer.params["unit"]
    for key, need in offer.needs.iterrows():
        listed = offer.services[offer.services["need"] == key]
        console.print()
        console.print(t(f"{need['label']} ({key})", "bold underline"))
        console.print(t(need["message"], "" if need["within_reach"] else "bold red"))
        if listed.empty:
            continue
        table = Table(box=box.SIMPLE_HEAD, show_lines=False)
        for header in ("#", "Service", "Ages", "How", "Distance", "In reach"):
            table.add_column(header, no_wrap=header in ("#", "Ages", "Distance"))
        table.add_column("Opening times")
        table.add_column("Contact", overflow="fold")
        remote_started = False
        for _, row in listed.iterrows():
            anywhere = bool(row["available_anywhere"])
            if anywhere and not remote_started:
                table.add_section()
                remote_started = True
            name = Text(plain_text(row["name"]), style="bold")
            if plain_text(row["provider"]):
                name.append("\n" + plain_text(row["provider"]), style="dim")
            reach = (
                t("anywhere")
                if anywhere
                else t("yes", "green")
                if row["within_reach"]
                else t("no", "red")
            )
            table.add_row(
                t(row["rank"]),
                name,
                t(f"{row['min_age']:g}-{row['max_age']:g}"),
                t(str(row["delivery"]).replace("_", " ")),
                t("" if anywhere else _distance_text(row["distance"], unit)),
                reach,
                t(row["opening_times"]),
                t(row["contact"]),
            )
        console.print(table)
