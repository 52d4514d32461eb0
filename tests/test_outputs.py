"""Write failures name the file and the cause in plain words ("disk full"), exit 2, and
leave nothing half-written."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from earlyhelp import outputs
from earlyhelp.cli import app
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
        f"earlyhelp: error: cannot write {folder}/tables/access.csv: disk full; free some "
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
