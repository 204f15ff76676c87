"""Retrying a read-modify-write that lost a race: client-go's ``retry.RetryOnConflict``.

An update carries the resourceVersion it read, so a concurrent writer makes it fail with 409 Conflict; the
fix is to read again and redo the change. ``retry_on_conflict`` reruns the whole closure a few times, a short
pause apart on the injected clock, and lets any other error (or the last Conflict) through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from rktnetes.client import errors
from rktnetes.client.clock import Clock, LoopClock

T = TypeVar("T")


async def retry_on_conflict(attempt: Callable[[], Awaitable[T]], tries: int = 5, pause: float = 0.01,
                            clock: Clock | None = None) -> T:
    """Await ``attempt()`` (which must read afresh each time) until it does not raise ``Conflict``."""
    clock = clock or LoopClock()
    for _ in range(max(1, tries) - 1):
        try:
            return await attempt()
        except errors.Conflict:
            await clock.sleep(pause)
    return await attempt()
