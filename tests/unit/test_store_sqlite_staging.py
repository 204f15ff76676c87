"""SQLite at synchronous=FULL: a batch's statements run on the event loop, only its COMMIT on the writer thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from rktnetes import store
from rktnetes.store import errors


@pytest.fixture
async def full_store(tmp_path: Path):
    s = await store.open_store(f"sqlite://{tmp_path}/state.db?synchronous=FULL")
    yield s
    await s.close()


async def test_statements_on_the_loop_commit_on_the_writer_thread(full_store, monkeypatch) -> None:
    writer, threads = full_store._writer, {}
    real_stage, real_commit = writer.stage, writer.commit

    def stage(ops):
        threads["stage"] = threading.get_ident()
        assert writer.committed == writer._revision  # nothing staged is visible before it is committed
        return real_stage(ops)

    def commit():
        threads["commit"] = threading.get_ident()
        real_commit()

    monkeypatch.setattr(writer, "stage", stage)
    monkeypatch.setattr(writer, "commit", commit)
    revs = await asyncio.gather(*(full_store.create(f"/k/{i}", b"v") for i in range(8)))
    assert sorted(revs) == list(range(1, 9)) and await full_store.current_revision() == 8
    assert threads["stage"] == threading.get_ident() != threads["commit"]


class _FailingCommit:
    """The writer's connection, except that COMMIT fails as a failed fsync would (the transaction is gone)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __getattr__(self, name: str):
        return getattr(self.conn, name)

    def execute(self, sql: str, *args):
        if sql == "COMMIT":
            self.conn.execute("ROLLBACK")
            raise sqlite3.OperationalError("disk I/O error")
        return self.conn.execute(sql, *args)


async def test_a_failed_commit_fails_the_whole_batch_and_the_store_goes_on(full_store, monkeypatch) -> None:
    first = await full_store.create("/k/a", b"v")
    writer = full_store._writer
    monkeypatch.setattr(writer, "conn", _FailingCommit(writer.conn))
    results = await asyncio.gather(*(full_store.create(f"/k/b{i}", b"v") for i in range(4)), return_exceptions=True)
    assert all(isinstance(r, errors.Unavailable) and "disk I/O error" in str(r) for r in results)
    monkeypatch.undo()
    assert await full_store.current_revision() == first and (await full_store.count("/k/"))[1] == 1
    assert await full_store.create("/k/b0", b"v") == first + 1
