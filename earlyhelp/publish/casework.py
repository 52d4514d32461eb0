"""The case-system folder: what ``earlyhelp casework`` publishes, and its section of the
run's board report.

:func:`casework_product` turns a :class:`~earlyhelp.casework.Casework` into a
:class:`~earlyhelp.publish.folder.Product`. Published (small numbers suppressed):
``tables/casework_districts.csv`` (episodes and referrals per 10,000, step-up,
re-referral and needs met by district), ``casework_lead_organisations.csv``,
``casework_reasons.csv``, ``casework_effectiveness.csv`` (outcomes and cost by kind of
help and provider), ``referrals_by_source.csv``, ``referrals_factors.csv`` and the map
``map.html``, with the report section's table: audited together, as one system over the
episodes counted by every key at once (:mod:`~.casework_basis`), so that no hidden count
can be worked out from another table's rows (``manifest.json`` records the audit). Analyst
tables (areas, services, sources by district) are named ``*_NOT_FOR_PUBLICATION``;
``results.gpkg`` holds the districts with every figure unsuppressed.
"""

from __future__ import annotations

__all__ = ["casework_product", "casework_summary", "publish_tables", "report_lines"]

from collections.abc import Hashable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.casework import (
    ALL,
    COUNTY,
    Casework,
    district_measures,
    effectiveness,
    factor_measures,
    group_measures,
    source_measures,
)
from earlyhelp.casework.counts import NOT_RECORDED
from earlyhelp.casework.vocabulary import TOXIC_TRIO
from earlyhelp.config import Config
from earlyhelp.disclosure import check_publishable, mark_unpublished
from earlyhelp.loading import Inputs
from earlyhelp.publish.casework_basis import CaseBasis, district_total
from earlyhelp.publish.extract_maps import district_map
from earlyhelp.publish.folder import PUBLISHED, Page, Product, ReportSection, input_records
from earlyhelp.publish.publication import Item, Publication, audited, hides
from earlyhelp.publish.suppressed import cell, interval

CANNOT_SHOW = (
    "What these figures can and cannot show: they describe what happened to the families "
    "each district, organisation and service worked with, not what the help caused. "
    "Families differ (how much need they came with, who is referred where, what else "
    "changed for them), so a higher step-up or re-referral rate can mean harder cases, "
    "better identification or less effective help; the costs set a service's whole annual "
    "cost against the early help episodes it delivered. They are questions for the board "
    "to ask, for learning and benchmarking, never verdicts and never causal estimates."
)
_SHARES = {"needs_met": "closed", "stepped_up": "closed", "rereferred": "followed_up"}


