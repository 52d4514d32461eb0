"""Benchmark of loading a case-system extract (prints figures; not a timed test).

Writes a synthetic extract of early help episodes (1,000,000 rows by default, England-
scale: 33,755 small areas in 300 districts, children referenced by pseudonym, ISO dates,
closure reasons, lead organisations, services) and 1,000,000 referrals, then in a fresh
process loads and counts both exactly as ``earlyhelp casework`` does
(:func:`earlyhelp.casework.load_casework`: chunked reading, pseudonymous keys, the
re-referral linking, every count) and prints the time and the peak memory (resident set)
above the process's baseline after its imports, and the time to publish every table
through the disclosure audit of them together. Memory is the chunk being read plus about
40 bytes a row for the keys: the rows themselves are never held.

Run::

    .venv/bin/python benchmarks/bench_casework.py                 # 1,000,000 rows each
    .venv/bin/python benchmarks/bench_casework.py --rows 2000000 --chunk-rows 250000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from figures import figure

N_AREAS, N_DISTRICTS = 33_755, 300
OUTCOMES = ("Needs met", "Stepped up to children's social care",
            "Stepped down to universal services", "Family withdrew consent",
            "Moved out of area", "Other")  # fmt: skip
LEADS = tuple(f"Lead organisation {i}" for i in range(40))
REASONS = ("family_support", "parenting", "domestic_abuse", "mental_health", "youth_work")
SOURCES = ("Police", "School", "GP", "Hospital", "Local authority", "Individual", "Other")


def write_extract(folder: Path, rows: int, seed: int = 19) -> tuple[Path, Path]:
    """A synthetic episodes extract and a referrals extract of ``rows`` rows each."""
    rng = np.random.default_rng(seed)
    children = rng.integers(0, rows * 2 // 3, rows)  # some children have several episodes
    start = np.datetime64("2022-04-01") + rng.integers(0, 1400, rows).astype("timedelta64[D]")
    end = start + rng.integers(14, 400, rows).astype("timedelta64[D]")
    open_ = end > np.datetime64("2026-03-31")
    episodes = pd.DataFrame(
        {
            "child_ref": [f"C{c:08d}" for c in children],
            "area_code": [f"X01{a:06d}" for a in rng.integers(0, N_AREAS, rows)],
            "start_date": pd.to_datetime(start).strftime("%Y-%m-%d"),
            "end_date": np.where(open_, "", pd.to_datetime(end).strftime("%Y-%m-%d")),
            "reason": np.array(REASONS)[rng.integers(0, len(REASONS), rows)],
            "closure_reason": np.where(
                open_, "", np.array(OUTCOMES)[rng.integers(0, len(OUTCOMES), rows)]
            ),
            "lead_organisation": np.array(LEADS)[rng.integers(0, len(LEADS), rows)],
            "service_id": [f"S{s:05d}" for s in rng.integers(0, 20_000, rows)],
        }
    )
    ep_path = folder / "episodes.csv"
    episodes.to_csv(ep_path, index=False)
    refs = pd.DataFrame(
        {
            "child_ref": [f"C{c:08d}" for c in rng.integers(0, rows, rows)],
            "area_code": [f"X01{a:06d}" for a in rng.integers(0, N_AREAS, rows)],
            "referral_date": pd.to_datetime(
                np.datetime64("2023-04-01") + rng.integers(0, 1095, rows).astype("timedelta64[D]")
            ).strftime("%Y-%m-%d"),
            "source": np.array(SOURCES)[rng.integers(0, len(SOURCES), rows)],
            "factors": np.where(rng.random(rows) < 0.3, "Domestic abuse;Neglect", ""),
        }
    )
    ref_path = folder / "referrals.csv"
    refs.to_csv(ref_path, index=False)
    return ep_path, ref_path


def _rss_mb() -> float:
    """Peak resident set of this process so far, in MB: VmHWM of /proc/self/status on
    Linux (getrusage's maxrss survives exec, so it would count the parent's peak)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(folder: Path, chunk_rows: int, *, referrals: bool = True) -> None:
    """Load and count the extract in ``folder`` as earlyhelp casework does; print figures."""
    from earlyhelp.casework import district_measures, group_measures, load_casework
    from earlyhelp.config import CaseworkConfig, Config, EpisodesInput, ReferralsInput
    from earlyhelp.loading import Inputs
    from earlyhelp.publish.casework import publish_tables
    from earlyhelp.validation import ValidationReport

    codes = [f"X01{a:06d}" for a in range(N_AREAS)]
    areas = pd.DataFrame(
        {
            "district_code": [f"X07{a % N_DISTRICTS:06d}" for a in range(N_AREAS)],
            "district_name": [f"District {a % N_DISTRICTS}" for a in range(N_AREAS)],
        },
        index=pd.Index(codes, name="area_code"),
    )
    need = pd.DataFrame({"pop_0_4": 60, "pop_5_10": 70, "pop_11_15": 60, "pop_16_17": 25},
                        index=areas.index)  # fmt: skip
    inputs = Inputs(areas, need, pd.DataFrame(), None, None, ValidationReport(), ())
    episodes = EpisodesInput(
        path=folder / "episodes.csv",
        columns={**EpisodesInput().columns, "outcome": "closure_reason"},
    )
    cfg = Config(
        casework=CaseworkConfig(
            episodes=episodes,
            referrals=ReferralsInput(path=folder / "referrals.csv" if referrals else None),
            period_start="2024-04-01",
            period_end="2025-03-31",
        )
    )
    base = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    cw = load_casework(cfg, inputs, chunk_rows=chunk_rows)
    t1, c1 = time.perf_counter(), time.process_time()
    districts = district_measures(cw)
    leads = group_measures(cw, "lead_organisation")
    t2 = time.perf_counter()
    _, _, _, audit = publish_tables(cw, cfg)  # every published table, audited together
    t3 = time.perf_counter()
    rows = sum(r.rows_read for r in cw.records)
    print(f"rows read: {rows:,} ({', '.join(f'{r.role} {r.rows_read:,}' for r in cw.records)})")
    print(f"chunk rows: {chunk_rows:,}")
    print(
        f"load and count (read, keys, re-referral linking, counts): {t1 - t0:.2f} s wall, "
        f"{c1 - c0:.2f} s CPU"
    )
    print(f"rates and shares with 95% intervals: {t2 - t1:.2f} s ({len(districts)} districts, "
          f"{len(leads)} lead organisations)")  # fmt: skip
    print(f"published tables audited together: {t3 - t2:.2f} s ({audit['cells']:,} base "
          f"cells, {audit['sensitive_hidden_counts']:,} hidden small counts tested, "
          f"{audit['solves']} programmes solved, {len(audit['hidden_by_audit'])} more "
          "hidden)")  # fmt: skip
    print(f"peak memory: {_rss_mb():.0f} MB resident, {_rss_mb() - base:.0f} MB above the "
          f"{base:.0f} MB after imports")  # fmt: skip
    what = "episodes and referrals" if referrals else "episodes"
    figure(
        f"case-system extract of {what}: read in chunks, linked, counted",
        f"{rows:,} rows, 33,755 areas, chunks of {chunk_rows:,}",
        f"{t1 - t0:.1f} s wall ({c1 - c0:.1f} s CPU), {_rss_mb() - base:.0f} MB above imports; "
        f"every table published through one audit {t3 - t2:.1f} s",
    )
    county = districts.loc["County"]
    print(
        f"county: {int(county['closed']):,} closed episodes, step-up "
        f"{county['stepped_up_pct']:.1f}%, re-referred {county['rereferred_pct']:.1f}%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--no-referrals", action="store_true", help="Load the episodes only.")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.load is not None:
        load(args.load, args.chunk_rows, referrals=not args.no_referrals)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        ep, ref = write_extract(folder, args.rows)
        size = (ep.stat().st_size + ref.stat().st_size) / 1e6
        print(f"wrote a synthetic extract: {args.rows:,} episodes and {args.rows:,} referrals, "
              f"{size:.0f} MB of CSV, in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        # load in a fresh process, so its peak memory is the load's own
        command = [sys.executable, __file__, "--load", str(folder)]
        command += ["--chunk-rows", str(args.chunk_rows)]
        for flags in ([], ["--no-referrals"]):  # both extracts, then the episodes alone
            subprocess.run([*command, *flags], check=True)


if __name__ == "__main__":
    main()
