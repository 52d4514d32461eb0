"""Work done in a forked process beside this one (a large run's pages beside its tables).

On a machine with two or more cores, a large run's board map and report (tens of
seconds at England scale) are drawn by a child process while this one writes the
tables, the workbook and the offer index. :func:`beside` forks the child; it inherits
everything already in memory, so nothing is copied or pickled on the way in; only the
result (or the exception, re-raised here as it was) comes back. Where processes cannot
be forked (Windows, macOS' default), or on one core, the work is done here, in order,
when its result is asked for.

A child that is still working when this process fails (a disk full while the workbook is
written, Ctrl-C) is stopped with every process it started (its own process group), so
nothing goes on writing into a staging folder that is being removed.
"""

from __future__ import annotations

__all__ = ["Beside", "beside", "can_fork"]

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from earlyhelp.errors import EarlyHelpError

T = TypeVar("T")


def can_fork() -> bool:
    """Whether work can go to a forked process that runs beside this one: the system can
    fork and there is a second core to run it on."""
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


class Beside(Generic[T]):
    """``fn(*args)`` running in a forked child (or waiting to run here, when the system
    cannot fork). :meth:`result` waits for it and returns its value or raises its
    exception; :meth:`stop` ends it and every process it started."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...], *, what: str) -> None:
        self._fn, self._args, self._what = fn, args, what
        self._process: Any = None
        self._receive: Connection | None = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_child, args=(send, fn, args), name=f"earlyhelp: {what}", daemon=False
            )
            _give_back_freed_memory()
            gc.freeze()  # the child's collector leaves what exists now alone: its
            try:  # memory stays shared with this process instead of being copied
                self._process.start()
            finally:
                gc.unfreeze()
            # the child does the same: whichever runs first, stop() finds the group
            with contextlib.suppress(OSError):
                os.setpgid(self._process.pid, self._process.pid)
            send.close()  # the child holds its end: a child that dies is an end of file

    def result(self) -> T:
        if self._process is None:
            return self._fn(*self._args)
        assert self._receive is not None
        try:
            ok, value = self._receive.recv()
        except EOFError:
            self._process.join()
            raise EarlyHelpError(
                f"{self._what}: the process drawing them stopped unexpectedly (exit code "
                f"{self._process.exitcode}; out of memory?); nothing was written. Run again, "
                "and if it happens again, on a machine with more memory"
            ) from None
        finally:
            self._receive.close()
        self._process.join()
        self._process = None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """End the child and its own children, if it is still running."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        process.join()
        if self._receive is not None:
            self._receive.close()


def _give_back_freed_memory() -> None:
    """Hand memory freed but still held by the C allocator back to the system (glibc's
    ``malloc_trim``; elsewhere nothing), so a child forked now does not start with it:
    at England scale about 0.4 of 1.7 GB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def beside(fn: Callable[..., T], *args: Any, what: str) -> Beside[T]:
    """Start ``fn(*args)`` beside this process (``what`` names it in messages)."""
    return Beside(fn, args, what=what)


def _child(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    os.setpgid(0, 0)  # its own group: stop() ends it and whatever it forks
    try:
        outcome: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # every failure goes back to the parent
        outcome = (False, exc)
    try:
        payload = pickle.dumps(outcome)
        pickle.loads(payload)  # an exception may pickle and yet not unpickle
    except Exception:  # one that does not comes back as its message
        payload = pickle.dumps((False, EarlyHelpError(str(outcome[1]))))
    send.send_bytes(payload)
    send.close()
