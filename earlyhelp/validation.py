"""Validation: collect every problem in the inputs, then report them once.

Each check appends :class:`Problem` records (file, row, field, what is wrong, what to do)
to a :class:`ValidationReport`. Errors stop the run (exit code 2); warnings are recorded
in ``validation.csv`` and the manifest, and the run goes on.

Row numbers are those a person sees: for CSV and Excel files the spreadsheet row (the
header is row 1, so the first record is row 2); for GeoJSON, GeoPackage and Shapefile the
feature number counted from 1.
"""

from __future__ import annotations

__all__ = [
    "Problem",
    "ValidationReport",
    "check_ages",
    "check_area_codes",
    "check_categories",
    "check_choices",
    "check_duplicates",
    "check_file_codes",
    "check_lat_lon",
    "check_non_negative",
    "clean_text",
    "drop_spreadsheet_guards",
    "file_stem",
    "parse_numbers",
    "plain_text",
    "require_columns",
    "rows_where",
    "sheet_rows",
]

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from earlyhelp.errors import ValidationFailed
from earlyhelp.text import did_you_mean

_MAX_LISTED = 10  # rows named one by one before a problem is summarised

# Control characters (the escape that starts terminal sequences among them), line and
# paragraph separators, bidirectional overrides and zero-width characters: outside text
# must not drive a terminal, reorder what a reader sees, or break a spreadsheet.
UNPRINTABLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
# the same characters for RE2 (Arrow's vectorised search; tests compare every character)
UNPRINTABLE_RE2 = (
    r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}"
    r"\x{200b}-\x{200f}\x{2028}-\x{202e}\x{2060}-\x{2069}\x{feff}]"
)


def plain_text(value: object) -> str:
    """Outside text safe to print: unprintable characters removed, white space folded."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return " ".join(UNPRINTABLE.sub(" ", str(value)).split())


def clean_text(
    values: pd.Series,
    *,
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> pd.Series:
    """Remove unprintable characters from a text column (a warning names the rows)."""
    text = values.astype("string")
    dirty = contains(text, UNPRINTABLE_RE2)
    if not dirty.any():
        return text
    report.warn(
        file,
        field,
        f"{dirty.sum()} value(s) held control, zero-width or direction-changing characters; "
        "they were removed",
        "check those cells: such characters are invisible and can disguise text",
        rows=rows_where(rows, dirty),
    )
    return text.where(~dirty, text.map(plain_text, na_action="ignore"))


# The apostrophe a spreadsheet guard puts before text that would start a formula
# (outputs.spreadsheet_safe); earlier versions of `earlyhelp import` wrote it into data.
_GUARD = re.compile("^'(?=[=+\\-@\t\r])")
_GUARD_RE2 = r"^'[=+\-@\t\r]"


def drop_spreadsheet_guards(
    values: pd.Series,
    *,
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> pd.Series:
    """Remove the spreadsheet guard (a leading apostrophe before ``= + - @``) from a text
    column of data earlyhelp reads, so families never see ``'+44 1632 960000``; a warning
    names the rows."""
    text = values.astype("string")
    guarded = contains(text, _GUARD_RE2)
    if not guarded.any():
        return text
    example = str(text[guarded].iloc[0])
    report.warn(
        file,
        field,
        f"{guarded.sum()} value(s) start with an apostrophe before + - = or @ (e.g. "
        f'"{example}"), the spreadsheet guard that earlier versions of earlyhelp import '
        f'wrote into their tables; it was removed, so they read "{example[1:]}"',
        "import the file again with this version of earlyhelp, or delete the apostrophes",
        rows=rows_where(rows, guarded),
    )
    return text.where(~guarded, text.str.replace(_GUARD, "", regex=True))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input."""

    severity: str  # "error" | "warning"
    file: str
    row: str  # "" when the problem is about the whole file or column
    field: str
    problem: str
    fix: str

    def line(self) -> str:
        """The one-line form: ``file, row 7, field 'capacity': problem; fix``.

        Safe to print: a cell value quoted in the problem cannot drive the terminal.
        """
        where = [self.file]
        if self.row:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        return plain_text(f"{', '.join(where)}: {self.problem}; {self.fix}")


