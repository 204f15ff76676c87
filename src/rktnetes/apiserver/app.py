"""The aiohttp application: routes, the Status-error middleware, discovery and OpenAPI endpoints."""

from __future__ import annotations

import logging
import traceback

import orjson
from aiohttp import web

from rktnetes.api import errors, resources
from rktnetes.apiserver import (
    auth,
    discovery,
    handlers,
    metrics,
    namespaces,
    noderestriction,
    resourcemetrics,
    watching,
)
from rktnetes.apiserver.certs import Pair
from rktnetes.apiserver.negotiation import error_response, respond
from rktnetes.apiserver.objects import Objects
from rktnetes.apiserver.registry import EVENT_TTL, Registry
from rktnetes.store.protocol import Store

log = logging.getLogger(__name__)
MAX_BODY = 3 * 1024 * 1024  # kube-apiserver's limit on a request body


@web.middleware
async def status_errors(request: web.Request, handler):
    """Every failure leaves as a Status object, shaped like kube-apiserver's."""
    try:
        return await handler(request)
    except errors.APIError as exc:
        return error_response(exc)
    except web.HTTPNotFound:
        return error_response(errors.path_not_found())
    except web.HTTPMethodNotAllowed:
        return error_response(errors.method_not_allowed())
    except web.HTTPRequestEntityTooLarge:
        return error_response(errors.APIError(413, "RequestEntityTooLarge",
                                              f"Request entity too large: limit is {MAX_BODY}"))
    except web.HTTPException:
        raise
    except (ConnectionResetError, TimeoutError):
        raise
    except Exception as exc:  # noqa: BLE001 - a request must never take the server down
        log.error("%s %s failed:\n%s", request.method, request.path, traceback.format_exc())
        return error_response(errors.internal(str(exc) or type(exc).__name__))


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _version(request: web.Request) -> web.Response:
    return respond(discovery.version())


def _aggregated(request: web.Request, core: bool) -> web.Response | None:
    version = discovery.aggregated_version(request.headers.get("Accept", ""))
    if version is None:
        return None
    body = orjson.dumps(discovery.aggregated(core, version))
    content_type = f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"
    return web.Response(body=body, headers={"Content-Type": content_type})


async def _api(request: web.Request) -> web.Response:
    return _aggregated(request, True) or respond(discovery.api_versions(request.app["server_address"]))


async def _apis(request: web.Request) -> web.Response:
    return _aggregated(request, False) or respond(discovery.api_groups())


async def _group(request: web.Request) -> web.Response:
    group = discovery.api_group(request.match_info["group"])
    if group is None:
        raise errors.path_not_found()
    return respond(group)


async def _resource_list(request: web.Request) -> web.Response:
    group, version = request.match_info.get("group", ""), request.match_info.get("version", "v1")
    body = discovery.resource_list(group, version)
    if body is None:
        raise errors.path_not_found()
    return respond(body)


async def _openapi_v2(request: web.Request) -> web.Response:
    from rktnetes.api import openapiproto

    body, content_type = openapiproto.v2_response(resources.TABLE, request.headers.get("Accept", ""))
    return web.Response(body=body, headers={"Content-Type": content_type})


async def _openapi_v3(request: web.Request) -> web.Response:
    from rktnetes.api import openapi

    tail = request.match_info.get("tail", "")
    if not tail:
        return respond(openapi.v3_paths(resources.TABLE))
    parts = tail.split("/")
    group, version = ("", parts[1]) if parts[0] == "api" and len(parts) == 2 else (
        (parts[1], parts[2]) if parts[0] == "apis" and len(parts) == 3 else (None, None))
    if group is None or not resources.in_group_version(group, version):
        raise errors.path_not_found()
    return web.Response(body=openapi.v3_bytes(resources.TABLE, group, version), content_type="application/json")


def _routes(app: web.Application) -> None:
    r = app.router
    for path in ("/healthz", "/livez", "/readyz"):
        r.add_get(path, _ok)
        r.add_get(path + "/{check:.*}", _ok)
    r.add_get("/version", _version)
    r.add_get("/metrics", metrics.serve)
    r.add_get("/api", _api)
    r.add_get("/apis", _apis)
    r.add_get("/api/v1", _resource_list)
    r.add_get("/apis/{group}", _group)
    r.add_get("/apis/{group}/{version}", _resource_list)
    r.add_get("/openapi/v2", _openapi_v2)
    r.add_get("/openapi/v3", _openapi_v3)
    r.add_get("/openapi/v3/{tail:.+}", _openapi_v3)
    resourcemetrics.add_routes(app)  # before the catch-all /apis/{group}/{version}/... route
    r.add_route("*", "/api/v1/{tail:.+}", handlers.resource_request)
    r.add_route("*", "/apis/{group}/{version}/{tail:.+}", handlers.resource_request)


async def _start_background(app: web.Application) -> None:
    app["objects"].namespaces.start()
    await app["terminator"].resume()


async def _stop_background(app: web.Application) -> None:
    await app["terminator"].close()
    await app["objects"].namespaces.close()


def build_app(store: Store, *, tokens: dict[str, auth.User] | None = None, anonymous_admin: bool = False,
              server_address: str = "127.0.0.1:6443", bookmark_interval: float = 30.0,
              kubelet_client: Pair | None = None, event_ttl: int = EVENT_TTL, signer=None) -> web.Application:
    """The API server application over ``store``."""
    authenticating = auth.middleware(tokens or {}, anonymous_admin=anonymous_admin, signer=signer)
    app = web.Application(middlewares=[metrics.measuring, status_errors, authenticating, noderestriction.restricting],
                          client_max_size=MAX_BODY)
    app[metrics.KEY] = metrics.Metrics()
    app["signer"] = signer
    app["objects"] = Objects(Registry(store, event_ttl))
    app["terminator"] = namespaces.Terminator(app["objects"])
    app[watching.ACTIVE] = set()
    app.on_shutdown.append(watching.end_all)
    app.on_startup.append(_start_background)
    app.on_cleanup.append(_stop_background)
    app["server_address"] = server_address
    app["bookmark_interval"] = bookmark_interval
    app["kubelet_client"] = kubelet_client
    _routes(app)
    return app

