"""Early years places and take-up, as Ofsted and DfE publish them.

:func:`read_ofsted_childcare` reads Ofsted's register of childcare providers as published
in *Childcare providers and inspections* (the provider-level management information, one
row per registered provider): ``Provider URN``, ``Provider type``, ``Provider status``,
the three register flags (``Provider Early Years Register Flag``...), ``Provider name``,
``Postcode`` (``Provider Postcode`` in later editions), ``Local authority``,
``Parliamentary constituency``, ``Places`` and ``Places including estimates``. Title and
note lines above the header, any capitalisation of the headers (it changed between
editions), a byte-order mark or Windows-1252 text are all read.

Ofsted withholds the name and address of most childminders and of childcare on domestic
premises (``REDACTED``): such a provider keeps its places but has no place of its own, so
it is counted at the level the register publishes it (its local authority and
constituency), never placed in a ward.

:func:`read_dfe_ey_take_up` reads DfE's *Education provision: children under 5 years of
age* table of children registered for funded early education against those eligible
(``time_period``, ``geographic_level``, ``new_la_code``, ``la_name``,
``entitlement_type``, ``age``, ``number_children``, ``number_eligible_children``,
``percentage_eligible_children``), published for local authorities (upper tier) and
England; ``u``, ``c``, ``x``, ``z`` are read as missing.
"""

from __future__ import annotations

__all__ = ["CHILDCARE_COLUMNS", "TAKE_UP_COLUMNS", "read_dfe_ey_take_up", "read_ofsted_childcare"]

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import (
    Table,
    find_column,
    norm,
    postcodes,
    published_numbers,
    read_text_table,
    report_tidied,
    subset,
    text,
)
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

CHILDCARE_COLUMNS = (
    "provider_id",
    "name",
    "provider_type",
    "status",
    "early_years_register",
    "childcare_register",
    "places",
    "places_estimated",
    "postcode",
    "location_withheld",
    "local_authority",
    "constituency",
)
_OFSTED = {
    "urn": ["Provider URN", "URN"],
    "type": ["Provider type"],
    "status": ["Provider status"],
    "eyr": ["Provider Early Years Register Flag", "Early Years Register"],
    "ccr": ["Provider Compulsory Childcare Register Flag"],
    "vcr": ["Provider Voluntary Childcare Register Flag"],
    "registers": ["Individual register combinations"],
    "name": ["Provider name"],
    "postcode": ["Postcode", "Provider Postcode", "Provider postcode"],
    "local_authority": ["Local authority", "Local Authority area"],
    "constituency": ["Parliamentary constituency"],
    "places": ["Places", "Registered places"],
    "estimates": ["Places including estimates", "Registered places including estimates"],
}
_WITHHELD = {"", "REDACTED", "NULL", "WITHHELD", "NOT PUBLISHED"}
# Provider status as Ofsted writes it -> earlyhelp's (only Active providers offer places)
_STATUS = {"active": "active", "suspended": "closed", "resigned": "closed",
           "cancelled": "closed", "inactive": "closed", "closed": "closed"}  # fmt: skip


_POSTCODE_SHAPE = r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}"  # a UK postcode, as ONS writes it


def _is_ofsted_header(row: Sequence[str]) -> bool:
    return any(norm(c) == "providerurn" for c in row)


def read_ofsted_childcare(
    path: str | Path,
    *,
    report: ValidationReport,
    local_authority: Sequence[str] = (),
    sheet: str = "",
) -> pd.DataFrame:
    """Read Ofsted's register of childcare providers as published.

    Parameters
    ----------
    path
        The CSV of provider-level data (or the workbook: name its ``sheet``).
    report
        Where problems are recorded: what was tidied, providers without places, the
        providers whose location is withheld and their places.
    local_authority
        Keep only these councils (as the register writes them, e.g. ``Hampshire``).

    Returns
    -------
    pandas.DataFrame
        :data:`CHILDCARE_COLUMNS`: ``places`` (registered places; ``Places including
        estimates`` where Ofsted gives only that, with ``places_estimated``; missing when
        neither), ``early_years_register`` (places for children from birth to the 31
        August after their fifth birthday) and ``childcare_register`` (school-age
        childcare only), ``status`` active or closed, and ``location_withheld`` where the
        register withholds the postcode.
    """
    table = read_text_table(Path(path), report=report, sheet=sheet, is_header=_is_ofsted_header)
    cols = {k: find_column(table.frame.columns, v) for k, v in _OFSTED.items()}
    missing = [k for k in ("urn", "postcode", "places") if cols[k] is None]
    if missing:
        raise InputError(
            f"{table.file}: no {', '.join(repr(_OFSTED[k][0]) for k in missing)} column; this "
            "does not look like Ofsted's childcare providers register (provider-level data "
            "of 'Childcare providers and inspections')"
        )
    if local_authority:
        table = _only_councils(table, cols["local_authority"], local_authority)
    tidied: list[str] = []
    places = published_numbers(table, cols["places"], report=report, tidied=tidied)
    estimated = published_numbers(table, cols["estimates"], report=report, tidied=tidied)
    use_estimate = places.isna() & estimated.notna()
    places = places.where(~use_estimate, estimated)
    report_tidied(table, report, tidied)
    eyr, ccr = _registers(table, cols)
    raw_pc = text(table, cols["postcode"])
    withheld = raw_pc.str.upper().isin(_WITHHELD).to_numpy()
    clean = postcodes(raw_pc.where(~withheld, "")).fillna("")
    clean = clean.where(clean.str.fullmatch(_POSTCODE_SHAPE), "")  # not one: not placed
    _report_bad_postcodes(table, raw_pc, withheld | (clean != "").to_numpy(), cols, report)
    name = text(table, cols["name"])
    name = name.where(~name.str.upper().isin(_WITHHELD), "")
    out = pd.DataFrame(
        {
            "provider_id": text(table, cols["urn"]).to_numpy(),
            "name": name.to_numpy(),
            "provider_type": text(table, cols["type"]).to_numpy(),
            "status": _statuses(table, cols["status"], report),
            "early_years_register": eyr,
            "childcare_register": ccr & ~eyr,
            "places": places.to_numpy(),
            "places_estimated": use_estimate.to_numpy(),
            "postcode": clean.to_numpy(),
            "location_withheld": withheld,
            "local_authority": text(table, cols["local_authority"]).to_numpy(),
            "constituency": text(table, cols["constituency"]).to_numpy(),
        }
    )
    _report_register(table, out, report)
    return out


