"""The pod lifecycle event generator: relist rkt every ``period`` seconds and queue the pods that changed.

rkt has no event stream — a pod's state is its folder and its lock — so, as the kubelet's PLEG does with a
container runtime, this loop lists every rkt pod the kubelet made, reduces each Kubernetes pod to a
fingerprint of what its status is computed from, and queues the keys whose fingerprint changed (appeared,
changed, or disappeared). The first relist queues everything found: that is how pods left running by a
previous kubelet are adopted (or cleaned up) after a restart.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from rktnetes.client.clock import Clock, LoopClock
from rktnetes.client.queueing import WorkQueue
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.runtime import Runtime

log = logging.getLogger(__name__)


def fingerprint(rkt: RktPod) -> tuple:
    return (rkt.info.uuid, rkt.info.state, tuple(a.exit_code for a in rkt.info.apps), rkt.ip)


def fingerprints(pods: list[RktPod]) -> dict[str, tuple]:
    """Key → the fingerprints of all its rkt pods, in order."""
    found: dict[str, list[tuple]] = defaultdict(list)
    for rkt in pods:
        found[rkt.key].append(fingerprint(rkt))
    return {key: tuple(prints) for key, prints in found.items()}


class Relister:
    def __init__(self, runtime: Runtime, queue: WorkQueue, clock: Clock | None = None, period: float = 1.0) -> None:
        self.runtime, self.queue, self.clock, self.period = runtime, queue, clock or LoopClock(), period
        self.seen: dict[str, tuple] = {}
        self.latest: list[RktPod] = []  # the last listing (the prober reads it: no second relist)
        self.relists = 0

    async def relist(self) -> list[str]:
        """One look at rkt; returns (and queues) the keys whose rkt pods changed since the last look."""
        self.latest = await self.runtime.pods()
        now = fingerprints(self.latest)
        changed = [key for key in now.keys() | self.seen.keys() if now.get(key) != self.seen.get(key)]
        for key in sorted(changed):
            self.queue.add(key)
        self.seen = now
        self.relists += 1
        return changed

    async def run(self) -> None:
        while True:
            try:
                await self.relist()
            except Exception as exc:  # noqa: BLE001 - a failed look is tried again at the next tick
                log.warning("relisting rkt pods failed: %s", exc)
            await self.clock.sleep(self.period)
