"""``/healthz`` of the proxy on a loopback port: 200 while rules are current, 503 once a change waits too long.

The body says when the last successful sync happened, as kube-proxy's does (``lastUpdated``, ``currentTime``).
"""

from __future__ import annotations

import time

from aiohttp import web

from rktnetes.proxy.syncing import SyncRunner


def _iso(wall: float | None) -> str:
    if wall is None:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall))


def app(runner: SyncRunner, stale_after: float) -> web.Application:
    """An aiohttp app answering ``GET /healthz`` from ``runner``'s state."""

    async def healthz(_request: web.Request) -> web.Response:
        now = time.time()
        last = None if runner.last_success is None else now - (runner.clock.now() - runner.last_success)
        body = {"lastUpdated": _iso(last), "currentTime": _iso(now), "syncs": runner.syncs,
                "failures": runner.failures}
        return web.json_response(body, status=200 if runner.healthy(stale_after) else 503)

    application = web.Application()
    application.router.add_get("/healthz", healthz)
    return application


async def start(runner: SyncRunner, port: int, stale_after: float, host: str = "127.0.0.1") -> web.AppRunner:
    """Serve ``/healthz`` on ``host:port`` until the returned runner's ``cleanup()``."""
    site_runner = web.AppRunner(app(runner, stale_after), access_log=None)
    await site_runner.setup()
    await web.TCPSite(site_runner, host, port).start()
    return site_runner
