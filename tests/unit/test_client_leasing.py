"""Leader election on the fake API and a fake clock: one leader, takeover after expiry, loss after the deadline."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import errors
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.client.leasing import LeaderElector
from tests.conftest import settle


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _elector(api: FakeClient, clock: FakeClock, identity: str) -> LeaderElector:
    return LeaderElector(api, "ctrl", identity, "kube-system", lease_duration=15, renew_deadline=10,
                         retry_period=2, clock=clock)


async def _holder(api: FakeClient) -> dict:
    return (await api.get("leases", "ctrl", "kube-system"))["spec"]


async def test_one_leader_and_takeover_only_after_expiry(clock: FakeClock) -> None:
    api = FakeClient()
    a, b = _elector(api, clock, "a"), _elector(api, clock, "b")
    assert await a.try_acquire_or_renew()
    assert not await b.try_acquire_or_renew()
    clock.advance(14)
    assert not await b.try_acquire_or_renew(), "b measures expiry from when it first saw the record"
    assert await a.try_acquire_or_renew()
    clock.advance(14)
    assert not await b.try_acquire_or_renew(), "a renewed: b's observation restarted"
    clock.advance(15.5)
    assert await b.try_acquire_or_renew()
    spec = await _holder(api)
    assert (spec["holderIdentity"], spec["leaseTransitions"], spec["leaseDurationSeconds"]) == ("b", 1, 15)
    assert not await a.try_acquire_or_renew()


async def test_concurrent_candidates_never_both_win(clock: FakeClock) -> None:
    api = FakeClient()
    results = await asyncio.gather(*(_elector(api, clock, f"c{i}").try_acquire_or_renew() for i in range(5)))
    assert results.count(True) == 1


async def test_run_leads_renews_and_releases(clock: FakeClock) -> None:
    api = FakeClient()
    a = _elector(api, clock, "a")
    started = asyncio.Event()

    async def lead() -> None:
        started.set()
        await asyncio.Event().wait()

    runner = asyncio.create_task(a.run(lead))
    await settle(30)
    assert started.is_set() and a.is_leader
    for _ in range(5):
        clock.advance(2)
        await settle(30)
    assert sum(1 for act in api.actions if act.verb == "update") == 5
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    assert (await _holder(api))["holderIdentity"] == "" and not a.is_leader
    b = _elector(api, clock, "b")
    assert await b.try_acquire_or_renew(), "a released: b need not wait for expiry"


async def test_leadership_lost_when_renewals_fail_past_the_deadline(clock: FakeClock) -> None:
    api = FakeClient()
    a = _elector(api, clock, "a")
    cancelled = asyncio.Event()

    async def lead() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    runner = asyncio.create_task(a.run(lead))
    await settle(30)
    for _ in range(10):
        api.fail_next("get", "leases", errors.TransportError("unreachable"))
    for _ in range(6):
        clock.advance(2)
        await settle(30)
    assert runner.done() and cancelled.is_set() and not a.is_leader
    api.clear_failures()
    assert (await _holder(api))["holderIdentity"] == "a", "a lost leader does not write: it may be partitioned"


def test_timings_must_nest() -> None:
    with pytest.raises(ValueError):
        LeaderElector(FakeClient(), "x", "a", lease_duration=5, renew_deadline=10, retry_period=2)
