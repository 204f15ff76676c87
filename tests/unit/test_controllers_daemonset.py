"""DaemonSets: placement (nodeSelector, taints and tolerations) and the controller on the fake API."""

from __future__ import annotations

import pytest

from rktnetes.client.fake import FakeClient
from rktnetes.controllers import daemonplacement, daemonset
from tests.conftest import settle

READY = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}


def _ds(**pod_spec) -> dict:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "ns"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                     "template": {"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"containers": [{"name": "c", "image": "v1"}], **pod_spec}}}}


def _node(name: str, labels: dict | None = None, taints: list | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"taints": taints or []}}


def test_node_selector_and_taints_decide_eligibility() -> None:
    gpu = _node("g", {"gpu": "yes"})
    tainted = _node("t", taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    soft = _node("s", taints=[{"key": "x", "effect": "PreferNoSchedule"}])
    cordoned = _node("c", taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}])
    assert [daemonplacement.fits(_ds(), n) for n in (gpu, tainted, soft, cordoned)] == [True, False, True, True]
    assert not daemonplacement.fits(_ds(nodeSelector={"gpu": "yes"}), soft)
    tolerant = _ds(tolerations=[{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}])
    assert daemonplacement.fits(tolerant, tainted)


def test_pod_for_node_binds_and_labels_the_revision() -> None:
    ds = {**_ds(), "metadata": {"name": "agent", "namespace": "ns", "uid": "d1"}}
    pod = daemonplacement.pod_for_node(ds, "n1")
    assert pod["spec"]["nodeName"] == "n1" and daemonplacement.is_current(ds, pod)
    assert {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"} in \
        pod["spec"]["tolerations"]


@pytest.fixture
async def env(controller_env):
    return await controller_env(daemonset.DaemonSetController, _ds(), _node("n1"), _node("n2"))


async def _placement(api: FakeClient) -> list[tuple[str, str]]:
    pods = (await api.list("pods", "ns"))["items"]
    return sorted((p["spec"]["nodeName"], p["spec"]["containers"][0]["image"]) for p in pods
                  if not p["metadata"].get("deletionTimestamp"))


async def _round(api: FakeClient, controller) -> None:
    await settle()
    await controller.reconcile("ns/agent")
    await settle()
    for pod in (await api.list("pods", "ns"))["items"]:
        if pod["status"].get("phase") != "Running":
            await api.update_status("pods", {**pod, "status": READY})
    await settle()


async def test_one_pod_per_node_following_nodes_and_template(env) -> None:
    api, controller = env
    await _round(api, controller)
    await _round(api, controller)
    assert await _placement(api) == [("n1", "v1"), ("n2", "v1")]
    await api.create("nodes", _node("n3"))
    await api.delete("nodes", "n1")
    await _round(api, controller)
    assert await _placement(api) == [("n2", "v1"), ("n3", "v1")]
    ds = await api.get("daemonsets.apps", "agent", "ns")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "v2"
    await api.update("daemonsets.apps", ds)
    await _round(api, controller)
    assert len([image for _, image in await _placement(api) if image == "v1"]) == 1
    for _ in range(4):
        await _round(api, controller)
    assert await _placement(api) == [("n2", "v2"), ("n3", "v2")]
    status = (await api.get("daemonsets.apps", "agent", "ns"))["status"]
    assert (status["desiredNumberScheduled"], status["updatedNumberScheduled"], status["numberAvailable"]) == (2, 2, 2)
