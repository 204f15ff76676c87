"""REST handlers: one catch-all route per API prefix, dispatched on method, name and subresource."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import conversion, errors, tables
from rktnetes.apiserver import (
    deleting,
    encoding,
    kubeletproxy,
    listing,
    negotiation,
    patches,
    requestopts,
    reviews,
    subresources,
    watching,
)
from rktnetes.apiserver.negotiation import Target, respond
from rktnetes.apiserver.objects import NAMESPACES, Objects

Obj = dict[str, Any]


def _objects(request: web.Request) -> Objects:
    return request.app["objects"]


def _render(request: web.Request, target: Target, obj: Obj, status: int = 200) -> web.Response:
    as_ = negotiation.wants_as(request)
    if as_ == "Table":
        meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        body = tables.table(target.resource, [obj], meta, include=request.query.get("includeObject", "Metadata"))
    else:
        body = tables.partial_metadata(obj) if as_ == "PartialObjectMetadata" else obj
    response = respond(body, status)
    response.headers.update(requestopts.warning_headers(request))
    return response


async def _body(request: web.Request, target: Target) -> Obj:
    return negotiation.decode_object(await request.read(), negotiation.media_type(request),
                                     negotiation.body_resource(target))


async def _checked_body(request: web.Request, target: Target) -> Obj:
    body = await _body(request, target)
    requestopts.check_fields(request, body, target.resource)
    return body


async def get(request: web.Request, target: Target) -> web.StreamResponse:
    if target.name is None:
        return await collection(request, target)
    if target.subresource == "scale":
        return respond(await subresources.get_scale(request, target))
    if target.subresource == "log":
        return await kubeletproxy.logs(request, target)
    if target.subresource in kubeletproxy.STREAMS:
        return await kubeletproxy.stream(request, target)
    if target.subresource not in (None, "status"):
        raise errors.method_not_allowed()
    obj, _ = await _objects(request).registry.get(target.resource, target.namespace, target.name)
    return _render(request, target, obj)


async def collection(request: web.Request, target: Target) -> web.StreamResponse:
    registry = _objects(request).registry
    query = listing.parse_query(request.query, target.resource)
    as_ = negotiation.wants_as(request)
    if request.query.get("watch") in ("true", "1"):
        return await watching.serve(request, registry, target, query, as_, request.app["bookmark_interval"])
    if as_ is None and not query.labels and not query.fields and not conversion.is_view(target.resource):
        raw, meta = await listing.collect(registry, target.resource, target.namespace, query, raw=True)
        body = encoding.list_body(target.resource.list_kind, target.resource.group_version, meta, raw)
        return web.Response(body=body, content_type=negotiation.JSON)
    items, meta = await listing.collect(registry, target.resource, target.namespace, query)
    if as_ == "Table":
        return respond(tables.table(target.resource, items, meta, include=request.query.get("includeObject",
                                                                                             "Metadata")))
    if as_ == "PartialObjectMetadataList":
        return respond({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                        "items": [tables.partial_metadata(o) for o in items]})
    return respond(listing.list_object(target.resource, items, meta))


async def post(request: web.Request, target: Target) -> web.StreamResponse:
    if target.subresource in kubeletproxy.STREAMS:
        return await kubeletproxy.stream(request, target)
    if target.subresource:
        return await subresources.create(request, target, await _body(request, target))
    if target.resource.kind == "Binding":
        return await subresources.create_binding(request, target, await _body(request, target))
    if target.resource.kind in reviews.KINDS:
        return respond(reviews.answer(request, target, await _body(request, target)), 201)
    if target.name is not None:
        raise errors.method_not_allowed()
    obj = await _objects(request).create(target.resource, target.namespace, await _checked_body(request, target),
                                         dry_run=requestopts.dry_run(request), manager=requestopts.manager(request))
    return _render(request, target, obj, 201)


async def put(request: web.Request, target: Target) -> web.Response:
    if target.name is None:
        raise errors.method_not_allowed()
    if target.subresource == "scale":
        return respond(await subresources.replace_scale(request, target, await _body(request, target)))
    body = await _checked_body(request, target)
    scope = "status" if target.subresource == "status" else "main"
    if target.subresource not in (None, "status", "finalize"):
        raise errors.method_not_allowed()
    obj = await _objects(request).replace(target.resource, target.namespace, target.name, body,
                                          scope=scope, dry_run=requestopts.dry_run(request),
                                          manager=requestopts.manager(request))
    return _render(request, target, obj)


async def patch(request: web.Request, target: Target) -> web.Response:
    if target.name is None:
        raise errors.method_not_allowed()
    kind = negotiation.media_type(request)
    if kind not in negotiation.PATCH_TYPES:
        raise errors.unsupported_media_type(kind)
    raw = await request.read()
    if target.subresource == "scale":
        return respond(await subresources.patch_scale(request, target, kind, raw))
    obj, created = await patches.patch(_objects(request), request, target, kind, raw, requestopts.dry_run(request))
    return _render(request, target, obj, 201 if created else 200)


async def delete(request: web.Request, target: Target) -> web.Response:
    options = await deleting.options_from(request, target)
    objects, dry_run = _objects(request), requestopts.dry_run(request)
    if target.name is None:
        query = listing.parse_query(request.query, target.resource)
        return respond(await deleting.delete_collection(objects, target, query, options, dry_run))
    if target.subresource:
        raise errors.method_not_allowed()
    obj = await deleting.delete(objects, target.resource, target.namespace, target.name, options, dry_run=dry_run)
    if target.resource is NAMESPACES and obj["metadata"].get("deletionTimestamp") and not dry_run:
        request.app["terminator"].start(target.name)
    return _render(request, target, obj)


METHODS = {"GET": get, "POST": post, "PUT": put, "PATCH": patch, "DELETE": delete}


async def resource_request(request: web.Request) -> web.StreamResponse:
    target = negotiation.target(request.path)
    if target.resource.namespaced and target.namespace is None and (request.method != "GET" or target.name):
        raise errors.path_not_found()
    handler = METHODS.get(request.method)
    if handler is None or not negotiation.serves(request.method, target):
        raise errors.method_not_allowed()
    return await handler(request, target)
