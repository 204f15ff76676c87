"""Running the scheduler as a process: optionally behind leader election on the ``kube-scheduler`` Lease in
kube-system (as kube-scheduler does), so that of several replicas exactly one schedules at a time; a replica
that loses the Lease stops scheduling (its informers and queue go with it) and competes again."""

from __future__ import annotations

import logging
import socket
import uuid

from rktnetes.client import interface, leasing
from rktnetes.client.clock import Clock
from rktnetes.scheduler.scheduling import DEFAULT_NAME, Scheduler

log = logging.getLogger(__name__)
LEASE_NAME = "kube-scheduler"


def identity() -> str:
    """This replica's name in the Lease: host name and a random suffix (two on one host differ)."""
    return f"{socket.gethostname()}_{uuid.uuid4()}"


async def serve(client: interface.Api, *, name: str = DEFAULT_NAME, leader_elect: bool = True, workers: int = 8,
                lease_namespace: str = "kube-system", clock: Clock | None = None, who: str | None = None) -> None:
    """Schedule until cancelled; with ``leader_elect`` only while holding the Lease (re-competing after a loss)."""
    if not leader_elect:
        await Scheduler(client, name=name, clock=clock).run(workers)
        return
    elector = leasing.LeaderElector(client, LEASE_NAME if name == DEFAULT_NAME else name, who or identity(),
                                    lease_namespace, clock=clock)
    while True:
        log.info("%s: competing for the Lease %s/%s", elector.identity, lease_namespace, elector.name)
        await elector.run(lambda: Scheduler(client, name=name, clock=clock).run(workers))
        log.warning("%s: lost leadership, competing again", elector.identity)
