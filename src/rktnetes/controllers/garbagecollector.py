"""The garbage collector: objects whose owners are gone are deleted; owners deleted in the foreground wait for
their dependents; owners deleted with ``orphan`` let their dependents go free.

It follows the kinds that own or are owned in practice (``TRACKED``), each through the shared informer with a
``uid`` and an ``owner`` index, which together are the ownership graph. Keys are ``resource|namespace|name``.
An owner missing from the caches is looked up live before anything is deleted: a dependent's event may arrive
before its owner's, and deleting on a cache miss would destroy fresh objects. Decisions are in ``ownership``.
"""

from __future__ import annotations

from typing import Any

from rktnetes.api import resources
from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.client.informing import Informer
from rktnetes.controllers import ownership
from rktnetes.controllers.controller import Controller

Obj = dict[str, Any]
TRACKED = ("pods", "services", "endpoints", "replicationcontrollers", "configmaps", "secrets",
           "persistentvolumeclaims", "serviceaccounts", "deployments.apps", "replicasets.apps", "daemonsets.apps",
           "statefulsets.apps", "jobs.batch", "cronjobs.batch", "endpointslices.discovery.k8s.io")
INDEXERS = {"owner": caching.by_owner_uid, "uid": caching.by_field("metadata.uid")}


def item_key(resource: str, obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    return f"{resource}|{meta.get('namespace') or ''}|{meta.get('name')}"


class GarbageCollector(Controller):
    name = "garbagecollector"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.informers: dict[str, Informer] = {}
        for resource in TRACKED:
            informer = factory.informer(resource, indexers=INDEXERS)
            self.informers[resource] = informer
            informer.add_handlers(self._changed(resource), lambda _o, n, r=resource: self._changed(r)(n),
                                  self._gone)

    def _changed(self, resource: str):
        def handler(obj: Obj) -> None:
            if ownership.refs(obj) or {ownership.FOREGROUND, ownership.ORPHAN} & set(ownership.finalizers(obj)):
                self.queue.add(item_key(resource, obj))
        return handler

    def _gone(self, obj: Obj) -> None:
        """A deleted object's dependents may now be orphans; its owners may be waiting for it."""
        uid = (obj.get("metadata") or {}).get("uid", "")
        for resource, informer in self.informers.items():
            for dependent in informer.cache.by_index("owner", uid):
                self.queue.add(item_key(resource, dependent))
        for ref in ownership.refs(obj):
            for resource, owner in self._by_uid(ref.get("uid", "")):
                self.queue.add(item_key(resource, owner))

    def _by_uid(self, uid: str) -> list[tuple[str, Obj]]:
        return [(r, o) for r, i in self.informers.items() for o in i.cache.by_index("uid", uid)]

    def dependents(self, owner: Obj) -> list[tuple[str, Obj]]:
        uid = owner["metadata"]["uid"]
        return [(r, o) for r, i in self.informers.items() for o in i.cache.by_index("owner", uid)]

    async def reconcile(self, key: str) -> running.Result | None:
        resource, namespace, name = key.split("|")
        obj = self.informers[resource].cache.get(f"{namespace}/{name}" if namespace else name)
        if obj is None:
            return None
        if ownership.is_deleting(obj):
            return await self._finalize(resource, obj)
        states = {ref.get("uid", ""): await self._owner_state(ref, namespace) for ref in ownership.refs(obj)}
        decision = ownership.verdict(obj, states)
        if decision.action == "drop":
            await self._patch(resource, obj, ownership.without_refs(obj, decision.drop))
        elif decision.action == "delete":
            await self._delete(resource, obj, decision.policy)
        return None

    async def _owner_state(self, ref: Obj, namespace: str) -> str:
        cached = self._by_uid(ref.get("uid", ""))
        if cached:
            return ownership.owner_state(cached[0][1], ref["uid"])
        group = str(ref.get("apiVersion", "")).rpartition("/")[0]
        resource = resources.by_kind(group, str(ref.get("kind")))
        if resource is None:
            return ownership.PRESENT
        try:
            owner = await self.client.get(resource.qualified, ref["name"], namespace if resource.namespaced else None)
        except errors.NotFound:
            return ownership.ABSENT
        return ownership.owner_state(owner, ref.get("uid", ""))

    async def _finalize(self, resource: str, obj: Obj) -> running.Result | None:
        present = ownership.finalizers(obj)
        dependents = self.dependents(obj)
        if ownership.ORPHAN in present:
            for dep_resource, dependent in dependents:
                await self._patch(dep_resource, dependent, ownership.without_refs(dependent, [obj["metadata"]["uid"]]))
            await self._patch(resource, obj, ownership.without_finalizer(obj, ownership.ORPHAN))
        elif ownership.FOREGROUND in present:
            for dep_resource, dependent in dependents:
                if not ownership.is_deleting(dependent):
                    await self._delete(dep_resource, dependent, "Foreground")
            if not ownership.blocking(obj, [d for _, d in dependents]):
                await self._patch(resource, obj, ownership.without_finalizer(obj, ownership.FOREGROUND))
        return None

    async def _patch(self, resource: str, obj: Obj, patch: Obj) -> None:
        meta = obj["metadata"]
        try:
            await self.client.patch(resource, meta["name"], patch, "merge", meta.get("namespace"))
        except errors.NotFound:
            return

    async def _delete(self, resource: str, obj: Obj, policy: str) -> None:
        meta = obj["metadata"]
        try:
            await self.client.delete(resource, meta["name"], meta.get("namespace"), propagation_policy=policy,
                                     preconditions={"uid": meta["uid"]})
        except errors.NotFound:
            return

