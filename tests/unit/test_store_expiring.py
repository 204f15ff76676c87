"""Keys with a time to live on the SQLite backend, with an injected clock (no waiting)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from rktnetes import store
from rktnetes.store import errors
from rktnetes.store.protocol import DELETE


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clocked(tmp_path: Path):
    clock = Clock()
    s = await store.open_store(f"sqlite://{tmp_path}/state.db")
    s.clock = clock
    yield s, clock
    await s.close()


async def test_a_key_expires_once_its_time_has_passed(clocked) -> None:
    s, clock = clocked
    await s.create("/r/events/default/e1", b"event", ttl=60)
    rev = await s.create("/r/events/default/keep", b"no ttl")
    watch = await s.watch("/r/events/", rev)
    clock.now += 59
    assert await s.expire_due() == 0
    clock.now += 2
    assert await s.expire_due() == 1
    event = await asyncio.wait_for(anext(watch), 5)
    assert (event.type, event.kv.key, event.prev_kv.value) == (DELETE, "/r/events/default/e1", b"event")
    assert [kv.key for kv in (await s.list("/r/events/")).kvs] == ["/r/events/default/keep"]
    await watch.aclose()


async def test_each_write_sets_or_clears_the_expiry(clocked) -> None:
    s, clock = clocked
    r1 = await s.create("/r/a", b"1", ttl=10)
    r2 = await s.update("/r/a", b"2", r1, ttl=100)  # a new ttl replaces the old one
    clock.now += 50
    assert await s.expire_due() == 0
    await s.update("/r/a", b"3", r2)  # a write without ttl makes the key permanent, as an etcd put does
    clock.now += 1000
    assert await s.expire_due() == 0 and (await s.get("/r/a"))[1].value == b"3"


async def test_a_deleted_and_recreated_key_does_not_inherit_an_expiry(clocked) -> None:
    s, clock = clocked
    r1 = await s.create("/r/b", b"1", ttl=10)
    await s.delete("/r/b", r1)
    await s.create("/r/b", b"2")
    clock.now += 100
    assert await s.expire_due() == 0 and (await s.get("/r/b"))[1].value == b"2"


async def test_expiry_survives_a_restart(tmp_path: Path) -> None:
    s = await store.open_store(f"sqlite://{tmp_path}/state.db")
    await s.create("/r/c", b"1", ttl=30)
    await s.close()
    s = await store.open_store(f"sqlite://{tmp_path}/state.db")
    try:
        s.clock = lambda: time.time() + 31
        assert await s.expire_due() == 1 and (await s.get("/r/c"))[1] is None
    finally:
        await s.close()


@pytest.mark.parametrize("ttl", [-1, 1.5, 10**10])
async def test_bad_ttls_are_refused_and_write_nothing(clocked, ttl) -> None:
    s, _ = clocked
    with pytest.raises(errors.InvalidTTL):
        await s.create("/r/d", b"1", ttl=ttl)
    assert (await s.get("/r/d"))[1] is None
