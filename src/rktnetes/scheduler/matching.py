"""Which nodes a pod may go to by their labels and taints: nodeSelector, node affinity terms
(In, NotIn, Exists, DoesNotExist, Gt, Lt; matchFields on metadata.name) and taints against tolerations."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
HARD_EFFECTS = ("NoSchedule", "NoExecute")


def labels_of(obj: Obj) -> dict[str, str]:
    return (obj.get("metadata") or {}).get("labels") or {}


def _int(text: str | None) -> int | None:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return None


def requirement_matches(expr: Obj, values: dict[str, str]) -> bool:
    """One ``NodeSelectorRequirement`` against a node's labels (or fields)."""
    key, op, wanted = expr.get("key"), expr.get("operator"), expr.get("values") or []
    present, value = key in values, values.get(key)
    if op == "In":
        return present and value in wanted
    if op == "NotIn":
        return not present or value not in wanted
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and len(wanted) == 1:
        have, bound = _int(value), _int(wanted[0])
        if have is not None and bound is not None:
            return have > bound if op == "Gt" else have < bound
    return False


def term_matches(term: Obj, node: Obj) -> bool:
    """A ``NodeSelectorTerm``: all its expressions and fields hold (an empty term matches nothing)."""
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False
    labels = labels_of(node)
    node_fields = {"metadata.name": (node.get("metadata") or {}).get("name", "")}
    return all(requirement_matches(e, labels) for e in exprs) and all(
        requirement_matches(f, node_fields) for f in fields)


def node_affinity(pod: Obj) -> Obj:
    return ((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}


def selector_matches(pod: Obj, node: Obj) -> bool:
    """The pod's nodeSelector and required node affinity (any of its terms) both allow ``node``."""
    labels = labels_of(node)
    wanted = (pod.get("spec") or {}).get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in wanted.items()):
        return False
    required = node_affinity(pod).get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    return any(term_matches(t, node) for t in required.get("nodeSelectorTerms") or [])


def preferred_weight(pod: Obj, node: Obj) -> int:
    """The summed weights of the pod's preferred node-affinity terms that ``node`` matches."""
    preferred = node_affinity(pod).get("preferredDuringSchedulingIgnoredDuringExecution") or []
    return sum(int(p.get("weight") or 0) for p in preferred if term_matches(p.get("preference") or {}, node))


def tolerates(toleration: Obj, taint: Obj) -> bool:
    """Does one toleration cover one taint (effect, key, and Equal/Exists on the value)?"""
    effect = toleration.get("effect")
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key")
    if key and key != taint.get("key"):
        return False
    if toleration.get("operator") == "Exists":
        return True
    return bool(key) and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taint(tolerations: list[Obj], node: Obj, effects: tuple[str, ...] = HARD_EFFECTS) -> Obj | None:
    """The first of ``node``'s taints with one of ``effects`` that no toleration covers."""
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") in effects and not any(tolerates(t, taint) for t in tolerations):
            return taint
    return None


def tolerations_of(pod: Obj) -> list[Obj]:
    return (pod.get("spec") or {}).get("tolerations") or []
