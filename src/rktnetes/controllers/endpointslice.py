"""EndpointSlices of each selecting Service: the slices ``endpointbuilding.slices_for`` wants, and no others
of ours (found by the ``kubernetes.io/service-name`` and ``managed-by`` labels). A deleted Service's slices go
with it through their ownerReference (the garbage collector)."""

from __future__ import annotations

from typing import Any

from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import endpointbuilding
from rktnetes.controllers.endpoints import ServiceController

Obj = dict[str, Any]
SLICES = "endpointslices.discovery.k8s.io"


def _service_of(slice_: Obj) -> list[str]:
    labels = (slice_.get("metadata") or {}).get("labels") or {}
    if labels.get(endpointbuilding.MANAGED_BY) != endpointbuilding.MANAGER:
        return []
    return [f"{slice_['metadata'].get('namespace')}/{labels.get(endpointbuilding.SERVICE_NAME, '')}"]


def _same(current: Obj, wanted: Obj) -> bool:
    fields = ("addressType", "ports", "endpoints")
    return all((current.get(f) or []) == (wanted.get(f) or []) for f in fields) and \
        current["metadata"].get("labels") == wanted["metadata"]["labels"]


class EndpointSliceController(ServiceController):
    name = "endpointslice"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.slices = factory.informer(SLICES, indexers={"service": _service_of})
        self.slices.add_handlers(self._slice_event, lambda _old, new: self._slice_event(new), self._slice_event)

    def _slice_event(self, slice_: Obj) -> None:
        for key in _service_of(slice_):
            self.queue.add(key)

    async def reconcile(self, key: str) -> running.Result | None:
        service, pods = self.service_and_pods(key)
        if service is None or not service["spec"].get("selector"):
            return None
        wanted = {s["metadata"]["name"]: s for s in endpointbuilding.slices_for(service, pods)}
        current = {s["metadata"]["name"]: s for s in self.slices.cache.by_index("service", key)}
        for name in current.keys() - wanted.keys():
            await self._delete(current[name])
        for name, slice_ in wanted.items():
            await self._write(slice_, current.get(name))
        return None

    async def _write(self, wanted: Obj, current: Obj | None) -> None:
        namespace = wanted["metadata"]["namespace"]
        if current is None:
            await self.client.create(SLICES, wanted, namespace)
        elif not _same(current, wanted):
            updated = caching.mutable(current)
            updated.update({k: wanted[k] for k in ("addressType", "ports", "endpoints")})
            updated["metadata"]["labels"] = wanted["metadata"]["labels"]
            await self.client.update(SLICES, updated, namespace)

    async def _delete(self, slice_: Obj) -> None:
        try:
            await self.client.delete(SLICES, slice_["metadata"]["name"], slice_["metadata"]["namespace"])
        except errors.NotFound:
            return
