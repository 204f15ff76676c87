"""The kubelet's figures over HTTPS: ``/stats/summary`` (JSON), ``/metrics/resource``, ``/metrics/cadvisor`` and
``/metrics`` (the kubelet process's own) in the Prometheus text format, as metrics-server and Prometheus scrape
them (through the API server's node proxy or directly, with a client certificate)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import orjson
import prometheus_client
from aiohttp import web
from prometheus_client.core import Metric
from prometheus_client.registry import CollectorRegistry

from rktnetes.kubelet import metricsresource, stats, statspods
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.runtime import Runtime
from rktnetes.rkt.stage1 import cgroups

log = logging.getLogger(__name__)
COLLECTOR = web.AppKey("stats", stats.Collector)
TEXT = prometheus_client.CONTENT_TYPE_LATEST
CPU_AND_MEMORY = ("cpu", "memory", "startTime", "podRef", "name", "nodeName", "containers")


class _Families:
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def render(families: Iterable[Metric]) -> bytes:
    """Metric families in the Prometheus text format (0.0.4)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return prometheus_client.generate_latest(registry)


def only_cpu_and_memory(entry: dict) -> dict:
    kept = {k: v for k, v in entry.items() if k in CPU_AND_MEMORY}
    if "containers" in kept:
        kept["containers"] = [only_cpu_and_memory(c) for c in kept["containers"]]
    return kept


async def summary(request: web.Request) -> web.Response:
    found = await request.app[COLLECTOR].summary()
    if request.query.get("only_cpu_and_memory") == "true":
        found = {"node": only_cpu_and_memory(found["node"]), "pods": [only_cpu_and_memory(p) for p in found["pods"]]}
    return web.Response(body=orjson.dumps(found), content_type="application/json")


async def resource(request: web.Request) -> web.Response:
    try:
        found = await request.app[COLLECTOR].summary()
    except (OSError, ValueError) as exc:
        log.warning("resource metrics: %s", exc)
        found = None  # reported as scrape_error 1, as the kubelet does
    return web.Response(body=render(metricsresource.resource(found)), headers={"Content-Type": TEXT})


def identities(running: list[RktPod]) -> dict[tuple[str, str], metricsresource.Identity]:
    """cAdvisor's labels of each pod's cgroup and each running app's: cgroup path, runtime name, image."""
    found = {}
    for rkt in running:
        top = statspods.attempt(lambda r=rkt: statspods.pod_cgroup(r))
        if not top:
            continue
        found[(rkt.uid, "")] = metricsresource.Identity(top, rkt.info.uuid, "")
        for app in (a for a in rkt.info.apps if a.exit_code is None):
            found[(rkt.uid, app.name)] = metricsresource.Identity(cgroups.app_path(top, app.name),
                                                                  f"{rkt.info.uuid}/{app.name}", app.image_name)
    return found


async def cadvisor(request: web.Request) -> web.Response:
    collector = request.app[COLLECTOR]
    running = await collector.running()
    found = await collector.summary(running)
    families = metricsresource.cadvisor(found, identities(running))
    return web.Response(body=render(families), headers={"Content-Type": TEXT})


async def own(request: web.Request) -> web.Response:
    return web.Response(body=prometheus_client.generate_latest(prometheus_client.REGISTRY),
                        headers={"Content-Type": TEXT})


def add_routes(app: web.Application, runtime: Runtime) -> None:
    """Serve the figures of ``runtime``'s pods on ``app``."""
    app[COLLECTOR] = stats.Collector(runtime.node_name, runtime.root, runtime.node_netns, runtime.pods)
    app.router.add_get("/stats/summary", summary)
    app.router.add_get("/metrics/resource", resource)
    app.router.add_get("/metrics/cadvisor", cadvisor)
    app.router.add_get("/metrics", own)
