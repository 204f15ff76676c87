"""SPDY/3.1 frames, as kubectl's port-forward speaks them (moby/spdystream on its side).

Every frame has an 8-byte header. A control frame: bit 1, version (15 bits, 3), type (16), flags (8),
length (24). A data frame: bit 0, stream id (31), flags (8), length (24). ``Reader`` cuts a byte stream
(a TCP connection, or WebSocket messages that split it anywhere) into frames; ``build_*`` make the ones a
server sends. Header blocks go through the session's ``spdyheaders.Codec``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from rktnetes.kubelet.spdyheaders import Codec, HeaderError, Headers

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN, FLAG_UNIDIRECTIONAL = 0x01, 0x02
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, CANCEL = 1, 2, 3, 5
MAX_DATA = (1 << 24) - 1
_ID = 0x7FFFFFFF


class FrameError(ValueError):
    """Bytes that are not SPDY/3 (the session answers with GOAWAY and ends)."""


@dataclass(frozen=True)
class Data:
    stream: int
    data: bytes
    flags: int = 0


@dataclass(frozen=True)
class Control:
    """A control frame: its type, flags, the stream it is about (0 if none), a second number (associated
    stream, status, ping id, window delta, by type) and its headers (SYN_STREAM, SYN_REPLY, HEADERS)."""

    kind: int
    flags: int
    stream: int = 0
    value: int = 0
    headers: Headers = field(default_factory=dict)


Frame = Data | Control


def _control(kind: int, flags: int, payload: bytes, codec: Codec) -> Control:
    try:
        if kind == SYN_STREAM:
            stream, associated = struct.unpack_from(">II", payload)
            return Control(kind, flags, stream & _ID, associated & _ID, codec.unpack(payload[10:]))
        if kind in (SYN_REPLY, HEADERS):
            return Control(kind, flags, struct.unpack_from(">I", payload)[0] & _ID, 0, codec.unpack(payload[4:]))
        if kind in (RST_STREAM, GOAWAY, WINDOW_UPDATE):
            stream, value = struct.unpack_from(">II", payload)
            return Control(kind, flags, stream & _ID, value)
        if kind == PING:
            return Control(kind, flags, 0, struct.unpack_from(">I", payload)[0])
    except (struct.error, HeaderError) as exc:
        raise FrameError(f"malformed control frame of type {kind}: {exc}") from None
    return Control(kind, flags)  # SETTINGS and anything newer: read past, nothing to act on


class Reader:
    """Frames out of a byte stream fed in pieces of any size."""

    def __init__(self, codec: Codec) -> None:
        self.codec, self.buffer = codec, bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        self.buffer += data
        frames = []
        while len(self.buffer) >= 8:
            first, second = struct.unpack_from(">II", self.buffer)
            size = second & 0xFFFFFF
            if len(self.buffer) < 8 + size:
                break
            payload, flags = bytes(self.buffer[8:8 + size]), second >> 24
            del self.buffer[:8 + size]
            frames.append(self._frame(first, flags, payload))
        return frames

    def _frame(self, first: int, flags: int, payload: bytes) -> Frame:
        if not first & 0x80000000:
            return Data(first & _ID, payload, flags)
        version, kind = (first >> 16) & 0x7FFF, first & 0xFFFF
        if version != VERSION:
            raise FrameError(f"unsupported SPDY version {version}")
        return _control(kind, flags, payload, self.codec)


def _header(kind: int, flags: int, payload: bytes) -> bytes:
    return struct.pack(">HHI", 0x8000 | VERSION, kind, (flags << 24) | len(payload)) + payload


def build_data(stream: int, data: bytes, fin: bool = False) -> bytes:
    return struct.pack(">II", stream & _ID, ((FLAG_FIN if fin else 0) << 24) | len(data)) + data


def build_syn_reply(stream: int, headers: Headers, codec: Codec, fin: bool = False) -> bytes:
    return _header(SYN_REPLY, FLAG_FIN if fin else 0, struct.pack(">I", stream & _ID) + codec.pack(headers))


def build_syn_stream(stream: int, headers: Headers, codec: Codec, flags: int = 0) -> bytes:
    """A SYN_STREAM (the client's side; the tests and the benchmark speak it)."""
    return _header(SYN_STREAM, flags, struct.pack(">IIBB", stream & _ID, 0, 0, 0) + codec.pack(headers))


def build_rst_stream(stream: int, status: int) -> bytes:
    return _header(RST_STREAM, 0, struct.pack(">II", stream & _ID, status))


def build_ping(ping_id: int) -> bytes:
    return _header(PING, 0, struct.pack(">I", ping_id))


def build_goaway(last_stream: int, status: int = 0) -> bytes:
    return _header(GOAWAY, 0, struct.pack(">II", last_stream & _ID, status))
