"""The informer's cache: objects by ``namespace/name`` key, plus named secondary indexes.

The cache hands out the very dicts it holds — copying every object on every read would cost controllers more
than everything else they do. The rule is client-go's: **never mutate an object obtained from the cache**
(``get``, ``list``, ``by_index``, or an event handler's argument); take ``mutable(obj)`` (a deep copy) first.
An informer replaces whole objects, never edits them, so a reference a caller holds stays a consistent snapshot.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from rktnetes.api import selectors
from rktnetes.client import errors

log = logging.getLogger(__name__)
MUTATION_DETECTOR_ENV = "RKTNETES_CACHE_MUTATION_DETECTOR"

Obj = dict[str, Any]
IndexFunc = Callable[[Obj], Iterable[str]]
NAMESPACE = "namespace"


def key_of(obj: Obj) -> str:
    """``namespace/name``, or ``name`` for cluster-scoped objects: the key queues and caches use."""
    meta = obj.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name") or ""
    return f"{namespace}/{name}" if namespace else name


def split_key(key: str) -> tuple[str | None, str]:
    """``(namespace, name)`` of a key (namespace None for cluster-scoped)."""
    namespace, sep, name = key.partition("/")
    return (namespace, name) if sep else (None, key)


def mutable(obj: Obj) -> Obj:
    """A deep copy of a cached object, the only kind a caller may change."""
    return copy.deepcopy(obj)


def by_namespace(obj: Obj) -> list[str]:
    namespace = (obj.get("metadata") or {}).get("namespace")
    return [namespace] if namespace else []


def by_field(path: str) -> IndexFunc:
    """An index on one dotted field, e.g. ``by_field("spec.nodeName")`` (objects without it are not indexed)."""
    parts = path.split(".")

    def index(obj: Obj) -> list[str]:
        value: Any = obj
        for part in parts:
            value = value.get(part) if isinstance(value, dict) else None
        return [str(value)] if value not in (None, "") else []

    return index


def by_owner_uid(obj: Obj) -> list[str]:
    """The uids of an object's ownerReferences (a controller finds its children with it)."""
    return [str(ref["uid"]) for ref in (obj.get("metadata") or {}).get("ownerReferences") or [] if ref.get("uid")]


class Cache:
    """Objects by key with always-consistent indexes; ``namespace`` is indexed from the start.

    With ``detect_mutations`` (default: ``$RKTNETES_CACHE_MUTATION_DETECTOR=1``, as client-go's
    ``KUBE_CACHE_MUTATION_DETECTOR``) the cache keeps a private copy of each object, notes any object found
    changed when it is replaced or removed, and ``verify()`` raises ``errors.CacheMutated`` naming them."""

    def __init__(self, indexers: dict[str, IndexFunc] | None = None, detect_mutations: bool | None = None) -> None:
        if detect_mutations is None:
            detect_mutations = os.environ.get(MUTATION_DETECTOR_ENV) == "1"
        self._pristine: dict[str, Obj] | None = {} if detect_mutations else None
        self.mutated: set[str] = set()
        self._items: dict[str, Obj] = {}
        self._indexers: dict[str, IndexFunc] = {NAMESPACE: by_namespace, **(indexers or {})}
        self._indexes: dict[str, dict[str, set[str]]] = {name: {} for name in self._indexers}

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def get(self, key: str) -> Obj | None:
        """The cached object (do not mutate it), or None."""
        return self._items.get(key)

    def list_keys(self) -> list[str]:
        return list(self._items)

    def list(self, namespace: str | None = None) -> list[Obj]:
        """Every cached object, or those of one namespace (do not mutate them)."""
        return self.by_index(NAMESPACE, namespace) if namespace else list(self._items.values())

    def select(self, namespace: str | None, selector: dict[str, Any] | str | None) -> list[Obj]:
        """Objects of ``namespace`` (None: all) matching a ``LabelSelector`` (matchLabels/matchExpressions) or
        a selector string (``app=x,tier!=db``). As in Kubernetes, None selects nothing and ``{}`` everything;
        a Service's plain label map is ``{"matchLabels": spec["selector"]}``."""
        if selector is None:
            return []
        if isinstance(selector, str):
            reqs = selectors.parse_labels(selector)
        else:
            reqs = selectors.from_label_selector(selector)
        return [o for o in self.list(namespace) if selectors.matches_labels(reqs, o)]

    def by_index(self, index: str, value: str) -> list[Obj]:
        """The objects whose ``index`` function yields ``value`` (do not mutate them)."""
        if index not in self._indexes:
            raise KeyError(f"no index named {index!r}")
        return [self._items[key] for key in sorted(self._indexes[index].get(value, ()))]

    def has_index(self, name: str) -> bool:
        return name in self._indexers

    def add_indexer(self, name: str, func: IndexFunc) -> None:
        """Add an index, filled from what is cached already."""
        self._indexers[name], self._indexes[name] = func, {}
        for key, obj in self._items.items():
            self._index(name, key, obj)

    def upsert(self, obj: Obj) -> Obj | None:
        """Store ``obj`` under its key; returns the object it replaced."""
        key = key_of(obj)
        old = self._items.get(key)
        if old is not None:
            self._check(key, old)
            self._unindex(key, old)
        self._items[key] = obj
        if self._pristine is not None:
            self._pristine[key] = copy.deepcopy(obj)
        for name in self._indexers:
            self._index(name, key, obj)
        return old

    def remove(self, key: str) -> Obj | None:
        """Drop ``key``; returns the object it held."""
        old = self._items.pop(key, None)
        if old is not None:
            self._check(key, old)
            self._unindex(key, old)
            if self._pristine is not None:
                self._pristine.pop(key, None)
        return old

    def _check(self, key: str, obj: Obj) -> None:
        if self._pristine is not None and self._pristine.get(key) != obj:
            log.error("cached object %s was mutated by its reader", key)
            self.mutated.add(key)

    def verify(self) -> None:
        """Raise ``errors.CacheMutated`` if any cached object was changed by a reader (mutation detection only)."""
        if self._pristine is not None:
            for key, obj in self._items.items():
                self._check(key, obj)
        if self.mutated:
            keys = ", ".join(sorted(self.mutated))
            raise errors.CacheMutated(f"cached objects were mutated: {keys}; copy them first (caching.mutable)")

    def _index(self, name: str, key: str, obj: Obj) -> None:
        for value in self._indexers[name](obj):
            self._indexes[name].setdefault(value, set()).add(key)

    def _unindex(self, key: str, obj: Obj) -> None:
        for name, func in self._indexers.items():
            index = self._indexes[name]
            for value in func(obj):
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]
