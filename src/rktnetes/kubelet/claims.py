"""A ``persistentVolumeClaim`` volume made real: the claim read from the API, its bound PersistentVolume read,
and the volume's host directory (hostPath and local sources) handed to the pod like a hostPath volume.

A claim that is not Bound yet (or names a volume that does not exist) is ``VolumeNotReady``: the pod stays
ContainerCreating and its sync is tried again, as the kubelet's volume manager waits for a claim's binding;
``follow`` watches claims so that a pod is synced again as soon as its claim changes.
"""

from __future__ import annotations

import os
from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.client import interface, sharing
from rktnetes.client.informing import Informer
from rktnetes.client.queueing import WorkQueue
from rktnetes.kubelet import errors

Obj = dict[str, Any]


async def _read(client: interface.Api, resource: str, name: str, namespace: str | None, what: str) -> Obj:
    try:
        return await client.get(resource, name, namespace)
    except client_errors.NotFound:
        raise errors.VolumeNotReady(f"{what} not found") from None


async def volume_of(client: interface.Api, namespace: str, source: Obj) -> Obj:
    """The PersistentVolume bound to the claim ``source`` names; VolumeNotReady while there is none."""
    name = source.get("claimName") or ""
    claim = await _read(client, "persistentvolumeclaims", name, namespace,
                        f'persistentvolumeclaim "{name}"')
    bound = (claim.get("spec") or {}).get("volumeName")
    phase = (claim.get("status") or {}).get("phase") or "Pending"
    if not bound or phase != "Bound":
        raise errors.VolumeNotReady(f'PVC {namespace}/{name} has non-bound phase ("{phase}") or empty '
                                    f'pvc.Spec.VolumeName ("{bound or ""}")')
    pv = await _read(client, "persistentvolumes", bound, None, f'persistentvolume "{bound}"')
    ref = (pv.get("spec") or {}).get("claimRef") or {}
    if ref.get("uid") != claim["metadata"].get("uid"):
        raise errors.VolumeNotReady(f"PersistentVolume {bound} is not bound to claim {namespace}/{name} yet")
    return pv


def host_dir(pv: Obj) -> str:
    """The directory of a hostPath or local PersistentVolume; BadPod for any other kind of volume."""
    spec = pv.get("spec") or {}
    source = spec.get("hostPath") or spec.get("local")
    if not source:
        raise errors.BadPod(f"PersistentVolume {pv['metadata']['name']}: only hostPath and local volumes can "
                            "be mounted")
    path = source.get("path") or ""
    if not path.startswith("/") or not os.path.exists(path):
        raise errors.VolumeNotReady(f"PersistentVolume {pv['metadata']['name']}: path {path!r} does not exist")
    return path


def read_only(source: Obj, pv: Obj) -> bool:
    """Mounted read-only: asked by the pod's volume, or the volume offers ReadOnlyMany only."""
    modes = set((pv.get("spec") or {}).get("accessModes") or [])
    return bool(source.get("readOnly")) or modes == {"ReadOnlyMany"}


def using(pods: list[Obj], claim: Obj) -> list[str]:
    """``namespace/name`` of the pods that mount ``claim``."""
    meta = claim.get("metadata") or {}
    return [f"{meta.get('namespace')}/{p['metadata']['name']}" for p in pods
            if p["metadata"].get("namespace") == meta.get("namespace")
            and any((v.get("persistentVolumeClaim") or {}).get("claimName") == meta.get("name")
                    for v in (p.get("spec") or {}).get("volumes") or [])]


def follow(factory: sharing.InformerFactory, pods: Informer, queue: WorkQueue) -> Informer:
    """Watch claims and sync the node's pods that mount one when it changes (a pod waiting ContainerCreating
    runs as soon as its claim is Bound, not at its next back-off)."""
    informer = factory.informer("persistentvolumeclaims")

    def wake(claim: Obj) -> None:
        for key in using(pods.cache.list(), claim):
            queue.add(key)
    informer.add_handlers(wake, lambda _old, new: wake(new))
    return informer
