"""``kubectl logs`` and ``kubectl exec`` through the API server's kubelet proxy, against a stand-in kubelet.

The stand-in serves the kubelet's own API (``/containerLogs``, WebSocket ``/exec`` speaking
``v5.channel.k8s.io``) over HTTPS on a loopback port, as a Node's status advertises it; kubectl is the real one.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web

from tests.conftest import free_port
from tests.integration.test_apiserver_rest import call

pytestmark = pytest.mark.e2e
SEEN: list[str] = []


async def _logs(request: web.Request) -> web.Response:
    SEEN.append(request.path_qs)
    lines = [f"{request.match_info['pod']}/{request.match_info['container']} line {i}" for i in range(3)]
    if "tailLines" in request.query:
        lines = lines[-int(request.query["tailLines"]):]
    return web.Response(text="\n".join(lines) + "\n")


async def _exec(request: web.Request) -> web.WebSocketResponse:
    SEEN.append(request.path_qs)
    ws = web.WebSocketResponse(protocols=("v5.channel.k8s.io", "v4.channel.k8s.io"))
    await ws.prepare(request)
    command = " ".join(request.query.getall("command"))
    await ws.send_bytes(b"\x01" + f"ran: {command}\n".encode())
    await ws.send_bytes(b"\x03" + json.dumps({"metadata": {}, "status": "Success"}).encode())
    await ws.close()
    return ws


@pytest.fixture(scope="module")
def kubelet(tmp_path_factory) -> Iterator[int]:
    import ssl

    from rktnetes.apiserver import certs

    serving = certs.ensure_serving(tmp_path_factory.mktemp("kubelet"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(serving.cert, serving.key)
    port, loop, ready = free_port(), asyncio.new_event_loop(), threading.Event()
    app = web.Application()
    app.router.add_get("/containerLogs/{ns}/{pod}/{container}", _logs)
    app.router.add_get("/exec/{ns}/{pod}/{container}", _exec)
    runner = web.AppRunner(app)

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port, ssl_context=context).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    yield port
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def _node_and_pod(server, namespace: str, node: str, port: int) -> None:
    call(server, "POST", "/api/v1/nodes", {"metadata": {"name": node}})
    code, got = call(server, "GET", f"/api/v1/nodes/{node}")
    got["status"] = {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                     "daemonEndpoints": {"kubeletEndpoint": {"Port": port}}}
    assert call(server, "PUT", f"/api/v1/nodes/{node}/status", got)[0] == 200
    pod = {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "app", "image": "busybox"}]}}
    call(server, "POST", f"/api/v1/namespaces/{namespace}/pods", pod)
    call(server, "POST", f"/api/v1/namespaces/{namespace}/pods/web/binding", {"target": {"name": node}})


def test_logs_and_exec(apiserver, namespace, kubelet) -> None:
    _node_and_pod(apiserver, namespace, f"node-{namespace}", kubelet)
    out = apiserver.kubectl("logs", "web", "-n", namespace, "--tail=2").stdout
    assert out == "web/app line 1\nweb/app line 2\n"
    out = apiserver.kubectl("exec", "web", "-n", namespace, "--", "echo", "hi").stdout
    assert out == "ran: echo hi\n"
    assert any(s.startswith(f"/exec/{namespace}/web/app?") and "output=1" in s for s in SEEN)


def test_logs_of_an_unscheduled_pod(apiserver, namespace) -> None:
    pod = {"metadata": {"name": "lonely"}, "spec": {"containers": [{"name": "a", "image": "x"},
                                                                     {"name": "b", "image": "x"}]}}
    call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/pods", pod)
    result = apiserver.kubectl("logs", "lonely", "-c", "a", "-n", namespace, check=False)
    assert result.returncode == 1 and "pod lonely does not have a host assigned" in result.stderr
    code, body = call(apiserver, "GET", f"/api/v1/namespaces/{namespace}/pods/lonely/log")
    assert code == 400 and body["message"] == "a container name must be specified for pod lonely, choose one of: [a b]"
