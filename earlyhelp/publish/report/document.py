"""The board report: one self-contained HTML file that a board member reads without help.

Structured on the sufficiency duty of Munro's review (2011), Recommendation 10: the range
of help against the local profile of need, how help is identified and offered, and its
resourcing; with Recommendation 6 (value for money) and Recommendation 4 (figures are for
learning and benchmarking, not verdicts, so every share carries its 95% confidence
interval). Sections:

1. a plain-English summary and four headline figures;
2. the range of help against need, category by category;
3. reach by district: the share of children with the full core range within reach, as a
   dot-and-whisker chart against the county and a funnel plot, and each category's reach
   district by district, significance against the county marked;
4. resourcing and value for money;
5. priority gaps, ranked;
6. siting and scenarios (where run; otherwise a "not run" placeholder);
7. how help is identified and offered: with the sections of ``earlyhelp casework``,
   ``expertise`` and ``benchmark`` where they were made for the run (:func:`further_sections`);
8. data sources, method and caveats; 9. links to the maps.

Publication rules
    Every count of children shown at district level or finer (and every county total beside
    them) comes out of :func:`earlyhelp.disclosure.suppress` with the run's
    ``DisclosureConfig`` and passes :func:`earlyhelp.disclosure.check_publishable`; shares
    built on a hidden count are hidden with it, in tables and charts alike.
    Every piece of outside text (district, area and service names, category and indicator
    labels from config) reaches the page through Jinja2 with ``autoescape=True`` and is never
    marked safe. Charts are inline SVG drawn by the template from numbers computed here: no
    script, no network, nothing to fetch.

Example
-------
>>> from earlyhelp.assessment import assess                                   # doctest: +SKIP
>>> from earlyhelp.config import load_config                                  # doctest: +SKIP
>>> a = assess(load_config("config.toml"))                                    # doctest: +SKIP
>>> write_report(a, "maps/demo/report.html", map_links={"county": "index.html"})  # doctest: +SKIP

The content of each section is in :mod:`.content`, its words in :mod:`.words`, its charts
in :mod:`.charts` and its number formats in :mod:`.formats`.
"""

from __future__ import annotations

__all__ = [
    "COUNTY_LINK",
    "FURTHER_KINDS",
    "build_report",
    "further_sections",
    "map_links_in",
    "run_folder_notes",
    "write_report",
]

import datetime as dt
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import jinja2

from earlyhelp.assessment import Assessment
from earlyhelp.disclosure import check_publishable
from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.outputs import atomic_path
from earlyhelp.publish.folder import ReportSection
from earlyhelp.publish.report.content import COUNTY_LINK, context
from earlyhelp.publish.report.formats import cell_text, fmt_count, fmt_money, fmt_num, fmt_pct
from earlyhelp.publish.tables import RunPublication, run_publication

# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def write_report(
    assessment: Assessment,
    path: str | Path,
    *,
    map_links: Mapping[str, str | Path] | None = None,
    sections: Sequence[ReportSection] = (),
    notes: Sequence[str] = (),
    generated: dt.datetime | None = None,
    published: RunPublication | None = None,
) -> Path:
    """Write the board report for ``assessment`` to ``path`` (atomically); return the path.

    Parameters
    ----------
    assessment
        A run with sufficiency (``assess(cfg)``).
    path
        Where to write the HTML file (usually ``<run folder>/report.html``).
    map_links
        ``{"county": "index.html", "<district code>": "district-<code>.html", ...}``: the
        maps to link to, as paths relative to the report's folder (absolute paths are made
        relative to it). None or empty: the report says the maps were not drawn.
    sections
        What siting and scenario products made for this run add (their tables must have
        passed :func:`earlyhelp.disclosure.suppress`; anything else is refused). Without
        one of a kind, its part says it was not run.
    notes
        Extra caveats to show (for example that the maps were made from other inputs).
    generated
        The time stamped on the report (default: now).
    published
        The run's publication, audited with its tables and maps
        (:func:`~earlyhelp.publish.tables.run_publication`); made here when not given.
    """
    path = Path(path)
    html = build_report(
        assessment,
        map_links=_relative_links(map_links or {}, path.parent),
        sections=sections,
        notes=notes,
        generated=generated,
        published=published,
    )
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def build_report(
    assessment: Assessment,
    *,
    map_links: Mapping[str, str] | None = None,
    sections: Sequence[ReportSection] = (),
    notes: Sequence[str] = (),
    generated: dt.datetime | None = None,
    published: RunPublication | None = None,
) -> str:
    """The report as an HTML string (see :func:`write_report`; links are used as given)."""
    if assessment.sufficiency is None:
        raise EarlyHelpError(
            "report: this run measured access only; the board report needs the sufficiency "
            "analysis (make it with 'earlyhelp run', or call assess(cfg) with sufficiency=True)"
        )
    shown = context(
        assessment,
        map_links=_checked_links(map_links or {}),
        sections=sections,
        notes=notes,
        generated=generated or dt.datetime.now(dt.UTC),
        published=published or run_publication(assessment),
    )
    shown["further"] = further_sections(sections)
    shown["credit"] = _credit(assessment)
    return _environment().get_template("report.html.j2").render(**shown)


