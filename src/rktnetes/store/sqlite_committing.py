"""The async side of SQLite writes: who runs a write, when, and on which thread.

Why it is built this way: a commit at ``synchronous=FULL`` waits for an fsync, so FULL commits go to the
writer thread (``handoff.Worker``), and the writes that queue while a batch commits become the next batch
(group commit: one fsync for many writers, each answered only once durable). Only the COMMIT goes there:
the batch's statements run on the event loop first. Every statement on a thread gives up the GIL and must
win it back from a busy loop, waiting up to the switch interval each time (a 4-write batch took 8 ms
instead of 0.3 ms: the "convoy" behind the paced-create p99); staged on the loop, a batch crosses threads
once. At ``synchronous=NORMAL`` a WAL commit does no fsync at all, and handing it to a thread costs more
than running it, so when the writer is idle the write runs at once on the event loop. At either setting the
WAL checkpoint (copying the log into the database, with its fsyncs) runs on a background thread with its
own connection, never inside a commit, so no write waits for it (an automatic checkpoint in a FULL commit
was the p99 of paced creates). Both write paths use the one writer connection, never at the same time: the
inline path runs only while no batch is in flight. Compaction (a long DELETE) always takes the thread path.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from rktnetes.store import errors, handoff, sqlite_log
from rktnetes.store.protocol import Event
from rktnetes.store.sqlite_writes import LogWriter, Op, Outcome
from rktnetes.store.watching import Hub

MAX_BATCH = 512
CHECKPOINT_EVERY = 1.0  # seconds between background WAL checkpoints


class Committer:
    """Runs writes on a ``LogWriter`` and offers each committed batch to the watch ``hub``."""

    def __init__(self, writer: LogWriter, pool: handoff.Worker, hub: Hub, path: str, inline: bool) -> None:
        self._writer, self._pool, self._hub, self._path = writer, pool, hub, path
        self._inline = inline
        self._pending: list[tuple[Op, asyncio.Future]] = []
        self._drainer: asyncio.Task | None = None
        writer.conn.execute("PRAGMA wal_autocheckpoint=0")  # never inside a commit: that write would wait for it
        self._checkpointer = asyncio.get_running_loop().create_task(self._checkpoints())

    async def write(self, op: Op) -> Any:
        """The write's ``Event`` (None for a compaction) once committed; its ``StoreError`` otherwise."""
        if self._inline and self._drainer is None and op.kind != "compact":
            return self._settle(self._published(self._apply([op]))[0])
        future = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    def _apply(self, ops: list[Op]) -> list[Outcome]:
        try:
            outcomes = self._writer.apply(ops)
        except Exception as exc:  # the whole transaction failed (disk full, I/O error): every write fails
            return [errors.Unavailable(f"sqlite write failed: {exc}")] * len(ops)
        return outcomes

    def _published(self, outcomes: list[Outcome]) -> list[Outcome]:
        """Offer the committed events to the watches; on the event loop's thread only (watches are not
        thread-safe)."""
        self._hub.publish([o for o in outcomes if isinstance(o, Event)])
        return outcomes

    @staticmethod
    def _settle(outcome: Outcome) -> Any:
        if isinstance(outcome, errors.StoreError):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._commit(batch)
        finally:
            self._drainer = None

    async def _commit(self, batch: list[tuple[Op, asyncio.Future]]) -> None:
        ops = [op for op, _ in batch]
        if any(op.kind == "compact" for op in ops):  # a long DELETE: all of it off the loop
            outcomes = await self._pool.run(self._apply, ops)
        else:
            outcomes = await self._staged(ops)
        self._published(outcomes)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, errors.StoreError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def _staged(self, ops: list[Op]) -> list[Outcome]:
        """The statements on the loop, only the COMMIT (its fsync) on the writer thread."""
        try:
            outcomes = self._writer.stage(ops)
            await self._pool.run(self._writer.commit)
        except Exception as exc:  # the whole transaction failed: every write fails
            return [errors.Unavailable(f"sqlite write failed: {exc}")] * len(ops)
        return outcomes

    async def _checkpoints(self) -> None:
        conn = await asyncio.to_thread(sqlite_log.connect, self._path, "NORMAL", readonly=True)
        try:
            while True:
                await asyncio.sleep(CHECKPOINT_EVERY)
                await asyncio.to_thread(_checkpoint, conn)
        finally:
            conn.close()

    async def close(self) -> None:
        """Wait for the writes in flight; stop the checkpoints (after a last one)."""
        if self._drainer is not None:
            await asyncio.shield(self._drainer)
        self._checkpointer.cancel()
        await asyncio.gather(self._checkpointer, return_exceptions=True)
        await asyncio.to_thread(_checkpoint, self._writer.conn)


def _checkpoint(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:
        pass  # busy or closing: the next one catches up
