"""Storage object in-use protection (kube-controller-manager's ``pvc-protection`` and ``pv-protection``).

Each claim and volume carries a finalizer (``kubernetes.io/pvc-protection``, ``kubernetes.io/pv-protection``),
added here if the API server did not. A deleted claim keeps it while a pod that is not finished refers to the
claim (checked on a live list, not only the cache: a pod just created must hold the claim back); a deleted
volume keeps it while it is Bound. Pods' events enqueue the claims they name.
"""

from __future__ import annotations

from typing import Any

from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import persistentvolumebinding as binding
from rktnetes.controllers.controller import Controller

Obj = dict[str, Any]
FINISHED = ("Succeeded", "Failed")


def claims_of(pod: Obj) -> list[str]:
    """``namespace/claim`` of every persistentVolumeClaim volume of the pod."""
    namespace = (pod.get("metadata") or {}).get("namespace")
    return [f"{namespace}/{v['persistentVolumeClaim'].get('claimName')}"
            for v in (pod.get("spec") or {}).get("volumes") or [] if v.get("persistentVolumeClaim")]


def uses(pod: Obj, claim_name: str) -> bool:
    """The pod (not finished) refers to the claim."""
    if (pod.get("status") or {}).get("phase") in FINISHED:
        return False
    return any(key.partition("/")[2] == claim_name for key in claims_of(pod))


def protected(obj: Obj, finalizer: str, in_use: bool) -> list[str] | None:
    """The finalizers ``obj`` should carry, or None when they are right: ``finalizer`` added to a live object,
    removed from a deleted one no longer in use."""
    meta = obj["metadata"]
    have = list(meta.get("finalizers") or [])
    if not meta.get("deletionTimestamp"):
        return None if finalizer in have else [*have, finalizer]
    if finalizer in have and not in_use:
        return [f for f in have if f != finalizer]
    return None


class _Protection(Controller):
    resource = ""
    finalizer = ""

    async def _set(self, obj: Obj, finalizers: list[str]) -> None:
        meta = obj["metadata"]
        try:
            await self.client.update(self.resource, {**obj, "metadata": {**meta, "finalizers": finalizers}},
                                     meta.get("namespace"))
        except errors.NotFound:
            return


class PVCProtectionController(_Protection):
    name = "pvc-protection"
    resource, finalizer = "persistentvolumeclaims", binding.PVC_PROTECTION

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.claims = factory.informer(self.resource)
        self.pods = factory.informer("pods", indexers={"claims": claims_of})
        self.follow(self.claims)
        self.pods.add_handlers(self._pod_event, lambda _old, new: self._pod_event(new), self._pod_event)

    def _pod_event(self, pod: Obj) -> None:
        for key in claims_of(pod):
            self.queue.add(key)

    async def reconcile(self, key: str) -> running.Result | None:
        claim = self.claims.cache.get(key)
        if claim is None:
            return None
        deleting = bool(claim["metadata"].get("deletionTimestamp"))
        finalizers = protected(claim, self.finalizer, deleting and await self._in_use(key))
        if finalizers is not None:
            await self._set(claim, finalizers)
        return None

    async def _in_use(self, key: str) -> bool:
        namespace, name = caching.split_key(key)
        if any(uses(p, name) for p in self.pods.cache.by_index("claims", key)):
            return True
        return any(uses(p, name) for p in (await self.client.list("pods", namespace))["items"])


class PVProtectionController(_Protection):
    name = "pv-protection"
    resource, finalizer = "persistentvolumes", binding.PV_PROTECTION

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.volumes = factory.informer(self.resource)
        self.follow(self.volumes)

    async def reconcile(self, key: str) -> running.Result | None:
        pv = self.volumes.cache.get(key)
        if pv is None:
            return None
        finalizers = protected(pv, self.finalizer, binding.phase(pv) == binding.BOUND)
        if finalizers is not None:
            await self._set(pv, finalizers)
        return None
