"""Runs that never lose a user's file: earlyhelp replaces only the folders it made, keeps
what a user added to them, swaps a new folder in at one step, clears what a killed run
left behind, and says in plain words which file could not be written and why."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from earlyhelp import outputs
from earlyhelp.cli import app
from earlyhelp.errors import InputError
from earlyhelp.outputs import folders

runner = CliRunner()
NOTES = b"PK\x03\x04 my notes for the board \xff\x00"  # a user's file, bytes as they are


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def write_folder(final: Path, files: dict[str, str]) -> list[str]:
    """Write an earlyhelp folder holding ``files`` as write_product does; return what
    it kept of the user's."""
    with outputs.staged_dir(final) as staging:
        for rel, text in files.items():
            path = staging.path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        listed = staging.written()
        kept = staging.keep_added()
        manifest = {"generator": "earlyhelp", "command": "test", "kept": kept}
        manifest["outputs"] = {name: "a test file" for name in listed}
        (staging.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return kept


def dead_pid() -> int:
    """The id of a process that has finished."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


# ------------------------------------------------------------------- whose folder is it


def test_a_folder_with_a_strangers_manifest_is_refused_and_left_as_it_is(tiny, tmp_path):
    webapp = tmp_path / "webapp"
    webapp.mkdir()
    (webapp / "manifest.json").write_text('{"name": "My app", "start_url": "/"}')
    (webapp / "index.html").write_text("<html>my app</html>")
    before = tree(webapp)
    result = runner.invoke(app, ["access", "--config", str(tiny.config), "--out", str(webapp)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"earlyhelp: error: {webapp}: this folder holds files that earlyhelp did not write "
        "(its manifest.json was not written by earlyhelp), so earlyhelp will not write into "
        "it or remove anything in it; choose a new or empty folder (--out or [run] output_dir)"
    )
    assert tree(webapp) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny", "webapp"]


def test_a_file_or_a_link_where_the_folder_goes_is_refused(tmp_path):
    afile = tmp_path / "run"
    afile.write_text("mine")
    with pytest.raises(InputError, match="this is a file, not a folder earlyhelp made"):
        write_folder(afile, {"a.txt": "a"})
    target = tmp_path / "elsewhere"
    write_folder(target, {"a.txt": "a"})
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(InputError, match="this is a link, not a folder earlyhelp made"):
        write_folder(link, {"a.txt": "b"})
    assert afile.read_text() == "mine" and (target / "a.txt").read_text() == "a"
    assert hidden(tmp_path) == []


@pytest.mark.parametrize(
    ("manifest", "ours"),
    [
        ({"generator": "earlyhelp", "outputs": {"a.txt": "x"}}, True),
        ({"generator": "earlyhelp", "outputs": {}}, True),
        # written before the generator key: earlyhelp among its libraries
        ({"command": "run", "outputs": {}, "libraries": {"earlyhelp": "0.9"}}, True),
        ({"generator": "webpack", "outputs": {"a.txt": "x"}}, False),
        ({"generator": "earlyhelp"}, False),  # lists nothing it wrote
        ({"name": "My app", "start_url": "/", "icons": []}, False),
        ({"command": "run", "outputs": {}, "libraries": {"react": "18"}}, False),
        (["not", "an", "object"], False),
    ],
)
def test_earlyhelps_folders_are_known_by_their_manifest(tmp_path, manifest, ours):
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert (outputs.read_manifest(tmp_path) is not None) is ours
    (tmp_path / "manifest.json").write_text("{not json")
    assert outputs.read_manifest(tmp_path) is None


def test_the_manifest_says_earlyhelp_wrote_it(tiny):
    assert runner.invoke(app, ["access", "--config", str(tiny.config)]).exit_code == 0
    manifest = json.loads((tiny.root / "out" / "tiny-access" / "manifest.json").read_text())
    assert manifest["generator"] == "earlyhelp" and manifest["kept"] == []


# ----------------------------------------------------------------- a user's files stay


def test_a_file_you_add_to_a_run_folder_survives_the_next_run(tiny):
    config = ["--config", str(tiny.config)]
    assert runner.invoke(app, ["run", *config]).exit_code == 0
    folder = tiny.root / "out" / "tiny"
    (folder / "notes.docx").write_bytes(NOTES)
    (folder / "drafts").mkdir()
    (folder / "drafts" / "letter.txt").write_text("Dear board,")
    (folder / "tables" / "mine.csv").write_text("a,b\n1,2\n")
    ours = tree(folder)
    result = runner.invoke(app, ["run", *config])
    assert result.exit_code == 0, result.output
    assert "Kept 3 files you added: drafts/, notes.docx, tables/mine.csv" in result.stdout
    assert (folder / "notes.docx").read_bytes() == NOTES
    assert (folder / "drafts" / "letter.txt").read_text() == "Dear board,"
    assert (folder / "tables" / "mine.csv").read_text() == "a,b\n1,2\n"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kept"] == ["drafts/", "notes.docx", "tables/mine.csv"]
    assert not {"notes.docx", "drafts/letter.txt", "tables/mine.csv"} & set(manifest["outputs"])
    assert set(tree(folder)) == set(ours)
    assert hidden(folder.parent) == []
    # a third run keeps them again, and says so once
    again = runner.invoke(app, ["run", *config])
    assert again.stdout.count("Kept 3 files you added") == 1
    assert (folder / "notes.docx").read_bytes() == NOTES


def test_files_the_earlier_run_wrote_are_replaced_or_removed(tmp_path):
    final = tmp_path / "run"
    write_folder(final, {"a.txt": "old a", "only-old.txt": "old", "tables/t.csv": "old t"})
    (final / "notes.docx").write_bytes(NOTES)
    (final / ".index.abcd1234.tmp.html").write_text("a page cut short")  # not a user's
    kept = write_folder(final, {"a.txt": "new a", "tables/t.csv": "new t"})
    assert kept == ["notes.docx"]
    assert sorted(tree(final)) == ["a.txt", "manifest.json", "notes.docx", "tables/t.csv"]
    assert (final / "a.txt").read_text() == "new a"
    assert (final / "notes.docx").read_bytes() == NOTES
    assert hidden(tmp_path) == []


def test_a_file_you_added_under_the_name_of_a_new_output_is_refused(tmp_path):
    final = tmp_path / "run"
    write_folder(final, {"a.txt": "old a"})
    (final / "b.txt").write_text("mine")
    before = tree(final)
    with pytest.raises(InputError) as info:
        write_folder(final, {"a.txt": "new a", "b.txt": "new b"})
    assert str(info.value) == (
        f"{final / 'b.txt'}: you added this to the folder, and the new run writes a file of "
        f"the same name; rename or move yours, then run again ({final} is as it was)"
    )
    assert tree(final) == before
    assert hidden(tmp_path) == []


# --------------------------------------------------------------------- one step, always


def test_on_linux_the_new_folder_is_swapped_in_by_one_exchange(tmp_path, monkeypatch):
    if folders._renameat2 is None:
        pytest.skip("renameat2 is not available here")
    final = tmp_path / "run"
    write_folder(final, {"a.txt": "old"})
    (final / "notes.docx").write_bytes(NOTES)
    swaps = []
    real = folders._exchange

    def exchange(stage, target):
        swaps.append((stage.name, target.name))
        assert real(stage, target), "this disk cannot exchange"
        return True

    def no_rename(*args):
        raise AssertionError(f"a plain rename: {args}")

    monkeypatch.setattr(folders, "_exchange", exchange)
    monkeypatch.setattr(folders.os, "rename", no_rename)
    write_folder(final, {"a.txt": "new"})
    assert len(swaps) == 1 and swaps[0][1] == "run" and swaps[0][0].startswith(".run.")
    assert (final / "a.txt").read_text() == "new"
    assert (final / "notes.docx").read_bytes() == NOTES
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_at_every_step_the_folder_is_the_whole_old_one_or_the_whole_new_one(
    tmp_path, monkeypatch, exchange
):
    if exchange and folders._renameat2 is None:
        pytest.skip("renameat2 is not available here")
    if not exchange:
        monkeypatch.setattr(folders, "_renameat2", None)
    final = tmp_path / "run"
    write_folder(final, {"a.txt": "old", "tables/t.csv": "old"})
    (final / "notes.docx").write_bytes(NOTES)
    old = tree(final)
    seen: dict[str, dict[str, str] | None] = {}
    monkeypatch.setattr(
        folders, "_checkpoint", lambda step: seen.update({step: tree(final) or None})
    )
    write_folder(final, {"a.txt": "new", "b.txt": "new"})
    new = tree(final)
    assert new != old and new["notes.docx"] == old["notes.docx"]
    assert seen["staged"] == old and seen["recorded"] == old and seen["swapped"] == new
    # two renames leave one instant without the folder: the swap record covers it
    assert seen.get("between-renames", "not reached") == ("not reached" if exchange else None)
    assert hidden(tmp_path) == []


def test_a_failed_exchange_leaves_the_earlier_folder_whole(tmp_path, monkeypatch):
    final = tmp_path / "run"
    write_folder(final, {"a.txt": "old"})
    (final / "notes.docx").write_bytes(NOTES)
    before = tree(final)

    def broken(stage, target):
        raise OSError(errno.EIO, "Input/output error", str(stage))

    monkeypatch.setattr(folders, "_exchange", broken)
    with pytest.raises(outputs.WriteError) as info:
        write_folder(final, {"a.txt": "new"})
    assert str(info.value) == (
        f"cannot write {final}: the disk failed to write (input/output error); check the "
        f"disk, or write elsewhere with --out; {final} is as it was"
    )
    assert tree(final) == before
    assert hidden(tmp_path) == []


def test_a_failure_between_the_two_renames_puts_the_earlier_folder_back(tmp_path, monkeypatch):
    monkeypatch.setattr(folders, "_renameat2", None)  # a system without the exchange
    final = tmp_path / "run"
    write_folder(final, {"a.txt": "old"})
    (final / "notes.docx").write_bytes(NOTES)
    before = tree(final)
    real = os.rename

    def rename(src, dst):
        if Path(src).name.endswith(".tmp"):  # the new folder's rename into place
            assert not final.exists()
            raise OSError(errno.EIO, "Input/output error", str(src))
        real(src, dst)

    monkeypatch.setattr(folders.os, "rename", rename)
    with pytest.raises(outputs.WriteError, match=f"; {final} is as it was$"):
        write_folder(final, {"a.txt": "new"})
    assert tree(final) == before
    assert hidden(tmp_path) == []
    monkeypatch.setattr(folders.os, "rename", real)
    assert write_folder(final, {"a.txt": "new"}) == ["notes.docx"]
    assert (final / "a.txt").read_text() == "new"


# ------------------------------------------------------------ killed at the wrong moment

CHILD = """
import json, sys
from pathlib import Path
from earlyhelp.outputs import folders, staged_dir

if sys.argv[2] == "two renames":
    folders._renameat2 = None
with staged_dir(Path(sys.argv[1])) as staging:
    (staging.path / "results.gpkg").write_bytes(b"x" * 3_000_000)
    (staging.path / "a.txt").write_text("new")
    listed = staging.written()
    kept = staging.keep_added()
    manifest = {"generator": "earlyhelp", "outputs": {n: "x" for n in listed}, "kept": kept}
    (staging.path / "manifest.json").write_text(json.dumps(manifest))
"""


def killed_at(step: str, final: Path, how: str) -> None:
    """Write ``final`` in a child process that kills itself (SIGKILL) at ``step``."""
    env = {**os.environ, "EARLYHELP_TEST_KILL_AT": step}
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(final), how],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr


@pytest.mark.parametrize(
    ("step", "how", "left"),
    [
        ("staged", "exchange", "old"),  # every file written, nothing swapped
        ("recorded", "exchange", "old"),  # the swap record written
        ("swapped", "exchange", "new"),  # swapped; the old folder not yet removed
        ("recorded", "two renames", "old"),
        ("between-renames", "two renames", None),  # the old folder moved aside
        ("swapped", "two renames", "new"),
    ],
)
def test_a_run_killed_at_any_step_is_cleared_up_by_the_next(tmp_path, step, how, left):
    if how == "exchange" and folders._renameat2 is None:
        pytest.skip("renameat2 is not available here")
    final = tmp_path / "run"
    write_folder(final, {"a.txt": "old"})
    (final / "notes.docx").write_bytes(NOTES)
    old = tree(final)
    killed_at(step, final, how)
    assert hidden(tmp_path), "a killed run leaves its hidden folders"
    if left == "old":
        assert tree(final) == old
    elif left == "new":
        assert (final / "a.txt").read_text() == "new"
        assert (final / "notes.docx").read_bytes() == NOTES
        assert set(tree(final)) == {"a.txt", "manifest.json", "notes.docx", "results.gpkg"}
    else:
        assert not final.exists()  # the window two renames leave; the record covers it
    outputs.tidy(tmp_path)  # what the next write into this folder does first
    assert hidden(tmp_path) == []
    if left == "new":
        assert (final / "a.txt").read_text() == "new"
    else:
        assert tree(final) == old  # the earlier folder, whole and back in place
    assert write_folder(final, {"a.txt": "third"}) == ["notes.docx"]
    assert (final / "notes.docx").read_bytes() == NOTES
    assert hidden(tmp_path) == []


def test_a_killed_earlyhelp_run_is_cleared_up_by_the_next_run(tiny):
    """The whole command, killed with every file staged: the next run removes the
    several-MB hidden staging folder it left, and keeps the user's file."""
    config = ["--config", str(tiny.config)]
    assert runner.invoke(app, ["access", *config]).exit_code == 0
    folder = tiny.root / "out" / "tiny-access"
    (folder / "notes.docx").write_bytes(NOTES)
    child = subprocess.run(
        [sys.executable, "-c", "from earlyhelp.cli import main; main()", "access", *config],
        env={**os.environ, "EARLYHELP_TEST_KILL_AT": "staged"},
        capture_output=True,
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL
    (stage,) = hidden(folder.parent)
    assert stage.startswith(".tiny-access.") and stage.endswith(".tmp")
    assert sum(p.stat().st_size for p in (folder.parent / stage).rglob("*")) > 100_000
    result = runner.invoke(app, ["access", *config])
    assert result.exit_code == 0, result.output
    assert "Kept 1 file you added: notes.docx" in result.stdout
    assert hidden(folder.parent) == []
    assert (folder / "notes.docx").read_bytes() == NOTES


def test_only_earlyhelps_own_leftovers_are_removed(tmp_path):
    def stage(name: str, marker: str | None) -> Path:
        path = tmp_path / name
        path.mkdir()
        (path / "results.gpkg").write_bytes(b"x" * 1000)
        if marker is not None:
            (path / ".earlyhelp-stage").write_text(marker)
        return path

    def owner(pid: int) -> str:
        host = socket.gethostname()
        return json.dumps({"generator": "earlyhelp", "pid": pid, "host": host, "time": time.time()})

    stage(".run.abcd1234.tmp", owner(dead_pid()))  # a killed run's: removed
    stage(".other.abcd1234.tmp", owner(dead_pid()))  # another killed run's: removed
    stage(".run.efgh5678.tmp", owner(os.getppid()))  # a run still writing: kept
    stage(".run.ijkl9012.tmp", None)  # our naming, no marker: kept
    stage(".run.mnop3456.tmp", "not ours")  # a marker earlyhelp did not write: kept
    stage(".config", owner(dead_pid()))  # not our naming: kept
    stage(".run.tmp", owner(dead_pid()))
    (tmp_path / ".run.qrst7890.tmp").write_text("a file")
    write_folder(tmp_path / "run", {"a.txt": "a"})
    assert hidden(tmp_path) == [
        ".config",
        ".run.efgh5678.tmp",
        ".run.ijkl9012.tmp",
        ".run.mnop3456.tmp",
        ".run.qrst7890.tmp",
        ".run.tmp",
    ]


def test_the_report_command_puts_back_a_run_folder_a_killed_run_moved_aside(tiny):
    """Two renames, killed between them: the next earlyhelp command writing there (here
    ``report``) puts the earlier folder back before it writes."""
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    folder = tiny.root / "out" / "tiny"
    (folder / "notes.docx").write_bytes(NOTES)
    os.rename(folder, folder.parent / ".tiny.abcd1234.old")
    record = {"generator": "earlyhelp", "pid": dead_pid(), "new": [0, 0]}
    record.update(host=socket.gethostname(), time=time.time())
    (folder.parent / ".tiny.abcd1234.swap").write_text(json.dumps(record))
    result = runner.invoke(app, ["report", "--config", str(tiny.config)])
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").is_file() and (folder / "notes.docx").read_bytes() == NOTES
    assert hidden(folder.parent) == []


def test_report_will_not_write_into_a_folder_with_a_strangers_manifest(tiny, tmp_path):
    webapp = tmp_path / "webapp"
    webapp.mkdir()
    (webapp / "manifest.json").write_text('{"name": "My app"}')
    result = runner.invoke(app, ["report", "--config", str(tiny.config), "--run", str(webapp)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"earlyhelp: error: {webapp}: its manifest.json was not written by earlyhelp, so "
        "earlyhelp will not write into this folder; give --run the folder of a finished run"
    )
    assert [p.name for p in webapp.iterdir()] == ["manifest.json"]


# ------------------------------------------------------------------ failures to write


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", str(args[1]))


def test_a_full_disk_names_the_file_and_says_disk_full(tiny, monkeypatch):
    import geopandas as gpd

    config = ["access", "--config", str(tiny.config)]
    out = tiny.root / "out"
    folder = out / "tiny-access"
    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", full_disk)  # (self, path, ...)
    result = runner.invoke(app, config)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"earlyhelp: error: cannot write {folder}/results.gpkg: disk full; free some space "
        "on that disk, or write elsewhere with --out; nothing was written"
    )
    assert list(out.iterdir()) == []  # no folder, no staging folder, no temporary file
    # with an earlier run in place, it stays as it was, with the user's file
    monkeypatch.undo()
    assert runner.invoke(app, config).exit_code == 0
    (folder / "notes.docx").write_bytes(NOTES)
    before = tree(folder)
    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", full_disk)
    result = runner.invoke(app, config)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"earlyhelp: error: cannot write {folder}/results.gpkg: disk full; free some space "
        f"on that disk, or write elsewhere with --out; {folder} is as it was"
    )
    assert tree(folder) == before and hidden(out) == []


def test_a_full_disk_without_a_file_name_is_put_to_the_file_being_written(tiny, monkeypatch):
    import pandas as pd

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")  # as a write() gives it

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    result = runner.invoke(app, ["access", "--config", str(tiny.config)])
    assert result.exit_code == 2
    folder = tiny.root / "out" / "tiny-access"
    assert result.stderr.strip() == (
        f"earlyhelp: error: cannot write {folder}/tables/access_NOT_FOR_PUBLICATION.csv: disk "
        "full; free some "
        "space on that disk, or write elsewhere with --out; nothing was written"
    )
    assert list((tiny.root / "out").iterdir()) == []


def test_a_full_disk_that_gdal_reports_in_its_own_words_is_a_full_disk(tiny, monkeypatch):
    import geopandas as gpd

    def full(*args, **kwargs):
        raise RuntimeError(
            "Could not add feature to layer at index 0: sqlite3_exec(INSERT INTO "
            "gpkg_geometry_columns ...) failed: database or disk is full"
        )

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", full)
    result = runner.invoke(app, ["access", "--config", str(tiny.config)])
    assert result.exit_code == 2
    assert "unexpected error" not in result.stderr
    assert result.stderr.strip().startswith(
        f"earlyhelp: error: cannot write {tiny.root}/out/tiny-access/results.gpkg: disk full;"
    )


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (OSError(errno.EROFS, "Read-only file system"), "the disk is read-only"),
    ],
)
def test_no_permission_or_a_read_only_disk_name_the_file_and_the_cause(
    tiny, monkeypatch, error, words
):
    def refused(data, path):
        raise type(error)(error.errno, error.strerror, str(path))

    monkeypatch.setattr("earlyhelp.publish.folder.write_json", refused)
    result = runner.invoke(app, ["access", "--config", str(tiny.config)])
    assert result.exit_code == 2
    folder = tiny.root / "out" / "tiny-access"
    assert result.stderr.strip() == (
        f"earlyhelp: error: cannot write {folder}/manifest.json: {words}; choose a folder "
        "you may write to (--out or [run] output_dir); nothing was written"
    )
    assert list((tiny.root / "out").iterdir()) == []


