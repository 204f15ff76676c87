"""Keeping the store's history bounded, the way kube-apiserver does it for etcd.

Why it is built this way: every tick, compact up to the revision seen at the *previous* tick, so at least one
interval of history always survives (watchers that reconnect within it resume instead of relisting), and one
writer of compactions is enough even with several API servers: compacting at or below the current compacted
revision does nothing. ``sleep`` is injected so tests advance time without waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from rktnetes.store import errors
from rktnetes.store.protocol import Store

DEFAULT_INTERVAL = 300.0  # kube-apiserver's --etcd-compaction-interval default: 5 minutes
log = logging.getLogger(__name__)


async def compact_once(store: Store, previous: int) -> int:
    """Compact up to ``previous`` (if any); the current revision, to compact up to next time."""
    current = await store.current_revision()
    if previous:
        await store.compact(previous)
    return current


async def compact_periodically(store: Store, interval: float = DEFAULT_INTERVAL,
                               sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
    """Run until cancelled: every ``interval`` seconds compact to the revision of the tick before."""
    previous = 0
    while True:
        await sleep(interval)
        try:
            previous = await compact_once(store, previous)
        except errors.StoreError as exc:  # the store is down for now: keep the last mark and try next tick
            log.warning("store compaction failed: %s", exc)
