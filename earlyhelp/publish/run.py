"""The run folder: what ``earlyhelp run`` (and ``access`` and ``gaps``) publish.

:func:`run_product` turns an :class:`~earlyhelp.assessment.Assessment` into a
:class:`~earlyhelp.publish.folder.Product`: ``results.gpkg`` (areas with every measure,
services, districts), ``tables/*.csv``, ``commissioners.xlsx``, ``validation.csv``, and
with sufficiency and drawing the board map(s) and ``report.html``.
:func:`read_run_comparison` reads a finished run's district tables back.
"""

from __future__ import annotations

__all__ = [
    "LARGE_WORKBOOK",
    "WORKBOOK",
    "board_map_page",
    "draw_ahead",
    "map_files",
    "read_run_comparison",
    "report_page",
    "run_product",
    "unknown_lines",
]

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.columns import PUBLISHED_CHILDREN, prefixed
from earlyhelp.config import Config
from earlyhelp.disclosure import mark_unpublished
from earlyhelp.errors import InputError
from earlyhelp.forking import Beside, stop_all
from earlyhelp.geography import dissolve_districts
from earlyhelp.need import AGE_BANDS
from earlyhelp.outputs import comparison_as_analysed
from earlyhelp.publish.folder import (
    Page,
    Product,
    columnar_output,
    find_table,
    input_records,
    related_sections,
    shown_table,
)
from earlyhelp.publish.hubs import HUB_TABLES
from earlyhelp.publish.tables import RunPublication, run_publication

# The commissioners' workbook: the tables a commissioner reads, in this order (the long
# access table and the need index stay in CSV and the GeoPackage).
WORKBOOK = (
    "district_summary",
    "kinds_of_help",
    "district_comparison",
    "resourcing",
    "range_of_help",
    "gaps",
    "funnel",
    "hub_core_offer",
    "hub_reach_under5",
    "early_years_places",
)
# ... and of a large run (tables in Parquet): the county and district tables only. Tables
# of every small area stay in tables/ and results/: at England scale they are millions of
# cells no one reads in Excel.
LARGE_WORKBOOK = (
    "district_summary",
    "kinds_of_help",
    "district_comparison",
    "resourcing",
    "funnel",
)


def run_product(assessment: Assessment, *, draw: bool = True, command: str = "run") -> Product:
    """Everything a run writes. With ``draw`` (and sufficiency assessed) also the board
    map (``index.html``, district maps when configured) and the board report. A large
    run's offer index is begun first, beside this process (it reads the inputs alone),
    while the tables are audited."""
    inputs = assessment.inputs
    large = columnar_output(assessment.config, len(assessment.areas))
    writers: tuple[Page, ...] = ()
    ahead: tuple[Beside[Any], ...] = ()
    if command == "run" and not inputs.services.empty:  # what `earlyhelp offer` answers from
        writer, ahead = _offer_index(assessment, ahead=large)
        writers = (writer,)
    try:
        return _run_product(assessment, draw=draw, command=command, writers=writers,
                            ahead=ahead)  # fmt: skip
    except BaseException:
        stop_all(list(ahead))
        raise


def _run_product(
    assessment: Assessment,
    *,
    draw: bool,
    command: str,
    writers: tuple[Page, ...],
    ahead: tuple[Beside[Any], ...],
) -> Product:
    published = run_publication(assessment) if assessment.sufficiency is not None else None
    tables = _tables(assessment, published)
    layers = _layers(assessment, published)
    pages: tuple[Page, ...] = ()
    if draw and published is not None:
        areas = layers["areas"].set_index("area_code")
        services = layers["services"].set_index("service_id")
        unit = assessment.access.params["unit"]
        maps = map_files(areas, assessment.config)
        pages = (
            board_map_page(
                areas,
                services,
                assessment.config,
                cost_unit=unit,
                district_summary=shown_table(
                    published.table("district_summary"), "district_summary", unit
                ),
                files=maps,
                districts=layers["districts"].set_index("district_code"),
                postcodes=assessment.inputs.postcodes,
            ),
            report_page(assessment, published=published, map_links=maps),
        )
    if pages:  # the board map's process, forked soon, inherits the shapes made ahead
        from earlyhelp.maps.shapes import finish_early  # (drawn here, it would wait too)

        finish_early()
    inputs = assessment.inputs
    return Product(
        command=command,
        cfg=assessment.config,
        inputs=input_records(inputs),
        tables=tables,
        layers=layers,
        workbook=_workbook(tables, large=columnar_output(assessment.config, len(assessment.areas))),
        pages=pages,
        writers=writers,
        ahead=ahead,
        files={"validation.csv": (inputs.report.to_frame(), "every problem found in the inputs")},
        sections=_sections(assessment, published),
    )


