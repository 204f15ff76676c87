"""SPDY/3.1 framing and header blocks (spdy, spdyheaders), and the server session (spdysession) on a fake
transport, checked on the bytes."""

from __future__ import annotations

import asyncio
import hashlib
import struct
import zlib

import pytest

from rktnetes.apiserver import spdyexec, spdyrelay
from rktnetes.kubelet import spdy, spdyheaders, spdysession

# the first frame the real kubectl 1.32 sent through the API server (captured): SYN_STREAM 1, the error stream
KUBECTL_SYN = bytes.fromhex("80030001 0000003d 00000001 00000000 0000") + (
    b"x\xf9\xe3\xc6\xa7\xc2\x02%:p:+)JM\xcc\x85\x16%\xac\xa9\xa0\x80\x86\x14\xcbE\xa0$\xccda\xc0\xc0\xc0\xc0Y"
    b"\x04\x89\xc4LP\xe2f4\x00\x00\x00\x00\xff\xff")


def test_the_dictionary_is_the_drafts():
    assert len(spdyheaders.DICTIONARY) == 1423
    assert hashlib.sha256(spdyheaders.DICTIONARY).hexdigest() == \
        "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02"
    assert spdyheaders.DICTIONARY[:11] == b"\x00\x00\x00\x07options"
    assert spdyheaders.DICTIONARY.endswith(b"enq=0.")


def test_kubectls_syn_stream_decodes_even_fed_byte_by_byte():
    reader = spdy.Reader(spdyheaders.Codec())
    frames = [f for byte in KUBECTL_SYN for f in reader.feed(bytes([byte]))]
    assert frames == [spdy.Control(spdy.SYN_STREAM, 0, 1, 0,
                                   {"streamtype": ["error"], "port": ["80"], "requestid": ["0"]})]


def test_header_block_layout_and_multiple_values():
    block = spdyheaders.encode({"Port": ["80"], "v": ["a", "b"]})
    assert block == struct.pack(">I", 2) + b"\0\0\0\x04port\0\0\0\x0280" + b"\0\0\0\x01v\0\0\0\x03a\0b"
    assert spdyheaders.decode(block) == {"port": ["80"], "v": ["a", "b"]}
    with pytest.raises(spdyheaders.HeaderError):
        spdyheaders.decode(block[:-1])


def test_blocks_share_one_zlib_stream_per_direction():
    sender, receiver = spdyheaders.Codec(), spdyheaders.Codec()
    first, second = sender.pack({"a": ["1"]}), sender.pack({"a": ["1"]})
    assert len(second) < len(first)  # the second refers back to the first
    assert zlib.decompressobj(zdict=spdyheaders.DICTIONARY).decompress(first) == spdyheaders.encode({"a": ["1"]})
    assert receiver.unpack(first) == receiver.unpack(second) == {"a": ["1"]}
    with pytest.raises(spdyheaders.HeaderError):
        spdyheaders.Codec().unpack(second)  # out of order: no context


def test_frame_bytes():
    assert spdy.build_data(5, b"hi", fin=True) == bytes.fromhex("00000005 01000002") + b"hi"
    assert spdy.build_ping(7) == bytes.fromhex("80030006 00000004 00000007")
    assert spdy.build_rst_stream(3, spdy.CANCEL) == bytes.fromhex("80030003 00000008 00000003 00000005")
    assert spdy.build_goaway(9, 1) == bytes.fromhex("80030007 00000008 00000009 00000001")
    reply = spdy.build_syn_reply(1, {}, spdyheaders.Codec())
    assert reply[:4] == bytes.fromhex("80030002") and reply[8:12] == bytes.fromhex("00000001")
    assert spdy.Reader(spdyheaders.Codec()).feed(reply) == [spdy.Control(spdy.SYN_REPLY, 0, 1, 0, {})]


def test_reader_parses_what_builders_make_and_refuses_other_versions():
    codec, reader = spdyheaders.Codec(), spdy.Reader(spdyheaders.Codec())
    wire = spdy.build_syn_stream(3, {"x": ["y"]}, codec, spdy.FLAG_FIN) + spdy.build_data(3, b"abc") + \
        spdy.build_rst_stream(3, spdy.CANCEL) + spdy.build_goaway(3)
    assert reader.feed(wire[:10]) == []
    assert reader.feed(wire[10:]) == [spdy.Control(spdy.SYN_STREAM, spdy.FLAG_FIN, 3, 0, {"x": ["y"]}),
                                      spdy.Data(3, b"abc"), spdy.Control(spdy.RST_STREAM, 0, 3, spdy.CANCEL),
                                      spdy.Control(spdy.GOAWAY, 0, 3, 0)]
    with pytest.raises(spdy.FrameError):
        spdy.Reader(spdyheaders.Codec()).feed(bytes.fromhex("80020001 00000000"))


