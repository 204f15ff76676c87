"""The server side of a SPDY/3.1 session: streams the client opens, each accepted with a SYN_REPLY.

One coroutine reads the transport and dispatches frames; a stream's inbound data waits in a bounded queue
that its consumer drains, so a slow consumer slows the whole session down (back-pressure on the sender,
as moby/spdystream's peers do not speak SPDY's window updates) instead of growing without bound; a consumer
that stops reading must ``abandon`` its stream so the session never waits on it. Sending takes one lock:
header blocks share a zlib stream, so a block must reach the wire in the order it was compressed, and a
frame must never interleave with another. PINGs are echoed; GOAWAY marks the session gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from rktnetes.kubelet import spdy
from rktnetes.kubelet.spdyheaders import Codec, Headers

Send = Callable[[bytes], Awaitable[None]]
QUEUE = 64  # data frames waiting per stream before the session waits for its consumer


class Stream:
    """One client-opened stream: its headers, what the client sends (``read``: b"" at its end) and
    ``write``/``close`` (FIN) to answer on it. ``reset`` once the client has (RST_STREAM); ``discarding``
    once this side reads no more."""

    def __init__(self, session: Session, stream_id: int, headers: Headers) -> None:
        self.session, self.id, self.headers = session, stream_id, headers
        self.inbound: asyncio.Queue[bytes] = asyncio.Queue(QUEUE)
        self.reset = self.closed = self.ended = self.discarding = False

    def header(self, name: str) -> str:
        return (self.headers.get(name) or [""])[0]

    async def read(self) -> bytes:
        if self.ended and self.inbound.empty():
            return b""
        return await self.inbound.get()

    async def write(self, data: bytes) -> None:
        for at in range(0, len(data), spdy.MAX_DATA):
            if self.reset or self.closed:
                return
            await self.session.send(spdy.build_data(self.id, data[at:at + spdy.MAX_DATA]))

    async def close(self) -> None:
        """Half-close: FIN, nothing more from this side."""
        if not (self.reset or self.closed):
            self.closed = True
            await self.session.send(spdy.build_data(self.id, b"", fin=True))

    def finish(self) -> None:
        """The client sends no more (FIN, RST or the session's end): a waiting ``read`` gets b""."""
        if not self.ended:
            self.ended = True
            if self.inbound.empty():
                self.inbound.put_nowait(b"")

    def abandon(self) -> None:
        """This side reads no more: drop what waits and what comes."""
        self.discarding = True
        while not self.inbound.empty():
            self.inbound.get_nowait()
        self.finish()


class Session:
    """Feed it the transport's bytes; ``on_stream`` is called (not awaited) with each accepted stream."""

    def __init__(self, send: Send, on_stream: Callable[[Stream], None]) -> None:
        self._send, self.on_stream = send, on_stream
        self.codec, self.lock = Codec(), asyncio.Lock()
        self.streams: dict[int, Stream] = {}
        self.reader, self.last, self.gone = spdy.Reader(self.codec), 0, False

    async def send(self, frame: bytes) -> None:
        async with self.lock:
            await self._send(frame)

    async def feed(self, data: bytes) -> None:
        """Act on the frames in ``data``; spdy.FrameError (after a GOAWAY) on bytes that are not SPDY/3."""
        try:
            frames = self.reader.feed(data)
        except spdy.FrameError:
            await self.send(spdy.build_goaway(self.last, spdy.PROTOCOL_ERROR))
            raise
        for frame in frames:
            await (self._data(frame) if isinstance(frame, spdy.Data) else self._control(frame))

    async def _data(self, frame: spdy.Data) -> None:
        stream = self.streams.get(frame.stream)
        if stream is None or stream.ended:
            return
        if frame.data and not stream.discarding:
            await stream.inbound.put(frame.data)
        if frame.flags & spdy.FLAG_FIN:
            stream.finish()

    async def _control(self, frame: spdy.Control) -> None:
        if frame.kind == spdy.SYN_STREAM:
            await self._open(frame)
        elif frame.kind == spdy.RST_STREAM and frame.stream in self.streams:
            stream = self.streams.pop(frame.stream)
            stream.reset = True
            stream.abandon()
        elif frame.kind == spdy.PING and frame.value % 2 == 1:  # the client's (odd ids): echo it
            await self.send(spdy.build_ping(frame.value))
        elif frame.kind == spdy.GOAWAY:
            self.gone = True

    async def _open(self, frame: spdy.Control) -> None:
        if frame.stream % 2 == 0 or frame.stream <= self.last:
            await self.send(spdy.build_rst_stream(frame.stream, spdy.PROTOCOL_ERROR))
            return
        self.last = frame.stream
        stream = self.streams[frame.stream] = Stream(self, frame.stream, frame.headers)
        async with self.lock:  # compressed and sent under one lock: blocks stay in order
            await self._send(spdy.build_syn_reply(frame.stream, {}, self.codec))
        if frame.flags & spdy.FLAG_FIN:
            stream.finish()
        self.on_stream(stream)

    def end(self) -> None:
        """The transport is gone: every stream's reader sees its end."""
        for stream in self.streams.values():
            stream.reset = True
            stream.abandon()
        self.streams.clear()
