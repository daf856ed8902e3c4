"""Advisory file locks: one writer at a time on the ledger, one process at a time on a sweep.

A lock is ``flock(2)`` on a small sidecar file (``ledger.jsonl.lock``, ``runs.sqlite.SWEEP.lock``).
The kernel releases it when its holder exits, however it exits (``kill -9`` included), so a
lock is never left behind by a crash and "is someone holding it" is a reliable test of "is
that process still running". Locks are advisory: they bind accord's processes, not other
programs. POSIX systems only (Linux, macOS); on network file systems ``flock`` is only as
reliable as the file system's lock support.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import AccordError


class Busy(AccordError):
    """The lock is held by another process (only raised when not waiting for it)."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} is locked by {holder or 'another process'}")
        self.path, self.holder = path, holder


@contextmanager
def exclusive(path: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed); raise :class:`Busy` if ``wait`` is off and it is held.

    The holder writes its process id and host into the file, for the message another process shows.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Busy(path, _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


@contextmanager
def shared(path: Path) -> Iterator[None]:
    """Hold a shared lock (readers exclude writers, not each other).

    Where the lock file cannot be created (a read-only folder) there can be no writer holding it
    either, and the caller reads without a lock.
    """
    fd = None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except FileNotFoundError:
        pass  # no folder, so no ledger and no writer
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        with suppress(FileNotFoundError):
            fd = os.open(path, os.O_RDONLY)
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def held(path: Path) -> str | None:
    """Who holds an exclusive lock on ``path`` ("" when unknown), or None when nobody does."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(fd)
    else:
        return None
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
