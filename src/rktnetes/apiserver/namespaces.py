"""Namespace lifecycle: emptying a Terminating namespace, then removing its ``kubernetes`` finalizer.

kube-apiserver leaves this to the namespace controller; here the API server does it itself so that a
standalone server behaves completely. One task per terminating namespace, started by the DELETE that marked it
and, after a restart, by ``resume``; each pass deletes what is left and the task ends when nothing is.
Objects with finalizers or pods still on a node are waited for, re-checked every ``POLL`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rktnetes.api import errors, resources
from rktnetes.apiserver import deleting
from rktnetes.apiserver.objects import NAMESPACES, Objects

log = logging.getLogger(__name__)
POLL = 1.0
FINALIZER = "kubernetes"


async def _delete_all(objects: Objects, namespace: str) -> int:
    """Ask every object in ``namespace`` to go; how many are still there."""
    left = 0
    for resource in resources.TABLE:
        if not resource.namespaced:
            continue
        page = await objects.registry.list(resource, namespace)
        for obj in page.items:
            left += 1
            try:
                await deleting.delete(objects, resource, namespace, obj["metadata"]["name"], {})
            except errors.APIError as exc:
                if exc.code not in (404, 409):
                    raise
    return left


def _drop_finalizer(ns: dict[str, Any]) -> dict[str, Any]:
    spec = ns.setdefault("spec", {})
    spec["finalizers"] = [f for f in spec.get("finalizers") or [] if f != FINALIZER]
    return ns


async def finish(objects: Objects, namespace: str) -> None:
    """Empty ``namespace`` and remove its finalizer, which lets it go."""
    while await _delete_all(objects, namespace):
        await asyncio.sleep(POLL)
    try:
        await objects.modify(NAMESPACES, None, namespace, _drop_finalizer, scope="all")
    except errors.APIError as exc:
        if exc.code != 404:
            raise


class Terminator:
    """Holds the running namespace tasks so they are neither duplicated nor garbage-collected."""

    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        self.tasks: dict[str, asyncio.Task] = {}

    def start(self, namespace: str) -> None:
        if namespace in self.tasks:
            return
        task = asyncio.get_running_loop().create_task(self._run(namespace))
        self.tasks[namespace] = task

    async def _run(self, namespace: str) -> None:
        try:
            await finish(self.objects, namespace)
        except Exception:  # noqa: BLE001 - logged; the next DELETE or restart retries
            log.exception("finishing namespace %s", namespace)
        finally:
            self.tasks.pop(namespace, None)

    async def resume(self) -> None:
        page = await self.objects.registry.list(NAMESPACES, None)
        for ns in page.items:
            if ns["metadata"].get("deletionTimestamp"):
                self.start(ns["metadata"]["name"])

    async def close(self) -> None:
        for task in list(self.tasks.values()):
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
