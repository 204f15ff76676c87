"""Pod garbage collection: pods bound to nodes that no longer exist are force-deleted (no kubelet will ever
confirm them), and finished pods beyond ``threshold`` are deleted oldest first.

It looks at the whole picture every ``period`` seconds on the injected clock, as kube-controller-manager's
PodGC does, and at once when a node goes. A node must be missing from the cache for ``quarantine`` seconds and
from a live GET before its pods go, so a node that is still registering does not lose its pods.
"""

from __future__ import annotations

from typing import Any

from rktnetes.client import errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import podstate
from rktnetes.controllers.controller import Controller

Obj = dict[str, Any]
KEY = "pods"


def finished_excess(pods: list[Obj], threshold: int) -> list[Obj]:
    """The oldest finished pods beyond ``threshold``."""
    done = sorted((p for p in pods if podstate.phase(p) in podstate.TERMINAL and not podstate.is_terminating(p)),
                  key=lambda p: p["metadata"].get("creationTimestamp") or "")
    return done[:max(len(done) - threshold, 0)]


class PodGCController(Controller):
    name = "podgc"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None, *,
                 threshold: int = 12500, period: float = 20.0, quarantine: float = 40.0) -> None:
        super().__init__(client, factory, clock)
        self.threshold, self.period, self.quarantine = threshold, period, quarantine
        self.pods = factory.informer("pods")
        self.nodes = factory.informer("nodes")
        self.nodes.add_handlers(on_delete=lambda _node: self.queue.add(KEY))
        self.queue.add(KEY)
        self._missing_since: dict[str, float] = {}

    async def reconcile(self, key: str) -> running.Result | None:
        for pod in await self._orphans():
            await self._delete(pod, grace=0)
        for pod in finished_excess(self.pods.cache.list(), self.threshold):
            await self._delete(pod, grace=None)
        return running.Result(requeue_after=self.period)

    async def _orphans(self) -> list[Obj]:
        bound = [p for p in self.pods.cache.list() if (p.get("spec") or {}).get("nodeName")]
        missing = {p["spec"]["nodeName"] for p in bound if self.nodes.cache.get(p["spec"]["nodeName"]) is None}
        now = self.clock.now()
        self._missing_since = {n: self._missing_since.get(n, now) for n in missing}
        gone = {n for n, since in self._missing_since.items() if now - since >= self.quarantine
                and await self._really_gone(n)}
        return [p for p in bound if p["spec"]["nodeName"] in gone]

    async def _really_gone(self, node: str) -> bool:
        try:
            await self.client.get("nodes", node)
        except errors.NotFound:
            return True
        return False

    async def _delete(self, pod: Obj, grace: int | None) -> None:
        meta = pod["metadata"]
        try:
            await self.client.delete("pods", meta["name"], meta["namespace"], grace_period_seconds=grace,
                                     preconditions={"uid": meta["uid"]})
        except errors.NotFound:
            return
