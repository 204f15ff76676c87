"""The PersistentVolume binder's choices (pure) and its reconciles on the fake API: binding, phases,
provisioning, release and reclaim, and the in-use protection finalizers."""

from __future__ import annotations

import pytest

from rktnetes.controllers import persistentvolume, persistentvolumeprotection, provisioning
from rktnetes.controllers import persistentvolumebinding as binding
from tests.conftest import settle


def _pv(name: str, size: str = "1Gi", modes: tuple = ("ReadWriteOnce",), cls: str = "", labels: dict | None = None,
        status: dict | None = None, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "uid": f"uid-{name}", "labels": labels or {}},
            "spec": {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": cls,
                     "hostPath": {"path": "/tmp"}, "persistentVolumeReclaimPolicy": "Retain", **spec},
            "status": status or {"phase": "Available"}}


def _pvc(name: str, size: str = "1Gi", modes: tuple = ("ReadWriteOnce",), cls: str | None = "", **spec) -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": "ns", "uid": f"uid-{name}"},
            "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": size}},
                     **({"storageClassName": cls} if cls is not None else {}), **spec},
            "status": {"phase": "Pending"}}


def test_the_smallest_volume_that_fits_is_chosen() -> None:
    pvs = [_pv("big", "10Gi"), _pv("small", "500Mi"), _pv("right", "2Gi"), _pv("rwx", "1Gi", ("ReadWriteMany",))]
    assert binding.best_volume(pvs, _pvc("c", "1Gi"))["metadata"]["name"] == "right"
    assert binding.best_volume(pvs, _pvc("c", "20Gi")) is None


@pytest.mark.parametrize(("pv", "claim", "why"), [
    (_pv("a", cls="fast"), _pvc("c"), "storageClassName"),
    (_pv("a", volumeMode="Block"), _pvc("c"), "volumeMode"),
    (_pv("a", modes=("ReadOnlyMany",)), _pvc("c"), "accessMode"),
    (_pv("a", "1Mi"), _pvc("c", "1Gi"), "too small"),
    (_pv("a", labels={"tier": "db"}), _pvc("c", selector={"matchLabels": {"tier": "web"}}), "selector"),
])
def test_mismatches_say_why(pv, claim, why) -> None:
    assert why in binding.mismatch(pv, claim)
    assert binding.best_volume([pv], claim) is None


def test_a_volume_pre_bound_to_the_claim_wins_and_others_claims_are_skipped() -> None:
    mine = _pv("mine", "5Gi", claimRef={"name": "c", "namespace": "ns"})
    theirs = _pv("theirs", "1Gi", claimRef={"name": "other", "namespace": "ns", "uid": "x"})
    assert binding.best_volume([theirs, _pv("free", "1Gi"), mine], _pvc("c"))["metadata"]["name"] == "mine"
    assert binding.best_volume([theirs], _pvc("c")) is None


def test_both_sides_of_a_binding() -> None:
    pv, claim = _pv("v"), _pvc("c")
    bound = binding.bound_volume(pv, claim)
    assert bound["spec"]["claimRef"]["uid"] == "uid-c" and pv["spec"].get("claimRef") is None
    assert bound["metadata"]["annotations"][binding.BOUND_BY_CONTROLLER] == "yes"
    named = binding.bound_claim(claim, bound)
    assert named["spec"]["volumeName"] == "v"
    assert named["metadata"]["annotations"] == {binding.BIND_COMPLETED: "yes", binding.BOUND_BY_CONTROLLER: "yes"}
    assert binding.claim_status(named, bound) == {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                                                  "capacity": {"storage": "1Gi"}}


async def test_a_claim_is_bound_and_both_phases_written(controller_env) -> None:
    api, controller = await controller_env(persistentvolume.PersistentVolumeController, _pv("v", "2Gi"), _pvc("c"))
    await controller.reconcile("ns/c")
    pv, claim = await api.get("persistentvolumes", "v"), await api.get("persistentvolumeclaims", "c", "ns")
    assert pv["status"]["phase"] == "Bound" and pv["spec"]["claimRef"]["name"] == "c"
    assert claim["spec"]["volumeName"] == "v" and claim["status"]["phase"] == "Bound"
    assert claim["status"]["capacity"] == {"storage": "2Gi"}
    await settle()
    writes = len(api.actions)
    await controller.reconcile("ns/c")
    await controller.reconcile("v")
    assert len(api.actions) == writes  # bound already: nothing is written again


async def test_a_volume_whose_claim_is_gone_is_released_or_failed(controller_env) -> None:
    ref = {"name": "gone", "namespace": "ns", "uid": "old"}
    api, controller = await controller_env(persistentvolume.PersistentVolumeController,
                                           _pv("kept", claimRef=ref, status={"phase": "Bound"}),
                                           _pv("recycled", claimRef=ref, persistentVolumeReclaimPolicy="Recycle"),
                                           _pv("deleted", claimRef=ref, persistentVolumeReclaimPolicy="Delete"))
    for name in ("kept", "recycled", "deleted"):
        await controller.reconcile(name)
    assert (await api.get("persistentvolumes", "kept"))["status"]["phase"] == "Released"
    assert (await api.get("persistentvolumes", "recycled"))["status"]["phase"] == "Failed"
    failed = await api.get("persistentvolumes", "deleted")  # not provisioned: nothing knows how to delete it
    assert failed["status"]["phase"] == "Failed" and "no deletable volume plugin" in failed["status"]["message"]


