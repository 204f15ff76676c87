"""PATCH: JSON patch, merge patch, strategic merge patch and server-side apply, all as read-modify-CAS-write.

The patch arithmetic lives in ``rktnetes.api.patching.apply_patch`` when present; until then JSON patch goes
through ``jsonpatch`` and merge/strategic merge through ``rktnetes.api.merging``.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import jsonpatch
from aiohttp import web

from rktnetes.api import errors
from rktnetes.api.resources import Resource
from rktnetes.apiserver import negotiation
from rktnetes.apiserver.negotiation import Target
from rktnetes.apiserver.objects import Objects

Obj = dict[str, Any]
APPLY = "application/apply-patch+yaml"


def _fallback(patch_type: str, current: Obj | None, body: bytes, resource: Resource) -> Obj:
    from rktnetes.api import merging

    doc = negotiation.decode_body(body, patch_type, resource)
    if patch_type == "application/json-patch+json":
        return jsonpatch.JsonPatch(doc).apply(current or {})
    if patch_type == "application/strategic-merge-patch+json":
        return merging.strategic_merge(current or {}, doc, resource.model)
    return merging.merge_patch(current or {}, doc)


def apply_patch(patch_type: str, current: Obj | None, body: bytes, resource: Resource, *, manager: str,
                force: bool) -> Obj:
    """The patched object; 422/400 on a patch that does not apply."""
    try:
        if importlib.util.find_spec("rktnetes.api.patching"):
            from rktnetes.api import patching

            return patching.apply_patch(patch_type, current, body, resource, manager=manager, force=force)
        return _fallback(patch_type, current, body, resource)
    except errors.APIError:
        raise
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, ValueError, TypeError) as exc:
        raise errors.APIError(422, "Invalid", str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
            from None


def _manager(request: web.Request, patch_type: str) -> str:
    manager = request.query.get("fieldManager", "")
    if patch_type == APPLY and not manager:
        raise errors.bad_request("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
                                 "is required for apply patch")
    return manager or (request.headers.get("User-Agent", "unknown").split("/")[0])


async def patch(objects: Objects, request: web.Request, target: Target, patch_type: str, body: bytes,
                dry_run: bool) -> tuple[Obj, bool]:
    """Patch (or, for apply, create) the object; the result and whether it was created."""
    manager, force = _manager(request, patch_type), request.query.get("force") == "true"
    resource, scope = target.resource, "status" if target.subresource == "status" else "main"

    def change(current: Obj) -> Obj:
        return apply_patch(patch_type, current, body, resource, manager=manager, force=force)

    try:
        obj = await objects.modify(resource, target.namespace, target.name, change, scope=scope,
                                   dry_run=dry_run)
        return obj, False
    except errors.APIError as exc:
        if exc.code != 404 or patch_type != APPLY or target.subresource:
            raise
    new = apply_patch(patch_type, None, body, resource, manager=manager, force=force)
    new.setdefault("metadata", {}).setdefault("name", target.name)
    return await objects.create(resource, target.namespace, new, dry_run=dry_run), True
