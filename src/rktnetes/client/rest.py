"""An asyncio client for the Kubernetes REST API, on one aiohttp session per ``Client``.

Every verb of the resource table is one method taking a resource (``"pods"``, ``Resource``), a name and a
namespace, returning plain JSON dicts. Errors come back as ``client.errors`` exceptions built from the server's
``Status``. The session (its connection pool) is opened lazily on the running loop and closed by ``close()`` or
``async with``; one ``Client`` serves many concurrent callers, as aiohttp's pool is made for.
"""

from __future__ import annotations

import os
from typing import Any

from rktnetes.client import errors, transport, urls, watching
from rktnetes.client.clock import Clock
from rktnetes.client.kubeconfig import Config, load_kubeconfig
from rktnetes.client.urls import ResourceRef

Obj = dict[str, Any]
PATCH_TYPES = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
               "strategic": "application/strategic-merge-patch+json", "apply": "application/apply-patch+yaml"}
DEFAULT_TIMEOUT = 30.0


def _name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


class Client:
    """One user's connection pool to one API server."""

    def __init__(self, config: Config, timeout: float = DEFAULT_TIMEOUT, qps: float | None = None,
                 burst: int = 10, clock: Clock | None = None) -> None:
        """``qps``/``burst``: optional client-side request rate limit (None: unlimited)."""
        self.config = config
        self.transport = transport.Transport(config, timeout, qps, burst, clock)

    @classmethod
    def from_kubeconfig(cls, path: str | os.PathLike | None = None, context: str | None = None) -> Client:
        return cls(load_kubeconfig(path, context))

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.transport.close()

    def _namespace(self, resource_namespaced: bool, namespace: str | None, obj: Obj | None = None) -> str | None:
        """The namespace a single-object call goes to: given, else the object's, else the kubeconfig's."""
        if not resource_namespaced:
            return None
        return namespace or ((obj or {}).get("metadata") or {}).get("namespace") or self.config.namespace

    async def request(self, method: str, path: str, query: dict[str, str] | None = None, body: Any = None,
                      content_type: str = transport.JSON) -> Any:
        """Any request by URL path (for what the verbs below do not cover); the decoded JSON answer."""
        return await self.transport.request(method, path, query, body, content_type)

    async def get(self, resource: ResourceRef, name: str, namespace: str | None = None,
                  subresource: str | None = None) -> Obj:
        r = urls.resolve(resource)
        return await self.request("GET", urls.item(r, self._namespace(r.namespaced, namespace), name, subresource))

    async def list(self, resource: ResourceRef, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None, resource_version: str | None = None,
                   limit: int | None = None, continue_: str | None = None) -> Obj:
        """One LIST answer (a ``...List`` object); ``namespace=None`` lists across all namespaces."""
        r = urls.resolve(resource)
        params = transport.params(labelSelector=label_selector, fieldSelector=field_selector,
                         resourceVersion=resource_version, limit=limit, **{"continue": continue_})
        return await self.request("GET", urls.collection(r, namespace), params)

    async def list_all(self, resource: ResourceRef, namespace: str | None = None, page: int = 500,
                       **selectors: str | None) -> tuple[list[Obj], str]:
        """Every matching object over as many pages as it takes (one snapshot), and its resourceVersion."""
        items: list[Obj] = []
        token: str | None = None
        while True:
            answer = await self.list(resource, namespace, limit=page, continue_=token, **selectors)
            items.extend(answer.get("items") or [])
            token = (answer.get("metadata") or {}).get("continue")
            if not token:
                return items, str(answer["metadata"].get("resourceVersion") or "")

    async def create(self, resource: ResourceRef, obj: Obj, namespace: str | None = None,
                     field_manager: str | None = None) -> Obj:
        r = urls.resolve(resource)
        path = urls.collection(r, self._namespace(r.namespaced, namespace, obj))
        return await self.request("POST", path, transport.params(fieldManager=field_manager), obj)

    async def create_subresource(self, resource: ResourceRef, name: str, subresource: str, body: Obj,
                                 namespace: str | None = None) -> Obj:
        """POST to a subresource: ``pods/NAME/binding`` (the scheduler), ``pods/NAME/eviction``."""
        r = urls.resolve(resource)
        return await self.request("POST", urls.item(r, self._namespace(r.namespaced, namespace), name, subresource),
                                  None, body)

    async def update(self, resource: ResourceRef, obj: Obj, namespace: str | None = None,
                     subresource: str | None = None) -> Obj:
        """PUT the whole object (compare-and-swap on its metadata.resourceVersion when set)."""
        r = urls.resolve(resource)
        path = urls.item(r, self._namespace(r.namespaced, namespace, obj), _name_of(obj), subresource)
        return await self.request("PUT", path, None, obj)

    async def update_status(self, resource: ResourceRef, obj: Obj, namespace: str | None = None) -> Obj:
        return await self.update(resource, obj, namespace, "status")

    async def patch(self, resource: ResourceRef, name: str, patch: Any, patch_type: str = "merge",
                    namespace: str | None = None, subresource: str | None = None,
                    field_manager: str | None = None, force: bool | None = None) -> Obj:
        """PATCH with ``patch_type`` one of json, merge, strategic, apply (apply needs ``field_manager``)."""
        if patch_type not in PATCH_TYPES:
            raise errors.ClientError(f"unknown patch type {patch_type!r} (json, merge, strategic, apply)")
        r = urls.resolve(resource)
        path = urls.item(r, self._namespace(r.namespaced, namespace), name, subresource)
        params = transport.params(fieldManager=field_manager, force=force)
        return await self.request("PATCH", path, params, patch, PATCH_TYPES[patch_type])

    async def delete(self, resource: ResourceRef, name: str, namespace: str | None = None, *,
                     propagation_policy: str | None = None, grace_period_seconds: int | None = None,
                     preconditions: dict[str, str] | None = None) -> Obj:
        """DELETE; the answer is the deleted object, or the object still being finalized, or a Status."""
        r = urls.resolve(resource)
        options = {k: v for k, v in (("propagationPolicy", propagation_policy), ("preconditions", preconditions),
                                     ("gracePeriodSeconds", grace_period_seconds)) if v is not None}
        body = {"kind": "DeleteOptions", "apiVersion": "v1", **options} if options else None
        return await self.request("DELETE", urls.item(r, self._namespace(r.namespaced, namespace), name), None, body)

    async def delete_collection(self, resource: ResourceRef, namespace: str | None = None, *,
                                label_selector: str | None = None, field_selector: str | None = None,
                                propagation_policy: str | None = None) -> Obj:
        """DELETE every matching object of a collection (the namespace controller empties namespaces so)."""
        r = urls.resolve(resource)
        query = transport.params(labelSelector=label_selector, fieldSelector=field_selector,
                                 propagationPolicy=propagation_policy)
        return await self.request("DELETE", urls.collection(r, namespace), query)

    def watch(self, resource: ResourceRef, namespace: str | None = None, *, resource_version: str | None = None,
              label_selector: str | None = None, field_selector: str | None = None,
              timeout_seconds: int | None = None, bookmarks: bool = True) -> watching.Watch:
        """A ``Watch``: ``async with client.watch(...) as events: async for kind, obj in events``."""
        r = urls.resolve(resource)
        params = transport.params(watch=True, resourceVersion=resource_version, labelSelector=label_selector,
                         fieldSelector=field_selector, timeoutSeconds=timeout_seconds,
                         allowWatchBookmarks=bookmarks or None)
        return watching.Watch(self.transport.watch_session(), urls.collection(r, namespace), params, resource_version or "",
                              self.config.tls_server_name)
