"""A large run's pages are drawn by a forked process beside its other writes
(``earlyhelp.forking.beside``): the same files as drawn in the process, a failure there
is the same one clear error with the folder as it was, and nothing goes on running."""

from __future__ import annotations

import errno
import os
import re
import signal
import time

import pandas as pd
import pytest
from test_outputs import hidden, tree
from typer.testing import CliRunner

from earlyhelp import forking as beside_module
from earlyhelp.cli import app
from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.forking import beside, can_fork
from earlyhelp.publish import folder as folder_module

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and a second core")
runner = CliRunner()


# the tiny county as a large run: tables in Parquet, so its pages are drawn beside
LARGE = ('output_dir = "out"', 'output_dir = "out"\ntables = "parquet"')


def _large(tiny) -> None:
    tiny.set_config(replace=LARGE)


def _a_large_run_done(tiny):
    """The tiny county run once as a large run: its output parent, folder and files."""
    _large(tiny)
    out = tiny.root / "out"
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    return out, out / "tiny", tree(out / "tiny")


def _twice(x: int) -> dict[str, int]:
    return {"pid": os.getpid(), "value": 2 * x}


def test_the_child_returns_its_value_and_runs_apart():
    result = beside(_twice, 21, what="doubling").result()
    assert result["value"] == 42 and result["pid"] != os.getpid()


def _fails() -> None:
    raise InputError("services.csv row 3: the postcode 'XX1' is not a postcode")


class _Odd(Exception):
    def __init__(self, a: int, b: int) -> None:  # does not unpickle from its args
        super().__init__(f"odd {a} {b}")


def _fails_oddly() -> None:
    raise _Odd(1, 2)


def test_the_childs_exception_is_raised_here_as_it_was():
    with pytest.raises(InputError, match=r"row 3: the postcode 'XX1' is not a postcode"):
        beside(_fails, what="drawing").result()
    with pytest.raises(EarlyHelpError, match="odd 1 2"):  # its message, when it cannot travel
        beside(_fails_oddly, what="drawing").result()


def _dies() -> None:
    os._exit(9)  # as if killed for memory: nothing sent back


def test_a_child_that_dies_is_one_clear_error():
    with pytest.raises(EarlyHelpError) as info:
        beside(_dies, what="the board map and report").result()
    assert str(info.value).startswith(
        "the board map and report: the process beside this one stopped unexpectedly (exit code 9"
    )


def _sleeps_with_a_grandchild(marker: str) -> None:
    if os.fork() == 0:  # a page-writing worker of its own
        time.sleep(30)
        os._exit(0)
    with open(marker, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(30)


def test_stop_ends_the_child_and_what_it_started(tmp_path):
    marker = tmp_path / "pid"
    job = beside(_sleeps_with_a_grandchild, str(marker), what="sleeping")
    while not marker.exists() or not marker.read_text():
        time.sleep(0.01)
    group = int(marker.read_text())
    job.stop()
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.killpg(group, 0)  # anyone left in the child's process group?
        except ProcessLookupError:
            break
        time.sleep(0.05)
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)


def _same_page(html: str) -> str:
    """A page with folium's random element names made one, and the report's time of
    making (to the minute: two runs may straddle one)."""
    html = re.sub(r"\d\d [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC", "TIME", html)
    return re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_ID", html)


def _counting(forks: list) -> object:
    """``beside`` as folder.py calls it, counting the processes it starts."""

    def counted(fn, *args, what):
        forks.append(what)
        return beside(fn, *args, what=what)

    return counted


