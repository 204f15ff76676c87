"""Prometheus metrics of work queues, named as client-go's (``workqueue_depth{name=...}`` and so on).

One family of each metric per registry, labelled by queue name, so every controller's queue shows up on the
same ``/metrics`` page. Durations come from the queue's injected clock: how long a key waited between its add
and a worker's ``get`` (queue duration) and how long the worker held it (work duration).
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

_BUCKETS = tuple(10.0 ** e for e in range(-8, 2))
_FAMILIES: dict[int, tuple] = {}


def _families(registry: CollectorRegistry) -> tuple:
    found = _FAMILIES.get(id(registry))
    if found is None:
        kw = {"labelnames": ("name",), "registry": registry}
        found = (Gauge("workqueue_depth", "Current depth of the work queue", **kw),
                 Counter("workqueue_adds", "Keys added to the work queue", **kw),
                 Counter("workqueue_retries", "Rate-limited re-adds of keys", **kw),
                 Histogram("workqueue_queue_duration_seconds", "Seconds a key waited before a worker took it",
                           buckets=_BUCKETS, **kw),
                 Histogram("workqueue_work_duration_seconds", "Seconds a worker held a key", buckets=_BUCKETS,
                           **kw))
        _FAMILIES[id(registry)] = found
    return found


@dataclass
class QueueMetrics:
    depth: Gauge
    adds: Counter
    retries: Counter
    queue_duration: Histogram
    work_duration: Histogram

    @classmethod
    def named(cls, name: str, registry: CollectorRegistry = REGISTRY) -> QueueMetrics:
        """The metrics of the queue called ``name`` in ``registry``."""
        return cls(*(family.labels(name=name) for family in _families(registry)))
