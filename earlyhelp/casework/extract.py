"""Reading a case-system extract in chunks into compact, pseudonymous keys.

An extract of early help episodes or of referrals can hold a million rows about
children. It is read a chunk at a time (only the mapped columns, as text); each chunk
becomes small integer arrays at once: the child reference as a 64-bit hash (never the
reference itself), dates as day numbers, and each text column as a code into a
vocabulary of its distinct values. Where the child lives becomes a small area and a
district. Nothing else of a row is kept, and :mod:`earlyhelp.casework.counts` turns these
keys into counts and drops them: no row about a child outlives the load.

Memory is the chunk being read (``chunk_rows`` rows of text) plus about 40 bytes a row
for the keys; time is about a second per million rows on a laptop (see
``benchmarks/bench_casework.py``).
"""

from __future__ import annotations

__all__ = ["CHUNK_ROWS", "Keys", "Places", "read_keys"]

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.text import did_you_mean
from earlyhelp.validation import ValidationReport

CHUNK_ROWS = 100_000
NO_DATE = np.iinfo(np.int32).min  # an open episode's end
_EPOCH = np.datetime64("1970-01-01", "D")
_MAX_ROWS_LISTED = 10


@dataclass(frozen=True)
class Places:
    """How an extract's place column becomes a small area and a district: area codes
    (-> district), postcode sectors (-> area, from the postcode lookup) or districts."""

    area_district: pd.Series  # area code -> district code
    sector_area: pd.Series  # postcode sector ("QX24 1") -> area code

    @functools.cached_property
    def district_of_area(self) -> dict[str, str]:
        return {str(a): str(d) for a, d in self.area_district.items()}

    @functools.cached_property
    def area_of_sector(self) -> dict[str, str]:
        return {" ".join(str(s).upper().split()): str(a) for s, a in self.sector_area.items()}

    @functools.cached_property
    def districts(self) -> set[str]:
        return set(self.district_of_area.values())


@dataclass
class Keys:
    """The pseudonymous keys of an extract's rows (held only while counting).

    ``child`` is a 64-bit hash of the reference; ``dates`` day numbers since 1970
    (:data:`NO_DATE` where blank); ``codes`` an integer per row into ``vocab`` of each
    text column (``area`` and ``district`` included; -1 where blank).
    """

    child: np.ndarray
    dates: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    vocab: dict[str, list[str]]
    rows_read: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.child)


def read_keys(
    path: Path,
    *,
    columns: Mapping[str, str],
    dates: Sequence[str],
    coded: Sequence[str],
    places: Places,
    report: ValidationReport,
    what: str,
    chunk_rows: int = CHUNK_ROWS,
) -> Keys:
    """Read an extract (CSV) into :class:`Keys`.

    Parameters
    ----------
    columns
        Canonical name -> the extract's header (the config's column mapping).
    dates
        The date columns; the first is required in every row, the others may be blank.
    coded
        Text columns kept as codes (those the extract has; others are left out).
    places
        Where each row's ``area_code``, ``postcode_sector`` or ``district_code`` points.
    what
        What the file is, for messages ("early help episodes").

    Rows with an unknown place are dropped (a warning); a date that does not parse is an
    error naming its rows. ``child_ref`` and the first date column are required.
    """
    header = _header(path, what)
    present = {c: h for c, h in columns.items() if h in header}
    _require(path, header, columns, present, ["child_ref", dates[0]], what, report)
    where = next((c for c in ("area_code", "postcode_sector", "district_code") if c in present), "")
    if not where:
        report.error(
            path,
            "",
            f"the {what} say nothing of where the child lives",
            "give an area_code, postcode_sector or district_code column (map it under "
            "the section's columns in config.toml)",
        )
    report.raise_if_errors()
    keep = ["child_ref", *dates, *[c for c in coded if c in present], where]
    usecols = sorted({present[c] for c in keep if c in present})
    state = _State(vocab={c: {} for c in [*coded, "area", "district"]})
    reader = pd.read_csv(
        path,
        usecols=usecols,
        dtype=object,  # plain Python strings: much faster to parse than pandas' str dtype
        keep_default_na=False,
        chunksize=chunk_rows,
        encoding="utf-8-sig",
    )
    try:
        for chunk in reader:
            _read_chunk(chunk, present, dates, coded, where, places, state)
    except UnicodeDecodeError:
        raise InputError(
            f"{path.name}: the {what} are not UTF-8 text; save the extract as 'CSV UTF-8'"
        ) from None
    state.report(path, present, report)
    return state.keys(dates, coded)


