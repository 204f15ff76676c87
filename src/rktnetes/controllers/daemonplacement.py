"""Where a DaemonSet runs and the pod it runs there, pure.

A node is eligible when its labels satisfy the template's ``nodeSelector`` and every NoSchedule/NoExecute
taint on it is tolerated — by the template's tolerations or the ones every daemon pod gets (not-ready,
unreachable, pressure conditions, unschedulable), as in Kubernetes. The pod is bound to its node directly
(``spec.nodeName``) and labelled with the template hash, which tells updated pods from old ones.
"""

from __future__ import annotations

from typing import Any

from rktnetes.controllers import rollout, templates

Obj = dict[str, Any]
GENERATION_LABEL = "controller-revision-hash"
DAEMON_TOLERATIONS = tuple(
    {"key": key, "operator": "Exists", "effect": effect} for key, effect in (
        ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule")))


def tolerates(toleration: Obj, taint: Obj) -> bool:
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("operator") == "Exists":
        return not toleration.get("key") or toleration["key"] == taint.get("key")
    return toleration.get("key") == taint.get("key") and toleration.get("value", "") == taint.get("value", "")


def tolerations_of(daemonset: Obj) -> list[Obj]:
    return [*((daemonset["spec"]["template"].get("spec") or {}).get("tolerations") or []), *DAEMON_TOLERATIONS]


def fits(daemonset: Obj, node: Obj) -> bool:
    pod_spec = daemonset["spec"]["template"].get("spec") or {}
    labels = (node.get("metadata") or {}).get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    tolerations = tolerations_of(daemonset)
    return all(any(tolerates(t, taint) for t in tolerations) for taint in (node.get("spec") or {}).get("taints") or []
               if taint.get("effect") in ("NoSchedule", "NoExecute"))


def revision(daemonset: Obj) -> str:
    return rollout.template_hash(daemonset["spec"]["template"])


def pod_for_node(daemonset: Obj, node_name: str) -> Obj:
    pod = templates.pod_for(daemonset, extra_labels={GENERATION_LABEL: revision(daemonset)})
    pod["spec"]["nodeName"] = node_name
    known = pod["spec"].get("tolerations") or []
    pod["spec"]["tolerations"] = [*known, *(t for t in DAEMON_TOLERATIONS if t not in known)]
    return pod


def is_current(daemonset: Obj, pod: Obj) -> bool:
    return ((pod.get("metadata") or {}).get("labels") or {}).get(GENERATION_LABEL) == revision(daemonset)
