"""The real kubelet's ``/portForward`` on a real rkt pod, spoken to as kube-apiserver would: a WebSocket
(``SPDY/3.1+portforward.k8s.io``) carrying SPDY/3.1 that ``TunnelClient`` frames with our own spdy module.
busybox httpd listens on the pod's loopback only, so each page proves the connection was made in its netns."""

from __future__ import annotations

import asyncio
import json
import os
import ssl
from pathlib import Path

import aiohttp

from rktnetes.kubelet import portforwarding, spdy, spdyheaders

SERVE = "mkdir -p /www; echo hello from $(hostname) > /www/index.html; head -c 1000000 /dev/urandom > /www/big; " \
        "exec httpd -f -p 127.0.0.1:8080 -h /www"


class TunnelClient:
    """The client end of one port-forward session: ``fetch`` sends bytes on a new stream pair and returns
    what came back on the data and error streams."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws, self.codec, self.next_id, self.request = ws, spdyheaders.Codec(), 1, 0
        self.reader = spdy.Reader(self.codec)
        self.received: dict[int, bytearray] = {}
        self.done: dict[int, asyncio.Event] = {}
        self.pump = asyncio.create_task(self._receive())

    async def _receive(self) -> None:
        async for message in self.ws:
            for frame in self.reader.feed(message.data):
                if isinstance(frame, spdy.Data):
                    self.received.setdefault(frame.stream, bytearray()).extend(frame.data)
                if frame.flags & spdy.FLAG_FIN and frame.stream in self.done:
                    self.done[frame.stream].set()

    def _open(self, kind: str, port: int, flags: int = 0) -> int:
        stream, self.next_id = self.next_id, self.next_id + 2
        self.done[stream] = asyncio.Event()
        headers = {"streamtype": [kind], "port": [str(port)], "requestid": [str(self.request)]}
        self.frames.append(spdy.build_syn_stream(stream, headers, self.codec, flags))
        return stream

    async def fetch(self, port: int, request: bytes) -> tuple[bytes, bytes]:
        self.frames: list[bytes] = []
        error, data = self._open("error", port, spdy.FLAG_FIN), self._open("data", port)
        self.request += 1
        await self.ws.send_bytes(b"".join(self.frames) + spdy.build_data(data, request, fin=True))
        await asyncio.wait_for(asyncio.gather(self.done[data].wait(), self.done[error].wait()), 60)
        return bytes(self.received.pop(data, b"")), bytes(self.received.pop(error, b""))


def client_ssl(pki: Path) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.load_cert_chain(pki / "kube-apiserver-kubelet-client.crt", pki / "kube-apiserver-kubelet-client.key")
    return context


def _body(response: bytes) -> bytes:
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0], head
    return body


async def _forward(url: str, context: ssl.SSLContext, port: int) -> None:
    get = b"GET /index.html HTTP/1.0\r\n\r\n"
    async with aiohttp.ClientSession() as session, \
            session.ws_connect(url, protocols=[portforwarding.PROTOCOL], ssl=context) as ws:
        assert ws.protocol == portforwarding.PROTOCOL
        client = TunnelClient(ws)
        page, error = await client.fetch(port, get)
        assert (_body(page), error) == (b"hello from web\n", b"")
        pages = await asyncio.gather(*(client.fetch(port, b"GET /big HTTP/1.0\r\n\r\n") for _ in range(4)))
        assert len({_body(p) for p, _ in pages}) == 1 and len(_body(pages[0][0])) == 1000000
        page, error = await client.fetch(port + 1, get)
        assert page == b"" and b"connect: connection refused" in error
        assert error.startswith(f"error forwarding port {port + 1} to pod web, uid ".encode())


def listening(kubelet, namespace: str, pod: str, port: int) -> None:
    """Until something listens on ``port`` in the pod (busybox netstat, through kubectl exec)."""
    kubelet.wait_for(f"{pod} listening on {port}", lambda: f":{port} " in kubelet.apiserver.kubectl(
        "exec", "-n", namespace, pod, "--", "netstat", "-ltn", check=False).stdout)


def test_port_forward_connects_inside_the_pods_network_namespace(kubelet, namespace):
    kubelet.create_pod(namespace, "web", SERVE)
    kubelet.wait_phase(namespace, "web", "Running")
    listening(kubelet, namespace, "web", 8080)
    url = f"https://127.0.0.1:{kubelet.port}/portForward/{namespace}/web"
    asyncio.run(_forward(url, client_ssl(kubelet.apiserver.data_dir / "pki"), 8080))


def test_port_forward_to_a_pod_not_running_here_is_not_found(kubelet, namespace):
    async def attempt() -> tuple[int, str]:
        url = f"https://127.0.0.1:{kubelet.port}/portForward/{namespace}/absent"
        async with aiohttp.ClientSession() as session:
            context = client_ssl(kubelet.apiserver.data_dir / "pki")
            async with session.get(url, ssl=context) as response:
                return response.status, await response.text()
    kubelet.wait_for("kubelet serving", lambda: json.loads(kubelet.apiserver.kubectl(
        "get", "node", kubelet.node, "-o", "json", check=False).stdout or "{}"))
    assert asyncio.run(attempt()) == (404, f"pod {namespace}/absent is not running on this node")


def test_port_forward_to_a_host_network_pod_connects_in_the_nodes_namespace(kubelet, namespace, testhost):
    port = 20000 + os.getpid() % 20000
    serve = f"mkdir -p /www; echo on the node > /www/index.html; exec httpd -f -p 127.0.0.1:{port} -h /www"
    kubelet.create_pod(namespace, "web", serve, hostNetwork=True)
    kubelet.wait_phase(namespace, "web", "Running")
    kubelet.wait_for("httpd on the node", lambda: f":{port} " in testhost.run(["netstat", "-ltn"]).stdout)

    async def fetch() -> bytes:
        url = f"https://127.0.0.1:{kubelet.port}/portForward/{namespace}/web"
        async with aiohttp.ClientSession() as session, \
                session.ws_connect(url, protocols=[portforwarding.PROTOCOL],
                                   ssl=client_ssl(kubelet.apiserver.data_dir / "pki")) as ws:
            page, error = await TunnelClient(ws).fetch(port, b"GET /index.html HTTP/1.0\r\n\r\n")
            assert error == b""
            return _body(page)
    assert asyncio.run(fetch()) == b"on the node\n"
