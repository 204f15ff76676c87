"""Objects in the store: keys, encoding, and the mapping of store errors onto Kubernetes Status errors.

An object is stored as JSON without its resourceVersion; on the way out the key's mod_revision becomes the
resourceVersion, so the API server's resourceVersion is always the store revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from rktnetes.api import conversion, errors
from rktnetes.api.resources import Resource
from rktnetes.apiserver.encoding import decode, encode, splice
from rktnetes.store import errors as store_errors
from rktnetes.store.protocol import Store, Watch

Obj = dict[str, Any]
ROOT = "/registry/"
EVENT_TTL = 3600


def key_prefix(resource: Resource, namespace: str | None = None) -> str:
    """The prefix of every key of ``resource`` (in ``namespace`` when given)."""
    stored = conversion.storage_of(resource)
    base = f"{ROOT}{stored.group or 'core'}/{stored.plural}/"
    return f"{base}{namespace}/" if resource.namespaced and namespace else base


def object_key(resource: Resource, namespace: str | None, name: str) -> str:
    return key_prefix(resource, namespace if resource.namespaced else None) + name


@dataclass
class Page:
    items: list[Any]  # objects, or stored bytes with their resourceVersion when listed ``raw``
    revision: int
    more: bool
    last_key: str


class Registry:
    """The API server's only door to the store."""

    def __init__(self, store: Store, event_ttl: int = EVENT_TTL) -> None:
        self.store, self.event_ttl = store, event_ttl

    def _ttl(self, resource: Resource) -> int:
        """Events expire (kube-apiserver's --event-ttl); everything else lives until deleted."""
        return self.event_ttl if resource.kind == "Event" else 0

    async def get(self, resource: Resource, namespace: str | None, name: str) -> tuple[Obj, int]:
        """The object and its revision; 404 NotFound when absent."""
        _, kv = await self.store.get(object_key(resource, namespace, name))
        if kv is None:
            raise errors.not_found(resource, name)
        return conversion.from_storage(decode(kv), resource), kv.mod_revision

    async def create(self, resource: Resource, obj: Obj) -> Obj:
        meta = obj["metadata"]
        try:
            rev = await self.store.create(object_key(resource, meta.get("namespace"), meta["name"]),
                                          encode(conversion.to_storage(obj, resource)), ttl=self._ttl(resource))
        except store_errors.KeyExists:
            raise errors.already_exists(resource, meta["name"]) from None
        meta["resourceVersion"] = str(rev)
        return obj

    async def update(self, resource: Resource, obj: Obj, expected: int) -> Obj:
        meta = obj["metadata"]
        try:
            rev = await self.store.update(object_key(resource, meta.get("namespace"), meta["name"]),
                                          encode(conversion.to_storage(obj, resource)), expected,
                                          ttl=self._ttl(resource))
        except store_errors.Conflict:
            raise errors.conflict(resource, meta["name"]) from None
        except store_errors.NotFound:
            raise errors.not_found(resource, meta["name"]) from None
        meta["resourceVersion"] = str(rev)
        return obj

    async def delete(self, resource: Resource, namespace: str | None, name: str, expected: int) -> Obj:
        """Remove the object if still at ``expected``; the deleted object at the deleting revision."""
        try:
            rev, kv = await self.store.delete(object_key(resource, namespace, name), expected)
        except store_errors.Conflict:
            raise errors.conflict(resource, name) from None
        except store_errors.NotFound:
            raise errors.not_found(resource, name) from None
        return conversion.from_storage(decode(kv, rev), resource)

    async def list(self, resource: Resource, namespace: str | None, *, revision: int = 0, limit: int = 0,
                   start_after: str = "", raw: bool = False) -> Page:
        prefix = key_prefix(resource, namespace)
        try:
            result = await self.store.list(prefix, revision=revision, limit=limit, start_after=start_after)
        except store_errors.Compacted as exc:
            raise errors.expired(f"The resourceVersion for the provided list is too old. ({exc})") from None
        except store_errors.FutureRevision as exc:
            raise errors.APIError(504, "Timeout", f"Too large resource version: {exc.requested}, current: "
                                  f"{exc.current}", {"causes": [{"reason": "ResourceVersionTooLarge",
                                                                 "message": "Too large resource version"}]}) from None
        last = result.kvs[-1].key if result.kvs else start_after
        if raw and not conversion.is_view(resource):
            items = [splice(kv.value, kv.mod_revision) for kv in result.kvs]
        else:
            items = [conversion.from_storage(decode(kv), resource) for kv in result.kvs]
            items = [orjson.dumps(obj) for obj in items] if raw else items
        return Page(items, result.revision, result.more, last)

    async def watch(self, resource: Resource, namespace: str | None, from_revision: int) -> Watch:
        return await self.store.watch(key_prefix(resource, namespace), from_revision)

    async def claim(self, key: str) -> bool:
        """Take an allocation key (a cluster IP, a node port); False when someone holds it."""
        try:
            await self.store.create(key, b"")
        except store_errors.KeyExists:
            return False
        return True

    async def unclaim(self, key: str) -> None:
        try:
            await self.store.delete(key)
        except store_errors.NotFound:
            pass

    async def revision(self) -> int:
        return await self.store.current_revision()
