"""CronJobs: create a Job at each scheduled time, as the concurrency policy allows, and prune old Jobs.

``reconcile`` lists the CronJob's Jobs from the cache, drops finished ones beyond the history limits, starts
the run that is due (``schedules.due``) unless suspended or forbidden by ``concurrencyPolicy`` (``Forbid``
skips while a Job runs; ``Replace`` deletes the running ones first), writes status, and asks to be looked at
again at the next scheduled time. Wall time comes from ``self.now``, requeues run on the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rktnetes.client import caching, errors, interface, owners, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import jobstate, schedules
from rktnetes.controllers.controller import Controller
from rktnetes.controllers.job import JOBS, stamp

Obj = dict[str, Any]
CRONJOBS = "cronjobs.batch"


def _ref(job: Obj) -> Obj:
    m = job["metadata"]
    return {"apiVersion": "batch/v1", "kind": "Job", "name": m["name"], "namespace": m["namespace"],
            "uid": m["uid"], "resourceVersion": m.get("resourceVersion")}


def prunable(cronjob: Obj, jobs: list[Obj]) -> list[Obj]:
    """Finished Jobs beyond ``successfulJobsHistoryLimit`` / ``failedJobsHistoryLimit``, oldest first."""
    out = []
    for kind, field, default in (("Complete", "successfulJobsHistoryLimit", 3), ("Failed", "failedJobsHistoryLimit",
                                                                                1)):
        done = sorted((j for j in jobs if jobstate.finished(j) == kind),
                      key=lambda j: j["metadata"].get("creationTimestamp") or "")
        out += done[:max(len(done) - int(cronjob["spec"].get(field, default)), 0)]
    return out


class CronJobController(Controller):
    name = "cronjob"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__(client, factory, clock)
        self.now = now or (lambda: datetime.now(UTC))
        self.cronjobs = factory.informer(CRONJOBS)
        self.jobs = factory.informer(JOBS, indexers={"owner": caching.by_owner_uid})
        self.follow(self.cronjobs)
        self.jobs.add_handlers(self._job_event, lambda _old, new: self._job_event(new), self._job_event)

    def _job_event(self, job: Obj) -> None:
        self.enqueue_owner(job, "CronJob")

    async def reconcile(self, key: str) -> running.Result | None:
        cronjob = self.cronjobs.cache.get(key)
        if cronjob is None or cronjob["metadata"].get("deletionTimestamp"):
            return None
        jobs = [j for j in self.jobs.cache.by_index("owner", cronjob["metadata"]["uid"])
                if owners.is_controlled_by(j, cronjob)]
        for job in prunable(cronjob, jobs):
            await self._delete(job)
        now = self.now()
        active = [j for j in jobs if not jobstate.finished(j) and not j["metadata"].get("deletionTimestamp")]
        scheduled = None if cronjob["spec"].get("suspend") else schedules.due(cronjob, now)
        if scheduled is not None:
            active, scheduled = await self._run(cronjob, active, scheduled)
        await self._write(cronjob, jobs, active, scheduled)
        return running.Result(requeue_after=max(1.0, (schedules.next_after(cronjob, now) - now).total_seconds()))

    async def _run(self, cronjob: Obj, active: list[Obj], scheduled: datetime) -> tuple[list[Obj], datetime | None]:
        policy = cronjob["spec"].get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            return active, None
        if policy == "Replace":
            for job in active:
                await self._delete(job)
            active = []
        try:
            job = await self.client.create(JOBS, schedules.job_for(cronjob, scheduled),
                                           cronjob["metadata"]["namespace"])
        except errors.AlreadyExists:
            return active, scheduled
        self.event(cronjob, "SuccessfulCreate", f"Created job {job['metadata']['name']}")
        return [*active, job], scheduled

    async def _delete(self, job: Obj) -> None:
        try:
            await self.client.delete(JOBS, job["metadata"]["name"], job["metadata"]["namespace"],
                                     propagation_policy="Background")
        except errors.NotFound:
            return

    async def _write(self, cronjob: Obj, jobs: list[Obj], active: list[Obj], scheduled: datetime | None) -> None:
        status = dict(cronjob.get("status") or {})
        status["active"] = [_ref(j) for j in active] or None
        if scheduled is not None:
            status["lastScheduleTime"] = stamp(scheduled)
        succeeded = [j for j in jobs if jobstate.finished(j) == "Complete"]
        if succeeded:
            last = max((j.get("status") or {}).get("completionTime") or "" for j in succeeded)
            status["lastSuccessfulTime"] = last or status.get("lastSuccessfulTime")
        if {k: v for k, v in status.items() if v is not None} != (cronjob.get("status") or {}):
            await self.client.patch(CRONJOBS, cronjob["metadata"]["name"], {"status": status}, "merge",
                                    cronjob["metadata"]["namespace"], subresource="status")
