"""The HTTP side of the client: one aiohttp session (connection pool, TLS, credentials) per API server.

The session is opened lazily on the running loop, at the first request, because aiohttp binds it to that
loop; every request after shares its pool, so many concurrent callers cost one connection each at most.
Answers are decoded here and error answers turned into ``client.errors`` from their ``Status``.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from rktnetes.client import errors, ratelimiting
from rktnetes.client.clock import Clock, LoopClock
from rktnetes.client.kubeconfig import Config

JSON = "application/json"
REQUEST_CONNECTIONS = 100


def params(**values: Any) -> dict[str, str]:
    """Query parameters, leaving out the unset ones; booleans as ``true``/``false``."""
    out = {}
    for key, value in values.items():
        if value is not None:
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


class Transport:
    """Sessions for one server; with ``qps``, requests (not watches) are spaced by a token bucket on ``clock``
    (client-go's client-side QPS/burst), so a runaway component cannot flood the API server."""

    def __init__(self, config: Config, timeout: float, qps: float | None = None, burst: int = 10,
                 clock: Clock | None = None) -> None:
        self.config, self.timeout = config, timeout
        self.clock = clock or LoopClock()
        self.bucket = ratelimiting.TokenBucket(self.clock, qps, burst) if qps else None
        self._session: aiohttp.ClientSession | None = None
        self._watch_session: aiohttp.ClientSession | None = None

    def _new_session(self, limit: int) -> aiohttp.ClientSession:
        headers = {"Accept": JSON, "User-Agent": "rktnetes-client"}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token}"
        ssl_context = self.config.ssl_context()
        connector = aiohttp.TCPConnector(ssl=ssl_context if ssl_context is not None else False, limit=limit)
        return aiohttp.ClientSession(self.config.server, headers=headers, connector=connector)

    def session(self) -> aiohttp.ClientSession:
        """The pool for requests (at most REQUEST_CONNECTIONS at once; more wait for a free one)."""
        if self._session is None:
            self._session = self._new_session(REQUEST_CONNECTIONS)
        return self._session

    def watch_session(self) -> aiohttp.ClientSession:
        """The pool for watches: unbounded, since each open watch holds its connection for minutes, and
        a bounded pool shared with requests would stall every request once enough watches were open."""
        if self._watch_session is None:
            self._watch_session = self._new_session(0)
        return self._watch_session

    async def close(self) -> None:
        for session in (self._session, self._watch_session):
            if session is not None:
                await session.close()
        self._session = self._watch_session = None

    async def request(self, method: str, path: str, query: dict[str, str] | None = None, body: Any = None,
                      content_type: str = JSON) -> Any:
        """Send one request and return its decoded JSON answer; raise the matching error on a failure."""
        if self.bucket is not None and (delay := self.bucket.when("")) > 0:
            await self.clock.sleep(delay)
        data = orjson.dumps(body) if body is not None else None
        headers = {"Content-Type": content_type} if data is not None else None
        try:
            async with self.session().request(method, path, params=query, data=data, headers=headers,
                                              timeout=aiohttp.ClientTimeout(total=self.timeout),
                                              server_hostname=self.config.tls_server_name) as response:
                return decode(response.status, await response.read())
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise errors.TransportError(f"{method} {self.config.server}{path}: {exc or type(exc).__name__}") from None


def decode(code: int, raw: bytes) -> Any:
    """The JSON body of an answer; an error code raises its ``client.errors`` exception."""
    try:
        body = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        body = None
    if code >= 400:
        raise errors.from_status(code, body)
    if body is None and raw:
        raise errors.TransportError(f"the server answered {code} with a body that is not JSON")
    return body
