"""WATCH: a chunked stream of JSON events, one per line, from one store watch per request.

Each request owns its store watch and one task (the aiohttp handler), so a slow client only slows itself: the
store bounds each watch's memory. The handler waits for the next event with a deadline, which drives both
``timeoutSeconds`` and periodic BOOKMARKs, and closes the store watch on every way out (end, error, disconnect).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from aiohttp import web

from rktnetes.api import conversion, errors, tables
from rktnetes.api.resources import Resource
from rktnetes.apiserver import listing
from rktnetes.apiserver.encoding import decode as decode_stored
from rktnetes.apiserver.encoding import splice
from rktnetes.apiserver.negotiation import Target
from rktnetes.apiserver.registry import Registry
from rktnetes.store import errors as store_errors
from rktnetes.store.protocol import DELETE, Event

Obj = dict[str, Any]
DEFAULT_TIMEOUT = 1800
ACTIVE = "active_watches"  # app key: the handler tasks of open watches


class Stream:
    """One watch response: renders events (plain objects or Table rows) and writes them as JSON lines."""

    def __init__(self, response: web.StreamResponse, target: Target, as_: str | None, include: str) -> None:
        self.response, self.target, self.as_, self.include = response, target, as_, include
        self.headers_sent = False
        self.revision = 0

    async def send(self, kind: str, obj: Obj | bytes) -> None:
        if isinstance(obj, bytes):  # stored JSON with its resourceVersion: sent as is
            await self.response.write(b'{"type":"%s","object":%s}\n' % (kind.encode(), obj))
            return
        if self.as_ == "Table" and kind in ("ADDED", "MODIFIED", "DELETED"):
            obj = tables.table(self.target.resource, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]},
                               include=self.include, headers=not self.headers_sent)
            self.headers_sent = True
        elif self.as_ == "PartialObjectMetadata" and kind != "ERROR":
            obj = tables.partial_metadata(obj)
        await self.response.write(orjson.dumps({"type": kind, "object": obj}) + b"\n")

    async def bookmark(self, initial_end: bool = False) -> None:
        resource = self.target.resource
        metadata: Obj = {"resourceVersion": str(self.revision)}
        if initial_end:
            metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
        await self.send("BOOKMARK", {"kind": resource.kind, "apiVersion": resource.group_version,
                                     "metadata": metadata})


def _raw(event: Event) -> tuple[str, bytes] | None:
    if event.type == DELETE:
        return ("DELETED", splice(event.prev_kv.value, event.revision)) if event.prev_kv else None
    return ("ADDED" if event.prev_kv is None else "MODIFIED"), splice(event.kv.value, event.revision)


def translate(event: Event, query: listing.Query, raw: bool = False,
              resource: Resource | None = None) -> tuple[str, Obj | bytes] | None:
    """The watch event a store change becomes for this query, or None when it is filtered out. ``raw`` (only
    for unfiltered plain watches) keeps the stored bytes instead of parsing them; ``resource`` (a view such as
    events.k8s.io) converts what was stored."""
    if raw:
        return _raw(event)

    def decode(kv, revision=None):
        obj = decode_stored(kv, revision)
        return conversion.from_storage(obj, resource) if resource is not None else obj

    if event.type == DELETE:
        old = decode(event.prev_kv, event.revision) if event.prev_kv else None
        return ("DELETED", old) if old is not None and query.matches(old) else None
    new = decode(event.kv)
    if not query.labels and not query.fields:
        return ("ADDED" if event.prev_kv is None else "MODIFIED"), new
    was = event.prev_kv is not None and query.matches(decode(event.prev_kv))
    now = query.matches(new)
    if now:
        return ("MODIFIED" if was else "ADDED"), new
    return ("DELETED", new) if was else None


def _options(request: web.Request) -> tuple[float, bool, bool]:
    try:
        timeout = float(request.query.get("timeoutSeconds") or DEFAULT_TIMEOUT)
    except ValueError:
        raise errors.bad_request("invalid timeoutSeconds") from None
    bookmarks = request.query.get("allowWatchBookmarks") in ("true", "1")
    return timeout, bookmarks, request.query.get("sendInitialEvents") == "true"


async def _initial(registry: Registry, target: Target, query: listing.Query, send_initial: bool,
                   raw: bool) -> tuple[list, int]:
    """Objects to replay as ADDED (for resourceVersion unset or 0, or sendInitialEvents) and the start revision."""
    if query.resource_version not in ("", "0") and not send_initial:
        try:
            return [], int(query.resource_version)
        except ValueError:
            raise errors.bad_request(f"invalid resource version: {query.resource_version}") from None
    query = listing.Query(query.labels, query.fields, 0, "", "", "")
    items, meta = await listing.collect(registry, target.resource, target.namespace, query, raw=raw)
    return items, int(meta["resourceVersion"])


async def serve(request: web.Request, registry: Registry, target: Target, query: listing.Query,
                as_: str | None, bookmark_interval: float) -> web.StreamResponse:
    timeout, bookmarks, send_initial = _options(request)
    raw = as_ is None and not query.labels and not query.fields and not conversion.is_view(target.resource)
    initial, start = await _initial(registry, target, query, send_initial, raw)
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    stream = Stream(response, target, as_, request.query.get("includeObject", "Metadata"))
    stream.revision = start
    try:
        watch = await registry.watch(target.resource, target.namespace, start)
    except store_errors.Compacted as exc:
        await stream.send("ERROR", _too_old(start, exc).status())
        return response
    active = request.app[ACTIVE]
    active.add(asyncio.current_task())
    try:
        async with watch:
            for obj in initial:
                await stream.send("ADDED", obj)
            if send_initial and bookmarks:
                await stream.bookmark(initial_end=True)
            await _pump(watch, stream, query, time.monotonic() + timeout, bookmark_interval if bookmarks else None,
                        raw)
    finally:
        active.discard(asyncio.current_task())
    return response


async def end_all(app: web.Application) -> None:
    """At shutdown: end every open watch now (clients re-watch from their last resourceVersion)."""
    for task in list(app[ACTIVE]):
        task.cancel()


def _too_old(start: int, exc: store_errors.Compacted) -> errors.APIError:
    return errors.expired(f"too old resource version: {start} ({exc.compact_revision})")


async def _pump(watch, stream: Stream, query: listing.Query, deadline: float, interval: float | None,
                raw: bool) -> None:
    events = watch.__aiter__()
    while (left := deadline - time.monotonic()) > 0:
        try:
            async with asyncio.timeout(min(left, interval or left)):  # no task per event, as wait_for makes
                event = await anext(events)
        except TimeoutError:
            if interval and deadline - time.monotonic() > 0:
                await stream.bookmark()
            continue
        except StopAsyncIteration:
            return
        except store_errors.Compacted as exc:
            await stream.send("ERROR", _too_old(stream.revision, exc).status())
            return
        stream.revision = event.revision
        if (out := translate(event, query, raw, stream.target.resource)) is not None:
            await stream.send(*out)
