"""Read-only connections of a SQLite store: a small thread pool for queries, one connection on the loop.

Why it is built this way: WAL lets any number of readers query committed rows while the writer commits, but
a ``sqlite3`` connection must not be used by two threads at once. So each reader thread gets its own
connection (thread-local), and the event loop has one more for point lookups, cheaper inline than a hop to
a thread. Long reads (lists, watch catch-up) go to the pool so the loop never waits on them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from rktnetes.store import sqlite_log

READERS = 2
T = TypeVar("T")


class Readers:
    """Read-only connections to the database at ``path``."""

    def __init__(self, path: str, synchronous: str) -> None:
        self._path, self._synchronous = path, synchronous
        self._pool = ThreadPoolExecutor(READERS, thread_name_prefix="store-read")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._inline: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite_log.connect(self._path, self._synchronous, readonly=True)
        self._opened.append(conn)
        return conn

    def _thread_connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(connection, *args)`` on a reader thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, lambda: fn(self._thread_connection(), *args))

    def inline(self) -> sqlite3.Connection:
        """The event loop's own connection, for quick point reads."""
        if self._inline is None:
            self._inline = self._connect()
        return self._inline

    def close(self) -> None:
        """Wait for running reads, then close every connection (call from a worker thread)."""
        self._pool.shutdown(wait=True)
        for conn in self._opened:
            conn.close()
