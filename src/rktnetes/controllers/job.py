"""Jobs: run pods from the template until enough succeed (Complete) or too many fail (Failed).

``reconcile`` counts the Job's pods (claimed as a ReplicaSet claims), decides from ``jobstate`` whether the
Job ends now, otherwise creates or deletes pods towards ``jobstate.wanted_active`` (counting creations the
cache has not shown yet), and writes status. After the n-th failed pod, new pods wait ``backoff * 2**(n-1)``
seconds (at most 6 minutes), measured on the injected clock from when that failure was first seen. A Job with
``activeDeadlineSeconds`` is looked at again when its deadline falls; wall time comes from ``self.now``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import claiming, jobindexes, jobstate, podstate, templates
from rktnetes.controllers.controller import Controller
from rktnetes.controllers.expectations import Expectations

Obj = dict[str, Any]
JOBS = "jobs.batch"
MAX_BACKOFF = 360.0


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class JobController(Controller):
    name = "job"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None,
                 now: Callable[[], datetime] | None = None, backoff: float = 10.0) -> None:
        super().__init__(client, factory, clock)
        self.now = now or (lambda: datetime.now(UTC))
        self.backoff = backoff
        self._failures_seen: dict[str, tuple[int, float]] = {}
        self.expectations = Expectations(self.clock)
        self.jobs = factory.informer(JOBS)
        self.pods = factory.informer("pods", indexers={"owner": caching.by_owner_uid})
        self.follow(self.jobs)
        self.pods.add_handlers(self._pod_event, lambda old, new: self._pod_event(new), self._pod_event)

    def _pod_event(self, pod: Obj) -> None:
        self.enqueue_owner(pod, "Job")

    async def reconcile(self, key: str) -> running.Result | None:
        job = self.jobs.cache.get(key)
        if job is None or job["metadata"].get("deletionTimestamp") or jobstate.finished(job):
            self.expectations.forget(key)
            return None
        pods = claiming.claim(job, self.pods.cache.by_index("owner", job["metadata"]["uid"])).owned
        counts = jobstate.count(pods)
        if jobindexes.is_indexed(job):
            counts = dataclasses.replace(counts, succeeded=len(jobindexes.succeeded(job, pods)))
        now = self.now()
        ending = self._ending(job, counts, now)
        if ending is not None:
            await self._finish(key, job, pods, ending)
            await self._write(job, counts, stamp(now), ending, pods)
            return None
        wait = self._backoff_left(key, counts.failed)
        await self._scale(key, job, counts, pods, may_create=wait == 0)
        await self._write(job, counts, stamp(now), ending, pods)
        return running.Result(requeue_after=wait) if wait > 0 else self._deadline(job, now)

    async def _finish(self, key: str, job: Obj, pods: list[Obj], ending: Obj) -> None:
        """Stop what still runs and say how the Job ended."""
        await self._delete(key, job, [p for p in pods if podstate.is_active(p)])
        if ending["type"] == "Failed":
            self.event(job, ending["reason"], ending["message"], "Warning")
        else:
            self.event(job, "Completed", "Job completed")

    def _backoff_left(self, key: str, failed: int) -> float:
        """Seconds new pods must still wait after the latest failure (0 when none failed)."""
        if failed == 0:
            self._failures_seen.pop(key, None)
            return 0.0
        seen = self._failures_seen.get(key)
        if seen is None or seen[0] != failed:
            seen = self._failures_seen[key] = (failed, self.clock.now())
        delay = min(self.backoff * 2 ** (failed - 1), MAX_BACKOFF)
        return max(0.0, seen[1] + delay - self.clock.now())

    def _ending(self, job: Obj, counts: jobstate.Counts, now: datetime) -> Obj | None:
        failed = jobstate.failure(job, counts, now)
        if failed is not None:
            return jobstate.condition("Failed", *failed, stamp(now))
        if jobstate.complete(job, counts):
            return jobstate.condition("Complete", "CompletionsReached", "Reached expected number of succeeded "
                                      "pods", stamp(now))
        return None

    def _deadline(self, job: Obj, now: datetime) -> running.Result | None:
        deadline = job["spec"].get("activeDeadlineSeconds")
        started = podstate.parse_time((job.get("status") or {}).get("startTime")) or now
        if deadline is None:
            return None
        return running.Result(requeue_after=max(1.0, int(deadline) - (now - started).total_seconds()))

    async def _scale(self, key: str, job: Obj, counts: jobstate.Counts, pods: list[Obj], may_create: bool) -> None:
        active = [p for p in pods if podstate.is_active(p)]
        names = {p["metadata"]["name"] for p in self.pods.cache.by_index("owner", job["metadata"]["uid"])}
        flight = self.expectations.settle(key, names.__contains__, lambda n: n not in names)
        diff = jobstate.wanted_active(job, counts) - len(active) - len(flight.creates)
        if diff > 0 and may_create:
            for body in self._new_pods(job, pods, flight.creates, diff):
                pod = await self.client.create("pods", body, job["metadata"]["namespace"])
                self.expectations.created(key, pod["metadata"]["name"])
                self.event(job, "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")
        if diff < 0:
            await self._delete(key, job, sorted(active, key=podstate.deletion_rank)[:-diff])

    def _new_pods(self, job: Obj, pods: list[Obj], pending: set[str], count: int) -> list[Obj]:
        if jobindexes.is_indexed(job):
            return [jobindexes.pod_for_index(job, i) for i in jobindexes.to_start(job, pods, pending, count)]
        return [templates.pod_for(job) for _ in range(count)]

    async def _delete(self, key: str, job: Obj, pods: list[Obj]) -> None:
        for pod in pods:
            self.expectations.deleted(key, pod["metadata"]["name"])
            try:
                await self.client.delete("pods", pod["metadata"]["name"], job["metadata"]["namespace"])
            except errors.NotFound:
                continue

    async def _write(self, job: Obj, counts: jobstate.Counts, now: str, ending: Obj | None, pods: list[Obj]) -> None:
        status = jobstate.status_for(job, counts, now, ending)
        if jobindexes.is_indexed(job):
            status["completedIndexes"] = jobindexes.compress(jobindexes.succeeded(job, pods))
        if status != (job.get("status") or {}):
            await self.client.patch(JOBS, job["metadata"]["name"], {"status": status}, "merge",
                                    job["metadata"]["namespace"], subresource="status")
