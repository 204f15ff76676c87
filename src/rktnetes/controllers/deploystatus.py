"""A Deployment's status from its ReplicaSets, pure: counts plus the Available and Progressing conditions that
``kubectl rollout status`` reads. A condition keeps its times while its status and reason stay the same, so a
reconcile with nothing new writes nothing.
"""

from __future__ import annotations

from typing import Any

from rktnetes.controllers import podstate, rollout
from rktnetes.controllers.strategies import spec_replicas, status_of

Obj = dict[str, Any]


def condition(old: list[Obj], kind: str, status: str, reason: str, message: str, now: str) -> Obj:
    previous = next((c for c in old if c.get("type") == kind), None)
    same = previous is not None and (previous.get("status"), previous.get("reason")) == (status, reason)
    kept = previous is not None and previous.get("status") == status
    transition = previous.get("lastTransitionTime") if kept else now
    return {"type": kind, "status": status, "reason": reason, "message": message,
            "lastUpdateTime": previous.get("lastUpdateTime", now) if same else now,
            "lastTransitionTime": transition or now}


def is_complete(deployment: Obj, new: Obj, olds: list[Obj]) -> bool:
    wanted = rollout.desired(deployment)
    return (status_of(new, "replicas") == wanted and status_of(new, "availableReplicas") == wanted
            and spec_replicas(new) == wanted and not any(status_of(rs, "replicas") for rs in olds))


def _available(deployment: Obj, available: int, old: list[Obj], now: str) -> Obj:
    recreate = (deployment["spec"].get("strategy") or {}).get("type") == "Recreate"
    unavailable = 0 if recreate else rollout.surge_and_unavailable(deployment)[1]
    if available >= rollout.desired(deployment) - unavailable:
        return condition(old, "Available", "True", "MinimumReplicasAvailable",
                         "Deployment has minimum availability.", now)
    return condition(old, "Available", "False", "MinimumReplicasUnavailable",
                     "Deployment does not have minimum availability.", now)


def _deadline_passed(deployment: Obj, previous: Obj, now: str) -> bool:
    """No progress for ``progressDeadlineSeconds`` since the Progressing condition last moved."""
    deadline = deployment["spec"].get("progressDeadlineSeconds")
    since, current = podstate.parse_time(previous.get("lastUpdateTime")), podstate.parse_time(now)
    return deadline is not None and since is not None and current is not None and \
        (current - since).total_seconds() >= int(deadline)


def _progressing(deployment: Obj, new: Obj, olds: list[Obj], old: list[Obj], moved: bool, now: str) -> Obj:
    rs = new["metadata"]["name"]
    if is_complete(deployment, new, olds):
        return condition(old, "Progressing", "True", "NewReplicaSetAvailable",
                         f'ReplicaSet "{rs}" has successfully progressed.', now)
    previous = next((c for c in old if c.get("type") == "Progressing"), None)
    if not moved and previous is not None and previous.get("reason") != "NewReplicaSetAvailable" and \
            _deadline_passed(deployment, previous, now):
        return condition(old, "Progressing", "False", "ProgressDeadlineExceeded",
                         f'ReplicaSet "{rs}" has timed out progressing.', now)
    progressing = condition(old, "Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs}" is progressing.', now)
    return {**progressing, "lastUpdateTime": now} if moved else progressing


def status_for(deployment: Obj, new: Obj, olds: list[Obj], now: str) -> Obj:
    everyone = [new, *olds]
    available = sum(status_of(rs, "availableReplicas") for rs in everyone)
    previous = deployment.get("status") or {}
    old_conditions = previous.get("conditions") or []
    status = {"observedGeneration": deployment["metadata"].get("generation", 1),
              "replicas": sum(status_of(rs, "replicas") for rs in everyone),
              "updatedReplicas": status_of(new, "replicas"),
              "readyReplicas": sum(status_of(rs, "readyReplicas") for rs in everyone),
              "availableReplicas": available,
              "unavailableReplicas": max(sum(spec_replicas(rs) for rs in everyone) - available, 0),
              "conditions": [_available(deployment, available, old_conditions, now)]}
    moved = any(status[k] != previous.get(k) for k in ("replicas", "updatedReplicas", "availableReplicas",
                                                       "readyReplicas"))
    status["conditions"].append(_progressing(deployment, new, olds, old_conditions, moved, now))
    return status


def deadline_in(deployment: Obj, status: Obj, now: str) -> float | None:
    """Seconds until an unfinished rollout would exceed its progress deadline (to look again then)."""
    deadline = deployment["spec"].get("progressDeadlineSeconds")
    progressing = next((c for c in status.get("conditions") or [] if c["type"] == "Progressing"), {})
    since, current = podstate.parse_time(progressing.get("lastUpdateTime")), podstate.parse_time(now)
    if deadline is None or since is None or current is None or progressing.get("reason") != "ReplicaSetUpdated":
        return None
    return max(1.0, int(deadline) - (current - since).total_seconds())
