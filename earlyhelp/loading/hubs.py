"""Family hub sites: the hub list of ``[hubs]`` read, checked and placed.

A site is a place (a hub, a spoke, an outreach venue), not a service: services are joined
to it later by id or location (:mod:`earlyhelp.hubs.sites`). :func:`load_hubs` reads the
list in the council's own layout (``[hubs.columns]``) or a published one (``format =
"dfe_family_hubs"`` or ``"openreferral_hubs"``), checks every column, places each site by
latitude/longitude, easting/northing or postcode, and gives it the small area it lies in.
"""

from __future__ import annotations

__all__ = ["HUB_KINDS", "load_hubs"]

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from earlyhelp.config import Config, HubsInput
from earlyhelp.loading.services import STUDY_AREA_TOLERANCE_M, locate
from earlyhelp.loading.tables import InputRecord, existing_file, file_sha256, read_table
from earlyhelp.provision import STATUS
from earlyhelp.validation import (
    ValidationReport,
    check_choices,
    check_duplicates,
    check_non_negative,
    clean_text,
    parse_numbers,
    require_columns,
    rows_where,
)

# Site kinds and the words lists use for them: a children's centre linked site is a spoke.
HUB_KINDS = {
    "hub": ("hub", "family_hub", "best_start_family_hub", "main_hub", "childrens_centre"),
    "spoke": ("spoke", "linked_site", "childrens_centre_linked_site", "satellite"),
    "outreach": ("outreach", "outreach_venue", "venue", "community_venue"),
}
_KIND_OF = {word: kind for kind, words in HUB_KINDS.items() for word in words}


def load_hubs(
    cfg: Config,
    areas: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
    report: ValidationReport,
) -> tuple[gpd.GeoDataFrame | None, list[InputRecord]]:
    """The hub sites of ``[hubs]`` (None when there is no list), indexed by ``site_id``:
    ``name``, ``kind`` (hub, spoke, outreach or the list's own word), ``status``,
    ``capacity`` (families a year; NaN when not given), ``local_authority``,
    ``programme``, ``services`` (ids the list joins to it), ``area_code`` and points."""
    spec = cfg.hubs
    if spec.path is None:
        return None, []
    path = existing_file(spec.path, "hub list")
    raw, cols, rows = _read(spec, path, report)
    record = InputRecord("hubs", str(path), file_sha256(path), rows_read=len(raw))
    if not require_columns(raw, cols, ["name"], file=path, section="hubs", report=report):
        return None, [record]
    where = {"file": path, "report": report, "rows": rows}
    ids = _ids(raw, cols, path, rows, report)
    capacity = (
        parse_numbers(raw[cols["capacity"]], field=cols["capacity"], **where)
        if cols["capacity"] in raw
        else pd.Series(np.nan, index=raw.index)
    )
    check_non_negative(capacity, field=cols["capacity"], **where)
    status = _text(raw, cols["status"]).replace("", "active")
    status = check_choices(status, choices=STATUS, field=cols["status"], **where)
    name = clean_text(_text(raw, cols["name"]), field=cols["name"], **where)
    geom = locate(raw, cols, postcodes, cfg.run.crs, path, report, rows, "hubs")
    sites = gpd.GeoDataFrame(
        {
            "site_id": ids.to_numpy(),
            "name": name.to_numpy(),
            "kind": _kinds(raw, cols, spec, path, rows, report).to_numpy(),
            "status": status.to_numpy(),
            "capacity": capacity.to_numpy(),
            "local_authority": _text(raw, cols["local_authority"]).to_numpy(),
            "programme": _text(raw, cols["programme"]).to_numpy(),
            "services": _text(raw, "services").to_numpy(),
        },
        geometry=geom,
        crs=cfg.run.crs,
    )
    sites = _placed(sites, areas, path, rows, report, record)
    record.rows_used = len(sites)
    return sites.set_index("site_id"), [record]


def _read(spec: HubsInput, path: Path, report: ValidationReport):
    """The raw table, its column mapping and each record's row number."""
    if spec.format:
        from earlyhelp.sources import read_source

        frame = read_source(spec.format, path, report=report, **spec.options)
        frame = frame.astype("string").fillna("")
        return frame, {c: c for c in spec.columns}, list(range(2, len(frame) + 2))
    table = read_table(path, sheet=spec.sheet, report=report)
    return table.frame, spec.columns, table.lines


