"""kubectl's plain SPDY/3.1 upgrade for ``pods/portforward`` (kubectl < 1.31, or a newer one falling back),
relayed to the kubelet through the WebSocket tunnel the kubelet speaks.

kubectl POSTs ``Connection: Upgrade``, ``Upgrade: SPDY/3.1``, ``X-Stream-Protocol-Version:
portforward.k8s.io``; after a 101 the connection carries a SPDY session. kube-apiserver >= 1.31 turns a
client's WebSocket tunnel into a SPDY upgrade to the kubelet; here it is the other way round, so the kubelet
keeps one transport (``SPDY/3.1+portforward.k8s.io``) and the raw bytes travel in binary messages, unchanged.
aiohttp hands a connection over only for websocket or tcp upgrades, so the raw bytes are taken as its own
WebSocketResponse takes them: a payload parser set on the request's protocol before the 101 goes out (no
byte can slip past it), queueing what arrives and pausing the socket while the kubelet's side is behind.
One task per direction; the first to end ends the relay.
"""

from __future__ import annotations

import asyncio
import ssl

import aiohttp
from aiohttp import web

from rktnetes.api import errors

PROTOCOL = "portforward.k8s.io"
TUNNEL = "SPDY/3.1+portforward.k8s.io"
HIGH, LOW = 64, 8  # chunks queued from kubectl: pause reading above HIGH, resume below LOW


def wants_spdy(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").strip().lower() == "spdy/3.1"


class RawReader:
    """The connection's bytes after the upgrade (b"" at its end), as an aiohttp payload parser."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport, self.queue, self.paused = transport, asyncio.Queue(), False

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        self.queue.put_nowait(bytes(data))
        if self.queue.qsize() > HIGH and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        return False, b""

    def feed_eof(self) -> None:
        self.queue.put_nowait(b"")

    async def read(self) -> bytes:
        data = await self.queue.get()
        if self.paused and self.queue.qsize() < LOW:
            self.paused = False
            self.transport.resume_reading()
        return data


async def upgrade(request: web.Request, protocol: str) -> tuple[RawReader, web.StreamResponse]:
    """Answer 101 to a SPDY/3.1 upgrade with ``protocol``; the connection's bytes from now on, and the
    response to write the other direction's bytes to."""
    reader = RawReader(request.transport)
    request.protocol.set_parser(reader)  # before the 101: no byte kubectl sends after it can slip past
    request.protocol.keep_alive(False)
    response = web.StreamResponse(status=101, headers={
        "Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": protocol})
    await response.prepare(request)
    return reader, response


async def _to_kubelet(reader: RawReader, upstream: aiohttp.ClientWebSocketResponse) -> None:
    while data := await reader.read():
        await upstream.send_bytes(data)


async def _to_client(upstream: aiohttp.ClientWebSocketResponse, response: web.StreamResponse) -> None:
    async for message in upstream:
        if message.type != aiohttp.WSMsgType.BINARY:
            break
        await response.write(message.data)


async def relay(request: web.Request, url: str, client_ssl: ssl.SSLContext | bool) -> web.StreamResponse:
    """Upgrade kubectl's connection and relay it to the kubelet's port-forward tunnel at ``url``."""
    offered = [p.strip() for p in request.headers.get("X-Stream-Protocol-Version", "").split(",")]
    if PROTOCOL not in offered:
        raise errors.bad_request(f"unable to upgrade: no protocol in common (offered {offered}, wanted {PROTOCOL})")
    async with aiohttp.ClientSession() as session:
        try:
            upstream = await session.ws_connect(url, protocols=[TUNNEL], ssl=client_ssl, max_msg_size=0)
        except aiohttp.ClientError as exc:
            raise errors.internal(f"error dialing kubelet {url}: {exc}") from None
        async with upstream:
            reader, response = await upgrade(request, PROTOCOL)
            tasks = [asyncio.ensure_future(_to_kubelet(reader, upstream)),
                     asyncio.ensure_future(_to_client(upstream, response))]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            return response
