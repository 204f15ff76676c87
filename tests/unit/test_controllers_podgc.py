"""Pod GC on the fake API: pods of a vanished node go after the quarantine; finished pods beyond the threshold."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import caching, sharing
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.controllers import podgc
from tests.fixtures.controllers import verify_caches


def _pod(name: str, node: str = "", phase: str = "Running", created: str = "2026-01-01T00:00:00Z") -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns",
                                                            "creationTimestamp": created},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i"}]}, "status": {"phase": phase}}


def test_finished_excess_is_the_oldest_finished() -> None:
    pods = [_pod("a", phase="Succeeded", created="2026-01-01T00:00:03Z"),
            _pod("b", phase="Failed", created="2026-01-01T00:00:01Z"), _pod("c"),
            _pod("d", phase="Succeeded", created="2026-01-01T00:00:02Z")]
    assert [p["metadata"]["name"] for p in podgc.finished_excess(pods, 1)] == ["b", "d"]


@pytest.fixture
async def env(monkeypatch):
    monkeypatch.setenv(caching.MUTATION_DETECTOR_ENV, "1")
    api = FakeClient({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}},
                     _pod("kept", "n1"), _pod("lost", "n2"), namespace="ns")
    factory = sharing.InformerFactory(api, FakeClock())
    controller = podgc.PodGCController(api, factory, FakeClock(), threshold=0, quarantine=40)
    factory.start()
    await factory.wait_for_sync()
    yield api, controller
    verify_caches(controller)
    await factory.stop()


async def _names(api: FakeClient) -> list[str]:
    return sorted(p["metadata"]["name"] for p in (await api.list("pods", "ns"))["items"])


async def test_pods_of_a_missing_node_go_after_the_quarantine(env) -> None:
    api, controller = env
    assert (await controller.reconcile(podgc.KEY)).requeue_after == 20
    assert await _names(api) == ["kept", "lost"]
    controller.clock.advance(40)
    await controller.reconcile(podgc.KEY)
    assert await _names(api) == ["kept"]
    deletes = [a for a in api.actions if a.verb == "delete"]
    assert [(a.resource, a.name) for a in deletes] == [("pods", "lost")]


async def test_finished_pods_beyond_the_threshold_are_deleted(env) -> None:
    api, controller = env
    kept = await api.get("pods", "kept", "ns")
    await api.update_status("pods", {**kept, "status": {"phase": "Succeeded"}})
    for _ in range(30):
        await asyncio.sleep(0)
    await controller.reconcile(podgc.KEY)
    assert await _names(api) == ["lost"]
