"""CronJob timing, pure: the latest scheduled instant due by ``now``, the next one, and the Job for a run.

Times are computed with croniter in the CronJob's ``timeZone`` (UTC when unset). A run missed by more than
``startingDeadlineSeconds`` is skipped. The Job is named after its scheduled minute, so creating the same
run twice is an AlreadyExists, never a duplicate.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter

from rktnetes.client import owners
from rktnetes.controllers import podstate

Obj = dict[str, Any]
SCHEDULED = "batch.kubernetes.io/cronjob-scheduled-timestamp"
MAX_MISSED = 100


def _zone(cronjob: Obj):
    name = cronjob["spec"].get("timeZone")
    return ZoneInfo(name) if name else UTC


def _since(cronjob: Obj) -> datetime:
    status, meta = cronjob.get("status") or {}, cronjob["metadata"]
    return podstate.parse_time(status.get("lastScheduleTime")) or podstate.parse_time(
        meta.get("creationTimestamp")) or datetime.now(UTC)


def due(cronjob: Obj, now: datetime) -> datetime | None:
    """The most recent scheduled time in (last schedule, now], if any and not past the starting deadline."""
    times = croniter(cronjob["spec"]["schedule"], _since(cronjob).astimezone(_zone(cronjob)))
    latest = None
    for _ in range(MAX_MISSED * 1000):
        candidate = times.get_next(datetime)
        if candidate > now:
            break
        latest = candidate
    if latest is None:
        return None
    deadline = cronjob["spec"].get("startingDeadlineSeconds")
    if deadline is not None and now - latest > timedelta(seconds=int(deadline)):
        return None
    return latest.astimezone(UTC)


def next_after(cronjob: Obj, now: datetime) -> datetime:
    return croniter(cronjob["spec"]["schedule"], now.astimezone(_zone(cronjob))).get_next(datetime).astimezone(UTC)


def job_for(cronjob: Obj, scheduled: datetime) -> Obj:
    """The Job of the run scheduled at ``scheduled``, from the jobTemplate, owned by the CronJob."""
    template = copy.deepcopy(cronjob["spec"]["jobTemplate"])
    meta = template.get("metadata") or {}
    annotations = {**(meta.get("annotations") or {}), SCHEDULED: scheduled.strftime("%Y-%m-%dT%H:%M:%SZ")}
    name = f"{cronjob['metadata']['name']}-{int(scheduled.timestamp() // 60)}"
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": cronjob["metadata"]["namespace"],
                         "labels": dict(meta.get("labels") or {}), "annotations": annotations,
                         "ownerReferences": [owners.owner_reference(cronjob)]},
            "spec": template.get("spec") or {}}
