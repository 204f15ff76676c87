"""ReplicaSets and ReplicationControllers: keep ``spec.replicas`` active pods matching the selector.

One machinery serves both resources (they differ only in where they live and how the selector is written).
``reconcile`` claims pods (adopt matching orphans, release owned pods that stopped matching), creates or deletes
the difference — counting what it asked for and the cache has not shown yet (``expectations``) — and writes
status. ``replica_status`` is pure.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from rktnetes.api import selectors
from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import claiming, podstate, templates
from rktnetes.controllers.controller import Controller
from rktnetes.controllers.expectations import Expectations

Obj = dict[str, Any]
BURST = 500


def replica_status(owner: Obj, pods: list[Obj], now: datetime) -> Obj:
    """The status fields a ReplicaSet/RC reports for its active, owned ``pods``."""
    template_labels = (((owner.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = int((owner.get("spec") or {}).get("minReadySeconds") or 0)
    labelled = [p for p in pods if template_labels.items() <= ((p["metadata"].get("labels") or {}).items())]
    status = dict(owner.get("status") or {})
    status.update({"replicas": len(pods), "fullyLabeledReplicas": len(labelled),
                   "readyReplicas": sum(podstate.is_ready(p) for p in pods),
                   "availableReplicas": sum(podstate.is_available(p, min_ready, now) for p in pods),
                   "observedGeneration": owner["metadata"].get("generation", 1)})
    return status


def _when_available(owner: Obj, pods: list[Obj], now: datetime) -> running.Result | None:
    """Look again when the next ready pod has been ready for ``minReadySeconds`` (it becomes available)."""
    later = podstate.next_available(pods, int((owner.get("spec") or {}).get("minReadySeconds") or 0), now)
    return running.Result(requeue_after=later) if later is not None else None


def to_delete(pods: list[Obj], count: int) -> list[Obj]:
    return sorted(pods, key=podstate.deletion_rank)[:count]


class ReplicaSetController(Controller):
    name = "replicaset"
    resource, kind = "replicasets.apps", "ReplicaSet"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.expectations = Expectations(self.clock)
        self.pods = factory.informer("pods", indexers={"owner": caching.by_owner_uid})
        self.owners = factory.informer(self.resource)
        self.follow(self.owners)
        self.pods.add_handlers(self._pod_event, lambda old, new: (self._pod_event(old), self._pod_event(new)),
                               self._pod_event)

    def _pod_event(self, pod: Obj) -> None:
        """A pod's owner is looked at again; an orphan's possible adopters too."""
        if self.enqueue_owner(pod, self.kind) or pod["metadata"].get("ownerReferences"):
            return
        for owner in self.owners.cache.list(pod["metadata"].get("namespace")):
            reqs = claiming.selector_of(owner)
            if reqs and selectors.matches_labels(reqs, pod):
                self.enqueue(owner)

    async def reconcile(self, key: str) -> running.Result | None:
        owner = self.owners.cache.get(key)
        if owner is None:
            self.expectations.forget(key)
            return None
        namespace = owner["metadata"]["namespace"]
        claim = claiming.claim(owner, self.pods.cache.list(namespace))
        owned = [p for p in claim.owned if podstate.is_active(p)] + await self._adopt(owner, claim.adopt)
        await self._release(owner, claim.release)
        if not owner["metadata"].get("deletionTimestamp") and await self._scale(key, owner, owned):
            return None
        now = datetime.now(UTC)
        await self._write_status(owner, owned, now)
        return _when_available(owner, owned, now)

    async def _adopt(self, owner: Obj, pods: list[Obj]) -> list[Obj]:
        adopted = []
        for pod in pods:
            patch = claiming.adopt_patch(owner, pod)
            adopted.append(await self.client.patch("pods", pod["metadata"]["name"], patch, "merge",
                                                   owner["metadata"]["namespace"]))
        return adopted

    async def _release(self, owner: Obj, pods: list[Obj]) -> None:
        for pod in pods:
            try:
                await self.client.patch("pods", pod["metadata"]["name"], claiming.release_patch(owner, pod),
                                        "merge", owner["metadata"]["namespace"])
            except errors.NotFound:
                continue

    async def _scale(self, key: str, owner: Obj, owned: list[Obj]) -> bool:
        """Create or delete the difference. True while pods are in flight: status then waits for the cache to
        show them (their events bring the key back), so a scale to N writes status once, not N times."""
        cached = {p["metadata"]["name"] for p in self.pods.cache.list(owner["metadata"]["namespace"])}
        flight = self.expectations.settle(key, cached.__contains__, lambda n: n not in cached)
        live = [p for p in owned if p["metadata"]["name"] not in flight.deletes]
        diff = int(owner["spec"].get("replicas", 1)) - len(live) - len(flight.creates)
        if diff > 0:
            await self._create(key, owner, min(diff, BURST))
        elif diff < 0:
            await self._delete(key, owner, to_delete(live, -diff))
        return bool(diff or flight.creates or flight.deletes)

    async def _create(self, key: str, owner: Obj, count: int) -> list[Obj]:
        """Create in concurrent batches of 1, 2, 4, ... (Kubernetes' slow start): a template the API rejects
        fails after one request, a good one is fanned out; the first failure stops the rest."""
        made: list[Obj] = []
        batch = 1
        while len(made) < count:
            size = min(batch, count - len(made))
            results = await asyncio.gather(*(self._create_one(key, owner) for _ in range(size)),
                                           return_exceptions=True)
            made += [r for r in results if not isinstance(r, BaseException)]
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                raise failed[0]
            batch *= 2
        return made

    async def _create_one(self, key: str, owner: Obj) -> Obj:
        pod = await self.client.create("pods", templates.pod_for(owner), owner["metadata"]["namespace"])
        self.expectations.created(key, pod["metadata"]["name"])
        self.event(owner, "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")
        return pod

    async def _delete(self, key: str, owner: Obj, pods: list[Obj]) -> None:
        for pod in pods:
            self.expectations.deleted(key, pod["metadata"]["name"])
            try:
                await self.client.delete("pods", pod["metadata"]["name"], owner["metadata"]["namespace"])
            except errors.NotFound:
                continue
            self.event(owner, "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    async def _write_status(self, owner: Obj, pods: list[Obj], now: datetime) -> None:
        status = replica_status(owner, pods, now)
        if status == (owner.get("status") or {}):
            return
        await self.client.patch(self.resource, owner["metadata"]["name"], {"status": status}, "merge",
                                owner["metadata"]["namespace"], subresource="status")


class ReplicationControllerController(ReplicaSetController):
    name = "replicationcontroller"
    resource, kind = "replicationcontrollers", "ReplicationController"
