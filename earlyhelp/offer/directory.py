"""The directory the offer finder reads, and where the family lives.

:func:`load_directory` reads the services, centres, postcodes and small areas named in the
configuration. :func:`locate` places a family from a postcode, latitude and longitude, or
easting and northing, in the analysis CRS, with the small area it falls in (whose
rural/urban class sets the reach threshold).

Privacy
    Nothing about the family is written to disk or logged. :func:`load_directory` reads
    only the configuration, services, centres, postcodes and small areas (for the
    rural/urban class that sets the reach threshold), never the need data, and writes
    nothing: no run folder, no cache.
"""

from __future__ import annotations

__all__ = ["Directory", "Place", "load_directory", "locate"]

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import Point

from earlyhelp.config import Config
from earlyhelp.distance import DistanceModel, make_distance_model
from earlyhelp.errors import InputError
from earlyhelp.geography import normalise_postcode
from earlyhelp.loading import load_inputs
from earlyhelp.offer.words import (
    OUTSIDE_NOTE,
    check_location,
    no_postcode_lookup,
    not_a_postcode,
    terminated_note,
    unknown_postcode,
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
    kind = check_location(postcode=postcode, lat=lat, lon=lon, easting=easting, northing=northing)
    notes: list[str] = []
    terminated = False
    code: str | None = None
    if kind == "postcode":
        code, x, y, terminated = _from_postcode(directory, str(postcode))
        if terminated:
            notes.append(terminated_note(code))
    elif kind == "latlon":
        x, y = _project(float(lon), float(lat), "EPSG:4326", cfg.run.crs)  # type: ignore[arg-type]
    else:
        x, y = _project(float(easting), float(northing), "EPSG:27700", cfg.run.crs)  # type: ignore[arg-type]
    area_code, rural_urban = _area_at(directory.areas, x, y)
    if area_code is None:
        notes.append(OUTSIDE_NOTE)
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
        raise InputError(not_a_postcode(text))
    if directory.postcodes is None:
        raise InputError(no_postcode_lookup(cfg.postcodes.path))
    if code not in directory.postcodes.index:
        raise InputError(unknown_postcode(code, cfg.postcodes.path))
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
