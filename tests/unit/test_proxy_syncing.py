"""When the proxy syncs (bursts coalesce, min period, periodic resync, retry, health) on a fake clock, and the
proxy server reading Services and slices from a fake API into one recorded transaction per burst."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import fake
from rktnetes.client.clock import FakeClock
from rktnetes.proxy import errors, serviceports
from rktnetes.proxy.proxier import Config, Proxier
from rktnetes.proxy.serving import ProxyServer, Timing
from rktnetes.proxy.syncing import SyncRunner
from tests.conftest import settle


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.calls, self.fail = 0, fail

        self.full: list[bool] = []

    async def __call__(self, full: bool) -> None:
        self.calls += 1
        self.full.append(full)
        if self.fail:
            self.fail -= 1
            raise errors.RulesError("nft said no")


@pytest.fixture
async def running():
    clock, sync = FakeClock(), Recorder()
    runner = SyncRunner(sync, clock, min_period=1.0, period=30.0, retry=2.0)
    task = asyncio.create_task(runner.run())
    yield clock, sync, runner
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_burst_makes_one_sync_and_the_next_waits_for_the_min_period(running):
    clock, sync, runner = running
    for _ in range(50):
        runner.request()
    clock.advance(0)
    await settle()
    assert sync.calls == 1 and runner.healthy(10)
    runner.request()
    runner.request()
    clock.advance(0.5)
    await settle()
    assert sync.calls == 1 and runner.pending_since is not None
    clock.advance(0.5)
    await settle()
    assert sync.calls == 2 and runner.pending_since is None


async def test_periodic_resync_without_changes(running):
    clock, sync, runner = running
    runner.request()
    clock.advance(0)
    await settle()
    clock.advance(30)
    await settle()
    assert sync.full == [False, True]


async def test_failure_is_retried_and_unhealthy_while_a_change_waits():
    clock, sync = FakeClock(), Recorder(fail=1)
    runner = SyncRunner(sync, clock, min_period=1.0, period=30.0, retry=2.0)
    task = asyncio.create_task(runner.run())
    try:
        runner.request()
        clock.advance(0)
        await settle()
        assert (sync.calls, runner.failures, runner.healthy(10)) == (1, 1, False)
        clock.advance(2)
        await settle()
        assert (sync.calls, runner.syncs, runner.healthy(10)) == (2, 1, True)
        runner.request()
        assert not runner.healthy(0)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _service(name: str, ip: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"clusterIP": ip, "ports": [{"name": "", "port": 80, "protocol": "TCP"}]}}


def _slice(service: str, ip: str) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": f"{service}-1", "namespace": "ns", "labels": {serviceports.SERVICE_NAME: service}},
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}], "ports": [{"name": "", "port": 8080}]}


async def _synced(server: ProxyServer, count: int) -> None:
    """Wait (bounded) until ``count`` syncs finished: they run in a worker thread, beyond the fake clock."""
    async with asyncio.timeout(5):
        while server.runner.syncs < count:
            await asyncio.sleep(0.005)


async def test_server_turns_cluster_state_into_one_transaction_per_burst():
    client = fake.FakeClient(_service("a", "10.96.0.5"), _slice("a", "10.244.1.2"))
    written: list[str] = []
    proxier = Proxier(Config("node-a"), apply=lambda _ns, text: written.append(text), flush=lambda _ns, f: None)
    clock = FakeClock()
    server = ProxyServer(client, Config("node-a"), Timing(min_sync_period=1.0, healthz_port=0,
                                                          cleanup_on_exit=False), clock, proxier)
    task = asyncio.create_task(server.run())
    try:
        await settle(200)
        clock.advance(0)
        await _synced(server, 1)
        assert len(written) == 1 and "dnat to 10.244.1.2:8080" in written[0]
        await client.create("services", _service("b", "10.96.0.6"), "ns")
        await client.create("endpointslices.discovery.k8s.io", _slice("b", "10.244.2.2"), "ns")
        await settle(200)
        clock.advance(1)
        await _synced(server, 2)
        assert len(written) == 2 and "dnat to 10.244.2.2:8080" in written[1] and "delete table" not in written[1]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_healthz_is_503_until_synced_and_while_a_change_waits_too_long():
    import aiohttp

    from rktnetes.proxy import health
    from tests.conftest import free_port

    clock, stuck = FakeClock(), asyncio.Event()

    async def sync(_full: bool) -> None:
        if runner.syncs:  # the second sync hangs (a wedged nft)
            await stuck.wait()

    runner = SyncRunner(sync, clock, min_period=1.0, period=30.0)
    port = free_port()
    site = await health.start(runner, port, stale_after=10)
    task = asyncio.create_task(runner.run())
    try:
        async with aiohttp.ClientSession() as session:
            async def status() -> tuple[int, dict]:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    return answer.status, await answer.json()

            assert (await status())[0] == 503
            runner.request()
            clock.advance(0)
            await settle()
            code, body = await status()
            assert code == 200 and body["syncs"] == 1 and body["lastUpdated"]
            runner.request()
            clock.advance(1)
            await settle()
            runner.request()  # waits behind the hung sync
            clock.advance(9)
            assert (await status())[0] == 200
            clock.advance(2)
            assert (await status())[0] == 503
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await site.cleanup()


def test_a_sync_that_would_change_nothing_runs_no_nft():
    written: list[str] = []
    proxier = Proxier(Config("node-a"), apply=lambda _ns, text: written.append(text), flush=lambda _ns, f: None)
    port = serviceports.ServicePort("ns", "a", "", "tcp", "10.96.0.5", 80,
                                    endpoints=(serviceports.Endpoint("10.244.1.2", 8080),))
    proxier.sync([port])
    proxier.sync([port])
    assert len(written) == 1
    proxier.sync([port], full=True)
    assert len(written) == 2