async def test_a_claim_of_a_hostpath_class_is_provisioned_then_deleted(controller_env, tmp_path) -> None:
    standard = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "standard"},
                "provisioner": provisioning.HOSTPATH, "reclaimPolicy": "Delete"}
    api, controller = await controller_env(persistentvolume.PersistentVolumeController, standard,
                                           _pvc("c", "3Gi", cls="standard"), hostpath_dir=tmp_path)
    await controller.reconcile("ns/c")  # annotates the claim with its provisioner
    claim = await api.get("persistentvolumeclaims", "c", "ns")
    assert claim["metadata"]["annotations"][binding.STORAGE_PROVISIONER] == provisioning.HOSTPATH
    await settle()
    await controller.reconcile("ns/c")  # provisions a volume pre-bound to the claim
    await settle()
    pv = await api.get("persistentvolumes", provisioning.volume_name(claim))
    where = tmp_path / "ns" / pv["metadata"]["name"]
    assert pv["spec"]["hostPath"]["path"] == str(where) and where.is_dir()
    assert pv["spec"]["capacity"] == {"storage": "3Gi"} and pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert pv["metadata"]["annotations"][binding.PROVISIONED_BY] == provisioning.HOSTPATH
    await controller.reconcile("ns/c")  # binds it
    await settle()
    assert (await api.get("persistentvolumeclaims", "c", "ns"))["status"]["phase"] == "Bound"
    await api.delete("persistentvolumeclaims", "c", "ns")
    await settle()
    await controller.reconcile(pv["metadata"]["name"])
    assert not where.exists() and not where.parent.exists()
    assert pv["metadata"]["name"] not in [v["metadata"]["name"] for v in (await api.list("persistentvolumes"))["items"]]


def test_protection_finalizers_are_added_and_removed_when_unused() -> None:
    live = {"metadata": {"name": "c", "finalizers": ["x"]}}
    assert persistentvolumeprotection.protected(live, binding.PVC_PROTECTION, False) == ["x", binding.PVC_PROTECTION]
    deleting = {"metadata": {"name": "c", "deletionTimestamp": "t", "finalizers": ["x", binding.PVC_PROTECTION]}}
    assert persistentvolumeprotection.protected(deleting, binding.PVC_PROTECTION, True) is None
    assert persistentvolumeprotection.protected(deleting, binding.PVC_PROTECTION, False) == ["x"]


def test_a_finished_pod_does_not_use_its_claim() -> None:
    pod = {"metadata": {"namespace": "ns"}, "spec": {"volumes": [{"name": "d", "persistentVolumeClaim":
                                                                   {"claimName": "c"}}]}, "status": {}}
    assert persistentvolumeprotection.claims_of(pod) == ["ns/c"] and persistentvolumeprotection.uses(pod, "c")
    assert not persistentvolumeprotection.uses({**pod, "status": {"phase": "Succeeded"}}, "c")


async def test_a_claim_naming_its_volume_gets_that_one_or_says_why_not(controller_env) -> None:
    taken = _pv("taken", claimRef={"name": "someone", "namespace": "ns", "uid": "x"})
    api, controller = await controller_env(persistentvolume.PersistentVolumeController, _pv("small", "1Gi"),
                                           _pv("named", "5Gi"), _pv("fast", cls="fast"), taken,
                                           _pvc("mine", volumeName="named"), _pvc("theirs", volumeName="taken"),
                                           _pvc("odd", volumeName="fast"), _pvc("lost", volumeName="gone"))
    for name in ("mine", "theirs", "odd"):
        await controller.reconcile(f"ns/{name}")
    await settle()
    assert (await api.get("persistentvolumes", "named"))["spec"]["claimRef"]["name"] == "mine"
    assert (await api.get("persistentvolumeclaims", "mine", "ns"))["status"]["phase"] == "Bound"
    for name in ("theirs", "odd"):
        assert (await api.get("persistentvolumeclaims", name, "ns"))["status"]["phase"] == "Pending"
    assert (await api.get("persistentvolumes", "fast"))["spec"].get("claimRef") is None
    reasons = {e.get("reason") for e in (await api.list("events", "ns"))["items"]}
    assert {"FailedBinding", "VolumeMismatch"} <= reasons
    claim = await api.get("persistentvolumeclaims", "lost", "ns")
    annotated = {**claim, "metadata": {**claim["metadata"], "annotations": {binding.BIND_COMPLETED: "yes"}}}
    await api.update("persistentvolumeclaims", annotated, "ns")
    await settle()
    await controller.reconcile("ns/lost")
    assert (await api.get("persistentvolumeclaims", "lost", "ns"))["status"]["phase"] == "Lost"


async def test_a_volume_pre_bound_to_a_claim_not_made_yet_is_available(controller_env) -> None:
    api, controller = await controller_env(persistentvolume.PersistentVolumeController,
                                           _pv("waiting", claimRef={"name": "later", "namespace": "ns"},
                                               status={"phase": "Pending"}))
    await controller.reconcile("waiting")
    assert (await api.get("persistentvolumes", "waiting"))["status"]["phase"] == "Available"
