"""Pure readings of a pod's state, as the workload controllers count them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]
TERMINAL = ("Succeeded", "Failed")


def phase(pod: Obj) -> str:
    return (pod.get("status") or {}).get("phase") or "Pending"


def is_terminating(pod: Obj) -> bool:
    return bool((pod.get("metadata") or {}).get("deletionTimestamp"))


def is_active(pod: Obj) -> bool:
    """Counted towards replicas: neither finished nor on its way out."""
    return phase(pod) not in TERMINAL and not is_terminating(pod)


def ready_condition(pod: Obj) -> Obj | None:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)


def is_ready(pod: Obj) -> bool:
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def is_available(pod: Obj, min_ready_seconds: int, now: datetime) -> bool:
    """Ready for at least ``min_ready_seconds`` (by the Ready condition's lastTransitionTime)."""
    if not is_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = parse_time((ready_condition(pod) or {}).get("lastTransitionTime"))
    return since is not None and (now - since).total_seconds() >= min_ready_seconds


def available_in(pod: Obj, min_ready_seconds: int, now: datetime) -> float | None:
    """Seconds until a ready pod counts as available (None when it is not ready or already available)."""
    if not is_ready(pod) or min_ready_seconds <= 0:
        return None
    since = parse_time((ready_condition(pod) or {}).get("lastTransitionTime"))
    left = min_ready_seconds - (now - since).total_seconds() if since is not None else None
    return left if left is not None and left > 0 else None


def next_available(pods: list[Obj], min_ready_seconds: int, now: datetime) -> float | None:
    """Seconds until the next of ``pods`` becomes available (a controller looks at its status again then)."""
    waits = [w for p in pods if (w := available_in(p, min_ready_seconds, now)) is not None]
    return min(waits) + 0.1 if waits else None


def deletion_rank(pod: Obj) -> tuple:
    """Sort key putting the pods to delete first: unscheduled, pending, not ready, then the newest."""
    created = (pod.get("metadata") or {}).get("creationTimestamp") or ""
    newest_first = tuple(-ord(c) for c in created)
    return (bool((pod.get("spec") or {}).get("nodeName")), phase(pod) == "Running", is_ready(pod), newest_first)
