"""etcd v3's JSON encoding (the gRPC gateway at ``/v3/``): base64 keys and values, int64s as strings,
zero values left out, and errors as ``{"error", "code", "message"}`` bodies. Pure functions, no I/O."""

from __future__ import annotations

import base64

from rktnetes.store import errors
from rktnetes.store.protocol import DELETE, PUT, Event, KeyValue

_COMPACTED = "required revision has been compacted"
_FUTURE = "required revision is a future revision"


def b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


def kv(wire: dict) -> KeyValue:
    """A ``KeyValue`` from an etcd ``mvccpb.KeyValue``."""
    return KeyValue(unb64(wire.get("key")).decode(), unb64(wire.get("value")),
                    int(wire.get("create_revision", 0)), int(wire.get("mod_revision", 0)))


def event(wire: dict) -> Event:
    """An ``Event`` from an etcd ``mvccpb.Event`` watched with ``prev_kv``."""
    prev = kv(wire["prev_kv"]) if wire.get("prev_kv") else None
    if wire.get("type") == DELETE:
        return Event(DELETE, kv(wire["kv"]), prev)
    current = kv(wire["kv"])
    return Event(PUT, current, None if current.create_revision == current.mod_revision else prev)


def revision(response: dict) -> int:
    """The store revision in a response's header."""
    return int(response.get("header", {}).get("revision", 0))


def error(status: int, body: dict, requested: int = 0) -> errors.StoreError:
    """The store error an etcd error body stands for."""
    message = str(body.get("error") or body.get("message") or body)
    if _COMPACTED in message:
        return errors.Compacted(requested, 0)
    if _FUTURE in message:
        return errors.FutureRevision(requested, 0)
    return errors.Unavailable(f"etcd answered {status}: {message}")


def range_request(key: str, range_end: str | None, *, revision: int = 0, limit: int = 0, **extra: object) -> dict:
    """A ``RangeRequest`` body; ``range_end`` None means the single key, "" means every key from ``key`` on."""
    body: dict = {"key": b64(key or "\x00"), **extra}
    if range_end is not None:
        body["range_end"] = b64(range_end or "\x00")
    if revision:
        body["revision"] = revision
    if limit:
        body["limit"] = limit
    return body


def txn(key: str, compare: dict, success: dict) -> dict:
    """A transaction on one key: if ``compare`` holds do ``success``, else read the key."""
    return {"compare": [{"key": b64(key), **compare}], "success": [success],
            "failure": [{"request_range": {"key": b64(key)}}]}


def mod_is(expected: int) -> dict:
    """The compare for "the key exists and its mod_revision is ``expected`` (0: any)"."""
    if expected:
        return {"target": "MOD", "result": "EQUAL", "mod_revision": expected}
    return {"target": "CREATE", "result": "GREATER", "create_revision": 0}


def failure_kv(response: dict) -> KeyValue | None:
    """The key as read by a failed ``txn``'s failure branch."""
    kvs = response["responses"][0]["response_range"].get("kvs") or []
    return kv(kvs[0]) if kvs else None
