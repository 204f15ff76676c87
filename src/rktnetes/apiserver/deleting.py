"""DELETE semantics: preconditions, grace periods, propagation policies and finalizers.

An object with finalizers (or a pod still running on a node) is not removed: it gets a deletionTimestamp and
stays until the last finalizer goes (or the kubelet confirms with a zero grace period).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import errors, meta
from rktnetes.api.resources import Resource
from rktnetes.apiserver import listing, negotiation
from rktnetes.apiserver.negotiation import Target
from rktnetes.apiserver.objects import Objects

Obj = dict[str, Any]
POLICY_FINALIZERS = {"Foreground": "foregroundDeletion", "Orphan": "orphan"}


def check_preconditions(resource: Resource, obj: Obj, preconditions: Obj | None) -> None:
    m = obj["metadata"]
    for key, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        wanted = (preconditions or {}).get(key)
        if wanted and wanted != m.get(key):
            why = f"Precondition failed: {label} in precondition: {wanted}, {label} in object meta: {m.get(key)}"
            raise errors.conflict(resource, m["name"], why)


def grace_period(obj: Obj, options: Obj) -> int:
    """0 for an immediate removal; a pod bound to a node and not finished waits for its kubelet."""
    given = options.get("gracePeriodSeconds")
    if obj.get("kind") != "Pod" or not (obj.get("spec") or {}).get("nodeName"):
        return 0
    if (obj.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return 0
    if given is None:
        given = obj["spec"].get("terminationGracePeriodSeconds", 30)
    return max(int(given), 0)


def _policy(options: Obj) -> str | None:
    if options.get("propagationPolicy"):
        return options["propagationPolicy"]
    return "Orphan" if options.get("orphanDependents") else None


def _mark(obj: Obj, options: Obj, grace: int) -> Obj:
    finalizers = list(obj["metadata"].get("finalizers") or [])
    extra = POLICY_FINALIZERS.get(_policy(options) or "")
    if extra and extra not in finalizers and not obj["metadata"].get("deletionTimestamp"):
        finalizers.append(extra)
    if finalizers:
        obj["metadata"]["finalizers"] = finalizers
    meta.mark_deleted(obj, grace)
    return obj


def _keeps(obj: Obj, options: Obj, grace: int) -> bool:
    """Whether deleting ``obj`` only marks it (finalizers, a policy finalizer or a grace period)."""
    if grace > 0 or POLICY_FINALIZERS.get(_policy(options) or ""):
        return True
    if obj["kind"] == "Namespace":
        return True
    return bool(obj["metadata"].get("finalizers"))


async def delete(objects: Objects, resource: Resource, namespace: str | None, name: str, options: Obj, *,
                 dry_run: bool = False) -> Obj:
    """Delete one object; the object as it was removed, or as marked for deletion."""
    obj, rev = await objects.registry.get(resource, namespace, name)
    check_preconditions(resource, obj, options.get("preconditions"))
    grace = grace_period(obj, options)
    if not _keeps(obj, options, grace):
        return obj if dry_run else await objects.remove(resource, namespace, name, rev)
    if dry_run:
        return _mark(obj, options, grace)
    return await objects.modify(resource, namespace, name, lambda o: _mark(o, options, grace), scope="all")


async def options_from(request: web.Request, target: Target) -> Obj:
    """DeleteOptions from the body and the query (the query wins, as kube-apiserver merges them)."""
    raw = await request.read()
    options = negotiation.decode_object(raw, negotiation.media_type(request), target.resource) if raw else {}
    if "gracePeriodSeconds" in request.query:
        try:
            options["gracePeriodSeconds"] = int(request.query["gracePeriodSeconds"])
        except ValueError:
            raise errors.bad_request("invalid gracePeriodSeconds") from None
    if "propagationPolicy" in request.query:
        options["propagationPolicy"] = request.query["propagationPolicy"]
    if "orphanDependents" in request.query:
        options["orphanDependents"] = request.query["orphanDependents"] == "true"
    return options


async def delete_collection(objects: Objects, target: Target, query: listing.Query, options: Obj,
                            dry_run: bool) -> Obj:
    """DELETE on a collection: every object the selectors match; the list of what went (or was marked)."""
    items, list_meta = await listing.collect(objects.registry, target.resource, target.namespace, query)
    gone = []
    for obj in items:
        try:
            gone.append(await delete(objects, target.resource, obj["metadata"].get("namespace"),
                                     obj["metadata"]["name"], options, dry_run=dry_run))
        except errors.APIError as exc:
            if exc.code != 404:
                raise
    return listing.list_object(target.resource, gone, list_meta)
