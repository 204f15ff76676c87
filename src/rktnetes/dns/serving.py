"""The UDP and TCP listeners, on one event loop with the informers that fill the record index.

A question about the cluster is answered inside ``datagram_received`` itself: the index is in memory and
the answer cache usually holds the bytes, so no task is created and many concurrent queries cost one
callback each. Only a forwarded question becomes a task, tracked so it is not garbage-collected mid-flight
and cancelled at shutdown. A TCP connection may carry many queries (RFC 7766), answered in order; it is
closed after ``idle`` seconds without one.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from rktnetes.dns import responding
from rktnetes.dns.forwarding import Address, Forwarder
from rktnetes.dns.responding import Responder

log = logging.getLogger(__name__)
TCP_IDLE = 10.0
SOCKET_BUFFER = 4 << 20  # bytes; the kernel caps it at net.core.rmem_max / wmem_max


class UdpServer(asyncio.DatagramProtocol):
    def __init__(self, responder: Responder, forwarder: Forwarder) -> None:
        self.responder, self.forwarder = responder, forwarder
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: set[asyncio.Task] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Address) -> None:
        try:
            answer = self.responder.respond(data, udp=True)
        except Exception:  # noqa: BLE001 - one bad query must not close the socket, which asyncio would do
            log.exception("answering a query from %s failed", addr)
            answer = responding.servfail(data)
        if answer is None:
            task = asyncio.get_running_loop().create_task(self._forward(data, addr))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        elif answer:
            self.transport.sendto(answer, addr)

    async def _forward(self, data: bytes, addr: Address) -> None:
        answer = await self.forwarder.forward(data)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(answer, addr)

    def close(self) -> None:
        for task in self.pending:
            task.cancel()
        if self.transport is not None:
            self.transport.close()


class TcpHandler:
    def __init__(self, responder: Responder, forwarder: Forwarder, idle: float = TCP_IDLE) -> None:
        self.responder, self.forwarder, self.idle = responder, forwarder, idle

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                async with asyncio.timeout(self.idle):
                    size = int.from_bytes(await reader.readexactly(2), "big")
                    query = await reader.readexactly(size)
                try:
                    answer = self.responder.respond(query, udp=False)
                except Exception:  # noqa: BLE001 - as for UDP: SERVFAIL, keep serving
                    log.exception("answering a TCP query failed")
                    answer = responding.servfail(query)
                if answer is None:
                    answer = await self.forwarder.forward(query, tcp=True)
                if not answer:
                    break
                writer.write(len(answer).to_bytes(2, "big") + answer)
                await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _udp_socket(address: Address) -> socket.socket:
    """A UDP socket with big buffers: a burst of queries waits in the kernel instead of being dropped."""
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


async def listen(responder: Responder, forwarder: Forwarder, address: Address) -> tuple[UdpServer, asyncio.Server]:
    """Serve on UDP and TCP ``address``; the caller closes both."""
    loop = asyncio.get_running_loop()
    _, udp = await loop.create_datagram_endpoint(lambda: UdpServer(responder, forwarder),
                                               sock=_udp_socket(address))
    tcp = await asyncio.start_server(TcpHandler(responder, forwarder), *address, reuse_address=True)
    return udp, tcp
