"""DaemonSets on the real API server: a pod per node, kubectl rollout status through an image update.

The test plays the kubelets: it marks pods Ready and confirms deletions of pods bound to nodes."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager
from tests.fixtures.controllers import in_background, ready_all
from tests.integration.test_controllers_replicaset import until

DS = """{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent"},
 "spec":{"selector":{"matchLabels":{"app":"agent"}},"template":{"metadata":{"labels":{"app":"agent"}},
  "spec":{"nodeSelector":{"pool":"%s"},"containers":[{"name":"c","image":"busybox:1"}]}}}}"""


@pytest.fixture
def nodes(apiserver):
    pool = uuid.uuid4().hex[:8]
    names = [f"n-{pool}-{i}" for i in range(3)]
    for i, name in enumerate(names):
        labels = {"pool": pool} if i < 2 else {}
        apiserver.kubectl("create", "-f", "-", input=json.dumps(
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}}))
    yield pool, names
    apiserver.kubectl("delete", "node", *names, "--wait=false", check=False)


@pytest.fixture
async def cluster(apiserver, namespace):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        async with in_background(manager.run(client, ["daemonset"]), ready_all(client, namespace)):
            yield client


def _placement(apiserver, namespace: str) -> list[tuple[str, str]]:
    pods = json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    return sorted((p["spec"]["nodeName"], p["spec"]["containers"][0]["image"]) for p in pods
                  if not p["metadata"].get("deletionTimestamp"))


async def test_a_pod_per_matching_node_and_a_rolling_update(apiserver, namespace, nodes, cluster) -> None:
    pool, names = nodes
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=DS % pool)
    status = (await asyncio.to_thread(apiserver.kubectl, "rollout", "status", "ds/agent", "-n", namespace,
                                      "--timeout=40s")).stdout
    assert 'daemon set "agent" successfully rolled out' in status
    assert _placement(apiserver, namespace) == [(names[0], "busybox:1"), (names[1], "busybox:1")]
    apiserver.kubectl("set", "image", "-n", namespace, "ds/agent", "c=busybox:2")
    await asyncio.to_thread(apiserver.kubectl, "rollout", "status", "ds/agent", "-n", namespace, "--timeout=40s")
    await until(lambda: _placement(apiserver, namespace) == [(names[0], "busybox:2"), (names[1], "busybox:2")])
    apiserver.kubectl("label", "node", names[2], f"pool={pool}")
    await until(lambda: len(_placement(apiserver, namespace)) == 3)
