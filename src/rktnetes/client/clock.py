"""The one clock that queues, informers and workers read, so tests can move time instead of sleeping.

``Clock`` is the protocol: ``now()``, ``call_later(delay, callback)`` and ``sleep(delay)``. ``LoopClock`` is the
running event loop's monotonic clock. ``FakeClock`` only moves when a test calls ``advance()``: every timer that
falls due runs right then, in order, inside ``advance`` — so after ``clock.advance(5)`` a delayed queue key is
already queued, with no scheduling race for the test to wait out (as trio's MockClock and kopf's looptime do).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from typing import Protocol


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer: ...

    async def sleep(self, delay: float) -> None: ...


class LoopClock:
    """Real time: the running loop's clock and timers."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)

    async def sleep(self, delay: float) -> None:
        await asyncio.sleep(max(0.0, delay))


class _FakeTimer:
    def __init__(self, when: float, callback: Callable[[], object]) -> None:
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """Time that stands still until ``advance(seconds)``; due timers fire synchronously, earliest first.
    With ``autojump``, a ``sleep`` moves time itself (for code under test that only ever waits for its own
    timers, like trio's ``autojump_threshold=0``)."""

    def __init__(self, start: float = 1000.0, autojump: bool = False) -> None:
        self._now, self.autojump = start, autojump
        self._timers: list[tuple[float, int, _FakeTimer]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        timer = _FakeTimer(self._now + max(0.0, delay), callback)
        heapq.heappush(self._timers, (timer.when, next(self._order), timer))
        return timer

    async def sleep(self, delay: float) -> None:
        if self.autojump:
            self.advance(max(0.0, delay))
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        timer = self.call_later(delay, lambda: future.done() or future.set_result(None))
        try:
            await future
        finally:
            timer.cancel()

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing each timer due by then at its own instant."""
        end = self._now + seconds
        while self._timers and self._timers[0][0] <= end:
            when, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                self._now = max(self._now, when)
                timer.callback()
        self._now = end

    @property
    def pending(self) -> int:
        """How many timers are still armed."""
        return sum(1 for _, _, t in self._timers if not t.cancelled)
