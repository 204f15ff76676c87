"""What kube-apiserver's admission adds to every new pod: its QoS class, priority, and the default
not-ready/unreachable tolerations (DefaultTolerationSeconds), plus requests defaulted from limits."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
TOLERATION_SECONDS = 300
_DEFAULT_TOLERATIONS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def default_requests(container: Obj) -> None:
    """Requests default to limits for every resource that has a limit and no request."""
    resources = container.setdefault("resources", {})
    limits = resources.get("limits") or {}
    if limits:
        requests = resources.setdefault("requests", {})
        for name, value in limits.items():
            requests.setdefault(name, value)


def qos_class(spec: Obj) -> str:
    """Guaranteed when every container limits and requests cpu and memory equally; BestEffort when none asks
    for anything; Burstable otherwise."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    asked = [c.get("resources") or {} for c in containers]
    if not any((r.get("requests") or {}) or (r.get("limits") or {}) for r in asked):
        return "BestEffort"
    for r in asked:
        limits, requests = r.get("limits") or {}, r.get("requests") or {}
        if any(k not in limits or requests.get(k, limits[k]) != limits[k] for k in ("cpu", "memory")):
            return "Burstable"
    return "Guaranteed"


def add_default_tolerations(spec: Obj) -> None:
    tolerations = spec.setdefault("tolerations", [])
    present = {t.get("key") for t in tolerations}
    for key in _DEFAULT_TOLERATIONS:
        if key not in present:
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": TOLERATION_SECONDS})


def admit(pod: Obj) -> None:
    """Fill in what admission sets on a new pod (its spec already defaulted)."""
    spec = pod.setdefault("spec", {})
    if not spec.get("priorityClassName"):
        spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    add_default_tolerations(spec)
    pod.setdefault("status", {})["qosClass"] = qos_class(spec)