def draw_ahead(cfg: Config, areas: pd.DataFrame) -> None:
    """Start what the board map needs from the inputs alone, in a background thread, as
    soon as they are loaded: the study area's shapes simplified as one coverage (GEOS
    works outside Python's lock, so it runs beside the analysis on a second core; the
    map takes the result, or simplifies itself when given other shapes)."""
    from earlyhelp.geography import study_area
    from earlyhelp.maps.shapes import simplify_coverage_early

    study = study_area(areas, cfg.run.districts)
    simplify_coverage_early(study.geometry, tolerance_m=cfg.map.simplify_m)


def map_files(areas: pd.DataFrame, cfg: Config) -> dict[str, str]:
    """The files the board map of ``areas`` is drawn into: ``{"county": "index.html",
    <district code>: "district-<code>.html", ...}``, the district pages when configured
    (``[map] district_maps``) or when the county is drawn as an overview and a page per
    district (more than ``[map] overview_above_areas`` small areas). The report links
    these while the maps are being drawn; the board map's page checks it drew them."""
    from earlyhelp.maps.safety import district_files
    from earlyhelp.publish.report.content import COUNTY_LINK

    files = {COUNTY_LINK: "index.html"}
    if cfg.map.district_maps or 0 < cfg.map.overview_above_areas < len(areas):
        files.update(district_files(areas["district_code"]))
    return files


def board_map_page(
    areas: pd.DataFrame,
    services: pd.DataFrame,
    cfg: Config,
    *,
    cost_unit: str,
    district_summary: pd.DataFrame | None = None,
    files: dict[str, str] | None = None,
    districts: pd.DataFrame | None = None,
    postcodes: pd.DataFrame | None = None,
) -> Page:
    """The board map (``index.html``) and, when configured, one map per district, drawn
    from the run's ``areas`` and ``services`` layers; ``cost_unit`` is the model's unit.
    ``district_summary`` is the published district summary a large county's overview
    shows; ``files``, the files it is to draw (:func:`map_files`): drawing others is a
    fault, raised. ``districts`` (the run's districts layer, index ``district_code``)
    and ``postcodes`` (the lookup the run loaded) spare the map making or reading them
    again."""

    def draw(folder: Path) -> dict[str, str]:
        from earlyhelp.publish.maps import write_run_maps  # folium only when drawing

        paths = write_run_maps(
            areas,
            services,
            cfg,
            folder,
            cost_unit=cost_unit,
            district_summary=district_summary,
            districts=districts,
            postcodes=postcodes,
        )
        drawn = {str(key): path.name for key, path in paths.items()}
        if files is not None and drawn != files:
            missing, extra = sorted(set(files) - set(drawn)), sorted(set(drawn) - set(files))
            raise AssertionError(f"board map: drew {extra} beyond the plan, not {missing}")
        return {
            path.name: "published: the board map, small numbers suppressed"
            if key == "county"
            else "published: a district map, small numbers suppressed"
            for key, path in paths.items()
        }

    return draw


