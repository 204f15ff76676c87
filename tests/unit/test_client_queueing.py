"""Work queue semantics (client-go's) on a fake clock: no test here sleeps."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import errors, ratelimiting
from rktnetes.client.clock import FakeClock
from rktnetes.client.queueing import WorkQueue


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(clock: FakeClock) -> WorkQueue:
    return WorkQueue(clock, ratelimiting.ExponentialBackoff(1.0, 8.0))


async def test_adds_are_deduplicated_in_order(queue: WorkQueue) -> None:
    for key in ("a", "b", "a", "c", "b"):
        queue.add(key)
    assert len(queue) == 3
    assert [await queue.get() for _ in range(3)] == ["a", "b", "c"]


async def test_key_added_while_processing_comes_back_after_done(queue: WorkQueue) -> None:
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    queue.add("a")
    assert len(queue) == 0, "a key being processed is not handed to a second worker"
    queue.done("a")
    assert len(queue) == 1 and await queue.get() == "a"
    queue.done("a")
    assert len(queue) == 0


async def test_get_waits_for_an_add(queue: WorkQueue) -> None:
    getter = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not getter.done()
    queue.add("x")
    assert await asyncio.wait_for(getter, 1) == "x"


async def test_cancelled_getter_does_not_swallow_a_key(queue: WorkQueue) -> None:
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.add("x")
    first.cancel()
    assert await asyncio.wait_for(second, 1) == "x"


async def test_add_after_waits_for_the_clock(queue: WorkQueue, clock: FakeClock) -> None:
    queue.add_after("a", 5)
    queue.add_after("a", 3)
    queue.add_after("a", 9)
    clock.advance(2.9)
    assert len(queue) == 0
    clock.advance(0.1)
    assert len(queue) == 1
    clock.advance(10)
    assert len(queue) == 1 and clock.pending == 0


async def test_rate_limited_backoff_doubles_until_forgotten(queue: WorkQueue, clock: FakeClock) -> None:
    delays = []
    for _ in range(5):
        start = clock.now()
        queue.add_rate_limited("k")
        while not len(queue):
            clock.advance(0.5)
        delays.append(clock.now() - start)
        assert await queue.get() == "k"
        queue.done("k")
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert queue.retries("k") == 5
    queue.forget("k")
    assert queue.retries("k") == 0


async def test_shutdown_wakes_getters_and_refuses_keys(queue: WorkQueue, clock: FakeClock) -> None:
    getter = asyncio.create_task(queue.get())
    queue.add_after("later", 1)
    await asyncio.sleep(0)
    queue.shutdown()
    with pytest.raises(errors.ShutDown):
        await asyncio.wait_for(getter, 1)
    queue.add("x")
    clock.advance(5)
    assert len(queue) == 0


def test_token_bucket_spaces_retries_after_the_burst(clock: FakeClock) -> None:
    bucket = ratelimiting.TokenBucket(clock, qps=10, burst=3)
    assert [bucket.when("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.when("k") == pytest.approx(0.1)
    assert bucket.when("k") == pytest.approx(0.2)
    clock.advance(10)
    assert bucket.when("k") == 0.0


def test_default_limiter_is_the_longest_of_both(clock: FakeClock) -> None:
    limiter = ratelimiting.controller_default(clock)
    assert limiter.when("a") == pytest.approx(0.005)
    assert limiter.when("a") == pytest.approx(0.01)
    assert limiter.retries("a") == 2
    for _ in range(200):
        limiter.when("b")
    assert limiter.when("c") > 1.0, "after the burst, the bucket's delay dominates a fresh key's backoff"
    limiter.forget("a")
    assert limiter.retries("a") == 0


def test_exponential_backoff_is_capped() -> None:
    backoff = ratelimiting.ExponentialBackoff(0.005, 1000.0)
    delays = [backoff.when("k") for _ in range(100)]
    assert delays[0] == 0.005 and delays[-1] == 1000.0 and delays == sorted(delays)


async def test_metrics_follow_the_queue(clock: FakeClock) -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from rktnetes.client.queuemetrics import QueueMetrics

    registry = CollectorRegistry()
    queue = WorkQueue(clock, ratelimiting.ExponentialBackoff(1.0, 8.0), QueueMetrics.named("pods", registry))
    other = WorkQueue(clock, metrics=QueueMetrics.named("nodes", registry))
    queue.add("a")
    queue.add("b")
    queue.add("a")
    other.add("n")

    def value(name: str, queue_name: str = "pods") -> float:
        return registry.get_sample_value(name, {"name": queue_name})

    assert value("workqueue_depth") == 2 and value("workqueue_adds_total") == 2
    clock.advance(0.5)
    key = await queue.get()
    clock.advance(2.0)
    queue.done(key)
    queue.add_rate_limited("b")
    assert value("workqueue_depth") == 1 and value("workqueue_retries_total") == 1
    assert value("workqueue_queue_duration_seconds_sum") == 0.5
    assert value("workqueue_work_duration_seconds_sum") == 2.0
    assert value("workqueue_depth", "nodes") == 1
    assert b'workqueue_depth{name="nodes"} 1.0' in generate_latest(registry)