@dataclass
class _State:
    """What the chunks add up to, while reading."""

    vocab: dict[str, dict[str, int]]
    child: list[np.ndarray] = field(default_factory=list)
    dates: dict[str, list[np.ndarray]] = field(default_factory=dict)
    codes: dict[str, list[np.ndarray]] = field(default_factory=dict)
    rows: int = 0
    bad_dates: dict[str, list[int]] = field(default_factory=dict)
    bad_count: dict[str, int] = field(default_factory=dict)
    unplaced: int = 0
    unplaced_values: set[str] = field(default_factory=set)

    def add_bad(self, column: str, lines: np.ndarray) -> None:
        listed = self.bad_dates.setdefault(column, [])
        listed.extend(int(x) for x in lines[: max(0, _MAX_ROWS_LISTED - len(listed))])
        self.bad_count[column] = self.bad_count.get(column, 0) + len(lines)

    def report(self, path: Path, present: Mapping[str, str], report: ValidationReport) -> None:
        for column, rows in self.bad_dates.items():
            report.error(
                path,
                present[column],
                f"{self.bad_count[column]} date(s) cannot be read",
                "write dates as 2024-04-01 (or 01/04/2024); leave an end date blank while "
                "an episode is open",
                rows=rows,
            )
        if self.unplaced:
            examples = ", ".join(sorted(self.unplaced_values)[:3])
            report.warn(
                path,
                "",
                f"{self.unplaced} row(s) are in no area or district of this run (e.g. "
                f"{examples}); they are left out of every count",
                "check the extract covers the run's districts and uses the same area codes "
                "(or postcode sectors in the postcode lookup)",
            )

    def keys(self, dates: Sequence[str], coded: Sequence[str]) -> Keys:
        def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype)

        return Keys(
            child=joined(self.child, np.uint64),
            dates={c: joined(self.dates.get(c, []), np.int32) for c in dates},
            codes={c: joined(v, np.int32) for c, v in self.codes.items()},
            vocab={c: list(v) for c, v in self.vocab.items()},
            rows_read=self.rows,
            dropped={"no area or district of this run": self.unplaced} if self.unplaced else {},
        )


def _read_chunk(
    chunk: pd.DataFrame,
    present: Mapping[str, str],
    dates: Sequence[str],
    coded: Sequence[str],
    where: str,
    places: Places,
    state: _State,
) -> None:
    """Turn one chunk into keys (the chunk itself is then let go)."""
    lines = np.arange(len(chunk)) + state.rows + 2  # the header is line 1
    state.rows += len(chunk)
    area, district = _place(chunk[present[where]], where, places, state)
    ok = district >= 0
    state.unplaced += int((~ok).sum())
    parsed = {}
    for i, column in enumerate(dates):
        days, bad = _days(chunk[present[column]] if column in present else None, len(chunk))
        bad &= ok
        if i == 0:
            bad |= ok & (days == NO_DATE) & ~bad  # the first date is required
        if bad.any():
            state.add_bad(column, lines[bad])
        ok &= ~bad
        parsed[column] = days
    refs = chunk[present["child_ref"]].to_numpy(dtype=object)
    state.child.append(pd.util.hash_array(refs[ok], categorize=False))
    for column, days in parsed.items():
        state.dates.setdefault(column, []).append(days[ok])
    for column in coded:
        if column in present:
            codes = _codes(chunk[present[column]], state.vocab[column])
            state.codes.setdefault(column, []).append(codes[ok])
    state.codes.setdefault("area", []).append(area[ok])
    state.codes.setdefault("district", []).append(district[ok])


