"""The folders earlyhelp owns: staged, swapped into place in one step, never a user's.

**Which folders are earlyhelp's.** A folder's ``manifest.json`` says
``"generator": "earlyhelp"`` and lists under ``outputs`` every file earlyhelp wrote there
(:func:`read_manifest`); a web app's or anyone else's manifest has neither. Only such a
folder, or an empty one, is ever replaced: any other is refused before any work.

**A user's files.** Whatever is in the folder that its manifest does not list was put
there by someone else (:func:`added_entries`). When the folder is replaced, each is
carried into the new folder unchanged (a hard link, else a copy) and the new manifest
lists it under ``kept``. Files the earlier run wrote are replaced, or go with it.

**One step.** A command writes into a hidden staging folder beside the final one,
``.<name>.<random>.tmp``, whose marker file (``.earlyhelp-stage``: who is writing it) is
written first. When everything is written, a swap record ``.<name>.<random>.swap`` is
written, and on Linux ``renameat2(RENAME_EXCHANGE)`` swaps the staging folder and the
old one in one atomic step: at every instant the complete old folder or the complete new
one is at the final path. The old folder (now at the staging name) is then removed, and
the record last. Where the exchange is not available (another system, or a disk that
cannot), two renames do it (old to ``.<name>.<random>.old``, new into place): the record
lets the next writer put the old folder back if it was killed between them.

**Leftovers.** Before writing, :func:`tidy` finishes or undoes a swap whose record a
killed earlyhelp left, and removes staging folders that hold earlyhelp's marker and
whose writer is gone. Nothing else beside the folder is touched.
"""

from __future__ import annotations

__all__ = ["Staging", "added_entries", "read_manifest", "staged_dir", "tidy"]

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import signal
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from earlyhelp.errors import EarlyHelpError, InputError
from earlyhelp.outputs.writing import (
    GENERATOR,
    MANIFEST,
    WriteError,
    disk_full,
    write_error,
)

_MARK = ".earlyhelp-stage"  # written first into every staging folder
_KEY = "[a-z0-9_]{8}"  # tempfile's random part
_HELPER = re.compile(rf"^\.(?P<final>.+)\.(?P<key>{_KEY})\.(?P<kind>tmp|old|swap)$")
_TEMP_FILE = re.compile(rf"^\..+\.{_KEY}\.tmp(\.[^./]+)?$")  # atomic_path's, cut short
_ACTIVE: set[str] = set()  # the staging folders this process is writing now
_KILL_AT = "EARLYHELP_TEST_KILL_AT"


@dataclass
class Staging:
    """The hidden folder a command writes into (``path``), to replace ``final`` whole.

    Before writing its manifest, the command calls :meth:`keep_added`: anything a user
    added to the earlier folder at ``final`` is carried into ``path`` unchanged, and its
    names are returned (and kept in ``kept``) for the manifest and the user.
    """

    path: Path
    final: Path
    kept: list[str] | None = None

    def written(self) -> list[str]:
        """Every file written into the staging folder so far (``tables/x.csv``)."""
        files = (p for p in self.path.rglob("*") if p.is_file() and p != self.path / _MARK)
        return sorted(p.relative_to(self.path).as_posix() for p in files)

    def keep_added(self) -> list[str]:
        """Carry what a user added to the folder being replaced; return its names."""
        self.kept = _carry_added(self.final, self.path)
        return self.kept


@contextlib.contextmanager
def staged_dir(final: Path) -> Iterator[Staging]:
    """Yield a :class:`Staging` folder; on success it replaces ``final`` whole.

    Only a folder earlyhelp made (its ``manifest.json`` says so and lists the files it
    wrote) or an empty folder is replaced: anything else at ``final`` is refused before
    any work. What a user added there is kept (:meth:`Staging.keep_added`). First,
    leftovers of a killed earlier write beside ``final`` are tidied (:func:`tidy`). The
    replace is one atomic step where the system allows it (see the module's notes). A
    failure to write is one :class:`WriteError` naming the file, as it would be at
    ``final``; the staging folder is removed and ``final`` is as it was.
    """
    final = Path(os.path.abspath(final))
    if not final.name:
        raise InputError(f"{final}: choose a folder to write into (--out), not the top folder")
    with _reported(final, final, "nothing was written"):
        tidy(final.parent)
    _check_replaceable(final)
    after = f"{final} is as it was" if os.path.lexists(final) else "nothing was written"
    stage: Path | None = None
    try:
        with _reported(final, final, after):
            stage = _make_stage(final)
        staging = Staging(stage, final)
        with _reported(stage, final, after):
            yield staging
            if staging.kept is None:
                staging.keep_added()
            _checkpoint("staged")
            _put_in_place(stage, final)
    finally:
        if stage is not None:
            _ACTIVE.discard(stage.name)
            if os.path.isfile(stage / _MARK):  # still a staging folder: never put in place
                _rmtree(stage)


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


