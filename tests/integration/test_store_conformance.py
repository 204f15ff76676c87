"""The store contract, written once and run against every backend: SQLite on a temp file and a real etcd."""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable

import pytest

from rktnetes import store
from rktnetes.store import errors
from rktnetes.store.protocol import DELETE, PUT, Event, KeyValue, ListResult, Store

pytestmark = pytest.mark.integration
STEP = 5.0  # seconds any single store call or watch event may take


class Backend:
    """Opens a store and can restart it with its data kept (file reopened, etcd process restarted)."""

    def __init__(self, url: str, restart: Callable[[], None] = lambda: None) -> None:
        self.url, self._restart = url, restart
        self.opened: list[Store] = []

    async def open(self) -> Store:
        s = await store.open_store(self.url)
        self.opened.append(s)
        return s

    async def restart(self, s: Store) -> Store:
        await s.close()
        self._restart()
        return await self.open()


@pytest.fixture(params=["sqlite", "sqlite-full", "etcd"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param.startswith("sqlite"):
        tmp = tempfile.mkdtemp(prefix="rktnetes-store-")
        durability = "FULL" if request.param == "sqlite-full" else "NORMAL"
        b = Backend(f"sqlite://{tmp}/state.db?synchronous={durability}")
    else:
        server = request.getfixturevalue("etcd_server")
        b = Backend(server.url, server.restart)
    try:
        yield b
    finally:
        for s in b.opened:
            await s.close()
        if request.param.startswith("sqlite"):
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
async def s(backend: Backend) -> Store:
    return await backend.open()


async def next_events(watch: store.protocol.Watch, n: int) -> list[Event]:
    return [await asyncio.wait_for(anext(watch), STEP) for _ in range(n)]


async def test_create_get_and_key_exists(s: Store) -> None:
    before = await s.current_revision()
    rev = await s.create("/r/pods/a", b"one")
    assert rev > before and await s.current_revision() == rev
    assert await s.get("/r/pods/a") == (rev, KeyValue("/r/pods/a", b"one", rev, rev))
    assert await s.get("/r/pods/missing") == (rev, None)
    with pytest.raises(errors.KeyExists):
        await s.create("/r/pods/a", b"two")
    assert await s.current_revision() == rev  # the failed create wrote nothing
    with pytest.raises(errors.InvalidKey):
        await s.create("", b"x")


async def test_list_is_ordered_and_prefix_bounded(s: Store) -> None:
    for key in ["/r/pods/b", "/r/pods/a", "/r/podsx/z", "/r/pod", "/r/pods/c"]:
        await s.create(key, key.encode())
    result = await s.list("/r/pods/")
    assert [kv.key for kv in result.kvs] == ["/r/pods/a", "/r/pods/b", "/r/pods/c"]
    assert result.revision == await s.current_revision() and not result.more
    assert (await s.count("/r/pods/"))[1] == 3
    assert [kv.key for kv in (await s.list("")).kvs][:2] == ["/r/pod", "/r/pods/a"]


async def test_limit_and_continue_at_a_fixed_revision(s: Store) -> None:
    for i in range(7):
        await s.create(f"/r/cm/{i}", b"v")
    first = await s.list("/r/cm/", limit=3)
    assert [kv.key for kv in first.kvs] == ["/r/cm/0", "/r/cm/1", "/r/cm/2"] and first.more
    await s.create("/r/cm/9", b"late")  # after the snapshot: must not show up in later pages
    await s.delete("/r/cm/4")
    keys, page = [kv.key for kv in first.kvs], first
    while page.more:
        page = await s.list("/r/cm/", revision=first.revision, limit=3, start_after=page.kvs[-1].key)
        assert page.revision == first.revision
        keys += [kv.key for kv in page.kvs]
    assert keys == [f"/r/cm/{i}" for i in range(7)]


async def test_list_at_an_old_revision(s: Store) -> None:
    r1 = await s.create("/r/x/a", b"1")
    r2 = await s.update("/r/x/a", b"2", r1)
    await s.create("/r/x/b", b"b")
    await s.delete("/r/x/a", r2)
    assert [(kv.key, kv.value) for kv in (await s.list("/r/x/", revision=r1)).kvs] == [("/r/x/a", b"1")]
    assert (await s.list("/r/x/", revision=r2)).kvs == [KeyValue("/r/x/a", b"2", r1, r2)]
    assert [kv.key for kv in (await s.list("/r/x/")).kvs] == ["/r/x/b"]
    with pytest.raises(errors.FutureRevision):
        await s.list("/r/x/", revision=await s.current_revision() + 100)


async def test_update_is_compare_and_swap(s: Store) -> None:
    r1 = await s.create("/r/k", b"1")
    r2 = await s.update("/r/k", b"2", r1)
    with pytest.raises(errors.Conflict) as conflict:
        await s.update("/r/k", b"stale", r1)
    assert conflict.value.current == KeyValue("/r/k", b"2", r1, r2)
    with pytest.raises(errors.NotFound):
        await s.update("/r/nothing", b"x", r2)
    r3 = await s.update("/r/k", b"3", 0)  # 0: unconditional, but the key must exist
    assert await s.get("/r/k") == (r3, KeyValue("/r/k", b"3", r1, r3))


async def test_delete_is_compare_and_swap(s: Store) -> None:
    r1 = await s.create("/r/d", b"1")
    r2 = await s.update("/r/d", b"2", r1)
    with pytest.raises(errors.Conflict):
        await s.delete("/r/d", r1)
    r3, gone = await s.delete("/r/d", r2)
    assert r3 > r2 and gone == KeyValue("/r/d", b"2", r1, r2)
    assert (await s.get("/r/d"))[1] is None
    with pytest.raises(errors.NotFound):
        await s.delete("/r/d")
    r4 = await s.create("/r/d", b"again")  # a key can be created again after its delete
    assert (await s.get("/r/d"))[1] == KeyValue("/r/d", b"again", r4, r4)


async def test_watch_replays_history_in_order_with_prev_kv(s: Store) -> None:
    r0 = await s.current_revision()
    r1 = await s.create("/r/w/a", b"1")
    await s.create("/r/other", b"not watched")
    r2 = await s.update("/r/w/a", b"2", r1)
    r3, _ = await s.delete("/r/w/a", r2)
    async with await s.watch("/r/w/", r0) as watch:
        events = await next_events(watch, 3)
    assert events == [
        Event(PUT, KeyValue("/r/w/a", b"1", r1, r1), None),
        Event(PUT, KeyValue("/r/w/a", b"2", r1, r2), KeyValue("/r/w/a", b"1", r1, r1)),
        Event(DELETE, KeyValue("/r/w/a", b"", 0, r3), KeyValue("/r/w/a", b"2", r1, r2)),
    ]
    async with await s.watch("/r/w/", r2) as watch:  # strictly after from_revision
        assert (await next_events(watch, 1))[0].revision == r3


async def test_watch_follows_live_writes_and_closes(s: Store) -> None:
    watch = await s.watch("/r/live/", await s.current_revision())
    revs = [await s.create(f"/r/live/{i}", b"v") for i in range(20)]
    assert [e.revision for e in await next_events(watch, 20)] == revs
    await watch.aclose()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(watch), STEP)


async def test_a_watch_from_a_future_revision_waits_for_it(s: Store) -> None:
    start = await s.current_revision()
    async with await s.watch("/r/f/", start + 2) as watch:
        revs = [await s.create(f"/r/f/{i}", b"v") for i in range(3)]
        assert (await next_events(watch, 1))[0].revision == revs[2] == start + 3


async def test_a_consumer_that_gives_up_waiting_loses_nothing(s: Store) -> None:
    watch = await s.watch("/r/t/", await s.current_revision())
    for i in range(10):
        with pytest.raises(TimeoutError):  # nothing new yet: the consumer's deadline cancels the wait
            await asyncio.wait_for(anext(watch), 0.01 if i % 2 else 0)
        revs = [await s.create(f"/r/t/{i}/{j}", b"v") for j in range(2)]
        assert [e.revision for e in await next_events(watch, 2)] == revs
    await watch.aclose()


async def test_compaction_expires_old_revisions(s: Store) -> None:
    r1 = await s.create("/r/c/a", b"1")
    r2 = await s.update("/r/c/a", b"2", r1)
    r3 = await s.create("/r/c/b", b"b")
    r4, _ = await s.delete("/r/c/b", r3)
    r5 = await s.update("/r/c/a", b"3", r2)
    await s.compact(r4)
    await s.compact(r2)  # at or below the compacted revision: nothing happens
    with pytest.raises(errors.Compacted):
        await s.list("/r/c/", revision=r2)
    with pytest.raises(errors.Compacted):
        await s.watch("/r/c/", r1)
    assert (await s.list("/r/c/", revision=r4)).kvs == [KeyValue("/r/c/a", b"2", r1, r2)]
    async with await s.watch("/r/c/", r4) as watch:
        assert await next_events(watch, 1) == [
            Event(PUT, KeyValue("/r/c/a", b"3", r1, r5), KeyValue("/r/c/a", b"2", r1, r2))]


async def test_concurrent_cas_writers_lose_no_update(s: Store) -> None:
    writers, updates = 8, 15
    start = await s.create("/r/counter", b"0")
    watch = await s.watch("/r/counter", start)

    async def writer() -> None:
        done = 0
        while done < updates:
            rev, kv = await s.get("/r/counter")
            try:
                await s.update("/r/counter", str(int(kv.value) + 1).encode(), kv.mod_revision)
                done += 1
            except errors.Conflict:
                pass

    await asyncio.wait_for(asyncio.gather(*(writer() for _ in range(writers))), 120)
    assert (await s.get("/r/counter"))[1].value == str(writers * updates).encode()
    values = [int(e.kv.value) for e in await next_events(watch, writers * updates)]
    assert values == list(range(1, writers * updates + 1))
    await watch.aclose()


async def test_data_and_revisions_survive_a_restart(backend: Backend, s: Store) -> None:
    r1 = await s.create("/r/p/a", b"1")
    r2 = await s.update("/r/p/a", b"2", r1)
    s = await backend.restart(s)
    assert await s.current_revision() == r2
    assert (await s.get("/r/p/a"))[1] == KeyValue("/r/p/a", b"2", r1, r2)
    assert (await s.list("/r/p/", revision=r1)).kvs[0].value == b"1"
    assert await s.create("/r/p/b", b"b") > r2


async def test_compaction_survives_a_restart_and_revisions_never_go_back(backend: Backend, s: Store) -> None:
    r1 = await s.create("/r/q/a", b"1")
    r2, _ = await s.delete("/r/q/a", r1)  # the newest write is a tombstone, and compaction removes it
    await s.compact(r2)
    s = await backend.restart(s)
    assert await s.current_revision() == r2
    with pytest.raises(errors.Compacted):
        await s.list("/r/q/", revision=r1)
    assert await s.create("/r/q/a", b"again") > r2


async def test_db_size_grows_with_the_data(s: Store) -> None:
    before = await s.db_size()
    for i in range(20):
        await s.create(f"/r/big/{i}", bytes(50_000))
    # etcd's backend commits to its file in batches (every 100 ms by default): poll, bounded
    deadline = asyncio.get_running_loop().time() + 10
    while (after := await s.db_size()) < before + 500_000 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    assert before > 0 and after >= before + 500_000


async def test_close_ends_open_watches(backend: Backend) -> None:
    s = await backend.open()
    watch = await s.watch("/r/", await s.current_revision())
    reader = asyncio.ensure_future(anext(watch))
    await asyncio.sleep(0.05)
    await s.close()
    with pytest.raises((StopAsyncIteration, errors.Unavailable)):
        await asyncio.wait_for(reader, STEP)


class Model:
    """The reference: a dict of live keys, a history of snapshots by revision, and the expected events."""

    def __init__(self, revision: int) -> None:
        self.live: dict[str, KeyValue] = {}
        self.snapshots: dict[int, dict[str, KeyValue]] = {revision: {}}
        self.events: list[Event] = []

    def commit(self, revision: int, event: Event) -> None:
        assert revision > max(self.snapshots)
        if event.type == PUT:
            self.live[event.kv.key] = event.kv
        else:
            del self.live[event.kv.key]
        self.snapshots[revision] = dict(self.live)
        self.events.append(event)


async def random_op(s: Store, model: Model, rng, key: str) -> None:
    current = model.live.get(key)
    expected = rng.choice([0, current.mod_revision if current else 1, 1])
    op, value = rng.choice(["create", "update", "delete"]), str(rng.random()).encode()
    try:
        if op == "create":
            rev = await s.create(key, value)
            model.commit(rev, Event(PUT, KeyValue(key, value, rev, rev)))
            assert current is None
        elif op == "update":
            rev = await s.update(key, value, expected)
            model.commit(rev, Event(PUT, KeyValue(key, value, current.create_revision, rev), current))
        else:
            rev, gone = await s.delete(key, expected)
            assert gone == current
            model.commit(rev, Event(DELETE, KeyValue(key, b"", 0, rev), current))
    except errors.KeyExists:
        assert op == "create" and current is not None
    except errors.NotFound:
        assert op != "create" and current is None
    except errors.Conflict as conflict:
        assert current is not None and expected not in (0, current.mod_revision)
        assert conflict.current == current


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_histories_match_a_reference_model(s: Store, seed: int) -> None:
    rng = random.Random(seed)
    prefix = f"/r/model{seed}/"
    model = Model(await s.current_revision())
    for _ in range(150):
        await random_op(s, model, rng, prefix + rng.choice("abcdef"))
    for revision, snapshot in list(model.snapshots.items())[1::7]:
        kvs, page = [], ListResult(revision, [], True)
        while page.more:
            page = await s.list(prefix, revision=revision, limit=2, start_after=kvs[-1].key if kvs else "")
            kvs += page.kvs
        assert kvs == [snapshot[k] for k in sorted(snapshot)]
    async with await s.watch(prefix, min(model.snapshots)) as watch:
        assert await next_events(watch, len(model.events)) == model.events


async def test_watches_stay_whole_under_writers_and_compaction(s: Store) -> None:
    """Writers, a compactor and watchers at once: every watch delivers each key's history as an unbroken
    chain (each event's prev_kv is that key's previous event), or ends with Compacted, never with a gap."""
    keys_, rounds = [f"/r/s/{i}" for i in range(6)], 40
    for key in keys_:
        await s.create(key, b"0")
    start = await s.current_revision()
    watches = [await s.watch("/r/s/", start) for _ in range(3)]

    async def writer(key: str) -> None:
        for _ in range(rounds):
            _, kv = await s.get(key)
            await s.update(key, str(int(kv.value) + 1).encode(), kv.mod_revision)

    async def compactor() -> None:
        for _ in range(5):
            await asyncio.sleep(0.02)
            await s.compact(max(start, await s.current_revision() - 20))

    async def check(watch) -> int:
        last: dict[str, int] = {}
        seen = 0
        while seen < len(keys_) * rounds:
            try:
                event = await asyncio.wait_for(anext(watch), STEP)
            except errors.Compacted:
                return seen
            assert event.prev_kv is not None and last.get(event.kv.key, event.prev_kv.mod_revision) == \
                event.prev_kv.mod_revision
            last[event.kv.key] = event.revision
            seen += 1
        return seen

    await asyncio.wait_for(asyncio.gather(*(writer(k) for k in keys_), compactor(), *(check(w) for w in watches)), 120)
    assert [(await s.get(key))[1].value for key in keys_] == [str(rounds).encode()] * len(keys_)
    for watch in watches:
        await watch.aclose()
