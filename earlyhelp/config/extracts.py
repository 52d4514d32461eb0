"""The settings of the rest of the duty: case-system extracts, the reach of social work
expertise and training, and national benchmarks (``[casework]``, ``[expertise]`` and
``[benchmark]`` in ``config.toml``).

Munro's review (2011) asks the arrangements to say how children at risk are identified,
with social work expertise and training available to professionals outside children's
social care (Recommendation 10), boards to assess the effectiveness and value for money of
early help (Recommendation 6), and nationally collected data to be set beside local data
(Recommendation 4). Each section is optional: a command that needs a file that is not
named says which key to set.
"""

from __future__ import annotations

__all__ = [
    "BENCHMARK_TABLES",
    "EPISODE_COLUMNS",
    "OUTCOMES",
    "REFERRAL_COLUMNS",
    "REFERRAL_SOURCES",
    "SITE_COLUMNS",
    "TRAINING_COLUMNS",
    "BenchmarkConfig",
    "CaseworkConfig",
    "EpisodesInput",
    "ExpertiseConfig",
    "ReferralsInput",
    "SitesInput",
    "TrainingInput",
    "extract_paths",
]

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from earlyhelp.units import in_unit

# Canonical columns of an aggregated or pseudonymised early help episodes extract (the
# shape of the Standard Safeguarding Dataset's early help episodes). Where a child lives
# is given by one of area_code, postcode_sector or district_code.
EPISODE_COLUMNS = (
    "child_ref",
    "family_ref",
    "area_code",
    "postcode_sector",
    "district_code",
    "start_date",
    "end_date",
    "reason",
    "outcome",
    "lead_organisation",
    "service_id",
    "category",
    "provider",
)
# Contacts and referrals to children's social care.
REFERRAL_COLUMNS = (
    "child_ref",
    "area_code",
    "postcode_sector",
    "district_code",
    "referral_date",
    "source",
    "outcome",
    "factors",
)
# A table of sites with a kind: frontline settings (schools, early years settings, GP
# practices, health visiting bases) or social work consultation points.
SITE_COLUMNS = (
    "site_id",
    "name",
    "kind",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "sector",
    "staff",
    "delivery",
    "status",
)
# Training courses for frontline staff, one row per course (or per course and district).
TRAINING_COLUMNS = ("course_id", "title", "sector", "district_code", "places", "attended")
# The DfE children in need tables a benchmark reads, by the names DfE gives them.
BENCHMARK_TABLES = ("c1", "c3", "c5", "d1", "d3", "d5", "population")
# How an early help episode closed (local wording is mapped onto these in [casework.outcomes]).
OUTCOMES = ("needs_met", "stepped_up", "stepped_down", "declined", "moved", "other")
# Sources of referral as DfE counts them (table c5), mapped from local wording in
# [casework.sources]; the indicator list groups them as police, health, schools, LA, other.
REFERRAL_SOURCES = (
    "individual",
    "schools",
    "education_services",
    "health_services",
    "housing",
    "la_services",
    "police",
    "other_legal_agency",
    "other",
    "anonymous",
    "unknown",
)


def _identity(names: tuple[str, ...]) -> dict[str, str]:
    return {n: n for n in names}


@dataclass(frozen=True)
class EpisodesInput:
    """Early help episodes, one row each: who (a pseudonymous reference), where, when,
    why, how it closed and who led it."""

    path: Path | None = None
    columns: dict[str, str] = field(default_factory=lambda: _identity(EPISODE_COLUMNS))


@dataclass(frozen=True)
class ReferralsInput:
    """Contacts and referrals to children's social care, one row each."""

    path: Path | None = None
    factor_separator: str = ";"  # several factors in one cell, e.g. "domestic_abuse;mental_health"
    columns: dict[str, str] = field(default_factory=lambda: _identity(REFERRAL_COLUMNS))


@dataclass(frozen=True)
class CaseworkConfig:
    """What the case systems show: identification, outcomes, effectiveness and value for
    money (``earlyhelp casework``; see :mod:`earlyhelp.casework`).

    The period is the year reported on: episodes started, episodes closed and referrals
    made in it. Left blank, it is the year ending ``follow_up_days`` before the last date
    in the extract, so that every closed episode has its follow-up for re-referral.
    """

    episodes: EpisodesInput = field(default_factory=EpisodesInput)
    referrals: ReferralsInput = field(default_factory=ReferralsInput)
    period_start: str = ""  # ISO date, e.g. "2024-04-01" ("" = see above)
    period_end: str = ""  # ISO date, inclusive
    follow_up_days: int = 365  # re-referral: a new episode or referral within this many days
    # local closure reasons -> needs_met, stepped_up, stepped_down, declined, moved, other
    outcomes: dict[str, str] = field(default_factory=dict)
    # local referral sources -> police, health, schools, la_services, individual, other...
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SitesInput:
    """A table of points with a kind: CSV or Excel with easting/northing (EPSG:27700) or
    latitude/longitude; ``format = "gias"`` reads a GIAS extract as published."""

    path: Path | None = None
    sheet: str = ""
    format: str = ""  # "" (the columns below) or "gias"
    options: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=lambda: _identity(SITE_COLUMNS))


@dataclass(frozen=True)
class TrainingInput:
    """Safeguarding and early help training offered to frontline staff."""

    path: Path | None = None
    columns: dict[str, str] = field(default_factory=lambda: _identity(TRAINING_COLUMNS))


@dataclass(frozen=True)
class ExpertiseConfig:
    """The reach of social work expertise and training (``earlyhelp expertise``; see
    :mod:`earlyhelp.expertise`). A setting is *far* from consultation when the nearest
    in-person consultation point is beyond ``far_m`` (or ``far_min`` with travel times);
    phone and online consultation reach every setting and are counted as such."""

    settings: SitesInput = field(default_factory=SitesInput)
    consultation: SitesInput = field(default_factory=SitesInput)
    training: TrainingInput = field(default_factory=TrainingInput)
    far_m: float = 10_000.0
    far_min: float = 30.0

    def far(self, unit: str) -> float:
        """The distance beyond which a setting is far, in the model's unit."""
        return in_unit(self.far_m, self.far_min, unit)


@dataclass(frozen=True)
class BenchmarkConfig:
    """National comparison from the DfE children in need tables (``earlyhelp benchmark``;
    see :mod:`earlyhelp.benchmark`).

    ``council`` is the council compared: its new code (``E10000014``), old DfE number
    (``850``) or name. ``tables`` maps DfE's table names (c1, c3, c5, d1, d3, d5,
    population) to the files as published; indicators whose table is not given are left
    out, and said to be.
    """

    council: str = ""
    neighbours: Path | None = None  # DfE statistical neighbours (2021 list or 2025 model)
    tables: dict[str, Path] = field(default_factory=dict)
    years: int = 0  # trend over the most recent this many years (0: every year published)


def extract_paths(
    casework: CaseworkConfig, expertise: ExpertiseConfig, benchmark: BenchmarkConfig
) -> list[Path]:
    """Every file these sections name (no output may overwrite one)."""
    paths = [
        casework.episodes.path,
        casework.referrals.path,
        expertise.settings.path,
        expertise.consultation.path,
        expertise.training.path,
        benchmark.neighbours,
        *benchmark.tables.values(),
    ]
    return [p for p in paths if p is not None]
