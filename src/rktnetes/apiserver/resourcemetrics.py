"""The ``metrics.k8s.io/v1beta1`` API (NodeMetrics, PodMetrics), served as metrics-server serves it.

Read-only: list (label and field selectors on the Node or Pod objects) and get, JSON or a Table. The figures
come from each Ready node's kubelet (``resourcemetricsscraping``); nodes whose kubelet does not answer, and
pods with no figures, are left out. Discovery lists the group beside the resource table's.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import errors, selectors
from rktnetes.api.resources import lookup
from rktnetes.apiserver import resourcemetricspoints as points
from rktnetes.apiserver import resourcemetricsproxy
from rktnetes.apiserver import resourcemetricsscraping as scraping
from rktnetes.apiserver.negotiation import respond, wants_as
from rktnetes.apiserver.resourcemetricsdiscovery import GROUP, VERSION

Obj = dict[str, Any]
PREFIX = f"/apis/{GROUP}/{VERSION}"
NODES, PODS = lookup("", "v1", "nodes"), lookup("", "v1", "pods")
SCRAPER = web.AppKey("resource_metrics", scraping.Scraper)
KINDS = {"nodes": ("NodeMetrics", False), "pods": ("PodMetrics", True)}


def _registry(request: web.Request):
    return request.app["objects"].registry


def _selected(request: web.Request, objs: list[Obj], resource, name: str | None) -> list[Obj]:
    """The objects the request's name, label and field selectors pick."""
    labels = selectors.parse_labels(request.query.get("labelSelector"))
    fields = selectors.parse_fields(request.query.get("fieldSelector"), resource)
    return [o for o in objs if (name is None or o["metadata"]["name"] == name)
            and selectors.matches_labels(labels, o) and selectors.matches_fields(fields, o)]


async def _scrapes(request: web.Request, names: set[str]) -> dict:
    """The scrapes of the nodes named whose kubelet answered, by node name."""
    nodes = [n for n in (await _registry(request).list(NODES, None)).items if n["metadata"]["name"] in names]
    return await request.app[SCRAPER].nodes(nodes)


async def node_metrics(request: web.Request, name: str | None = None) -> list[Obj]:
    """NodeMetrics of the selected nodes that are Ready and whose kubelet answered."""
    selected = _selected(request, (await _registry(request).list(NODES, None)).items, NODES, name)
    scrapes = await request.app[SCRAPER].nodes(selected)
    found = (points.node_metrics(n, *scrapes[n["metadata"]["name"]]) for n in selected
             if n["metadata"]["name"] in scrapes)
    return [m for m in found if m is not None]


async def pod_metrics(request: web.Request, namespace: str | None, name: str | None = None) -> list[Obj]:
    """PodMetrics of the selected pods, from the kubelets of the nodes they are bound to."""
    pods = _selected(request, (await _registry(request).list(PODS, namespace)).items, PODS, name)
    scrapes = await _scrapes(request, {(p.get("spec") or {}).get("nodeName") for p in pods})
    found = (points.pod_metrics(p, *scrapes[p["spec"]["nodeName"]]) for p in pods
             if (p.get("spec") or {}).get("nodeName") in scrapes)
    return [m for m in found if m is not None]


def _not_found(plural: str, name: str) -> errors.APIError:
    kind = KINDS[plural][0].lower()
    return errors.APIError(404, "NotFound", f'{kind}.{GROUP} "{name}" not found',
                           {"name": name, "group": GROUP, "kind": kind})


def _cpu_cell(metrics: Obj) -> str:
    usage = [metrics["usage"]] if "usage" in metrics else [c["usage"] for c in metrics["containers"]]
    return f"{sum(int(u['cpu'][:-1]) for u in usage) // 1_000_000}m"


def _memory_cell(metrics: Obj) -> str:
    usage = [metrics["usage"]] if "usage" in metrics else [c["usage"] for c in metrics["containers"]]
    total = sum(int(u["memory"][:-2]) * 1024 if u["memory"].endswith("Ki") else int(u["memory"]) for u in usage)
    return f"{total // 2**20}Mi"


def table(items: list[Obj]) -> Obj:
    """A meta.k8s.io/v1 Table: name, CPU, memory and window of each."""
    columns = [{"name": n, "type": "string", "format": "name" if n == "Name" else "", "description": d,
                "priority": 0} for n, d in (("Name", "Name of the object"), ("CPU", "CPU usage"),
                                            ("Memory", "Memory usage"), ("Window", "Sampling window"))]
    rows = [{"cells": [m["metadata"]["name"], _cpu_cell(m), _memory_cell(m), m["window"]],
             "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": m["metadata"]}}
            for m in items]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {}, "columnDefinitions": columns,
            "rows": rows}


def _answer(request: web.Request, plural: str, items: list[Obj], name: str | None) -> web.Response:
    if name is not None and not items:
        ns = request.match_info.get("namespace")
        raise _not_found(plural, f"{ns}/{name}" if ns else name)
    if wants_as(request) == "Table":
        return respond(table(items))
    if name is not None:
        return respond(items[0])
    kind = KINDS[plural][0]
    return respond({"kind": f"{kind}List", "apiVersion": f"{GROUP}/{VERSION}", "metadata": {}, "items": items})


async def nodes(request: web.Request) -> web.Response:
    name = request.match_info.get("name")
    return _answer(request, "nodes", await node_metrics(request, name), name)


async def pods(request: web.Request) -> web.Response:
    name = request.match_info.get("name")
    namespace = request.match_info.get("namespace")
    return _answer(request, "pods", await pod_metrics(request, namespace, name), name)


def add_routes(app: web.Application) -> None:
    """The group's paths and the node proxy; register before the catch-all ``/api/v1/...`` and
    ``/apis/{group}/{version}/...`` routes."""
    resourcemetricsproxy.add_routes(app)
    app[SCRAPER] = scraping.Scraper(scraping.fetcher(app[resourcemetricsproxy.CONTEXT]))
    r = app.router
    r.add_get(f"{PREFIX}/nodes", nodes)
    r.add_get(f"{PREFIX}/nodes/{{name}}", nodes)
    r.add_get(f"{PREFIX}/pods", pods)
    r.add_get(f"{PREFIX}/namespaces/{{namespace}}/pods", pods)
    r.add_get(f"{PREFIX}/namespaces/{{namespace}}/pods/{{name}}", pods)
