"""The proxy process: informers on Services, EndpointSlices and Endpoints feed one ``SyncRunner``.

Event handlers only ask for a sync (they never look at the event): each sync reads every Service from the
caches, so it is level-based and a burst of events makes one sync. The cache is read on the event loop; the
blocking nft/conntrack work runs in a worker thread so watches keep flowing meanwhile. On the way out (task
cancelled) the health server stops and, unless told otherwise, the proxy's table is deleted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from rktnetes.client import interface, sharing
from rktnetes.client.clock import Clock
from rktnetes.proxy import health, serviceports
from rktnetes.proxy.proxier import Config, Proxier
from rktnetes.proxy.syncing import SyncRunner

Obj = dict[str, Any]
SLICES = "endpointslices.discovery.k8s.io"


@dataclass(frozen=True)
class Timing:
    min_sync_period: float = 1.0
    sync_period: float = 30.0
    healthz_port: int = 10256  # 0: no health server
    cleanup_on_exit: bool = True


def _service_of(slice_: Obj) -> list[str]:
    name = ((slice_.get("metadata") or {}).get("labels") or {}).get(serviceports.SERVICE_NAME)
    return [f"{slice_['metadata'].get('namespace')}/{name}"] if name else []


class ProxyServer:
    def __init__(self, client: interface.Api, config: Config, timing: Timing = Timing(),
                 clock: Clock | None = None, proxier: Proxier | None = None) -> None:
        self.config, self.timing = config, timing
        self.factory = sharing.InformerFactory(client, clock)
        self.services = self.factory.informer("services")
        self.slices = self.factory.informer(SLICES, indexers={"service": _service_of})
        self.endpoints = self.factory.informer("endpoints")
        self.proxier = proxier or Proxier(config)
        self.runner = SyncRunner(self._sync, clock, min_period=timing.min_sync_period, period=timing.sync_period)
        for informer in (self.services, self.slices, self.endpoints):
            informer.add_handlers(self._changed, lambda _old, _new: self._changed(), self._changed)

    def _changed(self, _obj: Obj | None = None) -> None:
        self.runner.request()

    def ports(self) -> list[serviceports.ServicePort]:
        """Every Service port with its endpoints, from the caches (call on the event loop)."""
        return serviceports.all_ports(self.services.cache.list(), lambda key: self.slices.cache.by_index("service", key),
                                      self.endpoints.cache.get)

    async def _sync(self, full: bool) -> None:
        await asyncio.to_thread(self.proxier.sync, self.ports(), full)

    async def run(self) -> None:
        """Sync until cancelled; then stop serving health and remove the table."""
        self.factory.start()
        site = None
        try:
            if self.timing.healthz_port:
                site = await health.start(self.runner, self.timing.healthz_port, 2 * self.timing.sync_period)
            await self.factory.wait_for_sync()
            self.runner.request()
            await self.runner.run()
        finally:
            if site is not None:
                await site.cleanup()
            await self.factory.stop()
            if self.timing.cleanup_on_exit:
                await asyncio.to_thread(self.proxier.cleanup)
