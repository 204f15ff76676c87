"""Prometheus metrics at ``/metrics``, named as kube-apiserver names them.

``apiserver_request_total`` and ``apiserver_request_duration_seconds`` by verb and resource, and
``apiserver_longrunning_requests`` for open watches. Each app has its own registry, so several servers can
live in one process (tests, the local cluster).
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from rktnetes.api import errors
from rktnetes.apiserver import negotiation

KEY = "metrics"
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("verb", "group", "version", "resource", "subresource", "code")
        self.requests = Counter("apiserver_request_total", "Requests by verb, resource and HTTP code.", labels,
                                registry=self.registry)
        self.durations = Histogram("apiserver_request_duration_seconds", "Response latency by verb and resource.",
                                   ("verb", "group", "version", "resource"), buckets=_BUCKETS,
                                   registry=self.registry)
        self.watches = Gauge("apiserver_longrunning_requests", "Open long-running requests (watches).",
                             ("verb", "resource"), registry=self.registry)
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def child(self, metric: Any, *labels: str) -> Any:
        """``metric.labels(*labels)``, looked up once: prometheus_client checks and locks on every call."""
        key = (id(metric), labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found


def _verb(request: web.Request, target: negotiation.Target) -> str:
    if request.method == "GET" and target.name is None:
        return "WATCH" if request.query.get("watch") in ("true", "1") else "LIST"
    if request.method == "DELETE" and target.name is None:
        return "DELETECOLLECTION"
    if request.method == "PATCH" and negotiation.media_type(request) == "application/apply-patch+yaml":
        return "APPLY"
    return request.method


def _describe(request: web.Request) -> tuple[str, tuple[str, str, str, str]]:
    try:
        target = negotiation.target(request.path)
    except errors.APIError:
        return request.method, ("", "", "", "")
    r = target.resource
    return _verb(request, target), (r.group, r.version, r.plural, target.subresource or "")


@web.middleware
async def measuring(request: web.Request, handler):
    metrics: Metrics = request.app[KEY]
    verb, (group, version, resource, sub) = _describe(request)
    began, code = time.perf_counter(), 500
    watching = verb == "WATCH"
    if watching:
        metrics.child(metrics.watches, verb, resource).inc()
    try:
        response = await handler(request)
        code = response.status
        return response
    except web.HTTPException as exc:
        code = exc.status
        raise
    finally:
        metrics.child(metrics.requests, verb, group, version, resource, sub, str(code)).inc()
        if watching:
            metrics.child(metrics.watches, verb, resource).dec()
        else:
            metrics.child(metrics.durations, verb, group, version, resource).observe(time.perf_counter() - began)


async def serve(request: web.Request) -> web.Response:
    body = generate_latest(request.app[KEY].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
