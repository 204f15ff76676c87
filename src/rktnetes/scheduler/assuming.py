"""Pods the scheduler has placed but the informer has not yet shown bound (kube-scheduler's assume cache).

Placing a pod and binding it are separate: the binding is an API call, and the pod informer learns of it later
still. Without this cache a second pod scheduled in between would see the node as it was and could take the
slot the first one just got. A pod is assumed (on its node) before the bind call starts; it stays until the
informer shows it bound, the bind fails, or — if the pod vanished in between — ``ttl`` seconds after its bind
finished, on the injected clock.
"""

from __future__ import annotations

import copy
from typing import Any

from rktnetes.client.clock import Clock

Obj = dict[str, Any]


def uid_of(pod: Obj) -> str:
    return (pod.get("metadata") or {}).get("uid", "")


class AssumeCache:
    def __init__(self, clock: Clock, ttl: float = 30.0) -> None:
        self.clock, self.ttl = clock, ttl
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

    def finish_binding(self, uid: str) -> None:
        """The bind call returned: start the countdown in case the informer never confirms it."""
        if uid in self._pods:
            self._deadlines[uid] = self.clock.now() + self.ttl

    def forget(self, uid: str) -> None:
        """The bind failed or the informer now shows the pod bound (or deleted)."""
        self._pods.pop(uid, None)
        self._deadlines.pop(uid, None)

    def pods(self) -> list[Obj]:
        """The assumed pods still counted (expired ones are dropped first)."""
        now = self.clock.now()
        for uid in [u for u, deadline in self._deadlines.items() if deadline <= now]:
            self.forget(uid)
        return list(self._pods.values())
