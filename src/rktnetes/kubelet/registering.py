"""The node's side of node health: register the Node, keep its status and its Lease fresh, say goodbye.

One loop on the injected clock does both heartbeats every ``period`` seconds (10 s, the kubelet's defaults):
the Lease in kube-node-lease (cheap: what the node lifecycle controller watches) and the Node status
(conditions, capacity). A failed heartbeat is logged and tried again at the next tick: the API server being
away for a while must not stop the kubelet. On a clean shutdown ``goodbye()`` writes Ready=False.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rktnetes.client import errors, interface, leasing
from rktnetes.client.clock import Clock, LoopClock
from rktnetes.kubelet import machine, nodestatus

log = logging.getLogger(__name__)
Obj = dict[str, Any]
LEASE_NAMESPACE = "kube-node-lease"
LEASE_SECONDS = 40


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lease_for(node: Obj) -> Obj:
    meta = node["metadata"]
    owner = {"apiVersion": "v1", "kind": "Node", "name": meta["name"], "uid": meta["uid"]}
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": meta["name"], "namespace": LEASE_NAMESPACE, "ownerReferences": [owner]},
            "spec": {"holderIdentity": meta["name"], "leaseDurationSeconds": LEASE_SECONDS,
                     "renewTime": leasing.micro_now()}}


class NodeAgent:
    def __init__(self, client: interface.Api, me: nodestatus.Identity, storage_dir: Path,
                 clock: Clock | None = None, period: float = 10.0) -> None:
        self.client, self.me, self.storage_dir = client, me, storage_dir
        self.clock, self.period = clock or LoopClock(), period
        self.machine = machine.probe(storage_dir)
        self.node: Obj = {}
        self.lease: Obj | None = None

    async def register(self) -> Obj:
        """Create the Node (or take over the existing one) and write its first status."""
        try:
            self.node = await self.client.create("nodes", nodestatus.node(self.machine, self.me))
        except errors.AlreadyExists:
            self.node = await self.client.get("nodes", self.me.name)
        await self.report()
        await self.renew()
        return self.node

    async def register_until_done(self, first_wait: float = 0.5, max_wait: float = 10.0) -> Obj:
        """``register()``, tried again (waits doubling to ``max_wait``) while the API server cannot be reached
        or fails: a kubelet started before its API server waits for it, as kubelets do."""
        wait = first_wait
        while True:
            try:
                return await self.register()
            except (errors.TransportError, errors.ServerError) as exc:
                log.warning("registering node %s: %s (again in %.1fs)", self.me.name, exc, wait)
            await self.clock.sleep(wait)
            wait = min(wait * 2, max_wait)

    async def report(self, ready: tuple[str, str, str] | None = None) -> None:
        old = (self.node.get("status") or {}).get("conditions") or []
        pressure = machine.pressure(self.storage_dir)
        status = nodestatus.status(self.machine, self.me, pressure, now_text(), old, ready)
        self.node = await self.client.patch("nodes", self.me.name, {"status": status}, subresource="status")

    async def renew(self) -> None:
        """Renew the Lease (create it the first time); a lost race is settled by reading it again next time."""
        if self.lease is None:
            try:
                self.lease = await self.client.get("leases", self.me.name, LEASE_NAMESPACE)
            except errors.NotFound:
                self.lease = await self.client.create("leases", lease_for(self.node), LEASE_NAMESPACE)
                return
        spec = {**self.lease.get("spec", {}), "holderIdentity": self.me.name, "renewTime": leasing.micro_now()}
        try:
            self.lease = await self.client.update("leases", {**self.lease, "spec": spec}, LEASE_NAMESPACE)
        except (errors.Conflict, errors.NotFound):
            self.lease = None
            raise

    async def beat(self) -> None:
        for step in (self.renew, self.report):
            try:
                await step()
            except Exception as exc:  # noqa: BLE001 - a missed heartbeat is retried at the next tick
                log.warning("heartbeat (%s) failed: %s", step.__name__, exc)

    async def run(self) -> None:
        """Heartbeats for ever (cancel to stop)."""
        while True:
            await self.clock.sleep(self.period)
            await self.beat()

    async def goodbye(self) -> None:
        """Ready=False with reason KubeletStopped: the node stops claiming it runs pods."""
        await self.report(nodestatus.NOT_READY_ON_SHUTDOWN)