class Wire:
    """The client's end of a session: what the server sent, parsed."""

    def __init__(self) -> None:
        self.sent, self.reader, self.codec = [], spdy.Reader(spdyheaders.Codec()), spdyheaders.Codec()

    async def send(self, data: bytes) -> None:
        self.sent += self.reader.feed(data)


async def session_on_wire() -> tuple[Wire, spdysession.Session, list[spdysession.Stream]]:
    wire, opened = Wire(), []
    return wire, spdysession.Session(wire.send, opened.append), opened


async def test_session_replies_to_streams_queues_data_and_echoes_pings():
    wire, session, opened = await session_on_wire()
    await session.feed(spdy.build_syn_stream(1, {"streamtype": ["data"]}, wire.codec) + spdy.build_data(1, b"up")
                       + spdy.build_data(1, b"", fin=True) + spdy.build_ping(1) + spdy.build_ping(2))
    assert wire.sent == [spdy.Control(spdy.SYN_REPLY, 0, 1, 0, {}), spdy.Control(spdy.PING, 0, 0, 1)]
    stream = opened[0]
    assert stream.header("streamtype") == "data"
    assert [await stream.read(), await stream.read(), await stream.read()] == [b"up", b"", b""]
    await stream.write(b"down")
    await stream.close()
    await stream.write(b"late")
    assert wire.sent[2:] == [spdy.Data(1, b"down"), spdy.Data(1, b"", spdy.FLAG_FIN)]


async def test_session_resets_abandons_and_refuses_even_or_reused_ids():
    wire, session, opened = await session_on_wire()
    await session.feed(spdy.build_syn_stream(1, {}, wire.codec) + spdy.build_syn_stream(1, {}, wire.codec)
                       + spdy.build_syn_stream(2, {}, wire.codec) + spdy.build_rst_stream(1, spdy.CANCEL))
    assert wire.sent[1:] == [spdy.Control(spdy.RST_STREAM, 0, 1, spdy.PROTOCOL_ERROR),
                             spdy.Control(spdy.RST_STREAM, 0, 2, spdy.PROTOCOL_ERROR)]
    assert len(opened) == 1 and opened[0].reset and await opened[0].read() == b""
    await opened[0].write(b"nobody listens")
    assert len(wire.sent) == 3


async def test_a_slow_reader_holds_the_session_until_it_abandons_its_stream():
    wire, session, opened = await session_on_wire()
    await session.feed(spdy.build_syn_stream(1, {}, wire.codec))
    flood = b"".join(spdy.build_data(1, b"x") for _ in range(spdysession.QUEUE + 5))
    feeding = asyncio.create_task(session.feed(flood + spdy.build_ping(3)))
    await asyncio.sleep(0.05)
    assert not feeding.done()
    opened[0].abandon()
    await asyncio.wait_for(feeding, 5)
    assert wire.sent[-1] == spdy.Control(spdy.PING, 0, 0, 3)


async def test_garbage_ends_the_session_with_a_goaway():
    wire, session, _ = await session_on_wire()
    with pytest.raises(spdy.FrameError):
        await session.feed(bytes.fromhex("80050001 00000000"))
    assert wire.sent == [spdy.Control(spdy.GOAWAY, 0, 0, spdy.PROTOCOL_ERROR)]


def test_spdy_exec_expects_the_streams_kubectl_opens():
    assert spdyexec.expected({"stdout": "true", "stderr": "true"}) == {"error", "stdout", "stderr"}
    assert spdyexec.expected({"stdin": "true", "stdout": "true", "stderr": "true", "tty": "true"}) == \
        {"error", "stdin", "stdout", "resize"}
    assert spdyexec.sizes('{"Width":80,"Height":24}\n{"Width":100,') == ([{"Width": 80, "Height": 24}],
                                                                         '{"Width":100,')
    assert spdyexec.sizes(' {"Width":1,"Height":2}\n') == ([{"Width": 1, "Height": 2}], "")


class _Transport:
    def __init__(self) -> None:
        self.paused = False

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False


async def test_the_upgraded_connections_reader_pauses_the_socket_while_behind():
    transport = _Transport()
    reader = spdyrelay.RawReader(transport)
    for i in range(spdyrelay.HIGH + 1):
        assert reader.feed_data(bytes([i])) == (False, b"")
    assert transport.paused
    got = [await reader.read() for _ in range(spdyrelay.HIGH + 1 - spdyrelay.LOW + 1)]
    assert not transport.paused and got[0] == b"\x00"
    reader.feed_eof()
    while (data := await reader.read()) != b"":
        assert data
