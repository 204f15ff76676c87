"""``kubectl exec``/``attach`` over a plain SPDY/3.1 upgrade (kubectl <= 1.29), bridged to the kubelet's
channel WebSocket (``v5.channel.k8s.io``).

Old kubectl POSTs ``Upgrade: SPDY/3.1`` offering ``v4.channel.k8s.io`` (and older); after the 101 it opens
one SPDY stream per standard stream, named by its ``streamtype`` header: ``error`` always, then ``stdin``,
``stdout``, ``stderr`` (not with a terminal) and ``resize`` (with one), as its query announces. The kubelet
speaks channels on one WebSocket, so the bridge waits for the announced streams, then dials the kubelet and
maps stdin data to channel 0 and its end to v5's close of channel 0, the resize stream's JSON objects to
channel 4, and channels 1, 2 and 3 (the Status, the same JSON in v4 and v5) to stdout, stderr and error.
When the kubelet's side ends every stream is closed (FIN), as a kubelet closes them. One task per direction
and per inbound stream; the session's lock keeps the frames whole and in order.
"""

from __future__ import annotations

import asyncio
import json
import ssl

import aiohttp
from aiohttp import web

from rktnetes.api import errors
from rktnetes.apiserver import spdyrelay
from rktnetes.kubelet import spdysession

VERSIONS = ("v4.channel.k8s.io",)
KUBELET_PROTOCOL = "v5.channel.k8s.io"
STDIN, RESIZE, CLOSE = 0, 4, 255
OUTPUTS = {1: "stdout", 2: "stderr", 3: "error"}
STREAMS_WAIT = 30.0
_DECODER = json.JSONDecoder()


def expected(query: dict[str, str]) -> set[str]:
    """The streams kubectl opens for this query."""
    tty = query.get("tty") == "true"
    wanted = {"error"} | {name for name in ("stdin", "stdout") if query.get(name) == "true"}
    if query.get("stderr") == "true" and not tty:
        wanted.add("stderr")
    return wanted | ({"resize"} if tty else set())


def sizes(buffer: str) -> tuple[list[dict], str]:
    """The whole JSON objects at the front of ``buffer`` (kubectl writes one per resize) and what is left."""
    found = []
    while text := buffer.lstrip():
        try:
            size, end = _DECODER.raw_decode(text)
        except ValueError:
            return found, text
        found.append(size)
        buffer = text[end:]
    return found, ""


class Bridge:
    """kubectl's streams of one session, and the copies between them and the kubelet's channels."""

    def __init__(self, wanted: set[str]) -> None:
        self.wanted, self.streams, self.ready = wanted, {}, asyncio.Event()

    def on_stream(self, stream: spdysession.Stream) -> None:
        self.streams[stream.header("streamtype")] = stream
        if self.wanted <= set(self.streams):
            self.ready.set()

    async def from_kubelet(self, upstream: aiohttp.ClientWebSocketResponse) -> None:
        async for message in upstream:
            if message.type != aiohttp.WSMsgType.BINARY or not message.data:
                continue
            stream = self.streams.get(OUTPUTS.get(message.data[0], ""))
            if stream is not None:
                await stream.write(message.data[1:])

    async def stdin(self, upstream: aiohttp.ClientWebSocketResponse) -> None:
        if "stdin" in self.streams:
            while data := await self.streams["stdin"].read():
                await upstream.send_bytes(bytes([STDIN]) + data)
            await upstream.send_bytes(bytes([CLOSE, STDIN]))

    async def resize(self, upstream: aiohttp.ClientWebSocketResponse) -> None:
        rest = ""
        while "resize" in self.streams and (data := await self.streams["resize"].read()):
            found, rest = sizes(rest + data.decode(errors="replace"))
            for size in found:
                await upstream.send_bytes(bytes([RESIZE]) + json.dumps(size).encode())

    async def fail(self, message: str) -> None:
        if "error" in self.streams:
            status = {"metadata": {}, "status": "Failure", "reason": "InternalError", "message": message}
            await self.streams["error"].write(json.dumps(status).encode())

    async def close(self) -> None:
        for stream in self.streams.values():
            await stream.close()


async def _feed(reader: spdyrelay.RawReader, session: spdysession.Session) -> None:
    try:
        while data := await reader.read():
            await session.feed(data)
    finally:
        session.end()


async def _relay(bridge: Bridge, url: str, query: list[tuple[str, str]], client_ssl: ssl.SSLContext | bool) -> None:
    async with aiohttp.ClientSession() as http, \
            http.ws_connect(url, params=query, protocols=[KUBELET_PROTOCOL], ssl=client_ssl, max_msg_size=0) as up:
        inbound = [asyncio.ensure_future(bridge.stdin(up)), asyncio.ensure_future(bridge.resize(up))]
        try:
            await bridge.from_kubelet(up)
        finally:
            for task in inbound:
                task.cancel()
            await asyncio.gather(*inbound, return_exceptions=True)


async def relay(request: web.Request, url: str, query: list[tuple[str, str]],
                client_ssl: ssl.SSLContext | bool) -> web.StreamResponse:
    """Upgrade kubectl's connection and bridge its SPDY streams to the kubelet's channels at ``url``."""
    offered = [p.strip() for p in request.headers.get("X-Stream-Protocol-Version", "").split(",")]
    version = next((v for v in VERSIONS if v in offered), None)
    if version is None:
        raise errors.bad_request(f"unable to upgrade: no protocol in common (offered {offered}, wanted {VERSIONS})")
    reader, response = await spdyrelay.upgrade(request, version)
    bridge = Bridge(expected(dict(request.query)))
    session = spdysession.Session(response.write, bridge.on_stream)
    feeding = asyncio.ensure_future(_feed(reader, session))
    try:
        await asyncio.wait_for(bridge.ready.wait(), STREAMS_WAIT)
        await _relay(bridge, url, query, client_ssl)
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        await bridge.fail(f"error bridging to the kubelet {url}: {exc or type(exc).__name__}")
    finally:
        await bridge.close()
        feeding.cancel()
        await asyncio.gather(feeding, return_exceptions=True)
    return response
