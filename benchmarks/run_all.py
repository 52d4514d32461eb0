"""Run every benchmark (``make bench``), keep what they print, and rewrite README.md's
speed table from their FIGURE lines (``benchmarks/figures.py``).

Run::

    .venv/bin/python benchmarks/run_all.py            # full sizes (about 10-15 minutes)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a few minutes
    .venv/bin/python benchmarks/run_all.py --no-readme

The log goes to ``benchmarks/out/bench.log``; the table is written between the lines
``<!-- speed-table:start -->`` and ``<!-- speed-table:end -->`` of README.md, with the
machine's load when the run started.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- speed-table:start -->", "<!-- speed-table:end -->"

# (script, arguments in full, arguments with --quick)
BENCHMARKS = (
    ("bench_access.py", [], ["--small"]),
    ("bench_network.py", [], ["--small"]),
    ("bench_siting.py", ["--large"], ["--seeds", "2"]),
    ("bench_map.py", [], ["--runs", "2"]),
    ("bench_audit.py", ["--seeds", "3"], ["--seeds", "1"]),
    # full size in both: a small extract has many small counts, whose audit takes longer
    ("bench_casework.py", [], []),
    ("bench_run.py", ["--browser", "--offer"], ["--quick", "--browser", "--offer"]),
)


def table(lines: list[str], load: str, quick: bool, end_load: str = "") -> str:
    rows = [line.split("|")[1:] for line in lines if line.startswith("FIGURE |")]
    out = [
        START,
        f"Measured by `make bench{' QUICK=1' if quick else ''}` on "
        f"{dt.date.today().isoformat()} on this project's 2-core machine (load average "
        f"{load} when it started, {end_load} when it ended; other work was running, so "
        "single figures are noisy (the whole run also prints its CPU seconds): "
        "compare the ratios, which come from the same run). Written by "
        "`benchmarks/run_all.py` from the benchmarks' output, not by hand.",
        "",
        "| what | scale | earlyhelp | anchor or floor | ratio |",
        "|---|---|---|---|---|",
    ]
    out += ["| " + " | ".join(field.strip() for field in row) + " |" for row in rows]
    out.append(END)
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md as it is")
    args = parser.parse_args()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    log_path = REPO / "benchmarks" / "out" / "bench.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    with log_path.open("w", encoding="utf-8") as log:
        for script, full, quick in BENCHMARKS:
            command = [sys.executable, str(REPO / "benchmarks" / script)]
            command += quick if args.quick else full
            header = f"== {' '.join([script, *(quick if args.quick else full)])}"
            print(header, flush=True)
            log.write(header + "\n")
            proc = subprocess.Popen(
                command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            assert proc.stdout is not None
            for line in proc.stdout:
                print(line, end="", flush=True)
                log.write(line)
                lines.append(line.rstrip("\n"))
            if proc.wait() != 0:
                sys.exit(f"{script} failed (exit {proc.returncode}); see {log_path}")
    if args.no_readme:
        return
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        sys.exit(f"README.md has no {START} ... {END} markers; the table was not written")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    end_load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    readme.write_text(head + table(lines, load, args.quick, end_load) + tail, encoding="utf-8")
    print(f"README.md speed table rewritten from {log_path}")


if __name__ == "__main__":
    main()
