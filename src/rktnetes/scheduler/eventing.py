"""Scheduled/FailedScheduling Events written by one background writer, so they never compete with binds.

Writing an Event costs the API server about what a Binding does; a task per event (as ``EventRecorder.emit``
makes) lets a burst of a thousand placements put a thousand Event POSTs in flight beside the binds. Here they
wait in a bounded queue, written one at a time in order; when more than ``limit`` wait, the newest are dropped
(as client-go's broadcaster drops when its channel is full): events are best effort, placements are not.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rktnetes.client import recording

log = logging.getLogger(__name__)
Obj = dict[str, Any]


class EventSink:
    def __init__(self, recorder: recording.EventRecorder, limit: int = 10_000) -> None:
        self.recorder, self.limit = recorder, limit
        self._pending: asyncio.Queue[tuple[Obj, str, str, str]] = asyncio.Queue()
        self._writer: asyncio.Task | None = None
        self.dropped = 0

    def emit(self, obj: Obj, type_: str, reason: str, message: str) -> None:
        """Queue an Event about a pod (a list's items carry no kind: the reference needs one)."""
        obj = {**obj, "kind": obj.get("kind") or "Pod", "apiVersion": obj.get("apiVersion") or "v1"}
        if self._pending.qsize() >= self.limit:
            self.dropped += 1
            return
        self._pending.put_nowait((obj, type_, reason, message))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while not self._pending.empty():
            obj, type_, reason, message = self._pending.get_nowait()
            await self.recorder.event(obj, type_, reason, message)

    async def aclose(self) -> None:
        """Write what is still pending."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
