"""Subresources: ``scale`` (as autoscaling/v1 Scale), pod ``binding`` and ``eviction``.

``status`` needs nothing here: it is the ordinary update path with the ``status`` scope.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from rktnetes.api import errors, meta, patching
from rktnetes.api.resources import Resource, lookup
from rktnetes.apiserver import deleting, requestopts, tokens
from rktnetes.apiserver.negotiation import Target, respond
from rktnetes.apiserver.objects import Objects

Obj = dict[str, Any]
PODS = lookup("", "v1", "pods")


def _objects(request: web.Request) -> Objects:
    return request.app["objects"]


def _selector(obj: Obj) -> str:
    selector = (obj.get("spec") or {}).get("selector") or {}
    labels = selector.get("matchLabels", selector if "matchExpressions" not in selector else {})
    parts = [f"{k}={v}" for k, v in sorted(labels.items())]
    for e in selector.get("matchExpressions") or []:
        op = e["operator"]
        if op in ("In", "NotIn"):
            parts.append(f"{e['key']} {op.lower()} ({','.join(sorted(e.get('values') or []))})")
        else:
            parts.append(("!" if op == "DoesNotExist" else "") + e["key"])
    return ",".join(parts)


def scale_of(obj: Obj) -> Obj:
    """The autoscaling/v1 Scale view of a scalable object."""
    m = obj["metadata"]
    kept = {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in m}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": kept,
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": _selector(obj)}}


async def get_scale(request: web.Request, target: Target) -> Obj:
    obj, _ = await _objects(request).registry.get(target.resource, target.namespace, target.name)
    return scale_of(obj)


def _set_replicas(resource: Resource, obj: Obj, scale: Obj) -> Obj:
    replicas = (scale.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or replicas < 0:
        raise errors.APIError(422, "Invalid", f'Scale.autoscaling "{obj["metadata"]["name"]}" is invalid: '
                              f'spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0')
    wanted = (scale.get("metadata") or {}).get("resourceVersion")
    if wanted and wanted != obj["metadata"]["resourceVersion"]:
        raise errors.conflict(resource, obj["metadata"]["name"])
    obj.setdefault("spec", {})["replicas"] = replicas
    return obj


async def replace_scale(request: web.Request, target: Target, scale: Obj) -> Obj:
    obj = await _objects(request).modify(target.resource, target.namespace, target.name,
                                         lambda o: _set_replicas(target.resource, o, scale))
    return scale_of(obj)


async def patch_scale(request: web.Request, target: Target, patch_type: str, body: bytes) -> Obj:
    scale_resource = Resource("autoscaling", "v1", "Scale", "scales", True, "V1Scale")

    def change(obj: Obj) -> Obj:
        patched = patching.apply_patch(patch_type, scale_of(obj), body, scale_resource,
                                         manager=requestopts.manager(request))
        return _set_replicas(target.resource, obj, patched)

    obj = await _objects(request).modify(target.resource, target.namespace, target.name, change)
    return scale_of(obj)


def _bind(pod: Obj, binding: Obj) -> Obj:
    node = (binding.get("target") or {}).get("name")
    if not node:
        raise errors.APIError(422, "Invalid", "Binding target.name: Required value")
    current = (pod.get("spec") or {}).get("nodeName")
    if current:
        raise errors.APIError(409, "Conflict", f'Operation cannot be fulfilled on pods/binding '
                              f'"{pod["metadata"]["name"]}": pod {pod["metadata"]["name"]} is already assigned to '
                              f'node "{current}"', {"name": pod["metadata"]["name"], "kind": "pods/binding"})
    pod["spec"]["nodeName"] = node
    conditions = [c for c in pod.setdefault("status", {}).get("conditions") or [] if c.get("type") != "PodScheduled"]
    pod["status"]["conditions"] = conditions + [{"type": "PodScheduled", "status": "True",
                                                 "lastTransitionTime": meta.now(), "lastProbeTime": None}]
    return pod


def _success(code: int) -> Obj:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code}


async def create(request: web.Request, target: Target, body: Obj) -> web.Response:
    """POST to ``pods/<name>/binding`` or ``pods/<name>/eviction``."""
    objects = _objects(request)
    if target.subresource == "binding":
        await objects.modify(target.resource, target.namespace, target.name, lambda p: _bind(p, body),
                             scope="all")
        return respond(_success(201), 201)
    if target.subresource == "token":
        return respond(await _token(request, target, body), 201)
    if target.subresource == "eviction":
        options = body.get("deleteOptions") or {}
        await deleting.delete(objects, target.resource, target.namespace, target.name, options)
        return respond(_success(201), 201)
    raise errors.method_not_allowed()


async def _token(request: web.Request, target: Target, body: Obj) -> Obj:
    """A TokenRequest answered: a signed token for the ServiceAccount, optionally bound to a pod."""
    signer = request.app.get("signer")
    if signer is None:
        raise errors.method_not_allowed()
    account, _ = await _objects(request).registry.get(target.resource, target.namespace, target.name)
    spec = dict(body.get("spec") or {})
    bound, pod = spec.get("boundObjectRef") or {}, None
    if bound.get("kind") == "Pod":
        pod, _ = await _objects(request).registry.get(PODS, target.namespace, bound.get("name", ""))
    claims = tokens.claims_for(account, spec, pod)
    spec.setdefault("audiences", claims["aud"])
    spec["expirationSeconds"] = claims["exp"] - claims["iat"]
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(claims["exp"]))
    return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": target.name, "namespace": target.namespace, "creationTimestamp": meta.now()},
            "spec": spec, "status": {"token": signer.issue(claims), "expirationTimestamp": expires}}


async def create_binding(request: web.Request, target: Target, body: Obj) -> web.Response:
    """POST to ``namespaces/<ns>/bindings``: bind the pod the Binding names."""
    name = (body.get("metadata") or {}).get("name")
    if not name:
        raise errors.bad_request("Binding metadata.name: Required value: the pod to bind")
    pod_target = Target(PODS, target.namespace, name, "binding")
    return await create(request, pod_target, body)

