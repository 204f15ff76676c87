"""The worker loop: retries with backoff on a fake clock, NotFound as success, requeue_after, one key at a time."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import errors, ratelimiting, running
from rktnetes.client.clock import FakeClock
from rktnetes.client.queueing import WorkQueue


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(clock: FakeClock) -> WorkQueue:
    return WorkQueue(clock, ratelimiting.ExponentialBackoff(1.0, 60.0))


async def test_failure_requeues_with_backoff_then_success_forgets(queue: WorkQueue, clock: FakeClock) -> None:
    outcomes = [RuntimeError("boom"), RuntimeError("boom"), None]
    seen = []

    async def reconcile(key: str) -> None:
        seen.append((key, clock.now()))
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    queue.add("ns/a")
    await running.process_one(queue, reconcile)
    assert queue.retries("ns/a") == 1 and len(queue) == 0
    clock.advance(1.0)
    await running.process_one(queue, reconcile)
    clock.advance(1.9)
    assert len(queue) == 0
    clock.advance(0.1)
    await running.process_one(queue, reconcile)
    assert [t - seen[0][1] for _, t in seen] == [0.0, 1.0, 3.0]
    assert queue.retries("ns/a") == 0 and len(queue) == 0 and clock.pending == 0


async def test_not_found_is_success(queue: WorkQueue, clock: FakeClock) -> None:
    async def reconcile(key: str) -> None:
        raise errors.NotFound(404, "NotFound", "gone")

    queue.add("k")
    await running.process_one(queue, reconcile)
    assert len(queue) == 0 and clock.pending == 0 and queue.retries("k") == 0


async def test_requeue_after_and_requeue(queue: WorkQueue, clock: FakeClock) -> None:
    results = [running.Result(requeue_after=30.0), running.Result(requeue=True), running.Result()]

    async def reconcile(key: str) -> running.Result:
        return results.pop(0)

    queue.add("k")
    await running.process_one(queue, reconcile)
    clock.advance(29.9)
    assert len(queue) == 0
    clock.advance(0.1)
    await running.process_one(queue, reconcile)
    assert queue.retries("k") == 1
    clock.advance(1.0)
    await running.process_one(queue, reconcile)
    assert len(queue) == 0 and clock.pending == 0


async def test_workers_never_share_a_key_and_stop_on_shutdown(queue: WorkQueue) -> None:
    active: set[str] = set()
    overlaps, calls = [], []

    async def reconcile(key: str) -> None:
        if key in active:
            overlaps.append(key)
        active.add(key)
        calls.append(key)
        await asyncio.sleep(0)
        if len(calls) < 20:
            queue.add(key)
            queue.add("other")
        active.discard(key)

    queue.add("k")
    workers = asyncio.create_task(running.run_workers(queue, reconcile, n=4))
    for _ in range(200):
        await asyncio.sleep(0)
    queue.shutdown()
    await asyncio.wait_for(workers, 5)
    assert not overlaps and len(calls) >= 20 and set(calls) == {"k", "other"}


async def test_cancelling_run_workers_cancels_every_worker(queue: WorkQueue) -> None:
    async def reconcile(key: str) -> None:
        return None

    task = asyncio.create_task(running.run_workers(queue, reconcile, n=3))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("worker-")]