def report_page(
    assessment: Assessment,
    *,
    notes: Sequence[str] = (),
    published: RunPublication | None = None,
    map_links: dict[str, str] | None = None,
) -> Page:
    """The board report (``report.html``), linking the maps (``map_links``, the files
    :func:`map_files` plans for a run; by default those already in the folder) and
    showing the siting and scenario products made for this run (beside the folder);
    its tables are those of ``published`` (default: :func:`run_publication`)."""

    def draw(folder: Path) -> dict[str, str]:
        from earlyhelp.publish.report import map_links_in, write_report  # jinja2 late

        codes = pd.unique(assessment.areas["district_code"].astype("string").dropna())
        links = map_links_in(folder, list(codes)) if map_links is None else map_links
        sections, stale = related_sections(
            folder, cfg=assessment.config, inputs=assessment.inputs.records
        )
        write_report(
            assessment,
            folder / "report.html",
            map_links=links,
            sections=sections,
            notes=[*notes, *stale],
            published=published,
        )
        return {"report.html": "published: the board report, small numbers suppressed"}

    return draw


def _offer_index(assessment: Assessment, *, ahead: bool) -> tuple[Page, tuple[Beside[Any], ...]]:
    """The offer index page (``offer_index/``) of the run's directory, and, ``ahead``,
    the process beside this one already making its arrays."""
    from earlyhelp.offer import Directory
    from earlyhelp.publish.offer import make_ahead, offer_index_page

    inputs = assessment.inputs
    directory = Directory(
        config=assessment.config,
        services=inputs.services,
        areas=inputs.areas,
        postcodes=inputs.postcodes,
        model=assessment.model,
    )
    if not ahead:
        return offer_index_page(directory), ()
    arrays = make_ahead(directory)
    return offer_index_page(directory, arrays=arrays), (arrays,)


def _layers(assessment: Assessment, published: RunPublication | None) -> dict[str, pd.DataFrame]:
    """The GeoPackage layers: every area with every measure (and ``children_published``,
    the children 0-19 the maps show), services, districts."""
    inputs, suff = assessment.inputs, assessment.sufficiency
    access = assessment.access
    study = assessment.areas
    areas = (
        study.join(inputs.need, how="left")
        .join(access.wide)
        .join(prefixed(access.nearest_service, "nearest_id"))
    )
    districts = dissolve_districts(study)  # a coverage union: seconds, not minutes, for England
    if suff is not None:
        areas = areas.join(suff.need_index)
        for column in ("state", "priority"):
            wide = suff.gaps.pivot(index="area_code", columns="category", values=column)
            areas = areas.join(prefixed(wide, column))
        areas = areas.join(suff.range)
        districts = districts.join(suff.summary.drop(columns="district_name"))
    if published is not None:
        areas = areas.join(published.area_children.rename(PUBLISHED_CHILDREN))
        areas = areas.join(published.hub_columns)
    return {
        "areas": areas.reset_index(),
        "services": inputs.services.reset_index(),
        "districts": districts.reset_index(),
    }


def _tables(assessment: Assessment, published: RunPublication | None) -> dict[str, pd.DataFrame]:
    """Every CSV table of the run. Only suppressed (and audited) tables are publishable."""
    suff = assessment.sufficiency
    access = {
        "access": mark_unpublished(assessment.access.tidy),
        "remote_services": mark_unpublished(assessment.access.remote_services),
    }
    if suff is None or published is None:
        return access
    analyst = {
        "gaps": suff.gaps,
        "range_of_help": suff.range.reset_index(),
        "district_comparison": suff.districts,
        "funnel": suff.funnel,
        # the county's row is "County", as in the district summary (they join on it)
        "resourcing": suff.resourcing.rename(index={"county": "County"}).reset_index(),
        "need_index": suff.need_index.reset_index(),
    }
    out = {
        "district_summary": published.table("district_summary"),
        "kinds_of_help": published.table("kinds_of_help"),
        **{name: published.table(name) for name in HUB_TABLES if name in published.pub.tables},
        **access,
    }
    out.update({name: mark_unpublished(frame) for name, frame in analyst.items()})
    return out


