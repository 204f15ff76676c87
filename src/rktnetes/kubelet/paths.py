"""Every on-disk path of the kubelet, from one helper each (its root is ``--root-dir``)."""

from __future__ import annotations

from pathlib import Path


def pods_dir(root: Path) -> Path:
    return root / "pods"


def pod_dir(root: Path, uid: str) -> Path:
    """What the kubelet keeps for one pod (by its uid): its volumes."""
    return pods_dir(root) / uid


def volumes_dir(root: Path, uid: str) -> Path:
    return pod_dir(root, uid) / "volumes"


def volume_dir(root: Path, uid: str, volume: str) -> Path:
    """Where the pod volume ``volume`` is materialised (emptyDir, configMap, secret contents)."""
    return volumes_dir(root, uid) / volume


def pki_dir(root: Path) -> Path:
    return root / "pki"


def serving_cert_path(root: Path) -> Path:
    return pki_dir(root) / "kubelet.crt"


def serving_key_path(root: Path) -> Path:
    return pki_dir(root) / "kubelet.key"


def termination_log_path(root: Path, uid: str, container: str, restarts: int) -> Path:
    """The file a container writes its termination message to (bind-mounted at its terminationMessagePath),
    one per run of the container."""
    return pod_dir(root, uid) / "termination" / f"{container}-{restarts}"
