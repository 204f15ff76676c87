"""A rate-limited work queue of keys with client-go's guarantees, for level-based controllers.

- A key is queued at most once however often it is added (``dirty``), so bursts of events collapse.
- A key is handed to one worker at a time (``processing``): added again while being processed, it waits and is
  queued once more when that worker calls ``done(key)`` — so the newest state is always looked at again.
- ``add_after`` arms a timer on the injected clock (the earliest of several pending adds wins);
  ``add_rate_limited`` asks the rate limiter for the delay; ``forget`` clears the key's failure history.

Everything runs on one event loop, so the sets need no locks; ``get()`` parks workers on futures that every
``add`` wakes (each re-checks the queue, so a cancelled worker can never swallow a wake-up).
"""

from __future__ import annotations

import asyncio
from collections import deque

from rktnetes.client import errors, ratelimiting
from rktnetes.client.clock import Clock, LoopClock, Timer
from rktnetes.client.queuemetrics import QueueMetrics


class WorkQueue:
    def __init__(self, clock: Clock | None = None, limiter: ratelimiting.RateLimiter | None = None,
                 metrics: QueueMetrics | None = None) -> None:
        self.clock = clock or LoopClock()
        self.metrics = metrics
        self._added_at: dict[str, float] = {}
        self._started_at: dict[str, float] = {}
        self.limiter = limiter or ratelimiting.controller_default(self.clock)
        self._queue: deque[str] = deque()
        self._dirty: set[str] = set()
        self._processing: set[str] = set()
        self._waiting: dict[str, tuple[float, Timer]] = {}
        self._getters: list[asyncio.Future] = []
        self._shutting_down = False

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    def add(self, key: str) -> None:
        """Queue ``key`` unless it is queued already (or is being processed: then again after ``done``)."""
        if self._shutting_down or key in self._dirty:
            return
        self._dirty.add(key)
        if self.metrics is not None:
            self.metrics.adds.inc()
            self._added_at.setdefault(key, self.clock.now())
        if key not in self._processing:
            self._queue.append(key)
            self._changed()

    async def get(self) -> str:
        """The next key, now owned by the caller until ``done(key)``; raises ``errors.ShutDown`` when stopped."""
        while not self._queue:
            if self._shutting_down:
                raise errors.ShutDown("the work queue is shut down")
            future = asyncio.get_running_loop().create_future()
            self._getters.append(future)
            try:
                await future
            finally:
                if future in self._getters:
                    self._getters.remove(future)
        key = self._queue.popleft()
        self._processing.add(key)
        self._dirty.discard(key)
        if self.metrics is not None:
            now = self.clock.now()
            self.metrics.queue_duration.observe(now - self._added_at.pop(key, now))
            self._started_at[key] = now
            self.metrics.depth.set(len(self._queue))
        return key

    def done(self, key: str) -> None:
        """The caller finished ``key``; if it was added meanwhile, queue it again."""
        self._processing.discard(key)
        if self.metrics is not None and key in self._started_at:
            self.metrics.work_duration.observe(self.clock.now() - self._started_at.pop(key))
        if key in self._dirty:
            self._queue.append(key)
            self._changed()

    def add_after(self, key: str, delay: float) -> None:
        """Add ``key`` after ``delay`` seconds of the clock; an earlier pending add for the key wins."""
        if self._shutting_down:
            return
        if delay <= 0:
            self.add(key)
            return
        when = self.clock.now() + delay
        pending = self._waiting.get(key)
        if pending is not None and pending[0] <= when:
            return
        if pending is not None:
            pending[1].cancel()
        self._waiting[key] = (when, self.clock.call_later(delay, lambda: self._fire(key)))

    def _fire(self, key: str) -> None:
        self._waiting.pop(key, None)
        self.add(key)

    def add_rate_limited(self, key: str) -> None:
        """Add ``key`` after the rate limiter's delay (one more failure for its backoff)."""
        if self.metrics is not None:
            self.metrics.retries.inc()
        self.add_after(key, self.limiter.when(key))

    def forget(self, key: str) -> None:
        """Stop backing ``key`` off: it succeeded."""
        self.limiter.forget(key)

    def retries(self, key: str) -> int:
        return self.limiter.retries(key)

    def shutdown(self) -> None:
        """Refuse new keys, drop pending timers, and make idle ``get()`` calls raise ``ShutDown``."""
        self._shutting_down = True
        for _, timer in self._waiting.values():
            timer.cancel()
        self._waiting.clear()
        self._wake()

    def _changed(self) -> None:
        if self.metrics is not None:
            self.metrics.depth.set(len(self._queue))
        self._wake()

    def _wake(self) -> None:
        for future in self._getters:
            if not future.done():
                future.set_result(None)
        self._getters.clear()
