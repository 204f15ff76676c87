"""An asyncio client for the Kubernetes REST API, on one aiohttp session per ``Client``.

Every verb of the resource table is one method taking a resource (``"pods"``, ``Resource``), a name and a
namespace, returning plain JSON dicts. Errors come back as ``client.errors`` exceptions built from the server's
``Status``. The session (its connection pool) is opened lazily on the running loop and closed by ``close()`` or
``async with``; one ``Client`` serves many concurrent callers, as aiohttp's pool is made for.
"""

from __future__ import annotations

import os
from typing import Any

import aiohttp
import orjson

from rktnetes.client import errors, urls, watching
from rktnetes.client.kubeconfig import Config, load_kubeconfig
from rktnetes.client.urls import ResourceRef

Obj = dict[str, Any]
JSON = "application/json"
PATCH_TYPES = {"json": "application/json-patch+json", "merge": "application/merge-patch+json",
               "strategic": "application/strategic-merge-patch+json", "apply": "application/apply-patch+yaml"}
DEFAULT_TIMEOUT = 30.0


def _params(**values: Any) -> dict[str, str]:
    """Query parameters, leaving out the unset ones; booleans as ``true``/``false``."""
    out = {}
    for key, value in values.items():
        if value is not None:
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def _name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


class Client:
    """One user's connection pool to one API server."""

    def __init__(self, config: Config, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.config, self.timeout = config, timeout
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_kubeconfig(cls, path: str | os.PathLike | None = None, context: str | None = None) -> Client:
        return cls(load_kubeconfig(path, context))

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            headers = {"Accept": JSON, "User-Agent": "rktnetes-client"}
            if self.config.token:
                headers["Authorization"] = f"Bearer {self.config.token}"
            ssl_context = self.config.ssl_context()
            connector = aiohttp.TCPConnector(ssl=ssl_context if ssl_context is not None else False)
            self._session = aiohttp.ClientSession(self.config.server, headers=headers, connector=connector,
                                                  json_serialize=lambda o: orjson.dumps(o).decode())
        return self._session

    def _namespace(self, resource_namespaced: bool, namespace: str | None, obj: Obj | None = None) -> str | None:
        """The namespace a single-object call goes to: given, else the object's, else the kubeconfig's."""
        if not resource_namespaced:
            return None
        return namespace or ((obj or {}).get("metadata") or {}).get("namespace") or self.config.namespace

    async def request(self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None,
                      content_type: str = JSON) -> Any:
        """Send one request and return its decoded JSON answer; raise the matching error on a failure."""
        data = orjson.dumps(body) if body is not None else None
        headers = {"Content-Type": content_type} if data is not None else None
        try:
            async with self._open().request(method, path, params=params, data=data, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=self.timeout),
                                            server_hostname=self.config.tls_server_name) as response:
                raw = await response.read()
                return _answer(response.status, raw)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise errors.TransportError(f"{method} {self.config.server}{path}: {_describe(exc)}") from None

    async def get(self, resource: ResourceRef, name: str, namespace: str | None = None) -> Obj:
        r = urls.resolve(resource)
        return await self.request("GET", urls.item(r, self._namespace(r.namespaced, namespace), name))

    async def list(self, resource: ResourceRef, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None, resource_version: str | None = None,
                   limit: int | None = None, continue_: str | None = None) -> Obj:
        """One LIST answer (a ``...List`` object); ``namespace=None`` lists across all namespaces."""
        r = urls.resolve(resource)
        params = _params(labelSelector=label_selector, fieldSelector=field_selector,
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
        return await self.request("POST", path, _params(fieldManager=field_manager), obj)

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
        params = _params(fieldManager=field_manager, force=force)
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

    def watch(self, resource: ResourceRef, namespace: str | None = None, *, resource_version: str | None = None,
              label_selector: str | None = None, field_selector: str | None = None,
              timeout_seconds: int | None = None, bookmarks: bool = True) -> watching.Watch:
        """A ``Watch``: ``async with client.watch(...) as events: async for kind, obj in events``."""
        r = urls.resolve(resource)
        params = _params(watch=True, resourceVersion=resource_version, labelSelector=label_selector,
                         fieldSelector=field_selector, timeoutSeconds=timeout_seconds,
                         allowWatchBookmarks=bookmarks or None)
        return watching.Watch(self._open(), urls.collection(r, namespace), params, resource_version or "",
                              self.config.tls_server_name)


def _answer(code: int, raw: bytes) -> Any:
    try:
        body = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        body = None
    if code >= 400:
        raise errors.from_status(code, body)
    if body is None and raw:
        raise errors.TransportError(f"the server answered {code} with a body that is not JSON")
    return body


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
