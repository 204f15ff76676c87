"""The controller manager: the chosen controllers on one shared InformerFactory, under one leader Lease.

Every controller registers its informers on the same factory before it starts, so five controllers reading pods
share one watch and one cache; the factory is started once, and workers begin only after every cache has
listed (a controller acting on a half-filled cache would create pods that already exist). Leader election
(``client.leasing``) guarantees one active manager among replicas: losing the Lease cancels all the work.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Callable

from rktnetes.client import interface, leasing, sharing
from rktnetes.client.clock import Clock, LoopClock
from rktnetes.controllers import (
    cronjob,
    daemonset,
    deployment,
    endpoints,
    endpointslice,
    errors,
    garbagecollector,
    job,
    nodelifecycle,
    persistentvolume,
    persistentvolumeprotection,
    podgc,
    replicaset,
    statefulset,
    ttlafterfinished,
)
from rktnetes.controllers.controller import Controller

log = logging.getLogger(__name__)
Factory = Callable[[interface.Api, sharing.InformerFactory, Clock], Controller]
LEASE = "kube-controller-manager"


def registry() -> dict[str, Factory]:
    """Every controller by the name ``--controllers`` uses."""
    kinds: list[type[Controller]] = [replicaset.ReplicaSetController, replicaset.ReplicationControllerController,
                                     deployment.DeploymentController, garbagecollector.GarbageCollector,
                                     endpoints.EndpointsController, endpointslice.EndpointSliceController,
                                     job.JobController, cronjob.CronJobController, daemonset.DaemonSetController,
                                     statefulset.StatefulSetController, nodelifecycle.NodeLifecycleController,
                                     ttlafterfinished.TTLAfterFinishedController, podgc.PodGCController,
                                     persistentvolume.PersistentVolumeController,
                                     persistentvolumeprotection.PVCProtectionController,
                                     persistentvolumeprotection.PVProtectionController]
    return {cls.name: cls for cls in kinds}


def select(names: list[str] | None) -> dict[str, Factory]:
    """The controllers named, as kube-controller-manager's ``--controllers``: empty or ``*`` is all of them,
    ``-name`` leaves one out; an unknown name is ``UnknownController``."""
    known = registry()
    names = list(names or [])
    unknown = [n for n in names if n.removeprefix("-") not in known and n != "*"]
    if unknown:
        raise errors.UnknownController(f"unknown controller {unknown[0]!r} (known: {', '.join(sorted(known))})")
    chosen = [n for n in names if n != "*" and not n.startswith("-")]
    if "*" in names or not chosen:
        chosen = list(known)
    return {n: known[n] for n in chosen if f"-{n}" not in names}


async def run(client: interface.Api, names: list[str] | None = None, *, workers: int = 2,
              clock: Clock | None = None, options: dict[str, dict] | None = None) -> None:
    """Build, sync and run the controllers until cancelled; ``options``: keyword arguments by controller name
    (``{"persistentvolume-binder": {"hostpath_dir": Path(...)}}``)."""
    clock = clock or LoopClock()
    factory = sharing.InformerFactory(client, clock)
    controllers = [make(client, factory, clock, **(options or {}).get(name, {}))
                   for name, make in select(names).items()]
    factory.start()
    try:
        await factory.wait_for_sync()
        log.info("controllers running: %s", ", ".join(c.name for c in controllers))
        await asyncio.gather(*(c.run(workers) for c in controllers))
    finally:
        for controller in controllers:
            controller.shutdown()
        await factory.stop()


async def run_elected(client: interface.Api, names: list[str] | None = None, *, workers: int = 2,
                      namespace: str = "kube-system", identity: str | None = None,
                      options: dict[str, dict] | None = None) -> None:
    """``run`` while holding the ``kube-controller-manager`` Lease."""
    select(names)
    identity = identity or f"{socket.gethostname()}_{uuid.uuid4().hex[:8]}"
    elector = leasing.LeaderElector(client, LEASE, identity, namespace)
    await elector.run(lambda: run(client, names, workers=workers, options=options))
