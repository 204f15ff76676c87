"""The scheduler against the real API server (its own, so no other test's nodes are seen): binding through
pods/binding, the Unschedulable condition and FailedScheduling Event as kubectl shows them, placement once
room appears, and the ``rktnetes scheduler`` command with leader election on the kube-system Lease."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from rktnetes.client import rest
from rktnetes.scheduler.scheduling import Scheduler


@pytest.fixture
async def client(own_apiserver):
    async with rest.Client.from_kubeconfig(own_apiserver.kubeconfig) as c:
        yield c


@pytest.fixture
async def nodes(client):
    made: list[str] = []

    async def make(cpu: str, pods: str = "110") -> str:
        name = f"n-{uuid.uuid4().hex[:8]}"
        await client.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
        node = await client.get("nodes", name)
        node["status"] = {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": pods},
                          "capacity": {"cpu": cpu, "memory": "8Gi", "pods": pods},
                          "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}
        await client.update_status("nodes", node)
        made.append(name)
        return name

    yield make
    for name in made:
        await client.delete("nodes", name)


def _pod(name: str, cpu: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox", "resources": {"requests": {"cpu": cpu}}}]}}


async def _until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


@pytest.fixture
async def scheduler(client):
    s = Scheduler(client)
    task = asyncio.create_task(s.run(workers=2))
    yield s
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _node_of(client, own_namespace: str, name: str) -> str:
    return (await client.get("pods", name, own_namespace))["spec"].get("nodeName", "")


async def test_pods_bound_within_capacity_and_the_rest_reported_unschedulable(
        client, nodes, scheduler, own_namespace, own_apiserver) -> None:
    first, second = await nodes("1"), await nodes("1")
    await _until(lambda: _sees(scheduler, [first, second]))
    for i in range(3):
        await client.create("pods", _pod(f"p{i}", "600m"), own_namespace)
    async def settled() -> bool:
        pods = [(await client.get("pods", f"p{i}", own_namespace)) for i in range(3)]
        return sum(1 for p in pods if p["spec"].get("nodeName")) == 2 and any(
            c.get("reason") == "Unschedulable" for p in pods for c in p["status"].get("conditions") or [])
    await _until(settled)
    placed = {await _node_of(client, own_namespace, f"p{i}") for i in range(3)}
    assert placed == {first, second, ""}, "one pod per node: the assume cache kept the second off the first node"
    got = json.loads(own_apiserver.kubectl("get", "pods", "-n", own_namespace, "-o", "json").stdout)["items"]
    waiting = next(p for p in got if not p["spec"].get("nodeName"))
    condition = next(c for c in waiting["status"]["conditions"] if c["type"] == "PodScheduled")
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "False", "Unschedulable", "0/2 nodes are available: 2 Insufficient cpu.")
    bound = next(p for p in got if p["spec"].get("nodeName"))
    assert {"type": "PodScheduled", "status": "True"}.items() <= next(
        c for c in bound["status"]["conditions"] if c["type"] == "PodScheduled").items()
    async def event_seen() -> bool:
        events = (await client.list("events", own_namespace))["items"]
        return any(e["reason"] == "FailedScheduling" and e["involvedObject"].get("kind") == "Pod" for e in events)
    await _until(event_seen)
    described = own_apiserver.kubectl("describe", "pod", "-n", own_namespace, waiting["metadata"]["name"]).stdout
    assert "FailedScheduling" in described and "0/2 nodes are available: 2 Insufficient cpu." in described
    third = await nodes("1")
    await _until(lambda: _has_node(client, own_namespace, waiting["metadata"]["name"]), timeout=30)
    assert await _node_of(client, own_namespace, waiting["metadata"]["name"]) == third


async def _sees(scheduler: Scheduler, names: list[str], label: str = "") -> bool:
    """The scheduler's informer has the nodes with their status (so the test does not race the cache)."""
    infos = scheduler.tracker.infos
    return all(n in infos and infos[n].allocatable.pods and (not label or label in (
        infos[n].node["metadata"].get("labels") or {})) for n in names)


async def _has_node(client, own_namespace: str, name: str) -> bool:
    return bool(await _node_of(client, own_namespace, name))


