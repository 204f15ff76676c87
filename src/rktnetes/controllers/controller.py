"""The shape every controller shares: informers feed a WorkQueue of ``namespace/name`` keys; workers reconcile.

Handlers only enqueue keys (never act on an event's contents); ``reconcile(key)`` reads the informer caches,
compares with what it wants and writes through the API. A pod's event is mapped to its owner's key by
``enqueue_owner``, so the owner is looked at whole, whatever changed. Events about one object are limited
as client-go's spam filter does (a burst of 25, then one per 5 minutes on the injected clock): a ReplicaSet
scaled to 500 must not cost 500 Event writes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from rktnetes.client import caching, interface, owners, recording, running, sharing
from rktnetes.client.clock import Clock, LoopClock
from rktnetes.client.informing import Informer
from rktnetes.client.queueing import WorkQueue
from rktnetes.client.queuemetrics import QueueMetrics

Obj = dict[str, Any]
EVENT_BURST, EVENT_REFILL, EVENT_OBJECTS = 25.0, 300.0, 4096


class Controller:
    name = "controller"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        self.client, self.factory = client, factory
        self.clock = clock or LoopClock()
        self.queue = WorkQueue(self.clock, metrics=QueueMetrics.named(self.name))
        self.recorder = recording.EventRecorder(client, f"{self.name}-controller")
        self._event_budget: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def event(self, obj: Obj, reason: str, message: str, type_: str = recording.NORMAL) -> None:
        """Record an Event about ``obj`` in the background (``kubectl describe`` shows it), within its budget."""
        if self._spend_event((obj.get("metadata") or {}).get("uid") or caching.key_of(obj)):
            self.recorder.emit(obj, type_, reason, message)

    def _spend_event(self, who: str) -> bool:
        now = self.clock.now()
        tokens, at = self._event_budget.pop(who, (EVENT_BURST, now))
        tokens = min(EVENT_BURST, tokens + (now - at) / EVENT_REFILL)
        allowed = tokens >= 1
        self._event_budget[who] = (tokens - 1 if allowed else tokens, now)
        while len(self._event_budget) > EVENT_OBJECTS:
            self._event_budget.popitem(last=False)
        return allowed

    def enqueue(self, obj: Obj) -> None:
        self.queue.add(caching.key_of(obj))

    def follow(self, informer: Informer) -> None:
        """Enqueue every object of ``informer`` that is added, changed or deleted."""
        informer.add_handlers(self.enqueue, lambda _old, new: self.enqueue(new), self.enqueue)

    def enqueue_owner(self, obj: Obj, kind: str) -> bool:
        """Enqueue the controller of ``obj`` when it is a ``kind``; True when there was one."""
        ref = owners.controller_of(obj)
        if ref is None or ref.get("kind") != kind:
            return False
        namespace = (obj.get("metadata") or {}).get("namespace")
        self.queue.add(f"{namespace}/{ref['name']}" if namespace else ref["name"])
        return True

    async def reconcile(self, key: str) -> running.Result | None:
        raise NotImplementedError

    async def run(self, workers: int = 2) -> None:
        await running.run_workers(self.queue, self.reconcile, workers)

    def shutdown(self) -> None:
        self.queue.shutdown()
