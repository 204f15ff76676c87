"""Endpoints (and, in ``endpointslice``, EndpointSlices) follow each Service's selector and its pods.

A Service's key is queued when it changes and when a pod it selects (before or after the change) changes.
Services without a selector are left alone: their Endpoints are someone else's (the API server's own
``kubernetes`` Service, or a user's manual endpoints).
"""

from __future__ import annotations

from typing import Any

from rktnetes.api import selectors
from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import endpointbuilding
from rktnetes.controllers.controller import Controller

Obj = dict[str, Any]


class ServiceController(Controller):
    """What both endpoint controllers share: a services informer, a pods informer, pod events to services."""

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.services = factory.informer("services")
        self.pods = factory.informer("pods")
        self.follow(self.services)
        self.pods.add_handlers(self._pod_event, lambda old, new: (self._pod_event(old), self._pod_event(new)),
                               self._pod_event)

    def _pod_event(self, pod: Obj) -> None:
        for service in self.services.cache.list(pod["metadata"].get("namespace")):
            selector = service["spec"].get("selector")
            if selector and selectors.matches_labels(selectors.from_label_selector({"matchLabels": selector}), pod):
                self.enqueue(service)

    def service_and_pods(self, key: str) -> tuple[Obj | None, list[Obj]]:
        service = self.services.cache.get(key)
        if service is None or not service["spec"].get("selector"):
            return service, []
        return service, self.pods.cache.list(service["metadata"]["namespace"])


class EndpointsController(ServiceController):
    name = "endpoints"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.endpoints = factory.informer("endpoints")

    async def reconcile(self, key: str) -> running.Result | None:
        service, pods = self.service_and_pods(key)
        namespace, name = caching.split_key(key)
        if service is None:
            try:
                await self.client.delete("endpoints", name, namespace)
            except errors.NotFound:
                pass
            return None
        if not service["spec"].get("selector"):
            return None
        await self._write(endpointbuilding.endpoints_for(service, pods), self.endpoints.cache.get(key))
        return None

    async def _write(self, wanted: Obj, current: Obj | None) -> None:
        namespace = wanted["metadata"]["namespace"]
        if current is None:
            try:
                await self.client.create("endpoints", wanted, namespace)
                return
            except errors.AlreadyExists:
                current = await self.client.get("endpoints", wanted["metadata"]["name"], namespace)
        if (current.get("subsets") or []) == wanted["subsets"] and \
                (current["metadata"].get("labels") or {}) == wanted["metadata"]["labels"]:
            return
        updated = caching.mutable(current)
        updated["subsets"] = wanted["subsets"]
        updated["metadata"]["labels"] = wanted["metadata"]["labels"]
        await self.client.update("endpoints", updated, namespace)
