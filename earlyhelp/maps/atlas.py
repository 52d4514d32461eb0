"""The board map of a large county: an overview of its districts and one page each.

A map of every small area of a region or of England is too large for a browser (100 MB
and more). Above ``[map] overview_above_areas`` small areas the board map becomes an
*atlas*:

- :func:`overview_page` (``index.html``): the districts, drawn light and coloured by the
  share of children with the full core range of help, each linking to its own page,
  with a table of the published district summary beside it. It shows only what
  ``tables/district_summary.csv`` publishes, cell for cell as published, so it
  discloses nothing new.
- :func:`district_pages` (``district-<code>.html``): the board map of each district's
  areas (the same values and the same county-wide colour classes as one county map
  would show) with the services within ``border_m`` of it.

Every page is self-contained and works offline. The pages are drawn from shapes, area
features and service rows made once for the whole county, so the cost of a page is
only its own data.
"""

from __future__ import annotations

__all__ = ["district_pages", "overview_page"]

import gc
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from earlyhelp.config import CategoryConfig, DisclosureConfig, MapConfig
from earlyhelp.forking import can_fork, die_with_parent
from earlyhelp.maps.assets import asset_table
from earlyhelp.maps.board import (
    Parts,
    _area_features,
    _area_texts,
    _build,
    _check_areas,
    _check_config,
    _classes,
    _reach_shapes,
    _Shapes,
    _subset,
    save_map,
)
from earlyhelp.maps.classes import Classes, MapLayer
from earlyhelp.maps.safety import district_files, escape_text, script_json
from earlyhelp.maps.search import PlaceIndex
from earlyhelp.maps.services import (
    ServiceCells,
    ServiceRows,
    located,
    service_cells,
    service_groups,
    status_of,
)
from earlyhelp.maps.shapes import simplify_coverage, to_display, union_by
from earlyhelp.outputs import atomic_path

_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
# the overview's districts are drawn light: simplified to this many metres at least
OVERVIEW_SIMPLIFY_M = 500.0


def district_pages(
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    out_dir: str | Path,
    layers: Sequence[MapLayer],
    categories: Mapping[str, CategoryConfig],
    map_cfg: MapConfig,
    title: str,
    subtitle: str,
    data_date: str,
    details: Mapping[str, str] | None = None,
    disclosure: DisclosureConfig | None = None,
    border_m: float = 2000.0,
    places: Sequence[dict[str, Any]] = (),
    attribution: str = "",
    self_contained: bool | None = None,
    workers: int | None = None,
) -> dict[str, Path]:
    """Write one self-contained board map per district into ``out_dir``
    (``district-<code>.html``); return district code -> file.

    Each page shows its district's areas, coloured by the classes of the whole county (so
    a colour means the same on every page), and the services within ``border_m`` metres
    of the district (families cross boundaries), the gazetteer's ``places`` near it and
    the ``attribution`` every published map credits. The areas are simplified,
    classified and their texts escaped once, and the services' texts escaped once (a
    children's centre's reach counts the county's areas); each page only cuts its share,
    and each process writing pages makes a service's row once. The pages are written by
    ``workers`` processes (default: up to 2, one per core, where the system can fork; 1
    writes them here). ``self_contained`` defaults to ``map_cfg.self_contained``.
    """
    disclosure = disclosure or DisclosureConfig()
    details = dict(details or {})
    _check_config(map_cfg)
    _check_areas(areas, layers, details)
    files = district_files(areas["district_code"])
    if services.crs is not None and services.crs != areas.crs:
        services = services.to_crs(areas.crs)
    (simple, display), classes, groups, cells = _county(areas, services, layers, categories,
                                                        map_cfg, disclosure)  # fmt: skip
    shown = services[located(services).to_numpy() & (status_of(services) != "closed").to_numpy()]
    codes = areas["district_code"].astype("string").fillna("").to_numpy()
    outlines = union_by(simple, pd.Series(codes, index=areas.index))
    reach = _reach_shapes(simple, shown)
    job = _Job(
        areas=gpd.GeoDataFrame(areas[["area_name"]], geometry=areas.geometry, crs=areas.crs),
        codes=codes,
        simple=simple,
        display=display,
        area_texts=_area_texts(areas, details),
        classes=classes,
        texts={col: np.array(c.text, dtype=object) for col, c in classes.items()},
        drawn=_Drawn.of(outlines, reach, border_m=border_m, crs=areas.crs),
        names=areas.groupby(codes, sort=False)["district_name"].first(),
        shown=shown,
        near=_near(shown, outlines, border_m),
        reach=reach,
        groups=groups,
        cells=cells,
        made={},
        places=PlaceIndex(places, areas.crs),
        border_m=border_m,
        files={code: Path(out_dir) / name for code, name in files.items()},
        self_contained=map_cfg.self_contained if self_contained is None else self_contained,
        build={
            "layers": list(layers),
            "categories": categories,
            "map_cfg": map_cfg,
            "subtitle": subtitle,
            "data_date": data_date,
            "districts": None,
            "details": details,
            "disclosure": disclosure,
            "attribution": attribution,
        },
        title=title,
    )
    todo = [str(code) for code in outlines.index if code]
    return dict(_write_pages(job, todo, workers=_workers(workers, len(todo))))


