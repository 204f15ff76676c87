"""Pure parts of the store: key ranges, URL dispatch, etcd's JSON encoding and error mapping."""

from __future__ import annotations

import pytest

from rktnetes import store
from rktnetes.store import errors, etcd_wire, keys
from rktnetes.store.protocol import DELETE, PUT, Event, KeyValue


def test_prefix_end_bounds_exactly_the_prefix() -> None:
    assert keys.prefix_end("/registry/pods/") == "/registry/pods0"
    assert keys.prefix_end("") is None
    end = keys.prefix_end("/a")
    assert "/a" < "/a/zzz" < end <= "/b"


def test_list_start_continues_just_after_the_last_key() -> None:
    assert keys.list_start("/p/", "") == "/p/"
    assert keys.list_start("/p/", "/p/b") == "/p/b\x00"
    assert keys.list_start("/p/", "/a") == "/p/"  # a continue key before the prefix cannot widen the list


@pytest.mark.parametrize("key", ["", "a\x00b", "lone\udc80surrogate"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(errors.InvalidKey):
        keys.check_key(key)


@pytest.mark.parametrize("url", ["etcd://", "etcd://host", "etcd://host:99999", "etcd://h:1/prefix"])
async def test_bad_etcd_urls(url: str) -> None:
    with pytest.raises(errors.InvalidURL):
        await store.open_store(url)


async def test_etcd_unreachable_is_unavailable() -> None:
    with pytest.raises(errors.Unavailable):
        await store.open_store("etcd://127.0.0.1:1")


async def test_backends_register_by_scheme() -> None:
    seen = []

    async def opener(parts):
        seen.append(parts.netloc)
        return "a store"

    store.register("test-scheme", opener)
    assert await store.open_store("test-scheme://here") == "a store" and seen == ["here"]


def test_etcd_events_decode_like_ours() -> None:
    kv = {"key": etcd_wire.b64("/k"), "create_revision": "2", "mod_revision": "5", "value": etcd_wire.b64("v")}
    prev = {**kv, "mod_revision": "4"}
    assert etcd_wire.event({"kv": kv, "prev_kv": prev}) == Event(
        PUT, KeyValue("/k", b"v", 2, 5), KeyValue("/k", b"v", 2, 4))
    created = {**kv, "mod_revision": "2"}
    assert etcd_wire.event({"kv": created}).prev_kv is None
    deleted = etcd_wire.event({"type": "DELETE", "kv": {"key": etcd_wire.b64("/k"), "mod_revision": "6"},
                               "prev_kv": kv})
    assert deleted == Event(DELETE, KeyValue("/k", b"", 0, 6), KeyValue("/k", b"v", 2, 5))


def test_etcd_errors_map_to_sentinels() -> None:
    compacted = {"error": "etcdserver: mvcc: required revision has been compacted", "code": 11}
    assert isinstance(etcd_wire.error(400, compacted, 3), errors.Compacted)
    future = {"error": "etcdserver: mvcc: required revision is a future revision", "code": 11}
    assert isinstance(etcd_wire.error(400, future, 30), errors.FutureRevision)
    assert isinstance(etcd_wire.error(503, {"error": "etcdserver: request timed out"}), errors.Unavailable)
