"""Advisory file locks (flock) that serialise writers of one image across processes.

A lock file may be unlinked by ``image gc`` while it is held; whoever then acquires the old inode notices
that the path no longer names it and retries on the new file, so two holders can never coexist.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive flock on ``path`` (created if missing) for the block; yields False if ``blocking``
    is off and someone else holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if not _flock(fd, blocking):
                yield False
                return
            if _still_linked(path, fd):
                yield True
                return
        finally:
            os.close(fd)


def _flock(fd: int, blocking: bool) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _still_linked(path: Path, fd: int) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def remove_if_idle(path: Path) -> bool:
    """Unlink a lock file nobody holds (``image gc``); True if it was removed."""
    with exclusive(path, blocking=False) as held:
        if held:
            path.unlink()
        return held
