"""Pods the scheduler has placed but the informer has not yet shown bound (kube-scheduler's assume cache).

Placing a pod and binding it are separate: the binding is an API call, and the pod informer learns of it later
still. Without this, a second pod scheduled in between would see the node as it was and could take the slot
the first one just got. A pod is assumed (counted on its node by the ``NodeTracker``) before the bind call
starts; it stays until the informer shows it bound, the bind fails, or — if the pod vanished in between —
``ttl`` seconds after its bind finished, on the injected clock.
"""

from __future__ import annotations

import copy
from typing import Any

from rktnetes.client.clock import Clock
from rktnetes.scheduler.nodeinfo import pod_id
from rktnetes.scheduler.tracking import NodeTracker

Obj = dict[str, Any]


def uid_of(pod: Obj) -> str:
    return pod_id(pod)


class AssumeCache:
    def __init__(self, clock: Clock, tracker: NodeTracker, ttl: float = 30.0) -> None:
        self.clock, self.tracker, self.ttl = clock, tracker, ttl
        self._pods: dict[str, Obj] = {}
        self._deadlines: dict[str, float] = {}

    def __contains__(self, uid: str) -> bool:
        return uid in self._pods

    def __len__(self) -> int:
        return len(self._pods)

    def assume(self, pod: Obj, node: str) -> None:
        """Count ``pod`` on ``node`` from now on (a copy: the cached pod is left as it is)."""
        placed = copy.copy(pod)
        placed["spec"] = {**(pod.get("spec") or {}), "nodeName": node}
        self._pods[uid_of(pod)] = placed
        self.tracker.place(placed, node)

    def finish_binding(self, uid: str) -> None:
        """The bind call returned: start the countdown in case the informer never confirms it."""
        if uid in self._pods:
            self._deadlines[uid] = self.clock.now() + self.ttl

    def confirmed(self, uid: str) -> None:
        """The informer shows the pod bound (the tracker now counts its real version) or deleted."""
        self._pods.pop(uid, None)
        self._deadlines.pop(uid, None)

    def forget(self, uid: str) -> None:
        """The bind failed: stop counting the assumed copy."""
        placed = self._pods.pop(uid, None)
        self._deadlines.pop(uid, None)
        if placed is not None:
            self.tracker.remove_if(uid, placed)

    def expire(self) -> None:
        """Drop assumptions whose pod never showed up bound within ``ttl`` of its bind."""
        now = self.clock.now()
        for uid in [u for u, deadline in self._deadlines.items() if deadline <= now]:
            self.forget(uid)
