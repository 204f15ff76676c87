"""The node lifecycle controller and the scheduler together on the real API server, in real time with short
periods: a node whose heartbeats stop turns Unknown, is tainted unreachable, its pods stop being Ready and are
evicted once their tolerationSeconds pass, and the scheduler sends new pods to the node still heartbeating."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable

import pytest

from rktnetes.api import meta
from rktnetes.client import errors, rest, sharing
from rktnetes.controllers import nodelifecycle
from rktnetes.scheduler.scheduling import Scheduler


@pytest.fixture
async def client(own_apiserver):
    async with rest.Client.from_kubeconfig(own_apiserver.kubeconfig) as c:
        try:
            await c.create("namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                          "metadata": {"name": "kube-node-lease"}})
        except errors.AlreadyExists:
            pass
        yield c


async def _until(predicate: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def _beat(client, name: str) -> None:
    """What a kubelet does: renew its Lease in kube-node-lease."""
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": name, "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": meta.now().replace(
                 "Z", f".{uuid.uuid4().int % 10**6:06d}Z")}}
    try:
        old = await client.get("leases", name, "kube-node-lease")
    except errors.NotFound:
        await client.create("leases", lease, "kube-node-lease")
        return
    old["spec"] = lease["spec"]
    await client.update("leases", old, "kube-node-lease")


async def _make_node(client, name: str) -> None:
    await client.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
    node = await client.get("nodes", name)
    node["status"] = {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "10"},
                      "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                      "lastHeartbeatTime": meta.now()}]}
    await client.update_status("nodes", node)
    await _beat(client, name)


@pytest.fixture
async def cluster(client):
    """Two nodes (the first keeps heartbeating), the node lifecycle controller (grace 2 s) and the scheduler."""
    names = [f"alive-{uuid.uuid4().hex[:6]}", f"quiet-{uuid.uuid4().hex[:6]}"]
    for name in names:
        await _make_node(client, name)
    factory = sharing.InformerFactory(client)
    controller = nodelifecycle.NodeLifecycleController(client, factory, grace_period=2.0, monitor_period=0.3)
    scheduler = Scheduler(client)
    factory.start()

    async def heartbeats() -> None:
        while True:
            await _beat(client, names[0])
            await asyncio.sleep(0.5)

    tasks = [asyncio.create_task(t) for t in (heartbeats(), controller.run(), scheduler.run(workers=1))]
    await factory.wait_for_sync()
    yield names
    controller.shutdown()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await factory.stop()
    for name in names:
        await client.delete("nodes", name)
        await client.delete("leases", name, "kube-node-lease")


def _pod(name: str, node: str = "", seconds: int | None = None) -> dict:
    spec: dict = {"containers": [{"name": "c", "image": "busybox"}]}
    if node:
        spec["nodeName"] = node
    if seconds is not None:
        spec["tolerations"] = [{"key": nodelifecycle.UNREACHABLE, "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": seconds}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


async def test_quiet_node_goes_unknown_is_tainted_drained_and_avoided(client, cluster, own_namespace, own_apiserver) -> None:
    alive, quiet = cluster
    await client.create("pods", _pod("stays-a-bit", quiet, seconds=3), own_namespace)
    running = await client.get("pods", "stays-a-bit", own_namespace)
    running["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    await client.update_status("pods", running, own_namespace)

    async def unreachable() -> bool:
        node = await client.get("nodes", quiet)
        return any(t["key"] == nodelifecycle.UNREACHABLE for t in (node.get("spec") or {}).get("taints") or [])
    await _until(unreachable)
    node = json.loads(own_apiserver.kubectl("get", "node", quiet, "-o", "json").stdout)
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("Unknown", "NodeStatusUnknown")
    assert {(t["key"], t["effect"]) for t in node["spec"]["taints"]} == {
        (nodelifecycle.UNREACHABLE, "NoSchedule"), (nodelifecycle.UNREACHABLE, "NoExecute")}
    async def pod_not_ready() -> bool:
        pod = await client.get("pods", "stays-a-bit", own_namespace)
        return any(c["type"] == "Ready" and c["status"] == "False" for c in pod["status"].get("conditions") or [])
    await _until(pod_not_ready)
    alive_node = await client.get("nodes", alive)
    assert not (alive_node.get("spec") or {}).get("taints"), "the node renewing its Lease stays untainted"
    tainted_at = time.monotonic()
    for i in range(3):
        await client.create("pods", _pod(f"new-{i}"), own_namespace)
    for i in range(3):
        await _until(lambda i=i: _bound(client, own_namespace, f"new-{i}"))
        assert (await client.get("pods", f"new-{i}", own_namespace))["spec"]["nodeName"] == alive

    async def evicted() -> bool:
        try:
            pod = await client.get("pods", "stays-a-bit", own_namespace)
        except errors.NotFound:
            return True
        return bool(pod["metadata"].get("deletionTimestamp"))
    await _until(evicted)

    async def reported() -> bool:
        events = (await client.list("events", own_namespace))["items"] + (await client.list("events", "default"))["items"]
        return {("Pod", "TaintManagerEviction"), ("Node", "NodeNotReady")} <= {
            (e["involvedObject"].get("kind"), e["reason"]) for e in events}
    await _until(reported)
    assert time.monotonic() - tainted_at >= 2.0, "not before its 3 s toleration ran out"


async def _bound(client, own_namespace: str, name: str) -> bool:
    return bool((await client.get("pods", name, own_namespace))["spec"].get("nodeName"))