@dataclass
class ValidationReport:
    """Every problem found while loading one run's inputs."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        severity: str,
        file: str | Path,
        field: str,
        problem: str,
        fix: str,
        *,
        rows: Iterable[int] | int | str = "",
    ) -> None:
        """Record a problem; ``rows`` may name several rows, shown as a compact list."""
        self.problems.append(Problem(severity, _name(file), _rows(rows), field, problem, fix))

    def error(self, file, field, problem, fix, *, rows=""):
        """Record an error (stops the run)."""
        self.add("error", file, field, problem, fix, rows=rows)

    def warn(self, file, field, problem, fix, *, rows=""):
        """Record a warning (the run goes on)."""
        self.add("warning", file, field, problem, fix, rows=rows)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def to_frame(self) -> pd.DataFrame:
        """The report as a table, errors first, in the order found."""
        cols = ["severity", "file", "row", "field", "problem", "fix"]
        frame = pd.DataFrame([p.__dict__ for p in self.problems], columns=cols)
        order = frame["severity"].map({"error": 0, "warning": 1})
        return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o")

    def raise_if_errors(self) -> None:
        """Stop with :class:`ValidationFailed` when any error was recorded."""
        if self.errors:
            raise ValidationFailed(self)


def _name(file: str | Path) -> str:
    return Path(file).name if isinstance(file, Path) else str(file)


def _rows(rows: Iterable[int] | int | str) -> str:
    if isinstance(rows, str):
        return rows
    if isinstance(rows, int | np.integer):
        return str(int(rows))
    listed = [int(r) for r in rows]
    text = ", ".join(str(r) for r in listed[:_MAX_LISTED])
    if len(listed) > _MAX_LISTED:
        text += f" and {len(listed) - _MAX_LISTED} more"
    return text


def rows_where(rows: Sequence[int], mask: Iterable[bool] | np.ndarray) -> list[int]:
    """The row numbers (as a person sees them) of the records where ``mask`` is true."""
    return [rows[int(i)] for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


def sheet_rows(index: pd.Index | Sequence[int], *, header_rows: int = 1) -> list[int]:
    """Row numbers a person sees for positional ``index`` values (0 = first record)."""
    return [int(i) + 1 + header_rows for i in index]


def require_columns(
    frame: pd.DataFrame,
    mapping: dict[str, str],
    required: Sequence[str],
    *,
    file: str | Path,
    section: str,
    report: ValidationReport,
) -> bool:
    """Check that each required canonical column's mapped header is in the file.

    Suggests the closest header in the file and the config line that maps it.
    Returns True when all are present.
    """
    ok = True
    for canonical in required:
        header = mapping[canonical]
        if header in frame.columns:
            continue
        ok = False
        hint = did_you_mean(header, [str(c) for c in frame.columns])
        close = hint.removeprefix(" (did you mean '").removesuffix("'?)")
        fix = (
            f'set {canonical} = "{close}" under [{section}.columns] in config.toml'
            if hint
            else f'add the column, or map it with {canonical} = "<your header>" under '
            f"[{section}.columns]"
        )
        report.error(file, header, f"required column '{header}' is missing{hint}", fix)
    return ok


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _arrow_text(values: pd.Series) -> Any:
    """A column of text as an Arrow array (missing as null), for vectorised checks."""
    import pyarrow as pa

    cells = values.to_numpy(dtype=object, na_value=None)
    return pa.array(cells, type=pa.large_string(), from_pandas=True)


def contains(values: pd.Series, pattern: str) -> np.ndarray:
    """Per cell (bool; missing is False), whether the RE2 ``pattern`` is found in it:
    one vectorised search (Arrow) instead of a Python call per cell."""
    import pyarrow.compute as pc

    found = pc.match_substring_regex(_arrow_text(values.astype("string")), pattern)
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def strip_cells(values: pd.Series) -> tuple[pd.Series, int]:
    """Text cells without the spaces around them (as ``str.strip``), and how many had
    any. Only the cells that start or end with a space are touched: Arrow finds each
    cell's first and last characters and Python judges which of those few distinct
    characters are spaces, so a column of clean cells costs no Python per cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.astype("string")
    text = _arrow_text(values)
    first, last = pc.utf8_slice_codeunits(text, 0, 1), pc.utf8_slice_codeunits(text, -1)
    ends = pc.unique(pa.concat_arrays([first, last])).to_pylist()
    spaces = [c for c in ends if c and c.isspace()]
    if not spaces:
        return values, 0
    space = pa.array(spaces, type=pa.large_string())
    padded = pc.or_(pc.is_in(first, value_set=space), pc.is_in(last, value_set=space))
    mask = padded.fill_null(False).to_numpy(zero_copy_only=False)
    out = values.copy()
    out[mask] = values[mask].str.strip()
    return out, int(mask.sum())


