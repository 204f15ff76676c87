"""PATCH: JSON patch, merge patch, strategic merge patch and server-side apply, as read-modify-CAS-write.

The patch arithmetic (and the managedFields bookkeeping) is ``rktnetes.api.patching.apply_patch``; this
module adds the HTTP side: the field manager, ``force``, ``fieldValidation`` on the patched object, retries on
conflict (through ``Objects.modify``) and apply's create-when-absent.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import errors, patching
from rktnetes.apiserver import requestopts
from rktnetes.apiserver.negotiation import Target
from rktnetes.apiserver.objects import Objects

Obj = dict[str, Any]
APPLY = patching.APPLY_PATCH


def _manager(request: web.Request, patch_type: str) -> str:
    if patch_type == APPLY and not request.query.get("fieldManager"):
        raise errors.bad_request('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                                 "is required for apply patch")
    return requestopts.manager(request)


async def patch(objects: Objects, request: web.Request, target: Target, patch_type: str, body: bytes,
                dry_run: bool) -> tuple[Obj, bool]:
    """Patch (or, for apply, create) the object; the result and whether it was created."""
    manager, force = _manager(request, patch_type), request.query.get("force") == "true"
    resource, sub = target.resource, target.subresource or ""
    scope = "status" if sub == "status" else "main"

    def change(current: Obj | None) -> Obj:
        patched = patching.apply_patch(patch_type, current, body, resource, manager=manager, force=force,
                                       subresource=sub)
        requestopts.check_fields(request, patched, resource)
        return patched

    try:
        return await objects.modify(resource, target.namespace, target.name, change, scope=scope,
                                    dry_run=dry_run), False
    except errors.APIError as exc:
        if exc.code != 404 or patch_type != APPLY or sub:
            raise
    new = change(None)
    new.setdefault("metadata", {}).setdefault("name", target.name)
    return await objects.create(resource, target.namespace, new, dry_run=dry_run), True
