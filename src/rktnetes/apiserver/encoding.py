"""Stored form of an object: JSON with ``kind``, ``apiVersion``, ``metadata`` first and no resourceVersion.

That fixed layout lets reads that need no inspection (an unfiltered LIST or WATCH) answer with the stored bytes,
splicing the resourceVersion in after ``"metadata":{`` instead of parsing and re-encoding every object.
"""

from __future__ import annotations

from typing import Any

import orjson

from rktnetes.store.protocol import KeyValue

Obj = dict[str, Any]
_META = b'"metadata":{'
_HEAD = ("kind", "apiVersion", "metadata")


def encode(obj: Obj) -> bytes:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    ordered: Obj = {k: obj[k] for k in ("kind", "apiVersion") if k in obj}
    ordered["metadata"] = meta
    ordered.update((k, v) for k, v in obj.items() if k not in _HEAD)
    return orjson.dumps(ordered)


def decode(kv: KeyValue, revision: int | None = None) -> Obj:
    obj = orjson.loads(kv.value)
    obj["metadata"]["resourceVersion"] = str(revision or kv.mod_revision)
    return obj


def splice(value: bytes, revision: int) -> bytes:
    """The stored JSON with ``metadata.resourceVersion`` set, without parsing it when the layout allows."""
    at = value.find(_META)
    if at < 0 or value.count(b"{", 1, at):  # not the top-level metadata: take the slow, sure way
        obj = orjson.loads(value)
        obj.setdefault("metadata", {})["resourceVersion"] = str(revision)
        return orjson.dumps(obj)
    end = at + len(_META)
    separator = b"" if value[end:end + 1] == b"}" else b","
    return b'%s"resourceVersion":"%d"%s%s' % (value[:end], revision, separator, value[end:])


def list_body(kind: str, api_version: str, list_meta: Obj, items: list[bytes]) -> bytes:
    head = b'{"kind":%s,"apiVersion":%s,"metadata":%s,"items":[' % (
        orjson.dumps(kind), orjson.dumps(api_version), orjson.dumps(list_meta))
    return head + b",".join(items) + b"]}\n"
