"""Family hub sites, as they are published: the DfE list, and a directory's locations.

Two readers make the hub list earlyhelp reads (``[hubs]``; the columns of
:data:`earlyhelp.config.HUB_COLUMNS`: ``site_id``, ``name``, ``kind``, ``status``,
``postcode``, ``latitude``, ``longitude``, ``local_authority``, ``programme``):

- :func:`read_dfe_family_hubs`: DfE's *List of family hub sites* (GOV.UK, "management
  information provided by local authorities", every council in the programmes), a CSV
  with ``Region``, ``Local_Authority``, ``Family_Hub``, ``Postcode`` and the programme
  each hub is part of (Family Hubs and Start for Life, or the Transformation Fund). It
  gives no coordinates and no ids: sites are placed by postcode and named
  ``<council>/<hub>`` (made unique). Headers are matched ignoring case, spaces and
  underscores, so "Local authority" reads as ``Local_Authority``.
- :func:`read_oruk_hubs`: the locations of an Open Referral UK directory that are family
  hubs: a location whose name or description says so (``flag``, "family hub" by default),
  or every physical location of a service whose taxonomy terms or name say so.

A council's own list (any CSV or Excel with a name and a place per site) needs no reader:
``[hubs.columns]`` maps its headers.
"""

from __future__ import annotations

__all__ = ["HUB_LIST_COLUMNS", "read_dfe_family_hubs", "read_oruk_hubs"]

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._oruk_pages import Directory, _load, _records
from earlyhelp.sources._oruk_service import (
    ServiceRecord,
    _location,
    _locations,
    _terms,
    _text,
    normal_keys,
)
from earlyhelp.sources._tables import (
    expand_paths,
    find_column,
    norm,
    postcodes,
    read_text_table,
    report_tidied,
    subset,
    text,
)
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

HUB_LIST_COLUMNS = (
    "site_id",
    "name",
    "kind",
    "status",
    "postcode",
    "latitude",
    "longitude",
    "local_authority",
    "programme",
)
_DFE = {
    "local_authority": ["Local_Authority", "Local authority", "LA", "LA name"],
    "name": ["Family_Hub", "Family hub", "Family hub name", "Hub name", "Site name"],
    "postcode": ["Postcode", "Post code", "Hub postcode"],
    "region": ["Region"],
    "programme": ["Programme", "Programme name", "Funding programme", "Programme_Name"],
}


def _is_dfe_header(row: Sequence[str]) -> bool:
    keys = {norm(c) for c in row}
    return any(norm(c) in keys for c in _DFE["name"]) and any(
        norm(c) in keys for c in _DFE["postcode"]
    )


def read_dfe_family_hubs(
    path: str | Path,
    *,
    report: ValidationReport,
    local_authority: Sequence[str] = (),
    sheet: str = "",
) -> pd.DataFrame:
    """Read DfE's *List of family hub sites* as published.

    Parameters
    ----------
    path
        The CSV (or a workbook of it: name the ``sheet``).
    report
        Where problems are recorded: what was tidied, hubs without a postcode, names that
        repeat within a council.
    local_authority
        Keep only these councils (names as the list writes them, e.g. ``Hampshire``;
        case and spaces do not matter). The list covers every council in the
        programmes, and a run's postcode lookup knows only its own area's postcodes.

    Returns
    -------
    pandas.DataFrame
        :data:`HUB_LIST_COLUMNS`, every site of kind ``hub`` and status ``active``;
        ``attrs["councils"]`` lists the councils kept.
    """
    table = read_text_table(Path(path), report=report, sheet=sheet, is_header=_is_dfe_header)
    cols = {k: find_column(table.frame.columns, v) for k, v in _DFE.items()}
    missing = [k for k in ("name", "postcode") if cols[k] is None]
    if missing:
        raise InputError(
            f"{table.file}: no {' or '.join(repr(_DFE[k][0]) for k in missing)} column; this "
            "does not look like DfE's List of family hub sites (columns Region, "
            "Local_Authority, Family_Hub, Postcode)"
        )
    council = text(table, cols["local_authority"])
    if local_authority:
        table, council = _only_councils(table, council, local_authority)
    name = text(table, cols["name"])
    pcs = postcodes(text(table, cols["postcode"]))
    _report_unplaceable(table, pcs, cols["postcode"] or "Postcode", report)
    ids = _site_ids(council, name)
    _report_repeated(table, council, name, report)
    report_tidied(table, report)
    placed = pcs.notna().to_numpy()
    table, council, name, pcs = subset(table, placed), council[placed], name[placed], pcs[placed]
    ids = [i for i, p in zip(ids, placed, strict=True) if p]
    out = pd.DataFrame(
        {
            "site_id": ids,
            "name": name.to_numpy(),
            "kind": "hub",
            "status": "active",
            "postcode": pcs.fillna("").to_numpy(),
            "latitude": "",
            "longitude": "",
            "local_authority": council.to_numpy(),
            "programme": text(table, cols["programme"]).to_numpy(),
        }
    )
    out.attrs["councils"] = sorted(set(council))
    return out


