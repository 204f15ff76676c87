"""The files of a SQLite store (owner-only: they hold Secrets), and the lock that makes one process its
only writer.

Revisions are handed out by the one ``LogWriter`` in memory and watches are fed by it, so a second process
writing the same file would break both: the store takes an exclusive ``flock`` on ``<db>.lock`` at open
and keeps it until closed. A second opener fails at once with one clear line.
"""

from __future__ import annotations

import fcntl
import os

from rktnetes.store import errors


def lock_path(db: str) -> str:
    """The lock file held by the process that has the store open."""
    return db + ".lock"


def wal_path(db: str) -> str:
    """SQLite's write-ahead log of ``db``."""
    return db + "-wal"


def create_private(db: str) -> None:
    """Create ``db`` readable by its owner only if it does not exist: it holds Secrets. SQLite gives its
    -wal and -shm files the database file's permissions."""
    os.close(os.open(db, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))


def lock(db: str) -> int:
    """Take the store's lock; the file descriptor holding it. ``Unavailable`` if another holder has it."""
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise errors.Unavailable(f"sqlite store {db} is already open (lock {lock_path(db)} is held)") from None
    return fd


def unlock(fd: int) -> None:
    """Release the lock taken by ``lock``."""
    os.close(fd)
