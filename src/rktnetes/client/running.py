"""The worker loop every controller runs: take a key, reconcile it, requeue it as the outcome says.

``n`` workers share one queue; the queue guarantees a key is never reconciled by two at once. A reconcile that
raises is retried with the queue's per-key backoff; ``NotFound`` counts as success (the object is gone, nothing
is left to do); ``Result(requeue_after=s)`` asks for a look again later. Workers end when the queue shuts down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rktnetes.client import errors
from rktnetes.client.queueing import WorkQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    """What a reconcile asks of the queue: nothing (done), a rate-limited retry, or a look after a delay."""

    requeue: bool = False
    requeue_after: float | None = None


Reconcile = Callable[[str], Awaitable[Result | None]]


async def process_one(queue: WorkQueue, reconcile: Reconcile) -> None:
    """Take one key and reconcile it; raises ``errors.ShutDown`` once the queue is shut down."""
    key = await queue.get()
    try:
        result = await reconcile(key) or Result()
    except errors.NotFound:
        queue.forget(key)
    except Exception:  # noqa: BLE001 - any failure of a reconcile is retried with backoff
        log.exception("reconciling %s (retry %d)", key, queue.retries(key) + 1)
        queue.add_rate_limited(key)
    else:
        _requeue(queue, key, result)
    finally:
        queue.done(key)


def _requeue(queue: WorkQueue, key: str, result: Result) -> None:
    if result.requeue_after is not None:
        queue.forget(key)
        queue.add_after(key, result.requeue_after)
    elif result.requeue:
        queue.add_rate_limited(key)
    else:
        queue.forget(key)


async def _worker(queue: WorkQueue, reconcile: Reconcile) -> None:
    try:
        while True:
            await process_one(queue, reconcile)
    except errors.ShutDown:
        return


async def run_workers(queue: WorkQueue, reconcile: Reconcile, n: int = 1) -> None:
    """Run ``n`` workers until the queue shuts down (or this task is cancelled: the workers are cancelled too)."""
    workers = [asyncio.create_task(_worker(queue, reconcile), name=f"worker-{i}") for i in range(max(1, n))]
    try:
        await asyncio.gather(*workers)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
