"""The scenario folder: what ``earlyhelp scenario`` publishes, and its plain-English summary.

:func:`scenario_product` turns a :class:`~earlyhelp.scenario.ScenarioResult` into a
:class:`~earlyhelp.publish.folder.Product`: ``tables/changes.csv``, ``reach_change.csv``,
``priority_changes.csv``, ``places_change.csv``, ``places_by_category.csv`` and
``areas_changed.csv``; ``results.gpkg`` layers ``changed_areas`` (areas where any child
loses or gains reach or a priority gap appears or goes), ``changed_services`` and ``areas``
(every area with before/after columns); a before/after ``map.html``; and a section for the
run's board report with its counts suppressed.
"""

from __future__ import annotations

__all__ = ["scenario_headline", "scenario_product", "scenario_summary"]

from collections.abc import Callable, Hashable, Mapping
from pathlib import Path

import pandas as pd

from earlyhelp.config import CategoryConfig, Config
from earlyhelp.disclosure import mark_unpublished
from earlyhelp.loading import Inputs
from earlyhelp.provision import band_ages
from earlyhelp.publish.basis import RunBasis
from earlyhelp.publish.folder import UNPUBLISHED, Page, Product, ReportSection, input_records
from earlyhelp.publish.publication import Item, Publication
from earlyhelp.publish.report.formats import fmt_count
from earlyhelp.publish.tables import run_publication
from earlyhelp.scenario import ScenarioResult
from earlyhelp.text import label_in_text


def scenario_product(result: ScenarioResult, *, cfg: Config, inputs: Inputs) -> Product:
    """Everything ``earlyhelp scenario`` writes. Tables hold unsuppressed counts
    (their names end _NOT_FOR_PUBLICATION); the report section is suppressed."""
    source = result.scenario.source
    areas = result.areas
    changed = areas[
        (areas["children_losing_reach"] > 0)
        | (areas["children_gaining_reach"] > 0)
        | areas.index.isin(list(set(result.priority["area_code"])))
    ]
    tables = {
        "changes": result.changes,
        "reach_change": result.reach,
        "priority_changes": result.priority,
        "places_change": result.places,
        "places_by_category": result.places_by_category,
        "areas_changed": pd.DataFrame(changed.drop(columns="geometry")).reset_index(),
    }
    read, used = len(result.scenario.changes), len(result.changes)
    return Product(
        command="scenario",
        cfg=cfg,
        inputs=input_records(inputs, ("scenario", source, read, used)),
        tables={name: mark_unpublished(frame) for name, frame in tables.items()},
        layers={
            "changed_areas": changed.reset_index(),
            "changed_services": result.services.reset_index(),
            "areas": areas.reset_index(),
        },
        pages=(_map_page(result, cfg),),
        sections={
            "scenario": result.scenario.to_dict(),
            "results": {**result.summary(), "headline": list(scenario_headline(result))},
        },
        guard=(source,) if source is not None else (),
        report=_report_section(result, cfg),
    )


def scenario_summary(result: ScenarioResult) -> str:
    """The plain-English summary, one sentence per line (for the analyst: counts are not
    suppressed)."""
    return "\n".join(scenario_headline(result))


def scenario_headline(result: ScenarioResult) -> tuple[str, ...]:
    """Plain-English sentences: who loses or gains each kind of help within reach and
    where most of them live, new priority gaps, and the largest shift in places."""
    categories = result.before.config.categories
    county = result.reach[result.reach["district_code"] == "County"].set_index("category")
    lines = _reach_lines(
        _subject(result),
        county,
        categories,
        count=lambda cat, col: f"{county.at[cat, col]:,.0f}",
        where=_where(result),
    )
    new = result.new_priority_gaps
    for cat, rows in new.groupby("category", sort=True):
        what = label_in_text(categories[cat].label or cat)
        n = len(rows)
        lines.append(
            f"{n} area{'s' if n != 1 else ''} ({rows['children'].sum():,.0f} children) "
            f"become{'s' if n == 1 else ''} a priority gap for {what}."
        )
    places = result.places
    shift = places[places["district_code"] != "County"].dropna(subset=["change"])
    shift = shift[shift["change"].abs() >= 0.05]
    if len(shift):
        top = shift.loc[shift["change"].abs().idxmax()]
        verb = "fall" if top["change"] < 0 else "rise"
        lines.append(
            f"Places per 1,000 children {verb} most in {top['district_name']}: "
            f"{top['before']:,.1f} -> {top['after']:,.1f}."
        )
    return tuple(lines)


def _subject(result: ScenarioResult) -> str:
    """What the scenario does, as the subject of a sentence."""
    scenario, changes = result.scenario, result.changes
    if len(changes) != 1:
        name = f" '{scenario.name}'" if scenario.name and scenario.name != "scenario" else ""
        return f"The scenario{name} ({len(changes)} changes)"
    row = changes.iloc[0]
    who = f"{row['name']} ({row['service_id']})"
    if row["action"] == "close":
        return f"Closing {who}"
    if row["action"] == "open":
        return f"Opening {who}"
    if row["action"] == "move":
        return f"Moving {who}"
    return f"Changing the capacity of {who} ({row['detail'].removeprefix('capacity ')})"


