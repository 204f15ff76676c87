"""Questions outside the cluster domain go to the upstream servers, in order, each within a timeout.

Each forwarded UDP query gets its own connected socket (a fresh source port, so a reply can only come from
the server asked, and answers cannot be confused between concurrent queries); a query that came over TCP is
forwarded over TCP, so a client retrying after a truncated answer gets the whole of it. When no upstream
answers in time the client gets SERVFAIL.
"""

from __future__ import annotations

import asyncio
import logging

from rktnetes.dns import responding

log = logging.getLogger(__name__)
Address = tuple[str, int]
DEFAULT_TIMEOUT = 2.0


class _Reply(asyncio.DatagramProtocol):
    def __init__(self, query_id: bytes) -> None:
        self.query_id = query_id
        self.done: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: Address) -> None:
        if data[:2] == self.query_id and not self.done.done():
            self.done.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.done.done():
            self.done.set_exception(exc)


async def _udp(wire: bytes, upstream: Address) -> bytes:
    loop = asyncio.get_running_loop()
    transport, reply = await loop.create_datagram_endpoint(lambda: _Reply(wire[:2]), remote_addr=upstream)
    try:
        transport.sendto(wire)
        return await reply.done
    finally:
        transport.close()


async def _tcp(wire: bytes, upstream: Address) -> bytes:
    reader, writer = await asyncio.open_connection(*upstream)
    try:
        writer.write(len(wire).to_bytes(2, "big") + wire)
        size = int.from_bytes(await reader.readexactly(2), "big")
        return await reader.readexactly(size)
    finally:
        writer.close()


class Forwarder:
    def __init__(self, upstreams: list[Address], timeout: float = DEFAULT_TIMEOUT) -> None:
        self.upstreams, self.timeout = upstreams, timeout

    async def forward(self, wire: bytes, tcp: bool = False) -> bytes:
        """The first upstream answer to ``wire`` (over TCP when ``tcp``), else SERVFAIL."""
        exchange = _tcp if tcp else _udp
        for upstream in self.upstreams:
            try:
                async with asyncio.timeout(self.timeout):
                    return await exchange(wire, upstream)
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                log.info("upstream %s:%d: %s", *upstream, exc or type(exc).__name__)
        return responding.servfail(wire)
