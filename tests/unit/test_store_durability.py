"""SQLite stores are durable unless asked otherwise: synchronous=FULL by default, as etcd fsyncs every commit."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from rktnetes import store
from rktnetes.store import errors, sqlite_committing, sqlite_files


@pytest.mark.parametrize(("query", "expected"), [("", "FULL"), ("?synchronous=NORMAL", "NORMAL"),
                                                 ("?synchronous=full", "FULL")])
async def test_synchronous_setting(tmp_path: Path, query: str, expected: str) -> None:
    s = await store.open_store(f"sqlite://{tmp_path}/state.db{query}")
    try:
        assert s.synchronous == expected
        await s.create("/k/a", b"v")
    finally:
        await s.close()
    with sqlite3.connect(tmp_path / "state.db") as conn:  # the write is there once acknowledged
        assert conn.execute("SELECT count(*) FROM log WHERE name = '/k/a'").fetchone() == (1,)


async def test_unknown_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(errors.InvalidURL, match=r"synchronous=FULL\|NORMAL"):
        await store.open_store(f"sqlite://{tmp_path}/state.db?synchronous=OFF")
    assert not (tmp_path / "state.db").exists()


async def test_full_checkpoints_in_the_background_not_in_a_commit(tmp_path: Path, monkeypatch) -> None:
    """At FULL no commit runs an automatic checkpoint; the background one still keeps the WAL bounded."""
    monkeypatch.setattr(sqlite_committing, "CHECKPOINT_EVERY", 0.05)
    s = await store.open_store(f"sqlite://{tmp_path}/state.db")
    try:
        assert s._writer.conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
        sizes = []
        for round in range(3):
            await asyncio.gather(*(s.create(f"/k/{round}/{i}", b"x" * 4000) for i in range(200)))
            await asyncio.sleep(0.3)  # checkpointed: the next write starts the WAL over from its beginning
            sizes.append(Path(sqlite_files.wal_path(str(tmp_path / "state.db"))).stat().st_size)
        assert sizes[2] <= sizes[0] * 1.5
    finally:
        await s.close()
