"""Running the API server: PKI, store, built-in objects, HTTPS (and an optional plain-HTTP port), kubeconfig.

One event loop (uvloop) serves every request; the store does its blocking work off the loop. ``start`` returns
a ``Running`` handle so the local cluster can embed the server, ``run`` blocks until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from rktnetes import store as store_pkg
from rktnetes.apiserver import auth, bootstrap, certs, compaction, kubeconfig, paths
from rktnetes.apiserver.app import build_app
from rktnetes.store.protocol import Store


@dataclass
class Config:
    data_dir: Path
    store_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 6443
    insecure_port: int | None = None
    kubeconfig: Path | None = None
    sans: tuple[str, ...] = ()
    token_file: Path | None = None
    bookmark_interval: float = 30.0
    compaction_interval: float = compaction.DEFAULT_INTERVAL


@dataclass
class Running:
    url: str
    kubeconfig: Path
    store: Store
    runner: web.AppRunner
    insecure: web.AppRunner | None = None
    insecure_url: str | None = None
    compactor: compaction.Compactor | None = None
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def stop(self) -> None:
        if self.compactor is not None:
            await self.compactor.close()
        if self.insecure is not None:
            await self.insecure.cleanup()
        await self.runner.cleanup()
        await self.store.close()
        self.closed.set()


def tls_context(data_dir: Path, sans: tuple[str, ...]) -> ssl.SSLContext:
    serving = certs.ensure_serving(data_dir, sans)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(paths.ca_cert_path(data_dir)))
    context.load_cert_chain(serving.cert, serving.key)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


async def _site(runner: web.AppRunner, host: str, port: int, context: ssl.SSLContext | None) -> int:
    site = web.TCPSite(runner, host, port, ssl_context=context, backlog=1024, reuse_address=True)
    await site.start()
    return site._server.sockets[0].getsockname()[1]


async def start(config: Config) -> Running:
    """Start serving; the handle to stop it."""
    data_dir = config.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    context = tls_context(data_dir, (config.host, *config.sans))
    store = await store_pkg.open_store(config.store_url or paths.default_store_url(data_dir))
    tokens = auth.load_tokens(config.token_file or paths.token_file_path(data_dir))
    app = build_app(store, tokens=tokens, server_address=f"{config.host}:{config.port}",
                    bookmark_interval=config.bookmark_interval)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    port = await _site(runner, config.host, config.port, context)
    await bootstrap.ensure_builtins(app["objects"], port)
    compactor = compaction.Compactor(store, config.compaction_interval)
    compactor.start()
    url = f"https://{config.host}:{port}"
    running = Running(url, config.kubeconfig or paths.kubeconfig_path(data_dir), store, runner, compactor=compactor)
    if config.insecure_port is not None:
        running.insecure = web.AppRunner(build_app(store, tokens=tokens, anonymous_admin=True),
                                         handler_cancellation=True, access_log=None)
        await running.insecure.setup()
        port = await _site(running.insecure, "127.0.0.1", config.insecure_port, None)
        running.insecure_url = f"http://127.0.0.1:{port}"
    kubeconfig.write(running.kubeconfig, url, paths.ca_cert_path(data_dir), certs.ensure_admin(data_dir))
    return running


async def _serve_forever(config: Config) -> None:
    running = await start(config)
    print(f"rktnetes apiserver: serving {running.url}; kubeconfig {running.kubeconfig}", flush=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(running.stop()))
    await running.closed.wait()


def run(config: Config) -> int:
    """Serve until SIGINT or SIGTERM."""
    import uvloop

    uvloop.run(_serve_forever(config))
    return 0
