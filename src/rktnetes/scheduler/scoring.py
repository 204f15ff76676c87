"""Ranking the nodes that fit: least allocated (spread load), balanced allocation (keep cpu and memory use
even), preferred node affinity, preferred pod affinity/anti-affinity and PreferNoSchedule taints, each 0-100
as in kube-scheduler, summed."""

from __future__ import annotations

from typing import Any

from rktnetes.scheduler import matching, podaffinity, quantities
from rktnetes.scheduler.nodeinfo import NodeInfo, Snapshot
from rktnetes.scheduler.quantities import Resources

Obj = dict[str, Any]
MAX_SCORE = 100


def _fractions(asked: Resources, info: NodeInfo) -> tuple[float, float] | None:
    """Requested over allocatable for cpu and memory once the pod is added (None if the node offers none)."""
    free, held = info.allocatable, info.score_requested + asked
    if free.milli_cpu <= 0 or free.memory <= 0:
        return None
    return held.milli_cpu / free.milli_cpu, held.memory / free.memory


def least_allocated(asked: Resources, info: NodeInfo) -> float:
    fractions = _fractions(asked, info)
    if fractions is None:
        return 0.0
    return sum(max(0.0, 1.0 - f) for f in fractions) / len(fractions) * MAX_SCORE


def balanced(asked: Resources, info: NodeInfo) -> float:
    fractions = _fractions(asked, info)
    if fractions is None:
        return 0.0
    cpu, memory = (min(1.0, f) for f in fractions)
    return (1.0 - abs(cpu - memory) / 2) * MAX_SCORE


def scores(pod: Obj, fits: list[NodeInfo], snapshot: Snapshot) -> dict[str, float]:
    """The total score of each node that fits, by name."""
    weights = {i.name: matching.preferred_weight(pod, i.node) for i in fits}
    top, asked = max(weights.values(), default=0), quantities.pod_score_requests(pod)
    affinity = podaffinity.preferred_scores(pod, fits, snapshot) if _prefers_pods(pod) else {}
    taints = _prefer_no_schedule(pod, fits)
    return {i.name: least_allocated(asked, i) + balanced(asked, i) + affinity.get(i.name, 0.0) + taints[i.name]
            + (weights[i.name] * MAX_SCORE / top if top else 0) for i in fits}


def _prefer_no_schedule(pod: Obj, fits: list[NodeInfo]) -> dict[str, float]:
    """Fewer untolerated PreferNoSchedule taints score higher (100 for none, 0 for the most among ``fits``)."""
    tolerations = matching.tolerations_of(pod)
    counts = {i.name: sum(1 for t in (i.node.get("spec") or {}).get("taints") or [] if t.get("effect") ==
                          "PreferNoSchedule" and not any(matching.tolerates(x, t) for x in tolerations))
              for i in fits}
    most = max(counts.values(), default=0)
    return {n: MAX_SCORE - c * MAX_SCORE / most if most else MAX_SCORE for n, c in counts.items()}


def _prefers_pods(pod: Obj) -> bool:
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    return any((affinity.get(k) or {}).get("preferredDuringSchedulingIgnoredDuringExecution")
               for k in ("podAffinity", "podAntiAffinity"))


def best(pod: Obj, fits: list[NodeInfo], snapshot: Snapshot) -> str:
    """The name of the highest-scoring node (ties go to the first name in order)."""
    ranked = scores(pod, fits, snapshot)
    return min(ranked, key=lambda name: (-ranked[name], name))
