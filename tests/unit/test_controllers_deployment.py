"""The Deployment controller on the fake API: new ReplicaSet, rollout steps, revisions, history pruning."""

from __future__ import annotations

import pytest

from rktnetes.client.fake import FakeClient
from rktnetes.controllers import deployment, rollout
from tests.conftest import settle


def _deployment(replicas: int = 2, image: str = "v1", **spec) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}, **spec}}


@pytest.fixture
async def env(controller_env):
    return await controller_env(deployment.DeploymentController)


async def _sets(api: FakeClient) -> dict[str, dict]:
    return {rs["metadata"]["name"]: rs for rs in (await api.list("replicasets.apps", "ns"))["items"]}


async def _available(api: FakeClient) -> None:
    """Stand in for the ReplicaSet controller and kubelets: every ReplicaSet's pods exist and are available."""
    for rs in (await _sets(api)).values():
        n = rs["spec"]["replicas"]
        await api.patch("replicasets.apps", rs["metadata"]["name"], {"status": {
            "replicas": n, "readyReplicas": n, "availableReplicas": n}}, "merge", "ns", subresource="status")


async def _converge(api: FakeClient, controller, rounds: int = 12) -> None:
    for _ in range(rounds):
        await settle()
        await controller.reconcile("ns/web")
        await settle()
        await _available(api)


async def test_creates_a_revision_one_replicaset_and_reports_progress(env) -> None:
    api, controller = env
    await api.create("deployments.apps", _deployment(3))
    await settle()
    await controller.reconcile("ns/web")
    (rs,) = (await _sets(api)).values()
    assert rs["spec"]["replicas"] == 3 and rs["metadata"]["annotations"][rollout.REVISION] == "1"
    await _converge(api, controller, 2)
    d = await api.get("deployments.apps", "web", "ns")
    assert d["metadata"]["annotations"][rollout.REVISION] == "1"
    assert d["status"]["updatedReplicas"] == 3 and d["status"]["availableReplicas"] == 3
    assert d["status"]["conditions"][1]["reason"] == "NewReplicaSetAvailable"


async def test_a_new_template_rolls_over_and_an_old_one_comes_back_as_a_new_revision(env) -> None:
    api, controller = env
    await api.create("deployments.apps", _deployment(2))
    await _converge(api, controller, 3)
    d = await api.get("deployments.apps", "web", "ns")
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "v2"
    await api.update("deployments.apps", d)
    await _converge(api, controller)
    sets = await _sets(api)
    assert sorted((rs["metadata"]["annotations"][rollout.REVISION], rs["spec"]["replicas"])
                  for rs in sets.values()) == [("1", 0), ("2", 2)]
    d = await api.get("deployments.apps", "web", "ns")
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "v1"
    await api.update("deployments.apps", d)
    await _converge(api, controller)
    sets = await _sets(api)
    assert sorted((rs["metadata"]["annotations"][rollout.REVISION], rs["spec"]["replicas"])
                  for rs in sets.values()) == [("2", 0), ("3", 2)]
    assert (await api.get("deployments.apps", "web", "ns"))["metadata"]["annotations"][rollout.REVISION] == "3"


async def test_old_empty_replicasets_beyond_the_history_limit_are_deleted(env) -> None:
    api, controller = env
    await api.create("deployments.apps", _deployment(1, revisionHistoryLimit=1))
    for image in ("v2", "v3", "v4"):
        await _converge(api, controller, 4)
        d = await api.get("deployments.apps", "web", "ns")
        d["spec"]["template"]["spec"]["containers"][0]["image"] = image
        await api.update("deployments.apps", d)
    await _converge(api, controller, 6)
    revisions = sorted(rs["metadata"]["annotations"][rollout.REVISION] for rs in (await _sets(api)).values())
    assert revisions == ["3", "4"]


async def test_a_paused_deployment_is_not_rolled_until_resumed(env) -> None:
    api, controller = env
    await api.create("deployments.apps", _deployment(2))
    await _converge(api, controller, 2)
    d = await api.get("deployments.apps", "web", "ns")
    d["spec"]["paused"] = True
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "v2"
    await api.update("deployments.apps", d)
    await _converge(api, controller, 3)
    assert [rs["spec"]["replicas"] for rs in (await _sets(api)).values()] == [2]
    await api.patch("deployments.apps", "web", {"spec": {"paused": False}}, "merge", "ns")
    await _converge(api, controller)
    assert sorted(rs["spec"]["replicas"] for rs in (await _sets(api)).values()) == [0, 2]
