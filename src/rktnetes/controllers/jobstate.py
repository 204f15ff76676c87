"""A Job's progress, pure: counts of its pods, how many should be running, and the status to report.

NonIndexed completion: a Job with ``completions`` is complete when that many pods have succeeded; without it
(a work queue), when one has succeeded and none is still running. More failed pods than ``backoffLimit``
fails the Job (``BackoffLimitExceeded``), as does running past ``activeDeadlineSeconds``
(``DeadlineExceeded``). A finished Job keeps its conditions; nothing is recounted afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rktnetes.controllers import podstate

Obj = dict[str, Any]


@dataclass(frozen=True)
class Counts:
    active: int
    succeeded: int
    failed: int
    ready: int


def count(pods: list[Obj]) -> Counts:
    return Counts(active=sum(podstate.is_active(p) for p in pods),
                  succeeded=sum(podstate.phase(p) == "Succeeded" for p in pods),
                  failed=sum(podstate.phase(p) == "Failed" for p in pods),
                  ready=sum(podstate.is_active(p) and podstate.is_ready(p) for p in pods))


def finished(job: Obj) -> str | None:
    """``Complete`` or ``Failed`` once the Job has that condition True."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return condition["type"]
    return None


def failure(job: Obj, counts: Counts, now: datetime) -> tuple[str, str] | None:
    """``(reason, message)`` when the Job must fail now."""
    spec = job["spec"]
    if counts.failed > int(spec.get("backoffLimit", 6)):
        return "BackoffLimitExceeded", "Job has reached the specified backoff limit"
    deadline = spec.get("activeDeadlineSeconds")
    started = podstate.parse_time((job.get("status") or {}).get("startTime"))
    if deadline is not None and started is not None and (now - started).total_seconds() >= int(deadline):
        return "DeadlineExceeded", "Job was active longer than specified deadline"
    return None


def complete(job: Obj, counts: Counts) -> bool:
    completions = job["spec"].get("completions")
    if completions is None:
        return counts.succeeded > 0 and counts.active == 0
    return counts.succeeded >= int(completions)


def wanted_active(job: Obj, counts: Counts) -> int:
    spec = job["spec"]
    if spec.get("suspend"):
        return 0
    parallelism = int(spec.get("parallelism", 1))
    completions = spec.get("completions")
    if completions is None:
        return 0 if counts.succeeded else parallelism
    return max(0, min(parallelism, int(completions) - counts.succeeded))


def condition(kind: str, reason: str, message: str, now: str) -> Obj:
    return {"type": kind, "status": "True", "reason": reason, "message": message, "lastProbeTime": now,
            "lastTransitionTime": now}


def _suspension(job: Obj, conditions: list[Obj], now: str) -> list[Obj]:
    """A ``Suspended`` condition: True (JobSuspended) while suspended, False (JobResumed) once resumed."""
    previous = next((c for c in conditions if c.get("type") == "Suspended"), None)
    suspended = bool(job["spec"].get("suspend"))
    if previous is None and not suspended or previous is not None and (previous["status"] == "True") == suspended:
        return conditions
    fresh = condition("Suspended", "JobSuspended", "Job suspended", now) if suspended else \
        {**condition("Suspended", "JobResumed", "Job resumed", now), "status": "False"}
    return [c for c in conditions if c.get("type") != "Suspended"] + [fresh]


def status_for(job: Obj, counts: Counts, now: str, ending: Obj | None = None) -> Obj:
    """The Job's status; ``ending`` is the Complete or Failed condition when it finishes now."""
    status = dict(job.get("status") or {})
    status.update({"active": counts.active, "succeeded": counts.succeeded, "failed": counts.failed,
                   "ready": counts.ready})
    status["conditions"] = _suspension(job, status.get("conditions") or [], now)
    if not status["conditions"]:
        del status["conditions"]
    if job["spec"].get("suspend"):
        status.pop("startTime", None)
    else:
        status.setdefault("startTime", now)
    if ending is not None:
        status["conditions"] = [*(status.get("conditions") or []), ending]
        if ending["type"] == "Complete":
            status["completionTime"] = now
    return status
