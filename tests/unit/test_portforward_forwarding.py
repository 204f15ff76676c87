"""portforwarding.Forwarder on a SPDY session, against real TCP servers on 127.0.0.1 (no namespace)."""

from __future__ import annotations

import asyncio

from rktnetes.kubelet import portforwarding, spdy, spdysession
from tests.conftest import free_port
from tests.unit.test_portforward_spdy import session_on_wire


async def _echo_upper(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(1024):
        writer.write(data.upper())
    writer.close()


def _pair(codec, request: str, port: int, first: int) -> bytes:
    return (spdy.build_syn_stream(first, {"streamtype": ["error"], "port": [str(port)], "requestid": [request]},
                                  codec, spdy.FLAG_FIN)
            + spdy.build_syn_stream(first + 2, {"streamtype": ["data"], "port": [str(port)],
                                                "requestid": [request]}, codec))


async def _until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_two_connections_through_one_session():
    port = free_port()
    server = await asyncio.start_server(_echo_upper, "127.0.0.1", port)
    wire, session, _ = await session_on_wire()
    forwarder = portforwarding.Forwarder(None, "web", "uid-1")
    session.on_stream = forwarder.on_stream
    await session.feed(_pair(wire.codec, "0", port, 1) + _pair(wire.codec, "1", port, 5))
    await session.feed(spdy.build_data(3, b"one") + spdy.build_data(7, b"two"))
    await session.feed(spdy.build_data(3, b"", fin=True) + spdy.build_data(7, b"", fin=True))
    await _until(lambda: not forwarder.tasks)
    got = {s: b"".join(f.data for f in wire.sent if isinstance(f, spdy.Data) and f.stream == s) for s in (3, 7)}
    assert got == {3: b"ONE", 7: b"TWO"}
    fins = {f.stream for f in wire.sent if isinstance(f, spdy.Data) and f.flags & spdy.FLAG_FIN}
    assert fins == {1, 3, 5, 7}
    server.close()
    await server.wait_closed()


async def test_nothing_listening_is_said_on_the_error_stream():
    wire, session, _ = await session_on_wire()
    forwarder = portforwarding.Forwarder(None, "web", "uid-1")
    session.on_stream = forwarder.on_stream
    port = free_port()
    await session.feed(_pair(wire.codec, "0", port, 1))
    await _until(lambda: not forwarder.tasks)
    error = b"".join(f.data for f in wire.sent if isinstance(f, spdy.Data) and f.stream == 1).decode()
    assert error.startswith(f"error forwarding port {port} to pod web, uid uid-1: failed to connect to localhost:")
    assert error.endswith(f"dial tcp4 127.0.0.1:{port}: connect: connection refused")


async def test_a_reset_connection_is_closed_on_the_pods_side():
    closed = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until our side closes
        closed.set()
        writer.close()
    port = free_port()
    server = await asyncio.start_server(hold, "127.0.0.1", port)
    wire, session, _ = await session_on_wire()
    forwarder = portforwarding.Forwarder(None, "web", "uid-1")
    session.on_stream = forwarder.on_stream
    await session.feed(_pair(wire.codec, "0", port, 1) + spdy.build_data(3, b"hello"))
    await session.feed(spdy.build_rst_stream(3, spdy.CANCEL))
    await asyncio.wait_for(closed.wait(), 5)
    await _until(lambda: not forwarder.tasks)
    assert isinstance(session.streams.get(1), spdysession.Stream)
    server.close()
    await server.wait_closed()


async def test_an_unparsable_port_is_refused():
    wire, session, _ = await session_on_wire()
    forwarder = portforwarding.Forwarder(None, "web", "u")
    session.on_stream = forwarder.on_stream
    await session.feed(_pair(wire.codec, "0", 0, 1))
    await _until(lambda: not forwarder.tasks)
    error = b"".join(f.data for f in wire.sent if isinstance(f, spdy.Data) and f.stream == 1).decode()
    assert error == "error forwarding port 0 to pod web, uid u: port '0' must be between 1 and 65535"
