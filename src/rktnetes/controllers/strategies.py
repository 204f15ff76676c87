"""One step of a Deployment rollout, pure: which ReplicaSet goes to how many replicas now.

``step`` answers ``{rs name: replicas}`` for the ReplicaSets to change. RollingUpdate scales the new
ReplicaSet up within ``replicas + maxSurge`` first; only when it cannot grow does it scale old ones down, keeping
``replicas - maxUnavailable`` pods available and removing unavailable old pods before available ones.
Recreate scales every old ReplicaSet to zero, waits until their pods are gone, then scales the new one up.
Each step is re-derived from the ReplicaSets' spec and status by the next reconcile, so it is level-based.
"""

from __future__ import annotations

from typing import Any

from rktnetes.controllers import rollout

Obj = dict[str, Any]


def spec_replicas(rs: Obj) -> int:
    return int((rs.get("spec") or {}).get("replicas") or 0)


def status_of(rs: Obj, field: str) -> int:
    return int((rs.get("status") or {}).get(field) or 0)


def name(rs: Obj) -> str:
    return rs["metadata"]["name"]


def oldest_first(sets: list[Obj]) -> list[Obj]:
    return sorted(sets, key=lambda rs: (rs["metadata"].get("creationTimestamp") or "", name(rs)))


def step(deployment: Obj, new: Obj, olds: list[Obj]) -> dict[str, int]:
    kind = (deployment["spec"].get("strategy") or {}).get("type") or "RollingUpdate"
    return recreate(deployment, new, olds) if kind == "Recreate" else rolling(deployment, new, olds)


def recreate(deployment: Obj, new: Obj, olds: list[Obj]) -> dict[str, int]:
    running = [rs for rs in olds if spec_replicas(rs) > 0]
    if running:
        return {name(rs): 0 for rs in running}
    if any(status_of(rs, "replicas") > 0 for rs in olds):
        return {}
    wanted = rollout.desired(deployment)
    return {name(new): wanted} if spec_replicas(new) != wanted else {}


def rolling(deployment: Obj, new: Obj, olds: list[Obj]) -> dict[str, int]:
    scaled = _scale_new(deployment, new, olds)
    return scaled if scaled else _scale_old(deployment, new, olds)


def _scale_new(deployment: Obj, new: Obj, olds: list[Obj]) -> dict[str, int]:
    wanted, current = rollout.desired(deployment), spec_replicas(new)
    if current > wanted or not olds and current != wanted:
        return {name(new): wanted}
    surge = rollout.surge_and_unavailable(deployment)[0]
    room = wanted + surge - sum(spec_replicas(rs) for rs in [new, *olds])
    if current < wanted and room > 0:
        return {name(new): current + min(room, wanted - current)}
    return {}


def _scale_old(deployment: Obj, new: Obj, olds: list[Obj]) -> dict[str, int]:
    wanted = rollout.desired(deployment)
    min_available = wanted - rollout.surge_and_unavailable(deployment)[1]
    everyone = [new, *olds]
    new_unavailable = spec_replicas(new) - status_of(new, "availableReplicas")
    budget = sum(spec_replicas(rs) for rs in everyone) - min_available - max(new_unavailable, 0)
    plan: dict[str, int] = {}
    budget = _cut(olds, plan, budget, lambda rs: spec_replicas(rs) - status_of(rs, "availableReplicas"))
    healthy = sum(status_of(rs, "availableReplicas") for rs in everyone) - min_available
    _cut(olds, plan, min(budget, healthy), spec_replicas)
    return plan


def _cut(olds: list[Obj], plan: dict[str, int], budget: int, removable) -> int:
    """Take up to ``budget`` replicas off the old sets, oldest first, at most ``removable(rs)`` from each."""
    for rs in oldest_first(olds):
        current = plan.get(name(rs), spec_replicas(rs))
        cut = min(max(removable(rs), 0), current, max(budget, 0))
        if cut > 0:
            plan[name(rs)] = current - cut
            budget -= cut
    return budget
