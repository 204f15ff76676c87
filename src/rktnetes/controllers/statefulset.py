"""StatefulSets: pods with stable names, hostnames and claims, created and removed in order.

``reconcile`` maps the set's pods by ordinal, applies one ``statefulpods.step`` (creating each new pod's
PersistentVolumeClaims first; claims outlive the pods, as with the default Retain policy) and writes status,
including ``currentRevision``/``updateRevision`` that ``kubectl rollout status`` compares.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import claiming, podstate, statefulpods
from rktnetes.controllers.controller import Controller

Obj = dict[str, Any]
STATEFULSETS = "statefulsets.apps"


def status_for(sts: Obj, pods: dict[int, Obj], now: datetime) -> Obj:
    update = statefulpods.revision(sts)
    live = [p for p in pods.values() if not podstate.is_terminating(p)]
    updated = [p for p in live if (p["metadata"].get("labels") or {}).get(statefulpods.REVISION_LABEL) == update]
    old = dict(sts.get("status") or {})
    current = old.get("currentRevision") or update
    if len(updated) == len(live) == int(sts["spec"].get("replicas", 1)):
        current = update
    min_ready = int(sts["spec"].get("minReadySeconds") or 0)
    return {**old, "observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(live),
            "readyReplicas": sum(podstate.is_ready(p) for p in live),
            "availableReplicas": sum(podstate.is_available(p, min_ready, now) for p in live),
            "currentReplicas": len(live) - len(updated) if current != update else len(live),
            "updatedReplicas": len(updated), "currentRevision": current, "updateRevision": update}


class StatefulSetController(Controller):
    name = "statefulset"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.sets = factory.informer(STATEFULSETS)
        self.pods = factory.informer("pods", indexers={"owner": caching.by_owner_uid})
        self.follow(self.sets)
        self.pods.add_handlers(self._pod_event, lambda _old, new: self._pod_event(new), self._pod_event)

    def _pod_event(self, pod: Obj) -> None:
        self.enqueue_owner(pod, "StatefulSet")

    async def reconcile(self, key: str) -> running.Result | None:
        sts = self.sets.cache.get(key)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return None
        owned = claiming.claim(sts, self.pods.cache.by_index("owner", sts["metadata"]["uid"])).owned
        pods = {o: p for p in owned if (o := statefulpods.ordinal_of(sts, p)) is not None}
        todo = statefulpods.step(sts, pods)
        for ordinal in todo.create:
            await self._create(sts, ordinal)
        for pod in todo.delete:
            await self._delete(pod)
        now = datetime.now(UTC)
        status = status_for(sts, pods, now)
        if status != (sts.get("status") or {}):
            await self.client.patch(STATEFULSETS, sts["metadata"]["name"], {"status": status}, "merge",
                                    sts["metadata"]["namespace"], subresource="status")
        later = podstate.next_available(list(pods.values()), int(sts["spec"].get("minReadySeconds") or 0), now)
        return running.Result(requeue_after=later) if later is not None else None

    async def _create(self, sts: Obj, ordinal: int) -> None:
        namespace = sts["metadata"]["namespace"]
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            await self._ensure("persistentvolumeclaims", statefulpods.claim_for(sts, template, ordinal), namespace)
        pod = statefulpods.pod_for_ordinal(sts, ordinal)
        if await self._ensure("pods", pod, namespace):
            self.event(sts, "SuccessfulCreate", f"create Pod {pod['metadata']['name']} in StatefulSet "
                       f"{sts['metadata']['name']} successful")

    async def _ensure(self, resource: str, obj: Obj, namespace: str) -> bool:
        """Create ``obj`` unless it exists; True when this call made it."""
        try:
            await self.client.create(resource, obj, namespace)
        except errors.AlreadyExists:
            return False
        return True

    async def _delete(self, pod: Obj) -> None:
        try:
            await self.client.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
        except errors.NotFound:
            return