def _report_bad_postcodes(table: Table, raw: pd.Series, fine: np.ndarray, cols, report) -> None:
    """Postcodes that are not postcodes (nor a withheld mark): the provider cannot be
    placed, and is counted for its council only."""
    if fine.all():
        return
    bad = np.flatnonzero(~fine)
    report.warn(
        table.file,
        cols["postcode"] or "Provider Postcode",
        f"{len(bad)} provider(s) have a postcode that is not a UK postcode (e.g. "
        f"'{raw.iloc[bad[0]]}'); they cannot be placed in a ward and are counted for their "
        "local authority only",
        "correct the postcode (such as 'PO9 1QJ'), or leave it as published if Ofsted wrote it so",
        rows=[table.lines[i] for i in bad],
    )


def _only_councils(table: Table, column: str | None, wanted: Sequence[str]) -> Table:
    if column is None:
        raise InputError(
            f"{table.file}: option local_authority needs a 'Local authority' column, which "
            "this file has not"
        )
    keys = table.frame[column].map(norm)
    have = sorted(set(table.frame[column]))
    for name in wanted:
        if norm(name) not in set(keys):
            raise InputError(
                f"{table.file}: option local_authority names '{name}', not in the register"
                f"{did_you_mean(name, have)}; write it as the register does"
            )
    return subset(table, keys.isin({norm(n) for n in wanted}).to_numpy())


def _flag(table: Table, column: str | None) -> np.ndarray:
    return text(table, column).str.upper().isin({"Y", "YES", "TRUE", "1"}).to_numpy()


