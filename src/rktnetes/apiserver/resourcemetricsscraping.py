"""Scraping each Ready node's kubelet ``/metrics/resource`` for the metrics.k8s.io API, with a short cache.

Why it is built this way: CPU usage is a rate, so every node needs two scrapes; rather than scraping all
nodes on a timer (as metrics-server does) whether anyone asks or not, a request scrapes the nodes whose
latest scrape is older than ``FRESH`` seconds, concurrently, and keeps the scrape before it. When there is
no earlier scrape, or it is older than ``MAX_WINDOW`` (the rate would be a long average), the node is scraped
again after ``SETTLE`` seconds. One asyncio lock per node keeps two requests from scraping the same kubelet
at once: the second waits and uses the first's answer. A kubelet that cannot be reached is left out, and its
samples dropped, as metrics-server leaves out such nodes.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from rktnetes.apiserver.resourcemetricspoints import Point, parse

log = logging.getLogger(__name__)
Obj = dict[str, Any]
FRESH = 5.0
MAX_WINDOW = 60.0
SETTLE = 1.0
TIMEOUT = 10.0
KUBELET_PORT = 10250
Fetch = Callable[[str], Awaitable[str]]


def kubelet_url(node: Obj) -> str:
    """Where a node's kubelet listens: its InternalIP (else Hostname) and its daemon endpoint port."""
    status = node.get("status") or {}
    by_type = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    host = by_type.get("InternalIP") or by_type.get("Hostname") or node["metadata"]["name"]
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port") or KUBELET_PORT
    return f"https://{host}:{port}"


def ready(node: Obj) -> bool:
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def client_context(cert: str | None, key: str | None) -> ssl.SSLContext:
    """The API server's kubelet-client certificate; the kubelet's serving certificate is not verified (as
    kube-apiserver without --kubelet-certificate-authority)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    if cert and key:
        context.load_cert_chain(cert, key)
    return context


def fetcher(context: ssl.SSLContext) -> Fetch:
    """GET a URL's text over ``context``; raises on any failure or non-200 answer."""
    async def fetch(url: str) -> str:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url, ssl=context) as answer:
            if answer.status != 200:
                raise aiohttp.ClientResponseError(answer.request_info, (), status=answer.status)
            return await answer.text()
    return fetch


class Scraper:
    def __init__(self, fetch: Fetch, clock: Callable[[], float] = time.monotonic, settle: float = SETTLE) -> None:
        self.fetch, self.clock, self.settle = fetch, clock, settle
        self.points: dict[str, tuple[float, Point, Point | None]] = {}  # node -> (when, latest, previous)
        self.locks: dict[str, asyncio.Lock] = {}

    async def _scrape(self, node: Obj) -> Point | None:
        url = kubelet_url(node) + "/metrics/resource"
        try:
            return parse(await self.fetch(url))
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            log.info("leaving node %s out: %s: %s", node["metadata"]["name"], url, exc)
            return None

    async def _refresh(self, node: Obj, held: tuple[float, Point, Point | None] | None) -> None:
        name = node["metadata"]["name"]
        latest = await self._scrape(node)
        if latest is None:
            self.points.pop(name, None)
            return
        previous, when = (held[1], held[0]) if held else (None, 0.0)
        if previous is None or self.clock() - when > MAX_WINDOW:
            await asyncio.sleep(self.settle)
            previous, latest = latest, await self._scrape(node)
            if latest is None:
                self.points.pop(name, None)
                return
        self.points[name] = (self.clock(), latest, previous)

    async def node(self, node: Obj) -> tuple[Point, Point] | None:
        """(latest, previous) scrapes of a node's kubelet, None when it cannot be reached."""
        name = node["metadata"]["name"]
        async with self.locks.setdefault(name, asyncio.Lock()):
            held = self.points.get(name)
            if held is None or self.clock() - held[0] > FRESH:
                await self._refresh(node, held)
            held = self.points.get(name)
        return (held[1], held[2]) if held and held[2] is not None else None

    async def nodes(self, nodes: list[Obj]) -> dict[str, tuple[Point, Point]]:
        """The scrapes of every Ready node in ``nodes`` that answered, by node name."""
        wanted = [n for n in nodes if ready(n)]
        found = await asyncio.gather(*(self.node(n) for n in wanted))
        return {n["metadata"]["name"]: pair for n, pair in zip(wanted, found, strict=True) if pair is not None}
