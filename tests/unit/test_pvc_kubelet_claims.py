"""persistentVolumeClaim volumes on the fake API: the bound volume's directory, readOnly, and the waits."""

from __future__ import annotations

import re

import pytest

from rktnetes.client import sharing
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.client.queueing import WorkQueue
from rktnetes.kubelet import claims, errors, volumes
from tests.conftest import settle


def _claim(phase: str = "Bound", volume: str = "pv1") -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "ns", "uid": "claim-uid"},
            "spec": {"volumeName": volume}, "status": {"phase": phase}}


def _pv(path: str, modes: tuple = ("ReadWriteOnce",), uid: str = "claim-uid", kind: str = "hostPath") -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv1"},
            "spec": {"accessModes": list(modes), kind: {"path": path}, "claimRef": {"name": "data", "uid": uid}}}


def _pod(read_only: bool = False) -> dict:
    source = {"claimName": "data", **({"readOnly": True} if read_only else {})}
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "pod-uid"},
            "spec": {"volumes": [{"name": "d", "persistentVolumeClaim": source}]}}


@pytest.mark.parametrize(("kind", "read_only", "modes", "ro"), [
    ("hostPath", False, ("ReadWriteOnce",), set()), ("local", True, ("ReadWriteOnce",), {"d"}),
    ("hostPath", False, ("ReadOnlyMany",), {"d"})])
async def test_a_bound_claim_is_its_volumes_directory(tmp_path, kind, read_only, modes, ro) -> None:
    api = FakeClient(_claim(), namespace="ns")
    uid = (await api.get("persistentvolumeclaims", "data", "ns"))["metadata"]["uid"]
    await api.create("persistentvolumes", _pv(str(tmp_path), modes, uid, kind))
    dirs, read_only_set = await volumes.materialise(api, tmp_path / "k", _pod(read_only))
    assert dirs == {"d": str(tmp_path)} and read_only_set == ro


@pytest.mark.parametrize(("objects", "message"), [
    ((), 'persistentvolumeclaim "data" not found'),
    ((_claim("Pending", ""),), 'non-bound phase ("Pending")'),
    ((_claim(),), 'persistentvolume "pv1" not found'),
    ((_claim(), _pv("/", uid="other")), "not bound to claim ns/data yet"),
])
async def test_a_claim_not_ready_keeps_the_pod_creating(tmp_path, objects, message) -> None:
    with pytest.raises(errors.VolumeNotReady, match=re.escape(message)) as caught:
        await volumes.materialise(FakeClient(*objects, namespace="ns"), tmp_path, _pod())
    assert caught.value.reason == "ContainerCreating"


async def test_a_volume_whose_directory_is_missing_is_not_ready(tmp_path) -> None:
    with pytest.raises(errors.VolumeNotReady, match="does not exist"):
        claims.host_dir(_pv(str(tmp_path / "missing")))


async def test_a_volume_of_another_kind_cannot_be_mounted(tmp_path) -> None:
    pv = {"metadata": {"name": "pv1"}, "spec": {"nfs": {"server": "s", "path": "/"}}}
    with pytest.raises(errors.BadPod, match="only hostPath and local"):
        claims.host_dir(pv)


async def test_a_claims_change_wakes_the_pods_that_mount_it() -> None:
    other = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "other", "namespace": "ns"}, "spec": {}}
    api = FakeClient({**_pod(), "apiVersion": "v1", "kind": "Pod"}, other, _claim("Pending", ""), namespace="ns")
    factory = sharing.InformerFactory(api, FakeClock())
    queue = WorkQueue(FakeClock())
    claims.follow(factory, factory.informer("pods"), queue)
    factory.start()
    try:
        await factory.wait_for_sync()
        while len(queue):
            queue.done(await queue.get())
        claim = await api.get("persistentvolumeclaims", "data", "ns")
        await api.update_status("persistentvolumeclaims", {**claim, "status": {"phase": "Bound"}}, "ns")
        await settle()
        assert await queue.get() == "ns/p" and len(queue) == 0
    finally:
        await factory.stop()
