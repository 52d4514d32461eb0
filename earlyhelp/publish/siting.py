"""The siting folder: what ``earlyhelp site`` publishes, and its plain-English summary.

:func:`siting_product` turns a :class:`~earlyhelp.siting.SitingResult` into a
:class:`~earlyhelp.publish.folder.Product`: ``tables/sites.csv`` (chosen sites),
``districts.csv``, ``coverage.csv`` (before and after), ``areas_newly_reached.csv``;
``results.gpkg`` layers ``chosen_sites``, ``candidates`` and ``areas``; a before/after
``map.html``; and a section for the run's board report with its counts suppressed.
"""

from __future__ import annotations

__all__ = ["siting_product", "siting_summary"]

from collections.abc import Hashable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.assessment import Assessment
from earlyhelp.columns import measure_column
from earlyhelp.config import Config
from earlyhelp.disclosure import mark_unpublished
from earlyhelp.loading import Inputs
from earlyhelp.publish.basis import RunBasis
from earlyhelp.publish.folder import UNPUBLISHED, Page, Product, ReportSection, input_records
from earlyhelp.publish.publication import Item, Publication, Sum
from earlyhelp.publish.report.formats import fmt_count
from earlyhelp.publish.tables import run_publication
from earlyhelp.siting import SitingResult
from earlyhelp.text import label_in_text


def siting_product(
    result: SitingResult,
    *,
    cfg: Config,
    inputs: Inputs,
    candidates_source: Path | str,
    baseline: Assessment,
) -> Product:
    """Everything ``earlyhelp site`` writes.

    ``candidates_source`` is the candidate file (a Path, recorded in the manifest with its
    SHA-256) or a text such as ``grid (1000 m)``. ``baseline`` is the run the sites are
    added to (its publication is audited with the report section). Tables hold
    unsuppressed counts (their names end _NOT_FOR_PUBLICATION); the report section is
    suppressed and audited.
    """
    source = candidates_source if isinstance(candidates_source, Path) else None
    newly = result.areas[result.areas["children_newly_reached"] > 0]
    tables = {
        "sites": pd.DataFrame(result.sites.drop(columns="geometry")),
        "districts": result.districts,
        "coverage": result.coverage.reset_index(),
        "areas_newly_reached": pd.DataFrame(newly.drop(columns="geometry")).reset_index(),
    }
    rows = len(result.candidates)
    return Product(
        command="site",
        cfg=cfg,
        inputs=input_records(inputs, ("candidates", source, rows, rows)),
        tables={name: mark_unpublished(frame) for name, frame in tables.items()},
        layers={
            "chosen_sites": result.sites,
            "candidates": result.candidates.reset_index(),
            "areas": result.areas.reset_index(),
        },
        pages=(_map_page(result, cfg, inputs),),
        parameters={**result.params, "candidates_source": str(candidates_source)},
        libraries=("highspy",),
        sections={"results": result.summary()},
        guard=(source,) if source is not None else (),
        report=_report_section(result, baseline),
    )


def siting_summary(result: SitingResult) -> str:
    """A short plain-English summary of a siting result (for the analyst: counts are not
    suppressed): what the sites would do, how good the choice is known to be, and plainly
    when fewer sites help than were asked for."""
    lo, hi = result.ages
    what = label_in_text(result.label)
    n = len(result.sites)
    if not n:
        return (
            f"No candidate site would bring more children aged {lo}-{hi} within reach of "
            f"{what}: every child a candidate can reach is already within reach."
        )
    first = result.sites.iloc[0]
    where = f"{first['name']} ({first['site_id']})"
    if n > 1:
        where += f" and {n - 1} more site{'s' if n > 2 else ''}"
    dist = result.districts[result.districts["district_code"] != "County"]
    top = dist.sort_values("newly_reached", ascending=False, kind="stable").iloc[0]
    most = top["newly_reached"] / result.newly_reached if result.newly_reached else 0
    lead = "most" if most > 0.5 else "the most"
    share = result.coverage["share_within_reach"]
    text = (
        f"New {what} at {where} would bring {result.newly_reached:,.0f} more children "
        f"aged {lo}-{hi} within reach ({100 * share.iloc[0]:.1f}% -> "
        f"{100 * share.iloc[1]:.1f}% of the county's), {lead} in {top['district_name']}."
    )
    if n < result.k:
        text += (
            f" Only {n} of the {result.k} sites asked for would help: once they open, every "
            f"child of these ages that a candidate site could reach is within reach, so "
            f"another site would add no one."
        )
    text += f" Method: {_solved(result)}; solved in {result.solve_seconds:.2f} s."
    if result.capacity is not None:
        text += f" Each new site takes at most {result.capacity:,.0f} children."
    for note in result.notes:
        if not note.startswith(("only ", "each new site")):  # said above already
            text += f" Note: {note}."
    return text


def _solved(result: SitingResult) -> str:
    """How good the choice is known to be, in words a board can use.

    The exact method proves its choice the best possible (or within a proven gap);
    greedy is a fast heuristic and never called proven: its gap to the optimum is how
    much more need-weighted reach the best choice of the same number of sites could at
    most give, from an upper bound."""
    if result.method == "exact" and result.gap is not None:
        if result.gap <= 1e-9:
            return "exact, proven the best possible choice of sites"
        return f"exact, proven within {100 * result.gap:.2f}% of the best possible"
    if result.gap is None:
        return f"{result.method}, a fast heuristic: its gap to the best possible is not known"
    return (
        f"{result.method}, a fast heuristic, not guaranteed the best: its gap to the "
        f"optimum is at most {100 * result.gap:.1f}%, that is, the best possible choice of "
        f"{len(result.sites)} sites could reach at most {100 * result.gap:.1f}% more "
        "need-weighted children"
    )


