"""StatefulSets: ordered steps, stable identities and claims, rolling update by ordinal; controller on the fake."""

from __future__ import annotations

import pytest

from rktnetes.controllers import statefulpods, statefulset
from tests.conftest import settle

READY = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}


def _sts(replicas: int = 3, image: str = "v1", **spec) -> dict:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "namespace": "ns", "uid": "s1", "generation": 1},
            "spec": {"replicas": replicas, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                     "template": {"metadata": {"labels": {"app": "db"}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}, **spec}}


def _pods(sts: dict, ready: int, total: int | None = None) -> dict[int, dict]:
    out = {}
    for i in range(total if total is not None else ready):
        pod = statefulpods.pod_for_ordinal(sts, i)
        pod["status"] = READY if i < ready else {"phase": "Pending"}
        out[i] = pod
    return out


def test_identity_hostname_and_claims() -> None:
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    sts = _sts(volumeClaimTemplates=[claim])
    pod = statefulpods.pod_for_ordinal(sts, 2)
    assert pod["metadata"]["name"] == "db-2" and "generateName" not in pod["metadata"]
    assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == ("db-2", "db")
    assert pod["metadata"]["labels"][statefulpods.POD_INDEX_LABEL] == "2"
    assert pod["spec"]["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-2"}}]
    assert statefulpods.claim_for(sts, claim, 2)["metadata"]["name"] == "data-db-2"
    assert "ownerReferences" not in statefulpods.claim_for(sts, claim, 2)["metadata"]
    sts["spec"]["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Delete", "whenScaled": "Retain"}
    (ref,) = statefulpods.claim_for(sts, claim, 2)["metadata"]["ownerReferences"]
    assert (ref["kind"], ref["uid"], ref["controller"]) == ("StatefulSet", "s1", False)
    assert statefulpods.ordinal_of(sts, pod) == 2


def test_ordered_ready_creates_one_at_a_time_and_removes_highest_first() -> None:
    sts = _sts(3)
    assert statefulpods.step(sts, {}).create == [0]
    assert statefulpods.step(sts, _pods(sts, 0, 1)).create == []
    assert statefulpods.step(sts, _pods(sts, 1)).create == [1]
    down = statefulpods.step(_sts(1), _pods(sts, 3))
    assert [p["metadata"]["name"] for p in down.delete] == ["db-2"]
    assert statefulpods.step(_sts(3, podManagementPolicy="Parallel"), {}).create == [0, 1, 2]


def test_rolling_update_replaces_the_highest_stale_ordinal_above_the_partition() -> None:
    old = _sts(3)
    pods = _pods(old, 3)
    new = _sts(3, image="v2")
    assert [p["metadata"]["name"] for p in statefulpods.step(new, pods).delete] == ["db-2"]
    pods[2] = {**statefulpods.pod_for_ordinal(new, 2), "status": READY}
    assert [p["metadata"]["name"] for p in statefulpods.step(new, pods).delete] == ["db-1"]
    partitioned = _sts(3, image="v2", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}})
    assert statefulpods.step(partitioned, pods).delete == []


@pytest.fixture
async def env(controller_env):
    sts = _sts(2, volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}])
    return await controller_env(statefulset.StatefulSetController, sts)


async def test_controller_waits_for_each_pod_to_be_ready(env) -> None:
    api, controller = env
    await controller.reconcile("ns/db")
    await settle()
    await controller.reconcile("ns/db")
    assert [p["metadata"]["name"] for p in (await api.list("pods", "ns"))["items"]] == ["db-0"]
    assert [c["metadata"]["name"] for c in (await api.list("persistentvolumeclaims", "ns"))["items"]] == [
        "data-db-0"]
    pod = await api.get("pods", "db-0", "ns")
    await api.update_status("pods", {**pod, "status": READY})
    await settle()
    await controller.reconcile("ns/db")
    await settle()
    await controller.reconcile("ns/db")
    assert sorted(p["metadata"]["name"] for p in (await api.list("pods", "ns"))["items"]) == ["db-0", "db-1"]
    status = (await api.get("statefulsets.apps", "db", "ns"))["status"]
    assert (status["replicas"], status["readyReplicas"]) == (2, 1)
    assert status["currentRevision"] == status["updateRevision"]
