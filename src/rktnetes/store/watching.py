"""Watches over a log store: live events from the writer, catch-up from the log, bounded memory.

Why it is built this way: a watch must see every change after its start revision, in order, exactly once,
without the writer ever waiting for a slow consumer. So the writer only *offers* committed events to each
watch (never blocks); a watch buffers at most ``MAX_BUFFERED`` of them. When it starts, or when it
overflows, it drops its buffer and becomes *lagging*: it re-reads the log page by page from the last
revision it delivered, then goes back to the live feed. Events seen twice (in a page and live) are
skipped by revision, so nothing is lost or repeated. A compaction that overtakes a lagging watch ends it
with ``Compacted``, as etcd does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from rktnetes.store import errors
from rktnetes.store.protocol import Event

MAX_BUFFERED = 1024
PAGE = 512

ReadEvents = Callable[[str, int, int], Awaitable[list[Event]]]


class Hub:
    """The set of open watches; the writer offers every committed batch to each."""

    def __init__(self) -> None:
        self._watches: set[LogWatch] = set()

    def publish(self, events: list[Event]) -> None:
        if events:
            for watch in list(self._watches):
                watch.offer(events)

    def add(self, watch: LogWatch) -> None:
        self._watches.add(watch)

    def discard(self, watch: LogWatch) -> None:
        self._watches.discard(watch)

    def close(self) -> None:
        for watch in list(self._watches):
            watch.stop()


class LogWatch:
    """One watch of a prefix; an async iterator of ``Event``s strictly after ``after``."""

    def __init__(self, hub: Hub, prefix: str, after: int, read: ReadEvents, compacted: Callable[[], int]) -> None:
        self._hub, self._prefix, self._last = hub, prefix, after
        self._read, self._compacted = read, compacted
        self._buffer: deque[Event] = deque()
        self._lagging = True
        self._closed = False
        self._wake = asyncio.Event()
        hub.add(self)

    def offer(self, events: list[Event]) -> None:
        if not self._lagging:
            matching = [e for e in events if e.kv.key.startswith(self._prefix)]
            if len(self._buffer) + len(matching) > MAX_BUFFERED:
                self._lagging = True
                self._buffer.clear()
            else:
                self._buffer.extend(matching)
        self._wake.set()

    def stop(self) -> None:
        self._closed = True
        self._hub.discard(self)
        self._buffer.clear()
        self._wake.set()

    def __aiter__(self) -> LogWatch:
        return self

    async def __anext__(self) -> Event:
        while not self._closed:
            while self._buffer:
                event = self._buffer.popleft()
                if event.revision > self._last:
                    self._last = event.revision
                    return event
            if self._lagging:
                await self._catch_up()
                continue
            self._wake.clear()
            await self._wake.wait()
        raise StopAsyncIteration

    async def _catch_up(self) -> None:
        self._check_compacted()
        self._lagging = False  # from here on, live events are buffered behind the page
        try:
            page = await self._read(self._prefix, self._last, PAGE)
        except BaseException:  # cancelled (a consumer's deadline) or failed: the page is lost, read it again
            self._lagging = True
            self._buffer.clear()
            raise
        self._check_compacted()
        if len(page) == PAGE:
            self._lagging = True
            self._buffer.clear()
        self._buffer.extendleft(reversed(page))

    def _check_compacted(self) -> None:
        compacted = self._compacted()
        if self._last < compacted:
            self.stop()
            raise errors.Compacted(self._last, compacted)

    async def aclose(self) -> None:
        self.stop()

    async def __aenter__(self) -> LogWatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()
