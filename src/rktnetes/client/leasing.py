"""Leader election on a ``coordination.k8s.io`` Lease, so only one of several replicas acts (client-go's way).

A candidate reads the Lease; it may take it when nobody holds it or when the holder has not renewed within
``lease_duration`` — measured on *our* clock from when we last saw the record change, never by comparing our
wall clock with another machine's timestamps. Taking and renewing are compare-and-swap updates on the Lease's
resourceVersion, so two candidates can never both win. The leader renews every ``retry_period``; if it cannot
renew for ``renew_deadline`` (shorter than ``lease_duration``) it stops leading — the work task is cancelled —
before anyone else may take over. All waiting is on the injected clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from rktnetes.client import errors, interface
from rktnetes.client.clock import Clock, LoopClock

log = logging.getLogger(__name__)
Obj = dict[str, Any]


def micro_now() -> str:
    """A ``MicroTime`` for now (wall clock: only for people reading the Lease)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    def __init__(self, client: interface.Api, name: str, identity: str, namespace: str = "kube-system", *,
                 lease_duration: float = 15.0, renew_deadline: float = 10.0, retry_period: float = 2.0,
                 clock: Clock | None = None) -> None:
        if not retry_period < renew_deadline < lease_duration:
            raise ValueError("need retry_period < renew_deadline < lease_duration")
        self.client, self.name, self.identity, self.namespace = client, name, identity, namespace
        self.lease_duration, self.renew_deadline, self.retry_period = lease_duration, renew_deadline, retry_period
        self.clock = clock or LoopClock()
        self.is_leader = False
        self._observed: tuple = ()
        self._observed_at = 0.0

    def _spec(self, old: Obj, transitions: int) -> Obj:
        holder = old.get("holderIdentity")
        taking = holder != self.identity
        now = micro_now()
        return {**old, "holderIdentity": self.identity, "leaseDurationSeconds": max(1, round(self.lease_duration)),
                "renewTime": now, "acquireTime": now if taking else old.get("acquireTime", now),
                "leaseTransitions": transitions + (1 if taking and holder else 0)}

    def _observe(self, spec: Obj) -> None:
        record = (spec.get("holderIdentity"), spec.get("renewTime"), spec.get("leaseTransitions"))
        if record != self._observed:
            self._observed, self._observed_at = record, self.clock.now()

    async def try_acquire_or_renew(self) -> bool:
        """One attempt to take or keep the Lease; True when we hold it afterwards."""
        try:
            lease = await self.client.get("leases", self.name, self.namespace)
        except errors.NotFound:
            return await self._create()
        spec = lease.get("spec") or {}
        self._observe(spec)
        holder = spec.get("holderIdentity")
        if holder and holder != self.identity and self.clock.now() < self._observed_at + self.lease_duration:
            return False
        lease["spec"] = self._spec(spec, int(spec.get("leaseTransitions") or 0))
        try:
            updated = await self.client.update("leases", lease, self.namespace)
        except errors.Conflict:
            return False
        self._observe(updated.get("spec") or {})
        return True

    async def _create(self) -> bool:
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": self.name, "namespace": self.namespace}, "spec": self._spec({}, 0)}
        try:
            created = await self.client.create("leases", lease, self.namespace)
        except errors.AlreadyExists:
            return False
        self._observe(created.get("spec") or {})
        return True

    async def acquire(self) -> None:
        """Wait until we hold the Lease."""
        while not await self._attempt():
            await self.clock.sleep(self.retry_period)
        self.is_leader = True
        log.info("%s: %s is the leader", self.name, self.identity)

    async def _attempt(self) -> bool:
        try:
            return await self.try_acquire_or_renew()
        except errors.ClientError as exc:
            log.warning("%s: leader election: %s", self.name, exc)
            return False

    async def run(self, lead: Callable[[], Awaitable[object]]) -> None:
        """Acquire, run ``lead()`` while we hold the Lease, release it when ``lead`` ends or we are cancelled.
        Returns when leadership is lost (``lead`` is cancelled then) or ``lead`` returns."""
        await self.acquire()
        work = asyncio.create_task(lead())
        try:
            await self._keep(work)
        finally:
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)
            lost, self.is_leader = not self.is_leader, False
            if not lost:
                await asyncio.shield(self.release())

    async def _keep(self, work: asyncio.Task) -> None:
        while not work.done():
            await self._pause(work)
            if work.done():
                return
            if not await self._renew():
                log.warning("%s: %s lost the lease", self.name, self.identity)
                self.is_leader = False
                return

    async def _renew(self) -> bool:
        deadline = self.clock.now() + self.renew_deadline
        while not await self._attempt():
            if self.clock.now() + self.retry_period >= deadline:
                return False
            await self.clock.sleep(self.retry_period)
        return True

    async def _pause(self, work: asyncio.Task) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(self.retry_period))
        try:
            await asyncio.wait({work, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()

    async def release(self) -> None:
        """Give the Lease up (best effort) so the next candidate need not wait for it to expire."""
        try:
            lease = await self.client.get("leases", self.name, self.namespace)
            spec = lease.get("spec") or {}
            if spec.get("holderIdentity") != self.identity:
                return
            lease["spec"] = {**spec, "holderIdentity": "", "leaseDurationSeconds": 1, "renewTime": micro_now()}
            await self.client.update("leases", lease, self.namespace)
        except errors.ClientError as exc:
            log.warning("%s: releasing the lease: %s", self.name, exc)
