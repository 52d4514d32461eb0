"""Forked processes: whether to fork, and what a forked process does to be a good child.

A large run draws its pages in forked processes (:mod:`earlyhelp.publish.beside`) and
writes its district pages with a pool of them (:mod:`earlyhelp.maps.atlas`): both ask
:func:`can_fork`, hand back memory the allocator holds before forking
(:func:`give_back_freed_memory`) and have each child die with its parent
(:func:`die_with_parent`).
"""

from __future__ import annotations

__all__ = ["can_fork", "die_with_parent", "give_back_freed_memory"]

import contextlib
import ctypes
import os
import signal
import sys

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