def _registers(table: Table, cols: dict[str, str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Whether each provider is on the Early Years Register, and on a Childcare Register,
    from the flags or else the 'Individual register combinations' (EYR only, EYR-CCR...)."""
    if cols["eyr"] is not None:
        eyr = _flag(table, cols["eyr"])
        ccr = _flag(table, cols["ccr"]) | _flag(table, cols["vcr"])
        return eyr, ccr
    combos = text(table, cols["registers"]).str.upper()
    eyr = (combos.str.contains("EYR") | (combos == "ALL")).to_numpy()
    ccr = (combos.str.contains("CCR|VCR") | (combos == "ALL")).to_numpy()
    if not (eyr | ccr).any():
        eyr = np.ones(len(table.frame), dtype=bool)  # no flags at all: read as early years
    return eyr, ccr


def _statuses(table: Table, column: str | None, report: ValidationReport) -> np.ndarray:
    """active or closed; a status the register has not used before is an error."""
    raw = text(table, column).str.strip().str.lower().replace("", "active")
    known = raw.isin(set(_STATUS))
    if not known.all():
        bad = raw[~known]
        report.error(
            table.file,
            column or "Provider status",
            f"{len(bad)} provider(s) have a status earlyhelp does not know: '{bad.iloc[0]}'",
            f"statuses read are: {', '.join(sorted(_STATUS))}; check the file is the "
            "register as published",
            rows=[table.lines[i] for i in np.flatnonzero(~known.to_numpy())],
        )
    return raw.map(_STATUS).fillna("closed").to_numpy()


def _report_register(table: Table, out: pd.DataFrame, report: ValidationReport) -> None:
    """What the analyst must know: places missing, and the providers Ofsted does not place."""
    active = out["status"] == "active"
    no_places = (active & out["places"].isna()).to_numpy()
    if no_places.any():
        report.warn(
            table.file,
            "Places",
            f"{int(no_places.sum())} active provider(s) give no places (neither 'Places' nor "
            "'Places including estimates'); their places are unknown and count as none",
            "nothing to do: Ofsted does not publish them; say so beside any figure",
            rows=[table.lines[i] for i in np.flatnonzero(no_places)],
        )
    hidden = (active & out["location_withheld"]).to_numpy()
    if hidden.any():
        n = float(out.loc[hidden, "places"].sum())
        report.warn(
            table.file,
            "Postcode",
            f"{int(hidden.sum())} active provider(s) ({n:,.0f} places), mostly childminders, "
            "have their location withheld by Ofsted; they are counted for their local "
            "authority only, never placed in a ward, so ward figures are the other "
            "providers' places",
            "nothing to do; the council's own list of childminders with consent to share "
            "their address can place them",
        )


# --------------------------------------------------------------------------- take-up

TAKE_UP_COLUMNS = (
    "area_code",
    "area_name",
    "level",
    "period",
    "entitlement",
    "age",
    "children",
    "eligible",
    "percent",
)
_TAKE_UP = {
    "period": ["time_period"],
    "level": ["geographic_level"],
    "code": ["new_la_code", "la_code"],
    "name": ["la_name"],
    "entitlement": ["entitlement_type"],
    "age": ["age"],
    "children": ["number_children"],
    "eligible": ["number_eligible_children"],
    "percent": ["percentage_eligible_children"],
}


def _is_take_up_header(row: Sequence[str]) -> bool:
    keys = {norm(c) for c in row}
    return "timeperiod" in keys and "geographiclevel" in keys


def read_dfe_ey_take_up(
    path: str | Path,
    *,
    report: ValidationReport,
    area: str = "",
    period: str = "",
) -> pd.DataFrame:
    """Read DfE's table of children registered for funded early education (take-up).

    Parameters
    ----------
    report
        Where cells read as published symbols (``c``, ``x``, ``z``...) and what was tidied
        are reported, with file, column and fix.
    area
        The council's row: its code (``E10000014``) or name; "" keeps every local
        authority. England's rows are always kept, as the comparator.
    period
        The year (``time_period``, such as ``2024``); the latest by default.

    Returns
    -------
    pandas.DataFrame
        :data:`TAKE_UP_COLUMNS`, one row per area and age (``2-year-olds``, ``3 and
        4-year-olds``...): children registered, children eligible and the percentage as
        published (it can exceed 100 at local level: the population is estimated).
    """
    table = read_text_table(Path(path), report=report, is_header=_is_take_up_header)
    cols = {k: find_column(table.frame.columns, v) for k, v in _TAKE_UP.items()}
    missing = [k for k in ("age", "percent") if cols[k] is None]
    if missing or cols["period"] is None:
        raise InputError(
            f"{table.file}: no 'age' and 'percentage_eligible_children' columns; this is not "
            "DfE's early years take-up table (children registered for funded early education "
            "against those eligible, in 'Education provision: children under 5 years of age')"
        )
    level = text(table, cols["level"]).str.lower()
    periods = sorted(set(text(table, cols["period"])))
    chosen = period or periods[-1]
    if chosen not in periods:
        raise InputError(
            f"{table.file}: period '{period}' is not in the table{did_you_mean(period, periods)};"
            f" it holds {', '.join(periods)}"
        )
    keep = (text(table, cols["period"]) == chosen) & level.isin(["national", "local authority"])
    if area:
        code, name = text(table, cols["code"]), text(table, cols["name"])
        mine = (code.str.upper() == area.strip().upper()) | (name.map(norm) == norm(area))
        if not (mine & keep).any():
            have = sorted(set(name[keep & (level == "local authority")]))
            raise InputError(
                f"{table.file}: no local authority '{area}' in {chosen}"
                f"{did_you_mean(area, have)}; give its code (such as E10000014) or name"
            )
        keep &= mine | (level == "national")
    table = subset(table, keep.to_numpy())
    tidied: list[str] = []
    out = pd.DataFrame(
        {
            "area_code": text(table, cols["code"]).where(
                text(table, cols["level"]).str.lower() != "national", "E92000001"
            ),
            "area_name": text(table, cols["name"]).replace("", "England"),
            "level": text(table, cols["level"]),
            "period": text(table, cols["period"]),
            "entitlement": text(table, cols["entitlement"]),
            "age": text(table, cols["age"]),
            "children": published_numbers(table, cols["children"], report=report, tidied=tidied),
            "eligible": published_numbers(table, cols["eligible"], report=report, tidied=tidied),
            "percent": published_numbers(table, cols["percent"], report=report, tidied=tidied),
        }
    )
    report_tidied(table, report, tidied)
    out.attrs["period"] = chosen
    return out.reset_index(drop=True)
