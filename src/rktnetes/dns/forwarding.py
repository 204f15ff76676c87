"""Questions outside the cluster domain go to the upstream servers, in order, each within a timeout.

Over UDP every forwarded query to one upstream shares one connected socket (opened on first use): a query
goes out under an ID of ours, random and not in flight, and its answer is matched back by that ID and given
the client's ID again (as dnsmasq does). A socket per query cost more than the rest of the forwarding put
together. The connected socket takes datagrams from that server only, and answers are never cached, so a
forged one could at worst reach the one client waiting for it. An ICMP error on the socket fails every query
in flight on it, which then tries the next upstream. A query that came over TCP is forwarded over TCP (a new
connection each), so a client retrying after a truncated answer gets the whole of it. When no upstream
answers in time the client gets SERVFAIL.
"""

from __future__ import annotations

import asyncio
import logging
import random

from rktnetes.dns import responding

log = logging.getLogger(__name__)
Address = tuple[str, int]
DEFAULT_TIMEOUT = 2.0


class _Upstream(asyncio.DatagramProtocol):
    """One connected UDP socket to one upstream server and the queries in flight on it, by our ID."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[int, asyncio.Future[bytes]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Address) -> None:
        waiter = self.pending.pop(int.from_bytes(data[:2], "big"), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(data)

    def error_received(self, exc: Exception) -> None:
        self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionResetError("upstream socket closed"))
        self.transport = None

    def _fail(self, exc: Exception) -> None:
        for waiter in self.pending.values():
            if not waiter.done():
                waiter.set_exception(exc)
        self.pending.clear()

    async def exchange(self, query: bytes) -> bytes:
        """Send ``query`` under a fresh ID of ours; its answer, with the client's ID back in place."""
        qid = random.getrandbits(16)
        while qid in self.pending:
            qid = random.getrandbits(16)
        waiter = self.pending[qid] = asyncio.get_running_loop().create_future()
        try:
            self.transport.sendto(qid.to_bytes(2, "big") + query[2:])
            answer = await waiter
        finally:
            if self.pending.get(qid) is waiter:
                del self.pending[qid]
        return query[:2] + answer[2:]


async def _tcp(query: bytes, upstream: Address) -> bytes:
    reader, writer = await asyncio.open_connection(*upstream)
    try:
        writer.write(len(query).to_bytes(2, "big") + query)
        size = int.from_bytes(await reader.readexactly(2), "big")
        return await reader.readexactly(size)
    finally:
        writer.close()


class Forwarder:
    def __init__(self, upstreams: list[Address], timeout: float = DEFAULT_TIMEOUT) -> None:
        self.upstreams, self.timeout = upstreams, timeout
        self._sockets: dict[Address, asyncio.Task[_Upstream]] = {}

    async def forward(self, query: bytes, tcp: bool = False) -> bytes:
        """The first upstream answer to ``query`` (over TCP when ``tcp``), else SERVFAIL."""
        for upstream in self.upstreams:
            try:
                async with asyncio.timeout(self.timeout):
                    return await (_tcp(query, upstream) if tcp else self._udp(query, upstream))
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                log.info("upstream %s:%d: %s", *upstream, exc or type(exc).__name__)
        return responding.servfail(query)

    async def _udp(self, query: bytes, upstream: Address) -> bytes:
        opening = self._sockets.get(upstream)
        if opening is None or (opening.done() and (opening.exception() or opening.result().transport is None)):
            opening = self._sockets[upstream] = asyncio.ensure_future(self._open(upstream))
        socket = opening.result() if opening.done() else await asyncio.shield(opening)  # shared: never cancel it
        return await socket.exchange(query)

    @staticmethod
    async def _open(upstream: Address) -> _Upstream:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_datagram_endpoint(_Upstream, remote_addr=upstream)
        return protocol

    def close(self) -> None:
        for opening in self._sockets.values():
            if opening.done() and not opening.exception() and opening.result().transport is not None:
                opening.result().transport.close()
            opening.cancel()
        self._sockets.clear()
