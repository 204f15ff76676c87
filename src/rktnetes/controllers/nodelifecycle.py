"""The node lifecycle controller: notices nodes whose kubelet went quiet, taints nodes by their Ready
condition, and evicts the pods of NoExecute-tainted nodes once their tolerations run out.

Heartbeats are the node's Ready ``lastHeartbeatTime`` and its Lease in kube-node-lease; as in leader election,
silence is measured on *our* clock from when we last saw either change, never by comparing our wall clock with
the kubelet's timestamps. When no node at all is Ready, nothing is evicted (we are more likely cut off than
they all failed). Each node is a key reconciled level-based and looked at again every
``monitor_period``, so the grace period and tolerationSeconds are met on the injected clock without a timer
per pod.
"""

from __future__ import annotations

from typing import Any

from rktnetes.api import meta
from rktnetes.client import caching, interface, recording, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers.controller import Controller
from rktnetes.scheduler import matching

Obj = dict[str, Any]
NOT_READY, UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
OURS = (NOT_READY, UNREACHABLE, UNSCHEDULABLE)
LEASE_NAMESPACE, NODE_INDEX = "kube-node-lease", "node"
GRACE_PERIOD, MONITOR_PERIOD = 40.0, 5.0


def condition(node: Obj, type_: str) -> Obj | None:
    return next((c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == type_), None)


def wanted_taints(node: Obj) -> list[Obj]:
    """The taints this controller keeps on a node: by its Ready status, and for a cordoned node."""
    ready = (condition(node, "Ready") or {}).get("status")  # none yet: a new node gets the grace period
    keys = {"False": [NOT_READY], "Unknown": [UNREACHABLE]}.get(ready, [])
    taints = [{"key": k, "effect": e} for k in keys for e in ("NoSchedule", "NoExecute")]
    if (node.get("spec") or {}).get("unschedulable"):
        taints.append({"key": UNSCHEDULABLE, "effect": "NoSchedule"})
    return taints


def merged_taints(node: Obj) -> list[Obj]:
    """The node's taints with ours brought up to date (others' kept; a taint already present keeps its time)."""
    current = (node.get("spec") or {}).get("taints") or []
    have = {(t.get("key"), t.get("effect")): t for t in current}
    ours = [have.get((t["key"], t["effect"])) or {**t, **({"timeAdded": meta.now()} if t["effect"] == "NoExecute"
                                                             else {})} for t in wanted_taints(node)]
    return [t for t in current if t.get("key") not in OURS] + ours


def eviction_delay(pod: Obj, taints: list[Obj]) -> float | None:
    """Seconds a pod may stay under these NoExecute taints: 0 if one is not tolerated, the least
    tolerationSeconds of the matching tolerations, None when it tolerates them all for ever."""
    delay = None
    for taint in taints:
        matches = [t for t in matching.tolerations_of(pod) if matching.tolerates(t, taint)]
        if not matches:
            return 0.0
        for toleration in matches:
            if toleration.get("tolerationSeconds") is not None:
                seconds = max(0.0, float(toleration["tolerationSeconds"]))
                delay = seconds if delay is None else min(delay, seconds)
    return delay


