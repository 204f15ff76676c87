"""``/api/v1/nodes/{name}/proxy/{path}``: GET requests relayed to the node's kubelet, as kube-apiserver's node
proxy relays them — how ``kubectl get --raw .../proxy/stats/summary`` and Prometheus (``/metrics/cadvisor``,
``/metrics/resource``) reach a kubelet through the API server. The kubelet is spoken to with the API server's
kubelet-client certificate; its answer (status, content type, body) is streamed back as it comes.
"""

from __future__ import annotations

import ssl

import aiohttp
from aiohttp import web

from rktnetes.api import errors
from rktnetes.api.resources import lookup
from rktnetes.apiserver import resourcemetricsscraping as scraping

NODES = lookup("", "v1", "nodes")
CONTEXT = web.AppKey("kubelet_client_context", ssl.SSLContext)
TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10)


def kubelet_context(app: web.Application) -> ssl.SSLContext:
    """The TLS context with which the API server speaks to kubelets (its ``kubelet_client`` pair)."""
    pair = app.get("kubelet_client")
    return scraping.client_context(str(pair.cert) if pair else None, str(pair.key) if pair else None)


async def _relay(request: web.Request, upstream: aiohttp.ClientResponse) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status,
                                  headers={"Content-Type": upstream.headers.get("Content-Type", "text/plain")})
    await response.prepare(request)
    async for chunk in upstream.content.iter_any():
        await response.write(chunk)
    await response.write_eof()
    return response


async def node_proxy(request: web.Request) -> web.StreamResponse:
    node, _ = await request.app["objects"].registry.get(NODES, None, request.match_info["name"])
    url = f"{scraping.kubelet_url(node)}/{request.match_info.get('path', '')}"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        try:
            upstream = await session.get(url, params=request.query, ssl=request.app[CONTEXT])
        except (aiohttp.ClientError, OSError) as exc:
            raise errors.APIError(503, "ServiceUnavailable", f"error trying to reach service: {exc}") from None
        async with upstream:
            return await _relay(request, upstream)


def add_routes(app: web.Application) -> None:
    """Register before the catch-all ``/api/v1/...`` route (and after ``kubelet_client`` is set)."""
    app[CONTEXT] = kubelet_context(app)
    app.router.add_get("/api/v1/nodes/{name}/proxy", node_proxy)
    app.router.add_get("/api/v1/nodes/{name}/proxy/{path:.*}", node_proxy)
