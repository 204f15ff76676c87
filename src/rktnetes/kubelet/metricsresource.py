"""``/metrics/resource`` and ``/metrics/cadvisor``: the Summary figures as Prometheus metric families.

The names, labels and help texts are the kubelet's (resource metrics, read by metrics-server) and cAdvisor's
(``container_*`` with ``container``/``pod``/``namespace``/``image``/``name``/``id`` labels); each sample carries
the time it was read. Builders are pure: the Summary object (and, for cAdvisor, what the rkt pods say of
their apps) in, ``prometheus_client`` families out.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

Obj = dict[str, Any]
NS = 1e9
CONTAINER_LABELS = ["container", "namespace", "pod"]
POD_LABELS = ["namespace", "pod"]


def seconds(stamp: str) -> float:
    """An RFC 3339 UTC time (``Z``, with or without a fraction) as seconds since the epoch."""
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float(f"0.{fraction or 0}")


def _family(kind: type, name: str, doc: str, labels: list[str] | None = None) -> Metric:
    return kind(name, doc, labels=labels or [])


def _resource_families() -> dict[str, Metric]:
    c, g = CounterMetricFamily, GaugeMetricFamily
    return {
        "node_cpu": _family(c, "node_cpu_usage_seconds_total",
                            "[STABLE] Cumulative cpu time consumed by the node in core-seconds"),
        "node_memory": _family(g, "node_memory_working_set_bytes", "[STABLE] Current working set of the node in bytes"),
        "pod_cpu": _family(c, "pod_cpu_usage_seconds_total",
                           "[STABLE] Cumulative cpu time consumed by the pod in core-seconds", POD_LABELS),
        "pod_memory": _family(g, "pod_memory_working_set_bytes", "[STABLE] Current working set of the pod in bytes",
                              POD_LABELS),
        "cpu": _family(c, "container_cpu_usage_seconds_total",
                       "[STABLE] Cumulative cpu time consumed by the container in core-seconds", CONTAINER_LABELS),
        "memory": _family(g, "container_memory_working_set_bytes",
                          "[STABLE] Current working set of the container in bytes", CONTAINER_LABELS),
        "start": _family(g, "container_start_time_seconds",
                         "[STABLE] Start time of the container since unix epoch in seconds", CONTAINER_LABELS),
    }


def _scrape_errors(failed: bool) -> list[Metric]:
    found = []
    for name in ("scrape_error", "resource_scrape_error"):
        family = GaugeMetricFamily(name, "[STABLE] 1 if there was an error while getting container metrics, "
                                   "0 otherwise", labels=[])
        family.add_metric([], 1.0 if failed else 0.0)
        found.append(family)
    return found


def _cpu_memory(families: dict[str, Metric], prefix: str, labels: list[str], entry: Obj) -> None:
    cpu, memory = entry.get("cpu") or {}, entry.get("memory") or {}
    if "usageCoreNanoSeconds" in cpu:
        families[f"{prefix}cpu"].add_metric(labels, cpu["usageCoreNanoSeconds"] / NS, timestamp=seconds(cpu["time"]))
    if "workingSetBytes" in memory:
        families[f"{prefix}memory"].add_metric(labels, float(memory["workingSetBytes"]),
                                                timestamp=seconds(memory["time"]))


def resource(summary: Obj | None) -> list[Metric]:
    """The kubelet's resource metrics from a Summary object (None: the scrape failed)."""
    families = _resource_families()
    if summary is not None:
        _cpu_memory(families, "node_", [], summary["node"])
        for pod in summary["pods"]:
            ref = pod["podRef"]
            _cpu_memory(families, "pod_", [ref["namespace"], ref["name"]], pod)
            for c in pod["containers"]:
                labels = [c["name"], ref["namespace"], ref["name"]]
                _cpu_memory(families, "", labels, c)
                families["start"].add_metric(labels, seconds(c["startTime"]), timestamp=seconds(c["cpu"]["time"]))
    return [*families.values(), *_scrape_errors(summary is None)]


@dataclass(frozen=True)
class Identity:
    """What cAdvisor labels a container with: its cgroup (``id``), runtime name and image."""

    id: str
    name: str
    image: str


def _cadvisor_families() -> dict[str, Metric]:
    labels = ["container", "id", "image", "name", "namespace", "pod"]
    c, g = CounterMetricFamily, GaugeMetricFamily
    return {
        "cpu": c("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.",
                 labels=[*labels, "cpu"]),
        "usage": g("container_memory_usage_bytes", "Current memory usage in bytes, including all memory regardless "
                   "of when it was accessed", labels=labels),
        "working_set": g("container_memory_working_set_bytes", "Current working set in bytes.", labels=labels),
        "rss": g("container_memory_rss", "Size of RSS in bytes.", labels=labels),
        "rx": c("container_network_receive_bytes_total", "Cumulative count of bytes received",
                labels=[*labels, "interface"]),
        "tx": c("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted",
                labels=[*labels, "interface"]),
        "start": g("container_start_time_seconds", "Start time of the container since unix epoch in seconds.",
                   labels=labels),
    }


def _cadvisor_entry(families: dict[str, Metric], labels: list[str], entry: Obj) -> None:
    cpu, memory = entry["cpu"], entry["memory"]
    at = seconds(cpu["time"])
    families["cpu"].add_metric([*labels, "total"], cpu["usageCoreNanoSeconds"] / NS, timestamp=at)
    for key, field in (("usage", "usageBytes"), ("working_set", "workingSetBytes"), ("rss", "rssBytes")):
        families[key].add_metric(labels, float(memory[field]), timestamp=at)
    families["start"].add_metric(labels, seconds(entry["startTime"]), timestamp=at)
    for i in (entry.get("network") or {}).get("interfaces") or []:
        families["rx"].add_metric([*labels, i["name"]], float(i["rxBytes"]), timestamp=at)
        families["tx"].add_metric([*labels, i["name"]], float(i["txBytes"]), timestamp=at)


def cadvisor(summary: Obj, identities: dict[tuple[str, str], Identity]) -> list[Metric]:
    """cAdvisor's container series: one per container, and the pod's own (``container=""``, with its network)
    — ``identities`` by (pod uid, container name; "" for the pod)."""
    families = _cadvisor_families()
    for pod in summary["pods"]:
        ref = pod["podRef"]
        for name, entry in [("", pod), *((c["name"], c) for c in pod["containers"])]:
            who = identities.get((ref["uid"], name)) or Identity("", "", "")
            _cadvisor_entry(families, [name, who.id, who.image, who.name, ref["namespace"], ref["name"]], entry)
    return list(families.values())
