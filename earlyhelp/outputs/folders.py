"""The output folder: staged beside its final place, put in place whole.

A run is written into a hidden staging folder beside its final place and renamed into
place only when every file is complete, so a failed run never leaves a half-written
output and never disturbs the previous run's files until the new ones are ready.
"""

from __future__ import annotations

__all__ = ["staged_dir"]

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from earlyhelp.errors import InputError


@contextlib.contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``final`` whole.

    Only an earlier earlyhelp output (a folder holding ``manifest.json``) or an empty
    folder is ever replaced: anything else at ``final`` is refused before any work.
    """
    final = Path(final)
    _check_replaceable(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; a run folder is not
    try:
        yield stage
        old = None
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
            os.replace(final, old / final.name)
        os.replace(stage, final)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if stage.exists():
            shutil.rmtree(stage)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _check_replaceable(final: Path) -> None:
    if not final.exists():
        return
    if not final.is_dir():
        raise InputError(
            f"{final}: this is a file, not a folder; choose a new folder for the outputs "
            "(--out or [run] output_dir)"
        )
    if any(final.iterdir()) and not (final / "manifest.json").exists():
        raise InputError(
            f"{final}: this folder holds files that earlyhelp did not write (it has no "
            "manifest.json), so it will not replace it; choose a new or empty folder (--out)"
        )
