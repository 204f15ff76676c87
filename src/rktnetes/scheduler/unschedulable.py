"""Pods that fit nowhere, waiting for the cluster to change (kube-scheduler's unschedulable queue).

A pod that fits no node is not retried in a loop: it waits here until something that could make room happens
(a node is added or changes, a bound pod goes away or arrives) and then goes back to the work queue, no sooner
than its backoff allows — 1 s after the first failure, doubling up to 10 s — on the injected clock. Pods are
also retried every ``flush_after`` seconds in case an event was missed.
"""

from __future__ import annotations

from rktnetes.client.clock import Clock
from rktnetes.client.queueing import WorkQueue

INITIAL_BACKOFF, MAX_BACKOFF, FLUSH_AFTER = 1.0, 10.0, 300.0


class UnschedulablePods:
    def __init__(self, clock: Clock, queue: WorkQueue) -> None:
        self.clock, self.queue = clock, queue
        self._attempts: dict[str, int] = {}
        self._ready_at: dict[str, float] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._ready_at

    def __len__(self) -> int:
        return len(self._ready_at)

    def failed(self, key: str) -> float:
        """Record a failed attempt; returns the backoff before the pod may be tried again."""
        attempts = self._attempts.get(key, 0) + 1
        self._attempts[key] = attempts
        backoff = min(INITIAL_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
        self._ready_at[key] = self.clock.now() + backoff
        return backoff

    def forget(self, key: str) -> None:
        """The pod was scheduled or is gone."""
        self._attempts.pop(key, None)
        self._ready_at.pop(key, None)

    def cluster_changed(self) -> None:
        """Something that might make room happened: every waiting pod goes back once its backoff ends."""
        now = self.clock.now()
        for key, ready_at in self._ready_at.items():
            self.queue.add_after(key, max(0.0, ready_at - now))
