"""The write path shared by every endpoint: create, replace, delete with Kubernetes' metadata rules.

Each write is one compare-and-swap on the store; callers that read-modify-write (patch, scale, binding) retry
on Conflict through ``modify`` rather than holding any lock, so several API servers may share one store.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from rktnetes.api import applying, defaulting, errors, immutability, meta, podpolicy, pruning, validation
from rktnetes.api.resources import Resource, lookup
from rktnetes.apiserver import allocation, persistentvolumeadmission
from rktnetes.apiserver.nscache import NamespaceCache
from rktnetes.apiserver.registry import Registry

Obj = dict[str, Any]
NAMESPACES = lookup("", "v1", "namespaces")
SERVICE_ACCOUNTS = lookup("", "v1", "serviceaccounts")
SERVICES = lookup("", "v1", "services")
PODS = lookup("", "v1", "pods")
NAME_RETRIES = 7
RETRIES = 64  # kube-apiserver's GuaranteedUpdate retries until its request times out; so, nearly, do we


class Objects:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.namespaces = NamespaceCache(registry, NAMESPACES)

    async def _check_namespace(self, resource: Resource, namespace: str | None) -> None:
        if not resource.namespaced or not namespace:
            return
        if await self.namespaces.is_terminating(namespace):
            raise errors.forbidden(resource, "", f"unable to create new content in namespace {namespace} because "
                                   "it is being terminated")

    async def create(self, resource: Resource, namespace: str | None, obj: Obj, *, dry_run: bool = False,
                     manager: str | None = None) -> Obj:
        """Default, validate and store a new object; the stored object. ``manager`` is credited in managedFields."""
        meta.check_type(obj, resource)
        meta.check_namespace(obj, namespace)
        generated = not (obj.get("metadata") or {}).get("name")
        pruning.prune(obj, resource.model)
        meta.prepare_create(obj, resource, namespace)
        defaulting.apply_defaults(obj)
        if resource is PODS:
            podpolicy.admit(obj)
        await persistentvolumeadmission.admit(self.registry, resource, obj)
        validation.validate(obj, resource)
        if manager:
            obj = applying.record_update(None, obj, manager, resource)
        await self._check_namespace(resource, obj["metadata"].get("namespace"))
        if dry_run:
            return obj
        created = await self._create_service(resource, obj) if resource is SERVICES else \
            await self._create_named(resource, obj, generated)
        if resource is NAMESPACES:
            await self.ensure_service_account(created["metadata"]["name"])
        return created

    async def _create_named(self, resource: Resource, obj: Obj, generated: bool) -> Obj:
        """Store a new object; a generated name that collides is generated again (kube's RetryGenerateName)."""
        meta_ = obj["metadata"]
        for _ in range(NAME_RETRIES):
            try:
                return await self.registry.create(resource, obj)
            except errors.APIError as exc:
                if exc.reason != "AlreadyExists" or not generated:
                    raise
                meta_["name"] = meta.generated_name(meta_["generateName"])
        return await self.registry.create(resource, obj)

    async def _create_service(self, resource: Resource, obj: Obj) -> Obj:
        taken = await allocation.allocate(self.registry, resource, obj)
        try:
            return await self.registry.create(resource, obj)
        except BaseException:
            await allocation.release(self.registry, taken)
            raise

    async def remove(self, resource: Resource, namespace: str | None, name: str, rev: int) -> Obj:
        """Delete from the store (if still at ``rev``) and release what the object held."""
        gone = await self.registry.delete(resource, namespace, name, rev)
        if resource is SERVICES:
            await allocation.release(self.registry, allocation.claims_of(gone))
        return gone

    async def ensure_service_account(self, namespace: str) -> None:
        account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}
        try:
            await self.create(SERVICE_ACCOUNTS, namespace, account)
        except errors.APIError as exc:
            if exc.code != 409:
                raise

    async def replace(self, resource: Resource, namespace: str | None, name: str, new: Obj, *,
                      scope: str = "main", dry_run: bool = False, manager: str | None = None) -> Obj:
        """PUT semantics: a conditional update when the body carries a resourceVersion."""
        meta.check_type(new, resource)
        meta.check_name(new, name)
        old, rev = await self.registry.get(resource, namespace, name)
        wanted = (new.get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != old["metadata"]["resourceVersion"]:
            raise errors.conflict(resource, name)
        return await self._store(resource, old, rev, new, scope=scope, dry_run=dry_run, manager=manager)

    async def _store(self, resource: Resource, old: Obj, rev: int, new: Obj, *, scope: str,
                     dry_run: bool, manager: str | None = None) -> Obj:
        pruning.prune(new, resource.model)
        if "managedFields" not in new.get("metadata", {}) and "managedFields" in old["metadata"]:
            new.setdefault("metadata", {})["managedFields"] = old["metadata"]["managedFields"]
        meta.prepare_update(new, old, resource, scope=scope)
        if resource is SERVICES:
            allocation.keep_on_update(new, old)
        defaulting.apply_defaults(new)
        validation.validate(new, resource)
        if scope == "main":
            immutability.validate_update(new, old, resource)
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        if new == old:
            return old
        if manager:
            new = applying.record_update(old, new, manager, resource, "status" if scope == "status" else "")
        if dry_run:
            return new
        if finalized(new):
            return await self.remove(resource, new["metadata"].get("namespace"), old["metadata"]["name"], rev)
        if resource is SERVICES:
            return await self._update_service(resource, old, new, rev)
        return await self.registry.update(resource, new, rev)

    async def _update_service(self, resource: Resource, old: Obj, new: Obj, rev: int) -> Obj:
        """Update a Service, claiming node ports it gained and releasing what it no longer holds."""
        taken = await allocation.update_node_ports(self.registry, resource, new)
        try:
            stored = await self.registry.update(resource, new, rev)
        except BaseException:
            await allocation.release(self.registry, taken)
            raise
        kept = set(allocation.claims_of(stored))
        await allocation.release(self.registry, [k for k in allocation.claims_of(old) if k not in kept])
        return stored

    async def modify(self, resource: Resource, namespace: str | None, name: str,
                     change: Callable[[Obj], Awaitable[Obj] | Obj], *, scope: str = "main",
                     dry_run: bool = False) -> Obj:
        """Read, ``change`` (returns the new object) and write, retrying when another writer got there first."""
        for attempt in range(RETRIES):
            old, rev = await self.registry.get(resource, namespace, name)
            new = change(_copy(old))
            if isinstance(new, Awaitable):
                new = await new
            pinned = (new.get("metadata") or {}).get("resourceVersion")
            if pinned and pinned != old["metadata"]["resourceVersion"]:
                raise errors.conflict(resource, name)
            try:
                return await self._store(resource, old, rev, new, scope=scope, dry_run=dry_run)
            except errors.APIError as exc:
                if exc.reason != "Conflict" or attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(random.uniform(0, 0.001 * min(attempt + 1, 20)))  # jitter breaks lockstep
        raise errors.conflict(resource, name)


def finalized(obj: Obj) -> bool:
    """True when a deleting object has no finalizer left, so it may leave the store."""
    meta_ = obj["metadata"]
    blocked = meta_.get("finalizers") or (obj.get("spec") or {}).get("finalizers") if obj["kind"] == "Namespace" \
        else meta_.get("finalizers")
    return bool(meta_.get("deletionTimestamp")) and meta_.get("deletionGracePeriodSeconds") == 0 and not blocked


def _copy(obj: Obj) -> Obj:
    import orjson

    return orjson.loads(orjson.dumps(obj))