def _workbook(tables: dict[str, pd.DataFrame], *, large: bool) -> dict[str, pd.DataFrame]:
    """The commissioners' sheets (:data:`WORKBOOK`; of a ``large`` run,
    :data:`LARGE_WORKBOOK`); the gaps sheet holds only the areas with a gap (every row is
    in the gaps table), the kinds of help sheet names each by its label."""
    sheets = {k: tables[k] for k in (LARGE_WORKBOOK if large else WORKBOOK) if k in tables}
    if "kinds_of_help" in sheets and "label" in sheets["kinds_of_help"]:
        # the sheet names each kind of help by its label already (not its key)
        kinds = sheets["kinds_of_help"]
        sheets["kinds_of_help"] = kinds.drop(columns="label")
        sheets["kinds_of_help"].attrs = dict(kinds.attrs)
    if "gaps" in sheets:
        gaps = sheets["gaps"]
        sheets["gaps"] = mark_unpublished(gaps[gaps["priority"] != "no gap"])
    return sheets


def _sections(assessment: Assessment, published: RunPublication | None) -> dict[str, object]:
    """The run's own parts of the manifest: validation, access notes, counts, and the
    disclosure audit of everything published."""
    inputs = assessment.inputs
    audit = {} if published is None else {"disclosure_audit": published.manifest()}
    return {
        **audit,
        "validation": {
            "errors": len(inputs.report.errors),
            "warnings": len(inputs.report.warnings),
        },
        "access": {
            "notes": list(assessment.access.notes),
            "eligibility": assessment.access.eligibility.reset_index().to_dict("records"),
            **assessment.access.params,
        },
        "counts": {
            "areas": len(assessment.areas),
            "areas_read": len(inputs.areas),
            "districts": int(assessment.areas["district_code"].nunique()),
            "services": len(inputs.services),
            "children_0_19": float(
                np.nansum(inputs.need.reindex(assessment.areas.index)[list(AGE_BANDS)])
            ),
        },
    }


def unknown_lines(assessment: Assessment) -> list[str]:
    """What the run could not judge, for its last lines on the terminal (an analyst view:
    counts are not suppressed): each reason with the kinds of help, areas and children."""
    suff = assessment.sufficiency
    if suff is None:
        return []
    gaps = suff.gaps[suff.gaps["state"] == "unknown"]
    cfg = assessment.config
    kids = assessment.inputs.need.reindex(assessment.areas.index)[list(AGE_BANDS)].sum(axis=1)
    out = []
    for reason, rows in gaps.groupby("reason", sort=False):
        kinds = [cfg.category_label(k) for k in pd.unique(rows["category"])]
        codes = pd.unique(rows["area_code"])
        children = float(kids.reindex(codes).sum())
        who = f" ({children:,.0f} children 0-19 live there)" if children else ""
        out.append(
            f"Unknown ({reason}): {len(kinds)} of {len(cfg.categories)} kinds of help in "
            f"{len(codes):,} areas{who}: {'; '.join(kinds)}"
        )
    no_index = int(suff.need_index.isna().sum()) if cfg.indicators else 0
    if no_index:
        out.append(
            f"Need unknown: {no_index:,} areas have no value for any need indicator, so a gap "
            "there is never a priority gap"
        )
    return out


def read_run_comparison(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A finished run's published district summary (index ``district_code``, cells as
    published) and its analyst district comparison (:func:`sufficiency.district_comparison`,
    shares back as proportions)."""
    summary_csv = find_table(run_dir, "district_summary")
    long_csv = find_table(run_dir, "district_comparison")
    summary = pd.read_csv(summary_csv, dtype=str, keep_default_na=False)
    long = pd.read_csv(long_csv, keep_default_na=False, na_values=[""])
    if "district_code" not in summary or "unit" not in long:
        raise InputError(
            f"{long_csv.parent.parent}: its tables were written by an earlier earlyhelp; "
            "run 'earlyhelp run' again, then compare"
        )
    long["category"] = long["category"].fillna("")
    return summary.set_index("district_code"), comparison_as_analysed(long)
