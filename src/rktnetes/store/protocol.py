"""The store protocol (after k3s-io/kine's Backend): a dozen revision-centric calls.

Every write returns the new store revision; ``update`` and ``delete`` are compare-and-swap on the key's
``mod_revision``; reads happen at a revision; a watch streams the changes strictly after a revision.
The API server's resourceVersion is this revision. Keys are non-empty text, values are bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

PUT: Literal["PUT"] = "PUT"
DELETE: Literal["DELETE"] = "DELETE"


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One version of a key. ``create_revision`` is the revision that created it, ``mod_revision`` the last write."""

    key: str
    value: bytes
    create_revision: int
    mod_revision: int


@dataclass(frozen=True, slots=True)
class Event:
    """A change. PUT: ``kv`` is the new version, ``prev_kv`` the one it replaced (None when created:
    then ``kv.create_revision == kv.mod_revision``). DELETE: ``kv`` has the key and the deleting revision
    as ``mod_revision`` (empty value, create_revision 0), ``prev_kv`` the version deleted."""

    type: Literal["PUT", "DELETE"]
    kv: KeyValue
    prev_kv: KeyValue | None = None

    @property
    def revision(self) -> int:
        return self.kv.mod_revision


@dataclass(frozen=True, slots=True)
class ListResult:
    """The live keys under a prefix at ``revision``, ordered by key; ``more`` if ``limit`` cut the list."""

    revision: int
    kvs: list[KeyValue] = field(default_factory=list)
    more: bool = False


class Watch(Protocol):
    """An open watch: ``async for event in watch``; ends when closed. Raises ``Compacted`` if it falls behind
    a compaction. Memory per watch is bounded whatever the consumer's speed."""

    def __aiter__(self) -> AsyncIterator[Event]: ...

    async def __anext__(self) -> Event: ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> Watch: ...

    async def __aexit__(self, *exc: object) -> None: ...


class Store(Protocol):
    """What the API server needs from storage; ``open_store(url)`` returns one."""

    async def current_revision(self) -> int:
        """The revision of the last committed write."""

    async def create(self, key: str, value: bytes, *, ttl: int = 0) -> int:
        """Write a new key; the new revision. ``KeyExists`` if it is live. With ``ttl`` (seconds) the key is
        deleted (a normal DELETE event) once that time has passed without a write that sets a new ttl."""

    async def get(self, key: str) -> tuple[int, KeyValue | None]:
        """The current revision and the key (None if absent)."""

    async def list(self, prefix: str, *, revision: int = 0, limit: int = 0, start_after: str = "") -> ListResult:
        """Keys under ``prefix`` greater than ``start_after`` at ``revision`` (0: now), at most ``limit``
        (0: all). ``Compacted`` below the compacted revision, ``FutureRevision`` above the current one."""

    async def count(self, prefix: str) -> tuple[int, int]:
        """The current revision and the number of live keys under ``prefix``."""

    async def update(self, key: str, value: bytes, expected_revision: int, *, ttl: int = 0) -> int:
        """Replace the key if its mod_revision is ``expected_revision`` (0: any); the new revision.
        ``Conflict`` (carrying the current version) otherwise, ``NotFound`` if absent. The key's expiry
        becomes ``ttl`` seconds from now, or none without it (as an etcd put with or without a lease)."""

    async def delete(self, key: str, expected_revision: int = 0) -> tuple[int, KeyValue]:
        """Delete the key (if its mod_revision is ``expected_revision``, unless 0); the new revision and
        the version deleted. ``Conflict`` or ``NotFound`` as for ``update``."""

    async def watch(self, prefix: str, from_revision: int) -> Watch:
        """Start a watch of the changes under ``prefix`` strictly after ``from_revision``, in revision order.
        ``Compacted`` at once if ``from_revision`` is below the compacted revision."""

    async def compact(self, revision: int) -> None:
        """Forget history before ``revision``: reads and watches below it fail with ``Compacted``.
        Compacting at or below the current compacted revision does nothing."""

    async def snapshot(self, path: str) -> int:
        """Write a consistent backup of the whole store to the new file ``path``; its size in bytes."""

    async def db_size(self) -> int:
        """Bytes the backend's database takes (kube-apiserver's apiserver_storage_size_bytes)."""

    async def close(self) -> None:
        """Release everything; open watches end."""
