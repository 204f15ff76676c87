"""The PersistentVolume controllers on the real API server, driven with the real kubectl: the default class
and protection finalizers at admission, static binding to the smallest fitting volume, Retain releases,
hostPath provisioning and Delete, and a claim deleted while a pod uses it waiting for the pod."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager, provisioning
from tests.integration.test_controllers_replicaset import until

NAMES = ["persistentvolume-binder", "pvc-protection", "pv-protection"]


@contextlib.asynccontextmanager
async def controllers(server, hostpath_dir: Path | None = None) -> AsyncIterator[None]:
    async with rest.Client.from_kubeconfig(server.kubeconfig) as client:
        options = {"persistentvolume-binder": {"hostpath_dir": hostpath_dir}}
        task = asyncio.create_task(manager.run(client, NAMES, workers=1, options=options))
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _apply(server, namespace: str | None, *objects: dict) -> None:
    args = ["apply", "-f", "-"] + (["-n", namespace] if namespace else [])
    server.kubectl(*args, input=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)}))


def _get(server, kind: str, name: str, namespace: str | None = None) -> dict | None:
    done = server.kubectl("get", kind, name, "-o", "json", *(["-n", namespace] if namespace else []), check=False)
    return json.loads(done.stdout) if done.returncode == 0 else None


def _pv(name: str, size: str, cls: str, path: str = "/tmp", policy: str = "Retain") -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
            "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                     "persistentVolumeReclaimPolicy": policy, "hostPath": {"path": path}}}


def _pvc(name: str, size: str = "1Gi", cls: str | None = None) -> dict:
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": {**spec, **({"storageClassName": cls} if cls is not None else {})}}


def _phase(server, kind: str, name: str, namespace: str | None = None) -> str:
    return ((_get(server, kind, name, namespace) or {}).get("status") or {}).get("phase", "")


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:6]


def test_admission_gives_the_default_class_and_the_finalizers(own_apiserver, own_namespace, unique) -> None:
    sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "provisioner": provisioning.HOSTPATH,
          "metadata": {"name": f"dflt-{unique}", "annotations": {"storageclass.kubernetes.io/is-default-class":
                                                                  "true"}}}
    _apply(own_apiserver, None, sc)
    try:
        _apply(own_apiserver, own_namespace, _pvc("plain"), _pvc("none", cls=""))
        _apply(own_apiserver, None, _pv(f"pv-{unique}", "1Gi", "x"))
        plain = _get(own_apiserver, "pvc", "plain", own_namespace)
        assert plain["spec"]["storageClassName"] == f"dflt-{unique}"
        assert plain["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
        assert _get(own_apiserver, "pvc", "none", own_namespace)["spec"]["storageClassName"] == ""
        pv = _get(own_apiserver, "pv", f"pv-{unique}")
        assert pv["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    finally:
        own_apiserver.kubectl("delete", "storageclass", f"dflt-{unique}", check=False)
        own_apiserver.kubectl("patch", "pv", f"pv-{unique}", "--type=merge", "-p",
                              '{"metadata":{"finalizers":null}}', check=False)
        own_apiserver.kubectl("delete", "pv", f"pv-{unique}", "--wait=false", check=False)


async def test_a_claim_binds_the_smallest_volume_and_retain_releases_it(own_apiserver, own_namespace,
                                                                       unique) -> None:
    cls = f"manual-{unique}"
    _apply(own_apiserver, None, _pv(f"big-{unique}", "5Gi", cls), _pv(f"fit-{unique}", "1Gi", cls),
           _pv(f"tiny-{unique}", "100Mi", cls))
    async with controllers(own_apiserver):
        await until(lambda: _phase(own_apiserver, "pv", f"big-{unique}") == "Available")
        _apply(own_apiserver, own_namespace, _pvc("data", "500Mi", cls))
        await until(lambda: _phase(own_apiserver, "pvc", "data", own_namespace) == "Bound")
        claim, pv = _get(own_apiserver, "pvc", "data", own_namespace), _get(own_apiserver, "pv", f"fit-{unique}")
        assert claim["spec"]["volumeName"] == f"fit-{unique}" and claim["status"]["capacity"] == {"storage": "1Gi"}
        assert claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
        assert pv["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"] and pv["status"]["phase"] == "Bound"
        table = own_apiserver.kubectl("get", "pv", f"fit-{unique}").stdout
        assert "Bound" in table and f"{own_namespace}/data" in table
        own_apiserver.kubectl("delete", "pvc", "data", "-n", own_namespace, "--wait=false")  # the controllers
        await until(lambda: _phase(own_apiserver, "pv", f"fit-{unique}") == "Released")  # share this loop
        own_apiserver.kubectl("delete", "pv", f"big-{unique}", f"fit-{unique}", f"tiny-{unique}", "--wait=false")
        await until(lambda: _get(own_apiserver, "pv", f"fit-{unique}") is None)


async def test_a_provisioned_volume_is_made_bound_and_deleted(own_apiserver, own_namespace, unique,
                                                             tmp_path) -> None:
    sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": f"hp-{unique}"},
          "provisioner": provisioning.HOSTPATH, "reclaimPolicy": "Delete"}
    _apply(own_apiserver, None, sc)
    try:
        async with controllers(own_apiserver, tmp_path):
            _apply(own_apiserver, own_namespace, _pvc("made", "2Gi", f"hp-{unique}"))
            await until(lambda: _phase(own_apiserver, "pvc", "made", own_namespace) == "Bound")
            name = _get(own_apiserver, "pvc", "made", own_namespace)["spec"]["volumeName"]
            pv = _get(own_apiserver, "pv", name)
            where = Path(pv["spec"]["hostPath"]["path"])
            assert where == tmp_path / own_namespace / name and where.is_dir()
            assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == provisioning.HOSTPATH
            (where / "data").write_text("kept until the claim goes")
            own_apiserver.kubectl("delete", "pvc", "made", "-n", own_namespace, "--wait=false")
            await until(lambda: _get(own_apiserver, "pv", name) is None)
            assert not where.exists()
    finally:
        own_apiserver.kubectl("delete", "storageclass", f"hp-{unique}", check=False)


async def test_a_claim_in_use_waits_for_its_pod(own_apiserver, own_namespace, unique, tmp_path) -> None:
    sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": f"use-{unique}"},
          "provisioner": provisioning.HOSTPATH}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}],
                    "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "held"}}]}}
    _apply(own_apiserver, None, sc)
    try:
        async with controllers(own_apiserver, tmp_path):
            _apply(own_apiserver, own_namespace, _pvc("held", cls=f"use-{unique}"), pod)
            await until(lambda: _phase(own_apiserver, "pvc", "held", own_namespace) == "Bound")
            own_apiserver.kubectl("delete", "pvc", "held", "-n", own_namespace, "--wait=false")
            await asyncio.sleep(1.0)
            held = _get(own_apiserver, "pvc", "held", own_namespace)
            assert held["metadata"]["deletionTimestamp"] and held["status"]["phase"] == "Bound"
            assert "Terminating" in own_apiserver.kubectl("get", "pvc", "held", "-n", own_namespace).stdout
            own_apiserver.kubectl("delete", "pod", "user", "-n", own_namespace, "--grace-period=0", "--force",
                                  "--wait=false")
            await until(lambda: _get(own_apiserver, "pvc", "held", own_namespace) is None)
    finally:
        own_apiserver.kubectl("delete", "storageclass", f"use-{unique}", check=False)
