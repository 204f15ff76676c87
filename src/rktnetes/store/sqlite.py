"""The SQLite backend (the default): WAL, one writer connection, a small pool of reader threads.

Why it is built this way: SQLite allows one writer at a time, so every write goes through one
``Committer`` owning the writer connection (inline at synchronous=NORMAL, group commit on a thread at
FULL: see ``sqlite_committing``). Reads never wait for writes: WAL lets reader threads, each with its own
read-only connection, query committed rows while the writer commits. Reads happen at a revision no newer
than the last committed one, so a single statement is a consistent snapshot; a compaction that could have
raced a read is detected after it (``LogWriter.compacted`` moves before the COMMIT).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import SplitResult

from rktnetes.store import backends, errors, expiring, handoff, keys, snapshotting, sqlite_files, sqlite_log, sqlite_url
from rktnetes.store.protocol import KeyValue, ListResult
from rktnetes.store.sqlite_committing import Committer
from rktnetes.store.sqlite_reading import Readers
from rktnetes.store.sqlite_writes import LogWriter, Op
from rktnetes.store.watching import Hub, LogWatch

T = TypeVar("T")


class SqliteStore:
    """A ``Store`` on one SQLite database file; make one with ``open_store("sqlite:///path")``."""

    def __init__(self, path: str, synchronous: str, writer: LogWriter, write_pool: handoff.Worker,
                 lock: int) -> None:
        self.path, self.synchronous, self._lock = path, synchronous, lock
        self._writer, self._write_pool = writer, write_pool
        self._readers = Readers(path, synchronous)
        self._hub = Hub()
        self._committer = Committer(writer, write_pool, self._hub, path, inline=synchronous == "NORMAL")
        self._closed = False
        self.clock: Callable[[], float] = time.time  # wall clock: expiry times outlive the process
        self._expirer = asyncio.get_running_loop().create_task(expiring.expire_periodically(self))

    # -- reads -------------------------------------------------------------------------------------------

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        self._check_open()
        return await self._readers.run(fn, *args)

    def _at(self, revision: int) -> int:
        current = self._writer.committed
        sqlite_log.check_revision(revision or current, current, self._writer.compacted)
        return revision or current

    def _still_there(self, revision: int) -> None:
        if revision < self._writer.compacted:
            raise errors.Compacted(revision, self._writer.compacted)

    async def current_revision(self) -> int:
        self._check_open()
        return self._writer.committed

    async def get(self, key: str) -> tuple[int, KeyValue | None]:
        """A point read through the primary-key index costs less than a hop to a reader thread: done inline."""
        self._check_open()
        rev = self._at(0)
        return rev, sqlite_log.latest(self._readers.inline(), keys.check_key(key), rev)

    async def list(self, prefix: str, *, revision: int = 0, limit: int = 0, start_after: str = "") -> ListResult:
        keys.check_prefix(prefix), keys.check_prefix(start_after)
        rev = self._at(revision)
        kvs = await self._read(sqlite_log.list_range, prefix, rev, limit + 1 if limit > 0 else 0, start_after)
        self._still_there(rev)
        more = 0 < limit < len(kvs)
        return ListResult(rev, kvs[:limit] if more else kvs, more)

    async def count(self, prefix: str) -> tuple[int, int]:
        keys.check_prefix(prefix)
        rev = self._at(0)
        return rev, await self._read(sqlite_log.count_range, prefix, rev)

    async def watch(self, prefix: str, from_revision: int) -> LogWatch:
        keys.check_prefix(prefix)
        self._check_open()
        self._still_there(from_revision)
        read = lambda p, after, n: self._read(sqlite_log.events_after, p, after, n)  # noqa: E731
        return LogWatch(self._hub, prefix, from_revision, read, lambda: self._writer.compacted)

    # -- writes ------------------------------------------------------------------------------------------

    async def _write(self, op: Op) -> Any:
        self._check_open()
        return await self._committer.write(op)

    def _expires(self, ttl: int) -> float:
        return self.clock() + expiring.check_ttl(ttl) if ttl else 0.0

    async def create(self, key: str, value: bytes, *, ttl: int = 0) -> int:
        event = await self._write(Op("create", keys.check_key(key), bytes(value), expires=self._expires(ttl)))
        return event.revision

    async def update(self, key: str, value: bytes, expected_revision: int, *, ttl: int = 0) -> int:
        op = Op("update", keys.check_key(key), bytes(value), expected_revision, self._expires(ttl))
        return (await self._write(op)).revision

    async def delete(self, key: str, expected_revision: int = 0) -> tuple[int, KeyValue]:
        event = await self._write(Op("delete", keys.check_key(key), b"", expected_revision))
        return event.revision, event.prev_kv

    async def compact(self, revision: int) -> None:
        await self._write(Op("compact", expected=revision))

    async def snapshot(self, path: str) -> int:
        partial = snapshotting.check_destination(path)
        try:
            await self._read(sqlite_log.backup, partial)
        except BaseException:
            snapshotting.discard(path)
            raise
        return snapshotting.publish(path)

    async def db_size(self) -> int:
        return await self._read(sqlite_log.db_size)

    async def expire_due(self) -> int:
        """Delete the keys whose time to live ran out by ``clock()``; how many. A key written again since
        is left alone (the delete is a compare-and-swap on the revision seen)."""
        expired = 0
        for key, revision in await self._read(sqlite_log.expired, self.clock()):
            try:
                await self.delete(key, revision)
                expired += 1
            except (errors.Conflict, errors.NotFound):
                pass
        return expired

    # -- lifecycle ---------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise errors.Unavailable(f"store {self.path} is closed")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._expirer.cancel()
        await asyncio.gather(self._expirer, return_exceptions=True)
        await self._committer.close()
        self._hub.close()
        await asyncio.to_thread(self._shutdown)

    def _shutdown(self) -> None:
        self._readers.close()
        self._write_pool.shutdown(wait=True)
        self._writer.conn.close()
        sqlite_files.unlock(self._lock)


async def open_sqlite(parts: SplitResult) -> SqliteStore:
    """Open (creating if needed) the database a ``sqlite:///path[?synchronous=FULL]`` URL names."""
    path, synchronous = sqlite_url.parse(parts)
    lock = sqlite_files.lock(path)
    sqlite_files.create_private(path)
    pool = handoff.Worker("store-write")
    try:
        writer = await pool.run(lambda: LogWriter(sqlite_log.connect(path, synchronous)))
    except Exception as exc:
        pool.shutdown(wait=False)
        sqlite_files.unlock(lock)
        raise errors.Unavailable(f"cannot open sqlite store {path}: {exc}") from None
    return SqliteStore(path, synchronous, writer, pool, lock)


backends.register("sqlite", open_sqlite)
