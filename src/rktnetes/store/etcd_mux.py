"""Many watches on one etcd stream: a feed watching every key, a ring of recent events, and a fallback.

Why it is built this way: etcd's gateway serializes every event to JSON once per stream, so 100 watchers
meant 100 streams and etcd, not us, became the bottleneck. The store instead keeps one stream on every key
(the *feed*), remembers its last ``RING`` events, and serves watches through the same ``Hub``/``LogWatch``
machinery as SQLite, the ring standing in for the log: a watch whose start revision the ring still covers
(``floor`` and after) replays from it, then follows the feed live. A watch that starts older, or falls so
far behind that the ring moved past it, or whose feed ends, continues on a dedicated etcd stream from the
last revision it delivered, so nothing is lost and a truly compacted revision still fails as ``Compacted``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from rktnetes.store import errors
from rktnetes.store.etcd_watch import EtcdWatch
from rktnetes.store.protocol import Event
from rktnetes.store.watching import Hub, LogWatch

RING = 1024
OpenStream = Callable[[str, int], Awaitable[EtcdWatch]]


class Feed:
    """One etcd watch on every key after ``floor``; ``alive`` until its stream ends."""

    def __init__(self, stream: EtcdWatch, floor: int) -> None:
        self.hub, self.floor, self._stream = Hub(), floor, stream
        self.ring: deque[Event] = deque()
        self._task = asyncio.get_running_loop().create_task(self._pump())

    @property
    def alive(self) -> bool:
        return not self._task.done()

    async def _pump(self) -> None:
        try:
            async for event in self._stream:
                self._append(event)
        except errors.StoreError:
            pass  # the watches move to their own streams, which report what is wrong
        finally:
            await self._stream.aclose()
            self.hub.close()

    def _append(self, event: Event) -> None:
        if len(self.ring) >= RING:
            self.floor = self.ring.popleft().revision
        self.ring.append(event)
        self.hub.publish([event])

    async def read(self, prefix: str, after: int, limit: int) -> list[Event]:
        """Up to ``limit`` remembered events under ``prefix`` after ``after`` (the ``LogWatch`` catch-up)."""
        found = [e for e in self.ring if e.revision > after and e.kv.key.startswith(prefix)]
        return found[:limit]

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


class MuxWatch:
    """A watch served by the feed while it can be, then by its own etcd stream."""

    def __init__(self, feed: Feed, prefix: str, after: int, open_stream: OpenStream,
                 closed: Callable[[], bool]) -> None:
        self._prefix, self._last, self._open, self._store_closed = prefix, after, open_stream, closed
        self._inner: LogWatch | EtcdWatch = LogWatch(feed.hub, prefix, after, feed.read, lambda: feed.floor)
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def __aiter__(self) -> MuxWatch:
        return self

    async def __anext__(self) -> Event:
        while True:
            try:
                event = await self._inner.__anext__()
            except (errors.Compacted, StopAsyncIteration):
                if self._closed or self._store_closed() or isinstance(self._inner, EtcdWatch):
                    raise
                self._inner = await self._open(self._prefix, self._last)  # the feed cannot serve us any more
                continue
            self._last = event.revision
            return event

    async def aclose(self) -> None:
        self._closed = True
        await self._inner.aclose()

    async def __aenter__(self) -> MuxWatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
