"""Pod topology spread constraints that must hold (``whenUnsatisfiable: DoNotSchedule``): placing the pod on a
node may not make its domain hold more than ``maxSkew`` matching pods above the emptiest domain. Domains are
the values of ``topologyKey`` on the nodes the pod's node selector and affinity allow, as in kube-scheduler."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rktnetes.api import selectors
from rktnetes.scheduler import matching
from rktnetes.scheduler.nodeinfo import NodeInfo, Snapshot

Obj = dict[str, Any]
SPREAD = "node(s) didn't match pod topology spread constraints"
MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"


def hard_constraints(pod: Obj) -> list[Obj]:
    return [c for c in (pod.get("spec") or {}).get("topologySpreadConstraints") or []
            if c.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule"]


def _counts(pod: Obj, constraint: Obj, snapshot: Snapshot) -> Counter[str]:
    """Matching pods of the pod's namespace per domain, every eligible domain present (zero or more)."""
    key, namespace = constraint.get("topologyKey", ""), (pod.get("metadata") or {}).get("namespace")
    reqs = selectors.from_label_selector(constraint.get("labelSelector"))
    counts: Counter[str] = Counter()
    for info in snapshot.infos.values():
        value = matching.labels_of(info.node).get(key)
        if value is None or not matching.selector_matches(pod, info.node):
            continue
        counts[value] += sum(1 for p in info.pods.values() if (p.get("metadata") or {}).get("namespace") == namespace
                             and selectors.matches_labels(reqs, p))
        counts.setdefault(value, 0)
    return counts


def filter_node(pod: Obj, info: NodeInfo, snapshot: Snapshot) -> list[str]:
    for constraint in hard_constraints(pod):
        value = matching.labels_of(info.node).get(constraint.get("topologyKey", ""))
        if value is None:
            return [MISSING_LABEL]
        memo_key = ("spread", id(pod), id(constraint))
        counts = snapshot.memo.get(memo_key)
        if counts is None:
            counts = snapshot.memo[memo_key] = _counts(pod, constraint, snapshot)
        reqs = selectors.from_label_selector(constraint.get("labelSelector"))
        itself = 1 if selectors.matches_labels(reqs, pod) else 0
        if counts.get(value, 0) + itself - min(counts.values(), default=0) > int(constraint.get("maxSkew") or 1):
            return [SPREAD]
    return []
