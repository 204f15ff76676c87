"""Consistent backups of a live store, written as a new owner-only file that appears only once complete.

SQLite: the database itself, copied by SQLite's online backup (open it with ``sqlite:///that/path``).
etcd: etcd's own snapshot, streamed from ``/v3/maintenance/snapshot`` (restore it with
``etcdctl snapshot restore``).
"""

from __future__ import annotations

import os

from rktnetes.store import errors


def partial_path(path: str) -> str:
    """Where a snapshot is written before it is complete."""
    return path + ".part"


def check_destination(path: str) -> str:
    """The partial path to write ``path`` through; ``InvalidPath`` if ``path`` exists or has no directory."""
    if not os.path.isabs(path) or not os.path.isdir(os.path.dirname(path)):
        raise errors.InvalidPath(f"snapshot destination {path!r} is not a path in an existing directory")
    if os.path.lexists(path) or os.path.lexists(partial_path(path)):
        raise errors.InvalidPath(f"snapshot destination {path} already exists")
    os.close(os.open(partial_path(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    return partial_path(path)


def publish(path: str) -> int:
    """Make the complete snapshot visible under ``path``; its size."""
    os.rename(partial_path(path), path)
    return os.path.getsize(path)


def discard(path: str) -> None:
    """Remove what a failed snapshot left."""
    try:
        os.unlink(partial_path(path))
    except FileNotFoundError:
        pass
