"""The kubelet: its parts wired together and run until cancelled.

Everything runs on one event loop — heartbeats, the pod informer, the relist loop, the sync workers and
the HTTPS endpoint — because each spends its time waiting (on the API server, on ``rkt`` child processes,
on a timer); blocking filesystem work (listing rkt pods, stopping one) goes to worker threads. Handlers only
queue keys; ``sync`` is the only place that acts, so a pod is never handled by two workers at once. On the
way out (cancellation: SIGTERM or SIGINT) the Node is marked Ready=False; the pods keep running, supervised
by rkt, for the next kubelet to adopt.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from rktnetes.client import caching, interface, recording, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.client.queueing import WorkQueue
from rktnetes.kubelet import (
    certs,
    claims,
    endpoint,
    nodestatus,
    pullingrkt,
    registering,
    relisting,
    sandboxsyncing,
    syncing,
)
from rktnetes.kubelet.prober import Prober
from rktnetes.kubelet.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    node_name: str
    node_ip: str
    hostname: str
    rkt_dir: Path
    root_dir: Path
    port: int = 10250
    address: str = "0.0.0.0"
    pod_network: str = "default"
    insecure_options: str = ""
    node_netns: str | None = None
    rkt_local_config: Path | None = None
    cluster_dns: str = ""
    cluster_domain: str = "cluster.local"
    workers: int = 4
    relist_period: float = 1.0
    heartbeat_period: float = 10.0
    restart_backoff: float = 10.0
    client_ca: Path | None = None
    node_labels: tuple[tuple[str, str], ...] = ()
    node_taints: tuple[dict, ...] = ()
    pod_sandboxes: bool = False  # one rkt sandbox per pod, each container an app restarted alone


def _queue_handlers(informer: object, queue: WorkQueue) -> None:
    def add(obj: dict) -> None:
        queue.add(caching.key_of(obj))

    informer.add_handlers(add, lambda _old, new: add(new), add)


async def _endpoint(config: Config, runtime: Runtime) -> web.AppRunner:
    runner = web.AppRunner(endpoint.application(runtime, config.client_ca is not None), access_log=None)
    await runner.setup()
    context = certs.server_context(config.root_dir, config.hostname, config.node_ip, config.client_ca)
    await web.TCPSite(runner, config.address, config.port, ssl_context=context).start()
    return runner


async def serve(client: interface.Api, config: Config, clock: Clock | None = None) -> None:
    """Register the node, then run pods bound to it until cancelled."""
    config.root_dir.mkdir(parents=True, exist_ok=True)
    # a thread per sync worker (preparing, or stopping a pod for up to its grace period) and some to spare,
    # so relisting and the HTTPS endpoint never wait behind them
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(config.workers + 4, "kubelet"))
    me = nodestatus.Identity(config.node_name, config.node_ip, config.hostname, config.port, config.node_labels,
                             config.node_taints)
    agent = registering.NodeAgent(client, me, config.root_dir, clock, config.heartbeat_period)
    runtime = Runtime(config.rkt_dir, config.insecure_options, config.node_netns, config.rkt_local_config,
                      config.node_name)
    factory = sharing.InformerFactory(client, clock)
    pods = factory.informer("pods", field_selector=f"spec.nodeName={config.node_name}")
    queue = WorkQueue(clock)
    _queue_handlers(pods, queue)
    claims.follow(factory, pods, queue)
    recorder = recording.EventRecorder(client, "kubelet", config.node_name)
    settings = syncing.Settings(config.root_dir, config.node_ip, config.pod_network, config.restart_backoff,
                                memory_capacity=agent.machine.memory_bytes, cluster_dns=config.cluster_dns,
                                cluster_domain=config.cluster_domain)
    relister = relisting.Relister(runtime, queue, clock, config.relist_period)
    prober = Prober(pods.cache.list, lambda: relister.latest, runtime.enter_argv, queue.add, clock,
                    node_netns=config.node_netns or "")
    syncers = sandboxsyncing.SandboxSyncer if config.pod_sandboxes else syncing.PodSyncer
    syncer = syncers(client, pods.cache, runtime, settings, recorder, prober, pullingrkt.RktImages(runtime))
    runner = await _endpoint(config, runtime)
    tasks: list[asyncio.Task] = []
    try:
        await agent.register_until_done()
        factory.start()
        await factory.wait_for_sync()
        tasks = [asyncio.create_task(c) for c in (relister.run(), agent.run(), prober.run(),
                                                  running.run_workers(queue, syncer.sync, config.workers))]
        await asyncio.gather(*tasks)
    finally:
        await _shutdown(tasks, queue, factory, runner, agent, recorder)


async def _shutdown(tasks: list[asyncio.Task], queue: WorkQueue, factory: sharing.InformerFactory,
                    runner: web.AppRunner, agent: registering.NodeAgent,
                    recorder: recording.EventRecorder) -> None:
    queue.shutdown()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await factory.stop()
    await runner.cleanup()
    try:
        await agent.goodbye()
    except Exception as exc:  # noqa: BLE001 - the API server may be gone first; the node lifecycle copes
        log.warning("could not mark the node NotReady: %s", exc)
    await recorder.aclose()
