"""SQLite stores are durable unless asked otherwise: synchronous=FULL by default, as etcd fsyncs every commit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rktnetes import store
from rktnetes.store import errors


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