def parse_numbers(
    values: pd.Series,
    *,
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> pd.Series:
    """Parse a column of numbers written as text; blanks become NaN.

    Anything else that is not a plain number ("1 200", "n/a", "£3,000", digits of
    another script) is an error naming the rows and values, so a mistyped cell is never
    silently read as missing. ``rows`` gives the row number a person sees for each value.
    """
    import pyarrow.compute as pc

    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    text, _ = strip_cells(values)
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
    # RE2 (Arrow): \d is 0-9 only, as float() needs
    plain = pc.match_substring_regex(_arrow_text(text), _PLAIN_NUMBER.pattern)
    plain = plain.fill_null(False).to_numpy(zero_copy_only=False)
    bad = ~blank & ~plain
    if bad.any():
        pos = np.flatnonzero(bad)
        examples = ", ".join(f'"{v}"' for v in text[bad].unique()[:3])
        report.error(
            file,
            field,
            f"{bad.sum()} value(s) are not numbers: {examples}",
            "write plain numbers such as 3000 or 12.5 (no £, commas, spaces or words); "
            "leave the cell empty if the value is unknown",
            rows=[rows[int(i)] for i in pos],
        )
    out = pd.to_numeric(text.where(plain), errors="coerce").astype(float)
    return pd.Series(out.to_numpy(), index=values.index, name=values.name)


def check_non_negative(
    values: pd.Series,
    *,
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> None:
    """Negative counts, capacities or costs are errors."""
    neg = (values < 0).to_numpy()
    if neg.any():
        pos = np.flatnonzero(neg)
        report.error(
            file,
            field,
            f"{neg.sum()} negative value(s), e.g. {values.iloc[pos[0]]:g}",
            f"{field} cannot be below zero; correct the value or leave it empty if unknown",
            rows=[rows[int(i)] for i in pos],
        )


def check_duplicates(
    ids: pd.Series,
    *,
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> None:
    """Every id must be unique; each repeated id is reported with all its rows."""
    dup = ids.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    for value in pd.unique(ids[dup]):
        pos = np.flatnonzero((ids == value).to_numpy())
        report.error(
            file,
            field,
            f"id '{value}' appears {len(pos)} times",
            "give each row its own id, or remove the repeated rows",
            rows=[rows[int(i)] for i in pos],
        )


def check_ages(
    min_age: pd.Series,
    max_age: pd.Series,
    *,
    file: str | Path,
    fields: tuple[str, str],
    report: ValidationReport,
    rows: Sequence[int],
) -> None:
    """``min_age`` above ``max_age`` is an error (usually the two columns are swapped)."""
    bad = (min_age > max_age).to_numpy()
    if bad.any():
        pos = np.flatnonzero(bad)
        i = pos[0]
        report.error(
            file,
            fields[0],
            f"{bad.sum()} row(s) have min_age above max_age "
            f"(e.g. {min_age.iloc[i]:g} > {max_age.iloc[i]:g})",
            f"swap '{fields[0]}' and '{fields[1]}' where they were entered the wrong way round",
            rows=[rows[int(i)] for i in pos],
        )
    for values, name in ((min_age, fields[0]), (max_age, fields[1])):
        out = ((values < 0) | (values > 25)).to_numpy()
        if out.any():
            pos = np.flatnonzero(out)
            report.error(
                file,
                name,
                f"{out.sum()} age(s) outside 0 to 25, e.g. {values.iloc[pos[0]]:g}",
                "give ages in whole years (0 to 25), not months or dates",
                rows=[rows[int(i)] for i in pos],
            )


def check_choices(
    values: pd.Series,
    *,
    choices: Sequence[str],
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> pd.Series:
    """Values must be one of ``choices`` (case and spaces forgiven); returns them cleaned."""
    codes, distinct = pd.factorize(values)  # cleaned once per distinct value
    cleaned = pd.Series(distinct, dtype=object).astype("string")
    cleaned = cleaned.str.strip().str.lower().str.replace(" ", "_")
    clean = pd.Series(
        pd.array(np.append(cleaned.to_numpy(dtype=object), pd.NA)[codes], dtype="string"),
        index=values.index,
    )
    bad = clean.notna() & ~clean.isin(list(choices))
    for value in pd.unique(clean[bad]):
        pos = np.flatnonzero((clean == value).to_numpy())
        report.error(
            file,
            field,
            f"'{value}' is not a valid {field}{_suggestion(str(value), choices)}",
            f"use one of: {', '.join(choices)}",
            rows=[rows[int(i)] for i in pos],
        )
    return clean


# "inactive" is not a misspelling of "active": a suggestion must never flip the meaning
_NEGATION = re.compile(r"^(in|un|non|not|no|de|dis|ex)[_\- ]?(?P<rest>.+)$")


def _suggestion(value: str, choices: Sequence[str]) -> str:
    """:func:`did_you_mean`, unless the value is a choice negated (``inactive``,
    ``not_active``, ``unplanned``), which says the opposite and is never suggested."""
    negated = _NEGATION.match(value)
    if negated and any(negated["rest"].startswith(str(c)) for c in choices):
        return ""
    return did_you_mean(value, choices)


def check_categories(
    lists: pd.Series,
    *,
    known: Sequence[str],
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> None:
    """Every category must be a key of the taxonomy in config; suggest the nearest key."""
    exploded = lists.explode()
    bad = exploded.notna() & ~exploded.isin(list(known))
    positions = pd.Series(np.arange(len(lists)), index=lists.index)
    for value in pd.unique(exploded[bad]):
        at = exploded.index[(exploded == value).to_numpy()].unique()
        report.error(
            file,
            field,
            f"unknown category '{value}'{did_you_mean(str(value), known)}",
            "use a key from [categories] in config.toml, or add the category there",
            rows=[rows[i] for i in positions.loc[at]],
        )
    empty = (lists.str.len() == 0).to_numpy()
    if empty.any():
        report.error(
            file,
            field,
            f"{empty.sum()} row(s) have no category",
            "give each service at least one category key from [categories]",
            rows=rows_where(rows, empty),
        )


def check_area_codes(
    codes: pd.Series,
    *,
    reference: pd.Index | None,
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
) -> pd.Series:
    """Area codes mangled by a spreadsheet: floats ("123.0") and lost leading zeros.

    ``reference`` is the set of codes of the areas file, used to spot codes that match
    once their leading zeros are put back. Returns the codes stripped of spaces.
    """
    clean = codes.astype("string").str.strip()
    floaty = clean.str.fullmatch(r"\d+\.0+").fillna(False).astype(bool).to_numpy()
    if floaty.any():
        report.error(
            file,
            field,
            f"{floaty.sum()} area code(s) look like numbers turned into decimals "
            f"(e.g. '{clean[floaty].iloc[0]}')",
            "re-export the file keeping the code column as text (in Excel, format the "
            "column as Text before pasting)",
            rows=rows_where(rows, floaty),
        )
    if reference is not None and len(reference):
        ref = pd.Index(reference.astype(str))
        width = int(ref.str.len().max())
        missing = ~clean.isin(ref) & clean.notna()
        padded = clean.str.zfill(width)
        lost = (missing & padded.isin(ref) & (clean.str.len() < width)).to_numpy()
        if lost.any():
            report.error(
                file,
                field,
                f"{lost.sum()} area code(s) lost their leading zeros "
                f"(e.g. '{clean[lost].iloc[0]}' for '{padded[lost].iloc[0]}')",
                "re-export the file keeping the code column as text, so codes keep "
                "their leading zeros",
                rows=rows_where(rows, lost),
            )
    return clean


def check_lat_lon(
    lat: pd.Series,
    lon: pd.Series,
    *,
    file: str | Path,
    fields: tuple[str, str],
    report: ValidationReport,
    rows: Sequence[int],
) -> None:
    """Catch swapped latitude/longitude and British National Grid metres given as degrees."""
    known = (lat.notna() & lon.notna()).to_numpy()
    metres = known & ((lat.abs() > 90) | (lon.abs() > 180)).to_numpy()
    if metres.any():
        report.error(
            file,
            fields[0],
            f"{metres.sum()} coordinate(s) are far too large for degrees "
            f"(e.g. {lat.iloc[np.flatnonzero(metres)[0]]:g}); they look like British "
            "National Grid metres",
            f"map these columns as easting and northing under [services.columns] instead of "
            f'latitude = "{fields[0]}" and longitude = "{fields[1]}"',
            rows=rows_where(rows, metres),
        )
    zero = known & (lat == 0).to_numpy() & (lon == 0).to_numpy()
    if zero.any():
        report.error(
            file,
            fields[0],
            f"{zero.sum()} point(s) are at latitude 0, longitude 0, in the Atlantic off West "
            "Africa: a blank location exported as zeros",
            f"give the right latitude and longitude, or leave both '{fields[0]}' and "
            f"'{fields[1]}' empty and give a postcode",
            rows=rows_where(rows, zero),
        )
    # Great Britain lies at latitude 49-61 and longitude -9 to 2: swapped values fall
    # at latitude -9..2 and longitude 49..61.
    swapped = known & ~metres & lat.between(-9, 2.5).to_numpy() & lon.between(49, 61).to_numpy()
    if swapped.any():
        report.error(
            file,
            fields[0],
            f"{swapped.sum()} point(s) look like latitude and longitude swapped "
            f"(e.g. latitude {lat.iloc[np.flatnonzero(swapped)[0]]:g})",
            f'swap the mapping: latitude = "{fields[1]}" and longitude = "{fields[0]}"',
            rows=rows_where(rows, swapped),
        )


# --------------------------------------------------------------------------- file names

_STEM_CHARS = 80  # longest file name stem made from outside text


def name_key(value: object) -> str:
    """Lower-case letters and digits of ``value``, accents removed, words single-spaced:
    ``"  Ça<b>fé "`` -> ``"ca b fe"`` (the map's search key, and file names)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def file_stem(value: object, *, default: str = "map") -> str:
    """A file name stem of lower-case letters, digits and ``-`` made from outside text
    (``default`` when nothing is left). Path separators and dots never survive, so a
    district called ``../../x`` cannot write outside the output folder; two codes can give
    one stem (``E07000084`` and ``e07000084``), which :func:`check_file_codes` refuses."""
    return name_key(value).replace(" ", "-")[:_STEM_CHARS] or default


def check_file_codes(
    codes: pd.Series,
    *,
    what: str,
    pattern: str,
    file: str | Path,
    field: str,
    report: ValidationReport,
    rows: Sequence[int],
    reserved: Mapping[str, str] | None = None,
) -> None:
    """Codes that name files (a district's map ``district-<code>.html``, ``pattern`` with
    ``{}`` for the stem) must be there, must give a file name, and must give different
    ones: two codes that differ only in case or punctuation would share one file, and one
    district's map would be written over another's (and linked from both). A code in
    ``reserved`` (in any case: code -> what earlyhelp calls so) is refused too."""
    text = codes.astype("string").str.strip()
    for name, meaning in (reserved or {}).items():
        taken = (text.str.lower() == name.lower()).fillna(False).to_numpy()
        if taken.any():
            report.error(
                file,
                field,
                f"{what} code '{text[taken].iloc[0]}' is what earlyhelp calls {meaning}, so "
                f"that {what}'s rows would be mixed with it",
                f"give the {what} its own code (such as E07000084)",
                rows=rows_where(rows, taken),
            )
    blank = (text.isna() | (text == "")).to_numpy()
    if blank.any():
        report.error(
            file,
            field,
            f"{blank.sum()} row(s) have no {what} code",
            f"give every row the code of its {what}: tables, maps and the report are made "
            f"{what} by {what}",
            rows=rows_where(rows, blank),
        )
    given = pd.Series(pd.unique(text[~blank].astype(str)))
    stems = given.map(lambda c: file_stem(c, default=""))
    for code in given[stems == ""]:
        report.error(
            file,
            field,
            f"{what} code '{code}' has no letter or digit, so it cannot name its map file",
            f"use the {what}'s own code (such as E07000084), written the same way in every row",
            rows=rows_where(rows, (text == code).to_numpy()),
        )
    for stem, group in given[stems != ""].groupby(stems[stems != ""].to_numpy(), sort=True):
        if len(group) < 2:
            continue
        listed = " and ".join(f"'{c}'" for c in sorted(group))
        report.error(
            file,
            field,
            f"{what} codes {listed} would share one map file, {pattern.format(stem)} (file "
            "names keep only lower-case letters, digits and -), so one map would replace "
            "the other",
            f"write each {what}'s code the same way in every row, and give different "
            f"{what}s codes that differ in more than case, spaces or punctuation",
            rows=rows_where(rows, text.isin(list(group)).fillna(False).to_numpy()),
        )
