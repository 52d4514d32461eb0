"""The output folder: staged beside its final place, put in place whole.

A run is written into a hidden staging folder beside its final place and renamed into
place only when every file is complete, so a failed run never leaves a half-written
output and never disturbs the previous run's files until the new ones are ready.
"""

from __future__ import annotations

__all__ = ["staged_dir"]

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.outputs.writing import WriteError, disk_full, write_error


@contextlib.contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``final`` whole.

    Only an earlier earlyhelp output (a folder holding ``manifest.json``) or an empty
    folder is ever replaced: anything else at ``final`` is refused before any work.
    """
    final = Path(os.path.abspath(final))
    _check_replaceable(final)
    after = f"{final} is as it was" if os.path.lexists(final) else "nothing was written"
    with _reported(final, final, after):
        final.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; a run folder is not
    try:
        with _reported(stage, final, after):
            yield stage
            old = None
            if final.exists():
                old = Path(
                    tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent)
                )
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


@contextlib.contextmanager
def _reported(inside: Path, final: Path, after: str) -> Iterator[None]:
    """Turn a failure to write under ``inside`` (a staging folder, or ``final``) into
    one :class:`WriteError` naming the file as it would be at ``final``."""
    try:
        yield
    except WriteError as exc:
        if exc.after:
            raise
        where = _as_final(exc.path, inside, final)
        raise WriteError(where, exc.reason, exc.fix, after=after) from exc
    except EarlyHelpError:
        raise
    except OSError as exc:
        where = final if exc.filename is None else Path(os.fsdecode(exc.filename))
        if not _ours(where, inside, final):
            raise  # another file (one being read): not this write's failure
        raise write_error(_as_final(where, inside, final), exc, after=after) from exc
    except Exception as exc:
        if not disk_full(exc, final.parent):
            raise
        raise write_error(final, OSError(errno.ENOSPC, "disk full"), after=after) from exc


def _as_final(path: Path, inside: Path, final: Path) -> Path:
    """A path in the staging folder (or a helper beside ``final``) as it would be at
    ``final``: the user never sees the hidden names."""
    with contextlib.suppress(ValueError):
        return final / path.relative_to(inside)
    if path.parent == final.parent and path.name.startswith(f".{final.name}."):
        return final
    return path


def _ours(path: Path, inside: Path, final: Path) -> bool:
    mine = (inside, final)
    beside = path.parent == final.parent and path.name.startswith(f".{final.name}.")
    return beside or path in mine or any(p in path.parents for p in mine) or path in final.parents
