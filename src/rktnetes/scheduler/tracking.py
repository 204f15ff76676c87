"""The scheduler's running picture of the cluster: a NodeInfo per node kept up to date from informer events
and assumptions, so that a decision reads it as it stands instead of re-adding every bound pod each time.

Every pod is held under its uid on the node it is bound (or assumed) to; a newer version replaces the older
wherever it was. An assumed pod is replaced by the informer's bound version when that arrives, and is removed
on a failed bind or an expiry only if it is still the assumed copy (``remove_if``), never the real one.
Pods bound to a node not seen yet are kept and counted once the node appears.
"""

from __future__ import annotations

from typing import Any

from rktnetes.scheduler import nodeinfo
from rktnetes.scheduler.nodeinfo import Costs, NodeInfo, Snapshot

Obj = dict[str, Any]


class NodeTracker:
    def __init__(self, costs: Costs | None = None) -> None:
        self.costs = costs or Costs()
        self.infos: dict[str, NodeInfo] = {}
        self._where: dict[str, tuple[str, Obj]] = {}
        self._anti: set[str] = set()

    def set_node(self, node: Obj) -> None:
        name = nodeinfo.name_of(node)
        info = self.infos.get(name)
        if info is not None:
            info.set_node(node)
            return
        info = self.infos[name] = NodeInfo(node)
        for where, pod in self._where.values():
            if where == name:
                info.add(pod, self.costs)

    def remove_node(self, node: Obj) -> None:
        self.infos.pop(nodeinfo.name_of(node), None)

    def place(self, pod: Obj, node: str) -> None:
        """Count ``pod`` on ``node`` (replacing any earlier version of it); finished pods count nowhere."""
        uid = nodeinfo.pod_id(pod)
        self.remove(uid)
        if not nodeinfo.counts(pod):
            return
        self._where[uid] = (node, pod)
        if nodeinfo.has_required_anti_affinity(pod):
            self._anti.add(uid)
        info = self.infos.get(node)
        if info is not None:
            info.add(pod, self.costs)

    def remove(self, uid: str) -> None:
        entry = self._where.pop(uid, None)
        self._anti.discard(uid)
        if entry is not None and entry[0] in self.infos:
            self.infos[entry[0]].remove(entry[1], self.costs)

    def remove_if(self, uid: str, pod: Obj) -> None:
        """Remove the pod only while ``pod`` (this very object: an assumed copy) is what is counted."""
        entry = self._where.get(uid)
        if entry is not None and entry[1] is pod:
            self.remove(uid)

    def snapshot(self) -> Snapshot:
        """The live picture (read it without awaiting: it changes with the next event)."""
        anti = [(pod, self.infos[node]) for node, pod in (self._where[u] for u in self._anti) if node in self.infos]
        return Snapshot(self.infos, self.costs, anti)
