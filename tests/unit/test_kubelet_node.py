"""Node registration and heartbeats on the fake API (injected clock), and the pure Node status builders."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import errors
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.kubelet import machine, nodestatus, registering
from rktnetes.kubelet.machine import Pressure

ME = nodestatus.Identity("n1", "10.0.0.5", "host-1", 10250)


def test_machine_facts_come_from_this_host(tmp_path):
    m = machine.probe(tmp_path)
    assert m.cpus >= 1 and m.memory_bytes > 2**20 and m.storage_bytes > 0 and m.kernel
    assert nodestatus.capacity(m)["memory"].endswith("Ki") and nodestatus.capacity(m)["pods"] == "110"


def test_conditions_keep_their_transition_time_until_their_status_changes():
    first = nodestatus.conditions(Pressure(), "t1", [])
    again = nodestatus.conditions(Pressure(), "t2", first)
    assert {c["lastTransitionTime"] for c in again} == {"t1"} and {c["lastHeartbeatTime"] for c in again} == {"t2"}
    short = {c["type"]: c for c in nodestatus.conditions(Pressure(memory=True), "t3", again)}
    assert short["MemoryPressure"]["status"] == "True" and short["MemoryPressure"]["lastTransitionTime"] == "t3"
    assert short["MemoryPressure"]["reason"] == "KubeletHasInsufficientMemory"
    assert short["DiskPressure"]["lastTransitionTime"] == "t1"
    stopped = {c["type"]: c for c in nodestatus.conditions(Pressure(), "t4", again,
                                                           nodestatus.NOT_READY_ON_SHUTDOWN)}
    assert stopped["Ready"]["status"] == "False" and stopped["Ready"]["reason"] == "KubeletStopped"


@pytest.fixture
def agent(tmp_path):
    api = FakeClient()
    return api, registering.NodeAgent(api, ME, tmp_path, FakeClock(), period=10.0)


async def test_register_creates_node_status_and_lease(agent):
    api, node_agent = agent
    await node_agent.register()
    node = await api.get("nodes", "n1")
    assert {"type": "InternalIP", "address": "10.0.0.5"} in node["status"]["addresses"]
    assert node["status"]["nodeInfo"]["containerRuntimeVersion"].startswith("rkt://")
    assert node["metadata"]["labels"]["kubernetes.io/hostname"] == "host-1"
    lease = await api.get("leases", "n1", "kube-node-lease")
    assert lease["spec"]["holderIdentity"] == "n1" and lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["uid"] == node["metadata"]["uid"]


async def test_heartbeats_renew_the_lease_on_the_clock_and_goodbye_says_not_ready(agent):
    api, node_agent = agent
    await node_agent.register()
    before = (await api.get("leases", "n1", "kube-node-lease"))["metadata"]["resourceVersion"]
    task = asyncio.create_task(node_agent.run())
    await asyncio.sleep(0)
    node_agent.clock.advance(10.0)
    for _ in range(20):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    after = (await api.get("leases", "n1", "kube-node-lease"))["metadata"]["resourceVersion"]
    assert after != before
    await node_agent.goodbye()
    ready = next(c for c in (await api.get("nodes", "n1"))["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False"


async def test_a_missed_heartbeat_is_logged_not_fatal(agent):
    api, node_agent = agent
    await node_agent.register()
    api.fail_next("update", "leases", errors.TransportError("connection refused"))
    await node_agent.beat()  # no exception: tried again at the next tick
    await node_agent.beat()
    assert (await api.get("leases", "n1", "kube-node-lease"))["spec"]["holderIdentity"] == "n1"


async def test_an_existing_node_is_taken_over(agent):
    api, node_agent = agent
    await api.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    await node_agent.register()
    assert (await api.get("nodes", "n1"))["status"]["conditions"]


async def test_registration_waits_for_an_api_server_that_is_not_there_yet(agent):
    api, node_agent = agent
    node_agent.clock = FakeClock(autojump=True)
    for _ in range(3):
        api.fail_next("create", "nodes", errors.TransportError("connection refused"))
    await node_agent.register_until_done(first_wait=1.0)
    assert (await api.get("nodes", "n1"))["status"]["conditions"]
    assert node_agent.clock.now() - 1000.0 == 1.0 + 2.0 + 4.0  # waited, doubling, on the injected clock


def test_node_labels_and_taints_it_registers_with(tmp_path):
    me = nodestatus.Identity("n1", "10.0.0.5", "h", 10250, nodestatus.parse_labels("zone=a,tier=edge"),
                             nodestatus.parse_taints("dedicated=infra:NoSchedule,spot:PreferNoSchedule"))
    made = nodestatus.node(machine.probe(tmp_path), me)
    assert made["metadata"]["labels"]["zone"] == "a" and made["metadata"]["labels"]["tier"] == "edge"
    assert made["spec"]["taints"] == [{"key": "dedicated", "value": "infra", "effect": "NoSchedule"},
                                      {"key": "spot", "effect": "PreferNoSchedule"}]
    with pytest.raises(ValueError, match="--node-labels wants"):
        nodestatus.parse_labels("zone")
    with pytest.raises(ValueError, match="--register-with-taints wants"):
        nodestatus.parse_taints("a=b:Sometimes")
