"""The kubelet mounts persistentVolumeClaim volumes, with the real controller manager binding the claims: a pod
whose claim is not bound waits ContainerCreating (with an event) and runs once it is; what it writes is on the
volume's host directory; a second pod mounting the claim readOnly reads it and cannot write."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def controller_manager(kubeconfig: Path, log: Path) -> Iterator[None]:
    argv = [sys.executable, "-m", "rktnetes.cluster", "controller-manager", f"--kubeconfig={kubeconfig}",
            "--leader-elect=false", "--controllers=persistentvolume-binder,pvc-protection,pv-protection"]
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def released(kubelet, namespace: str, pv: str) -> Iterator[None]:
    """At the end, the pods, the claim and the volume deleted while the controllers still run (their
    protection finalizers would keep them otherwise)."""
    try:
        yield
    finally:
        kubectl = kubelet.apiserver.kubectl
        kubectl("delete", "pods", "--all", "-n", namespace, "--grace-period=1", "--timeout=60s", timeout=90,
                check=False)
        kubectl("delete", "pvc", "--all", "-n", namespace, "--timeout=30s", check=False)
        kubectl("delete", "pv", pv, "--timeout=30s", check=False)


@pytest.fixture
def volume(kubelet, tmp_path) -> Iterator[tuple[str, Path]]:
    """A hostPath PersistentVolume of a class of its own (no other test's claim can take it)."""
    name, where = f"pv-{uuid.uuid4().hex[:8]}", tmp_path / "volume"
    where.mkdir()
    where.chmod(0o777)
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
          "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": name,
                   "hostPath": {"path": str(where)}}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pv))
    try:
        yield name, where
    finally:
        kubelet.apiserver.kubectl("delete", "pv", name, "--wait=false", check=False)


def _claim(cls: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                       "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                                "resources": {"requests": {"storage": "1Gi"}}}})


def _pod(kubelet, namespace: str, name: str, script: str, read_only: bool = False) -> None:
    container = {"name": "main", "image": kubelet.image(), "command": ["/bin/sh", "-c", script],
                 "volumeMounts": [{"name": "d", "mountPath": "/data"}]}
    source = {"claimName": "data", **({"readOnly": True} if read_only else {})}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"nodeName": kubelet.node, "containers": [container], "terminationGracePeriodSeconds": 1,
                    "volumes": [{"name": "d", "persistentVolumeClaim": source}]}}
    kubelet.apiserver.kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(pod))


def _waiting(kubelet, namespace: str, name: str) -> dict | None:
    statuses = kubelet.pod(namespace, name).get("status", {}).get("containerStatuses") or []
    return statuses[0]["state"].get("waiting") if statuses else None


def test_a_pod_waits_for_its_claim_then_writes_and_the_next_pod_reads(kubelet, namespace, volume, tmp_path):
    cls, where = volume
    kubectl = kubelet.apiserver.kubectl
    _pod(kubelet, namespace, "writer", "echo written-by-one > /data/f; exec sleep 300")
    waiting = kubelet.wait_for("ContainerCreating", lambda: _waiting(kubelet, namespace, "writer"))
    assert waiting["reason"] == "ContainerCreating" and "data" in waiting["message"]
    events = kubectl("get", "events", "-n", namespace, "--field-selector=involvedObject.name=writer").stdout
    assert "non-bound phase" in events or "not found" in events
    assert "FailedMount" in events  # the kubelet's reason for a volume it cannot mount yet
    with controller_manager(kubelet.apiserver.kubeconfig, tmp_path / "cm.log"), released(kubelet, namespace, cls):
        kubectl("create", "-n", namespace, "-f", "-", input=_claim(cls))
        kubelet.wait_phase(namespace, "writer", "Running", timeout=90)
        kubelet.wait_for("the file", lambda: (where / "f").exists())
        assert (where / "f").read_text() == "written-by-one\n"
        kubectl("delete", "pod", "writer", "-n", namespace, "--grace-period=1", "--timeout=60s", timeout=90)
        _pod(kubelet, namespace, "reader", "cat /data/f; touch /data/g && echo writable || echo read-only; "
             "exec sleep 300", read_only=True)
        kubelet.wait_phase(namespace, "reader", "Running")
        kubelet.wait_for("the reader's output", lambda: "read-only" in kubectl("logs", "-n", namespace, "reader").stdout)
        assert kubectl("logs", "-n", namespace, "reader").stdout.startswith("written-by-one\n")
        assert not (where / "g").exists()
