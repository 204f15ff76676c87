"""The store's writer thread: calls run in order on one thread, answers (and failures) come back to the loop,
a cancelled awaiter costs nothing but its answer."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from rktnetes.store import handoff


@pytest.fixture
def worker():
    w = handoff.Worker("test-handoff")
    yield w
    w.shutdown()


async def test_calls_run_in_order_on_one_other_thread(worker) -> None:
    seen: list[tuple[int, int]] = []
    results = await asyncio.gather(*(worker.run(lambda i=i: seen.append((i, threading.get_ident())) or i * i)
                                     for i in range(50)))
    assert results == [i * i for i in range(50)] and [i for i, _ in seen] == list(range(50))
    assert len({t for _, t in seen}) == 1 and seen[0][1] != threading.get_ident()


async def test_a_failure_reaches_the_awaiter(worker) -> None:
    def fail() -> None:
        raise OSError("disk I/O error")

    with pytest.raises(OSError, match="disk I/O error"):
        await worker.run(fail)
    assert await worker.run(lambda: "next") == "next"


async def test_a_cancelled_awaiter_drops_only_its_answer(worker) -> None:
    loop = asyncio.get_running_loop()
    errors: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    slow = worker.run(time.sleep, 0.05)
    slow.cancel()
    assert await worker.run(lambda: 42) == 42  # ran after the cancelled call finished
    await asyncio.sleep(0)
    assert slow.cancelled() and errors == []


def test_shutdown_waits_for_submitted_calls() -> None:
    done: list[int] = []

    async def submit(w: handoff.Worker) -> None:
        w.run(lambda: (time.sleep(0.05), done.append(1)))

    w = handoff.Worker("test-handoff")
    asyncio.run(submit(w))
    w.shutdown(wait=True)
    assert done == [1]