def test_pages_drawn_beside_are_those_drawn_here(tiny, monkeypatch):
    _large(tiny)
    forks = []
    original = beside_module.Beside.__init__

    def counted(self, *args, **kwargs):
        forks.append(args[2] if len(args) > 2 else kwargs.get("what"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(beside_module.Beside, "__init__", counted)
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    # the offer index begun while the tables are audited, then the board map, the report
    assert forks == ["the offer index", "the pages", "the pages"]
    folder = tiny.root / "out" / "tiny"
    drawn_beside = {p.name: _same_page(p.read_text("utf-8")) for p in folder.glob("*.html")}
    files_beside = tree(folder)

    monkeypatch.setattr(folder_module, "can_fork", lambda: False)
    monkeypatch.setattr(beside_module, "can_fork", lambda: False)
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    assert forks[3:] == ["the offer index"]  # made here, when written: no pages beside
    drawn_here = {p.name: _same_page(p.read_text("utf-8")) for p in folder.glob("*.html")}
    assert {"index.html", "report.html"} <= set(drawn_here)
    assert drawn_beside == drawn_here
    files_here = tree(folder)
    assert sorted(files_here) == sorted(files_beside)
    index = {name: digest for name, digest in files_here.items() if name.startswith("offer_")}
    assert index and index == {name: files_beside[name] for name in index}


def test_a_failure_in_the_pages_beside_is_one_clear_error_and_nothing_is_left(tiny, monkeypatch):
    out, folder, before = _a_large_run_done(tiny)

    import earlyhelp.publish.maps as maps_module

    def bad_map(*args, **kwargs):
        raise InputError("areas.gpkg row 7: area_name holds a control character; remove it")

    monkeypatch.setattr(maps_module, "write_run_maps", bad_map)  # the fork inherits it
    monkeypatch.setattr(folder_module, "beside", _counting(forks := []))
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert len(forks) == 2  # drawn beside
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "earlyhelp: error: areas.gpkg row 7: area_name holds a control character; remove it"
    )
    assert tree(folder) == before and hidden(out) == []


def test_a_failure_here_stops_the_pages_beside(tiny, monkeypatch):
    """The workbook's disk is full while the map is drawn beside: one clear error, the
    process drawing stopped, the folder as it was."""
    from earlyhelp.outputs import workbook as workbook_module

    out, folder, before = _a_large_run_done(tiny)
    stopped = []
    original = beside_module.stop_all

    def stop_all(children):
        stopped.extend(child._process is not None for child in children)
        original(children)

    monkeypatch.setattr(folder_module, "stop_all", stop_all)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(workbook_module, "_about_sheet", no_space)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 2
    assert "commissioners.xlsx: disk full" in result.stderr
    assert stopped == [True, True, True]  # the two pages, and the offer index being made
    assert tree(folder) == before and hidden(out) == []


def _write_error(path: str) -> None:
    from earlyhelp.outputs.writing import WriteError

    raise WriteError(path, "disk full", "free some space", after="nothing was written")


def test_an_error_comes_back_whole():
    """Errors that carry more than their message are rebuilt as they were (a write error
    keeps its file, so the output folder's path replaces the staging folder's)."""
    from earlyhelp.outputs.writing import WriteError

    with pytest.raises(WriteError) as info:
        beside(_write_error, "/tmp/.run.x.tmp/index.html", what="drawing").result()
    error = info.value
    assert (str(error.path), error.reason, error.fix, error.after, error.exit_code) == (
        "/tmp/.run.x.tmp/index.html",
        "disk full",
        "free some space",
        "nothing was written",
        2,
    )
    assert any("in the process beside" in note for note in error.__notes__)


def test_a_full_disk_while_drawing_beside_names_the_output_folder(tiny, monkeypatch):
    out, folder, before = _a_large_run_done(tiny)

    import earlyhelp.publish.maps as maps_module
    from earlyhelp.outputs import atomic_path

    def full_map(areas, services, cfg, stage, **kwargs):
        with atomic_path(stage / "index.html"):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(maps_module, "write_run_maps", full_map)
    monkeypatch.setattr(folder_module, "beside", _counting(forks := []))
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert len(forks) == 2 and result.exit_code == 2
    assert result.stderr.strip() == (
        f"earlyhelp: error: cannot write {folder}/index.html: disk full; free some space on "
        f"that disk, or write elsewhere with --out; {folder} is as it was"
    )
    assert tree(folder) == before and hidden(out) == []


def _dies_leaving_a_worker(marker: str) -> None:
    if os.fork() == 0:  # a worker of its own holds the pipe open
        with open(marker, "w") as f:
            f.write(str(os.getpid()))
        time.sleep(30)
        os._exit(0)
    while not os.path.exists(marker):
        time.sleep(0.01)
    os._exit(9)


def test_a_child_that_dies_is_noticed_at_once_and_its_workers_stopped(tmp_path):
    marker = tmp_path / "worker"
    start = time.monotonic()
    with pytest.raises(EarlyHelpError, match=r"stopped unexpectedly \(exit code 9"):
        beside(_dies_leaving_a_worker, str(marker), what="the pages").result()
    assert time.monotonic() - start < 10  # not when the worker ends, 30 s on
    worker = int(marker.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and os.path.exists(f"/proc/{worker}"):
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{worker}")


def test_a_fork_that_fails_stops_the_pages_already_started(tiny, monkeypatch):
    import multiprocessing.context

    _large(tiny)
    out = tiny.root / "out"
    started = []
    original = multiprocessing.context.ForkProcess.start

    def start(self):
        if started:  # the second page: no memory left to fork
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        started.append(self)
        original(self)

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code != 0
    assert len(started) == 1 and not started[0].is_alive()
    assert not (out / "tiny").exists() and hidden(out) == []


@pytest.mark.parametrize("maps", ["district_maps = true", "overview_above_areas = 4"])
def test_the_report_drawn_beside_links_every_map_drawn(tiny, maps):
    """The report, drawn while the maps are, links the maps they draw: a page per
    district (configured, or as an overview of a large county) and the county's."""
    tiny.set_config(f"\n[map]\n{maps}\n", replace=LARGE)
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    folder = tiny.root / "out" / "tiny"
    maps_drawn = sorted(p.name for p in folder.glob("*.html") if p.name != "report.html")
    assert len(maps_drawn) == 3  # the county's (or its overview) and two districts'
    report = (folder / "report.html").read_text(encoding="utf-8")
    linked = sorted(set(re.findall(r'href="((?:index|district-[^"]+)\.html)"', report)))
    assert linked == maps_drawn


def test_a_failure_while_auditing_stops_the_offer_index_being_made(tiny, monkeypatch):
    """A large run's offer index is begun beside before its tables are audited: an error
    in the audit stops it, and nothing is written."""
    from earlyhelp.publish import run as run_module

    _large(tiny)
    stopped = []
    original = beside_module.stop_all

    def stop_all(children):
        stopped.extend((child._what, child._process is not None) for child in children)
        original(children)

    def audit_fails(*args, **kwargs):
        raise InputError("need.csv row 4: the audit found a count it cannot hide")

    monkeypatch.setattr(run_module, "stop_all", stop_all)
    monkeypatch.setattr(run_module, "run_publication", audit_fails)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 2 and "the audit found a count" in result.stderr
    assert stopped == [("the offer index", True)]
    assert not (tiny.root / "out" / "tiny").exists()


def test_a_product_never_written_does_not_keep_its_process_waiting(tiny):
    """A large run's product begins its offer index beside; a program that makes the
    product, drops it and never writes it ends at once, leaving nothing running."""
    import subprocess
    import sys

    _large(tiny)
    script = (
        "import os, sys\n"
        "from earlyhelp.assessment import assess\n"
        "from earlyhelp.config import load_config\n"
        "import numpy as np\n"
        "from earlyhelp.publish import offer\n"
        "from earlyhelp.publish.run import run_product\n"
        "# an index larger than a pipe holds: its process waits for it to be read\n"
        "offer.index_arrays = lambda directory: {'big': np.zeros(1_000_000)}\n"
        "def made():  # the product dropped at once\n"
        "    product = run_product(assess(load_config(sys.argv[1])))\n"
        "    return [child._process.pid for child in product.ahead]\n"
        "print(*made())\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tiny.config)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 1  # the offer index, begun beside
    time.sleep(0.2)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_access_measured_in_two_processes_is_the_access_measured_in_one(
    demo_assessment, monkeypatch
):
    """Above a size, every other kind of help is measured by a process beside: every
    measure, nearest service and count is the one measured in a single process."""
    from earlyhelp.accessibility import engine
    from earlyhelp.assessment import analyse

    forks: list[str] = []
    start = engine.beside

    def counted(*args, what):
        forks.append(what)
        return start(*args, what=what)

    monkeypatch.setattr(engine, "SPLIT_ABOVE_PAIRS", 0)
    monkeypatch.setattr(engine, "beside", counted)
    one = demo_assessment.access
    two = analyse(demo_assessment.config, demo_assessment.inputs).access
    # once: the sectors, measured in a thread beside the gap tables, are not forked there
    assert forks == ["measuring access"]
    assert list(two.wide.columns) == list(one.wide.columns)
    pd.testing.assert_frame_equal(two.wide, one.wide)
    pd.testing.assert_frame_equal(two.nearest_service, one.nearest_service)
    pd.testing.assert_frame_equal(two.eligibility, one.eligibility)
    assert two.notes == one.notes and two.params == one.params


def test_an_error_measuring_access_beside_is_raised_here(demo_assessment, monkeypatch):
    from earlyhelp.accessibility import engine
    from earlyhelp.assessment import analyse

    second = list(demo_assessment.config.categories)[1]  # measured by the process beside
    measured = engine._measured

    def fails(categories, *args):
        if second in categories and os.getpid() != parent:
            raise InputError(f"{second}: a fault found beside")
        return measured(categories, *args)

    parent = os.getpid()
    monkeypatch.setattr(engine, "SPLIT_ABOVE_PAIRS", 0)
    monkeypatch.setattr(engine, "_measured", fails)
    with pytest.raises(InputError, match=f"^{second}: a fault found beside\n"):
        analyse(demo_assessment.config, demo_assessment.inputs, sufficiency=False)


def test_a_child_forked_while_shapes_are_simplified_ahead_does_not_wait_for_them(monkeypatch):
    """The analysis forks while the map's shapes are simplified in a thread: a child that
    draws them simplifies them itself (it inherits the promise of a result, not the
    thread keeping it); the parent takes the thread's result."""
    import threading

    import geopandas as gpd
    import shapely

    from earlyhelp.maps import shapes

    release = threading.Event()
    simplify = shapes._simplified
    calls: list[int] = []

    def slow(values, tolerance_m):
        calls.append(os.getpid())
        if os.getpid() == parent:
            release.wait(30)
        return simplify(values, tolerance_m)

    parent = os.getpid()
    monkeypatch.setattr(shapes, "_simplified", slow)
    monkeypatch.setattr(shapes, "_EARLY", {})
    boxes = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
                          crs="EPSG:27700").segmentize(50.0)  # fmt: skip

    def drawn_beside() -> tuple[int, float]:
        out = shapes.simplify_coverage(boxes, tolerance_m=25)
        return calls[-1], float(out.area.sum())

    shapes.simplify_coverage_early(boxes, tolerance_m=25)
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(60)  # a child waiting for the thread would wait for ever
    try:
        child, area = beside(drawn_beside, what="drawing").result()
    finally:
        signal.alarm(0)
    assert child != parent and area == pytest.approx(2e6)
    assert time.monotonic() - started < 20 and not release.is_set()  # it did not wait
    release.set()
    out = shapes.simplify_coverage(boxes, tolerance_m=25)
    assert out.is_valid.all() and not shapes._EARLY and calls == [parent]  # the thread's


def test_a_child_forked_once_shapes_are_simplified_takes_them(monkeypatch):
    import geopandas as gpd
    import shapely

    from earlyhelp.maps import shapes

    calls: list[int] = []
    simplify = shapes._simplified

    def counted(values, tolerance_m):
        time.sleep(2)  # still at work when finish_early is called
        calls.append(os.getpid())
        return simplify(values, tolerance_m)

    monkeypatch.setattr(shapes, "_simplified", counted)
    monkeypatch.setattr(shapes, "_EARLY", {})
    boxes = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs="EPSG:27700").segmentize(50.0)
    shapes.simplify_coverage_early(boxes, tolerance_m=25)
    shapes.finish_early()
    assert calls == [os.getpid()]  # it waited for the thread

    def drawn_beside() -> int:
        shapes.simplify_coverage(boxes, tolerance_m=25)
        return len(calls)

    assert beside(drawn_beside, what="drawing").result() == 1  # the parent's, not again


def _too_long(*_):
    raise AssertionError("the child waited for a thread that is not in it")
