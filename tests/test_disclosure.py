"""Small-number suppression: a worked example spelled out cell by cell, then invariants on
many seeded random tables (no small count survives, no total gives a hidden cell back)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from earlyhelp.disclosure import (
    MISSING,
    PUBLICATION_ATTR,
    check_publishable,
    is_publishable,
    mark_unpublished,
    suppress,
)
from earlyhelp.errors import EarlyHelpError

COUNTS = ["a", "b", "c", "total"]


def _worked_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district": ["North", "South", "East", "County"],
            "a": [12, 0, 7, 19],
            "b": [3, 8, 9, 20],
            "c": [20, 15, 1, 36],
            "total": [35, 23, 17, 75],
            "rate_b": [85.7, 347.8, 529.4, 266.7],
        },
        index=pd.Index(["N", "S", "E", "Total"], name="code"),
    )


def test_worked_example():
    """Families helped, by district (rows) and category of help (a, b, c), with a total
    column and a county total row.

    Analyst table            Published table
          a   b   c total          a   b   c total rate_b
    N    12   3  20    35     N    *   *  20    35      *
    S     0   8  15    23     S    0   *   *    23      *
    E     7   9   1    17     E    *   9   *    17  529.4
    Tot  19  20  36    75     Tot 19  20  36    75  266.7

    1. Primary: N.b = 3 and E.c = 1 are from 1 to 5.
    2. Row N has one hidden cell, so its total 35 would give N.b = 35 - 12 - 20: hide the
       smallest other non-zero cell, N.a = 12. Row E likewise: hide E.a = 7 (7 < 9).
    3. Column b (total 20) has one hidden cell: hide S.b = 8 (8 < 9). Column c: S.c = 15.
    4. Now every row and column has 0 or 2 hidden cells. S.a stays "0", not hidden: zeros
       are not small numbers. rate_b is hidden wherever b is hidden (its numerator).
    """
    out = suppress(
        _worked_table(),
        count_columns=COUNTS,
        rate_columns={"rate_b": "b"},
        total_row="Total",
        column_totals={"total": ["a", "b", "c"]},
    )
    expected = pd.DataFrame(
        {
            "district": ["North", "South", "East", "County"],
            "a": ["*", "0", "*", "19"],
            "b": ["*", "*", "9", "20"],
            "c": ["20", "*", "*", "36"],
            "total": ["35", "23", "17", "75"],
            "rate_b": ["*", "*", "529.4", "266.7"],
        },
        index=pd.Index(["N", "S", "E", "Total"], name="code"),
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert out.attrs["suppressed_cells"] == 6
    assert is_publishable(out)


def test_input_table_is_not_changed():
    table = _worked_table()
    before = table.copy()
    suppress(table, count_columns=COUNTS, total_row="Total")
    pd.testing.assert_frame_equal(table, before)
    assert table.attrs == {}


def test_zero_suppressed_and_missing_stay_distinct():
    table = pd.DataFrame({"n": [0, 3, np.nan, 12], "rate": [0.0, 30.0, np.nan, 120.0]})
    out = suppress(table, count_columns=["n"], rate_columns={"rate": "n"})
    assert out["n"].tolist() == ["0", "*", MISSING, "12"]
    assert out["rate"].tolist() == ["0.0", "*", MISSING, "120.0"]
    assert len({"0", "*", MISSING}) == 3
    custom = suppress(table, count_columns=["n"], symbol="[c]", missing="[x]")
    assert custom["n"].tolist() == ["0", "[c]", "[x]", "12"]


def test_lone_hidden_cell_beside_zeros_hides_the_total_not_a_zero():
    """Hiding a zero next to a 3 would leave hidden cells summing to 3; hide the total."""
    table = pd.DataFrame({"a": [3], "b": [0], "total": [3]})
    out = suppress(table, count_columns=["a", "b", "total"], column_totals={"total": ["a", "b"]})
    assert out.iloc[0].tolist() == ["*", "0", "*"]


def test_rates_on_secondary_suppressions_are_hidden_too():
    table = pd.DataFrame(
        {"n": [3, 40, 50, 93], "rate": [1.0, 2.0, 3.0, 4.0], "lower": [0.1, 1.5, 2.5, 3.8]},
        index=["x", "y", "z", "all"],
    )
    out = suppress(
        table, count_columns=["n"], rate_columns={"rate": "n", "lower": "n"}, total_row="all"
    )
    assert out["n"].tolist() == ["*", "*", "50", "93"]  # 40 hidden to protect the 3
    assert out["rate"].tolist() == ["*", "*", "3.0", "4.0"]
    assert out["lower"].tolist() == ["*", "*", "2.5", "3.8"]


def test_total_rows_per_group_with_a_multiindex():
    """Each district's total row protects only its own areas."""
    index = pd.MultiIndex.from_tuples(
        [
            ("D1", "E01"),
            ("D1", "E02"),
            ("D1", "E03"),
            ("D1", "Total"),
            ("D2", "E04"),
            ("D2", "E05"),
            ("D2", "Total"),
        ],
        names=["district", "area"],
    )
    table = pd.DataFrame({"n": [2, 30, 10, 42, 20, 25, 45]}, index=index)
    out = suppress(table, count_columns=["n"], total_row="Total")
    assert out["n"].tolist() == ["*", "30", "*", "42", "20", "25", "45"]


