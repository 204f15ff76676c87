"""Dynamic provisioning for StorageClasses whose provisioner is ``k8s.io/minikube-hostpath``, as minikube's
storage-provisioner does it: a directory per claim under one host folder (``--hostpath-provisioner-dir``)
becomes a hostPath PersistentVolume pre-bound to the claim; deleting such a volume deletes its directory.
The directory is ``<namespace>/<volume name>`` (minikube's is ``<namespace>/<claim name>``): a claim made again
under the same name never meets a Retained volume's data, nor loses its own to the old volume's deletion.

All nodes of a local cluster share the machine's file system, so a hostPath volume works on any of them.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
from pathlib import Path
from typing import Any

from rktnetes.controllers import persistentvolumebinding as binding

Obj = dict[str, Any]
HOSTPATH = "k8s.io/minikube-hostpath"
IDENTITY = "hostPathProvisionerIdentity"


def volume_name(claim: Obj) -> str:
    """A provisioned volume's name: ``pvc-<claim uid>``, as every Kubernetes provisioner names it."""
    return f"pvc-{claim['metadata']['uid']}"


def claim_dir(root: Path, claim: Obj) -> Path:
    """Where the claim's data lives: ``<root>/<namespace>/pvc-<claim uid>``."""
    return root / claim["metadata"]["namespace"] / volume_name(claim)


class HostPathProvisioner:
    """Makes and deletes hostPath volumes under ``root``."""

    name = HOSTPATH

    def __init__(self, root: Path) -> None:
        self.root = root

    def provision(self, claim: Obj, storage_class: Obj) -> Obj:
        """Make the claim's directory; the PersistentVolume to create for it."""
        where = claim_dir(self.root, claim)
        where.mkdir(parents=True, exist_ok=True)
        where.chmod(0o777)  # any pod user may write to it, as minikube's provisioner allows
        return volume_for(claim, storage_class, where)

    def delete(self, pv: Obj) -> None:
        """Remove a volume's directory, if it is one of ours (under ``root``)."""
        path = Path(((pv.get("spec") or {}).get("hostPath") or {}).get("path") or "/")
        if self.root.resolve() in path.resolve().parents:
            shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # the namespace's folder, once empty


def volume_for(claim: Obj, storage_class: Obj, where: Path) -> Obj:
    """The PersistentVolume provisioned for ``claim`` of ``storage_class`` at ``where`` (pure)."""
    spec = claim.get("spec") or {}
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": volume_name(claim),
                         "annotations": {binding.PROVISIONED_BY: storage_class.get("provisioner", HOSTPATH),
                                         IDENTITY: socket.gethostname()}},
            "spec": {"capacity": {"storage": str(((spec.get("resources") or {}).get("requests") or {})
                                                 .get("storage", "0"))},
                     "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
                     "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
                     "storageClassName": storage_class["metadata"]["name"],
                     "volumeMode": spec.get("volumeMode") or "Filesystem",
                     **({"mountOptions": list(storage_class["mountOptions"])}
                        if storage_class.get("mountOptions") else {}),
                     "claimRef": binding.claim_ref(claim), "hostPath": {"path": str(where), "type": ""}}}
