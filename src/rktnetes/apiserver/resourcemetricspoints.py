"""metrics.k8s.io objects from two scrapes of a kubelet's ``/metrics/resource``: pure, no I/O.

As metrics-server does it: the kubelet reports cumulative CPU seconds and the current working set, each sample
stamped with when it was read; CPU usage is the rise of the counter between two scrapes over the time between
their stamps (the ``window``), memory is the latest working set. A container whose start time changed between
the two (a restart) or whose counter went back has no usage yet, and a pod with no container usage is left out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Obj = dict[str, Any]
GROUP_VERSION = "metrics.k8s.io/v1beta1"


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the epoch, when the kubelet read it
    cpu: float  # cumulative core-seconds
    memory: float  # working set bytes
    started: float = 0.0


@dataclass
class Point:
    """One scrape of one kubelet."""

    node: Sample | None = None
    containers: dict[tuple[str, str, str], Sample] = field(default_factory=dict)  # (namespace, pod, container)


_NODE = {"node_cpu_usage_seconds_total": "cpu", "node_memory_working_set_bytes": "memory"}
_CONTAINER = {"container_cpu_usage_seconds_total": "cpu", "container_memory_working_set_bytes": "memory",
              "container_start_time_seconds": "started"}
_LABELS = ("namespace", "pod", "container")


def _values(text: str) -> tuple[dict, dict[tuple[str, str, str], dict]]:
    """The node's and each container's figures by name ("cpu", "memory", "started"; "at": the cpu's stamp)."""
    node: dict = {}
    containers: dict = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name in _NODE:
                found, what = node, _NODE[s.name]
            elif s.name in _CONTAINER and all(k in s.labels for k in _LABELS):
                found, what = containers.setdefault(tuple(s.labels[k] for k in _LABELS), {}), _CONTAINER[s.name]
            else:
                continue
            found[what] = s.value
            if what == "cpu":
                found["at"] = s.timestamp or 0.0
    return node, containers


def _sample(values: dict) -> Sample | None:
    if "cpu" not in values or "memory" not in values:
        return None
    return Sample(float(values["at"]), values["cpu"], values["memory"], values.get("started", 0.0))


def parse(text: str) -> Point:
    """A ``/metrics/resource`` answer."""
    node, containers = _values(text)
    samples = {key: _sample(values) for key, values in containers.items()}
    return Point(_sample(node), {key: s for key, s in samples.items() if s is not None})


def rate(previous: Sample | None, latest: Sample) -> tuple[int, float] | None:
    """(nanocores, window seconds) between two samples of one counter, or None when there is none."""
    if previous is None or latest.at <= previous.at or latest.cpu < previous.cpu or latest.started != previous.started:
        return None
    window = latest.at - previous.at
    return int((latest.cpu - previous.cpu) * 1e9 / window), window


def cpu_quantity(nanocores: int) -> str:
    return f"{nanocores}n"


def memory_quantity(size: float) -> str:
    size = int(size)
    return f"{size // 1024}Ki" if size % 1024 == 0 else str(size)


def stamp(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def _window(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


def node_metrics(node: Obj, latest: Point, previous: Point) -> Obj | None:
    """NodeMetrics of ``node`` (a Node object), None without a usable pair of samples."""
    if latest.node is None or previous.node is None or (used := rate(previous.node, latest.node)) is None:
        return None
    meta = node.get("metadata") or {}
    return {"kind": "NodeMetrics", "apiVersion": GROUP_VERSION,
            "metadata": {"name": meta["name"], "creationTimestamp": stamp(time.time()),
                         "labels": meta.get("labels") or {}},
            "timestamp": stamp(latest.node.at), "window": _window(used[1]),
            "usage": {"cpu": cpu_quantity(used[0]), "memory": memory_quantity(latest.node.memory)}}


def pod_metrics(pod: Obj, latest: Point, previous: Point) -> Obj | None:
    """PodMetrics of ``pod`` (a Pod object): its containers with a usage, None when none has one."""
    meta = pod.get("metadata") or {}
    containers, windows, stamps = [], [], []
    for c in (pod.get("spec") or {}).get("containers") or []:
        key = (meta.get("namespace", ""), meta["name"], c["name"])
        now = latest.containers.get(key)
        used = rate(previous.containers.get(key), now) if now else None
        if used is not None:
            containers.append({"name": c["name"], "usage": {"cpu": cpu_quantity(used[0]),
                                                            "memory": memory_quantity(now.memory)}})
            windows.append(used[1])
            stamps.append(now.at)
    if not containers:
        return None
    return {"kind": "PodMetrics", "apiVersion": GROUP_VERSION,
            "metadata": {"name": meta["name"], "namespace": meta.get("namespace", ""),
                         "creationTimestamp": stamp(time.time()), "labels": meta.get("labels") or {}},
            "timestamp": stamp(max(stamps)), "window": _window(max(windows)), "containers": containers}
