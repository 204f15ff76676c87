"""Events about objects (``kubectl describe`` shows them), as controllers, the scheduler and kubelets report.

Recording is best effort, as in client-go: a failure to write an event is logged, never raised into the caller's
reconcile. Repeats of the same event (same object, type, reason and message) are folded into one Event whose
``count`` and ``lastTimestamp`` move on, so a crash-looping pod does not flood the store. ``emit()`` is for
synchronous code (informer handlers): it schedules the write as a task, and ``aclose()`` waits for those.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from typing import Any

from rktnetes.api import meta
from rktnetes.client import errors, interface

log = logging.getLogger(__name__)
Obj = dict[str, Any]
NORMAL, WARNING = "Normal", "Warning"
_REMEMBERED = 4096


def involved(obj: Obj) -> Obj:
    """The ``involvedObject`` reference to ``obj``."""
    m = obj.get("metadata") or {}
    ref = {"kind": obj.get("kind"), "apiVersion": obj.get("apiVersion"), "name": m.get("name"),
           "namespace": m.get("namespace"), "uid": m.get("uid"), "resourceVersion": m.get("resourceVersion")}
    return {k: v for k, v in ref.items() if v}


class EventRecorder:
    def __init__(self, client: interface.Api, component: str, host: str = "") -> None:
        self.client, self.component, self.host = client, component, host
        self._seen: OrderedDict[tuple, tuple[str, str, int]] = OrderedDict()
        self._tasks: set[asyncio.Task] = set()

    def _new(self, obj: Obj, type_: str, reason: str, message: str) -> Obj:
        ref, now = involved(obj), meta.now()
        source = {"component": self.component, **({"host": self.host} if self.host else {})}
        return {"apiVersion": "v1", "kind": "Event", "type": type_, "reason": reason, "message": message,
                "metadata": {"name": f"{ref.get('name', 'unknown')}.{uuid.uuid4().hex[:16]}",
                             "namespace": ref.get("namespace") or "default"},
                "involvedObject": ref, "source": source, "count": 1, "firstTimestamp": now, "lastTimestamp": now,
                "reportingComponent": self.component, "reportingInstance": self.host}

    async def event(self, obj: Obj, type_: str, reason: str, message: str) -> Obj | None:
        """Record one event about ``obj``; returns the Event written, or None if it could not be."""
        ref = involved(obj)
        key = (ref.get("uid") or ref.get("name"), ref.get("namespace"), type_, reason, message)
        try:
            written = await self._write(key, obj, type_, reason, message)
        except errors.ClientError as exc:
            log.warning("could not record event %s %s on %s: %s", type_, reason, ref.get("name"), exc)
            return None
        self._remember(key, written)
        return written

    async def _write(self, key: tuple, obj: Obj, type_: str, reason: str, message: str) -> Obj:
        seen = self._seen.get(key)
        if seen is not None:
            namespace, name, count = seen
            patch = {"count": count + 1, "lastTimestamp": meta.now()}
            try:
                return await self.client.patch("events", name, patch, "merge", namespace)
            except errors.NotFound:
                self._seen.pop(key, None)
        event = self._new(obj, type_, reason, message)
        return await self.client.create("events", event, event["metadata"]["namespace"])

    def _remember(self, key: tuple, event: Obj) -> None:
        self._seen[key] = (event["metadata"]["namespace"], event["metadata"]["name"], int(event.get("count") or 1))
        self._seen.move_to_end(key)
        while len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)

    def emit(self, obj: Obj, type_: str, reason: str, message: str) -> None:
        """``event()`` from synchronous code: written in the background."""
        task = asyncio.get_running_loop().create_task(self.event(obj, type_, reason, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Wait for the events still being written."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
