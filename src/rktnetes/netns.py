"""Entering a network namespace from the calling thread, for the block of a ``with``.

``setns(CLONE_NEWNET)`` moves only the calling thread, and a socket keeps the namespace it was made in: the
kubelet's probes and stats readers, and the local cluster's checks, enter a pod's or a node's namespace from a
worker (or the only) thread, do their work there and come back. Shared by every component that needs it, so
it lives at the package's top and imports nothing of it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int, what: str) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), f"setns {what}: {os.strerror(ctypes.get_errno())}")


@contextlib.contextmanager
def entered(path: str | os.PathLike[str]) -> Iterator[None]:
    """This thread in the network namespace at ``path`` for the block, back in its own after (OSError if
    either move fails)."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        target = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(target, str(path))
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(own, "back to this thread's own namespace")
    finally:
        os.close(own)
