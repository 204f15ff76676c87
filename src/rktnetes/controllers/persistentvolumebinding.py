"""Which PersistentVolume a claim gets, and both sides of a binding as kube-controller-manager's pv-controller
writes them (pure: no I/O, every result a fresh dict, so the informers' cached objects are never changed).

A claim gets the smallest volume that satisfies it: same storageClassName and volumeMode, every access mode
it asks for, at least its requested capacity, labels its selector matches, and either free or pre-bound to it
(``spec.claimRef``). A volume pre-bound to this claim wins over any free one.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from rktnetes.api import selectors
from rktnetes.scheduler import quantities
from rktnetes.scheduler.errors import BadQuantity

Obj = dict[str, Any]
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
AVAILABLE, BOUND, RELEASED, FAILED, PENDING = "Available", "Bound", "Released", "Failed", "Pending"


def storage(obj: Obj, where: str = "capacity") -> Decimal:
    """A volume's ``spec.capacity.storage`` (or a claim's ``spec.resources.requests.storage``), 0 if unset."""
    spec = obj.get("spec") or {}
    amounts = spec.get("capacity") if where == "capacity" else (spec.get("resources") or {}).get("requests")
    try:
        return quantities.parse((amounts or {}).get("storage", 0))
    except BadQuantity:
        return Decimal(0)


def class_of(obj: Obj) -> str:
    return (obj.get("spec") or {}).get("storageClassName") or ""


def _mode(obj: Obj) -> str:
    return (obj.get("spec") or {}).get("volumeMode") or "Filesystem"


def prebound_to(pv: Obj, claim: Obj) -> bool:
    """The volume's claimRef names this claim (with its uid, or with none yet)."""
    ref, meta = (pv.get("spec") or {}).get("claimRef") or {}, claim["metadata"]
    return (ref.get("name") == meta["name"] and ref.get("namespace") == meta.get("namespace")
            and ref.get("uid") in (None, "", meta.get("uid")))


def bound_to(pv: Obj, claim: Obj) -> bool:
    """The volume's claimRef is this very claim (its uid included)."""
    ref = (pv.get("spec") or {}).get("claimRef") or {}
    return prebound_to(pv, claim) and ref.get("uid") == claim["metadata"].get("uid")


def mismatch(pv: Obj, claim: Obj) -> str | None:
    """Why the volume cannot serve the claim, or None when it can (its claimRef aside)."""
    if class_of(pv) != class_of(claim):
        return f"storageClassName does not match ({class_of(pv)!r} != {class_of(claim)!r})"
    if _mode(pv) != _mode(claim):
        return "incompatible volumeMode"
    missing = set((claim.get("spec") or {}).get("accessModes") or []) - set(pv["spec"].get("accessModes") or [])
    if missing:
        return f"incompatible accessMode ({', '.join(sorted(missing))})"
    if storage(pv) < storage(claim, "requests"):
        return "requested PV is too small"
    reqs = selectors.from_label_selector((claim.get("spec") or {}).get("selector"))
    if (claim.get("spec") or {}).get("selector") is not None and not selectors.matches_labels(reqs, pv):
        return "the volume's labels do not match the claim's selector"
    return None


def _free(pv: Obj) -> bool:
    phase = (pv.get("status") or {}).get("phase")
    return not pv["spec"].get("claimRef") and phase not in (RELEASED, FAILED) \
        and not pv["metadata"].get("deletionTimestamp")


def best_volume(pvs: list[Obj], claim: Obj) -> Obj | None:
    """The volume the claim should get: one pre-bound to it, else the smallest free one that fits."""
    fitting = [pv for pv in pvs if mismatch(pv, claim) is None]
    prebound = [pv for pv in fitting if pv["spec"].get("claimRef") and prebound_to(pv, claim)]
    if prebound:
        return prebound[0]
    free = sorted((pv for pv in fitting if _free(pv)), key=lambda pv: (storage(pv), pv["metadata"]["name"]))
    return free[0] if free else None


def claim_ref(claim: Obj) -> Obj:
    meta = claim["metadata"]
    return {"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": meta.get("namespace"),
            "name": meta["name"], "uid": meta.get("uid"), "resourceVersion": meta.get("resourceVersion")}


def bound_volume(pv: Obj, claim: Obj) -> Obj:
    """The volume with its claimRef on the claim (``bound-by-controller`` when this controller chose it)."""
    new = copy.deepcopy(pv)
    if not pv["spec"].get("claimRef"):
        new["metadata"].setdefault("annotations", {})[BOUND_BY_CONTROLLER] = "yes"
    new["spec"]["claimRef"] = claim_ref(claim)
    return new


def bound_claim(claim: Obj, pv: Obj) -> Obj:
    """The claim naming the volume, annotated as the pv-controller annotates it."""
    new = copy.deepcopy(claim)
    annotations = new["metadata"].setdefault("annotations", {})
    if new["spec"].get("volumeName") != pv["metadata"]["name"]:
        annotations[BOUND_BY_CONTROLLER] = "yes"
    annotations[BIND_COMPLETED] = "yes"
    new["spec"]["volumeName"] = pv["metadata"]["name"]
    return new


def claim_status(claim: Obj, pv: Obj | None) -> Obj:
    """A claim's status: Bound with the volume's capacity and modes, else Pending."""
    old = dict(claim.get("status") or {})
    if pv is None:
        return {k: v for k, v in old.items() if k not in ("capacity", "accessModes")} | {"phase": PENDING}
    return {**old, "phase": BOUND, "accessModes": list(pv["spec"].get("accessModes") or []),
            "capacity": dict(pv["spec"].get("capacity") or {})}


def phase(obj: Obj) -> str:
    return (obj.get("status") or {}).get("phase") or ""
