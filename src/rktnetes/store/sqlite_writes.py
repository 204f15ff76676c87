"""The SQLite store's writer: batches of writes applied in one transaction on one connection, one thread.

Group commit: the async side hands over every write that queued while the previous batch was committing, so
16 concurrent writers cost one fsync, not 16, and each still learns its result only once it is durable.
A write that fails its own check (exists, conflict, not found) writes nothing and does not spoil the batch.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from rktnetes.store import errors, sqlite_log
from rktnetes.store.protocol import DELETE, PUT, Event, KeyValue


@dataclass(frozen=True, slots=True)
class Op:
    """One requested write: kind is create, update, delete or compact."""

    kind: str
    key: str = ""
    value: bytes = b""
    expected: int = 0
    expires: float = 0.0  # wall-clock time the key expires at (0: never)


Outcome = Event | errors.StoreError | None


class LogWriter:
    """Owns the writer connection and the revision counter. ``committed`` and ``compacted`` are read by
    other threads: ``committed`` moves only after COMMIT, ``compacted`` before it, so a reader checking
    ``compacted`` after its query never trusts rows a compaction removed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.committed, self.compacted = sqlite_log.load_revisions(conn)
        self._revision = self.committed
        self._vacuum = False  # a compaction freed pages: give them back after the commit
        self._compacted_before = self.compacted  # restored if the staged transaction is abandoned

    def apply(self, ops: list[Op]) -> list[Outcome]:
        """Stage and commit ``ops`` in one transaction; each op's outcome."""
        outcomes = self.stage(ops)
        self.commit()
        return outcomes

    def stage(self, ops: list[Op]) -> list[Outcome]:
        """Open a transaction and write ``ops`` into it (no I/O wait: pages stay in memory until ``commit``)."""
        self._compacted_before = self.compacted
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            return [self._one(op) for op in ops]
        except BaseException:
            self._abandon()
            raise

    def commit(self) -> None:
        """Make the staged transaction durable (the fsync at synchronous=FULL); revisions move only then."""
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self._abandon()
            raise
        self.committed = self._revision
        if self._vacuum:
            self._vacuum = False
            sqlite_log.give_back_free_pages(self.conn)

    def _abandon(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self._revision, self.compacted = self.committed, self._compacted_before

    def _one(self, op: Op) -> Outcome:
        try:
            return getattr(self, f"_{op.kind}")(op)
        except errors.StoreError as exc:
            return exc

    def _append(self, key: str, created: int, deleted: int, create_rev: int, prev_rev: int, value: bytes) -> int:
        self._revision += 1
        self.conn.execute(sqlite_log.INSERT, (self._revision, key, created, deleted, create_rev, prev_rev, value))
        return self._revision

    def _expect(self, key: str, expected: int) -> KeyValue:
        current = sqlite_log.latest(self.conn, key, self._revision)
        if current is None:
            raise errors.NotFound(key, self._revision)
        if expected and current.mod_revision != expected:
            raise errors.Conflict(current, expected)
        return current

    def _expire_at(self, key: str, expires: float) -> None:
        """Every write sets or clears the key's expiry, as an etcd put with or without a lease does."""
        if expires:
            self.conn.execute("INSERT OR REPLACE INTO ttl (name, expires) VALUES (?, ?)", (key, expires))
        else:
            self.conn.execute("DELETE FROM ttl WHERE name = ?", (key,))

    def _create(self, op: Op) -> Event:
        if sqlite_log.latest(self.conn, op.key, self._revision) is not None:
            raise errors.KeyExists(op.key, self._revision)
        rev = self._revision + 1
        self._append(op.key, 1, 0, rev, 0, op.value)
        if op.expires:
            self._expire_at(op.key, op.expires)
        return Event(PUT, KeyValue(op.key, op.value, rev, rev))

    def _update(self, op: Op) -> Event:
        prev = self._expect(op.key, op.expected)
        rev = self._append(op.key, 0, 0, prev.create_revision, prev.mod_revision, op.value)
        self._expire_at(op.key, op.expires)
        return Event(PUT, KeyValue(op.key, op.value, prev.create_revision, rev), prev)

    def _delete(self, op: Op) -> Event:
        prev = self._expect(op.key, op.expected)
        rev = self._append(op.key, 0, 1, prev.create_revision, prev.mod_revision, b"")
        self._expire_at(op.key, 0)
        return Event(DELETE, KeyValue(op.key, b"", 0, rev), prev)

    def _compact(self, op: Op) -> None:
        if op.expected > self._revision:
            raise errors.FutureRevision(op.expected, self._revision)
        if op.expected > self.compacted:
            self.compacted = op.expected
            sqlite_log.compact(self.conn, op.expected)
            self._vacuum = True
