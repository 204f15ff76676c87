"""Admission of new claims and volumes, as kube-apiserver's DefaultStorageClass and
StorageObjectInUseProtection plugins do it: a claim that names no storageClassName gets the default class
(the newest StorageClass annotated ``storageclass.kubernetes.io/is-default-class: "true"``; an explicit ""
stays); every claim and volume is created with its in-use protection finalizer.
"""

from __future__ import annotations

from typing import Any

from rktnetes.api.resources import lookup
from rktnetes.apiserver.registry import Registry

Obj = dict[str, Any]
CLAIMS = lookup("", "v1", "persistentvolumeclaims")
VOLUMES = lookup("", "v1", "persistentvolumes")
CLASSES = lookup("storage.k8s.io", "v1", "storageclasses")
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
FINALIZERS = {"PersistentVolumeClaim": "kubernetes.io/pvc-protection", "PersistentVolume": "kubernetes.io/pv-protection"}


def default_class(classes: list[Obj]) -> str | None:
    """The name of the newest default StorageClass, or None."""
    defaults = [c for c in classes if (c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true"]
    newest = max(defaults, key=lambda c: (c["metadata"].get("creationTimestamp") or "", c["metadata"]["name"]),
                 default=None)
    return newest["metadata"]["name"] if newest else None


def protect(obj: Obj) -> None:
    """Add the kind's in-use protection finalizer (in place)."""
    finalizers = obj["metadata"].setdefault("finalizers", [])
    if FINALIZERS[obj["kind"]] not in finalizers:
        finalizers.append(FINALIZERS[obj["kind"]])


async def admit(registry: Registry, resource: object, obj: Obj) -> None:
    """Admit a new claim or volume (in place); other kinds are left alone."""
    if resource is not CLAIMS and resource is not VOLUMES:
        return
    protect(obj)
    spec = obj.setdefault("spec", {})
    if resource is CLAIMS and spec.get("storageClassName") is None:
        name = default_class((await registry.list(CLASSES, None)).items)
        if name is not None:
            spec["storageClassName"] = name
