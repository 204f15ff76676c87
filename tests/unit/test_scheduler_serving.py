"""Two scheduler replicas on the fake API and a fake clock: one leads and schedules, the other takes over
(and schedules) only once the first has stopped and released the Lease."""

from __future__ import annotations

import asyncio

from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.scheduler import serving
from tests.conftest import settle
from tests.unit.test_scheduler_filters import node, pod


async def _holder(api: FakeClient) -> str:
    return (await api.get("leases", "kube-scheduler", "kube-system"))["spec"].get("holderIdentity") or ""


async def _node_of(api: FakeClient, name: str) -> str:
    return (await api.get("pods", name))["spec"].get("nodeName", "")


async def test_one_replica_schedules_and_the_other_takes_over_after_it_stops() -> None:
    clock, api = FakeClock(), FakeClient(node("n1"), pod("first"))
    a = asyncio.create_task(serving.serve(api, clock=clock, who="a"))
    await settle(100)
    b = asyncio.create_task(serving.serve(api, clock=clock, who="b"))
    try:
        await settle(100)
        assert await _holder(api) == "a"
        assert await _node_of(api, "first") == "n1"
        a.cancel()
        await asyncio.gather(a, return_exceptions=True)
        assert await _holder(api) == "", "released on the way out"
        api.seed(pod("second"))
        await settle(100)
        assert await _node_of(api, "second") == "", "b has not tried again yet"
        clock.advance(2)
        await settle(100)
        assert await _holder(api) == "b"
        assert await _node_of(api, "second") == "n1"
    finally:
        for task in (a, b):
            task.cancel()
        await asyncio.gather(a, b, return_exceptions=True)
