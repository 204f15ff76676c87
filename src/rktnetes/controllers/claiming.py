"""Which pods a workload owns, adopts or releases (pure), and the patches that adopt and release.

As Kubernetes' ControllerRefManager: a pod controlled by the owner and matching its selector is owned; one
controlled by the owner but no longer matching is released; an active orphan that matches is adopted, unless
the owner is being deleted. Pods controlled by someone else are never touched. Patches carry the pod's
resourceVersion, so a pod changed meanwhile is a Conflict and the reconcile retries on fresher state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rktnetes.api import selectors
from rktnetes.client import owners
from rktnetes.controllers import podstate

Obj = dict[str, Any]


@dataclass
class Claim:
    owned: list[Obj] = field(default_factory=list)
    adopt: list[Obj] = field(default_factory=list)
    release: list[Obj] = field(default_factory=list)


def selector_of(owner: Obj) -> list[selectors.Requirement]:
    """The owner's selector: a LabelSelector (apps, batch) or a plain label map (ReplicationController)."""
    selector = (owner.get("spec") or {}).get("selector") or {}
    if "matchLabels" in selector or "matchExpressions" in selector:
        return selectors.from_label_selector(selector)
    return selectors.from_label_selector({"matchLabels": selector})


def claim(owner: Obj, pods: list[Obj]) -> Claim:
    reqs = selector_of(owner)
    uid = owner["metadata"]["uid"]
    deleting = bool(owner["metadata"].get("deletionTimestamp"))
    result = Claim()
    for pod in pods:
        ref = owners.controller_of(pod)
        matches = bool(reqs) and selectors.matches_labels(reqs, pod)
        if ref is not None and ref.get("uid") == uid:
            (result.owned if matches or deleting else result.release).append(pod)
        elif ref is None and matches and not deleting and podstate.is_active(pod):
            result.adopt.append(pod)
    return result


def adopt_patch(owner: Obj, pod: Obj) -> Obj:
    refs = list((pod.get("metadata") or {}).get("ownerReferences") or [])
    refs.append(owners.owner_reference(owner))
    return {"metadata": {"ownerReferences": refs, "resourceVersion": pod["metadata"]["resourceVersion"]}}


def release_patch(owner: Obj, pod: Obj) -> Obj:
    uid = owner["metadata"]["uid"]
    refs = [r for r in (pod.get("metadata") or {}).get("ownerReferences") or [] if r.get("uid") != uid]
    return {"metadata": {"ownerReferences": refs or None, "resourceVersion": pod["metadata"]["resourceVersion"]}}
