"""``kubectl port-forward`` on the kubelet: each forwarded connection is a TCP connection inside the pod.

kubectl (>= 1.31 through the API server's WebSocket relay) opens ``/portForward/{namespace}/{pod}`` as a
WebSocket of subprotocol ``SPDY/3.1+portforward.k8s.io``: the binary messages carry a SPDY/3.1 session's
bytes, split anywhere. For every local connection kubectl opens two streams with the same ``requestid``
and ``port`` headers: ``streamtype: error`` (kubectl only reads it) and ``streamtype: data``. Once both are
there, the kubelet dials 127.0.0.1:port in the pod's network namespace and copies bytes both ways, one
task per direction; a failure to dial is written on the error stream, in the kubelet's words, and both
streams are closed. Connections are independent: one failing or slow to close never holds the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket

from aiohttp import WSMsgType, web

from rktnetes import netns
from rktnetes.kubelet import spdysession
from rktnetes.kubelet.rktpods import RktPod

PROTOCOL = "SPDY/3.1+portforward.k8s.io"
CHUNK = 64 * 1024


def namespace_of(rkt: RktPod, node_netns: str | None) -> str | None:
    """Where the pod's port lives: its own network namespace; for a host-network pod (no CNI networks: its
    own ``ns/net`` exists but its apps are not in it) the node's, where rkt ran it (None: the kubelet's own)."""
    return rkt.info.netns if rkt.info.networks and rkt.info.netns else node_netns


def socket_in(namespace: str | None) -> socket.socket:
    """A TCP socket of the network namespace at ``namespace`` (a socket stays in the namespace it was made
    in), else of our own; it is made by the calling thread, which goes back to its own namespace after."""
    if not namespace:
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with netns.entered(namespace):
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM)


async def connect(namespace: str | None, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to 127.0.0.1:``port`` inside ``namespace`` (its socket made by a worker thread: the
    loop's own thread never leaves the kubelet's namespace)."""
    if not 0 < port < 65536:
        raise ValueError(f"port '{port}' must be between 1 and 65535")
    sock = await asyncio.to_thread(socket_in, namespace)
    sock.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock, limit=4 * CHUNK)


def describe(exc: Exception, namespace: str | None, port: str) -> str:
    """Why a connection failed, as containerd's port forwarder words it."""
    if isinstance(exc, ValueError):
        return str(exc) if "must be" in str(exc) else f"unable to parse '{port}' as a port"
    reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
    return (f'failed to connect to localhost:{port} inside namespace "{namespace or "host"}", '
            f"IPv4: dial tcp4 127.0.0.1:{port}: connect: {reason}")


class Forwarder:
    """Pairs a session's streams by request id and forwards each pair to the pod."""

    def __init__(self, namespace: str | None, pod: str, uid: str) -> None:
        self.namespace, self.pod, self.uid = namespace, pod, uid
        self.pending: dict[str, dict[str, spdysession.Stream]] = {}
        self.tasks: set[asyncio.Task] = set()

    def on_stream(self, stream: spdysession.Stream) -> None:
        kind, request = stream.header("streamtype"), stream.header("requestid")
        if kind not in ("error", "data"):
            stream.abandon()
            return
        pair = self.pending.setdefault(request, {})
        pair[kind] = stream
        if len(pair) == 2:
            del self.pending[request]
            task = asyncio.create_task(self.forward(pair["data"], pair["error"]))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def forward(self, data: spdysession.Stream, error: spdysession.Stream) -> None:
        error.abandon()  # kubectl writes nothing on it
        port = data.header("port")
        try:
            reader, writer = await connect(self.namespace, int(port))
        except (OSError, ValueError) as exc:
            why = describe(exc, self.namespace, port)
            await error.write(f"error forwarding port {port} to pod {self.pod}, uid {self.uid}: {why}".encode())
            await error.close()
            await data.close()
            data.abandon()
            return
        try:
            await asyncio.gather(_upstream(data, writer), _downstream(reader, data))
        finally:
            data.abandon()
            writer.close()
            await error.close()

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _upstream(stream: spdysession.Stream, writer: asyncio.StreamWriter) -> None:
    """kubectl's bytes to the pod until kubectl half-closes (then so does the connection) or resets."""
    while data := await stream.read():
        writer.write(data)
        await writer.drain()
    if stream.reset:
        writer.close()  # abandoned: the pod's side sees the end too, and _downstream stops
    elif writer.can_write_eof():
        with contextlib.suppress(OSError):
            writer.write_eof()


async def _downstream(reader: asyncio.StreamReader, stream: spdysession.Stream) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(CHUNK):
            await stream.write(data)
    await stream.close()


async def serve(request: web.Request, namespace: str | None, pod: str, uid: str) -> web.WebSocketResponse:
    """The WebSocket-tunnelled SPDY session of one ``kubectl port-forward``, until either side ends it."""
    ws = web.WebSocketResponse(protocols=(PROTOCOL,), max_msg_size=0)
    await ws.prepare(request)
    forwarder = Forwarder(namespace, pod, uid)
    session = spdysession.Session(ws.send_bytes, forwarder.on_stream)
    try:
        async for message in ws:
            if message.type != WSMsgType.BINARY:
                continue
            await session.feed(message.data)
            if session.gone:
                break
    except ValueError:  # not SPDY: the GOAWAY is sent, the session ends
        pass
    finally:
        session.end()
        await forwarder.stop()
        await ws.close()
    return ws
