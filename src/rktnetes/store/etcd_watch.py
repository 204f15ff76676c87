"""A watch on a real etcd: one streaming ``POST /v3/watch`` per watch, read as the consumer asks.

Why it is built this way: the gateway streams newline-separated JSON messages on one HTTP response. We read
only when the consumer wants the next event, so a slow consumer makes TCP push back on etcd instead of
growing our memory: at most one message's events are held. A cancel carrying ``compact_revision`` becomes
``Compacted``; a stream that ends without our asking (etcd stopped) becomes ``Unavailable``.
"""

from __future__ import annotations

from collections import deque

import aiohttp
import orjson

from rktnetes.store import errors, etcd_wire, keys
from rktnetes.store.protocol import Event

_NO_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=10, sock_connect=10)


class EtcdWatch:
    """An async iterator of ``Event``s under ``prefix`` strictly after ``after``."""

    def __init__(self, session: aiohttp.ClientSession, base: str, prefix: str, after: int) -> None:
        self._session, self._base, self._prefix, self._last = session, base, prefix, after
        self._response: aiohttp.ClientResponse | None = None
        self._events: deque[Event] = deque()
        self._partial = b""
        self._lines: deque[bytes] = deque()  # complete messages read but not parsed yet
        self._closed = False

    async def start(self) -> EtcdWatch:
        request = {"key": etcd_wire.b64(self._prefix or "\x00"),
                   "range_end": etcd_wire.b64(keys.prefix_end(self._prefix) or "\x00"),
                   "start_revision": self._last + 1, "prev_kv": True}
        try:
            self._response = await self._session.post(
                f"{self._base}/v3/watch", data=orjson.dumps({"create_request": request}), timeout=_NO_TIMEOUT)
        except aiohttp.ClientConnectorError as exc:
            raise errors.Unreachable(f"etcd watch failed: {exc}") from None
        except aiohttp.ClientError as exc:
            raise errors.Unavailable(f"etcd watch failed: {exc}") from None
        if self._response.status != 200:
            body = await self._response.read()
            self._response.close()
            raise etcd_wire.error(self._response.status, orjson.loads(body or b"{}"), self._last)
        return self

    async def _message(self) -> dict | None:
        while not self._lines:
            try:
                chunk = await self._response.content.readany()
            except (aiohttp.ClientError, OSError):
                chunk = b""
            if not chunk:
                return None
            *complete, self._partial = (self._partial + chunk).split(b"\n")
            self._lines.extend(complete)
        return orjson.loads(self._lines.popleft())

    async def _fill(self) -> None:
        message = await self._message()
        if message is None:
            raise errors.Unavailable("etcd ended the watch stream")
        result = message.get("result") or {}
        if "error" in message or result.get("canceled"):
            await self.aclose()
            compacted = int(result.get("compact_revision", 0))
            if compacted:
                raise errors.Compacted(self._last, compacted)
            raise errors.Unavailable(f"etcd cancelled the watch: {message}")
        self._events.extend(etcd_wire.event(e) for e in result.get("events") or [])

    def __aiter__(self) -> EtcdWatch:
        return self

    async def __anext__(self) -> Event:
        while not self._events:
            if self._closed:
                raise StopAsyncIteration
            try:
                await self._fill()
            except errors.Unavailable:
                if self._closed:
                    raise StopAsyncIteration from None
                raise
        event = self._events.popleft()
        self._last = event.revision
        return event

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        self._closed = True
        self._events.clear()
        self._lines.clear()
        if self._response is not None:
            self._response.close()

    async def __aenter__(self) -> EtcdWatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