class NodeLifecycleController(Controller):
    name = "nodelifecycle"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None, *,
                 grace_period: float = GRACE_PERIOD, monitor_period: float = MONITOR_PERIOD) -> None:
        super().__init__(client, factory, clock)
        self.grace_period, self.monitor_period = grace_period, monitor_period
        self.nodes = factory.informer("nodes")
        self.leases = factory.informer("leases", LEASE_NAMESPACE)
        self.pods = factory.informer("pods", indexers={NODE_INDEX: caching.by_field("spec.nodeName")})
        self.recorder = recording.EventRecorder(client, "node-controller")
        self.follow(self.nodes)
        self.leases.add_handlers(self.enqueue, lambda _old, new: self.enqueue(new), None)
        self.pods.add_handlers(self._pod_changed, lambda _old, new: self._pod_changed(new), None)
        self._heard: dict[str, tuple[tuple, float]] = {}
        self._tainted_at: dict[tuple[str, str], float] = {}

    def enqueue(self, obj: Obj) -> None:
        self.queue.add((obj.get("metadata") or {}).get("name", ""))  # a node, or its Lease of the same name

    def _pod_changed(self, pod: Obj) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        if node:
            self.queue.add(node)

    def silent_for(self, node: Obj) -> float:
        """Seconds (our clock) since the node's status heartbeat or Lease last moved."""
        name = node["metadata"]["name"]
        lease = self.leases.cache.get(f"{LEASE_NAMESPACE}/{name}") or {}
        beat = ((condition(node, "Ready") or {}).get("lastHeartbeatTime"), (lease.get("spec") or {}).get("renewTime"))
        seen = self._heard.get(name)
        if seen is None or seen[0] != beat:
            self._heard[name] = seen = (beat, self.clock.now())
        return self.clock.now() - seen[1]

    async def reconcile(self, key: str) -> running.Result | None:
        node = self.nodes.cache.get(key)
        if node is None:  # deleted: forget what we timed for it
            self._heard.pop(key, None)
            self._tainted_at = {k: v for k, v in self._tainted_at.items() if k[0] != key}
            return None
        silent = self.silent_for(node)
        if silent >= self.grace_period:
            node = await self._mark_unknown(node)
        if (condition(node, "Ready") or {}).get("status") == "Unknown":
            await self._mark_pods_not_ready(node)
        node = await self._taint(node)
        wait = await self._evict(node)
        grace_left = self.grace_period - silent if silent < self.grace_period else self.monitor_period
        return running.Result(requeue_after=min(self.monitor_period, wait, grace_left))

    async def _mark_unknown(self, node: Obj) -> Obj:
        ready = condition(node, "Ready")
        if ready is not None and ready.get("status") == "Unknown":
            return node
        node, now = caching.mutable(node), meta.now()
        never = ready is None
        conditions = (node.setdefault("status", {}).get("conditions") or []) or [{"type": "Ready"}]
        for c in conditions:
            c.update(status="Unknown", lastTransitionTime=now, reason="NodeStatusNeverUpdated" if never else
                     "NodeStatusUnknown", message="Kubelet never posted node status." if never else
                     "Kubelet stopped posting node status.")
        node["status"]["conditions"] = conditions
        self.recorder.emit({**node, "kind": "Node", "apiVersion": "v1"}, recording.NORMAL, "NodeNotReady", f"Node {node['metadata']['name']} status is "
                                                                   "now: NodeNotReady")
        return await self.client.update_status("nodes", node)

    async def _mark_pods_not_ready(self, node: Obj) -> None:
        """The kubelet is silent, so nobody else will: its pods stop being Ready (Endpoints drop them)."""
        for pod in self.pods.cache.by_index(NODE_INDEX, node["metadata"]["name"]):
            if (condition(pod, "Ready") or {}).get("status") == "True":
                ready = {"type": "Ready", "status": "False", "lastTransitionTime": meta.now()}
                await self.client.patch("pods", pod["metadata"]["name"], {"status": {"conditions": [ready]}},
                                        "strategic", pod["metadata"].get("namespace"), subresource="status")

    async def _taint(self, node: Obj) -> Obj:
        taints = merged_taints(node)
        if taints == ((node.get("spec") or {}).get("taints") or []):
            return node
        node = caching.mutable(node)
        node.setdefault("spec", {})["taints"] = taints
        return await self.client.update("nodes", node)

    def _taints_since(self, node: Obj) -> tuple[list[Obj], float]:
        """The node's NoExecute taints and when (our clock) we first saw the oldest of them."""
        name, taints = node["metadata"]["name"], [t for t in (node.get("spec") or {}).get("taints") or []
                                                  if t.get("effect") == "NoExecute"]
        for stale in [k for k in self._tainted_at if k[0] == name and k[1] not in {t.get("key") for t in taints}]:
            del self._tainted_at[stale]
        now = self.clock.now()
        return taints, min((self._tainted_at.setdefault((name, t.get("key")), now) for t in taints), default=now)

    def _all_down(self) -> bool:
        """No node is Ready (or each is silent past the grace period): more likely we are cut off than every
        node failed, so evict nothing (kube's full disruption) until one reports Ready again."""
        nodes = self.nodes.cache.list()
        return bool(nodes) and all((condition(n, "Ready") or {}).get("status") != "True"
                                   or self.silent_for(n) >= self.grace_period for n in nodes)

    async def _evict(self, node: Obj) -> float:
        """Delete the pods whose tolerations ran out; the seconds until the next one does (inf: none will)."""
        taints, since = self._taints_since(node)
        if not taints:
            return float("inf")
        if self._all_down():
            return self.monitor_period
        soonest = float("inf")
        for pod in self.pods.cache.by_index(NODE_INDEX, node["metadata"]["name"]):
            delay = eviction_delay(pod, taints)
            if delay is None or (pod.get("metadata") or {}).get("deletionTimestamp"):
                continue
            left = since + delay - self.clock.now()
            if left > 0:
                soonest = min(soonest, left)
                continue
            self.recorder.emit({**pod, "kind": "Pod", "apiVersion": "v1"}, recording.NORMAL, "TaintManagerEviction",
                               f"Marking for deletion Pod {caching.key_of(pod)}")
            await self.client.delete("pods", pod["metadata"]["name"], pod["metadata"].get("namespace"))
        return soonest
