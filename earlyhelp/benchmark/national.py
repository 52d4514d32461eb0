"""The national tables of a benchmark, read as published, and the council and its
statistical neighbours found in them.
"""

from __future__ import annotations

__all__ = ["Council", "NationalData", "find_council", "load_national", "neighbours_of"]

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from earlyhelp.config import BenchmarkConfig
from earlyhelp.errors import ConfigError, InputError
from earlyhelp.loading import InputRecord, file_sha256
from earlyhelp.sources.dfe_cin import read_cin_table
from earlyhelp.sources.dfe_neighbours import read_statistical_neighbours
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

ENGLAND = "E92000001"


@dataclass(frozen=True)
class Council:
    """A council as DfE's tables name it: new code, old DfE number and name."""

    code: str
    old_code: str
    name: str


@dataclass(frozen=True)
class NationalData:
    """Every table read (long, as :func:`~earlyhelp.sources.dfe_cin.read_cin_table`
    returns them), the statistical neighbours, and what the manifest says of each file."""

    tables: dict[str, pd.DataFrame]
    neighbours: pd.DataFrame | None
    records: tuple[InputRecord, ...]
    report: ValidationReport = field(default_factory=ValidationReport)

    def councils(self) -> pd.DataFrame:
        """Every council in the tables (code, old code, name), the latest name kept."""
        frames = [
            t.loc[t["geographic_level"].str.lower() == "local authority", _PLACE]
            for t in self.tables.values()
        ]
        if not frames:
            return pd.DataFrame(columns=["code", "old_la_code", "name"])
        places = pd.concat(frames).sort_values("time_period", kind="stable")
        return places.drop_duplicates("code", keep="last")[["code", "old_la_code", "name"]]


_PLACE = ["time_period", "code", "old_la_code", "name"]


def load_national(cfg: BenchmarkConfig) -> NationalData:
    """Read every table named in ``[benchmark]`` (each checked to be the table its key
    says); every problem is collected and raised once."""
    if not cfg.tables:
        raise ConfigError(
            '[benchmark] names no DfE tables; add [benchmark.tables] with c1 = "..." and '
            "the others you have (c3, c5, d1, d3, d5, population)"
        )
    report = ValidationReport()
    tables: dict[str, pd.DataFrame] = {}
    records = []
    for name, path in cfg.tables.items():
        path = _existing(path, f"[benchmark.tables] {name}")
        tables[name] = read_cin_table(path, report=report, table=name)
        records.append(_record(f"benchmark_{name}", path, len(tables[name])))
    neighbours = None
    if cfg.neighbours is not None:
        path = _existing(cfg.neighbours, "[benchmark] neighbours")
        neighbours = read_statistical_neighbours(path, report=report)
        records.append(_record("benchmark_neighbours", path, len(neighbours)))
    report.raise_if_errors()
    return NationalData(tables, neighbours, tuple(records), report)


def find_council(data: NationalData, text: str) -> Council:
    """The council named by ``text``: its new code, old DfE number or name (any case)."""
    councils = data.councils()
    if not text:
        raise ConfigError(
            "[benchmark] council is not set; name the council to compare, e.g. council = "
            '"E10000014" (or its DfE number "850", or its name)'
        )
    wanted = text.strip().lower()
    for column in ("code", "old_la_code", "name"):
        hit = councils[councils[column].astype(str).str.lower() == wanted]
        if len(hit):
            row = hit.iloc[-1]
            return Council(str(row["code"]), str(row["old_la_code"]), str(row["name"]))
    names = councils["name"].astype(str).tolist()
    raise ConfigError(
        f"[benchmark] council = '{text}' is not in the tables{did_you_mean(text, names)}; "
        "give its new code (E10000014), DfE number (850) or name as the tables spell it"
    )


def neighbours_of(data: NationalData, council: Council) -> tuple[list[Council], list[str]]:
    """The council's statistical neighbours in DfE's order, and notes on any that the
    tables do not hold (a council reorganised since the list was made)."""
    if data.neighbours is None:
        return [], ["No statistical neighbours file was given: the council is compared "
                    "with England only."]  # fmt: skip
    sn = data.neighbours
    mine = sn[(sn["old_la_code"] == council.old_code) & ~sn["retired"]]
    if mine.empty:
        return [], [
            f"{council.name} ({council.old_code}) is not in the statistical neighbours file: "
            "it is compared with England only."
        ]
    by_old = data.councils().drop_duplicates("old_la_code", keep="last").set_index("old_la_code")
    found, notes = [], []
    for old in mine.sort_values("rank")["neighbour"]:
        if old in by_old.index:
            row = by_old.loc[old]
            found.append(Council(str(row["code"]), str(old), str(row["name"])))
        else:
            notes.append(
                f"Neighbour {old} is not in the children in need tables (a council "
                "reorganised since the list was made); it is left out of the average."
            )
    return found, notes


def _existing(path: Path, what: str) -> Path:
    if not Path(path).is_file():
        raise InputError(
            f"{path}: {what} file not found; check the path in config.toml (relative paths "
            "start from the config file's folder)"
        )
    return Path(path)


def _record(role: str, path: Path, rows: int) -> InputRecord:
    return InputRecord(role, str(path), file_sha256(path), rows_read=rows, rows_used=rows)
