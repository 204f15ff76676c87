"""Scratch space inside the store: temp dirs and spool files that vanish unless renamed into place.

Each one is flocked by the process writing it, so ``image gc`` can tell a killed fetch's leftovers (unlocked)
from work in progress (locked) and sweep them within a minute instead of waiting for them to age.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

PREFIXES = ("blob-", "tree-")  # names written under the lock protocol; gc ages out anything else slowly


class ScratchDir:
    """A flocked temp dir removed on exit unless it was renamed away."""

    def __init__(self, parent: Path) -> None:
        import tempfile  # lazily: the cached fetch path never needs it
        self.path = Path(tempfile.mkdtemp(dir=parent, prefix="tree-"))
        self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        import shutil  # lazily: the cached fetch path never needs it
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self.fd)


def spool_file(parent: Path) -> IO[bytes]:
    """A flocked temp file, deleted when closed (the blob is hardlinked into place before that)."""
    import tempfile  # lazily: the cached fetch path never needs it
    spooled = tempfile.NamedTemporaryFile(dir=parent, prefix="blob-")  # noqa: SIM115 - the caller closes it
    fcntl.flock(spooled.fileno(), fcntl.LOCK_EX)
    return spooled


def abandoned(entry: Path) -> bool:
    """True if nobody holds the flock of a scratch entry (its writer finished or was killed)."""
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def move_file(src: Path, dest: Path) -> None:
    """Hardlink the spooled blob into place (its temp file is unlinked on close), replacing any orphan."""
    dest.unlink(missing_ok=True)
    os.link(src, dest)
