"""A node as the scheduler sees it for one decision: its object, the pods bound (or assumed) to it, the
resources those pods hold, and the host ports they use."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rktnetes.scheduler import quantities
from rktnetes.scheduler.quantities import Resources

Obj = dict[str, Any]
TERMINAL_PHASES = ("Succeeded", "Failed")


def name_of(obj: Obj) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def host_ports(pod: Obj) -> set[tuple[str, str, int]]:
    """The (protocol, hostIP, hostPort) triples the pod's containers claim on their node."""
    claimed = set()
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                claimed.add((port.get("protocol") or "TCP", port.get("hostIP") or "0.0.0.0", int(port["hostPort"])))
    return claimed


def ports_conflict(wanted: set[tuple[str, str, int]], used: set[tuple[str, str, int]]) -> bool:
    """Same protocol and port, and the same address or either on the wildcard 0.0.0.0."""
    for protocol, ip, port in wanted:
        for used_protocol, used_ip, used_port in used:
            if (protocol, port) == (used_protocol, used_port) and (ip == used_ip or "0.0.0.0" in (ip, used_ip)):
                return True
    return False


def pod_id(pod: Obj) -> str:
    m = pod.get("metadata") or {}
    return m.get("uid") or f"{m.get('namespace')}/{m.get('name')}"


@dataclass
class NodeInfo:
    node: Obj
    pods: dict[str, Obj] = field(default_factory=dict)
    requested: Resources = Resources()
    score_requested: Resources = Resources()
    ports: Counter[tuple[str, str, int]] = field(default_factory=Counter)

    @property
    def name(self) -> str:
        return name_of(self.node)

    @cached_property
    def allocatable(self) -> Resources:
        return quantities.allocatable(self.node)

    def set_node(self, node: Obj) -> None:
        self.node = node
        self.__dict__.pop("allocatable", None)

    def add(self, pod: Obj, costs: Costs) -> None:
        requested, score_requested, ports = costs.of(pod)
        self.pods[pod_id(pod)] = pod
        self.requested += requested
        self.score_requested += score_requested
        self.ports.update(ports)

    def remove(self, pod: Obj, costs: Costs) -> None:
        if self.pods.pop(pod_id(pod), None) is None:
            return
        requested, score_requested, ports = costs.of(pod)
        self.requested -= requested
        self.score_requested -= score_requested
        self.ports.subtract(ports)
        self.ports = +self.ports


class Costs:
    """What each pod holds on its node, remembered by uid and resourceVersion so that a snapshot per decision
    does not parse every bound pod's quantities again."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._known: dict[tuple[str, str], tuple[Resources, Resources, set]] = {}

    def of(self, pod: Obj) -> tuple[Resources, Resources, set[tuple[str, str, int]]]:
        m = pod.get("metadata") or {}
        key = (m.get("uid", ""), m.get("resourceVersion", ""))
        known = self._known.get(key) if all(key) else None
        if known is None:
            known = (quantities.pod_requests(pod), quantities.pod_score_requests(pod), host_ports(pod))
            if len(self._known) >= self.limit:
                self._known.clear()
            self._known[key] = known
        return known


def counts(pod: Obj) -> bool:
    """Does a bound pod still hold its node's resources (not finished)?"""
    return (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES


def has_required_anti_affinity(pod: Obj) -> bool:
    anti = ((pod.get("spec") or {}).get("affinity") or {}).get("podAntiAffinity") or {}
    return bool(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))


class Snapshot:
    """The nodes for one scheduling decision, and (computed once, when a filter first asks) the bound pods
    that carry required anti-affinity, which every candidate pod must be checked against."""

    def __init__(self, infos: dict[str, NodeInfo], costs: Costs | None = None,
                 anti_affinity_pods: list[tuple[Obj, NodeInfo]] | None = None) -> None:
        self.infos, self.costs = infos, costs or Costs()
        self.memo: dict[Any, Any] = {}  # what a filter computes once per decision, not once per node
        if anti_affinity_pods is not None:
            self.__dict__["anti_affinity_pods"] = anti_affinity_pods

    @cached_property
    def anti_affinity_pods(self) -> list[tuple[Obj, NodeInfo]]:
        return [(p, i) for i in self.infos.values() for p in i.pods.values() if has_required_anti_affinity(p)]


def build(nodes: list[Obj], bound: list[Obj], costs: Costs | None = None) -> Snapshot:
    """A snapshot of the nodes and the pods bound or assumed to them (pods of unknown nodes are ignored)."""
    infos, costs = {name_of(n): NodeInfo(n) for n in nodes}, costs or Costs()
    for pod in bound:
        info = infos.get((pod.get("spec") or {}).get("nodeName") or "")
        if info is not None and counts(pod):
            info.add(pod, costs)
    return Snapshot(infos, costs)
