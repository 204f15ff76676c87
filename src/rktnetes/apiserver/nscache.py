"""A cache of namespaces (name -> terminating?) kept by one list+watch, for the namespace check of every create.

Like kube-apiserver's NamespaceLifecycle admission reading an informer, this spares a store read per create.
A name the cache has not seen yet (created a moment ago) falls back to a store read, so a fresh namespace is
usable at once; a deletion is seen as soon as its watch event arrives. One task per server owns the watch; it
relists after any watch failure (compaction included).
"""

from __future__ import annotations

import asyncio
import logging

from rktnetes.api import errors
from rktnetes.api.resources import Resource
from rktnetes.apiserver.encoding import decode
from rktnetes.apiserver.registry import Registry
from rktnetes.store.protocol import DELETE

log = logging.getLogger(__name__)
RETRY = 1.0


class NamespaceCache:
    def __init__(self, registry: Registry, namespaces: Resource) -> None:
        self.registry, self.resource = registry, namespaces
        self.terminating: dict[str, bool] = {}
        self.task: asyncio.Task | None = None

    async def is_terminating(self, name: str) -> bool:
        """Whether ``name`` is being deleted; 404 NotFound when it does not exist."""
        known = self.terminating.get(name)
        if known is not None:
            return known
        ns, _ = await self.registry.get(self.resource, None, name)
        return bool(ns["metadata"].get("deletionTimestamp"))

    async def _sync(self) -> None:
        page = await self.registry.list(self.resource, None)
        self.terminating = {ns["metadata"]["name"]: bool(ns["metadata"].get("deletionTimestamp"))
                            for ns in page.items}
        async with await self.registry.watch(self.resource, None, page.revision) as watch:
            async for event in watch:
                name = event.kv.key.rsplit("/", 1)[-1]
                if event.type == DELETE:
                    self.terminating.pop(name, None)
                else:
                    self.terminating[name] = bool(decode(event.kv)["metadata"].get("deletionTimestamp"))

    async def _run(self) -> None:
        while True:
            try:
                await self._sync()
            except asyncio.CancelledError:
                raise
            except (errors.APIError, Exception):  # noqa: BLE001 - relist after any failure
                log.warning("namespace cache: relisting after a watch failure", exc_info=True)
            self.terminating = {}
            await asyncio.sleep(RETRY)

    def start(self) -> None:
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None