SECTION = "report: where new sites would reach most children"
_ALL = "All new sites"


def _report_section(result: SitingResult, baseline: Assessment) -> ReportSection:
    """The chosen sites and the children each newly reaches, for the report: published
    with the run's own tables and audited together (the run's publication as it was; only
    this section may have more hidden)."""
    lo, hi = result.ages
    what = label_in_text(result.label)
    sites = result.sites
    labels = [f"{r}. {n}" for r, n in zip(sites["rank"], sites["name"], strict=True)]
    newly = sites["children_newly_reached"].to_numpy(dtype=float)
    table = pd.DataFrame({"children_newly_reached": newly.round(0)}, index=labels)
    table.index.name = "site"
    table.loc[_ALL] = round(float(newly.sum()))

    def section(pub: Publication, basis: RunBasis) -> None:
        weights = _credited(result, basis)

        def cells(row: Hashable, col: str) -> Item | None:
            if col != "children_newly_reached":
                return None
            columns = range(len(labels)) if row == _ALL else [labels.index(str(row))]
            return _sum_of(weights, list(columns))

        pub.table(SECTION, table, counts=list(table.columns), total_row=_ALL, cells=cells)

    shown = run_publication(baseline, adding=section).table(SECTION)
    total = fmt_count(shown.loc["All new sites", "children_newly_reached"])
    share = result.coverage["share_within_reach"]
    lines = (
        f"{len(sites)} new site(s) of {what} would bring {total} more children aged "
        f"{lo}-{hi} within reach: {100 * share.iloc[0]:.1f}% of the county's children of "
        f"those ages before, {100 * share.iloc[1]:.1f}% after. Method: {_solved(result)}.",
    )
    title = f"Where new {label_in_text(result.label)} would reach most children"
    return ReportSection("siting", title, lines, shown)


def _credited(result: SitingResult, basis: RunBasis) -> list[Sum]:
    """Per chosen site, the children it newly reaches as base cells: each credited area's
    children of the category's ages (not yet in reach) times the share credited. Areas
    outside the study area get cells of their own (published nowhere else)."""
    credit = result.credit
    if credit is None:
        raise ValueError("the siting result holds no credit of areas to sites")
    areas = result.areas
    uncovered = np.where(areas["within_reach_before"].to_numpy(dtype=bool), 0.0, 1.0)
    position = pd.Series(np.arange(len(basis.codes)), index=basis.codes)
    at = position.reindex(areas.index).to_numpy()
    inside = ~np.isnan(at)
    basis.cells.add(f"{SECTION}: outside", areas["children"].where(~inside, 0.0).to_numpy())
    bands = basis.bands(result.category)
    out = []
    for j in range(credit.shape[1]):
        share = np.asarray(credit[:, j].todense()).ravel() * uncovered
        full = np.zeros((len(basis.codes), len(bands)))
        full[at[inside].astype(int)] = share[inside, None] * bands[None, :]
        mine = basis.children(np.flatnonzero(full.any(axis=1)), full)
        away = basis.cells.block(f"{SECTION}: outside", np.where(inside, 0.0, share))
        out.append(
            Sum(
                np.concatenate([mine.cells, away.cells]),
                np.concatenate([mine.weights, away.weights]),
            )
        )
    return out


def _sum_of(parts: list[Sum], columns: list[int]) -> Sum:
    """Several sums as one (none: the empty sum)."""
    cells = [parts[j].cells for j in columns]
    weights = [parts[j].weights for j in columns]
    return Sum(
        np.concatenate([np.zeros(0, dtype=np.int64), *cells]),
        np.concatenate([np.zeros(0), *weights]),
    )


_BEFORE_AFTER = ("within_reach_before", "within_reach_after")


def _map_page(result: SitingResult, cfg: Config, inputs: Inputs) -> Page:
    """Before and after the new sites: the category's services and the chosen sites as
    markers, and which areas have the category within reach before and after."""

    def draw(folder: Path) -> dict[str, str]:
        from earlyhelp.publish.maps import before_after_map  # folium only when drawing

        key = result.category
        areas = result.areas.rename(
            columns={when: measure_column(when, key) for when in _BEFORE_AFTER}
        )
        before_after_map(
            areas,
            _services_with_new_sites(result, inputs),
            cfg,
            folder / "map.html",
            count_column="children_newly_reached",
            count_label=f"Children newly within reach of {result.label}",
            title=f"Where new {result.label} would reach most children",
            subtitle=f"{len(result.sites)} new site(s), chosen by the {result.method} method",
        )
        return {"map.html": UNPUBLISHED}

    return draw


def _services_with_new_sites(result: SitingResult, inputs: Inputs) -> gpd.GeoDataFrame:
    key = result.category
    existing = inputs.services[inputs.services["categories"].map(lambda c: key in c)]
    new = result.sites.assign(
        name=[
            f"New site {r}: {n}"
            for r, n in zip(result.sites["rank"], result.sites["name"], strict=True)
        ],
        categories=[[key]] * len(result.sites),
        status="planned",
        delivery="in_person",
    ).set_index("site_id")
    columns = ["name", "categories", "status", "delivery", "geometry"]
    services = pd.concat([existing, new[columns]])
    return gpd.GeoDataFrame(services, geometry="geometry", crs=inputs.services.crs)
