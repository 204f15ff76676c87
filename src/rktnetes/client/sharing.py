"""One informer per watched collection, shared by every controller of a process (client-go's informer factory).

Five controllers that all read pods must not open five watches and hold five caches: each asks the factory
for ``informer("pods")`` and gets the same one, with its handlers added and any indexes it needs added to the
shared cache. ``start()`` runs every informer not yet running; ``wait_for_sync()`` returns when all have
listed, which is when controllers may start their workers.
"""

from __future__ import annotations

import asyncio

from rktnetes.client import interface, urls
from rktnetes.client.caching import IndexFunc
from rktnetes.client.clock import Clock
from rktnetes.client.informing import Informer
from rktnetes.client.urls import ResourceRef


class InformerFactory:
    def __init__(self, client: interface.Api, clock: Clock | None = None, watch_timeout: int = 300) -> None:
        self.client, self.clock, self.watch_timeout = client, clock, watch_timeout
        self._informers: dict[tuple, Informer] = {}

    def informer(self, resource: ResourceRef, namespace: str | None = None, *, label_selector: str | None = None,
                 field_selector: str | None = None, indexers: dict[str, IndexFunc] | None = None) -> Informer:
        """The shared informer of this collection and selection, created on first use."""
        r = urls.resolve(resource)
        key = (r.group, r.version, r.plural, namespace or "", label_selector or "", field_selector or "")
        informer = self._informers.get(key)
        if informer is None:
            informer = Informer(self.client, r, namespace, label_selector=label_selector,
                                field_selector=field_selector, clock=self.clock, watch_timeout=self.watch_timeout)
            self._informers[key] = informer
        for name, func in (indexers or {}).items():
            if not informer.cache.has_index(name):
                informer.cache.add_indexer(name, func)
        return informer

    def __len__(self) -> int:
        return len(self._informers)

    def start(self) -> None:
        for informer in self._informers.values():
            informer.start()

    async def wait_for_sync(self) -> None:
        await asyncio.gather(*(i.wait_for_sync() for i in self._informers.values()))

    async def stop(self) -> None:
        await asyncio.gather(*(i.stop() for i in self._informers.values()))
