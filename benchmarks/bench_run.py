"""Benchmark of the whole ``earlyhelp run`` on a synthetic national county (prints
figures; not a timed test).

The county (``benchmarks/national.py``): 33,755 small areas with wavy Voronoi
boundaries in 300 districts, 200,000 services in the shipped twelve kinds of help, the
shipped config.toml. It is written once into ``benchmarks/out/national-<size>/`` and
reused. The run goes through the same functions as ``earlyhelp run`` in one process; it
prints the wall time and the peak resident memory after each stage (load, access,
sufficiency, building the product, then each file written), the whole, and the size of
what was written. Targets: the whole run in 30 s and 4 GB on this 2-core machine.

Run::

    .venv/bin/python benchmarks/bench_run.py               # England scale
    .venv/bin/python benchmarks/bench_run.py --quick        # 2,000 x 12,000, seconds
    .venv/bin/python benchmarks/bench_run.py --profile run.prof   # and a cProfile file
    .venv/bin/python benchmarks/bench_run.py --offer-only   # only `earlyhelp offer` timed
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

T_START = time.perf_counter()
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from figures import figure  # noqa: E402
from national import write_national  # noqa: E402

SIZES = {
    "england": (33_755, 200_000, 300),
    "medium": (10_000, 60_000, 90),
    "quick": (2_000, 12_000, 20),
}


BESIDE = " (background thread)"
PROCESS = " (process beside)"


class Memory:
    """Peak memory of this process and every process it started, together: their
    proportional set sizes (PSS: a page shared after a fork counts once in all) summed,
    sampled every 0.2 s (Linux; elsewhere this process's own peak)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _pss_tree(os.getpid()))  # NaN stays NaN

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        if self.peak != self.peak:
            print("(no PSS in /proc: the peak is this process's own)")
            return peak_gb()
        return max(self.peak, peak_gb())


def _pss_tree(pid: int) -> float:
    """GB of PSS of ``pid`` and its descendants; NaN where /proc gives no PSS."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except FileNotFoundError:
            continue  # ended meanwhile
        except OSError:
            return float("nan")  # an older kernel or a closed /proc: say so
        total += next(
            (
                int(line.split()[1]) / 1024**2
                for line in rollup.splitlines()
                if line.startswith("Pss:")
            ),
            0.0,
        )
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def cpu_s() -> float:
    """User and system seconds of this process and its finished children so far (what a
    busy machine does not add; the board map's pages are written by worker processes)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Stages:
    """Wall seconds per stage, with the peak memory seen by the end of each."""

    def __init__(self, spill: Path) -> None:
        self.rows: list[tuple[str, float, float, float]] = []
        self.live = False
        self.pid = os.getpid()
        self.spill = spill  # where a process beside this one leaves its stages
        spill.unlink(missing_ok=True)

    def timed(self, name: str, fn: Callable, *args, **kwargs):
        beside = os.getpid() != self.pid
        if beside:
            # drawn by a forked process beside the writes (a large run's pages): its wall
            # time overlaps theirs; its CPU comes back to the whole run's when it ends
            name += PROCESS
        elif threading.current_thread() is not threading.main_thread():
            # written beside the main thread's stages (Parquet results and tables): its
            # wall time overlaps theirs, and the process's CPU seconds count both
            name += BESIDE
        start, cpu = time.perf_counter(), cpu_s()
        out = fn(*args, **kwargs)
        row = (name, time.perf_counter() - start, peak_gb(), cpu_s() - cpu)
        if beside:
            with self.spill.open("a") as f:
                f.write(json.dumps(row) + "\n")
        else:
            self.rows.append(row)
        if self.live:
            print(f"  .. {name}: {row[1]:.2f} s", flush=True)
        return out

    def gather(self) -> None:
        """Take in the stages timed by processes beside this one."""
        if self.spill.exists():
            self.rows += [tuple(json.loads(line)) for line in self.spill.read_text().splitlines()]
            self.spill.unlink()

    def wrap(self, owner: object, attr: str, label: Callable[..., str]) -> None:
        """Time every call of ``owner.attr`` as a stage named by ``label(*args)``."""
        original = getattr(owner, attr)

        def timed(*args, **kwargs):
            return self.timed(label(*args, **kwargs), original, *args, **kwargs)

        setattr(owner, attr, timed)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def run_once(config: Path, stages: Stages) -> Path:
    """``earlyhelp run`` stage by stage; return the folder written."""
    t0, cpu0 = time.perf_counter(), cpu_s()
    from earlyhelp import assessment as assessment_module
    from earlyhelp.config import load_config
    from earlyhelp.publish import folder as folder_module
    from earlyhelp.publish import run as run_module

    stages.rows.append(("import earlyhelp", time.perf_counter() - t0, peak_gb(), cpu_s() - cpu0))
    cfg = stages.timed("read config", load_config, config)
    stages.wrap(assessment_module, "compute_access", lambda *a, **k: "measure access")
    stages.wrap(assessment_module, "assess_sufficiency", lambda *a, **k: "assess sufficiency")
    # as `earlyhelp run` (commands.run): load, start the map's shapes beside the analysis
    inputs = stages.timed("load and validate inputs", assessment_module.load_inputs, cfg)
    run_module.draw_ahead(cfg, inputs.areas)
    assessment = stages.timed("(analysis)", assessment_module.analyse, cfg, inputs)
    stages.rows.pop()  # the sum of the two above
    # a large run's offer index is made by a process beside, while the product is built
    # (a smaller run's, inside writing it: timed there)
    from earlyhelp.publish import offer as offer_module

    index_arrays = offer_module.index_arrays

    def made_beside(*args, **kwargs):
        if os.getpid() == stages.pid:
            return index_arrays(*args, **kwargs)
        return stages.timed("make the offer index", index_arrays, *args, **kwargs)

    offer_module.index_arrays = made_beside  # type: ignore[assignment]
    # the disclosure audit of everything the run publishes, inside building the product
    stages.wrap(run_module, "run_publication", lambda *a, **k: "audit what is published")
    product = stages.timed("build the product (tables, layers)", run_module.run_product, assessment)
    audit = stages.rows.pop(-2)  # timed inside the product: shown apart, not added twice
    name, seconds, peak, used = stages.rows[-1]
    stages.rows[-1] = (name + ", less the audit", seconds - audit[1], peak, used - audit[3])
    stages.rows.append(audit)
    stages.wrap(folder_module, "write_gpkg", lambda layers, path, **k: f"write {path.name}")
    stages.wrap(
        folder_module,
        "write_csv",
        lambda frame, path, **k: (
            "write tables/*.csv" if path.parent.name == "tables" else "write " + path.name
        ),
    )
    stages.wrap(folder_module, "write_workbook", lambda tables, path, **k: f"write {path.name}")
    stages.wrap(folder_module, "write_parquet", lambda frame, path, **k: "write tables/*.parquet")
    stages.wrap(
        folder_module, "write_geoparquet", lambda layers, path, **k: "write results/*.parquet"
    )
    wrapped = []
    for i, page in enumerate(product.pages):
        name = ("board map", "report")[i] if i < 2 else f"page {i}"
        wrapped.append(lambda folder, p=page, n=name: stages.timed(f"draw {n}", p, folder))
    writers = [
        lambda folder, w=write: stages.timed("write the offer index", w, folder)
        for write in product.writers
    ]
    import dataclasses

    product = dataclasses.replace(product, pages=tuple(wrapped), writers=tuple(writers))
    return stages.timed("(write)", folder_module.write_product, product, cfg.run_dir)


def report(
    stages: Stages, folder: Path, wall: float, cpu: float, peak: float
) -> dict[str, list[float]]:
    merged: dict[str, list[float]] = {}
    for name, seconds, peak, used in stages.rows:
        if name == "(write)":
            continue
        row = merged.setdefault(name, [0.0, 0.0, 0.0, 0])
        row[0] += seconds
        row[1] = max(row[1], peak)
        row[2] += used
        row[3] += 1
    accounted = sum(r[0] for name, r in merged.items() if not name.endswith((BESIDE, PROCESS)))
    print(f"{'stage':<42} {'wall s':>7} {'cpu s':>7} {'peak GB':>8}")
    for name, (seconds, peak, used, calls) in merged.items():
        label = f"{name} (x{calls})" if calls > 1 else name
        print(f"{label:<42} {seconds:>7.2f} {used:>7.2f} {peak:>8.2f}")
    print(f"{'other (manifest, folder swap, ...)':<42} {wall - accounted:>7.2f}")
    print(f"{'whole run (peak: every process together)':<42} {wall:>7.2f} {cpu:>7.2f} {peak:>8.2f}")
    sizes = sorted(
        ((p.relative_to(folder), p.stat().st_size) for p in folder.rglob("*") if p.is_file()),
        key=lambda x: -x[1],
    )
    total = sum(s for _, s in sizes)
    print(f"written: {total / 1e6:.0f} MB in {len(sizes)} files; largest:")
    for path, size in sizes[:6]:
        print(f"  {path!s:<40} {size / 1e6:8.1f} MB")
    pages = [p for p in folder.glob("*.html")]
    if pages:
        big = max(pages, key=lambda p: p.stat().st_size)
        print(
            f"pages: {len(pages)} HTML files, largest {big.name} "
            f"{big.stat().st_size / 1e6:.1f} MB; index.html "
            f"{(folder / 'index.html').stat().st_size / 1e6:.1f} MB"
        )
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=tuple(SIZES), default="england", help="the county's size")
    parser.add_argument("--quick", action="store_true", help="--size quick")
    parser.add_argument("--profile", type=Path, help="also write a cProfile file here")
    parser.add_argument("--live", action="store_true", help="print each stage as it ends")
    parser.add_argument(
        "--browser", action="store_true", help="time the pages drawn in headless Chromium"
    )
    parser.add_argument(
        "--offer", action="store_true", help="time 'earlyhelp offer' as a fresh process"
    )
    parser.add_argument(
        "--offer-only",
        action="store_true",
        help="no run: only 'earlyhelp offer', from the county's offer index (made if missing)",
    )
    args = parser.parse_args()
    n_areas, n_services, n_districts = SIZES["quick" if args.quick else args.size]
    out = REPO / "benchmarks" / "out" / f"national-{n_areas}"
    t0 = time.perf_counter()
    config = write_national(out, n_areas=n_areas, n_services=n_services, n_districts=n_districts)
    print(
        f"synthetic national county: {n_areas:,} areas in {n_districts} districts, "
        f"{n_services:,} services, 12 kinds of help ({time.perf_counter() - t0:.1f} s to "
        f"make or find; inputs {_size(out) / 1e6 - _size(out / 'runs') / 1e6:.0f} MB)"
    )
    if args.offer_only:
        offers_only(config)
        return
    stages = Stages(out / "stages-beside.jsonl")
    stages.live = args.live
    profiler = cProfile.Profile() if args.profile else None
    memory = Memory()
    start, cpu = time.perf_counter(), cpu_s()
    if profiler:
        profiler.enable()
    folder = run_once(config, stages)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    wall, used = time.perf_counter() - start, cpu_s() - cpu
    peak = memory.stop()
    stages.gather()
    merged = report(stages, folder, wall, used, peak)
    scale = f"{n_areas:,} areas x {n_services:,} services x 12 kinds of help"
    access = merged["measure access"][0]
    figure(
        "whole `earlyhelp run`, every output written",
        scale,
        f"{wall:.1f} s wall ({used:.1f} s CPU), peak {peak:.2f} GB (all processes)",
        f"target 30 s, 4 GB; its access stage {access:.1f} s",
        f"{wall / 30:.1f}x / {peak / 4:.2f}x the target; {wall / access:.1f}x the access stage",
    )
    top = sorted(merged.items(), key=lambda item: -item[1][2])[:6]
    figure(
        "where the whole run's time goes (CPU s / wall s; a stage's CPU includes the "
        "threads working beside it: the board map's shapes are simplified during the "
        "analysis, the Parquet files written during the workbook and pages)",
        scale,
        "; ".join(f"{name} {row[2]:.1f} / {row[0]:.1f}" for name, row in top),
        "",
        f"the audit (run_publication) {merged['audit what is published'][2]:.1f} s CPU",
    )
    if args.browser:
        pages(folder)
    if args.offer:
        offers(config, folder)


def pages(folder: Path) -> None:
    """The overview and the largest district page (or the one county map) drawn offline."""
    from bench_map import draw_times

    index = folder / "index.html"
    district = sorted(folder.glob("district-*.html"), key=lambda p: -p.stat().st_size)
    for path in [index, *district[:1]]:
        times = draw_times(path, 3)
        if not times:
            return
        median = sorted(times)[1]
        size = path.stat().st_size / 1e6
        what = "overview" if district and path == index else "board map"
        if path != index:
            what = f"largest district page ({len(district)} pages)"
        print(f"{path.name}: {size:.1f} MB, drawn in {median:.2f} s (median of 3)")
        figure(
            f"board map: {what}, drawn offline in headless Chromium",
            f"{folder.name} run",
            f"{size:.1f} MB, {median:.2f} s (median of 3)",
            "target 15 MB, 3 s",
            f"{size / 15:.2f}x / {median / 3:.2f}x the target",
        )


def offers_only(config: Path) -> None:
    """``earlyhelp offer`` timed without a run: the index written by
    ``earlyhelp offer --build-index`` when the run folder has none that matches."""
    import subprocess

    earlyhelp = [str(REPO / ".venv" / "bin" / "earlyhelp"), "offer", "--config", str(config)]
    ask = [*earlyhelp, "--postcode", "QA1 0AA", "--age", "3", "--format", "csv"]
    quick = [sys.executable, "-c", "from earlyhelp.launch import quick_offer; import sys; "]
    quick[-1] += f"sys.exit(0 if quick_offer({ask[2:]!r}) else 1)"
    if subprocess.run(quick, capture_output=True).returncode != 0:
        subprocess.run([*earlyhelp, "--build-index"], check=True, capture_output=True)
    offers(config, config.parent)


def offers(config: Path, folder: Path) -> None:
    """``earlyhelp offer`` for one family as a fresh process (imports included), from the
    run's offer index; and the demo's, from its index when ``maps/demo`` has one."""
    import subprocess

    import pandas as pd

    postcode = pd.read_csv(config.parent / "postcodes.csv", nrows=1)["postcode"].iloc[0]
    areas = len(pd.read_csv(config.parent / "postcodes.csv", usecols=["postcode"]))
    england = areas >= 33_000
    cases = [(f"national county, {areas:,} areas", config, postcode, 0.3 if england else None)]
    # the demo's index, written afresh (one made before its inputs changed is not used)
    demo = [str(REPO / ".venv" / "bin" / "earlyhelp"), "offer", "--config", "config.toml"]
    if subprocess.run([*demo, "--build-index"], cwd=REPO, capture_output=True).returncode == 0:
        cases.append(("demo", REPO / "config.toml", "QY22 3NJ", 0.5))
    for name, cfg, code, target in cases:
        command = [str(REPO / ".venv" / "bin" / "earlyhelp"), "offer", "--config", str(cfg)]
        command += ["--postcode", code, "--age", "3", "--needs", "parenting,domestic_abuse"]
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        median = sorted(times)[2]
        print(f"offer for one family ({name}), fresh process: median {median:.2f} s of 5")
        figure(
            "`earlyhelp offer` for one family, fresh process, from the offer index",
            name,
            f"{median:.2f} s (median of 5)",
            f"target {target} s" if target else "target 0.3 s at England scale",
            f"{median / target:.2f}x the target" if target else "",
        )


if __name__ == "__main__":
    main()