# --------------------------------------------------------------------------------------
# The folders earlyhelp owns
# --------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's ``manifest.json`` when earlyhelp wrote it, else None.

    earlyhelp's says ``"generator": "earlyhelp"`` and lists the files it wrote under
    ``outputs``; one written before the generator key names earlyhelp among its
    ``libraries``. A web app's or anyone else's manifest has neither.
    """
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), dict):
        return None
    if "generator" in data:
        return data if data["generator"] == GENERATOR else None
    libraries = data.get("libraries")
    older = isinstance(libraries, dict) and GENERATOR in libraries and "command" in data
    return data if older else None


def added_entries(folder: Path, manifest: Mapping[str, Any] | None) -> list[str]:
    """What a user added to an earlyhelp ``folder``: each file its manifest does not list
    (``tables/mine.csv``), and each folder holding none of the listed files, whole
    (``drafts/``). Without a manifest, everything in it."""
    if manifest is None:
        return sorted(e.name + ("/" if _is_dir(e) else "") for e in os.scandir(folder))
    owned = {*map(str, manifest.get("outputs", {})), MANIFEST}
    holding = {str(p) for name in owned for p in PurePosixPath(name).parents}
    found: list[str] = []

    def walk(where: Path, prefix: str) -> None:
        for entry in sorted(os.scandir(where), key=lambda e: e.name):
            rel = prefix + entry.name
            if _is_dir(entry):
                if rel in holding:
                    walk(Path(entry.path), rel + "/")
                else:
                    found.append(rel + "/")
            elif rel not in owned and not _TEMP_FILE.match(entry.name):
                found.append(rel)

    walk(Path(folder), "")
    return found


def _is_dir(entry: os.DirEntry) -> bool:
    return entry.is_dir(follow_symlinks=False)


def _check_replaceable(final: Path) -> None:
    """Refuse, before any work, a ``final`` that earlyhelp may not replace."""
    if not os.path.lexists(final):
        return
    if final.is_symlink() or not final.is_dir():
        what = "a link" if final.is_symlink() else "a file"
        raise InputError(
            f"{final}: this is {what}, not a folder earlyhelp made; choose a new folder for "
            "the outputs (--out or [run] output_dir)"
        )
    if read_manifest(final) is not None or not any(final.iterdir()):
        return
    if (final / MANIFEST).is_file():
        why = "its manifest.json was not written by earlyhelp"
    else:
        why = "it has no manifest.json from earlyhelp"
    raise InputError(
        f"{final}: this folder holds files that earlyhelp did not write ({why}), so "
        "earlyhelp will not write into it or remove anything in it; choose a new or empty "
        "folder (--out or [run] output_dir)"
    )


def _carry_added(final: Path, stage: Path) -> list[str]:
    """Carry into ``stage`` what a user added to the earlyhelp folder at ``final``
    (hard links, else copies: the originals stay until the swap); return the names."""
    _check_replaceable(final)  # it may have changed while the run was computed
    if not os.path.isdir(final):
        return []
    manifest = read_manifest(final)
    if manifest is None:  # an empty folder
        return []
    kept = added_entries(final, manifest)
    for rel in kept:
        src, dst = final / rel.rstrip("/"), stage / rel.rstrip("/")
        if os.path.lexists(dst):
            raise InputError(
                f"{src}: you added this to the folder, and the new run writes a file of "
                f"the same name; rename or move yours, then run again ({final} is as it was)"
            )
        dst.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith("/"):
            shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(src, dst)
    return kept


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except (OSError, NotImplementedError):
        shutil.copy2(src, dst, follow_symlinks=False)


# --------------------------------------------------------------------------------------
# Staging, the swap, and what a killed write leaves behind
# --------------------------------------------------------------------------------------


def _make_stage(final: Path) -> Path:
    """A new hidden staging folder beside ``final``, its marker written first."""
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    _ACTIVE.add(stage.name)
    try:
        (stage / _MARK).write_text(json.dumps(_owner()), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; a run folder is not
    except BaseException:
        _ACTIVE.discard(stage.name)
        _rmtree(stage)
        raise
    return stage


def _put_in_place(stage: Path, final: Path) -> None:
    """Replace ``final`` by ``stage``: one exchange where the system has it, else two
    renames. A swap record beside them, written first and removed last, lets the next
    writer finish or undo a swap that a killed process left half done."""
    _check_replaceable(final)
    key = stage.name[len(final.name) + 2 : -len(".tmp")]
    record = final.parent / f".{final.name}.{key}.swap"
    new = _identity(stage)
    try:
        with open(record, "x", encoding="utf-8") as fh:
            fh.write(json.dumps({**_owner(), "new": new}))
    except BaseException:
        with contextlib.suppress(OSError):
            record.unlink()
        raise
    _checkpoint("recorded")
    try:
        (stage / _MARK).unlink()
        if not os.path.lexists(final):
            if not _rename2(stage, final, _RENAME_NOREPLACE):
                os.rename(stage, final)
        elif not _exchange(stage, final):
            os.rename(final, final.parent / f".{final.name}.{key}.old")
            _checkpoint("between-renames")
            os.rename(stage, final)
        _checkpoint("swapped")
    except BaseException:
        _settle(record, new)  # undo (or finish, if the new folder is in place)
        raise
    _settle(record, new)


def _settle(record: Path, new: list[int] | None = None) -> bool:
    """Finish or undo the swap ``record`` describes; True when it is settled.

    The new folder in place: the old one (at the staging or ``.old`` name) is removed,
    after anything a user added to it that the new folder lacks is moved across.
    Otherwise the old folder is put back if it is missing, and the new one removed.
    """
    found = _HELPER.match(record.name)
    if found is None:
        return False
    parent, name, key = record.parent, found["final"], found["key"]
    final, stage, old = parent / name, parent / f".{name}.{key}.tmp", parent / f".{name}.{key}.old"
    if new is None:
        new = _read_json_object(record).get("new")
    try:
        if os.path.lexists(final) and _identity(final) == new:
            for earlier in (stage, old):
                _retire(earlier, final)
        else:
            if not os.path.lexists(final) and os.path.isdir(old) and not old.is_symlink():
                os.rename(old, final)  # put the earlier folder back
            if os.path.isdir(stage) and _identity(stage) == new:
                _rmtree(stage)
        record.unlink()
    except OSError:
        return False  # left for the next writer
    return True


def _retire(old: Path, final: Path) -> None:
    """Remove an earlier folder the new one replaced; first move across anything a user
    added to it that the new folder lacks (added while the run was being written)."""
    if old.is_symlink() or not old.is_dir():
        return
    manifest = read_manifest(old)
    for rel in added_entries(old, manifest):
        target = final / rel.rstrip("/")
        if not os.path.lexists(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old / rel.rstrip("/"), target)
    if manifest is not None or not any(old.iterdir()):
        _rmtree(old)


def tidy(parent: Path) -> None:
    """Clear what a killed earlyhelp left in ``parent``: finish or undo its half-done
    swaps, and remove its staging folders (hidden ``.<name>.<random>.tmp`` folders
    holding earlyhelp's marker, whose writer is no longer running). Nothing else there
    is touched."""
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return
    helpers = [(parent / n, m) for n in names if (m := _HELPER.match(n))]
    for path, found in helpers:
        if found["kind"] == "swap" and _abandoned(path, f".{found['final']}.{found['key']}.tmp"):
            _settle(path)
    for path, found in helpers:
        mark = path / _MARK
        if found["kind"] == "tmp" and not path.is_symlink() and _abandoned(mark, path.name):
            _rmtree(path)


def _abandoned(info: Path, stage_name: str) -> bool:
    """Whether the earlyhelp process that wrote ``info`` (a marker or a swap record)
    is gone. One on another machine, or unreadable, is left for a day, or an hour."""
    if info.is_symlink() or not info.is_file():
        return False
    data = _read_json_object(info)
    now = time.time()
    if data.get("generator") != GENERATOR:  # cut short while it was written
        try:
            return now - info.stat().st_mtime > 3600
        except OSError:
            return False
    if data.get("host") != socket.gethostname() or os.name != "posix":
        return now - float(data.get("time", now)) > 86400
    pid = data.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return stage_name not in _ACTIVE
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process is there
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


def _owner() -> dict[str, Any]:
    return {
        "generator": GENERATOR,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "time": time.time(),
    }


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _identity(path: Path) -> list[int]:
    st = os.lstat(path)
    return [st.st_dev, st.st_ino]


def _rmtree(path: Path) -> None:
    """Remove a folder of ours, making read-only folders in it writable first."""

    def again(func: Callable[[str], Any], name: str, _info: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), stat.S_IRWXU)
            func(name)

    shutil.rmtree(path, onerror=again)


_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


def _load_renameat2() -> Callable[..., int] | None:
    """Linux's ``renameat2`` from libc (glibc 2.28 or later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_renameat2 = _load_renameat2()


def _rename2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(src, dst, flags)``; False when this system or disk cannot (the
    caller then falls back to plain renames)."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), os.fspath(src), None, os.fspath(dst))


def _exchange(stage: Path, final: Path) -> bool:
    """Swap two folders in one atomic step (True), or say it cannot be done (False)."""
    return _rename2(stage, final, _RENAME_EXCHANGE)


def _checkpoint(step: str) -> None:
    """Test only: when the environment variable EARLYHELP_TEST_KILL_AT names ``step``,
    the process kills itself here (SIGKILL), as a crash would. The crash tests set it
    for a child process; unset, as always outside them, this does nothing."""
    if os.environ.get(_KILL_AT) == step:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