def _where(result: ScenarioResult) -> Callable[[str, str, float], str]:
    """``where(category, column, total)``: the district where most of a change falls."""
    dist = result.reach[result.reach["district_code"] != "County"]

    def where(cat: str, column: str, total: float) -> str:
        rows = dist[dist["category"] == cat].sort_values(column, ascending=False, kind="stable")
        top = rows.iloc[0]
        lead = "most" if top[column] > 0.5 * total else "the most"
        return f", {lead} in {top['district_name']}"

    return where


def _reach_lines(
    subject: str,
    county: pd.DataFrame,
    categories: Mapping[str, CategoryConfig],
    *,
    count: Callable[[str, str], str],
    where: Callable[[str, str, float], str] | None = None,
) -> list[str]:
    """One sentence per category whose reach changes, losses first, largest first.

    ``county`` holds the county's ``children_losing_reach`` and ``children_gaining_reach``
    per category; ``count(category, column)`` writes one of those counts as shown to the
    reader; ``where`` adds the district where most of the change falls.
    """
    lines: list[str] = []
    for column, verb in (("children_losing_reach", "lose"), ("children_gaining_reach", "gain")):
        moved = county[column][county[column] > 0].sort_values(ascending=False, kind="stable")
        for cat, total in moved.items():
            lo, hi = band_ages(categories[cat])
            what = label_in_text(categories[cat].label or cat)
            place = where(cat, column, total) if where else ""
            if verb == "lose":
                lines.append(
                    f"{subject} leaves {count(cat, column)} children aged {lo}-{hi} with no "
                    f"{what} within reach{place}."
                )
            else:
                lines.append(
                    f"{subject} brings {what} within reach of {count(cat, column)} more "
                    f"children aged {lo}-{hi}{place}."
                )
    if not lines:
        lines.append(f"{subject} changes no child's reach of any kind of help.")
    return lines


SECTION = "report: what if (children losing and gaining each kind of help)"


def _report_section(result: ScenarioResult, cfg: Config) -> ReportSection:
    """The county's children losing and gaining each kind of help, and the sentences that
    read them: published with the run's own tables, audited together (the baseline run's
    publication is as it was; only this section may have more hidden)."""
    categories = result.before.config.categories
    county = result.reach[result.reach["district_code"] == "County"].set_index("category")
    county = county[["children_losing_reach", "children_gaining_reach"]].round(0)
    table = county[(county > 0).any(axis=1)]
    changes = _reach_changes(result)

    def section(pub: Publication, basis: RunBasis) -> None:
        everyone = basis.where("County")

        def cells(key: Hashable, col: str) -> Item | None:
            moved = changes[col].reindex(basis.codes).get(str(key))
            if moved is None:
                return None
            where = basis.select(everyone, moved.fillna(False).to_numpy(dtype=bool))
            return basis.children(where, basis.kind(str(key)))

        pub.table(SECTION, table, counts=list(table.columns), cells=cells)

    shown = run_publication(result.before, adding=section).table(SECTION)
    lines = _reach_lines(
        _subject(result), county, categories, count=lambda cat, col: fmt_count(shown.at[cat, col])
    )
    labelled = shown.set_axis(
        pd.Index([categories[k].label or k for k in shown.index], name="kind of help")
    )
    return ReportSection("scenario", f"What if: {result.scenario.name}", tuple(lines), labelled)


def _reach_changes(result: ScenarioResult) -> dict[str, pd.DataFrame]:
    """Areas x kinds of help (bool): where the kind's children lose reach, and gain it."""
    key = ["area_code", "category"]
    before = result.before.require_sufficiency().gaps.set_index(key)["within_reach"]
    after = result.after.require_sufficiency().gaps.set_index(key)["within_reach"]
    b = before.astype("boolean").fillna(False).astype(bool)
    a = after.reindex(b.index).astype("boolean").fillna(False).astype(bool)
    return {
        "children_losing_reach": (b & ~a).unstack("category"),
        "children_gaining_reach": (~b & a).unstack("category"),
    }


def _map_page(result: ScenarioResult, cfg: Config) -> Page:
    def draw(folder: Path) -> dict[str, str]:
        from earlyhelp.publish.maps import before_after_map  # folium only when drawing

        before_after_map(
            result.areas,
            result.after.inputs.services,
            cfg,
            folder / "map.html",
            count_column="children_losing_reach",
            count_label="Children who lose a kind of help within reach",
            title=f"What if: {cfg.run.description or cfg.run.name}",
            # the subject only: the headline's county counts are not suppressed
            subtitle=f"{_subject(result)}: before and after",
        )
        return {"map.html": UNPUBLISHED}

    return draw
