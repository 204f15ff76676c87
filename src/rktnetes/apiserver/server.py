"""Running the API server: PKI, store, built-in objects, HTTPS (and an optional plain-HTTP port), kubeconfig.

One event loop (uvloop) serves every request; the store does its blocking work off the loop. ``start`` returns
a ``Running`` handle so the local cluster can embed the server, ``run`` blocks until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from rktnetes import store as store_pkg
from rktnetes.apiserver import auth, bootstrap, certs, compaction, kubeconfig, paths
from rktnetes.apiserver import tokens as tokens_pkg
from rktnetes.apiserver.app import build_app
from rktnetes.apiserver.errors import ApiServerError
from rktnetes.store.protocol import Store

SHUTDOWN_TIMEOUT = 2.0  # open watches are cut, not waited for: clients re-watch from their last resourceVersion


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
    advertise_address: str | None = None
    event_ttl: int = 3600


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


# Python's default suites (ECDHE, AEAD or SHA-2 MACs; TLS >= 1.2), at security level 0 only so that a TLS 1.2
# client that sends no signature_algorithms (busybox wget, the tool in most small images) gets the RFC 5246
# default, a SHA-1 signature of the key exchange, instead of "no shared cipher"; kube-apiserver (Go) answers it
# so too. Clients that offer SHA-2 signatures (all others) still get them.
CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES:!aNULL:!eNULL:!SHA1:!AESCCM:@SECLEVEL=0"


def tls_context(data_dir: Path, sans: tuple[str, ...]) -> ssl.SSLContext:
    serving = certs.ensure_serving(data_dir, sans)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(paths.ca_cert_path(data_dir)))
    context.set_ciphers(CIPHERS)
    context.load_cert_chain(serving.cert, serving.key)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


def _bind(host: str, port: int) -> socket.socket:
    """Take the port first, so a busy port fails before anything is written."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise ApiServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


async def _open_store(config: Config) -> Store:
    if config.store_url:
        return await store_pkg.open_store(config.store_url)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return await store_pkg.open_store(paths.default_store_url(config.data_dir))


async def _serve(app: web.Application, sock: socket.socket, context: ssl.SSLContext | None) -> web.AppRunner:
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    await web.SockSite(runner, sock, ssl_context=context).start()
    return runner


async def _open_store_or_release(config: Config, *socks: socket.socket | None) -> Store:
    try:
        return await _open_store(config)
    except BaseException:
        for sock in socks:
            if sock is not None:
                sock.close()
        raise


def _app(config: Config, store: Store, port: int, **kw) -> web.Application:
    tokens = auth.load_tokens(config.token_file or paths.token_file_path(config.data_dir))
    kubelet_client = certs.ensure_client(config.data_dir, certs.KUBELET_CLIENT, (certs.ADMIN_GROUP,))
    return build_app(store, tokens=tokens, server_address=f"{config.host}:{port}", kubelet_client=kubelet_client,
                     bookmark_interval=config.bookmark_interval, event_ttl=config.event_ttl,
                     signer=tokens_pkg.Signer(config.data_dir), **kw)


async def start(config: Config) -> Running:
    """Start serving; the handle to stop it."""
    sock = _bind(config.host, config.port)
    insecure = _bind("127.0.0.1", config.insecure_port) if config.insecure_port is not None else None
    store = await _open_store_or_release(config, sock, insecure)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    context = tls_context(config.data_dir, (config.host, *config.sans))
    port = sock.getsockname()[1]
    app = _app(config, store, port)
    url = f"https://{config.host}:{port}"
    running = Running(url, config.kubeconfig or paths.kubeconfig_path(config.data_dir), store,
                      await _serve(app, sock, context))
    advertise = config.advertise_address or (config.host if config.host not in ("0.0.0.0", "::") else "127.0.0.1")
    await bootstrap.ensure_builtins(app["objects"], port, advertise)
    gc.freeze()  # the schemas and tables loaded so far live forever: full collections skip them (47 -> 6 ms pauses)
    running.compactor = compaction.Compactor(store, config.compaction_interval)
    running.compactor.start()
    if insecure is not None:
        running.insecure = await _serve(_app(config, store, port, anonymous_admin=True), insecure, None)
        running.insecure_url = f"http://127.0.0.1:{insecure.getsockname()[1]}"
    kubeconfig.write(running.kubeconfig, url, paths.ca_cert_path(config.data_dir), certs.ensure_admin(config.data_dir))
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
