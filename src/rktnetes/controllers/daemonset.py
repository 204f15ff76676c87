"""DaemonSets: one pod on every eligible node, replaced node by node when the template changes.

``reconcile`` groups the DaemonSet's pods by node, creates the missing ones on eligible nodes, deletes pods on
nodes that are gone or no longer eligible (and duplicates), and for a RollingUpdate deletes old-template pods
while at most ``maxUnavailable`` of the DaemonSet's pods are unavailable (their replacement is created by
the next reconcile). Node events requeue every DaemonSet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import claiming, daemonplacement, podstate
from rktnetes.controllers.controller import Controller
from rktnetes.controllers.expectations import Expectations

Obj = dict[str, Any]
DAEMONSETS = "daemonsets.apps"


def by_node(pods: list[Obj]) -> dict[str, list[Obj]]:
    out: dict[str, list[Obj]] = {}
    for pod in pods:
        out.setdefault((pod.get("spec") or {}).get("nodeName") or "", []).append(pod)
    return out


def max_unavailable(daemonset: Obj, desired: int) -> int:
    rolling = ((daemonset["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {})
    value = rolling.get("maxUnavailable", 1)
    if isinstance(value, str) and value.endswith("%"):
        return max(1, int(value[:-1]) * desired // 100)
    return max(1, int(value))


class DaemonSetController(Controller):
    name = "daemonset"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.expectations = Expectations(self.clock)
        self.daemonsets = factory.informer(DAEMONSETS)
        self.nodes = factory.informer("nodes")
        self.pods = factory.informer("pods", indexers={"owner": caching.by_owner_uid})
        self.follow(self.daemonsets)
        self.pods.add_handlers(self._pod_event, lambda _old, new: self._pod_event(new), self._pod_event)
        self.nodes.add_handlers(self._node_event, self._node_event, self._node_event)

    def _node_event(self, *_nodes: Obj) -> None:
        for ds in self.daemonsets.cache.list():
            self.enqueue(ds)

    def _pod_event(self, pod: Obj) -> None:
        self.enqueue_owner(pod, "DaemonSet")

    async def reconcile(self, key: str) -> running.Result | None:
        ds = self.daemonsets.cache.get(key)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            self.expectations.forget(key)
            return None
        pods = [p for p in claiming.claim(ds, self.pods.cache.by_index("owner", ds["metadata"]["uid"])).owned
                if podstate.is_active(p)]
        eligible = {n["metadata"]["name"] for n in self.nodes.cache.list() if daemonplacement.fits(ds, n)}
        placed = by_node(pods)
        names = {p["metadata"]["name"] for p in self.pods.cache.list(ds["metadata"]["namespace"])}
        flight = self.expectations.settle(key, names.__contains__, lambda n: n not in names)
        doomed = [p for node, group in placed.items() for p in (group if node not in eligible else group[1:])]
        if not flight.creates:
            await self._create(key, ds, sorted(eligible - placed.keys()))
            doomed += self._outdated(ds, placed, eligible)
        await self._delete(key, ds, doomed)
        await self._write(ds, placed, eligible)
        later = podstate.next_available(pods, int(ds["spec"].get("minReadySeconds") or 0), datetime.now(UTC))
        return running.Result(requeue_after=later) if later is not None else None

    async def _create(self, key: str, ds: Obj, nodes: list[str]) -> None:
        for node in nodes:
            pod = await self.client.create("pods", daemonplacement.pod_for_node(ds, node), ds["metadata"]["namespace"])
            self.expectations.created(key, pod["metadata"]["name"])
            self.event(ds, "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")

    def _outdated(self, ds: Obj, placed: dict[str, list[Obj]], eligible: set[str]) -> list[Obj]:
        if ((ds["spec"].get("updateStrategy") or {}).get("type") or "RollingUpdate") != "RollingUpdate":
            return []
        now, min_ready = datetime.now(UTC), int(ds["spec"].get("minReadySeconds") or 0)
        current = [placed[n][0] for n in eligible if n in placed]
        unavailable = len(eligible) - sum(podstate.is_available(p, min_ready, now) for p in current)
        budget = max_unavailable(ds, len(eligible)) - unavailable
        old = [p for p in current if not daemonplacement.is_current(ds, p)]
        old.sort(key=lambda p: podstate.is_available(p, min_ready, now))
        unready_old = [p for p in old if not podstate.is_available(p, min_ready, now)]
        return unready_old + [p for p in old if p not in unready_old][:max(budget, 0)]

    async def _delete(self, key: str, ds: Obj, pods: list[Obj]) -> None:
        for pod in pods:
            self.expectations.deleted(key, pod["metadata"]["name"])
            try:
                await self.client.delete("pods", pod["metadata"]["name"], ds["metadata"]["namespace"])
            except errors.NotFound:
                continue

    async def _write(self, ds: Obj, placed: dict[str, list[Obj]], eligible: set[str]) -> None:
        now, min_ready = datetime.now(UTC), int(ds["spec"].get("minReadySeconds") or 0)
        mine = [placed[n][0] for n in eligible if n in placed]
        status = {**(ds.get("status") or {}), "desiredNumberScheduled": len(eligible),
                  "currentNumberScheduled": len(mine),
                  "numberMisscheduled": len([n for n in placed if n not in eligible]),
                  "numberReady": sum(podstate.is_ready(p) for p in mine),
                  "numberAvailable": sum(podstate.is_available(p, min_ready, now) for p in mine),
                  "updatedNumberScheduled": sum(daemonplacement.is_current(ds, p) for p in mine),
                  "observedGeneration": ds["metadata"].get("generation", 1)}
        status["numberUnavailable"] = len(eligible) - status["numberAvailable"]
        if status != (ds.get("status") or {}):
            await self.client.patch(DAEMONSETS, ds["metadata"]["name"], {"status": status}, "merge",
                                    ds["metadata"]["namespace"], subresource="status")

