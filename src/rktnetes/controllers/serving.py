"""The controller manager's own HTTP endpoint: ``/healthz`` and ``/metrics`` (Prometheus text, with every
controller's ``workqueue_*`` metrics), served whether or not this manager currently leads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest


async def _healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _metrics(_request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})


@asynccontextmanager
async def serving(host: str, port: int) -> AsyncIterator[None]:
    """Serve on ``host:port`` for the duration of the ``async with`` (nothing when ``port`` is 0)."""
    if not port:
        yield
        return
    app = web.Application()
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        yield
    finally:
        await runner.cleanup()