def _county(
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    layers: Sequence[MapLayer],
    categories: Mapping[str, CategoryConfig],
    map_cfg: MapConfig,
    disclosure: DisclosureConfig,
) -> tuple[
    tuple[gpd.GeoSeries, gpd.GeoSeries],
    dict[str, Classes],
    list[tuple[str, CategoryConfig]],
    ServiceCells,
]:
    """What every page is cut from: the county's shapes simplified as one coverage and
    in degrees to draw (in a thread: GEOS and PROJ let go of Python meanwhile), its
    colour classes, and the category groups of its services and the cells their rows
    are made from (each page makes the rows it needs, in the process writing it)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        shaping = pool.submit(_shapes, areas.geometry, map_cfg.simplify_m)
        classes = _classes(areas, layers, map_cfg, disclosure)  # county-wide classes
        groups = service_groups(services, categories)
        cells = service_cells(services, groups=groups, areas=areas["area_name"])
        return shaping.result(), classes, groups, cells


def _shapes(geoms: gpd.GeoSeries, simplify_m: float) -> tuple[gpd.GeoSeries, gpd.GeoSeries]:
    """The shapes simplified as one coverage, and those in degrees to draw (each shape's
    display is its own: a page's share of them is what the page would make of its
    own)."""
    simple = simplify_coverage(geoms, tolerance_m=simplify_m)
    return simple, to_display(simple)


@dataclass(frozen=True)
class _Drawn:
    """The districts' outlines and label points and the centres' reach areas in degrees
    to draw, and the box (degrees: west, south, east, north) of each district with its
    border, where its page finds places: made for all at once, each page takes its own
    (each shape's display is its own, so the same as a page would make of it)."""

    outlines: gpd.GeoSeries
    labels: gpd.GeoSeries
    reach: gpd.GeoSeries
    boxes: pd.DataFrame

    @classmethod
    def of(cls, outlines: gpd.GeoSeries, reach: gpd.GeoSeries, *, border_m: float, crs: Any):
        around = gpd.GeoSeries(outlines.buffer(border_m), index=outlines.index, crs=crs)
        return cls(
            outlines=to_display(outlines),
            labels=to_display(outlines.representative_point()),
            reach=to_display(reach) if len(reach) else reach,
            boxes=around.to_crs("EPSG:4326").bounds,
        )


@dataclass(frozen=True)
class _Job:
    """Everything the district pages are cut from, made once for the county."""

    areas: gpd.GeoDataFrame  # the areas' names and shapes (all a page reads of them)
    codes: np.ndarray  # district code of each area ("" where none)
    simple: gpd.GeoSeries  # the areas' shapes, simplified as one coverage
    display: gpd.GeoSeries  # the same, in degrees to draw (to_display)
    area_texts: dict[str, np.ndarray]  # the areas' escaped texts (board._area_texts)
    classes: dict[str, Classes]
    texts: dict[str, np.ndarray]
    drawn: _Drawn  # the outlines, their labels, the reach areas, in degrees
    names: pd.Series
    shown: gpd.GeoDataFrame
    near: dict
    reach: gpd.GeoSeries
    groups: list[tuple[str, CategoryConfig]]
    cells: ServiceCells  # what the services' rows are made from
    # service position -> its encoded row, groups and search key, as made by this process
    made: dict[int, tuple[str, tuple[int, ...], str]]
    places: PlaceIndex
    border_m: float
    files: dict[str, Path]
    self_contained: bool
    build: dict[str, Any]
    title: str


def _page(job: _Job, code: str) -> tuple[str, Path]:
    """Write one district's page; return its code and file."""
    mine = job.near.get(code, np.zeros(0, dtype=int))
    at = np.flatnonzero(job.codes == code)  # the district's areas, by position
    classes = {col: _subset(c, at, job.texts[col]) for col, c in job.classes.items()}
    areas, display = job.areas.iloc[at], job.display.iloc[at]
    texts = {col: values[at] for col, values in job.area_texts.items()}
    features = _area_features(areas, display, job.build["layers"], classes, job.build["details"],
                              texts=texts)  # fmt: skip
    parts = _page_parts(code, drawn=job.drawn, names=job.names, area_shapes=display,
                        features=features, shown=job.shown, mine=mine, reach=job.reach,
                        groups=job.groups, rows=_rows(job, mine))  # fmt: skip
    m = _build(
        areas,
        job.shown.iloc[:0],  # its services are in parts (their rows): only the CRS is read
        classes=classes,
        title=f"{job.title}: {job.names[code]}",
        parts=parts,
        places=job.places.inside(*job.drawn.boxes.loc[code]),
        **job.build,
    )
    return code, save_map(m, job.files[code], self_contained=job.self_contained)


_JOB: list[_Job] = []  # a page-writing process's job, set once as the process starts


def _start_worker(job: _Job) -> None:
    die_with_parent()  # a killed run leaves no worker writing pages
    _JOB.append(job)


def _page_in_worker(code: str) -> tuple[str, Path]:
    return _page(_JOB[0], code)


def _workers(asked: int | None, pages: int) -> int:
    """Processes to write ``pages`` pages with: as asked, else 2 where processes are
    forked (:func:`~earlyhelp.forking.can_fork`: Linux with a second core; they
    inherit the job, nothing is copied), else 1."""
    if asked is not None:
        return max(1, min(asked, pages))
    if not can_fork() or pages < 4:
        return 1
    return min(2, pages)


def _write_pages(job: _Job, codes: list[str], *, workers: int) -> list[tuple[str, Path]]:
    """Every district's page, written here or by ``workers`` forked processes (each
    inherits ``job`` and the texts inlined into a self-contained page; only district codes
    and file paths pass between them)."""
    if workers <= 1:
        return [_page(job, code) for code in codes]
    context = multiprocessing.get_context("fork")
    if job.self_contained:  # read once, here (the county's own page needs it too): inherited
        asset_table()
    gc.freeze()  # the workers' collectors leave the job alone: it stays shared, not copied
    try:
        pool = context.Pool(workers, initializer=_start_worker, initargs=(job,))
    finally:
        gc.unfreeze()
    with pool:
        return pool.map(_page_in_worker, codes, chunksize=max(1, len(codes) // (8 * workers)))


def _page_parts(
    code: str,
    *,
    drawn: _Drawn,
    names: pd.Series,
    area_shapes: gpd.GeoSeries,
    features: list[dict],
    shown: gpd.GeoDataFrame,
    mine: np.ndarray,
    reach: gpd.GeoSeries,
    groups: list[tuple[str, CategoryConfig]],
    rows: ServiceRows,
) -> Parts:
    """What one district's page draws, cut from what was made once for the county:
    its areas' shapes and features (``area_shapes``, ``features``), its outline and
    label (of ``drawn``), and the services at positions ``mine`` of ``shown`` with
    their reach areas (of ``reach``) and their rows (``rows``, :func:`_rows`)."""
    centres = reach.index.intersection(shown.index[mine])
    return Parts(
        shapes=_Shapes(
            areas=area_shapes,
            districts=drawn.outlines.loc[[code]],
            district_names=names.reindex([code]),
            labels=drawn.labels.loc[[code]],
            reach=drawn.reach.loc[centres] if len(centres) else reach.iloc[:0],
        ),
        features=features,
        groups=groups,
        rows=rows,
    )


def _rows(job: _Job, mine: np.ndarray) -> ServiceRows:
    """The rows of the services at positions ``mine``, each made (and encoded) once in
    this process: a service near several districts is on each of their pages."""
    made = job.made
    todo = [i for i in dict.fromkeys(mine.tolist()) if i not in made]
    if todo:
        fresh = job.cells.rows(np.array(todo, dtype=int))
        parts = zip(fresh.encoded, fresh.kinds, fresh.search_keys, strict=True)
        made.update(zip(todo, parts, strict=True))
    ordered = [made[i] for i in mine.tolist()]
    return ServiceRows(
        encoded=[p[0] for p in ordered],
        kinds=[p[1] for p in ordered],
        search_keys=[p[2] for p in ordered],
        closed=job.cells.closed,
        unplaced=job.cells.unplaced,
    )


def _near(services: gpd.GeoDataFrame, outlines: gpd.GeoSeries, border_m: float) -> dict:
    """District code -> positions of the services within ``border_m`` of the district."""
    if not len(services):
        return {}
    tree = shapely.STRtree(np.asarray(services.geometry.values))
    district, service = tree.query(
        np.asarray(outlines.values), predicate="dwithin", distance=border_m
    )
    order = np.lexsort((service, district))
    district, service = district[order], service[order]
    cuts = np.flatnonzero(np.diff(district)) + 1
    return {
        outlines.index[d[0]]: s
        for d, s in zip(np.split(district, cuts), np.split(service, cuts), strict=True)
        if len(d)
    }


def overview_page(
    districts: gpd.GeoDataFrame,
    summary: pd.DataFrame | None,
    links: Mapping[str, str],
    path: Path,
    *,
    title: str,
    subtitle: str,
    data_date: str,
    simplify_m: float = OVERVIEW_SIMPLIFY_M,
    colour_by: str = "pct_full_core_range",
    attribution: str = "",
) -> Path:
    """Write the overview (``index.html``): ``districts`` (index ``district_code``,
    ``district_name``, polygons in a projected CRS) drawn light, each linking to
    ``links[code]``, beside ``summary``, the published district summary (every cell
    text, as its CSV holds it; None: names only). The districts are coloured by the
    published ``colour_by`` column where it is a number; anything else (a hidden value)
    is grey. ``attribution`` (escaped HTML:
    sources and licence) is shown below the table.
    """
    shapes = gpd.GeoSeries(
        shapely.simplify(np.asarray(districts.geometry.values), simplify_m),
        index=districts.index,
        crs=districts.crs,
    )
    shapes = to_display(shapes)
    rows = summary.set_index("district_code") if summary is not None else None
    value = (
        pd.to_numeric(rows[colour_by], errors="coerce").reindex(districts.index)
        if rows is not None and colour_by in rows
        else pd.Series(np.nan, index=districts.index)
    )
    edges = np.nanquantile(value, [0.2, 0.4, 0.6, 0.8]) if value.notna().any() else []
    features = []
    for code, geom in zip(districts.index, shapes.to_numpy(), strict=True):
        v = value.get(code)
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
                "properties": {
                    "name": escape_text(districts.loc[code, "district_name"], max_chars=120),
                    "href": escape_text(links.get(str(code), "")),
                    "c": -1 if pd.isna(v) else int(np.searchsorted(edges, v, side="right")),
                },
            }
        )
    html = _overview_html(
        features, rows, links, title=title, subtitle=subtitle, data_date=data_date
    ).replace("</main>", f"<footer><p>{attribution}</p></footer></main>", 1)
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(path)


_COLOURS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]  # share with full range


