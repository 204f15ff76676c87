"""Persistent volumes on a two-node cluster started by ``rktnetes start``, driven with the real kubectl, as a
minikube user meets them: a claim is Bound to a volume the ``standard`` class provisions; what one pod writes
on one node the next pod reads on the other; a StatefulSet's pods run with a claim each; a claim in use waits
for its pod, then its volume and data go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _file(tmp_path: Path, name: str, *objects: dict) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)}))
    return str(path)


def _claim(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "64Mi"}}}}


def _pod(cluster, name: str, script: str, node: str, restart: str = "Never") -> dict:
    container = {"name": "main", "image": cluster.image(), "command": ["/bin/sh", "-c", script],
                 "volumeMounts": [{"name": "d", "mountPath": "/data"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container], "restartPolicy": restart, "terminationGracePeriodSeconds": 1,
                     "nodeName": node,
                     "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}}


def _statefulset(cluster) -> dict:
    container = {"name": "web", "image": cluster.image(), "volumeMounts": [{"name": "www", "mountPath": "/www"}],
                 "command": ["/bin/sh", "-c", "hostname > /www/id; exec sleep 3600"]}
    template = {"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                      "resources": {"requests": {"storage": "16Mi"}}}}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
            "spec": {"replicas": 2, "serviceName": "web", "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [container], "terminationGracePeriodSeconds": 1}},
                     "volumeClaimTemplates": [template]}}


def _phase(cluster, kind: str, name: str) -> str:
    done = cluster.kubectl("get", kind, name, "-o", "jsonpath={.status.phase}", check=False)
    return done.stdout if done.returncode == 0 else ""


def test_claims_provisioned_shared_between_pods_and_protected(local_cluster, tmp_path):
    cluster = local_cluster
    cluster.nodes = 2  # the writer runs on the second node, the reader on the first: they share the machine
    cluster.start()
    assert "standard (default)" in cluster.kubectl("get", "storageclass").stdout
    cluster.kubectl("apply", "-f", _file(tmp_path, "claim", _claim("data")))
    cluster.wait_for("the claim Bound", lambda: _phase(cluster, "pvc", "data") == "Bound")
    claim = cluster.kubectl_json("get", "pvc", "data")
    volume = claim["spec"]["volumeName"]
    assert claim["spec"]["storageClassName"] == "standard" and volume == f"pvc-{claim['metadata']['uid']}"
    row = cluster.kubectl("get", "pv", volume, "--no-headers").stdout.split()
    assert row[1:7] == ["64Mi", "RWO", "Delete", "Bound", "default/data", "standard"]
    where = Path(cluster.kubectl_json("get", "pv", volume)["spec"]["hostPath"]["path"])
    assert where.parent.parent == cluster.dir / "hostpath-provisioner"

    cluster.kubectl("apply", "-f", _file(tmp_path, "writer", _pod(cluster, "writer", "echo kept > /data/note",
                                                                   f"{cluster.profile}-m02")))
    cluster.wait_for("the writer Succeeded", lambda: _phase(cluster, "pod", "writer") == "Succeeded")
    cluster.kubectl("delete", "pod", "writer")
    cluster.kubectl("apply", "-f", _file(tmp_path, "reader", _pod(cluster, "reader", "cat /data/note; "
                                                                   "exec sleep 3600", cluster.profile, "Always")))
    cluster.kubectl("wait", "--for=condition=Ready", "pod/reader", "--timeout=90s", timeout=120)
    cluster.wait_for("the reader's output", lambda: cluster.kubectl("logs", "reader").stdout == "kept\n")
    described = cluster.kubectl("describe", "pvc", "data").stdout
    assert "ProvisioningSucceeded" in described and "reader" in described.split("Used By:")[1].splitlines()[0]

    cluster.kubectl("apply", "-f", _file(tmp_path, "sts", _statefulset(cluster)))
    cluster.kubectl("rollout", "status", "statefulset/web", "--timeout=150s", timeout=180)
    claims = {r.split()[0]: r.split()[1] for r in cluster.kubectl("get", "pvc", "--no-headers").stdout.splitlines()}
    assert claims == {"data": "Bound", "www-web-0": "Bound", "www-web-1": "Bound"}
    for ordinal in (0, 1):
        cluster.wait_for("web's id file", lambda o=ordinal: cluster.kubectl(
            "exec", f"web-{o}", "--", "cat", "/www/id", check=False).stdout == f"web-{o}\n")

    cluster.kubectl("delete", "pvc", "data", "--wait=false")
    cluster.wait_for("Terminating", lambda: "Terminating" in cluster.kubectl("get", "pvc", "data").stdout)
    assert _phase(cluster, "pvc", "data") == "Bound" and where.is_dir()  # its pod still uses it
    cluster.kubectl("delete", "pod", "reader", "--timeout=60s", timeout=90)
    cluster.wait_for("the claim gone", lambda: cluster.kubectl("get", "pvc", "data", check=False).returncode)
    cluster.wait_for("the volume gone", lambda: cluster.kubectl("get", "pv", volume, check=False).returncode)
    assert not where.exists()
