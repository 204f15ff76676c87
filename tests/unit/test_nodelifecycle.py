"""The node lifecycle controller on the fake API and a fake clock: Unknown after the grace period, taints by
Ready status and cordon, heartbeats by status or Lease, eviction after tolerationSeconds."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import running, sharing
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.controllers import nodelifecycle
from rktnetes.controllers.nodelifecycle import NodeLifecycleController
from tests.conftest import settle


def node(name: str, ready: str | None = "True", beat: str = "2026-01-01T00:00:00Z", **spec: object) -> dict:
    status = {"conditions": [{"type": "Ready", "status": ready, "lastHeartbeatTime": beat},
                             {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": beat}]}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": dict(spec),
            "status": status if ready is not None else {}}


def pod(name: str, node_name: str, tolerations: list | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"nodeName": node_name, "containers": [{"name": "c", "image": "busybox"}],
                     "tolerations": tolerations or []}}


def lease(name: str, renew: str) -> dict:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": name, "namespace": "kube-node-lease"}, "spec": {"holderIdentity": name,
                                                                                 "renewTime": renew}}


def default_tolerations(seconds: int = 300) -> list:
    return [{"key": k, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": seconds}
            for k in (nodelifecycle.NOT_READY, nodelifecycle.UNREACHABLE)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def started(clock: FakeClock):
    made = []

    async def start(api: FakeClient) -> NodeLifecycleController:
        factory = sharing.InformerFactory(api, clock)
        controller = NodeLifecycleController(api, factory, clock, grace_period=40, monitor_period=5)
        factory.start()
        await asyncio.wait_for(factory.wait_for_sync(), 5)
        made.append((controller, factory))
        return controller

    yield start
    for controller, factory in made:
        controller.shutdown()
        await factory.stop()
        await controller.recorder.aclose()


async def _drain(c: NodeLifecycleController) -> None:
    await settle()
    while len(c.queue):
        await running.process_one(c.queue, c.reconcile)
        await settle()


def _taints(n: dict) -> list[tuple[str, str]]:
    return sorted((t["key"], t["effect"]) for t in n["spec"].get("taints") or [])


async def test_silent_node_becomes_unknown_and_unreachable_after_the_grace_period(started, clock) -> None:
    api = FakeClient(node("n1"))
    c = await started(api)
    await _drain(c)
    assert _taints(await api.get("nodes", "n1")) == []
    clock.advance(39)
    await _drain(c)
    assert (await api.get("nodes", "n1"))["status"]["conditions"][0]["status"] == "True"
    clock.advance(1)
    await _drain(c)
    got = await api.get("nodes", "n1")
    assert {(x["type"], x["status"], x["reason"]) for x in got["status"]["conditions"]} == {
        ("Ready", "Unknown", "NodeStatusUnknown"), ("MemoryPressure", "Unknown", "NodeStatusUnknown")}
    assert _taints(got) == [(nodelifecycle.UNREACHABLE, "NoExecute"), (nodelifecycle.UNREACHABLE, "NoSchedule")]
    assert "timeAdded" in next(t for t in got["spec"]["taints"] if t["effect"] == "NoExecute")


async def test_status_heartbeats_or_lease_renewals_keep_a_node_ready(started, clock) -> None:
    api = FakeClient(node("n1"), node("n2"), lease("n2", "t0"))
    c = await started(api)
    await _drain(c)
    for step in range(1, 4):
        clock.advance(30)
        got = await api.get("nodes", "n1", subresource="status")
        got["status"]["conditions"][0]["lastHeartbeatTime"] = f"2026-01-01T00:0{step}:00Z"
        await api.update_status("nodes", got)
        await api.patch("leases", "n2", {"spec": {"renewTime": f"t{step}"}}, namespace="kube-node-lease")
        await _drain(c)
    for name in ("n1", "n2"):
        assert (await api.get("nodes", name))["status"]["conditions"][0]["status"] == "True"


async def test_taints_follow_ready_false_cordon_and_recovery(started, clock) -> None:
    foreign = {"key": "gpu", "value": "yes", "effect": "NoSchedule"}
    api = FakeClient(node("n1", ready="False", unschedulable=True, taints=[foreign]), node("n2", ready=None))
    c = await started(api)
    await _drain(c)
    got = await api.get("nodes", "n1")
    assert _taints(got) == [("gpu", "NoSchedule"), (nodelifecycle.NOT_READY, "NoExecute"),
                            (nodelifecycle.NOT_READY, "NoSchedule"), (nodelifecycle.UNSCHEDULABLE, "NoSchedule")]
    assert _taints(await api.get("nodes", "n2")) == [], "a node that never reported has its grace period"
    got["status"]["conditions"][0]["status"] = "True"
    got = await api.update_status("nodes", got)
    got["spec"]["unschedulable"] = False
    await api.update("nodes", got)
    await _drain(c)
    assert _taints(await api.get("nodes", "n1")) == [("gpu", "NoSchedule")]
    clock.advance(40)
    await _drain(c)
    got = await api.get("nodes", "n2")
    assert got["status"]["conditions"][0]["reason"] == "NodeStatusNeverUpdated"
    assert _taints(got) == [(nodelifecycle.UNREACHABLE, "NoExecute"), (nodelifecycle.UNREACHABLE, "NoSchedule")]


async def test_pods_are_evicted_after_their_toleration_seconds(started, clock) -> None:
    forever = [{"key": nodelifecycle.UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}]
    api = FakeClient(node("n1"), pod("none", "n1"), pod("short", "n1", default_tolerations(60)),
                     pod("default", "n1", default_tolerations()), pod("forever", "n1", forever),
                     node("n2"), pod("elsewhere", "n2"), lease("n2", "0"))
    c = await started(api)
    await _drain(c)
    clock.advance(40)  # both nodes silent: unreachable, but with no node Ready nobody is evicted
    await _drain(c)
    assert len((await api.list("pods"))["items"]) == 5
    back = await api.get("nodes", "n2", subresource="status")
    back["status"]["conditions"][0].update(status="True", lastHeartbeatTime="2026-01-01T00:05:00Z")
    await api.update_status("nodes", back)

    async def run_for(seconds: int) -> list[str]:
        """Let time pass second by second, n2 renewing its Lease; the pods left then."""
        for _ in range(seconds):
            clock.advance(1)
            await api.patch("leases", "n2", {"spec": {"renewTime": str(clock.now())}}, namespace="kube-node-lease")
            await _drain(c)
        return sorted(p["metadata"]["name"] for p in (await api.list("pods"))["items"])

    assert await run_for(5) == ["default", "elsewhere", "forever", "short"], "untolerating pods go once n2 is back"
    assert await run_for(54) == ["default", "elsewhere", "forever", "short"]
    assert await run_for(1) == ["default", "elsewhere", "forever"], "60 s after the taint"
    assert await run_for(240) == ["elsewhere", "forever"]
    await c.recorder.aclose()
    reasons = {e["reason"] for e in (await api.list("events"))["items"]}
    assert reasons == {"NodeNotReady", "TaintManagerEviction"}


def test_eviction_delay() -> None:
    taints = [{"key": nodelifecycle.UNREACHABLE, "effect": "NoExecute"}]
    assert nodelifecycle.eviction_delay(pod("p", "n"), taints) == 0.0
    assert nodelifecycle.eviction_delay(pod("p", "n", default_tolerations(30)), taints) == 30.0
    both = default_tolerations(30) + [{"operator": "Exists"}]
    assert nodelifecycle.eviction_delay(pod("p", "n", both), taints) == 30.0
    assert nodelifecycle.eviction_delay(pod("p", "n", [{"operator": "Exists"}]), taints) is None


async def test_pods_of_a_silent_node_stop_being_ready(started, clock) -> None:
    ready = pod("web", "n1", default_tolerations())
    ready["status"] = {"conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]}
    api = FakeClient(node("n1"), ready)
    c = await started(api)
    await _drain(c)
    clock.advance(40)
    await _drain(c)
    conditions = {x["type"]: x["status"] for x in (await api.get("pods", "web"))["status"]["conditions"]}
    assert conditions == {"Ready": "False", "PodScheduled": "True"}
    await _drain(c)
    assert len([a for a in api.actions if a.resource == "pods" and a.verb == "patch"]) == 1, "written once"


async def test_a_deleted_node_is_forgotten(started, clock) -> None:
    api = FakeClient(node("n1", ready="False"))
    c = await started(api)
    await _drain(c)
    assert c._heard and c._tainted_at
    await api.delete("nodes", "n1")
    await _drain(c)
    assert not c._heard and not c._tainted_at
