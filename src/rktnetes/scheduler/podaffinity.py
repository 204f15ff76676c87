"""Required inter-pod affinity and anti-affinity: a pod goes only where (within a topology domain, the nodes
sharing the value of ``topologyKey``) pods matching its affinity terms run, where none matching its
anti-affinity terms run, and where no running pod's anti-affinity excludes it."""

from __future__ import annotations

from typing import Any

from rktnetes.api import selectors
from rktnetes.scheduler.matching import labels_of
from rktnetes.scheduler.nodeinfo import NodeInfo, Snapshot

Obj = dict[str, Any]
AFFINITY = "node(s) didn't match pod affinity rules"
ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"


def required_terms(pod: Obj, kind: str) -> list[Obj]:
    """The pod's required ``podAffinity`` or ``podAntiAffinity`` terms."""
    block = ((pod.get("spec") or {}).get("affinity") or {}).get(kind) or {}
    return block.get("requiredDuringSchedulingIgnoredDuringExecution") or []


def term_selects(term: Obj, owner: Obj, pod: Obj) -> bool:
    """Does ``owner``'s term select ``pod`` (its namespaces, default the owner's own, and its label selector)?"""
    namespaces = term.get("namespaces") or [(owner.get("metadata") or {}).get("namespace")]
    if (pod.get("metadata") or {}).get("namespace") not in namespaces:
        return False
    return selectors.matches_labels(selectors.from_label_selector(term.get("labelSelector")), pod)


def _domain(snapshot: Snapshot, key: str, value: str) -> list[NodeInfo]:
    return [i for i in snapshot.infos.values() if labels_of(i.node).get(key) == value]


def _matching_in(term: Obj, pod: Obj, infos: list[NodeInfo]) -> bool:
    return any(term_selects(term, pod, other) for info in infos for other in info.pods.values())


def _affinity_ok(pod: Obj, term: Obj, info: NodeInfo, snapshot: Snapshot) -> bool:
    value = labels_of(info.node).get(term.get("topologyKey", ""))
    if value is None:
        return False
    if _matching_in(term, pod, _domain(snapshot, term["topologyKey"], value)):
        return True
    # The first of a group that must run together: nothing matches anywhere yet and it matches itself.
    return term_selects(term, pod, pod) and not _matching_in(term, pod, list(snapshot.infos.values()))


def _anti_affinity_ok(pod: Obj, term: Obj, info: NodeInfo, snapshot: Snapshot) -> bool:
    value = labels_of(info.node).get(term.get("topologyKey", ""))
    return value is None or not _matching_in(term, pod, _domain(snapshot, term["topologyKey"], value))


def _existing_allow(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> bool:
    labels = labels_of(info.node)
    for other, where in snapshot.anti_affinity_pods:
        for term in required_terms(other, "podAntiAffinity"):
            key = term.get("topologyKey", "")
            if key in labels and labels_of(where.node).get(key) == labels[key] and term_selects(term, other, pod):
                return False
    return True


def filter_node(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> list[str]:
    if not _existing_allow(pod, info, snapshot):
        return [EXISTING_ANTI_AFFINITY]
    if not all(_affinity_ok(pod, t, info, snapshot) for t in required_terms(pod, "podAffinity")):
        return [AFFINITY]
    if not all(_anti_affinity_ok(pod, t, info, snapshot) for t in required_terms(pod, "podAntiAffinity")):
        return [ANTI_AFFINITY]
    return []


def _domains_with_matches(term: Obj, pod: Obj, snapshot: Snapshot) -> set[str]:
    """The values of ``topologyKey`` on nodes running a pod the term selects."""
    key = term.get("topologyKey", "")
    return {labels_of(i.node)[key] for i in snapshot.infos.values() if key in labels_of(i.node)
            and any(term_selects(term, pod, other) for other in i.pods.values())}


def preferred_scores(pod: Obj, fits: list[NodeInfo], snapshot: Snapshot) -> dict[str, float]:
    """Preferred pod affinity (+weight) and anti-affinity (-weight) per node, scaled to 0-100 across ``fits``."""
    raw = {i.name: 0.0 for i in fits}
    for kind, sign in (("podAffinity", 1), ("podAntiAffinity", -1)):
        block = ((pod.get("spec") or {}).get("affinity") or {}).get(kind) or {}
        for weighted in block.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
            term = weighted.get("podAffinityTerm") or {}
            domains, key = _domains_with_matches(term, pod, snapshot), term.get("topologyKey", "")
            for info in fits:
                if labels_of(info.node).get(key) in domains:
                    raw[info.name] += sign * int(weighted.get("weight") or 0)
    low, high = min(raw.values(), default=0.0), max(raw.values(), default=0.0)
    return {n: (v - low) * 100 / (high - low) if high > low else 0.0 for n, v in raw.items()}
