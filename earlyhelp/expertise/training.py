"""Training for frontline staff: places offered and places taken, per 100 frontline
staff and per setting, by district and sector.

Frontline staff are the ``staff`` of the frontline settings (by the district they are in
and their sector). A course names a district (code or name) or none: a course without a
district is county-wide, shown on its own row and counted in the county's figure only.
Places and attendance are counted as events over a year, so their rates per 100 staff
carry Poisson (Byar or exact) limits.
"""

from __future__ import annotations

__all__ = ["COUNTY_WIDE", "read_training", "training_by_district"]

from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.config import TrainingInput
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.loading import InputRecord, file_sha256, read_table
from earlyhelp.stats import compare_with, rate_ci
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport, parse_numbers

COUNTY_WIDE = "county-wide"


def read_training(
    spec: TrainingInput, *, districts: pd.Series, report: ValidationReport
) -> tuple[pd.DataFrame, InputRecord]:
    """Courses with ``sector``, ``district_code`` (or :data:`COUNTY_WIDE`), ``places``
    and ``attended``; ``districts`` maps the run's district codes to names, so a course
    may name its district either way."""
    if spec.path is None:
        raise ConfigError('[expertise.training] has no path; add path = "..."')
    path = Path(spec.path)
    if not path.is_file():
        raise InputError(f"{path}: the training file is not found; check the path in config.toml")
    table = read_table(path, report=report)
    frame = table.frame.rename(columns={v: k for k, v in spec.columns.items()})
    for column in ("sector", "places"):
        if column not in frame:
            report.error(
                path,
                spec.columns.get(column, column),
                f"the training table has no '{spec.columns.get(column, column)}' column"
                f"{did_you_mean(spec.columns.get(column, column), list(frame.columns))}",
                f"add it, or map {column} under [expertise.training.columns]",
            )
    report.raise_if_errors()
    rows = table.lines
    places = parse_numbers(frame["places"], file=path, field="places", report=report, rows=rows)
    attended = (
        parse_numbers(frame["attended"], file=path, field="attended", report=report, rows=rows)
        if "attended" in frame
        else pd.Series(np.nan, index=frame.index)
    )
    report.raise_if_errors()
    by_name = {str(n).lower(): c for c, n in districts.items()} | {
        str(c).lower(): c for c in districts.index
    }
    named = frame.get("district_code", pd.Series("", index=frame.index)).astype(str).str.strip()
    code = named.str.lower().map(by_name)
    unknown = (named != "") & code.isna()
    if unknown.any():
        report.warn(
            path,
            "district_code",
            f"{int(unknown.sum())} course(s) name a district that is not in the run "
            f"({', '.join(named[unknown].unique()[:3])}); they count as county-wide",
            "write the district's code or name as the areas file has it",
        )
    courses = pd.DataFrame(
        {
            "sector": frame["sector"].astype(str).str.strip().str.lower().to_numpy(),
            "district_code": code.fillna(COUNTY_WIDE).to_numpy(),
            "places": places.fillna(0).to_numpy(),
            "attended": attended.to_numpy(),
        }
    )
    record = InputRecord(
        "expertise_training", str(path), file_sha256(path), rows_read=len(frame),
        rows_used=len(courses),
    )  # fmt: skip
    return courses, record


def training_by_district(
    courses: pd.DataFrame, settings: pd.DataFrame, names: pd.Series
) -> pd.DataFrame:
    """By district (and county-wide) and sector, and for the county: frontline settings
    and staff, training places and attendance, places and attendance per 100 staff (with
    95% limits, compared with the county) and places per setting."""
    staff = settings.groupby(["district_code", "sector"]).agg(
        settings=("kind", "size"), staff=("staff", "sum")
    )
    train = courses.groupby(["district_code", "sector"]).agg(
        courses=("places", "size"), places=("places", "sum"),
        attended=("attended", lambda s: s.sum(min_count=1)),
    )  # fmt: skip
    table = staff.join(train, how="outer")
    for column in ("settings", "staff", "courses", "places"):
        table[column] = table[column].fillna(0)
    county = table.sum(min_count=1)
    county.name = ("County", "all sectors")
    table = pd.concat([table, county.to_frame().T])
    table.index = pd.MultiIndex.from_tuples(table.index, names=["district_code", "sector"])
    codes = table.index.get_level_values(0)
    table.insert(0, "district_name", [names.get(c, c) for c in codes])
    for count in ("places", "attended"):
        ci = rate_ci(table[count].fillna(0).to_numpy(), table["staff"].to_numpy(), per=100)
        table[f"{count}_per_100_staff"] = np.where(table[count].notna(), ci["rate"], np.nan)
        table[f"{count}_lower"] = np.where(table[count].notna(), ci["lower"], np.nan)
        table[f"{count}_upper"] = np.where(table[count].notna(), ci["upper"], np.nan)
        ref = table.loc[("County", "all sectors"), f"{count}_per_100_staff"]
        vs = compare_with(table[f"{count}_lower"], table[f"{count}_upper"], ref).to_numpy()
        vs[-1] = ""
        table[f"{count}_vs"] = vs
    with np.errstate(divide="ignore", invalid="ignore"):
        table["places_per_setting"] = np.where(
            table["settings"] > 0, table["places"] / table["settings"], np.nan
        )
    return table