def test_min_count_zero_hides_zeros_as_well():
    out = suppress(pd.DataFrame({"n": [0, 6]}), count_columns=["n"], min_count=0)
    assert out["n"].tolist() == ["*", "6"]


def _published_counts(out: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Numbers shown in the published table (NaN where hidden or missing)."""
    return out[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_are_safe(seed):
    """Invariants on seeded random tables full of small numbers (and some zeros and
    missing cells), with a total column and a total row:

    - no published count from 1 to 5 survives;
    - every shown count is the analyst's count, unchanged;
    - every published total (row or column) has 0 or at least 2 hidden cells among itself
      and its parts, so no total gives a hidden cell back by subtraction;
    - rates built on hidden counts are hidden.
    """
    rng = np.random.default_rng(seed)
    n_rows, n_cols = rng.integers(2, 9), rng.integers(2, 6)
    parts = [f"c{j}" for j in range(n_cols)]
    body = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 45, 150], size=(n_rows, n_cols))
    table = pd.DataFrame(body, columns=parts, index=[f"r{i}" for i in range(n_rows)]).astype(float)
    table["total"] = table[parts].sum(axis=1)
    table.loc["Total"] = table.sum()
    if seed % 3 == 0:  # a missing cell in a part column: the sums stay as they were
        table.iloc[0, 0] = np.nan
    table["rate"] = table["c0"] / table["total"].where(table["total"] > 0) * 1000
    cols = [*parts, "total"]

    out = suppress(
        table,
        count_columns=cols,
        rate_columns={"rate": "c0"},
        total_row="Total",
        column_totals={"total": parts},
    )

    shown = _published_counts(out, cols)
    original = table[cols].to_numpy(dtype=float)
    hidden = (out[cols] == "*").to_numpy()
    missing = (out[cols] == MISSING).to_numpy()
    assert not np.any((shown >= 1) & (shown <= 5))
    np.testing.assert_array_equal(shown[~hidden & ~missing], original[~hidden & ~missing])
    np.testing.assert_array_equal(missing, np.isnan(original))
    assert np.all(hidden[(original >= 1) & (original <= 5)])

    # column groups: each row's parts and its total
    for i in range(n_rows + 1):
        k = hidden[i, :].sum()
        assert k == 0 or k >= 2, f"row {i} reveals a hidden cell"
    # row groups: each column's body rows and the total row
    for j in range(len(cols)):
        k = hidden[:, j].sum()
        assert k == 0 or k >= 2, f"column {cols[j]} reveals a hidden cell"
    assert (out["rate"][hidden[:, 0]] == "*").all()


def test_arguments_that_would_be_unsafe_or_ambiguous_are_refused():
    table = _worked_table()
    with pytest.raises(ValueError, match="different"):
        suppress(table, count_columns=COUNTS, symbol="*", missing="*")
    with pytest.raises(ValueError, match="reads as a number"):
        suppress(table, count_columns=COUNTS, symbol="0")
    with pytest.raises(ValueError, match="not a count column"):
        suppress(table, count_columns=["a"], rate_columns={"rate_b": "b"})
    with pytest.raises(ValueError, match="not in the table"):
        suppress(table, count_columns=["nope"])
    with pytest.raises(ValueError, match="total_row"):
        suppress(table, count_columns=COUNTS, total_row="County total")
    with pytest.raises(ValueError, match="non-count"):
        suppress(table, count_columns=["a", "b"], column_totals={"total": ["a", "b"]})
    with pytest.raises(ValueError, match="min_count"):
        suppress(table, count_columns=COUNTS, min_count=6, max_count=5)


def test_unpublished_tables_are_marked_and_refused():
    analyst = pd.DataFrame({"n": [3, 12]})
    marked = mark_unpublished(analyst, note="need by area with small counts")
    assert marked.attrs[PUBLICATION_ATTR] == "unpublished"
    assert marked.attrs["publication_note"] == "need by area with small counts"
    assert analyst.attrs == {}  # the input is not changed
    assert marked[["n"]].attrs[PUBLICATION_ATTR] == "unpublished"  # travels with selections
    for table in (analyst, marked):  # unmarked counts as unpublished too
        assert not is_publishable(table)
        with pytest.raises(EarlyHelpError, match=r"board map.*suppress"):
            check_publishable(table, name="board map")
    published = suppress(analyst, count_columns=["n"])
    check_publishable(published, name="board map")
    assert not is_publishable(mark_unpublished(published))


def test_a_published_table_changed_afterwards_is_not_publishable():
    """pandas carries attrs through assign and concat; the guard looks at the table too."""
    published = suppress(pd.DataFrame({"n": [3, 12]}), count_columns=["n"])
    assert is_publishable(published)
    assert not is_publishable(published.assign(raw=[3, 12]))  # a column added
    extra_row = pd.concat([published, pd.DataFrame({"n": ["4"]})], ignore_index=True)
    extra_row.attrs = published.attrs  # even if the mark is carried over
    assert not is_publishable(extra_row)
    assert is_publishable(published.copy())


def test_published_run_outputs_give_no_small_count_back(tmp_path):
    """A district of 3 children and an area of 4: every published figure that could give
    them back (the count, the share and its interval, places and spend per child, the
    other areas' counts beside the district total) is hidden."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import make_tiny

    from earlyhelp.assessment import assess
    from earlyhelp.columns import PUBLISHED_CHILDREN
    from earlyhelp.config import load_config
    from earlyhelp.publish.maps import board_layers
    from earlyhelp.publish.tables import run_publication

    tiny = make_tiny(tmp_path / "tiny")
    need = tiny.read("need.csv")
    bands = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19", "pop_0_17"]
    east = [f"E01{i + 1:06d}" for i in range(16) if i % 4 >= 2]
    need.loc[need["area_code"].isin(east), bands] = "0"
    need.loc[need["area_code"] == east[0], ["pop_0_4", "pop_0_17"]] = "3"
    need.loc[need["area_code"] == "E01000001", bands] = ["4", "0", "0", "0", "0", "4"]
    tiny.write("need.csv", need)
    run = assess(load_config(tiny.config))

    published = run_publication(run)
    summary = published.table("district_summary")
    for district in ("E07000002", "E07000001"):  # East is small; West hides with it
        row = summary.loc[district]
        assert row["children"] == "*"
        for col in (
            "pct_full_core_range",
            "pct_lower",
            "pct_upper",
            "vs_county",
            "pct_adequate_places",
            "adequate_vs_county",
            "capacity_per_1000",
            "spend_per_child",
        ):
            assert row[col] == "*", col

    areas = run.inputs.areas.join(published.area_children.rename(PUBLISHED_CHILDREN))
    shown, _ = board_layers(areas, run.config)
    west = shown[shown["district_code"] == "E07000001"]["children"]
    assert west.loc["E01000001"] == "*"
    assert (west == "*").sum() >= 2  # a lone hidden area would be the total minus the rest
    assert "4" not in {str(v) for v in shown["children"]}
    assert "3" not in {str(v) for v in shown["children"]}


def test_an_area_too_small_to_show_shows_nothing_its_need_says(tiny):
    """Attribute disclosure: where an area's children are hidden, so are its need index
    and the help its need calls for (set by one or two families there)."""
    from earlyhelp.assessment import assess
    from earlyhelp.columns import PUBLISHED_CHILDREN
    from earlyhelp.config import load_config
    from earlyhelp.publish.maps import board_layers
    from earlyhelp.publish.tables import run_publication

    need = tiny.read("need.csv")
    bands = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19", "pop_0_17"]
    need.loc[need["area_code"] == "E01000006", bands] = ["3", "0", "0", "0", "0", "3"]
    need.loc[need["area_code"] == "E01000006", "cp_plans"] = "2"  # calls for parenting
    tiny.write("need.csv", need)
    run = assess(load_config(tiny.config))
    areas = run.areas.join(run.inputs.need).join(run.require_sufficiency().need_index)
    areas = areas.join(run.require_sufficiency().range)
    areas = areas.join(run_publication(run).area_children.rename(PUBLISHED_CHILDREN))
    assert "Parenting" in areas.loc["E01000006", "called_for"]  # known to the analyst
    shown, _ = board_layers(areas, run.config)
    assert shown.loc["E01000006", "children"] == "*"
    assert shown.loc["E01000006", "need_index"] == "*"
    assert shown.loc["E01000006", "missing_called_for"] == "*"
