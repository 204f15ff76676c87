"""The etcd gateway's HTTP/1.1 client: responses parsed whole however the bytes are split, connections reused
only while the server keeps them open."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.store import etcd_http

SIZED = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"bcd"}'
CHUNKED = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5\r\n{\"a\":\r\n6;ext=1\r\n\"bcd\"}\r\n0\r\nX-Trailer: t\r\n\r\n")


def _fed(raw: bytes, step: int) -> etcd_http.Response:
    response = etcd_http.Response()
    pieces = [raw[i:i + step] for i in range(0, len(raw), step)]
    assert [response.feed(p) for p in pieces] == [False] * (len(pieces) - 1) + [True]
    return response


@pytest.mark.parametrize("raw", [SIZED, CHUNKED])
@pytest.mark.parametrize("step", [1, 3, 17, 10_000])
def test_a_response_is_whole_only_at_its_last_byte(raw: bytes, step: int) -> None:
    response = _fed(raw, step)
    assert (response.status, bytes(response.body), response.keep_alive) == (200, b'{"a":"bcd"}', True)


def test_an_error_status_and_connection_close_are_read() -> None:
    response = etcd_http.Response()
    assert response.feed(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
    assert (response.status, response.keep_alive) == (400, False)


async def _serve(answers: list[bytes]) -> tuple[asyncio.Server, list[bytes]]:
    """A server answering each request with the next answer, closing after an answer saying so."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while answers:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            seen.append(await reader.readexactly(length))
            answer = answers.pop(0)
            writer.write(answer)
            await writer.drain()
            if b"Connection: close" in answer:
                break
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0), seen


async def test_connections_are_reused_until_the_server_closes_them() -> None:
    closing = SIZED.replace(b"Content-Length", b"Connection: close\r\nContent-Length")
    server, seen = await _serve([SIZED, SIZED, closing, SIZED])
    pool = etcd_http.Pool(f"127.0.0.1:{server.sockets[0].getsockname()[1]}", None)
    try:
        conns = []
        for i in range(4):
            conn = await pool.connect(5)
            conns.append(conn)
            response = await conn.call(pool.request("/v3/kv/range", b'{"n":%d}' % i))
            assert bytes(response.body) == b'{"a":"bcd"}'
            pool.release(conn)
        assert seen == [b'{"n":0}', b'{"n":1}', b'{"n":2}', b'{"n":3}']
        assert conns[0] is conns[1] is conns[2] and conns[3] is not conns[2] and conns[2].closed
    finally:
        pool.close()
        server.close()
        await server.wait_closed()


async def test_a_connection_lost_mid_answer_fails_the_call() -> None:
    server, _ = await _serve([b'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 11\r\n\r\n{"a":'])
    pool = etcd_http.Pool(f"127.0.0.1:{server.sockets[0].getsockname()[1]}", None)
    try:
        conn = await pool.connect(5)
        with pytest.raises(ConnectionError):
            await conn.call(pool.request("/v3/kv/range", b"{}"))
        assert conn.closed
    finally:
        pool.close()
        server.close()
        await server.wait_closed()


def test_the_request_names_the_endpoint_as_given() -> None:
    pool = etcd_http.Pool("[::1]:2379", None)
    request = pool.request("/v3/kv/range", b"{}")
    assert request.startswith(b"POST /v3/kv/range HTTP/1.1\r\nHost: [::1]:2379\r\n") and request.endswith(b"\r\n\r\n{}")
    assert (pool.host, pool.port) == ("::1", 2379)
