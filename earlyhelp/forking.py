"""Forked processes: work done beside this process, whether to fork, and what a forked
process does to be a good child.

On a Linux machine with two or more cores, a large run measures half its kinds of help
in a child process (:mod:`earlyhelp.accessibility.engine`), and draws its board map and
report (tens of seconds at England scale) in children while this one writes the tables,
the workbook and the offer index. :func:`beside` forks a child; it inherits everything
already in memory, so nothing is copied or pickled on the way in; only the result (or the
exception, re-raised here as it was, with the child's traceback as a note) comes back.
Where processes are not forked (Windows; macOS, where forking a process that has used
the system's frameworks is unsafe; one core), the work is done here, when its result is
asked for.

A child, and every process it started (its own process group), is stopped when this
process fails (a disk full while the workbook is written, Ctrl-C) and dies with it if it
is killed, so nothing goes on writing into a staging folder that is being removed.
District pages are written by a pool of forked processes (:mod:`earlyhelp.maps.atlas`).
Every child is forked after handing back memory the allocator holds
(:func:`give_back_freed_memory`) and dies with its parent (:func:`die_with_parent`).
"""

from __future__ import annotations

__all__ = ["Beside", "beside", "can_fork", "die_with_parent", "give_back_freed_memory", "stop_all"]

import atexit
import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from earlyhelp.errors import EarlyHelpError

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def can_fork() -> bool:
    """Whether work can go to a forked process that runs beside this one: Linux (where a
    fork is safe and cheap) with a second core for it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may use
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores > 1


def give_back_freed_memory() -> None:
    """Hand memory freed but still held by the C allocator back to the system (glibc's
    ``malloc_trim``; elsewhere nothing), so a child forked now does not start with it:
    at England scale about 0.4 of 1.7 GB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def die_with_parent() -> None:
    """Make this (forked) process die when its parent does (Linux ``prctl``): a killed
    run leaves nothing drawing into its staging folder."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class Beside(Generic[T]):
    """``fn(*args)`` running in a forked child (or waiting to run here, when the system
    does not fork). :meth:`result` waits for it and returns its value or raises its
    exception; :meth:`stop` ends it and every process it started."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...], *, what: str) -> None:
        self._fn, self._args, self._what = fn, args, what
        self._process: Any = None
        self._receive: Connection | None = None
        if not can_fork():
            return
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_child, args=(send, receive, fn, args), name=f"earlyhelp: {what}", daemon=False
        )
        give_back_freed_memory()
        gc.freeze()  # the child's collector leaves what exists now alone: its memory
        try:  # stays shared with this process instead of being copied
            process.start()
        except BaseException:
            receive.close()
            raise
        finally:
            gc.unfreeze()
            send.close()  # the child holds its end
        # the child does the same: whichever runs first, stop() finds the group
        pid = process.pid
        assert pid is not None  # started
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        self._process, self._receive = process, receive
        # the answer is read as soon as it is sent (a child whose answer is larger than a
        # pipe holds would otherwise wait, holding its memory, until it is asked for)
        self._answer: Future[bytes | None] = Future()
        threading.Thread(target=self._read, name="earlyhelp-beside", daemon=True).start()
        _STARTED.add(self)

    def _read(self) -> None:
        process, receive = self._process, self._receive
        assert receive is not None
        payload = None
        try:
            # the answer, or the child's end (asked of the system: workers it forked hold
            # both the pipe and multiprocessing's sentinel open after it dies)
            while not receive.poll(0.2) and process.is_alive():
                pass
            payload = receive.recv_bytes() if receive.poll() else None
        except (EOFError, OSError, ValueError):  # nothing sent, or stopped meanwhile
            pass
        self._answer.set_result(payload)

    def result(self) -> T:
        if self._process is None:
            return self._fn(*self._args)
        process, receive = self._process, self._receive
        assert receive is not None
        payload = self._answer.result()
        if payload is None:
            self.stop()
            code = process.exitcode
            how = f"exit code {code}" if code is None or code >= 0 else f"killed by signal {-code}"
            raise EarlyHelpError(
                f"{self._what}: the process beside this one stopped unexpectedly ({how}; "
                "out of memory?); nothing was written. Run again, and if it happens again, "
                "on a machine with more memory"
            )
        process.join(5.0)  # its answer is in: it has only to exit,
        self.stop()  # and is ended if it is stuck on its way out (its pipe closed either way)
        ok, value = pickle.loads(payload)
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """End the child and its own children, if it is still running."""
        stop_all([self])


def stop_all(children: list[Beside[Any]]) -> None:
    """End every child still running and whatever each started (its process group):
    asked to stop, then killed if any is still there after a few seconds."""
    running = [child for child in children if child._process is not None]
    for child in running:
        with contextlib.suppress(OSError):
            os.killpg(child._process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 5.0
    for child in running:
        group = child._process.pid
        while _alive(group) and time.monotonic() < deadline:
            child._process.join(0.05)  # reaps the child; its workers reap alone
        if _alive(group):
            with contextlib.suppress(OSError):
                os.killpg(group, signal.SIGKILL)
        child._process.join()
    for child in children:
        child._process = None
        _STARTED.discard(child)
        if child._receive is not None:
            child._receive.close()
            child._receive = None


# children started and not yet answered (held here even when their caller dropped
# them): a process that ends without asking for an answer (its product never written)
# stops them first, as multiprocessing waits at exit for every child still running
_STARTED: set[Beside[Any]] = set()


@atexit.register
def _stop_the_unanswered() -> None:
    stop_all(list(_STARTED))


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except OSError:
        return False
    return True


def beside(fn: Callable[..., T], *args: Any, what: str) -> Beside[T]:
    """Start ``fn(*args)`` beside this process (``what`` names it in messages)."""
    return Beside(fn, args, what=what)


def _child(
    send: Connection, receive: Connection, fn: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    os.setpgid(0, 0)  # its own group: stop() ends it and whatever it forks
    die_with_parent()
    receive.close()  # the parent's end: once the parent lets go of it, sending fails
    # the terminal's own streams, not a wrapper whose lock a thread of the parent (a
    # progress display) may have held at the fork
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        outcome: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # every failure goes back to the parent
        exc.add_note("(in the process beside)\n" + traceback.format_exc())
        outcome = (False, exc)
    try:
        payload = pickle.dumps(outcome)
        if not outcome[0]:
            pickle.loads(payload)  # an exception may pickle and yet not unpickle
    except Exception:  # one that does not comes back as its message and exit code
        error = EarlyHelpError(str(outcome[1]))
        error.exit_code = getattr(outcome[1], "exit_code", 1)
        payload = pickle.dumps((False, error))
    with contextlib.suppress(BrokenPipeError):  # the parent no longer waits for it
        send.send_bytes(payload)
    send.close()
