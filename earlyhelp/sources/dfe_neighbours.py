"""DfE children's services statistical neighbours: each council's ten most similar
councils, as DfE publishes them for benchmarking.

Two layouts are read, told apart by their headers:

- the **April 2021 list** (the benchmarking tool's LGR version): ``LA num, LA Name,
  LA number, GOInd, GOReg, SN1, SNP, SN2, SNP, ... SN10, SNP``, with a block headed
  ``Old SNs:`` for councils that no longer exist (kept, marked ``retired``);
- the **2025 model**: ``old_la_code, la_name, region_ind, region_name, SN_1, SN_1P, ...
  SN_10, SN_10P``.

Councils are DfE's old three-digit numbers (Hampshire 850); decode them with the
``old_la_code`` and ``new_la_code`` of any children in need table.
"""

from __future__ import annotations

__all__ = ["NEIGHBOUR_COLUMNS", "read_statistical_neighbours"]

import re
from pathlib import Path

import pandas as pd

from earlyhelp.errors import InputError
from earlyhelp.sources._tables import norm, read_text_table
from earlyhelp.validation import ValidationReport

NEIGHBOUR_COLUMNS = ("old_la_code", "la_name", "rank", "neighbour", "closeness", "retired")
_RANK_2021 = re.compile(r"^sn(\d+)$")
_RANK_2025 = re.compile(r"^sn_(\d+)$")


def read_statistical_neighbours(path: str | Path, *, report: ValidationReport) -> pd.DataFrame:
    """Read a DfE statistical neighbours file as published.

    Returns
    -------
    DataFrame
        One row per council and neighbour: ``old_la_code`` (the council, as text),
        ``la_name``, ``rank`` (1 = closest), ``neighbour`` (its old code), ``closeness``
        (DfE's words, e.g. "Very close") and ``retired`` (in the ``Old SNs:`` block).
        ``attrs["model"]`` is ``"2021"`` or ``"2025"``.
    """
    path = Path(path)
    read = read_text_table(path, report=report)
    headers = [str(c).strip() for c in read.frame.columns]
    ranks = _rank_columns(headers)
    if not ranks:
        raise InputError(
            f"{path.name}: no neighbour columns (SN1 ... SN10, or SN_1 ... SN_10) were found; "
            "this is not a DfE statistical neighbours file as published"
        )
    model = "2025" if _RANK_2025.match(headers[ranks[0][1]].lower()) else "2021"
    code_col = headers[0]
    name_col = headers[1]
    rows = []
    retired = False
    for record, line in zip(read.frame.itertuples(index=False), read.lines, strict=True):
        cells = [str(v).strip() for v in record]
        code, name = cells[0], cells[1]
        if not code:
            retired = retired or name.lower().startswith("old sn")
            continue
        if not code.isdigit():
            report.warn(
                path,
                code_col,
                f"'{code}' is not a DfE council number; the row is left out",
                "keep the file as published",
                rows=line,
            )
            continue
        for rank, at in ranks:
            neighbour = cells[at]
            if not neighbour:
                continue
            closeness = cells[at + 1] if at + 1 < len(cells) else ""
            rows.append((code, name, rank, neighbour, closeness, retired))
    out = pd.DataFrame(rows, columns=list(NEIGHBOUR_COLUMNS))
    out.attrs["model"] = model
    out.attrs["columns"] = (code_col, name_col)
    return out


def _rank_columns(headers: list[str]) -> list[tuple[int, int]]:
    """(rank, position) of each neighbour column; its closeness is the next column."""
    found = []
    for at, header in enumerate(headers):
        text = header.lower().split(".")[0]  # pandas numbers repeated headers: SNP.1
        match = _RANK_2025.match(text) or _RANK_2021.match(norm(text))
        if match and not text.endswith("p"):
            found.append((int(match.group(1)), at))
    return sorted(found)