def _distinct(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's position among the distinct texts of ``values``, and those texts
    stripped. Only the distinct texts are handled as strings: a column of a million
    rows holds a few thousand of them."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    return codes, [str(u).strip() for u in uniques]


def _place(
    values: pd.Series, where: str, places: Places, state: _State
) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each row's area (-1 when only the district is known) and district (-1
    when the place is in no district of the run)."""
    codes, uniq = _distinct(values)
    to_district = places.district_of_area
    if where == "postcode_sector":
        sectors = places.area_of_sector
        area = [sectors.get(" ".join(u.upper().split())) for u in uniq]
        district = [to_district.get(a) if a else None for a in area]
    elif where == "area_code":
        area = [u if u in to_district else None for u in uniq]
        district = [to_district.get(u) for u in uniq]
    else:
        known = places.districts
        area = [None] * len(uniq)
        district = [u if u in known else None for u in uniq]
    state.unplaced_values.update([u for u, d in zip(uniq, district, strict=True) if d is None][:3])
    area_code = np.array(_vocab_codes(area, state.vocab["area"]), dtype=np.int32)
    district_code = np.array(_vocab_codes(district, state.vocab["district"]), dtype=np.int32)
    return area_code[codes], district_code[codes]


def _vocab_codes(values, vocab: dict[str, int]) -> list[int]:
    """Each value's code in ``vocab`` (which grows); -1 for a blank or missing one."""
    return [vocab.setdefault(v, len(vocab)) if v else -1 for v in values]


def _codes(values: pd.Series, vocab: dict[str, int]) -> np.ndarray:
    """A code per row into ``vocab`` (which grows), -1 for a blank cell."""
    codes, uniques = _distinct(values)
    mapped = np.array(_vocab_codes(uniques, vocab), dtype=np.int32)
    return mapped[codes] if len(mapped) else np.zeros(len(values), np.int32)


def _days(values: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (since 1970) and which cells do not parse; blank is :data:`NO_DATE`.

    ISO dates (2024-04-01, with or without a time) and UK dates (01/04/2024) are read;
    each distinct text is parsed once.
    """
    if values is None:
        return np.full(n, NO_DATE, np.int32), np.zeros(n, bool)
    codes, distinct = _distinct(values)
    text = pd.Series(distinct, dtype=object)
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(text.str.slice(0, 10), format="%d/%m/%Y", errors="coerce")
    when = iso.fillna(uk)
    blank = (text == "").to_numpy()
    days = ((when.to_numpy(dtype="datetime64[D]") - _EPOCH).astype("int64")).astype(np.int64)
    days = np.where(when.isna().to_numpy(), NO_DATE, days).astype(np.int32)
    bad = when.isna().to_numpy() & ~blank
    return days[codes], bad[codes]


def _header(path: Path, what: str) -> list[str]:
    if not path.is_file():
        raise InputError(
            f"{path}: {what} file not found; check the path in config.toml (relative paths "
            "start from the config file's folder)"
        )
    if path.suffix.lower() not in (".csv", ".txt"):
        raise InputError(f"{path.name}: the {what} must be a CSV file; save the extract as CSV")
    try:
        first = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, UnicodeDecodeError):
        raise InputError(f"{path.name}: the {what} file is empty or not UTF-8 CSV") from None
    return [str(c) for c in first.columns]


def _require(
    path: Path,
    header: list[str],
    columns: Mapping[str, str],
    present: Mapping[str, str],
    needed: Sequence[str],
    what: str,
    report: ValidationReport,
) -> None:
    for column in needed:
        if column not in present:
            report.error(
                path,
                columns.get(column, column),
                f"the {what} have no column '{columns.get(column, column)}'"
                f"{did_you_mean(columns.get(column, column), header)}",
                f"add it, or map {column} to your header in config.toml",
            )
