"""Deleting keys whose time to live ran out, for a backend that does not do it itself (SQLite; etcd's
leases expire keys on their own), as kube-apiserver's ``--event-ttl`` needs for Events.

Why it is built this way: expiry is a plain compare-and-swap delete through the normal write path, so
watchers see an ordinary DELETE and a key written again in the meantime survives. One task per store,
sweeping every ``EVERY`` seconds; ``sleep`` is injected so tests drive it without waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from rktnetes.store import errors

EVERY = 1.0
MAX_TTL = 10 * 365 * 24 * 3600
log = logging.getLogger(__name__)


class Expiring(Protocol):
    async def expire_due(self) -> int: ...


def check_ttl(ttl: int) -> int:
    """The time to live in seconds if sensible, else ``InvalidTTL``."""
    if not isinstance(ttl, int) or not 0 < ttl <= MAX_TTL:
        raise errors.InvalidTTL(f"invalid time to live {ttl!r}: expected whole seconds in 1..{MAX_TTL}")
    return ttl


async def expire_periodically(store: Expiring, every: float = EVERY,
                              sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
    """Run until cancelled: every ``every`` seconds delete what has expired."""
    while True:
        await sleep(every)
        try:
            await store.expire_due()
        except errors.StoreError as exc:
            log.warning("expiring keys failed: %s", exc)
