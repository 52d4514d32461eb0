"""Coverage: which areas and children each indicator covers, said out loud.

An indicator published for part of the county (a county council's JSNA without its
unitaries, say) leaves the other areas without a value. Missing is never zero: those
areas are scored on the indicators they have, and never called for by the one they lack.
:func:`indicator_coverage` says, per indicator, how many areas and children it covers and
which districts it misses; :func:`indicators_scored` counts the indicators behind each
area's need index; :func:`coverage_warnings` turns both into the lines the validation
report prints, naming the districts and their children.
"""

from __future__ import annotations

__all__ = ["coverage_warnings", "indicator_coverage", "indicators_scored"]

from collections.abc import Mapping

import numpy as np
import pandas as pd

from earlyhelp.config import IndicatorConfig
from earlyhelp.geography import GEOGRAPHIES
from earlyhelp.need.bands import children
from earlyhelp.need.values import indicator_column, indicator_values, is_placed


def indicators_scored(need: pd.DataFrame, indicators: Mapping[str, IndicatorConfig]) -> pd.Series:
    """How many of the weighted indicators (weight above 0) have a value in each area:
    the indicators its need index rests on. Named ``indicators_scored``."""
    used = {n: i for n, i in indicators.items() if i.weight > 0}
    has = pd.DataFrame(
        {n: indicator_values(need, n, i)["value"].notna() for n, i in used.items()},
        index=need.index,
    )
    return has.sum(axis=1).astype(int).rename("indicators_scored")


def indicator_coverage(
    need: pd.DataFrame, indicators: Mapping[str, IndicatorConfig], areas: pd.DataFrame
) -> pd.DataFrame:
    """Per indicator (index ``indicator``): ``label``, ``geography``, ``interval`` (where
    its 95% interval comes from), ``areas``, ``areas_with_value``, ``children`` (0-19, in
    areas with need data), ``children_with_value``, ``share_of_children``, ``fit`` (the
    children-weighted share of each area inside its unit, where a best-fit lookup says)
    and ``districts_without`` / ``districts_partly``: ``[(district name, areas without a
    value, areas, children without)]``."""
    need = need.reindex(areas.index)
    kids = children(need)
    district = (
        areas["district_name"]
        .astype(str)
        .where(areas["district_name"].notna(), areas["district_code"].astype(str))
    )
    rows = []
    for name, ind in indicators.items():
        has = indicator_values(need, name, ind)["value"].notna()
        per = pd.DataFrame({"has": has, "gone": kids.where(~has), "district": district})
        by = per.groupby("district", sort=True).agg(
            areas=("has", "size"), with_value=("has", "sum"), missing_children=("gone", "sum")
        )
        missing = by[by["with_value"] < by["areas"]]
        listed = [
            (str(d), int(r["areas"] - r["with_value"]), int(r["areas"]),
             float(r["missing_children"]))
            for d, r in missing.iterrows()
        ]  # fmt: skip
        rows.append(
            {
                "indicator": name,
                "label": ind.label or name,
                "geography": GEOGRAPHIES.get(ind.geography, ind.geography),
                "interval": _interval(need, name, ind),
                "areas": len(per),
                "areas_with_value": int(has.sum()),
                "children": float(kids.sum()),
                "children_with_value": float(kids[has].sum()),
                "share_of_children": float(kids[has].sum() / kids.sum()) if kids.sum() else np.nan,
                "fit": _fit(need, name, kids),
                "districts_without": [d for d in listed if d[1] == d[2]],
                "districts_partly": [d for d in listed if d[1] < d[2]],
            }
        )
    return pd.DataFrame(rows).set_index("indicator") if rows else pd.DataFrame()


def _interval(need: pd.DataFrame, name: str, ind: IndicatorConfig) -> str:
    if is_placed(need, name):
        found = need[indicator_column(name, "interval")].dropna()
        return str(found.iloc[0]) if len(found) else "none"
    if ind.kind == "count":
        return "computed (Poisson)"
    return "supplied" if ind.lower else "none"


def _fit(need: pd.DataFrame, name: str, kids: pd.Series) -> float:
    column = indicator_column(name, "fit")
    if column not in need.columns or need[column].isna().all():
        return np.nan
    fit = need[column].astype(float)
    ok = fit.notna() & kids.notna()
    return float((fit[ok] * kids[ok]).sum() / kids[ok].sum()) if kids[ok].sum() else np.nan


def _districts(listed: list[tuple[str, int, int, float]], *, whole: bool) -> str:
    if whole:
        parts = [f"{d} ({n:,} areas, {c:,.0f} children)" for d, n, _, c in listed]
    else:
        parts = [f"{n:,} of {of:,} areas in {d} ({c:,.0f} children)" for d, n, of, c in listed]
    joint = " or " if whole else " and "
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + joint + parts[-1]


def coverage_warnings(
    coverage: pd.DataFrame,
    scored: pd.Series,
    areas: pd.DataFrame,
    *,
    files: Mapping[str, str],
) -> list[tuple[str, str, str, str]]:
    """The validation lines of :func:`indicator_coverage` and :func:`indicators_scored`:
    ``(file, field, problem, fix)``, one per indicator that misses areas, one for the
    areas scored on fewer indicators than the most, one for a best fit below 99%."""
    out = []
    for name, row in coverage.iterrows():
        where = files.get(str(name), "need")
        missing = row["areas"] - row["areas_with_value"]
        if row["fit"] < 0.99:
            out.append((where, f"[indicators.{name}]",
                f"the lookup to {row['geography']}s is a best fit: {row['fit']:.1%} of the "
                "children live inside the unit their area is given",
                "the rest take the value of a neighbouring unit; a lookup of the same "
                "boundaries' vintage fits better"))  # fmt: skip
        if not missing:
            continue
        gone = row["children"] - row["children_with_value"]
        text = (
            f"indicator '{name}' ({row['geography']}) has no value for {missing:,} of "
            f"{row['areas']:,} areas ({gone:,.0f} of {row['children']:,.0f} children)"
        )
        if row["districts_without"]:
            text += ": none in " + _districts(row["districts_without"], whole=True)
        if row["districts_partly"]:
            text += ("; and " if row["districts_without"] else ": ") + _districts(
                row["districts_partly"], whole=False
            )
        out.append((where, f"[indicators.{name}]", text,
            "missing is not zero: those areas are scored on their other indicators and this "
            "one calls for nothing there; add their values (another publisher's table), or "
            "analyse only the districts covered with [run] districts"))  # fmt: skip
    out.extend(_fewer_warning(scored, areas))
    return out


def _fewer_warning(scored: pd.Series, areas: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    if scored.empty or scored.max() == scored.min():
        return []
    most = int(scored.max())
    fewer = scored[scored < most]
    district = areas["district_name"].reindex(fewer.index).astype(str)
    groups = fewer.groupby(fewer).size().sort_index()
    counts = "; ".join(f"{n:,} on {k} of {most}" for k, n in groups.items())
    named = ", ".join(f"{d} ({n:,})" for d, n in district.value_counts().head(8).items())
    return [("need", "indicators",
        f"{len(fewer):,} of {len(scored):,} areas are scored on fewer indicators than the "
        f"others ({counts}; by district: {named}): their need index rests on those alone"
        + (f", and {int((scored == 0).sum()):,} have no need index at all"
           if (scored == 0).any() else ""),
        "read the need index of those areas with care, or find the missing indicators for "
        "them; areas without a need index never count as high need")]  # fmt: skip