def _share_spec(counts: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Rates (hidden with their counts) and comparisons (hidden with their rates)."""
    rates: dict[str, list[str]] = {}
    derived: dict[str, str] = {}
    for share, base in _SHARES.items():
        for suffix in ("pct", "lower", "upper"):
            rates[f"{share}_{suffix}"] = [share, base]
        derived[f"{share}_vs"] = f"{share}_pct"
    for count in ("started", "referrals", *TOXIC_TRIO):
        if count in counts:
            for suffix in ("rate", "lower", "upper"):
                rates[f"{count}_{suffix}"] = [count, "children"]
            derived[f"{count}_vs"] = f"{count}_rate"
    return rates, derived


def publish_tables(
    cw: Casework, cfg: Config
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], pd.DataFrame, dict]:
    """Every published table, audited together with the report section's table
    (:class:`~.casework_basis.CaseBasis`): the tables, the analyst forms they came from,
    the report section's table as published and the audit's record (for the manifest)."""
    analyst = {
        "casework_districts": district_measures(cw),
        "casework_lead_organisations": group_measures(cw, "lead_organisation"),
        "casework_reasons": group_measures(cw, "reason"),
        "casework_effectiveness": effectiveness(cw),
        "referrals_by_source": source_measures(cw),
        "referrals_factors": factor_measures(cw),
    }
    basis = CaseBasis(cw)
    section = _section_counts(cw)

    def build(pub: Publication) -> None:
        for name, frame in analyst.items():
            if not frame.empty:
                _publish_one(pub, basis, name, frame)
        if not section.empty:
            _publish_section(pub, basis, section)

    pub = audited(cfg.disclosure, basis.base, build)
    shown = {name: pub.shown(name) for name in analyst if name in pub.tables}
    for name, frame in shown.items():
        check_publishable(frame, name=f"{name}.csv")
    table = pub.shown(SECTION) if SECTION in pub.tables else pd.DataFrame()
    record = {} if pub.report is None else pub.report.to_dict()
    record["hidden_by_audit"] = sorted(f"{n}: {r}: {c}" for n, r, c in hides(pub))
    return shown, analyst, table, record


SECTION = "report section: casework"
_COUNTS = (
    "children", "started", "referrals", "closed", "needs_met", "stepped_up", "followed_up",
    "rereferred", "closed_costed", "needs_met_costed", *TOXIC_TRIO,
)  # fmt: skip


def _publish_one(pub: Publication, basis: CaseBasis, name: str, frame: pd.DataFrame) -> None:
    """One table of the casework folder, published through the audit."""
    total = COUNTY if COUNTY in frame.index else ALL
    if name == "referrals_by_source":
        pub.table(
            name,
            frame.drop(columns="total"),
            counts=["referrals"],
            total_row=total,
            rates={c: ["referrals"] for c in ("share_pct", "share_lower", "share_upper")},
            cells=basis.source_cells(),
        )
        return
    if name == "casework_effectiveness":
        frame = frame.drop(columns=["category", "provider"])
    counts = [c for c in _COUNTS if c in frame]
    rates, derived = _share_spec(counts)
    rates = {k: v for k, v in rates.items() if k in frame and all(b in counts for b in v)}
    for per, base in (("episode", "closed_costed"), ("needs_met", "needs_met_costed")):
        for suffix in ("", "_lower", "_upper"):
            if f"cost_per_{per}{suffix}" in frame:
                rates[f"cost_per_{per}{suffix}"] = [base]
    if "cost" in frame:
        # a service's cost is shared by its episodes: beside the directory's annual
        # cost, a group's share would give its number of episodes back
        rates["cost"] = ["closed_costed", "closed"]
    companions: dict[str, list[str]] = {}
    for column, source in derived.items():
        if column in frame and source in rates:
            companions.setdefault(source, []).append(column)
    if name in ("casework_districts", "referrals_factors"):
        districts = [str(k) for k in frame.index if k != COUNTY]
        cells = basis.cells(
            basis.by("district", COUNTY, among=districts),
            children=pd.to_numeric(frame["children"], errors="coerce"),
            districts=district_total(districts),
        )
    elif name == "casework_effectiveness":
        cells = basis.cells(basis.by_label(), costs=pd.to_numeric(frame["cost"], errors="coerce"))
    else:
        cells = basis.cells(basis.by(str(frame.index.name), ALL))
    pub.table(
        name,
        frame,
        counts=counts,
        rates=rates,
        total_row=total,
        decimals=1,
        companions=companions,
        cells=cells,
    )


def _publish_section(pub: Publication, basis: CaseBasis, frame: pd.DataFrame) -> None:
    """The report's table (districts, lead organisations), published through the audit."""
    shown = [str(k) for b, k in frame.index if b == "District" and k != _TOTAL]
    districts = basis.by("district", _TOTAL, among=shown)
    organisations = basis.by("lead_organisation", _TOTAL)
    columns = {
        "Closed episodes": "closed",
        "Stepped up": "stepped_up",
        "Stepped up (%)": "stepped_up_pct",
        "Followed up": "followed_up",
        "Re-referred": "rereferred",
        "Re-referred within a year (%)": "rereferred_pct",
    }

    def rows(key: Hashable) -> np.ndarray:
        assert isinstance(key, tuple)
        block, name = key
        return districts(name) if block == "District" else organisations(name)

    named = basis.cells(rows)

    def cells(key: Hashable, col: str) -> Item | None:
        return named(key, columns[col]) if col in columns else None

    pub.table(
        SECTION,
        frame,
        counts=[c for c in columns if not c.endswith("(%)")],
        rates={
            "Stepped up (%)": ["Stepped up", "Closed episodes"],
            "Re-referred within a year (%)": ["Re-referred", "Followed up"],
        },
        total_row=_TOTAL,
        cells=cells,
    )


def casework_product(cw: Casework, *, cfg: Config, inputs: Inputs) -> Product:
    """Everything ``earlyhelp casework`` writes (see the module's description)."""
    shown, analyst, section, audit = publish_tables(cw, cfg)
    counts = cw.counts
    extra = {
        "casework_areas": _areas_table(cw),
        "casework_services": counts.episodes["service"].reset_index(),
        "referrals_sources_by_district": counts.sources,
    }
    tables = {**shown, **{k: mark_unpublished(v) for k, v in extra.items() if not v.empty}}
    districts = _district_layer(inputs, analyst["casework_districts"])
    return Product(
        command="casework",
        cfg=cfg,
        inputs=(*input_records(inputs), *(vars(r) for r in cw.records)),
        tables=tables,
        layers={"districts": districts},
        pages=(_map_page(shown["casework_districts"], inputs, cfg),),
        sections={"casework": _manifest_section(cw), "disclosure_audit": audit},
        report=_report_section(shown, section, cw),
    )


def casework_summary(cw: Casework, cfg: Config) -> str:
    """A few plain lines for the terminal (published figures only)."""
    shown, _, _, _ = publish_tables(cw, cfg)
    return "\n".join(report_lines(shown, cw)[:-1])


def report_lines(shown: dict[str, pd.DataFrame], cw: Casework) -> list[str]:
    """The report's sentences, from published cells only (a hidden one reads as the
    symbol), the last saying what the figures cannot show."""
    d = shown["casework_districts"]
    county = d.loc[COUNTY]
    period = cw.counts.period.label()
    lines = [
        f"From {period}, {cell(county['started'])} early help episodes started in the county: "
        f"{cell(county['started_rate'])} per 10,000 children aged 0-17 a year (95% CI "
        f"{interval(county['started_lower'], county['started_upper'])})"
        + (
            f"; {cell(county['referrals'])} referrals were made to children's social care: "
            f"{cell(county['referrals_rate'])} per 10,000 a year."
            if "referrals" in d
            else "."
        ),
        f"Of {cell(county['closed'])} episodes that closed, "
        f"{cell(county['stepped_up_pct'], unit='%')} stepped up to children's social care "
        f"and {cell(county['needs_met_pct'], unit='%')} "
        "closed with needs met." + _outliers(d, "stepped_up", "step-up share", "district"),
        "Of episodes that closed other than by step-up, "
        f"{cell(county['rereferred_pct'], unit='%')} were followed within "
        f"{cw.counts.period.follow_up_days} days by a new episode or a referral."
        + _outliers(
            shown.get("casework_lead_organisations", pd.DataFrame()),
            "rereferred",
            "re-referral share",
            "lead organisation",
        ),
    ]
    sources = shown.get("referrals_by_source")
    if sources is not None:
        parts = [f"{g} {cell(r['share_pct'], unit='%')}" for g, r in sources.iterrows() if g != ALL]
        lines.append("Referrals by source: " + ", ".join(parts) + ".")
    lines.extend(_value_lines(shown.get("casework_effectiveness")))
    lines.append(CANNOT_SHOW)
    return lines


def _outliers(table: pd.DataFrame, share: str, what: str, kind: str) -> str:
    """A sentence naming the rows whose share is significantly higher or lower."""
    if table.empty or f"{share}_vs" not in table:
        return ""
    out = []
    for vs in ("higher", "lower"):
        rows = table[table[f"{share}_vs"] == vs]
        if len(rows):
            names = [
                f"{r.get('district_name', key)} ({cell(r[f'{share}_pct'], unit='%')}, "
                f"{interval(r[f'{share}_lower'], r[f'{share}_upper'], unit='%')})"
                for key, r in rows.iterrows()
            ]
            out.append(f"significantly {vs} {what}: {'; '.join(names)}")
    if not out:
        return f" No {kind}'s {what} differed significantly from the whole."
    return f" By {kind}, " + "; ".join(out) + "."


def _value_lines(table: pd.DataFrame | None) -> list[str]:
    if table is None or "cost_per_needs_met" not in table:
        return []
    total = table.loc[ALL]
    return [
        "Value for money, where episodes name the service and the directory gives its "
        f"cost: £{cell(total['cost_per_episode'], decimals=0)} per closed episode and "
        f"£{cell(total['cost_per_needs_met'], decimals=0)} per episode closed with needs met "
        "across the county; casework_effectiveness.csv gives them by kind of help and "
        "provider, with 95% intervals. A service's whole annual cost is set against the "
        "early help episodes it delivered, so one that also serves other families (most "
        "health services) looks dearer than it is: compare within a kind of help."
    ]


def _report_section(
    shown: dict[str, pd.DataFrame], section: pd.DataFrame, cw: Casework
) -> ReportSection:
    """Districts and lead organisations: closed episodes, stepped up and re-referred, as
    published with the folder's tables (audited together)."""
    table = section.copy()
    if not table.empty:
        table.index = pd.Index(
            [_row_label(block, name, cw.district_names) for block, name in table.index], name=""
        )
    title = "How children are identified, and what early help achieves (case systems)"
    return ReportSection("casework", title, tuple(report_lines(shown, cw)), table)


def _section_counts(cw: Casework) -> pd.DataFrame:
    """The report's table before suppression, rows ``(block, key)``: each district (by
    code) and its total, each lead organisation and theirs."""
    ep = cw.counts.episodes
    blocks = {
        "District": ep["district"].drop(index=NOT_RECORDED, errors="ignore"),
        "Led by": ep.get("lead_organisation", pd.DataFrame()),
    }
    parts = []
    for block, counts in blocks.items():
        counts = counts[counts["closed"] > 0] if len(counts) else counts
        if counts.empty:
            continue
        names = cw.district_names if block == "District" else pd.Series(dtype=str)
        counts = counts.loc[sorted(counts.index, key=lambda k: str(names.get(k, k)))]
        for key, r in counts.iterrows():
            parts.append(((block, str(key)), r))
        parts.append(((block, _TOTAL), counts.sum(numeric_only=True)))
    return _section_frame(parts) if parts else pd.DataFrame()


_TOTAL = "\0total"


def _row_label(block: str, name: str, districts: pd.Series) -> str:
    if name == _TOTAL:
        return "County" if block == "District" else "All lead organisations"
    return str(districts.get(name, name)) if block == "District" else f"Led by {name}"


def _section_frame(parts: list) -> pd.DataFrame:
    """The report's table: closed episodes, stepped up and re-referred (counts and %)."""
    records = []
    for _, r in parts:
        closed, followed = float(r["closed"]), float(r["followed_up"])
        records.append(
            {
                "Closed episodes": closed,
                "Stepped up": float(r["stepped_up"]),
                "Stepped up (%)": 100 * r["stepped_up"] / closed if closed else float("nan"),
                "Followed up": followed,
                "Re-referred": float(r["rereferred"]),
                "Re-referred within a year (%)": (
                    100 * r["rereferred"] / followed if followed else float("nan")
                ),
            }
        )
    index = pd.MultiIndex.from_tuples([key for key, _ in parts], names=["block", "name"])
    return pd.DataFrame(records, index=index)


def _areas_table(cw: Casework) -> pd.DataFrame:
    ep = cw.counts.episodes.get("area", pd.DataFrame())
    refs = cw.counts.referrals.get("area", pd.DataFrame())
    if not len(ep):
        return ep
    return ep.join(refs, how="outer").fillna(0).astype("int64").reset_index()


def _district_layer(inputs: Inputs, table: pd.DataFrame) -> gpd.GeoDataFrame:
    shapes = inputs.areas[["district_code", "geometry"]].dissolve("district_code")
    return gpd.GeoDataFrame(
        table.drop(index=COUNTY).join(shapes, how="left"), geometry="geometry", crs=shapes.crs
    ).reset_index()


def _manifest_section(cw: Casework) -> dict:
    p = cw.counts.period
    return {
        "period": p.label(),
        "follow_up_days": p.follow_up_days,
        "extract_last_date": str(pd.Timestamp(0) + pd.Timedelta(days=p.extract_end))[:10],
        "definitions": "see earlyhelp.casework.counts",
        "problems": [q.line() for q in cw.report.problems],
    }


def _map_page(districts: pd.DataFrame, inputs: Inputs, cfg: Config) -> Page:
    def draw(folder: Path) -> dict[str, str]:
        district_map(districts, inputs, cfg, folder / "map.html")
        return {"map.html": f"{PUBLISHED} (the case systems by district)"}

    return draw