def test_a_folder_that_cannot_be_made_says_permission_denied(tiny, tmp_path, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(kwargs["dir"]))

    monkeypatch.setattr(folders.tempfile, "mkdtemp", refused)
    out = tmp_path / "shared" / "run"
    result = runner.invoke(app, ["access", "--config", str(tiny.config), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"earlyhelp: error: cannot write {out.parent}: permission denied; choose a folder you "
        "may write to (--out or [run] output_dir); nothing was written"
    )


def test_a_file_written_alone_names_itself_when_the_disk_is_full(tmp_path, monkeypatch):
    import pandas as pd

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(outputs.WriteError) as info:
        outputs.write_csv(pd.DataFrame({"a": [1]}), tmp_path / "problems.csv")
    assert str(info.value) == (
        f"cannot write {tmp_path}/problems.csv: disk full; free some space on that disk, or "
        "write elsewhere with --out"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_failure_in_the_background_write_is_reported_and_nothing_is_left(tiny, monkeypatch):
    """Large runs write their Parquet results in a background thread: a full disk there
    is the same one clear error, and no folder or staging folder is left."""
    import geopandas as gpd

    tiny.set_config(replace=('output_dir = "out"', 'output_dir = "out"\ntables = "parquet"'))
    out = tiny.root / "out"
    assert runner.invoke(app, ["run", "--config", str(tiny.config)]).exit_code == 0
    folder = out / "tiny"
    assert (folder / "results" / "areas.parquet").is_file()
    before = tree(folder)
    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", full_disk)  # (self, path, ...)
    result = runner.invoke(app, ["run", "--config", str(tiny.config)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith(f"earlyhelp: error: cannot write {folder}/results/")
    assert message.endswith(
        f".parquet: disk full; free some space on that disk, or write elsewhere with --out; "
        f"{folder} is as it was"
    )
    assert tree(folder) == before and hidden(out) == []
