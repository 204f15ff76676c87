"""An informer: one resource's objects kept current in a local cache by LIST then WATCH, with change handlers.

One asyncio task per informer does everything in order — list, replace the cache, watch, apply each event —
so the cache and its indexes change only between awaits, never mid-update, and need no lock: readers on the
same loop always see a whole state. Handlers run inline in that task, which is why they must only record
what changed (a controller enqueues ``key_of(obj)``) and never await or block. The watch resumes from the last
resourceVersion seen (bookmarks included); a 410 Expired means that version is gone from the server's history,
so the informer relists and turns the difference into add/update/delete calls. Any other failure backs off
exponentially (on the injected clock) up to ``max_backoff`` and resumes the watch. An optional ``resync``
timer (a loop callback, so it also runs between awaits) hands every cached object to ``on_update(obj, obj)``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rktnetes.client import errors, interface
from rktnetes.client.caching import Cache, IndexFunc, key_of
from rktnetes.client.clock import Clock, LoopClock, Timer
from rktnetes.client.urls import ResourceRef

log = logging.getLogger(__name__)
Obj = dict[str, Any]


@dataclass(frozen=True)
class Handlers:
    """Called with cached objects, which they must not mutate."""

    on_add: Callable[[Obj], object] | None = None
    on_update: Callable[[Obj, Obj], object] | None = None
    on_delete: Callable[[Obj], object] | None = None


def _version(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


class Informer:
    def __init__(self, client: interface.Api, resource: ResourceRef, namespace: str | None = None, *,
                 label_selector: str | None = None, field_selector: str | None = None,
                 indexers: dict[str, IndexFunc] | None = None, clock: Clock | None = None,
                 watch_timeout: int = 300, backoff: float = 0.8, max_backoff: float = 30.0,
                 resync: float | None = None, detect_mutations: bool | None = None) -> None:
        self.client, self.resource, self.namespace = client, resource, namespace
        self.selectors = {"label_selector": label_selector, "field_selector": field_selector}
        self.cache = Cache(indexers, detect_mutations)
        self.clock = clock or LoopClock()
        self.watch_timeout, self.backoff, self.max_backoff = watch_timeout, backoff, max_backoff
        self.resource_version = ""
        self.lists = 0
        self.failures = 0
        self._handlers: list[Handlers] = []
        self._synced = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.resync = resync
        self._resync_timer: Timer | None = None

    @property
    def has_synced(self) -> bool:
        """True once the first LIST is in the cache (and every handler saw it as adds)."""
        return self._synced.is_set()

    async def wait_for_sync(self) -> None:
        await self._synced.wait()

    def add_handlers(self, on_add: Callable[[Obj], object] | None = None,
                     on_update: Callable[[Obj, Obj], object] | None = None,
                     on_delete: Callable[[Obj], object] | None = None) -> None:
        """Register handlers; added after the sync, ``on_add`` first sees every cached object."""
        handlers = Handlers(on_add, on_update, on_delete)
        self._handlers.append(handlers)
        if on_add is not None:
            for obj in self.cache.list():
                _call(on_add, obj)

    def start(self) -> asyncio.Task:
        """Run in a background task (once); ``stop()`` ends it."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name=f"informer-{getattr(self.resource, 'plural', self.resource)}")
        return self._task

    async def stop(self) -> None:
        if self._resync_timer is not None:
            self._resync_timer.cancel()
            self._resync_timer = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run(self) -> None:
        """List, then watch for ever; relist on Expired, back off on other failures."""
        need_list = True
        while True:
            try:
                if need_list:
                    await self._list()
                    need_list = False
                await self._watch()
                self.failures = 0
            except errors.Expired:
                log.info("%s: resourceVersion %s expired, relisting", self.resource, self.resource_version)
                need_list = True
            except Exception as exc:  # noqa: BLE001 - the informer outlives any failure of the server
                await self._back_off(exc)

    async def _back_off(self, exc: Exception) -> None:
        self.failures += 1
        delay = min(self.backoff * 2 ** min(self.failures - 1, 32), self.max_backoff) * random.uniform(1.0, 1.2)
        log.warning("%s: %s (retry %d in %.1fs)", self.resource, exc, self.failures, delay)
        await self.clock.sleep(delay)

    async def _list(self) -> None:
        items, version = await self.client.list_all(self.resource, self.namespace, **self.selectors)
        self._replace(items)
        self.resource_version = version
        self.lists += 1
        self.failures = 0
        self._synced.set()
        if self.resync and self._resync_timer is None:
            self._resync_timer = self.clock.call_later(self.resync, self._resync_all)

    def _resync_all(self) -> None:
        """Every ``resync`` seconds, each cached object to ``on_update(obj, obj)``: a periodic full look."""
        for obj in self.cache.list():
            self._fire("on_update", obj, obj)
        self._resync_timer = self.clock.call_later(self.resync, self._resync_all)

    def _replace(self, items: list[Obj]) -> None:
        fresh = set()
        for obj in items:
            fresh.add(key_of(obj))
            self._upserted(obj, self.cache.upsert(obj))
        for key in [k for k in self.cache.list_keys() if k not in fresh]:
            self._fire("on_delete", self.cache.remove(key))

    async def _watch(self) -> None:
        timeout = int(self.watch_timeout * random.uniform(1.0, 2.0))
        async with self.client.watch(self.resource, self.namespace, resource_version=self.resource_version,
                                     timeout_seconds=timeout, bookmarks=True, **self.selectors) as events:
            async for kind, obj in events:
                self._apply(kind, obj)
                self.resource_version = events.resource_version

    def _apply(self, kind: str, obj: Obj) -> None:
        if kind in ("ADDED", "MODIFIED"):
            self._upserted(obj, self.cache.upsert(obj))
        elif kind == "DELETED":
            self.cache.remove(key_of(obj))
            self._fire("on_delete", obj)

    def _upserted(self, new: Obj, old: Obj | None) -> None:
        if old is None:
            self._fire("on_add", new)
        elif _version(old) != _version(new):
            self._fire("on_update", old, new)

    def _fire(self, event: str, *objs: Obj | None) -> None:
        for handlers in self._handlers:
            handler = getattr(handlers, event)
            if handler is not None:
                _call(handler, *objs)


def _call(handler: Callable[..., object], *objs: Obj | None) -> None:
    try:
        handler(*objs)
    except Exception:  # noqa: BLE001 - one faulty handler must not stop the informer
        log.exception("informer handler %r failed", handler)