def _start_cli(server, log: Path) -> subprocess.Popen:
    """A ``rktnetes scheduler`` child, returned once it is up (its signal handlers installed)."""
    rktnetes = Path(sys.executable).with_name("rktnetes")
    with open(log, "w") as out:
        process = subprocess.Popen([str(rktnetes), "scheduler", "--kubeconfig", str(server.kubeconfig), "-v"],
                                   stdout=out, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while "competing for the Lease" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise AssertionError(f"rktnetes scheduler did not start: {log.read_text()}")
        time.sleep(0.05)
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


async def test_cli_schedules_under_a_lease_and_releases_it_on_sigterm(
        client, nodes, own_namespace, own_apiserver, tmp_path) -> None:
    node = await nodes("4")
    replicas = [_start_cli(own_apiserver, tmp_path / "a.log"), _start_cli(own_apiserver, tmp_path / "b.log")]
    try:
        await client.create("pods", _pod("web", "100m"), own_namespace)
        await _until(lambda: _has_node(client, own_namespace, "web"), timeout=30)
        assert await _node_of(client, own_namespace, "web") == node
        lease = await client.get("leases", "kube-scheduler", "kube-system")
        holder = lease["spec"]["holderIdentity"]
        assert holder, "one replica holds the Lease"
        for process in replicas:
            assert process.poll() is None
    finally:
        for process in replicas:
            _stop(process)
    logs = [(tmp_path / f"{n}.log").read_text() for n in "ab"]
    assert [p.returncode for p in replicas] == [0, 0], logs
    assert sum(holder in text for text in logs) == 1, "the holder is one of the two replicas"
    lease = await client.get("leases", "kube-scheduler", "kube-system")
    assert lease["spec"].get("holderIdentity") in (None, ""), "released on SIGTERM"


def test_cli_bad_input_is_one_line_and_nonzero(tmp_path) -> None:
    rktnetes = str(Path(sys.executable).with_name("rktnetes"))
    for args, said in ((["--kubeconfig", str(tmp_path / "none")], f"no kubeconfig at {tmp_path / 'none'}"),
                       (["--kubeconfig", str(tmp_path), "--workers", "0"], "--workers must be at least 1")):
        done = subprocess.run([rktnetes, "scheduler", *args], capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", f"rktnetes: {said}\n")


POD_YAML = """
apiVersion: v1
kind: Pod
metadata: {name: %(name)s, labels: {app: web}}
spec:
  nodeSelector: {disk: ssd}
  tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}}
        topologyKey: kubernetes.io/hostname
  containers: [{name: c, image: busybox, ports: [{containerPort: 80, hostPort: 8080}]}]
"""


async def test_kubectl_pods_with_selector_toleration_anti_affinity_and_host_ports(
        client, nodes, scheduler, own_namespace, own_apiserver) -> None:
    names = [await nodes("2") for _ in range(4)]
    labels = [{"disk": "ssd"}, {"disk": "ssd"}, {"disk": "ssd"}, {}]
    taints = [[{"key": "dedicated", "value": "web", "effect": "NoSchedule"}], [], [
        {"key": "dedicated", "value": "db", "effect": "NoSchedule"}], []]
    for name, label, taint in zip(names, labels, taints, strict=True):
        node = await client.get("nodes", name)
        node["metadata"].setdefault("labels", {}).update(label, **{"kubernetes.io/hostname": name})
        node.setdefault("spec", {})["taints"] = taint
        await client.update("nodes", node)
    await _until(lambda: _sees(scheduler, names, "kubernetes.io/hostname"))
    for i in range(3):
        own_apiserver.kubectl("apply", "-n", own_namespace, "-f", "-", input=POD_YAML % {"name": f"web-{i}"})
    await _until(lambda: _has_node(client, own_namespace, "web-0"))
    await _until(lambda: _has_node(client, own_namespace, "web-1"))
    placed = {await _node_of(client, own_namespace, "web-0"), await _node_of(client, own_namespace, "web-1")}
    assert placed == {names[0], names[1]}

    async def refused() -> bool:
        pod = await client.get("pods", "web-2", own_namespace)
        return any(c.get("reason") == "Unschedulable" for c in pod["status"].get("conditions") or [])
    await _until(refused)
    condition = json.loads(own_apiserver.kubectl("get", "pod", "-n", own_namespace, "web-2", "-o", "json").stdout)
    message = next(c["message"] for c in condition["status"]["conditions"] if c["type"] == "PodScheduled")
    assert message == ("0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
                       "1 node(s) had untolerated taint {dedicated: db}, "
                       "2 node(s) didn't have free ports for the requested pod ports.")
