"""Periodic compaction of the store's history, as kube-apiserver does every five minutes.

Each pass compacts up to the revision seen at the previous pass, so a watcher always has at least one interval
to catch up before its resourceVersion expires (410 Gone, then it relists). One task per server.
"""

from __future__ import annotations

import asyncio
import logging

from rktnetes.store.protocol import Store

log = logging.getLogger(__name__)
DEFAULT_INTERVAL = 300.0


class Compactor:
    def __init__(self, store: Store, interval: float = DEFAULT_INTERVAL) -> None:
        self.store, self.interval = store, interval
        self.task: asyncio.Task | None = None

    async def _loop(self) -> None:
        previous = 0
        while True:
            await asyncio.sleep(self.interval)
            try:
                current = await self.store.current_revision()
                if previous:
                    await self.store.compact(previous)
                previous = current
            except Exception:  # noqa: BLE001 - logged; the next pass retries
                log.exception("compacting the store")

    def start(self) -> None:
        if self.interval > 0 and self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._loop())

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
            self.task = None
