"""LIST: selectors, resourceVersion semantics and limit/continue pagination over a consistent snapshot.

A continue token pins the revision of the first page, so every page reads the same snapshot; selectors filter
while paging, and pages are refilled until ``limit`` matching items are found (as kube-apiserver does).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson
from multidict import MultiMapping

from rktnetes.api import errors, selectors
from rktnetes.api.resources import Resource
from rktnetes.apiserver.registry import Registry

Obj = dict[str, Any]


@dataclass
class Query:
    """The list and watch options of a request (``metav1.ListOptions``)."""

    labels: list[selectors.Requirement]
    fields: list[selectors.FieldRequirement]
    limit: int
    token: str
    resource_version: str
    match: str

    def matches(self, obj: Obj) -> bool:
        return selectors.matches_labels(self.labels, obj) and selectors.matches_fields(self.fields, obj)


def _int(params: MultiMapping[str], name: str) -> int:
    try:
        return int(params.get(name) or 0)
    except ValueError:
        raise errors.bad_request(f"invalid {name}: {params.get(name)!r}") from None


def parse_query(params: MultiMapping[str], resource: Resource) -> Query:
    match = params.get("resourceVersionMatch", "")
    if match not in ("", "Exact", "NotOlderThan"):
        raise errors.bad_request(f"resourceVersionMatch: Unsupported value: {match!r}")
    return Query(selectors.parse_labels(params.get("labelSelector")),
                 selectors.parse_fields(params.get("fieldSelector"), resource),
                 _int(params, "limit"), params.get("continue", ""), params.get("resourceVersion", ""), match)


def encode_token(revision: int, last_key: str) -> str:
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": last_key})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, str]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError):
        raise errors.bad_request("continue key is not valid: illegal base64 data at input byte 0") from None


def _start(query: Query) -> tuple[int, str]:
    if query.token:
        return decode_token(query.token)
    if query.match == "Exact":
        try:
            return int(query.resource_version), ""
        except ValueError:
            raise errors.bad_request(f"invalid resource version: {query.resource_version}") from None
    return 0, ""


CONTINUE_EXPIRED = ("The provided continue parameter is too old to display a consistent list result. You can start "
                    "a new list without the continue parameter.")


async def _page(registry: Registry, resource: Resource, namespace: str | None, query: Query, revision: int,
                limit: int, start_after: str, raw: bool):
    try:
        return await registry.list(resource, namespace, revision=revision, limit=limit, start_after=start_after,
                                   raw=raw)
    except errors.APIError as exc:
        if exc.reason == "Expired" and query.token:
            raise errors.expired(CONTINUE_EXPIRED) from None
        raise


async def collect(registry: Registry, resource: Resource, namespace: str | None, query: Query, *,
                  raw: bool = False) -> tuple[list, Obj]:
    """The matching objects and the ListMeta (resourceVersion, continue) of one page. ``raw`` (only without
    selectors) gives each object as its stored JSON bytes, resourceVersion spliced in, never parsed."""
    revision, start_after = _start(query)
    items: list = []
    while True:
        want = query.limit - len(items) if query.limit else 0
        page = await _page(registry, resource, namespace, query, revision, want, start_after, raw)
        revision, start_after = page.revision, page.last_key
        items += page.items if raw else [obj for obj in page.items if query.matches(obj)]
        if not page.more or (query.limit and len(items) >= query.limit):
            break
    list_meta: Obj = {"resourceVersion": str(revision)}
    if page.more:
        list_meta["continue"] = encode_token(revision, start_after)
    return items, list_meta


def list_object(resource: Resource, items: list[Obj], list_meta: Obj) -> Obj:
    return {"kind": resource.list_kind, "apiVersion": resource.group_version, "metadata": list_meta,
            "items": items}
