"""One WATCH request read as an async iterator of ``(type, object)`` events.

The server sends one JSON event per line over a chunked response. Lines are cut out of the raw chunks here (not
with ``readline``, whose buffer limit a large object would exceed). An ``ERROR`` event carrying a ``Status`` is
raised as the matching ``client.errors`` exception (``Expired`` for 410), so the informer relists; the server
ending the stream (``timeoutSeconds``) ends the iteration. ``resource_version`` follows every event, bookmarks
included, so a caller can resume where it stopped.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from rktnetes.client import errors

Obj = dict[str, Any]
Event = tuple[str, Obj]
STALL_MARGIN = 30.0


class Watch:
    """``async with client.watch(...) as w: async for kind, obj in w``; the connection closes on exit."""

    def __init__(self, session: aiohttp.ClientSession, path: str, params: dict[str, str], resource_version: str,
                 server_hostname: str | None = None) -> None:
        self.session, self.path, self.params, self.server_hostname = session, path, params, server_hostname
        self.resource_version = resource_version
        self._response: aiohttp.ClientResponse | None = None
        self._chunks: Any = None
        self._buffer = b""
        self._lines: list[bytes] = []

    async def __aenter__(self) -> Watch:
        # the server ends the stream at timeoutSeconds; a connection that outlives that by a margin is dead
        limit = float(self.params["timeoutSeconds"]) + STALL_MARGIN if "timeoutSeconds" in self.params else None
        try:
            self._response = await self.session.get(self.path, params=self.params, server_hostname=self.server_hostname,
                                                    timeout=aiohttp.ClientTimeout(total=limit, sock_connect=30))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise errors.TransportError(f"watch {self.path}: {exc or type(exc).__name__}") from None
        if self._response.status >= 400:
            raw = await self._response.read()
            self.close()
            raise errors.from_status(self._response.status, _decode(raw))
        self._chunks = self._response.content.iter_any()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._response is not None:
            self._response.close()

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> Event:
        if self._chunks is None:
            raise errors.ClientError("a Watch is iterated inside `async with`")
        line = await self._next_line()
        event = _decode(line)
        if not isinstance(event, dict) or not isinstance(event.get("object"), dict) or "type" not in event:
            raise errors.TransportError(f"watch {self.path}: not a watch event: {line[:200]!r}")
        kind, obj = str(event["type"]), event["object"]
        if kind == "ERROR":
            raise errors.from_status(int(obj.get("code") or 500), obj)
        self.resource_version = str((obj.get("metadata") or {}).get("resourceVersion") or self.resource_version)
        return kind, obj

    async def _next_line(self) -> bytes:
        while not self._lines:
            try:
                chunk = await anext(self._chunks, b"")
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise errors.TransportError(f"watch {self.path}: {exc or type(exc).__name__}") from None
            if not chunk:
                raise StopAsyncIteration
            self._buffer += chunk
            *complete, self._buffer = self._buffer.split(b"\n")
            self._lines = [line for line in complete if line.strip()]
        return self._lines.pop(0)


def _decode(raw: bytes) -> Any:
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None
