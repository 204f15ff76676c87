"""Each running container's probes on their own schedule, and the verdicts ``sync`` reads.

A loop ticks every ``tick`` seconds on the injected clock and runs, concurrently, every probe that is due
(startup, readiness and liveness of each container of each running rkt pod, after ``initialDelaySeconds``,
every ``periodSeconds``; a startup probe runs alone until it passes). A verdict changes only after
``successThreshold`` successes or ``failureThreshold`` failures in a row, as in Kubernetes; when one changes
(or a startup probe gives up), the pod's key is queued, so ``sync`` — the only place that acts — marks the
container (un)ready or restarts a pod whose liveness failed. Verdicts are kept per rkt pod: a restarted pod
(a new rkt pod) starts unready and presumed live again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rktnetes.client.caching import key_of
from rktnetes.client.clock import Clock, LoopClock
from rktnetes.kubelet import probing
from rktnetes.kubelet.rktpods import RktPod

log = logging.getLogger(__name__)
Obj = dict[str, Any]
KINDS = {"startup": ("startupProbe", False), "readiness": ("readinessProbe", False),
         "liveness": ("livenessProbe", True)}  # kind -> field, verdict presumed before any result


@dataclass
class Verdict:
    passing: bool
    due: float
    successes: int = 0
    failures: int = 0
    running: bool = False


def record(verdict: Verdict, passed: bool, spec: Obj) -> bool:
    """Count one result; True when the verdict flipped."""
    before = verdict.passing
    if passed:
        verdict.successes, verdict.failures = verdict.successes + 1, 0
        if verdict.successes >= int(spec.get("successThreshold") or 1):
            verdict.passing = True
    else:
        verdict.failures, verdict.successes = verdict.failures + 1, 0
        if verdict.failures >= int(spec.get("failureThreshold") or 3):
            verdict.passing = False
    return verdict.passing != before


class Prober:
    def __init__(self, pods: Callable[[], list[Obj]], rkt_pods: Callable[[], list[RktPod]],
                 enter_argv: Callable[[str, str, list[str]], list[str]], on_change: Callable[[str], None],
                 clock: Clock | None = None, tick: float = 0.5, node_netns: str = "") -> None:
        self.pods, self.rkt_pods, self.enter_argv, self.on_change = pods, rkt_pods, enter_argv, on_change
        self.clock, self.tick, self.node_netns = clock or LoopClock(), tick, node_netns
        self.verdicts: dict[tuple[str, str, str], Verdict] = {}

    def forget(self, uuid: str, container: str) -> None:
        """Drop the verdicts on ``container`` of rkt pod ``uuid``: a new run of it (in a sandbox) starts afresh."""
        self.verdicts = {k: v for k, v in self.verdicts.items() if k[:2] != (uuid, container)}

    def _passing(self, rkt: RktPod, container: Obj, kind: str) -> bool:
        field, presumed = KINDS[kind]
        if not container.get(field):
            return True
        verdict = self.verdicts.get((rkt.info.uuid, container["name"], kind))
        return presumed if verdict is None else verdict.passing

    def startup_failed(self, rkt: RktPod, container: Obj) -> bool:
        """The startup probe failed ``failureThreshold`` times before it ever passed."""
        verdict = self.verdicts.get((rkt.info.uuid, container["name"], "startup"))
        threshold = int((container.get("startupProbe") or {}).get("failureThreshold") or 3)
        return verdict is not None and not verdict.passing and verdict.failures >= threshold

    def passing(self, rkt: RktPod, container: Obj, kind: str) -> bool:
        """Whether ``container`` in ``rkt`` is ready (``readiness``: never before its startup probe passed)
        or alive (``liveness``: its startup probe has not given up either). No probe: it passes."""
        if kind == "liveness":
            return self._passing(rkt, container, "liveness") and not self.startup_failed(rkt, container)
        return self._passing(rkt, container, "startup") and self._passing(rkt, container, kind)

    def failing(self, pod: Obj, rkt: RktPod, kind: str) -> list[str]:
        """Names of the pod's containers in ``rkt`` whose ``kind`` verdict does not pass."""
        return [c["name"] for c in (pod.get("spec") or {}).get("containers") or [] if not self.passing(rkt, c, kind)]

    def _verdict(self, rkt: RktPod, name: str, kind: str, spec: Obj) -> Verdict:
        key = (rkt.info.uuid, name, kind)
        if key not in self.verdicts:
            waited = time.time() - (rkt.info.started or time.time())
            delay = max(0.0, float(spec.get("initialDelaySeconds") or 0) - waited)
            self.verdicts[key] = Verdict(KINDS[kind][1], self.clock.now() + delay)
        return self.verdicts[key]

    def _due_in(self, pod: Obj, rkt: RktPod, now: float) -> list[tuple[Obj, RktPod, Obj, str, Verdict]]:
        found = []
        for container in (pod.get("spec") or {}).get("containers") or []:
            started = self._passing(rkt, container, "startup")
            for kind, (field, _) in KINDS.items():
                if not container.get(field) or (kind == "startup") == started:
                    continue  # the startup probe runs until it passes; the others only after
                verdict = self._verdict(rkt, container["name"], kind, container[field])
                if verdict.due <= now and not verdict.running:
                    found.append((pod, rkt, container, kind, verdict))
        return found

    def due(self) -> list[tuple[Obj, RktPod, Obj, str, Verdict]]:
        """(pod, rkt pod, container, kind, verdict) of every probe to run now; forgets gone rkt pods."""
        running = {r.uid: r for r in self.rkt_pods() if r.running and not r.init}
        found, now = [], self.clock.now()
        for pod in self.pods():
            rkt = running.get(pod["metadata"]["uid"])
            if rkt is not None:
                found += self._due_in(pod, rkt, now)
        alive = {r.info.uuid for r in running.values()}
        self.verdicts = {k: v for k, v in self.verdicts.items() if k[0] in alive}
        return found

    async def _probe(self, pod: Obj, rkt: RktPod, container: Obj, kind: str, verdict: Verdict) -> None:
        spec = container[KINDS[kind][0]]
        verdict.running = True
        try:
            passed = await probing.run(spec, container, rkt.info.netns or self.node_netns,
                                       lambda cmd: self.enter_argv(rkt.info.uuid, container["name"], cmd))
        finally:
            verdict.running = False
            verdict.due = self.clock.now() + float(spec.get("periodSeconds") or 10)
        gave_up = kind == "startup" and not passed and verdict.failures + 1 == int(spec.get("failureThreshold") or 3)
        if record(verdict, passed, spec) or gave_up:
            log.info("%s %s of %s: %s", key_of(pod), kind, container["name"], "passing" if passed else "failing")
            self.on_change(key_of(pod))

    async def run(self) -> None:
        tasks: set[asyncio.Task] = set()
        try:
            while True:
                for args in self.due():
                    task = asyncio.create_task(self._probe(*args))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                await self.clock.sleep(self.tick)
        finally:
            for task in tasks:
                task.cancel()