# The products whose sections the report shows in section 7, in this order: what the
# case systems show, the reach of expertise and training, and national benchmarks.
FURTHER_KINDS = ("casework", "expertise", "benchmark")


def further_sections(sections: Sequence[ReportSection]) -> list[dict[str, object]]:
    """Sections of products other than siting and scenarios, for section 7, in the order
    of :data:`FURTHER_KINDS` (unknown kinds last); each table checked as publishable."""
    rank = {kind: i for i, kind in enumerate(FURTHER_KINDS)}
    chosen = [s for s in sections if s.kind not in ("siting", "scenario")]
    chosen.sort(key=lambda s: rank.get(s.kind, len(rank)))
    out: list[dict[str, object]] = []
    for section in chosen:
        check_publishable(section.table, name=f"report.html: {section.title}")
        table = section.table
        out.append(
            {
                "kind": section.kind,
                "title": section.title,
                "lines": list(section.lines),
                "columns": [str(table.index.name or ""), *map(str, table.columns)],
                "rows": [
                    [str(key), *(cell_text(v) for v in row)]
                    for key, row in zip(
                        table.index, table.astype(object).itertuples(index=False), strict=True
                    )
                ],
            }
        )
    return out


def _credit(assessment: Assessment) -> dict[str, object]:
    """What the report credits and its licence (``[attribution]``); the address only when
    it is a web address (the config check refuses any other)."""
    cfg = assessment.config
    given = cfg.attribution
    url = given.licence_url if given.licence_url.startswith(("http://", "https://")) else ""
    return {
        "statements": cfg.attribution_lines(),
        "licence": given.licence,
        "licence_url": url,
        "publisher": given.publisher,
    }


def map_links_in(run_dir: str | Path, district_codes: Sequence[str]) -> dict[str, str]:
    """The maps present in a run folder: ``index.html`` and ``district-<code>.html``."""
    from earlyhelp.maps.safety import safe_filename

    run_dir = Path(run_dir)
    links: dict[str, str] = {}
    if (run_dir / "index.html").is_file():
        links[COUNTY_LINK] = "index.html"
    for code in district_codes:
        names = (
            f"district-{safe_filename(code, default='district')}.html",
            f"district-{code}.html",
        )
        for name in names:
            if (run_dir / name).is_file():
                links[str(code)] = name
                break
    return links


# --------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _relative_links(links: Mapping[str, str | Path], base: Path) -> dict[str, str]:
    out = {}
    for key, target in links.items():
        p = Path(target)
        if p.is_absolute():
            p = Path(os.path.relpath(p, base.resolve()))
        out[str(key)] = p.as_posix()
    return out


def _checked_links(links: Mapping[str, str]) -> dict[str, str]:
    """Relative file links only, percent-encoded: no scheme (javascript:, http:), no root."""
    out = {}
    for key, target in links.items():
        text = str(target).replace("\\", "/")
        if _SCHEME.match(text) or text.startswith("/") or not text:
            raise InputError(
                f"report: map link '{target}' for '{key}' must be a path relative to the "
                "report's folder, such as index.html"
            )
        out[str(key)] = quote(str(PurePosixPath(text)), safe="/-_.~")
    return out


def run_folder_notes(run_dir: str | Path, assessment: Assessment) -> list[str]:
    """A note for the report when the run folder's ``manifest.json`` lists inputs whose
    contents differ from those of ``assessment`` (its maps and tables are from other data)."""
    manifest = Path(run_dir) / "manifest.json"
    if not manifest.is_file():
        return []
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("inputs", [])
    except (OSError, ValueError):
        return ["The run folder's manifest.json could not be read."]
    now = {r.role: r.sha256 for r in assessment.inputs.records}
    changed = sorted(
        r.get("role", "?")
        for r in recorded
        if r.get("role") in now and r.get("sha256") != now[r.get("role")]
    )
    if not changed:
        return []
    return [
        "The maps and tables in this run folder were made from different "
        f"{', '.join(changed)} files from those this report was made from; run "
        "earlyhelp run again so that they agree."
    ]


# --------------------------------------------------------------------------------------
# Templates and formatting
# --------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("earlyhelp", "templates"),
        autoescape=True,  # every value is HTML-escaped; outside text is never marked safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(count=fmt_count, pct=fmt_pct, money=fmt_money, num=fmt_num)
    return env
