"""The scheduler on the fake API with a fake clock: binds, assume cache, Unschedulable reports, retry on change."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import errors, running
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.scheduler.scheduling import Scheduler
from tests.conftest import settle
from tests.unit.test_scheduler_filters import node, pod


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def started(clock: FakeClock):
    made = []

    async def start(api: FakeClient) -> Scheduler:
        s = Scheduler(api, clock=clock)
        s.factory.start()
        await asyncio.wait_for(s.factory.wait_for_sync(), 5)
        made.append(s)
        return s

    yield start
    for s in made:
        s.queue.shutdown()
        await s.factory.stop()
        await s.recorder.aclose()


async def _drain(s: Scheduler) -> None:
    await settle()
    while len(s.queue):
        await running.process_one(s.queue, s.schedule)
        await settle()


def _bindings(api: FakeClient) -> list[tuple[str, str]]:
    return [(a.name, a.body["target"]["name"]) for a in api.actions if a.subresource == "binding"]


async def test_binds_pending_pods_and_leaves_other_schedulers_pods(started) -> None:
    other = pod("other", "1")
    other["spec"]["schedulerName"] = "my-scheduler"
    api = FakeClient(node("n1"), pod("p1", "1"), other, pod("bound", node_name="n1"))
    s = await started(api)
    await _drain(s)
    assert _bindings(api) == [("p1", "n1")]
    assert (await api.get("pods", "p1"))["spec"]["nodeName"] == "n1"
    await s.recorder.aclose()
    events = (await api.list("events"))["items"]
    assert [(e["reason"], e["message"]) for e in events] == [("Scheduled", "Successfully assigned default/p1 to n1")]


async def test_assumed_pods_hold_their_slot_before_the_informer_sees_the_binding(started) -> None:
    api = FakeClient(node("n1", cpu="1"), node("n2", cpu="1"), pod("a", "800m"), pod("b", "800m"))
    s = await started(api)
    await settle()
    await running.process_one(s.queue, s.schedule)
    await running.process_one(s.queue, s.schedule)  # no settle: the informer has not seen the first binding
    assert sorted(n for _, n in _bindings(api)) == ["n1", "n2"]


async def test_unschedulable_pod_gets_condition_and_event_then_is_placed_when_a_node_arrives(started, clock) -> None:
    api = FakeClient(node("small", cpu="500m"), pod("big", "1"))
    s = await started(api)
    await _drain(s)
    got = await api.get("pods", "big")
    message = "0/1 nodes are available: 1 Insufficient cpu."
    condition = got["status"]["conditions"][0]
    assert (condition["type"], condition["status"], condition["reason"], condition["message"]) == (
        "PodScheduled", "False", "Unschedulable", message)
    await s.recorder.aclose()
    events = (await api.list("events"))["items"]
    assert [(e["type"], e["reason"], e["message"]) for e in events] == [("Warning", "FailedScheduling", message)]
    assert _bindings(api) == [] and len(s.queue) == 0, "our own status write does not retry the pod"
    api.seed(node("large", cpu="2"))
    await _drain(s)
    assert _bindings(api) == [], "the first retry waits out the 1 s backoff"
    clock.advance(1.0)
    await _drain(s)
    assert _bindings(api) == [("big", "large")]


async def test_backoff_doubles_and_a_failed_bind_is_retried_and_forgotten(started, clock) -> None:
    api = FakeClient(node("n1", cpu="100m"), pod("p", "1"))
    s = await started(api)
    await _drain(s)
    await api.patch("nodes", "n1", {"metadata": {"labels": {"x": "1"}}})
    clock.advance(1.0)
    await _drain(s)
    await api.patch("nodes", "n1", {"metadata": {"labels": {"x": "2"}}})
    clock.advance(1.9)
    await _drain(s)
    assert len([a for a in api.actions if a.verb == "patch" and a.resource == "events"]) == 1, "backoff is now 2 s"
    clock.advance(0.1)
    await _drain(s)
    assert len([a for a in api.actions if a.subresource == "status"]) == 1, "same message: condition written once"
    api.fail_next("create", "pods", errors.ServerError(500, "InternalError", "boom"))
    await api.patch("nodes", "n1", {"status": {"allocatable": {"cpu": "2"}}}, subresource="status")
    clock.advance(3.9)
    await _drain(s)
    assert _bindings(api) == [], "third failure in a row: the backoff is 4 s"
    clock.advance(0.1)
    await _drain(s)
    assert _bindings(api) == [("p", "n1")] and len(s.assumed) == 0, "the failed bind was forgotten"
    clock.advance(1.0)
    await _drain(s)
    assert _bindings(api) == [("p", "n1"), ("p", "n1")]
    assert (await api.get("pods", "p"))["spec"]["nodeName"] == "n1"


async def test_no_nodes_and_deleted_pods(started) -> None:
    api = FakeClient(pod("p"))
    s = await started(api)
    await _drain(s)
    assert (await api.get("pods", "p"))["status"]["conditions"][0]["message"] == "no nodes available to schedule pods"
    await api.delete("pods", "p")
    await settle()
    assert "default/p" not in s.waiting


async def test_gated_pods_wait_until_their_gates_are_removed(started) -> None:
    gated = pod("g", "1")
    gated["spec"]["schedulingGates"] = [{"name": "example.com/quota"}]
    api = FakeClient(node("n1"), gated)
    s = await started(api)
    await _drain(s)
    assert _bindings(api) == []
    await api.patch("pods", "g", {"spec": {"schedulingGates": None}})
    await _drain(s)
    assert _bindings(api) == [("g", "n1")]
