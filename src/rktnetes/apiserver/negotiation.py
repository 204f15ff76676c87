"""Which resource a URL names, how its body is decoded and in which form the answer goes back.

Paths follow kube-apiserver's RequestInfo rules: ``/api/v1/...`` or ``/apis/<group>/<version>/...``, then
``namespaces/<ns>/<plural>[/<name>[/<subresource>]]`` or ``<plural>[/<name>[/<subresource>]]``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import orjson
import yaml
from aiohttp import web

from rktnetes.api import errors, resources
from rktnetes.api.resources import Resource

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")
NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass
class Target:
    resource: Resource
    namespace: str | None
    name: str | None
    subresource: str | None


def _split(path: str) -> tuple[str, str, list[str]] | None:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "api":
        return "", parts[1], parts[2:]
    if len(parts) >= 4 and parts[0] == "apis":
        return parts[1], parts[2], parts[3:]
    return None


@functools.lru_cache(maxsize=4096)  # every request asks (metrics, then the handler); Targets are never mutated
def target(path: str) -> Target:
    """The resource, namespace, name and subresource a request path names; 404 when none."""
    split = _split(path)
    if split is None:
        raise errors.path_not_found()
    group, version, rest = split
    namespace = None
    if rest[0] == "namespaces" and len(rest) > 2 and rest[2] not in NAMESPACE_SUBRESOURCES:
        namespace, rest = rest[1], rest[2:]
    resource = resources.lookup(group, version, rest[0])
    if resource is None or len(rest) > 3 or (namespace and not resource.namespaced):
        raise errors.path_not_found()
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if sub and sub not in resource.subresources:
        raise errors.path_not_found()
    return Target(resource, namespace, name, sub)


_BODIES = {"token": Resource("authentication.k8s.io", "v1", "TokenRequest", "tokenrequests", True,
                             "AuthenticationV1TokenRequest"),
           "eviction": Resource("policy", "v1", "Eviction", "evictions", True, "V1Eviction"),
           "binding": Resource("", "v1", "Binding", "bindings", True, "V1Binding"),
           "scale": Resource("autoscaling", "v1", "Scale", "scales", True, "V1Scale")}


def body_resource(target: Target) -> Resource:
    """The kind a request body holds: the resource's, or the subresource's own (TokenRequest, Eviction, ...)."""
    return _BODIES.get(target.subresource or "", target.resource)


_VERBS = {("GET", True): ("get",), ("GET", False): ("list", "watch"), ("POST", False): ("create",),
          ("PUT", True): ("update",), ("PATCH", True): ("patch",), ("DELETE", True): ("delete",),
          ("DELETE", False): ("deletecollection",)}


def serves(method: str, target: Target) -> bool:
    """Whether the resource serves this method on this path (subresources have their own rules)."""
    if target.subresource:
        return True
    return any(v in target.resource.verbs for v in _VERBS.get((method, target.name is not None), ()))


def media_type(request: web.Request) -> str:
    return (request.headers.get("Content-Type") or JSON).split(";")[0].strip().lower()


def _decode_protobuf(raw: bytes, resource: Resource) -> Any:
    from rktnetes.api import protobuf

    try:
        return protobuf.decode(raw, resource)
    except errors.APIError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoding failure is the client's body, not a server fault
        raise errors.bad_request(f"error decoding protobuf body of {resource.kind}: {exc}") from None


def _parse(raw: bytes, kind: str, resource: Resource) -> Any:
    if kind == PROTOBUF or raw[:4] == b"k8s\x00":
        return _decode_protobuf(raw, resource)
    if kind in (YAML, "application/apply-patch+yaml", "application/x-yaml", "text/yaml"):
        return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return orjson.loads(raw)


def decode_body(raw: bytes, kind: str, resource: Resource) -> Any:
    """A request body as data; 415 for unknown media types, 400 for undecodable bodies."""
    if kind not in (JSON, YAML, PROTOBUF, "application/x-yaml", "text/yaml", "*/*", "") + PATCH_TYPES:
        raise errors.unsupported_media_type(kind)
    try:
        return _parse(raw, kind, resource)
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request(f"error decoding request body: {str(exc).splitlines()[0]}") from None
    except ImportError:
        raise errors.unsupported_media_type(kind) from None


def decode_object(raw: bytes, kind: str, resource: Resource) -> dict[str, Any]:
    obj = decode_body(raw, kind, resource)
    if not isinstance(obj, dict):
        raise errors.bad_request("the request body must be a JSON or YAML object")
    return obj


def wants_as(request: web.Request) -> str | None:
    """``Table``, ``PartialObjectMetadata`` or ``PartialObjectMetadataList`` when the Accept header asks for one."""
    for clause in request.headers.get("Accept", "").split(","):
        params = dict(p.strip().split("=", 1) for p in clause.split(";")[1:] if "=" in p)
        if params.get("g") == "meta.k8s.io" and params.get("v") == "v1" and "as" in params:
            return params["as"]
    return None


def respond(body: Any, status: int = 200) -> web.Response:
    """A JSON answer, newline-terminated like kube-apiserver's (Go's json.Encoder)."""
    return web.Response(body=orjson.dumps(body, option=orjson.OPT_APPEND_NEWLINE), status=status, content_type=JSON)


def error_response(exc: errors.APIError) -> web.Response:
    return respond(exc.status(), exc.code)
