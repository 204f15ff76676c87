"""Waiting for one object to reach a condition (a node Ready, a pod Running, a namespace gone), by watching it.

GET first (the condition may hold already), then WATCH that one object by ``metadata.name`` from the GET's
resourceVersion, so no change between the two is missed; a watch that ends or expires starts over from a new
GET. The deadline runs on the injected clock: the watching task races a clock sleep, and loses to it cleanly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rktnetes.client import errors, interface
from rktnetes.client.clock import Clock, LoopClock
from rktnetes.client.urls import ResourceRef

Obj = dict[str, Any]
Condition = Callable[[Obj | None], bool]


async def _current(client: interface.Api, resource: ResourceRef, name: str, namespace: str | None,
                   ) -> tuple[Obj | None, str]:
    try:
        obj = await client.get(resource, name, namespace)
        return obj, obj["metadata"]["resourceVersion"]
    except errors.NotFound:
        listed = await client.list(resource, namespace, field_selector=f"metadata.name={name}")
        return None, listed["metadata"]["resourceVersion"]


async def _watch_until(client: interface.Api, resource: ResourceRef, name: str, namespace: str | None,
                       condition: Condition) -> Obj | None:
    while True:
        obj, version = await _current(client, resource, name, namespace)
        if condition(obj):
            return obj
        try:
            async with client.watch(resource, namespace, resource_version=version, timeout_seconds=60,
                                    field_selector=f"metadata.name={name}") as events:
                async for kind, obj in events:
                    current = None if kind == "DELETED" else obj
                    if kind != "BOOKMARK" and condition(current):
                        return current
        except errors.Expired:
            continue


async def wait_for(client: interface.Api, resource: ResourceRef, name: str, condition: Condition,
                   namespace: str | None = None, timeout: float = 60.0, clock: Clock | None = None) -> Obj | None:
    """The object once ``condition(obj)`` holds (``obj`` is None while it does not exist); ``errors.WaitTimeout``
    after ``timeout`` seconds of ``clock``."""
    clock = clock or LoopClock()
    watcher = asyncio.ensure_future(_watch_until(client, resource, name, namespace, condition))
    deadline = asyncio.ensure_future(clock.sleep(timeout))
    try:
        await asyncio.wait({watcher, deadline}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (watcher, deadline):
            task.cancel()
        await asyncio.gather(watcher, deadline, return_exceptions=True)
    if watcher.done() and not watcher.cancelled() and watcher.exception() is None:
        return watcher.result()
    if watcher.done() and not watcher.cancelled():
        raise watcher.exception()
    raise errors.WaitTimeout(f"{resource} {name}: condition not met within {timeout:g}s")


def deleted(obj: Obj | None) -> bool:
    """A condition: the object is gone."""
    return obj is None
