"""The OpenAPI documents of the served resources: ``/openapi/v3`` (discovery + one per group-version), ``/openapi/v2``.

Generated from the resource table and ``schema``, once per process (the table is immutable). kubectl reads
the v3 documents to explain kinds and to learn that PATCH (so the server) understands ``fieldValidation``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from typing import Any

import orjson

from rktnetes.api import openapischemas as schemas
from rktnetes.api import schema
from rktnetes.api.openapipaths import paths_for
from rktnetes.api.resources import Resource

V3_PREFIX = "#/components/schemas/"
V2_PREFIX = "#/definitions/"
_INFO = {"title": "Kubernetes", "version": "v1.32.0"}


def gv_path(group: str, version: str) -> str:
    """``api/v1`` or ``apis/apps/v1``: the key of a group-version in ``/openapi/v3``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def v3_paths(table: Sequence[Resource]) -> dict[str, Any]:
    """The ``/openapi/v3`` discovery document: each group-version's URL, with a content hash kubectl caches by."""
    return _v3_paths(tuple(table))


@functools.cache
def _v3_paths(table: tuple[Resource, ...]) -> dict[str, Any]:
    out = {}
    for group, version in _group_versions(table):
        digest = hashlib.sha512(v3_bytes(table, group, version)).hexdigest().upper()
        out[gv_path(group, version)] = {"serverRelativeURL": f"/openapi/v3/{gv_path(group, version)}?hash={digest}"}
    return {"paths": out}


@functools.cache
def v3_bytes(table: tuple[Resource, ...], group: str, version: str) -> bytes:
    return orjson.dumps(v3_document(table, group, version))


@functools.cache
def v3_document(table: tuple[Resource, ...], group: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document of one group-version; ``KeyError`` when it is not served."""
    served = tuple(r for r in table if (r.group, r.version) == (group, version))
    if not served:
        raise KeyError(gv_path(group, version))
    return {"openapi": "3.0.0", "info": _INFO,
            "paths": {p: item for r in served for p, item in paths_for(r, V3_PREFIX, v3=True).items()},
            "components": {"schemas": _definitions(served, V3_PREFIX)}}


@functools.cache
def v2_document(table: tuple[Resource, ...]) -> dict[str, Any]:
    """The Swagger 2.0 document of everything served."""
    return {"swagger": "2.0", "info": _INFO,
            "paths": {p: item for r in table for p, item in paths_for(r, V2_PREFIX, v3=False).items()},
            "definitions": _definitions(table, V2_PREFIX)}


def find_kind(document: dict[str, Any], group: str, version: str, kind: str) -> str | None:
    """The name of the schema carrying this group-version-kind, as kubectl looks it up."""
    found = document.get("components", {}).get("schemas") or document.get("definitions", {})
    wanted = {"group": group, "version": version, "kind": kind}
    return next((n for n, s in found.items() if wanted in s.get("x-kubernetes-group-version-kind", [])), None)


def _group_versions(table: tuple[Resource, ...]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((r.group, r.version) for r in table))


def _definitions(served: Sequence[Resource], prefix: str) -> dict[str, Any]:
    kinds = {r.model: _gvk(r, r.kind) for r in served}
    if any("scale" in r.subresources for r in served):
        kinds["V1Scale"] = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    roots = list(kinds) + ["V1Status", "V1DeleteOptions"]
    out = {name: spec for name, spec in schemas.SPECIALS.items()}
    for name in schema.reachable(roots):
        out[schema.model(name).openapi_name] = schemas.model_schema(name, prefix, kinds.get(name))
    for r in served:
        name = schema.model(r.model).openapi_name
        out[name + "List"] = schemas.list_schema(name, prefix, _gvk(r, r.list_kind))
    return dict(sorted(out.items()))


def _gvk(r: Resource, kind: str) -> dict[str, str]:
    return {"group": r.group, "kind": kind, "version": r.version}
