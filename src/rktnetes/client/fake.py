"""An in-memory API with ``rest.Client``'s methods, for unit tests of controllers, schedulers and kubelets.

It keeps objects by resource, namespace and name, applies the API server's own metadata rules
(``api.meta``) and patch code (``api.patching``), raises the same ``client.errors`` (NotFound, AlreadyExists,
Conflict on a stale resourceVersion, Expired after ``compact()``), and serves watches from its event history,
so an ``Informer`` or ``InformerFactory`` runs on it unchanged. Every call is recorded in ``actions`` for tests
to assert on; ``fail_next(verb, resource, exc)`` injects a failure. There is no validation or defaulting:
tests that need those use the real API server.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import orjson

from rktnetes.api import errors as api_errors
from rktnetes.api import meta, patching, resources
from rktnetes.api.resources import Resource
from rktnetes.client import errors, fake_store, urls
from rktnetes.client.rest import PATCH_TYPES
from rktnetes.client.urls import ResourceRef

Obj = dict[str, Any]


@dataclass(frozen=True)
class Action:
    """One recorded call: ``verb`` on ``resource`` (its qualified plural) ``namespace/name``."""

    verb: str
    resource: str
    namespace: str | None
    name: str = ""
    subresource: str = ""
    body: Any = None


class FakeClient:
    def __init__(self, *objects: Obj, namespace: str = "default") -> None:
        self.namespace = namespace
        self.actions: list[Action] = []
        self.store = fake_store.FakeStore()
        self._failures: dict[tuple[str, str], list[Exception]] = {}
        for obj in objects:
            self.seed(obj)

    def seed(self, obj: Obj) -> Obj:
        """Store ``obj`` (its kind and apiVersion say where), status included, without recording an action."""
        group = str(obj.get("apiVersion", "v1")).rpartition("/")[0]
        resource = resources.by_kind(group, str(obj.get("kind")))
        if resource is None:
            raise errors.ClientError(f"no resource for kind {obj.get('kind')!r} in {obj.get('apiVersion')!r}")
        obj = copy.deepcopy(obj)
        status = obj.get("status")
        meta.prepare_create(obj, resource, (obj.get("metadata") or {}).get("namespace") or self.namespace)
        if status is not None:
            obj["status"] = status
        return self.store.write(resource, "ADDED", obj, None)

    def fail_next(self, verb: str, resource: ResourceRef, exc: Exception) -> None:
        """Make the next ``verb`` call on ``resource`` raise ``exc`` (queued: call again for more)."""
        self._failures.setdefault((verb, urls.resolve(resource).qualified), []).append(exc)

    def clear_failures(self) -> None:
        """Drop the failures ``fail_next`` queued and no call has used yet."""
        self._failures.clear()

    def compact(self) -> None:
        """Forget the history: a watch from an older resourceVersion now gets ``Expired``."""
        self.store.compacted = self.store.revision

    def _call(self, verb: str, ref: ResourceRef, namespace: str | None, name: str = "", sub: str = "",
              body: Any = None) -> Resource:
        resource = urls.resolve(ref)
        self.actions.append(Action(verb, resource.qualified, namespace, name, sub or "", copy.deepcopy(body)))
        pending = self._failures.get((verb, resource.qualified))
        if pending:
            raise pending.pop(0)
        return resource

    def _ns(self, resource: Resource, namespace: str | None, obj: Obj | None = None) -> str | None:
        if not resource.namespaced:
            return None
        return namespace or ((obj or {}).get("metadata") or {}).get("namespace") or self.namespace

    async def get(self, resource: ResourceRef, name: str, namespace: str | None = None,
                  subresource: str | None = None) -> Obj:
        r = urls.resolve(resource)
        namespace = self._ns(r, namespace)
        self._call("get", r, namespace, name, subresource or "")
        if subresource not in (None, "status"):
            raise errors.ClientError(f"the fake API does not serve {r.plural}/{subresource}")
        return copy.deepcopy(self.store.stored(r, namespace, name))

    async def list(self, resource: ResourceRef, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None, **_: Any) -> Obj:
        r = self._call("list", resource, namespace)
        items = fake_store.select(r, namespace, label_selector, field_selector, self.store.of(r))
        return {"kind": r.list_kind, "apiVersion": r.group_version, "metadata": {
            "resourceVersion": str(self.store.revision)}, "items": copy.deepcopy(items)}

    async def list_all(self, resource: ResourceRef, namespace: str | None = None, page: int = 500,
                       **selectors: str | None) -> tuple[list[Obj], str]:
        answer = await self.list(resource, namespace, **selectors)
        return answer["items"], answer["metadata"]["resourceVersion"]

    async def create(self, resource: ResourceRef, obj: Obj, namespace: str | None = None, **_: Any) -> Obj:
        r = urls.resolve(resource)
        namespace = self._ns(r, namespace, obj)
        self._call("create", r, namespace, (obj.get("metadata") or {}).get("name", ""), body=obj)
        obj = copy.deepcopy(obj)
        with fake_store.translated():
            meta.check_type(obj, r)
            meta.prepare_create(obj, r, namespace)
        if self.store.exists(r, namespace, obj["metadata"].get("name", "")):
            raise fake_store.client_error(api_errors.already_exists(r, obj["metadata"]["name"]))
        return self.store.write(r, "ADDED", obj, None)

    async def update(self, resource: ResourceRef, obj: Obj, namespace: str | None = None,
                     subresource: str | None = None) -> Obj:
        r = urls.resolve(resource)
        namespace, name = self._ns(r, namespace, obj), (obj.get("metadata") or {}).get("name", "")
        self._call("update", r, namespace, name, subresource or "", obj)
        old = self.store.stored(r, namespace, name)
        given = (obj.get("metadata") or {}).get("resourceVersion")
        if given and given != old["metadata"]["resourceVersion"]:
            raise fake_store.client_error(api_errors.conflict(r, name))
        new = copy.deepcopy(obj)
        with fake_store.translated():
            meta.check_type(new, r)
            meta.prepare_update(new, old, r, scope="status" if subresource == "status" else "main")
        return self._replace(r, new, old)

    async def update_status(self, resource: ResourceRef, obj: Obj, namespace: str | None = None) -> Obj:
        return await self.update(resource, obj, namespace, "status")

    def _replace(self, r: Resource, new: Obj, old: Obj) -> Obj:
        """Write an update; an object being deleted goes once its last finalizer is removed."""
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            return self.store.write(r, "DELETED", new, old)
        return self.store.write(r, "MODIFIED", new, old)

    async def patch(self, resource: ResourceRef, name: str, patch: Any, patch_type: str = "merge",
                    namespace: str | None = None, subresource: str | None = None,
                    field_manager: str | None = None, force: bool | None = None) -> Obj:
        r = urls.resolve(resource)
        namespace = self._ns(r, namespace)
        self._call("patch", r, namespace, name, subresource or "", patch)
        old = self.store.stored(r, namespace, name)
        with fake_store.translated():
            new = patching.apply_patch(PATCH_TYPES[patch_type], copy.deepcopy(old), orjson.dumps(patch), r,
                                       manager=field_manager or "fake", force=bool(force))
        meta.prepare_update(new, old, r, scope="status" if subresource == "status" else "main")
        return self._replace(r, new, old)

    async def delete(self, resource: ResourceRef, name: str, namespace: str | None = None, **_: Any) -> Obj:
        """Delete now, or (with finalizers) set deletionTimestamp and leave the rest to the finalizers' owners."""
        r = urls.resolve(resource)
        namespace = self._ns(r, namespace)
        self._call("delete", r, namespace, name)
        return await self._delete(r, namespace, name)

    async def _delete(self, r: Resource, namespace: str | None, name: str) -> Obj:
        old = self.store.stored(r, namespace, name)
        new = copy.deepcopy(old)
        meta.mark_deleted(new, 0)
        return self._replace(r, new, old)

    async def create_subresource(self, resource: ResourceRef, name: str, subresource: str, body: Obj,
                                 namespace: str | None = None) -> Obj:
        """``pods/NAME/binding`` sets spec.nodeName (once); ``pods/NAME/eviction`` deletes the pod."""
        r = urls.resolve(resource)
        namespace = self._ns(r, namespace)
        self._call("create", r, namespace, name, subresource, body)
        old = self.store.stored(r, namespace, name)
        if (r.plural, subresource) == ("pods", "eviction"):
            return await self._delete(r, namespace, name)
        if (r.plural, subresource) != ("pods", "binding"):
            raise errors.ClientError(f"the fake API does not serve {r.plural}/{subresource}")
        new = copy.deepcopy(old)
        with fake_store.translated():
            new["spec"]["nodeName"] = fake_store.bound_node(old, body)
        return self.store.write(r, "MODIFIED", new, old)

    async def delete_collection(self, resource: ResourceRef, namespace: str | None = None, *,
                                label_selector: str | None = None, field_selector: str | None = None,
                                **_: Any) -> Obj:
        r = self._call("deletecollection", resource, namespace)
        doomed = fake_store.select(r, namespace, label_selector, field_selector, self.store.of(r))
        for obj in doomed:
            await self._delete(r, obj["metadata"].get("namespace"), obj["metadata"]["name"])
        return {"kind": r.list_kind, "apiVersion": r.group_version, "metadata": {}, "items": copy.deepcopy(doomed)}

    def watch(self, resource: ResourceRef, namespace: str | None = None, *, resource_version: str | None = None,
              label_selector: str | None = None, field_selector: str | None = None,
              **_: Any) -> fake_store.FakeWatch:
        r = self._call("watch", resource, namespace)
        if resource_version and int(resource_version) < self.store.compacted:
            raise fake_store.client_error(api_errors.APIError(410, "Expired", "too old resource version: "
                                                                 f"{resource_version} ({self.store.compacted})"))
        selection = fake_store.Selection(r, namespace, label_selector, field_selector)
        return fake_store.FakeWatch(self.store, selection, int(resource_version or 0))
