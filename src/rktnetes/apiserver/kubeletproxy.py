"""``pods/log``, ``pods/exec``, ``pods/attach`` and ``pods/portforward``, proxied to the pod's kubelet.

The kubelet is found as kube-apiserver finds it: the node's InternalIP (else Hostname) address and
``status.daemonEndpoints.kubeletEndpoint.Port``, spoken to over HTTPS on the kubelet's own paths
(``/containerLogs``, ``/exec``, ``/attach``, ``/portForward``) with the API server's kubelet-client
certificate. Logs are streamed chunk by chunk; exec/attach/port-forward are WebSocket sessions (kubectl >=
1.30 speaks ``v5.channel.k8s.io``) relayed frame by frame in both directions, one task per direction, until
either side closes. Like kube-apiserver without ``--kubelet-certificate-authority``, the kubelet's serving
certificate is not verified.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import aiohttp
from aiohttp import web

from rktnetes.api import errors
from rktnetes.api.resources import lookup
from rktnetes.apiserver import spdyexec, spdyrelay
from rktnetes.apiserver.negotiation import Target

Obj = dict[str, Any]
NODES = lookup("", "v1", "nodes")
KUBELET_PORT = 10250
LOG_OPTIONS = ("follow", "previous", "sinceSeconds", "sinceTime", "timestamps", "tailLines", "limitBytes")
EXEC_PARAMS = {"stdin": "input", "stdout": "output", "stderr": "error", "tty": "tty"}  # the kubelet's names
STREAMS = ("exec", "attach", "portforward")
PATHS = {"log": "containerLogs", "exec": "exec", "attach": "attach", "portforward": "portForward"}


def _container(pod: Obj, wanted: str | None) -> str:
    names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
    names += [c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []]
    name = pod["metadata"]["name"]
    if not wanted:
        if len(names) != 1:
            raise errors.bad_request(f"a container name must be specified for pod {name}, choose one of: "
                                     f"[{' '.join(names)}]")
        return names[0]
    if wanted not in names:
        raise errors.bad_request(f"container {wanted} is not valid for pod {name}")
    return wanted


async def _kubelet(request: web.Request, pod: Obj) -> str:
    node_name = (pod.get("spec") or {}).get("nodeName")
    if not node_name:
        raise errors.bad_request(f"pod {pod['metadata']['name']} does not have a host assigned")
    node, _ = await request.app["objects"].registry.get(NODES, None, node_name)
    status = node.get("status") or {}
    by_type = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    host = by_type.get("InternalIP") or by_type.get("Hostname") or node_name
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port") or KUBELET_PORT
    return f"https://{host}:{port}"


def _client_ssl(request: web.Request) -> ssl.SSLContext | bool:
    pair = request.app.get("kubelet_client")
    if pair is None:
        return False
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.load_cert_chain(pair.cert, pair.key)
    return context


async def _target_url(request: web.Request, target: Target) -> tuple[str, Obj]:
    pod, _ = await request.app["objects"].registry.get(target.resource, target.namespace, target.name)
    path = f"/{PATHS[target.subresource]}/{target.namespace}/{target.name}"
    if target.subresource != "portforward":
        path += f"/{_container(pod, request.query.get('container'))}"
    return await _kubelet(request, pod) + path, pod


async def logs(request: web.Request, target: Target) -> web.StreamResponse:
    url, _ = await _target_url(request, target)
    params = {k: request.query[k] for k in LOG_OPTIONS if k in request.query}
    async with aiohttp.ClientSession() as session:
        try:
            upstream = await session.get(url, params=params, ssl=_client_ssl(request))
        except aiohttp.ClientError as exc:
            raise errors.internal(f"Get \"{url}\": {exc}") from None
        async with upstream:
            if upstream.status != 200:
                raise errors.bad_request((await upstream.text()).strip() or f"kubelet answered {upstream.status}")
            response = web.StreamResponse(headers={"Content-Type": "text/plain"})
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            return response


async def _pump(source, sink) -> None:
    async for message in source:
        if message.type == aiohttp.WSMsgType.BINARY:
            await sink.send_bytes(message.data)
        elif message.type == aiohttp.WSMsgType.TEXT:
            await sink.send_str(message.data)
        else:
            break


async def stream(request: web.Request, target: Target) -> web.StreamResponse:
    """exec, attach, port-forward: a WebSocket relayed to the kubelet's (port-forward: or a SPDY upgrade)."""
    if target.subresource == "portforward" and spdyrelay.wants_spdy(request):
        url, _ = await _target_url(request, target)
        return await spdyrelay.relay(request, url, _client_ssl(request))
    query = [(EXEC_PARAMS.get(k, k), "1" if k in EXEC_PARAMS and v == "true" else v)
             for k, v in request.query.items() if k != "container"]
    if spdyrelay.wants_spdy(request):  # exec/attach from kubectl <= 1.29
        url, _ = await _target_url(request, target)
        return await spdyexec.relay(request, url, query, _client_ssl(request))
    if request.headers.get("Upgrade", "").lower() != "websocket":
        raise errors.bad_request("Upgrade request required")
    url, _ = await _target_url(request, target)
    protocols = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
    async with aiohttp.ClientSession() as session:
        try:
            upstream = await session.ws_connect(url, params=query, protocols=protocols, ssl=_client_ssl(request))
        except aiohttp.ClientError as exc:
            raise errors.internal(f"error dialing kubelet {url}: {exc}") from None
        async with upstream:
            client = web.WebSocketResponse(protocols=[upstream.protocol] if upstream.protocol else ())
            await client.prepare(request)
            tasks = [asyncio.ensure_future(_pump(client, upstream)), asyncio.ensure_future(_pump(upstream, client))]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            await client.close()
            return client
