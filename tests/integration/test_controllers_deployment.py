"""Deployments on the real API server, driven by kubectl: rollout status, set image, history, undo, Recreate.

A stand-in kubelet (this test) marks every pod Running and Ready through the API, as a kubelet would."""

from __future__ import annotations

import asyncio
import json

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager
from tests.fixtures.controllers import in_background, ready_all
from tests.integration.test_controllers_replicaset import until

DEPLOY = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
 "spec":{"replicas":3,"strategy":%s,"selector":{"matchLabels":{"app":"web"}},
  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}}}"""



@pytest.fixture
async def cluster(apiserver, namespace):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        async with in_background(manager.run(client, ["replicaset", "deployment"]), ready_all(client, namespace)):
            yield client


def _images(apiserver, namespace: str) -> set[str]:
    pods = json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    return {p["spec"]["containers"][0]["image"] for p in pods if not p["metadata"].get("deletionTimestamp")}


async def _rollout_status(apiserver, namespace: str) -> str:
    return (await asyncio.to_thread(apiserver.kubectl, "rollout", "status", "deploy/web", "-n", namespace,
                                    "--timeout=40s")).stdout


async def test_rolling_update_history_and_undo_with_kubectl(apiserver, namespace, cluster) -> None:
    strategy = '{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}'
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=DEPLOY % strategy)
    assert 'deployment "web" successfully rolled out' in await _rollout_status(apiserver, namespace)
    apiserver.kubectl("set", "image", "-n", namespace, "deploy/web", "c=busybox:2")
    assert "successfully rolled out" in await _rollout_status(apiserver, namespace)
    assert _images(apiserver, namespace) == {"busybox:2"}
    history = apiserver.kubectl("rollout", "history", "-n", namespace, "deploy/web").stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]
    apiserver.kubectl("rollout", "undo", "-n", namespace, "deploy/web")
    assert "successfully rolled out" in await _rollout_status(apiserver, namespace)
    await until(lambda: _images(apiserver, namespace) == {"busybox:1"})
    out = apiserver.kubectl("get", "deploy", "web", "-n", namespace, "-o", "json").stdout
    d = json.loads(out)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert {c["type"]: c["reason"] for c in d["status"]["conditions"]} == {
        "Available": "MinimumReplicasAvailable", "Progressing": "NewReplicaSetAvailable"}
    apiserver.kubectl("scale", "-n", namespace, "deploy/web", "--replicas=1")
    await until(lambda: len(json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)
                            ["items"]) == 1)


async def test_recreate_replaces_every_pod(apiserver, namespace, cluster) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=DEPLOY % '{"type":"Recreate"}')
    assert "successfully rolled out" in await _rollout_status(apiserver, namespace)
    apiserver.kubectl("set", "image", "-n", namespace, "deploy/web", "c=busybox:2")
    assert "successfully rolled out" in await _rollout_status(apiserver, namespace)
    assert _images(apiserver, namespace) == {"busybox:2"}
    sets = json.loads(apiserver.kubectl("get", "rs", "-n", namespace, "-o", "json").stdout)["items"]
    assert sorted(rs["spec"]["replicas"] for rs in sets) == [0, 3]


@pytest.fixture
async def no_kubelet(apiserver):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        async with in_background(manager.run(client, ["replicaset", "deployment"])):
            yield client


async def test_a_rollout_that_never_gets_ready_exceeds_its_deadline(apiserver, namespace, no_kubelet) -> None:
    body = json.loads(DEPLOY % '{"type":"RollingUpdate"}')
    body["spec"]["progressDeadlineSeconds"] = 2
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(body))
    result = await asyncio.to_thread(apiserver.kubectl, "rollout", "status", "deploy/web", "-n", namespace,
                                     "--timeout=40s", check=False)
    assert result.returncode != 0 and 'deployment "web" exceeded its progress deadline' in result.stderr


async def test_rollout_restart_pause_and_resume(apiserver, namespace, cluster) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=DEPLOY % '{"type":"RollingUpdate"}')
    assert "successfully rolled out" in await _rollout_status(apiserver, namespace)
    apiserver.kubectl("rollout", "pause", "-n", namespace, "deploy/web")
    apiserver.kubectl("set", "image", "-n", namespace, "deploy/web", "c=busybox:2")
    await asyncio.sleep(1)
    assert _images(apiserver, namespace) == {"busybox:1"}
    apiserver.kubectl("rollout", "resume", "-n", namespace, "deploy/web")
    assert "successfully rolled out" in await _rollout_status(apiserver, namespace)
    await until(lambda: _images(apiserver, namespace) == {"busybox:2"})
    apiserver.kubectl("rollout", "restart", "-n", namespace, "deploy/web")
    assert "successfully rolled out" in await _rollout_status(apiserver, namespace)
    history = apiserver.kubectl("rollout", "history", "-n", namespace, "deploy/web").stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2", "3"]
