"""The kubelet's HTTPS endpoint (``--port``, 10250): what the API server proxies ``kubectl logs`` to.

``/healthz`` answers ``ok``; ``/containerLogs/{namespace}/{pod}/{container}`` streams the container's log
from the rkt pod that runs (or ran) it — ``previous=true`` reads the rkt pod before the current one, i.e.
the container's last run before its restart; ``/exec/{namespace}/{pod}/{container}`` runs a command in it
(``execing``); ``/attach/…`` follows its output (``attaching``); ``/portForward/{namespace}/{pod}``
forwards connections into the pod (``portforwarding``). Errors are one line of plain text, as a
kubelet answers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from rktnetes.kubelet import attaching, execing, logstream, metricsserving, portforwarding
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.runtime import Runtime
from rktnetes.rkt import paths
from rktnetes.rkt.pods import state

RUNTIME = web.AppKey("runtime", Runtime)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def _choose(pods: list[RktPod], key: str, container: str, previous: bool) -> RktPod:
    """The rkt pod running (or that ran) ``container`` of pod ``key`` — an init container's own, or the
    pod's; with ``previous``, the run before."""
    mine = [p for p in pods if p.key == key and container in [a.name for a in p.info.apps]]
    if previous:
        if len(mine) < 2:
            raise web.HTTPBadRequest(text=f"previous terminated container not found for pod {key}")
        return mine[-2]
    if not mine:
        raise web.HTTPNotFound(text=f"container {container} of pod {key} not found on this node")
    return mine[-1]


def _previous_in_sandbox(pods: list[RktPod], key: str, container: str) -> Path | None:
    """A sandbox's container restarted alone: its previous run's log, beside the current one (or None)."""
    mine = [p for p in pods if p.key == key and container in [a.name for a in p.info.apps] and p.path]
    previous = paths.app_previous_log_path(mine[-1].path, container) if mine else None
    return previous if previous is not None and previous.exists() else None


def _alive(runtime: Runtime, rkt: RktPod) -> Callable[[], bool]:
    pod = state.Pod(runtime.root, rkt.info.uuid, "run")
    return lambda: pod.status() is state.Status.RUNNING


async def container_logs(request: web.Request) -> web.StreamResponse:
    ns, name, container = (request.match_info[k] for k in ("namespace", "pod", "container"))
    try:
        opts = logstream.options(dict(request.query))
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    runtime = request.app[RUNTIME]
    pods = await runtime.pods()
    previous_log = _previous_in_sandbox(pods, f"{ns}/{name}", container) if opts.previous else None
    rkt = _choose(pods, f"{ns}/{name}", container, opts.previous and previous_log is None)
    if rkt.path is None:
        raise web.HTTPNotFound(text=f"container {container} is not valid for pod {name}")
    if rkt.info.state == "prepared":
        raise web.HTTPBadRequest(text=f'container "{container}" in pod "{name}" is waiting to start')
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    await response.prepare(request)
    log = previous_log or paths.app_log_path(rkt.path, container)
    async for chunk in logstream.chunks(log, opts, _alive(runtime, rkt)):
        await response.write(chunk)
    await response.write_eof()
    return response


async def exec_in_container(request: web.Request) -> web.StreamResponse:
    ns, name, container = (request.match_info[k] for k in ("namespace", "pod", "container"))
    runtime = request.app[RUNTIME]
    rkt = _choose(await runtime.pods(), f"{ns}/{name}", container, previous=False)
    if not rkt.running:
        return await execing.refuse(request, f"container {container} is not running (pod {ns}/{name})")
    command = request.query.getall("command", [])
    if not command:
        return await execing.refuse(request, "you must specify at least one command for the container")
    return await execing.run(request, runtime.enter_argv(rkt.info.uuid, container, command))


OPEN_PATHS = ("/healthz",)
NODES_GROUP = "system:nodes"  # the organization of every node's client certificate


def authenticating(required: bool):
    """A middleware refusing callers without a verified client certificate (when ``required``), except on
    /healthz — as a kubelet with ``--client-ca-file`` and anonymous access off does; and refusing other nodes
    (a ``system:nodes`` certificate), which the real kubelet's authorizer denies its kubelet API."""
    @web.middleware
    async def check(request: web.Request, handler):
        if required and request.path not in OPEN_PATHS:
            peer = request.transport.get_extra_info("peercert")
            if not peer:
                raise web.HTTPUnauthorized(text="Unauthorized: a client certificate signed by the cluster CA is needed")
            if NODES_GROUP in _organizations(peer):
                raise web.HTTPForbidden(text=f"Forbidden: {_common_name(peer)} may not use another node's kubelet API")
        return await handler(request)
    return check


def _organizations(peer: dict) -> list[str]:
    return [value for rdn in peer.get("subject", ()) for key, value in rdn if key == "organizationName"]


def _common_name(peer: dict) -> str:
    return next((value for rdn in peer.get("subject", ()) for key, value in rdn if key == "commonName"), "a node")


async def attach_to_container(request: web.Request) -> web.StreamResponse:
    ns, name, container = (request.match_info[k] for k in ("namespace", "pod", "container"))
    runtime = request.app[RUNTIME]
    rkt = _choose(await runtime.pods(), f"{ns}/{name}", container, previous=False)
    if not rkt.running or rkt.path is None:
        return await execing.refuse(request, f"container {container} is not running (pod {ns}/{name})")
    return await attaching.run(request, attaching.container(rkt.path, container, _alive(runtime, rkt)))


async def port_forward(request: web.Request) -> web.StreamResponse:
    """``/portForward/{namespace}/{pod}``: connections into the running pod's network namespace."""
    ns, name = request.match_info["namespace"], request.match_info["pod"]
    runtime = request.app[RUNTIME]
    mine = [p for p in await runtime.pods() if p.key == f"{ns}/{name}" and p.running and not p.init]
    if not mine:
        raise web.HTTPNotFound(text=f"pod {ns}/{name} is not running on this node")
    namespace = portforwarding.namespace_of(mine[-1], runtime.node_netns)
    return await portforwarding.serve(request, namespace, name, mine[-1].uid)


def application(runtime: Runtime, authenticate: bool = False) -> web.Application:
    app = web.Application(middlewares=[authenticating(authenticate)])
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/containerLogs/{namespace}/{pod}/{container}", container_logs)
    app.router.add_get("/exec/{namespace}/{pod}/{container}", exec_in_container)
    app.router.add_get("/attach/{namespace}/{pod}/{container}", attach_to_container)
    app.router.add_get("/portForward/{namespace}/{pod}", port_forward)
    metricsserving.add_routes(app, runtime)
    return app
