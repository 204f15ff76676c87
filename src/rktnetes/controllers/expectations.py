"""What a controller has asked the API for and its informer has not shown yet (client-go's "expectations").

A reconcile that creates three pods must not create three more when it runs again before the informer has
delivered them. Each controller notes the names it created and deleted per owner key; ``settle`` drops the ones
the cache now reflects and answers what is still in flight, which the next reconcile counts as done. Entries
expire after ``ttl`` seconds on the injected clock, in case an event is never seen (e.g. a create that failed
late): the cache is then trusted again, which is what level-based means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rktnetes.client.clock import Clock


@dataclass
class InFlight:
    creates: set[str] = field(default_factory=set)
    deletes: set[str] = field(default_factory=set)
    since: float = 0.0


class Expectations:
    def __init__(self, clock: Clock, ttl: float = 300.0) -> None:
        self.clock, self.ttl = clock, ttl
        self._pending: dict[str, InFlight] = {}

    def _entry(self, key: str) -> InFlight:
        entry = self._pending.setdefault(key, InFlight())
        entry.since = self.clock.now()
        return entry

    def created(self, key: str, name: str) -> None:
        self._entry(key).creates.add(name)

    def deleted(self, key: str, name: str) -> None:
        self._entry(key).deletes.add(name)

    def settle(self, key: str, seen: Callable[[str], bool], gone: Callable[[str], bool]) -> InFlight:
        """Forget what the cache now shows; return what is still in flight (empty when expired)."""
        entry = self._pending.get(key)
        if entry is None or self.clock.now() - entry.since > self.ttl:
            self._pending.pop(key, None)
            return InFlight()
        entry.creates = {n for n in entry.creates if not seen(n)}
        entry.deletes = {n for n in entry.deletes if not gone(n)}
        if not entry.creates and not entry.deletes:
            del self._pending[key]
        return InFlight(set(entry.creates), set(entry.deletes), entry.since)

    def forget(self, key: str) -> None:
        self._pending.pop(key, None)
