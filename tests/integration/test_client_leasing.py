"""Leader election on a real Lease of the real API server: one leader, handover on release, kubectl sees it."""

from __future__ import annotations

import asyncio

from rktnetes.client import rest
from rktnetes.client.leasing import LeaderElector


async def test_two_candidates_hand_over_on_release(apiserver, namespace) -> None:
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        def candidate(identity: str) -> LeaderElector:
            return LeaderElector(client, "demo", identity, namespace, lease_duration=3, renew_deadline=2,
                                 retry_period=0.2)

        a, b = candidate("a"), candidate("b")
        leading: list[str] = []
        a_may_stop = asyncio.Event()

        async def lead_a() -> None:
            leading.append("a")
            await a_may_stop.wait()

        async def lead_b() -> None:
            leading.append("b")

        runner_a = asyncio.create_task(a.run(lead_a))
        await asyncio.wait_for(_until(lambda: leading == ["a"]), 10)
        runner_b = asyncio.create_task(b.run(lead_b))
        await asyncio.sleep(1.0)
        assert leading == ["a"] and not b.is_leader
        holder = (await asyncio.to_thread(apiserver.kubectl, "get", "lease", "demo", "-n", namespace,
                                          "-o", "jsonpath={.spec.holderIdentity}")).stdout
        assert holder == "a"
        a_may_stop.set()
        await asyncio.wait_for(runner_a, 10)
        await asyncio.wait_for(runner_b, 2.0)  # b takes over at once after a releases: no 3 s expiry wait
        assert leading == ["a", "b"]
        lease = await client.get("leases", "demo", namespace)
        assert lease["spec"]["holderIdentity"] == "" and lease["spec"]["leaseTransitions"] == 0


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.05)