def _only_councils(table, council: pd.Series, wanted: Sequence[str]):
    """The rows of the councils named (matched ignoring case, spaces and punctuation);
    an unknown name is an error listing the nearest the file holds."""
    keys = council.map(norm)
    have = sorted(set(council))
    for name in wanted:
        if norm(name) not in set(keys):
            raise InputError(
                f"{table.file}: option local_authority names '{name}', which is not in the "
                f"list{did_you_mean(name, have)}; councils are written as the list writes "
                f"them, such as {', '.join(have[:3])}"
            )
    keep = keys.isin({norm(n) for n in wanted}).to_numpy()
    kept = subset(table, keep)
    return kept, council[keep].reset_index(drop=True)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _site_ids(council: pd.Series, name: pd.Series) -> list[str]:
    """``<council>/<hub>`` slugs, a number added where one repeats."""
    seen: dict[str, int] = {}
    ids = []
    for c, n in zip(council, name, strict=True):
        base = f"{_slug(c) or 'hub'}/{_slug(n) or 'site'}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _report_unplaceable(table, pcs: pd.Series, column: str, report: ValidationReport) -> None:
    bad = pcs.isna().to_numpy()
    if bad.any():
        report.warn(
            table.file,
            column,
            f"{int(bad.sum())} hub(s) have no usable postcode, so they cannot be placed and "
            "are left out of the hub network",
            "add the postcode (ask the council), or list the hub in your own hub file with "
            "coordinates",
            rows=[line for line, b in zip(table.lines, bad, strict=True) if b],
        )


def _report_repeated(table, council: pd.Series, name: pd.Series, report) -> None:
    key = council.map(norm) + "|" + name.map(norm)
    repeated = key.duplicated(keep=False).to_numpy()
    if repeated.any():
        report.warn(
            table.file,
            "Family_Hub",
            f"{int(repeated.sum())} row(s) repeat a hub name within a council; each is kept "
            "as its own site (ids end -2, -3...)",
            "check whether they are one hub listed twice; delete the repeat in a copy if so",
            rows=[line for line, r in zip(table.lines, repeated, strict=True) if r],
        )


# --------------------------------------------------------------------------- Open Referral


def read_oruk_hubs(
    path: str | Path | Sequence[str | Path],
    *,
    report: ValidationReport,
    flag: str = "family hub",
) -> pd.DataFrame:
    """The family hub locations of an Open Referral UK directory (JSON as fetched).

    A location is a hub when its name or description contains ``flag`` (any case), or
    when it is a physical location of a service whose name or taxonomy terms contain it.
    Locations are told apart by their id, else by postcode and name; a location named as
    a spoke or linked site is of kind ``spoke``. Hubs with neither coordinates nor a
    postcode are warned about in ``report`` (file, hub, fix).

    Returns
    -------
    pandas.DataFrame
        :data:`HUB_LIST_COLUMNS`, plus ``services`` (the ids of the directory's services
        at the location, ``;``-separated, for joining by id).
    """
    files = expand_paths(path, pattern="*.json")
    want = flag.strip().lower()
    if not want:
        raise InputError("openreferral_hubs: option flag is empty; give words such as 'family hub'")
    sites: dict[str, dict[str, Any]] = {}
    directory = Directory([], files[0].name)
    for file in files:
        for i, record in enumerate(_records(_load(file), file, directory), start=1):
            if isinstance(record, dict):
                _hub_locations(normal_keys(record), file.name, i, want, sites)
    if not sites:
        raise InputError(
            f"{files[0].name}: no location or service in the directory says '{flag}'; give "
            "the words your directory uses with the option flag (such as 'children's "
            "centre'), or list your hubs in a file of your own"
        )
    out = pd.DataFrame(list(sites.values()))
    out["services"] = out["services"].map(lambda ids: ";".join(dict.fromkeys(ids)))
    unplaced = (out["latitude"].astype(str) == "") & (out["postcode"] == "")
    if unplaced.any():
        report.warn(
            files[0].name,
            "location",
            f"{int(unplaced.sum())} hub location(s) have neither coordinates nor a postcode "
            f"and are left out (e.g. '{out.loc[unplaced, 'name'].iloc[0]}')",
            "ask the directory's manager to add the hub's address",
        )
        out = out[~unplaced]
    return out.reset_index(drop=True)


def _hub_locations(s: dict[str, Any], file: str, record: int, want: str, sites: dict) -> None:
    """Add the hub locations of one service record to ``sites`` (keyed by location)."""
    svc = ServiceRecord(file=file, record=record, values={})
    said = " ".join([_text(s.get("name"))] + [t.name for t in _terms(s)]).lower()
    service_is_hub = want in said
    for loc, sal in _locations(s):
        if not isinstance(loc, dict):
            continue
        place = _location(loc, sal, svc)
        if place is None or place["location_type"] == "virtual":
            continue
        own = " ".join(_text(loc.get(k)) for k in ("name", "description")).lower()
        if not (want in own or service_is_hub):
            continue
        key = _text(loc.get("id")) or f"{place['postcode']}|{place['name'].lower()}"
        site = sites.setdefault(
            key,
            {
                "site_id": _text(loc.get("id")) or key,
                "name": place["name"] or _text(s.get("name")),
                "kind": "spoke" if re.search(r"\bspoke\b|linked site", own) else "hub",
                "status": "active",
                "postcode": place["postcode"],
                "latitude": "" if place["latitude"] is None else place["latitude"],
                "longitude": "" if place["longitude"] is None else place["longitude"],
                "local_authority": "",
                "programme": "",
                "services": [],
            },
        )
        if _text(s.get("id")):
            site["services"].append(_text(s.get("id")))