def _text(raw: pd.DataFrame, column: str) -> pd.Series:
    if column not in raw:
        return pd.Series("", index=raw.index, dtype="string")
    return raw[column].astype("string").str.strip().fillna("")


def _ids(raw, cols, path, rows, report) -> pd.Series:
    """Each site's id: the list's own, else ``H001``... by row (with a warning: services
    can then join to sites by location only)."""
    ids = _text(raw, cols["site_id"])
    if cols["site_id"] not in raw:
        report.warn(
            path,
            cols["site_id"],
            "the hub list has no site ids, so sites are numbered H001, H002... in file order "
            "and services join to them by location only",
            'add an id column (and site_id = "<header>" under [hubs.columns]) to join '
            "services by their site_id",
        )
        return pd.Series([f"H{i + 1:03d}" for i in range(len(raw))], index=raw.index)
    blank = (ids == "").to_numpy()
    if blank.any():
        report.error(
            path,
            cols["site_id"],
            f"{int(blank.sum())} site(s) have no id",
            "give every site an id (or remove the column to number them all)",
            rows=rows_where(rows, blank),
        )
    check_duplicates(ids, file=path, field=cols["site_id"], report=report, rows=rows)
    return ids


def _kinds(raw, cols, spec: HubsInput, path, rows, report) -> pd.Series:
    """hub, spoke or outreach from the list's words (blank: hub); another word is kept as
    written, with a warning when neither the targeting aim nor reach counts it."""
    words = (
        _text(raw, cols["kind"]).str.lower().str.replace(r"['’]", "", regex=True)
        .str.replace(r"[\s\-]+", "_", regex=True).replace("", "hub")
    )  # fmt: skip
    kinds = words.map(lambda w: _KIND_OF.get(w, w))
    known = set(spec.reach_kinds) | set(spec.counted_kinds) | set(HUB_KINDS)
    for kind in sorted(set(kinds) - known):
        hit = (kinds == kind).to_numpy()
        report.warn(
            path,
            cols["kind"],
            f"{int(hit.sum())} site(s) are of kind '{kind}', which neither the targeting aim "
            "(counted_kinds) nor reach (reach_kinds) counts: they are listed, and their "
            "services counted in the core offer",
            "write hub, spoke or outreach, or add the kind to reach_kinds or counted_kinds "
            "under [hubs]",
            rows=rows_where(rows, hit),
        )
    return kinds


def _placed(sites, areas, path, rows, report, record) -> gpd.GeoDataFrame:
    """Sites with the area they lie in (or the nearest within the coastline tolerance);
    sites with no place are left out, those outside every area kept (they serve
    families near the border) with a warning."""
    geom = sites.geometry
    located = ~(geom.isna() | geom.is_empty).to_numpy()
    located[located] &= np.isfinite(geom[located].x.to_numpy())
    if (~located).any():
        report.warn(
            path,
            "location",
            f"{int((~located).sum())} site(s) have no location and are left out of the hub network",
            "give each site coordinates or a postcode in the postcode lookup",
            rows=rows_where(rows, ~located),
        )
        record.dropped["no location"] = int((~located).sum())
    area = np.full(len(sites), None, dtype=object)
    pos = np.flatnonzero(located)
    if len(pos) and len(areas):
        near = areas.sindex.nearest(
            geom.to_numpy()[pos], max_distance=STUDY_AREA_TOLERANCE_M, return_all=False
        )
        area[pos[near[0]]] = areas.index.to_numpy()[near[1]]
    outside = located & pd.isna(area)
    if outside.any():
        names = ", ".join(f"'{n}'" for n in sites.loc[outside, "name"].head(3))
        report.warn(
            path,
            "location",
            f"{int(outside.sum())} site(s) lie outside the study area ({names}); they count "
            "for reach near the border but not for the targeting aim",
            "nothing to do if they are a neighbour's hubs; check their place otherwise",
            rows=rows_where(rows, outside),
        )
    return sites.assign(area_code=area)[located]
