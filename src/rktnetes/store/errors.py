"""Sentinel errors of the store. Every backend raises exactly these, so callers never see a driver's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rktnetes.store.protocol import KeyValue


class StoreError(Exception):
    """Base of every store error; carries one line of text."""


class KeyExists(StoreError):
    """``create`` found the key already there."""

    def __init__(self, key: str, revision: int) -> None:
        super().__init__(f"key {key!r} already exists")
        self.key = key
        self.revision = revision


class NotFound(StoreError):
    """The key does not exist (at the revision asked for)."""

    def __init__(self, key: str, revision: int) -> None:
        super().__init__(f"key {key!r} not found")
        self.key = key
        self.revision = revision


class Conflict(StoreError):
    """A compare-and-swap lost: the key's revision is not the one expected. ``current`` is the key as it is."""

    def __init__(self, current: KeyValue, expected_revision: int) -> None:
        super().__init__(
            f"key {current.key!r} is at revision {current.mod_revision}, not {expected_revision}"
        )
        self.current = current
        self.expected_revision = expected_revision


class Compacted(StoreError):
    """The revision asked for is older than the compacted revision: its history is gone (HTTP 410 Expired)."""

    def __init__(self, requested: int, compact_revision: int) -> None:
        upto = f" (compacted up to {compact_revision})" if compact_revision > 0 else ""
        super().__init__(f"revision {requested} has been compacted{upto}")
        self.requested = requested
        self.compact_revision = compact_revision


class FutureRevision(StoreError):
    """The revision asked for is newer than the store's current revision."""

    def __init__(self, requested: int, current: int) -> None:
        now = f" (current revision is {current})" if current > 0 else ""
        super().__init__(f"revision {requested} is in the future{now}")
        self.requested = requested
        self.current = current


class InvalidURL(StoreError):
    """The store URL names no known backend or is malformed."""


class InvalidKey(StoreError):
    """A key is empty or not text the backends can store."""


class InvalidTTL(StoreError):
    """A time to live that is not a positive whole number of seconds (within ten years)."""


class InvalidPath(StoreError):
    """A snapshot destination that exists already or whose directory does not."""


class Unavailable(StoreError):
    """The backend cannot be reached (etcd down, database closed)."""


class Unreachable(Unavailable):
    """No connection to the backend could be made at all (so nothing was sent: safe to try another endpoint)."""
