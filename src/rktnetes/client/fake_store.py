"""The fake API's state: objects, the history of writes, and watches replaying that history.

``FakeStore`` keeps objects by resource and key and appends every write, with its revision, to a history list.
A ``FakeWatch`` reads that list by position and parks on a future the store resolves at its next write, so it
never misses or repeats an event; selections follow the API server's rule that an object leaving a label or
field selection is seen as DELETED and one entering it as ADDED.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rktnetes.api import errors as api_errors
from rktnetes.api import selectors
from rktnetes.api.resources import Resource
from rktnetes.client import errors
from rktnetes.client.caching import key_of

Obj = dict[str, Any]


@dataclass(frozen=True)
class Event:
    revision: int
    resource: str
    type: str
    obj: Obj
    prev: Obj | None


def client_error(exc: api_errors.APIError) -> errors.APIStatusError:
    """The client exception the real server's answer for ``exc`` would raise."""
    return errors.from_status(exc.code, exc.status())


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Raise the object model's errors as the client's."""
    try:
        yield
    except api_errors.APIError as exc:
        raise client_error(exc) from None


def select(resource: Resource, namespace: str | None, label_selector: str | None, field_selector: str | None,
           objects: list[Obj]) -> list[Obj]:
    """The objects in ``namespace`` (None: all) matching both selectors; a bad selector is BadRequest."""
    with translated():
        labels = selectors.parse_labels(label_selector)
        fields = selectors.parse_fields(field_selector, resource)
    return [o for o in objects if (not namespace or o["metadata"].get("namespace") == namespace)
            and selectors.matches_labels(labels, o) and selectors.matches_fields(fields, o)]


def bound_node(pod: Obj, binding: Obj) -> str:
    """The node a ``Binding`` assigns ``pod`` to; a pod already bound elsewhere is a Conflict (as the server)."""
    node = (binding.get("target") or {}).get("name")
    if not node:
        raise api_errors.bad_request("a Binding needs target.name")
    current = (pod.get("spec") or {}).get("nodeName")
    if current:
        raise api_errors.APIError(409, "Conflict", f'Operation cannot be fulfilled on pods/binding '
                                  f'"{pod["metadata"]["name"]}": pod {pod["metadata"]["name"]} is already '
                                  f'assigned to node "{current}"')
    return node


@dataclass(frozen=True)
class Selection:
    resource: Resource
    namespace: str | None
    labels: str | None
    fields: str | None

    def matches(self, obj: Obj | None) -> bool:
        return obj is not None and bool(select(self.resource, self.namespace, self.labels, self.fields, [obj]))

    def translate(self, event: Event) -> tuple[str, Obj] | None:
        if event.resource != self.resource.qualified:
            return None
        now, was = self.matches(event.obj), self.matches(event.prev)
        if event.type == "DELETED":
            return ("DELETED", copy.deepcopy(event.obj)) if was or now else None
        if now:
            return ("MODIFIED" if was else "ADDED"), copy.deepcopy(event.obj)
        return ("DELETED", copy.deepcopy(event.obj)) if was else None


class FakeStore:
    """Objects by (resource, key), every write in order, and the watches waiting for the next one."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], Obj] = {}
        self.history: list[Event] = []
        self.revision, self.compacted = 0, 0
        self._waiters: list[asyncio.Future] = []

    def stored(self, resource: Resource, namespace: str | None, name: str) -> Obj:
        """The stored object (not a copy); NotFound when there is none."""
        found = self.objects.get((resource.qualified, f"{namespace}/{name}" if namespace else name))
        if found is None:
            raise client_error(api_errors.not_found(resource, name))
        return found

    def exists(self, resource: Resource, namespace: str | None, name: str) -> bool:
        return (resource.qualified, f"{namespace}/{name}" if namespace else name) in self.objects

    def of(self, resource: Resource) -> list[Obj]:
        """Every stored object of ``resource``, in key order (not copies)."""
        return [o for (q, _), o in sorted(self.objects.items()) if q == resource.qualified]

    def write(self, resource: Resource, kind: str, obj: Obj, prev: Obj | None) -> Obj:
        """Store (or, for DELETED, drop) ``obj`` at the next revision; returns a copy of it."""
        self.revision += 1
        key = (resource.qualified, key_of(obj))
        if kind == "DELETED":
            self.objects.pop(key, None)
        else:
            obj["metadata"]["resourceVersion"] = str(self.revision)
            self.objects[key] = obj
        self.history.append(Event(self.revision, resource.qualified, kind, obj, prev))
        for waiter in self._waiters:
            waiter.done() or waiter.set_result(None)
        self._waiters.clear()
        return copy.deepcopy(obj)

    async def next_write(self) -> None:
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        await future


class FakeWatch:
    """``async with api.watch(...) as w: async for kind, obj in w`` on a ``FakeClient``."""

    def __init__(self, store: FakeStore, selection: Selection, since: int) -> None:
        self.store, self.selection = store, selection
        self.resource_version = str(since)
        self._position = next((i for i, e in enumerate(store.history) if e.revision > since), len(store.history))

    async def __aenter__(self) -> FakeWatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    def __aiter__(self) -> FakeWatch:
        return self

    async def __anext__(self) -> tuple[str, Obj]:
        while True:
            history = self.store.history
            while self._position < len(history):
                event = history[self._position]
                self._position += 1
                self.resource_version = str(event.revision)
                if (out := self.selection.translate(event)) is not None:
                    return out
            await self.store.next_write()
