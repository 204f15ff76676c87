"""The periodic compactor keeps one interval of history, with an injected clock (no real sleeping)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from rktnetes import store
from rktnetes.store import compacting, errors


class Ticks:
    """An injected ``sleep``: each call waits until the test releases one tick."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[None] = asyncio.Queue()
        self.waiting = asyncio.Event()

    async def sleep(self, _seconds: float) -> None:
        self.waiting.set()
        await self.queue.get()

    async def tick(self) -> None:
        self.waiting.clear()
        await self.queue.put(None)
        await asyncio.wait_for(self.waiting.wait(), 5)


async def test_each_tick_compacts_to_the_previous_ticks_revision(tmp_path: Path) -> None:
    s = await store.open_store(f"sqlite://{tmp_path}/state.db")
    ticks = Ticks()
    task = asyncio.create_task(compacting.compact_periodically(s, 60, ticks.sleep))
    try:
        await asyncio.wait_for(ticks.waiting.wait(), 5)
        r0 = await s.create("/k/0", b"0")
        r1 = await s.create("/k/a", b"1")
        await ticks.tick()  # first tick: remembers r1, compacts nothing
        r2 = await s.update("/k/a", b"2", r1)
        assert (await s.list("/k/", revision=r0)).revision == r0
        await ticks.tick()  # second tick: compacts to r1, keeps everything after it
        with pytest.raises(errors.Compacted):
            await s.list("/k/", revision=r0)
        assert (await s.list("/k/a", revision=r1)).kvs[0].value == b"1"
        await ticks.tick()  # third: compacts to r2
        with pytest.raises(errors.Compacted):
            await s.list("/k/", revision=r1)
        assert (await s.list("/k/a", revision=r2)).kvs[0].value == b"2"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await s.close()
