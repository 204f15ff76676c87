"""A lean HTTP/1.1 client for etcd's JSON gateway: keep-alive connections, one call at a time on each.

Why it is built this way: every store call is one small POST, and through aiohttp's client each cost about
0.2 ms of CPU (request and response objects, header multidicts, payload wrappers, a task per request): more
than the API server's own work on a create. Here a call writes one preformatted request on an idle pooled
connection, and the connection's Protocol parses the answer (Content-Length or chunked, the two forms etcd's
Go server uses) as the bytes arrive; nothing else runs per call. Watch streams and snapshots, long-lived
and rare, stay on aiohttp. A connection the server closed while idle is dropped before it is reused.
"""

from __future__ import annotations

import asyncio
import ssl

_END_OF_HEAD = b"\r\n\r\n"


class Response:
    """A response being parsed: ``feed`` bytes until it returns True (the whole body is in)."""

    def __init__(self) -> None:
        self.status, self.body, self.keep_alive = 0, bytearray(), True
        self._buf = bytearray()
        self._length: int | None = None  # Content-Length, or None for a chunked body
        self._head_done = False

    def feed(self, data: bytes) -> bool:
        self._buf += data
        if not self._head_done and not self._head():
            return False
        return self._sized() if self._length is not None else self._chunks()

    def _head(self) -> bool:
        end = self._buf.find(_END_OF_HEAD)
        if end < 0:
            return False
        lines = bytes(self._buf[:end]).decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ", 2)[1])
        headers = dict(_header(line) for line in lines[1:] if ":" in line)
        self.keep_alive = headers.get("connection", "").lower() != "close"
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        self._length = None if chunked else int(headers.get("content-length", "0"))
        del self._buf[:end + len(_END_OF_HEAD)]
        self._head_done = True
        return True

    def _sized(self) -> bool:
        if len(self._buf) < self._length:
            return False
        self.body = self._buf[:self._length]
        return True

    def _chunks(self) -> bool:
        """Move every complete chunk into ``body``; True after the last (empty) chunk and its trailer."""
        while True:
            eol = self._buf.find(b"\r\n")
            if eol < 0:
                return False
            size = int(bytes(self._buf[:eol]).split(b";")[0], 16)
            if size == 0:  # then optional trailer lines, then an empty line
                return self._buf.find(_END_OF_HEAD, eol) >= 0
            if len(self._buf) < eol + 2 + size + 2:
                return False
            self.body += self._buf[eol + 2:eol + 2 + size]
            del self._buf[:eol + 2 + size + 2]


def _header(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.strip().lower(), value.strip()


class Connection(asyncio.Protocol):
    """One keep-alive connection; ``call`` sends a request and waits for its whole response."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._response: Response | None = None
        self._done: asyncio.Future | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._response is None or self._done is None or self._done.done():
            self.close()  # bytes nobody asked for: the connection cannot be trusted any more
            return
        try:
            complete = self._response.feed(data)
        except (ValueError, IndexError) as exc:
            self._done.set_exception(ConnectionError(f"malformed HTTP response: {exc}"))
            self.close()
            return
        if complete:
            self._done.set_result(self._response)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._done is not None and not self._done.done():
            self._done.set_exception(exc or ConnectionResetError("etcd closed the connection"))

    async def call(self, request: bytes) -> Response:
        self._response, self._done = Response(), asyncio.get_running_loop().create_future()
        self.transport.write(request)
        try:
            response = await self._done
        finally:
            self._response = self._done = None
        if not response.keep_alive:
            self.close()
        return response

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Pool:
    """Idle connections to one ``host:port`` endpoint, opened on demand and reused."""

    def __init__(self, endpoint: str, tls: ssl.SSLContext | None) -> None:
        host, _, port = endpoint.rpartition(":")
        self.endpoint, self.host, self.port, self.tls = endpoint, host.strip("[]"), int(port), tls
        self._idle: list[Connection] = []

    async def connect(self, timeout: float) -> Connection:
        """An open connection: an idle one, else a new one (``OSError`` when none can be made)."""
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed:
                return conn
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            _, conn = await loop.create_connection(Connection, self.host, self.port, ssl=self.tls,
                                                   server_hostname=self.host if self.tls else None)
        return conn

    def release(self, conn: Connection) -> None:
        if not conn.closed:
            self._idle.append(conn)

    def request(self, path: str, body: bytes) -> bytes:
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.endpoint}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        return head.encode("latin-1") + body

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
