"""SQLite backend specifics: URL options, group commit at FULL, slow watches stay bounded and lose nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from rktnetes import store
from rktnetes.store import errors, sqlite_committing, sqlite_files, watching
from rktnetes.store.protocol import Store

STEP = 5.0


@pytest.fixture
async def open_sqlite(tmp_path: Path):
    opened: list[Store] = []

    async def opener(synchronous: str = "NORMAL") -> Store:
        s = await store.open_store(f"sqlite://{tmp_path}/state.db?synchronous={synchronous}")
        opened.append(s)
        return s

    yield opener
    for s in opened:
        await s.close()


@pytest.mark.parametrize("url", [
    "sqlite://relative/path.db", "sqlite:///no/such/dir/x.db", "sqlite:///tmp/x.db?synchronous=OFF",
    "sqlite:///tmp/x.db?cache=shared", "nosuch:///x", "just-a-path",
])
async def test_bad_urls_fail_with_one_clear_line(url: str) -> None:
    with pytest.raises(errors.InvalidURL) as failure:
        await store.open_store(url)
    assert "\n" not in str(failure.value) and str(failure.value)


async def test_full_durability_batches_concurrent_writers_without_mixing_results(open_sqlite) -> None:
    s = await open_sqlite("FULL")
    results = await asyncio.gather(*(s.create(f"/k/{i % 10}", b"v") for i in range(40)), return_exceptions=True)
    created = [r for r in results if isinstance(r, int)]
    assert len(created) == 10 and sorted(created) == list(range(1, 11))
    assert all(isinstance(r, errors.KeyExists) for r in results if not isinstance(r, int))
    assert (await s.count("/k/"))[1] == 10


async def test_a_bad_key_in_a_batch_spoils_nothing_else(open_sqlite) -> None:
    s = await open_sqlite("FULL")
    results = await asyncio.gather(s.create("/k/a", b"v"), s.create("/k/\udc80", b"v"), s.create("/k/b", b"v"),
                                   return_exceptions=True)
    assert isinstance(results[1], errors.InvalidKey) and results[0] + 1 == results[2]


async def test_a_write_racing_a_compaction_takes_the_thread_path(open_sqlite) -> None:
    s = await open_sqlite()
    revs = [await s.create(f"/k/{i}", b"v") for i in range(5)]
    compaction = asyncio.ensure_future(s.compact(revs[2]))
    await asyncio.sleep(0)
    assert await s.update("/k/4", b"w", revs[4]) == revs[4] + 1
    await compaction
    with pytest.raises(errors.Compacted):
        await s.list("/k/", revision=revs[1])


async def test_a_slow_watch_is_bounded_and_loses_nothing(open_sqlite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watching, "MAX_BUFFERED", 8)
    monkeypatch.setattr(watching, "PAGE", 5)
    s = await open_sqlite()
    watch = await s.watch("/k/", 0)
    first = await s.create("/k/first", b"v")
    assert (await asyncio.wait_for(anext(watch), STEP)).revision == first
    revs = [await s.create(f"/k/{i}", b"v") for i in range(50)]
    assert len(watch._buffer) <= 8
    seen = [(await asyncio.wait_for(anext(watch), STEP)).revision for _ in revs]
    assert seen == revs
    await watch.aclose()


async def test_a_compaction_overtaking_a_lagging_watch_ends_it(open_sqlite, monkeypatch) -> None:
    monkeypatch.setattr(watching, "MAX_BUFFERED", 4)
    s = await open_sqlite()
    watch = await s.watch("/k/", await s.current_revision())
    revs = [await s.create(f"/k/{i}", b"v") for i in range(10)]
    await s.compact(revs[-1])
    with pytest.raises(errors.Compacted):
        await asyncio.wait_for(anext(watch), STEP)


async def test_a_closed_store_refuses_calls(open_sqlite) -> None:
    s = await open_sqlite()
    await s.close()
    with pytest.raises(errors.Unavailable):
        await s.create("/k/a", b"v")


async def test_a_second_opener_is_refused_until_the_first_closes(open_sqlite, tmp_path: Path) -> None:
    s = await open_sqlite()
    with pytest.raises(errors.Unavailable, match="already open"):
        await store.open_store(f"sqlite://{tmp_path}/state.db")
    await s.close()
    again = await open_sqlite()
    assert await again.current_revision() == 0


async def test_checkpoints_keep_the_wal_small(open_sqlite, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_committing, "CHECKPOINT_EVERY", 0.05)
    s = await open_sqlite()
    sizes = []
    for round in range(3):
        for i in range(200):
            await s.create(f"/k/{round}/{i}", b"x" * 4000)
        await asyncio.sleep(0.3)  # checkpointed: the next write starts the WAL over from its beginning
        sizes.append(Path(sqlite_files.wal_path(str(tmp_path / "state.db"))).stat().st_size)
    assert sizes[2] <= sizes[0] * 1.5


async def test_a_consumer_deadline_during_catch_up_loses_nothing(open_sqlite) -> None:
    s = await open_sqlite()
    revs = [await s.create(f"/k/{i}", b"v") for i in range(20)]
    watch = await s.watch("/k/", 0)
    read = watch._read

    async def slow_read(*args):
        await asyncio.sleep(0.02)
        return await read(*args)

    watch._read = slow_read
    for _ in range(3):  # each deadline cancels the watch in the middle of its catch-up read
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(watch), 0.005)
    revs += [await s.create(f"/k/late{i}", b"v") for i in range(3)]
    assert [(await asyncio.wait_for(anext(watch), STEP)).revision for _ in revs] == revs


async def test_a_failed_transaction_writes_nothing_and_the_store_goes_on(open_sqlite, monkeypatch) -> None:
    s = await open_sqlite()
    first = await s.create("/k/a", b"v")
    writer = s._writer
    real_create = writer._create

    def failing_create(op):
        real_create(op)  # the row is written inside the transaction, then the disk "fails"
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(writer, "_create", failing_create)
    with pytest.raises(errors.Unavailable, match="disk I/O error"):
        await s.create("/k/b", b"v")
    monkeypatch.undo()
    assert await s.current_revision() == first and (await s.get("/k/b"))[1] is None
    assert await s.create("/k/b", b"v") == first + 1


async def test_bad_prefixes_are_refused(open_sqlite) -> None:
    s = await open_sqlite()
    for call in (s.list("/\udc80"), s.count("a\x00"), s.watch("/\udc80", 0)):
        with pytest.raises(errors.InvalidKey):
            await call


async def test_the_database_files_are_private(open_sqlite, tmp_path: Path) -> None:
    s = await open_sqlite()
    await s.create("/registry/secrets/default/token", b"secret")
    db = str(tmp_path / "state.db")
    for path in (db, sqlite_files.wal_path(db), sqlite_files.lock_path(db)):
        assert Path(path).stat().st_mode & 0o077 == 0, path


async def test_compaction_gives_space_back(open_sqlite) -> None:
    s = await open_sqlite()
    rev = await s.create("/k/big", bytes(100_000))
    for _ in range(20):
        rev = await s.update("/k/big", bytes(100_000), rev)
    before = await s.db_size()
    await s.compact(rev)
    assert await s.db_size() < before / 5
