"""A Deployment end to end without kubelets: kubectl creates it, the controller manager makes the pods, the
scheduler places them across the nodes by their cpu requests, and the one too many stays Pending with
kube-scheduler's FailedScheduling message, as ``kubectl get`` and ``kubectl describe`` show."""

from __future__ import annotations

import asyncio
import collections
import json
import time

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager
from rktnetes.scheduler.scheduling import Scheduler
from tests.fixtures.controllers import in_background

DEPLOYMENT = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
 "spec":{"replicas":6,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
  "spec":{"containers":[{"name":"c","image":"busybox","resources":{"requests":{"cpu":"500m"}}}]}}}}"""


@pytest.fixture
async def cluster(own_apiserver, own_namespace):
    names = [f"node-{i}" for i in range(3)]
    async with rest.Client.from_kubeconfig(own_apiserver.kubeconfig) as client:
        for name in names:
            await client.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
            node = await client.get("nodes", name)
            node["status"] = {"allocatable": {"cpu": "1", "memory": "2Gi", "pods": "10"},
                              "conditions": [{"type": "Ready", "status": "True"}]}
            await client.update_status("nodes", node)
        async with in_background(manager.run(client, ["deployment", "replicaset"]), Scheduler(client).run()):
            yield names
        for name in names:
            await client.delete("nodes", name)


def _pods(server, own_namespace: str) -> list[dict]:
    return json.loads(server.kubectl("get", "pods", "-n", own_namespace, "-l", "app=web", "-o", "json").stdout)["items"]


async def _wait(check, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)


async def test_deployment_spreads_by_requests_and_the_extra_pod_waits(own_apiserver, own_namespace, cluster) -> None:
    own_apiserver.kubectl("create", "-n", own_namespace, "-f", "-", input=DEPLOYMENT)
    await _wait(lambda: sum(1 for p in _pods(own_apiserver, own_namespace) if p["spec"].get("nodeName")) == 6)
    per_node = collections.Counter(p["spec"]["nodeName"] for p in _pods(own_apiserver, own_namespace))
    assert per_node == {name: 2 for name in cluster}
    own_apiserver.kubectl("scale", "-n", own_namespace, "deployment/web", "--replicas=7")
    message = "0/3 nodes are available: 3 Insufficient cpu."

    def pending() -> bool:
        waiting = [p for p in _pods(own_apiserver, own_namespace) if not p["spec"].get("nodeName")]
        return len(waiting) == 1 and any(c.get("message") == message
                                         for c in waiting[0]["status"].get("conditions") or [])
    await _wait(pending)
    table = own_apiserver.kubectl("get", "pods", "-n", own_namespace, "-l", "app=web").stdout
    assert table.count("Pending") == 7, "no kubelet runs them: all are Pending, one of them unscheduled"
    name = next(p["metadata"]["name"] for p in _pods(own_apiserver, own_namespace) if not p["spec"].get("nodeName"))

    def described() -> bool:
        text = own_apiserver.kubectl("describe", "pod", "-n", own_namespace, name).stdout
        return "FailedScheduling" in text and message in text
    await _wait(described)
