"""The filters a node must pass to run a pod, each giving kube-scheduler's reasons when it does not, and the
``0/N nodes are available: ...`` message built from those reasons."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from rktnetes.scheduler import matching, nodeinfo, podaffinity, spreading
from rktnetes.scheduler.nodeinfo import NodeInfo, Snapshot

Obj = dict[str, Any]
UNSCHEDULABLE = "node(s) were unschedulable"
SELECTOR = "node(s) didn't match Pod's node affinity/selector"
PORTS = "node(s) didn't have free ports for the requested pod ports"
NOT_READY_TAINT, UNREACHABLE_TAINT = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
Filter = Callable[[Obj, NodeInfo, Snapshot], list[str]]


def ready_status(node: Obj) -> str | None:
    """The status of the node's Ready condition ("True", "False", "Unknown"), None when it reports none."""
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status")
    return None


def _taint_text(taint: Obj) -> str:
    return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value') or ''}}}"


def unschedulable(pod: Obj, info: NodeInfo, _: Snapshot) -> list[str]:
    if not (info.node.get("spec") or {}).get("unschedulable"):
        return []
    taint = {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"}
    return [] if any(matching.tolerates(t, taint) for t in matching.tolerations_of(pod)) else [UNSCHEDULABLE]


def ready(pod: Obj, info: NodeInfo, _: Snapshot) -> list[str]:
    """A node whose Ready condition is False or Unknown is treated as carrying the taint the node lifecycle
    controller gives it, so pods that tolerate that taint may still go there."""
    status = ready_status(info.node)
    if status in (None, "True"):
        return []
    taint = {"key": NOT_READY_TAINT if status == "False" else UNREACHABLE_TAINT, "effect": "NoSchedule"}
    return [] if any(matching.tolerates(t, taint) for t in matching.tolerations_of(pod)) else [_taint_text(taint)]


def taints(pod: Obj, info: NodeInfo, _: Snapshot) -> list[str]:
    taint = matching.untolerated_taint(matching.tolerations_of(pod), info.node)
    return [] if taint is None else [_taint_text(taint)]


def selector(pod: Obj, info: NodeInfo, _: Snapshot) -> list[str]:
    return [] if matching.selector_matches(pod, info.node) else [SELECTOR]


def resources(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> list[str]:
    asked, free, held = snapshot.costs.of(pod)[0], info.allocatable, info.requested
    reasons = []
    if held.pods + 1 > free.pods:
        reasons.append("Too many pods")
    if asked.milli_cpu and held.milli_cpu + asked.milli_cpu > free.milli_cpu:
        reasons.append("Insufficient cpu")
    if asked.memory and held.memory + asked.memory > free.memory:
        reasons.append("Insufficient memory")
    return reasons


def ports(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> list[str]:
    wanted = snapshot.costs.of(pod)[2]
    return [PORTS] if wanted and nodeinfo.ports_conflict(wanted, info.ports) else []


# kube-scheduler's order (NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
# PodTopologySpread, InterPodAffinity): a node is reported under the first that refuses it.
FILTERS: tuple[Filter, ...] = (unschedulable, ready, taints, selector, ports, resources, spreading.filter_node,
                               podaffinity.filter_node)


def applicable(pod: Obj, snapshot: Snapshot) -> tuple[Filter, ...]:
    """The filters that can refuse a node to this pod (the others are skipped for all nodes at once)."""
    spec = pod.get("spec") or {}
    idle = set()
    if not spec.get("nodeSelector") and not matching.node_affinity(pod).get(
            "requiredDuringSchedulingIgnoredDuringExecution"):
        idle.add(selector)
    if not snapshot.costs.of(pod)[2]:
        idle.add(ports)
    if not spreading.hard_constraints(pod):
        idle.add(spreading.filter_node)
    if not snapshot.anti_affinity_pods and not any(podaffinity.required_terms(pod, k)
                                                   for k in ("podAffinity", "podAntiAffinity")):
        idle.add(podaffinity.filter_node)
    return tuple(f for f in FILTERS if f not in idle)


def reasons_against(pod: Obj, info: NodeInfo, snapshot: Snapshot, filters: tuple[Filter, ...] = FILTERS) -> list[str]:
    """Why ``pod`` cannot go to ``info``'s node: the first failing filter's reasons ([] when it fits)."""
    for check in filters:
        reasons = check(pod, info, snapshot)
        if reasons:
            return reasons
    return []


def fit_message(total: int, reasons: Counter[str]) -> str:
    """kube-scheduler's FitError text: ``0/3 nodes are available: 1 Insufficient cpu, 2 node(s) ...``."""
    if total == 0:
        return "no nodes available to schedule pods"
    parts = sorted(f"{count} {reason}" for reason, count in reasons.items())
    return f"0/{total} nodes are available: {', '.join(parts)}."
