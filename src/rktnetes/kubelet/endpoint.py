"""The kubelet's HTTPS endpoint (``--port``, 10250): what the API server proxies ``kubectl logs`` to.

``/healthz`` answers ``ok``; ``/containerLogs/{namespace}/{pod}/{container}`` streams the container's log
from the rkt pod that runs (or ran) it — ``previous=true`` reads the rkt pod before the current one, i.e.
the container's last run before its restart; ``/exec/{namespace}/{pod}/{container}`` runs a command in it
(``execing``). Errors are one line of plain text, as a kubelet answers.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from rktnetes.kubelet import execing, logstream
from rktnetes.kubelet.runtime import RktPod, Runtime
from rktnetes.rkt import paths
from rktnetes.rkt.pods import state

RUNTIME = web.AppKey("runtime", Runtime)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def _choose(pods: list[RktPod], key: str, previous: bool) -> RktPod:
    mine = [p for p in pods if p.key == key]
    if previous:
        if len(mine) < 2:
            raise web.HTTPBadRequest(text=f"previous terminated container not found for pod {key}")
        return mine[-2]
    if not mine:
        raise web.HTTPNotFound(text=f"pod {key} not found on this node")
    return mine[-1]


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
    rkt = _choose(await runtime.pods(), f"{ns}/{name}", opts.previous)
    if rkt.path is None or container not in [a.name for a in rkt.info.apps]:
        raise web.HTTPNotFound(text=f"container {container} is not valid for pod {name}")
    if rkt.info.state == "prepared":
        raise web.HTTPBadRequest(text=f'container "{container}" in pod "{name}" is waiting to start')
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    await response.prepare(request)
    async for chunk in logstream.chunks(paths.app_log_path(rkt.path, container), opts, _alive(runtime, rkt)):
        await response.write(chunk)
    await response.write_eof()
    return response


async def exec_in_container(request: web.Request) -> web.StreamResponse:
    ns, name, container = (request.match_info[k] for k in ("namespace", "pod", "container"))
    runtime = request.app[RUNTIME]
    rkt = _choose(await runtime.pods(), f"{ns}/{name}", previous=False)
    if container not in [a.name for a in rkt.info.apps]:
        raise web.HTTPNotFound(text=f"container {container} is not valid for pod {name}")
    if not rkt.running:
        return await execing.refuse(request, f"container {container} is not running (pod {ns}/{name})")
    command = request.query.getall("command", [])
    if not command:
        return await execing.refuse(request, "you must specify at least one command for the container")
    return await execing.run(request, runtime.enter_argv(rkt.info.uuid, container, command))


def application(runtime: Runtime) -> web.Application:
    app = web.Application()
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/containerLogs/{namespace}/{pod}/{container}", container_logs)
    app.router.add_get("/exec/{namespace}/{pod}/{container}", exec_in_container)
    return app
