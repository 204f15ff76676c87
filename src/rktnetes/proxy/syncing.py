"""When the proxy rewrites its table: bursts of changes coalesced, at most once per ``min_period``.

kube-proxy's rule: a change syncs at once if the last sync started at least ``min_period`` ago, else when that
period is over; however many changes arrive meanwhile, they make one sync, which writes only what changed.
Every ``period`` a full sync runs anyway (``sync(full=True)`` rewrites the whole table, repairing anything
changed behind our back). A failed sync is retried after
``retry`` seconds. One task runs the syncs, so two never overlap; ``request()`` is a plain function that only
arms a timer on the injected clock, so informer handlers may call it. ``last_success`` and ``pending_since``
(clock times) are what /healthz reports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from rktnetes.client.clock import Clock, LoopClock, Timer

log = logging.getLogger(__name__)


class SyncRunner:
    def __init__(self, sync: Callable[[bool], Awaitable[None]], clock: Clock | None = None, *,
                 min_period: float = 1.0, period: float = 30.0, retry: float = 1.0) -> None:
        self.sync, self.clock = sync, clock or LoopClock()
        self.min_period, self.period, self.retry = min_period, period, retry
        self.last_start: float | None = None
        self.last_success: float | None = None
        self.pending_since: float | None = None
        self.syncs = self.failures = 0
        self._full = False
        self._timer: Timer | None = None
        self._periodic: Timer | None = None
        self._wake = asyncio.Event()

    def request(self) -> None:
        """Something changed: sync as soon as the rate limit allows."""
        now = self.clock.now()
        self.pending_since = self.pending_since if self.pending_since is not None else now
        earliest = 0.0 if self.last_start is None else self.last_start + self.min_period - now
        self._arm(max(0.0, earliest))

    def _request_full(self) -> None:
        self._full = True
        self.request()

    def _arm(self, delay: float) -> None:
        if self._timer is None:
            self._timer = self.clock.call_later(delay, self._due)

    def _due(self) -> None:
        self._timer = None
        self._wake.set()

    async def run(self) -> None:
        """Sync whenever due, for ever (cancel the task to stop)."""
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                await self._sync_once()
        finally:
            for timer in (self._timer, self._periodic):
                if timer is not None:
                    timer.cancel()

    async def _sync_once(self) -> None:
        self.last_start, waiting, full = self.clock.now(), self.pending_since, self._full
        self.pending_since, self._full = None, False
        try:
            await self.sync(full)
        except Exception:  # noqa: BLE001 - the next attempt writes the whole table again
            self.failures += 1
            log.exception("sync failed (retry in %.1fs)", self.retry)
            self.pending_since = waiting if waiting is not None else self.last_start
            self._full = self._full or full
            self._arm(max(self.retry, self.min_period))
            return
        self.syncs += 1
        self.last_success = self.clock.now()
        if self._periodic is not None:
            self._periodic.cancel()
        self._periodic = self.clock.call_later(self.period, self._request_full)

    def healthy(self, stale_after: float) -> bool:
        """Synced at least once, and no change has been waiting longer than ``stale_after`` seconds."""
        if self.last_success is None:
            return False
        return self.pending_since is None or self.clock.now() - self.pending_since < stale_after
