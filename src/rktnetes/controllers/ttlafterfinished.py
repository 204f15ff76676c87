"""Finished Jobs with ``ttlSecondsAfterFinished`` are deleted that long after they finished (with their pods,
by background propagation). A Job not yet due is looked at again when it is; wall time comes from ``self.now``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rktnetes.client import errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import jobstate, podstate
from rktnetes.controllers.controller import Controller
from rktnetes.controllers.job import JOBS

Obj = dict[str, Any]


def finished_at(job: Obj) -> datetime | None:
    """When the Job finished: its completionTime, else its Complete/Failed condition's transition."""
    status = job.get("status") or {}
    kind = jobstate.finished(job)
    if kind is None:
        return None
    condition = next((c for c in status.get("conditions") or [] if c.get("type") == kind), {})
    return podstate.parse_time(status.get("completionTime")) or podstate.parse_time(
        condition.get("lastTransitionTime"))


def expires_in(job: Obj, now: datetime) -> float | None:
    """Seconds until the Job is due for deletion (<= 0: now), or None when it never is."""
    ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
    done = finished_at(job)
    if ttl is None or done is None:
        return None
    return int(ttl) - (now - done).total_seconds()


class TTLAfterFinishedController(Controller):
    name = "ttlafterfinished"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__(client, factory, clock)
        self.now = now or (lambda: datetime.now(UTC))
        self.jobs = factory.informer(JOBS)
        self.follow(self.jobs)

    async def reconcile(self, key: str) -> running.Result | None:
        job = self.jobs.cache.get(key)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return None
        left = expires_in(job, self.now())
        if left is None:
            return None
        if left > 0:
            return running.Result(requeue_after=left)
        try:
            await self.client.delete(JOBS, job["metadata"]["name"], job["metadata"]["namespace"],
                                     propagation_policy="Background", preconditions={"uid": job["metadata"]["uid"]})
        except errors.NotFound:
            pass
        return None
