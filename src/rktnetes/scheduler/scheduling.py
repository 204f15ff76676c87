"""The scheduler: watch pods and nodes, place each unscheduled pod of ours, bind it, report when none fits.

Pods are keys in one work queue (an informer handler only enqueues). A decision — snapshot, filter, score,
assume — runs without awaiting, so with several workers no two decisions interleave, and the assume cache makes
each one see the pods placed before it even while their bind calls are in flight.
"""

from __future__ import annotations

import logging
from typing import Any

from rktnetes.client import caching, errors, interface, queueing, recording, running, sharing
from rktnetes.client.clock import Clock, LoopClock
from rktnetes.scheduler import algorithm, assuming, eventing, nodeinfo, reporting
from rktnetes.scheduler.assuming import AssumeCache
from rktnetes.scheduler.errors import FitError
from rktnetes.scheduler.tracking import NodeTracker
from rktnetes.scheduler.unschedulable import FLUSH_AFTER, UnschedulablePods

log = logging.getLogger(__name__)
Obj = dict[str, Any]
DEFAULT_NAME = "default-scheduler"


def _spec(pod: Obj) -> Obj:
    return pod.get("spec") or {}


class Scheduler:
    def __init__(self, client: interface.Api, *, clock: Clock | None = None, name: str = DEFAULT_NAME) -> None:
        self.client, self.name, self.clock = client, name, clock or LoopClock()
        self.factory = sharing.InformerFactory(client, self.clock)
        self.pods = self.factory.informer("pods")
        self.nodes = self.factory.informer("nodes")
        self.queue = queueing.WorkQueue(self.clock)
        self.tracker = NodeTracker()
        self.assumed = AssumeCache(self.clock, self.tracker)
        self.waiting = UnschedulablePods(self.clock, self.queue)
        self.recorder = eventing.EventSink(recording.EventRecorder(client, name))
        self.pods.add_handlers(self._pod_added, self._pod_updated, self._pod_deleted)
        self.nodes.add_handlers(self._node_added, self._node_updated, self._node_deleted)

    def wants(self, pod: Obj) -> bool:
        """Is ``pod`` ours to place: unbound, naming this scheduler, ungated, not finished or being deleted?"""
        spec = _spec(pod)
        return (not spec.get("nodeName") and (spec.get("schedulerName") or DEFAULT_NAME) == self.name
                and not spec.get("schedulingGates")
                and not (pod.get("metadata") or {}).get("deletionTimestamp")
                and (pod.get("status") or {}).get("phase") not in nodeinfo.TERMINAL_PHASES)

    def _pod_added(self, pod: Obj) -> None:
        if self.wants(pod):
            self.queue.add(caching.key_of(pod))
        elif _spec(pod).get("nodeName"):
            self._bound(pod)
            self.waiting.cluster_changed()

    def _bound(self, pod: Obj) -> None:
        self.tracker.place(pod, _spec(pod)["nodeName"])
        self.assumed.confirmed(assuming.uid_of(pod))

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        if _spec(new).get("nodeName"):
            self._bound(new)
            if not _spec(old).get("nodeName") or nodeinfo.counts(old) != nodeinfo.counts(new):
                self.waiting.cluster_changed()  # a pod arrived (affinity) or finished (room freed)
            return
        if caching.key_of(new) in self.waiting and _spec(old) == _spec(new) and (
                old.get("metadata") or {}).get("labels") == (new.get("metadata") or {}).get("labels"):
            return  # only our own status report changed: wait for the cluster instead
        if self.wants(new):
            self.queue.add(caching.key_of(new))

    def _pod_deleted(self, pod: Obj) -> None:
        self.assumed.confirmed(assuming.uid_of(pod))
        self.tracker.remove(assuming.uid_of(pod))
        self.waiting.forget(caching.key_of(pod))
        if _spec(pod).get("nodeName"):
            self.waiting.cluster_changed()

    def _node_added(self, node: Obj) -> None:
        self.tracker.set_node(node)
        self.waiting.cluster_changed()

    def _node_updated(self, old: Obj, new: Obj) -> None:
        self.tracker.set_node(new)
        if reporting.node_fit_view(old) != reporting.node_fit_view(new):
            self.waiting.cluster_changed()

    def _node_deleted(self, node: Obj) -> None:
        self.tracker.remove_node(node)
        self.waiting.cluster_changed()

    def snapshot(self) -> nodeinfo.Snapshot:
        """The nodes with the pods bound or assumed to them, as they stand."""
        self.assumed.expire()
        return self.tracker.snapshot()

    async def schedule(self, key: str) -> running.Result | None:
        """Place the pod named ``key`` (the work queue's reconcile)."""
        pod = self.pods.cache.get(key)
        if pod is None or not self.wants(pod) or assuming.uid_of(pod) in self.assumed:
            return None
        try:
            node = algorithm.place(pod, self.snapshot())
        except FitError as exc:
            backoff = self.waiting.failed(key)
            log.info("%s: %s (retry in %.0f s at the earliest)", key, exc.message, backoff)
            await reporting.unschedulable(self.client, self.recorder, pod, exc.message)
            return running.Result(requeue_after=FLUSH_AFTER)
        self.assumed.assume(pod, node)
        await self._bind(key, pod, node)
        return None

    async def _bind(self, key: str, pod: Obj, node: str) -> None:
        uid = assuming.uid_of(pod)
        try:
            await reporting.bind(self.client, pod, node)
        except (errors.Conflict, errors.NotFound):
            self.assumed.forget(uid)  # bound by someone else meanwhile, or deleted: nothing left to do
            return
        except Exception:
            self.assumed.forget(uid)
            raise
        self.assumed.finish_binding(uid)
        self.waiting.forget(key)
        self.recorder.emit(pod, recording.NORMAL, "Scheduled", f"Successfully assigned {key} to {node}")

    async def run(self, workers: int = 8) -> None:
        """Sync the informers, then schedule until cancelled."""
        self.factory.start()
        try:
            await self.factory.wait_for_sync()
            await running.run_workers(self.queue, self.schedule, workers)
        finally:
            self.queue.shutdown()
            await self.factory.stop()
            await self.recorder.aclose()
