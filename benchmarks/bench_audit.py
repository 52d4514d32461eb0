"""Benchmark of the disclosure audit (prints figures; not a timed test).

A county-sized publication: 1,000 small areas in 10 districts, children in 5 age bands per
area (5,000 base cells). Published together, as earlyhelp's outputs would:

* the area table (map and CSV): children per area and band and in all, with a total row per
  district, through table-by-table :func:`earlyhelp.disclosure.suppress`;
* the county's totals by band and in all (never hidden);
* per district, children in areas whose map class says "no gap" (the full core range), and
  that as a share of the district's children (percent, one decimal).

Area sizes are drawn so that some bands are small (the rural tail). A hidden count is
marked sensitive when its value is 1 to 5 (a secondary suppression is not, as the publishing
code would mark it; ``--all-sensitive`` judges every hidden count). For several seeds it
times :func:`earlyhelp.disclosure.audit_publication` (screened by witness points, as
used, and with every bound solved) and :func:`earlyhelp.disclosure.protect_publication`.

Run::

    .venv/bin/python benchmarks/bench_audit.py              # 3 seeds, 1,000 areas
    .venv/bin/python benchmarks/bench_audit.py --areas 2000 --seeds 1
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from figures import figure

from earlyhelp.disclosure import (
    PublishedCount,
    PublishedShare,
    audit_publication,
    protect_publication,
    suppress,
)

BANDS = ["pop_0_4", "pop_5_10", "pop_11_15", "pop_16_17", "pop_18_19"]


def county(seed: int, *, n_areas: int = 1000, n_districts: int = 10, small: float = 0.05):
    """Children per area and band (areas x 5), district of each area, "no gap" class.

    ``small`` is the share of areas drawn tiny (a handful of children per band).
    """
    rng = np.random.default_rng(seed)
    size = np.where(rng.random(n_areas) < small, rng.uniform(2, 12, n_areas), 0.0)
    size = np.where(size == 0, rng.uniform(30, 90, n_areas), size)
    cells = rng.poisson(size[:, None] * np.array([1.0, 1.2, 1.0, 0.4, 0.4])[None, :])
    district = np.sort(rng.integers(0, n_districts, n_areas))
    no_gap = rng.random(n_areas) < 0.6
    return cells.astype(float), district, no_gap


def published(
    cells: np.ndarray, district: np.ndarray, no_gap: np.ndarray, *, all_sensitive: bool = False
):
    """Every count and share the outputs publish, as audit inputs, and the hidden count."""
    n_areas, n_bands = cells.shape
    at = np.arange(n_areas * n_bands).reshape(n_areas, n_bands)
    rows = [(f"D{d:02d}", f"A{a:04d}") for a, d in enumerate(district)]
    table = pd.DataFrame(cells, columns=BANDS, index=pd.MultiIndex.from_tuples(rows))
    table["children"] = cells.sum(axis=1)
    totals = table.groupby(level=0).sum()
    totals.index = pd.MultiIndex.from_tuples([(d, "Total") for d in totals.index])
    table = pd.concat([table, totals]).sort_index()
    out = suppress(
        table,
        count_columns=[*BANDS, "children"],
        total_row="Total",
        column_totals={"children": BANDS},
    )
    counts = []
    for (d, a), row in out.iterrows():
        mine = np.flatnonzero(district == int(d[1:])) if a == "Total" else [int(a[1:])]
        for j, col in enumerate([*BANDS, "children"]):
            idx = at[mine][:, j] if j < n_bands else at[mine].ravel()
            value = None if row[col] == "*" else float(row[col])
            small = 1 <= cells.ravel()[idx].sum() <= 5
            label = f"{d} {a} {col}"
            counts.append(
                PublishedCount("areas", label, idx, value, sensitive=small or all_sensitive)
            )
    for j, col in enumerate(BANDS):
        counts.append(PublishedCount("county", col, at[:, j], cells[:, j].sum(), may_hide=False))
    counts.append(PublishedCount("county", "children", at.ravel(), cells.sum(), may_hide=False))
    shares = []
    for d in np.unique(district):
        mine = district == d
        full = at[mine & no_gap].ravel()
        n_full, n_all = cells[mine & no_gap].sum(), cells[mine].sum()
        counts.append(PublishedCount("summary", f"D{d:02d} full core range", full, n_full))
        pct = round(100 * n_full / n_all, 1)
        shares.append(PublishedShare("summary", f"D{d:02d} % full core", full, at[mine], pct))
    return counts, shares, int(out.attrs["suppressed_cells"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--areas", type=int, default=1000)
    parser.add_argument("--small", type=float, default=0.05)
    parser.add_argument("--all-sensitive", action="store_true")
    args = parser.parse_args()
    print(f"{args.areas} areas x 5 bands, 10 districts; seconds of one run each\n")
    print(
        f"{'seed':>4} {'cells':>6} {'rows':>6} {'hidden':>6} {'sens.':>5} {'audit s':>8} "
        f"{'solves':>6} "
        f"{'discl.':>6} {'full s':>7} {'solves':>6} {'protect s':>9} {'rounds':>6} {'added':>5}"
    )
    timings: list[tuple[float, float, int]] = []
    for seed in range(args.seeds):
        cells, district, no_gap = county(seed, n_areas=args.areas, small=args.small)
        counts, shares, n_hidden = published(
            cells, district, no_gap, all_sensitive=args.all_sensitive
        )
        start = time.perf_counter()
        report = audit_publication(counts, shares)
        t_audit = time.perf_counter() - start
        start = time.perf_counter()
        full = audit_publication(counts, shares, full=True)
        t_full = time.perf_counter() - start
        start = time.perf_counter()
        fixed = protect_publication(counts, shares)
        t_protect = time.perf_counter() - start
        assert [e.position for e in report.disclosed] == [e.position for e in full.disclosed]
        added = len(fixed.hidden_counts) + len(fixed.hidden_shares)
        print(
            f"{seed:>4} {report.cells:>6} {report.rows:>6} {n_hidden:>6} "
            f"{len(report.exposures):>5} {t_audit:>8.2f} {report.solves:>6} "
            f"{len(report.disclosed):>6} {t_full:>7.2f} {full.solves:>6} "
            f"{t_protect:>9.2f} {fixed.rounds:>6} {added:>5}"
        )
        for e in report.disclosed[:3]:
            print(f"     {e.sentence()}"[:160])
        timings.append((t_audit, t_full, report.cells))
    t_audit, t_full, cells = sorted(timings)[len(timings) // 2]
    figure(
        "disclosure audit of a publication (every hidden count's bounds, HiGHS)",
        f"{args.areas:,} areas x 5 bands, 10 districts, {cells:,} cells",
        f"{t_audit:.2f} s",
        f"every cell bounded (full audit) {t_full:.2f} s",
        f"{t_full / t_audit:.1f}x faster",
    )


if __name__ == "__main__":
    main()