def _overview_html(
    features: list[dict],
    rows: pd.DataFrame | None,
    links: Mapping[str, str],
    *,
    title: str,
    subtitle: str,
    data_date: str,
) -> str:
    assets = asset_table()
    table = _summary_table(rows, links)
    head = escape_text(title, max_chars=200)
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{head}</title>
<!-- {escape_text("Leaflet 1.9.3, (c) Volodymyr Agafonkin and CloudMade, BSD-2-Clause")} -->
<style>{assets[_LEAFLET_CSS]}</style>
<script>{assets[_LEAFLET_JS]}</script>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; }}
header, main {{ padding: 0.5rem 1rem; }}
h1 {{ font-size: 1.4rem; margin: 0.2rem 0; }}
#eh-overview {{ height: 60vh; min-height: 320px; background: #fff; }}
table {{ border-collapse: collapse; font-size: 0.85rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.2rem 0.4rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
</style></head>
<body>
<header><h1>{head}</h1><p>{escape_text(subtitle, max_chars=300)}</p>
<p>Data as at {escape_text(data_date) or "not given"}. Too many small areas to draw on one
page: choose a district on the map or in the table for its own map of every small area.
Districts are coloured by the share of children with the full core range of help within
reach (darker: more); grey where the share is not published. The figures are those of
tables/district_summary.csv, as published.</p></header>
<div id="eh-overview" role="region" aria-label="Map of the districts"></div>
<main><h2>Districts</h2>{table}</main>
<script>
(function () {{
  var data = {script_json({"type": "FeatureCollection", "features": features})};
  var colours = {script_json(_COLOURS)};
  var map = L.map("eh-overview", {{preferCanvas: false, zoomControl: true}});
  var layer = L.geoJSON(data, {{
    style: function (f) {{
      var c = f.properties.c;
      return {{weight: 1, color: "#555", fillOpacity: 0.6,
               fillColor: c < 0 ? "#bdbdbd" : colours[c]}};
    }},
    onEachFeature: function (f, l) {{
      l.bindTooltip(f.properties.name);
      if (f.properties.href) {{
        l.on("click", function () {{ window.location.href = f.properties.href; }});
      }}
    }}
  }}).addTo(map);
  map.fitBounds(layer.getBounds());
  window.earlyhelp = window.earlyhelp || {{}};
  requestAnimationFrame(function () {{ requestAnimationFrame(function () {{
    window.earlyhelp.drawnMs = performance.now();
    window.earlyhelp.ready = true;
  }}); }});
}})();
</script></body></html>
"""


def _summary_table(rows: pd.DataFrame | None, links: Mapping[str, str]) -> str:
    """The published district summary as an HTML table, each name linking to its page."""
    from earlyhelp.outputs import header_with_unit

    if rows is None:
        items = "".join(
            f'<li><a href="{escape_text(href)}">{escape_text(code)}</a></li>'
            for code, href in links.items()
        )
        return f"<ul>{items}</ul>"
    columns = [c for c in rows.columns if c != "district_name"]
    head = "".join(f"<th>{escape_text(header_with_unit(c))}</th>" for c in columns)
    body = []
    for code, row in rows.iterrows():
        name = escape_text(row.get("district_name", code), max_chars=120)
        href = links.get(str(code))
        cell = f'<a href="{escape_text(href)}">{name}</a>' if href else name
        values = "".join(f"<td>{escape_text(row[c])}</td>" for c in columns)
        body.append(f"<tr><td>{cell}</td>{values}</tr>")
    return (
        f"<table><thead><tr><th>District</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
