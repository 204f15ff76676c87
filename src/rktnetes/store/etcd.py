"""The etcd backend: a real etcd (3.4+) through its v3 JSON gateway, with aiohttp (no gRPC dependency).

``etcd://host:port[,host:port...][?cacert=..&cert=..&key=..]`` (see ``etcd_url`` and ``etcd_client``).
Create is a txn comparing ``create_revision == 0``; update and delete are txns comparing ``mod_revision``;
a failed compare reads the key in the same txn, so ``Conflict`` carries the key as it was at that revision.
Watches share one etcd stream (``etcd_mux``).
"""

from __future__ import annotations

import time
from urllib.parse import SplitResult

from rktnetes.store import backends, errors, etcd_mux, etcd_url, etcd_wire, expiring, keys, snapshotting
from rktnetes.store.etcd_client import EtcdClient
from rktnetes.store.etcd_mux import MuxWatch
from rktnetes.store.etcd_watch import EtcdWatch
from rktnetes.store.protocol import KeyValue, ListResult

LEASE_REUSE_FRACTION = 0.05


class EtcdStore:
    """A ``Store`` on an etcd cluster; make one with ``open_store("etcd://127.0.0.1:2379")``."""

    def __init__(self, client: EtcdClient) -> None:
        self._client = client
        self._watches: set[EtcdWatch | MuxWatch] = set()
        self._feed: etcd_mux.Feed | None = None
        self._leases: dict[int, tuple[str, float]] = {}  # ttl -> (lease ID, when granted)
        self._closed = False

    async def _call(self, path: str, body: dict, requested: int = 0) -> dict:
        return await self._client.call(path, body, requested)

    async def current_revision(self) -> int:
        return etcd_wire.revision(await self._call("/v3/kv/range", etcd_wire.range_request("\x00", None, count_only=True)))

    async def get(self, key: str) -> tuple[int, KeyValue | None]:
        data = await self._call("/v3/kv/range", etcd_wire.range_request(keys.check_key(key), None))
        kvs = data.get("kvs") or []
        return etcd_wire.revision(data), etcd_wire.kv(kvs[0]) if kvs else None

    async def list(self, prefix: str, *, revision: int = 0, limit: int = 0, start_after: str = "") -> ListResult:
        keys.check_prefix(prefix), keys.check_prefix(start_after)
        body = etcd_wire.range_request(keys.list_start(prefix, start_after), keys.prefix_end(prefix) or "",
                                       revision=revision, limit=limit)
        try:
            data = await self._call("/v3/kv/range", body, revision)
        except errors.FutureRevision:
            raise errors.FutureRevision(revision, await self.current_revision()) from None
        kvs = [etcd_wire.kv(item) for item in data.get("kvs") or []]
        return ListResult(revision or etcd_wire.revision(data), kvs, bool(data.get("more")))

    async def count(self, prefix: str) -> tuple[int, int]:
        keys.check_prefix(prefix)
        body = etcd_wire.range_request(prefix or "\x00", keys.prefix_end(prefix) or "", count_only=True)
        data = await self._call("/v3/kv/range", body)
        return etcd_wire.revision(data), int(data.get("count", 0))

    async def _put(self, key: str, value: bytes, ttl: int) -> dict:
        """A put request; with ``ttl``, attached to a fresh lease of that many seconds."""
        put = {"key": etcd_wire.b64(keys.check_key(key)), "value": etcd_wire.b64(value)}
        if ttl:
            put["lease"] = await self._lease(expiring.check_ttl(ttl))
        return {"request_put": put}

    async def _lease(self, ttl: int) -> str:
        """A lease for keys that live ``ttl`` seconds. Like kube-apiserver, writes within a short window share
        one lease, granted that much longer (a key lives ttl to ttl + 5%), so Events don't cost a lease each."""
        window = int(ttl * LEASE_REUSE_FRACTION)
        cached = self._leases.get(ttl)
        if cached and time.monotonic() - cached[1] < window:
            return cached[0]
        lease = (await self._call("/v3/lease/grant", {"TTL": ttl + window}))["ID"]
        self._leases[ttl] = (lease, time.monotonic())
        return lease

    async def create(self, key: str, value: bytes, *, ttl: int = 0) -> int:
        compare = {"target": "CREATE", "result": "EQUAL", "create_revision": 0}
        put = await self._put(key, value, ttl)
        data = await self._call("/v3/kv/txn", etcd_wire.txn(key, compare, put))
        if not data.get("succeeded"):
            raise errors.KeyExists(key, etcd_wire.revision(data))
        return etcd_wire.revision(data)

    async def _cas(self, key: str, expected: int, success: dict) -> dict:
        data = await self._call("/v3/kv/txn", etcd_wire.txn(keys.check_key(key), etcd_wire.mod_is(expected), success))
        if data.get("succeeded"):
            return data
        current = etcd_wire.failure_kv(data)
        if current is None:
            raise errors.NotFound(key, etcd_wire.revision(data))
        raise errors.Conflict(current, expected)

    async def update(self, key: str, value: bytes, expected_revision: int, *, ttl: int = 0) -> int:
        put = await self._put(key, value, ttl)
        return etcd_wire.revision(await self._cas(key, expected_revision, put))

    async def delete(self, key: str, expected_revision: int = 0) -> tuple[int, KeyValue]:
        delete = {"request_delete_range": {"key": etcd_wire.b64(keys.check_key(key)), "prev_kv": True}}
        data = await self._cas(key, expected_revision, delete)
        prev = data["responses"][0]["response_delete_range"]["prev_kvs"][0]
        return etcd_wire.revision(data), etcd_wire.kv(prev)

    async def watch(self, prefix: str, from_revision: int) -> MuxWatch | EtcdWatch:
        keys.check_prefix(prefix)
        try:  # etcd reports a compacted start revision only later, on the stream: ask first
            await self._call("/v3/kv/range", etcd_wire.range_request(
                "\x00", None, revision=from_revision, count_only=True), from_revision)
        except errors.FutureRevision:
            pass
        feed = await self._feed_alive()
        if from_revision < feed.floor:
            return await self._stream(prefix, from_revision)
        watch = MuxWatch(feed, prefix, from_revision, self._stream, lambda: self._closed)
        self._watches = {w for w in self._watches if not w.closed}
        self._watches.add(watch)
        return watch

    async def _stream(self, prefix: str, after: int) -> EtcdWatch:
        """A dedicated etcd watch stream."""
        if self._closed:
            raise errors.Unavailable("store is closed")
        watch = await self._client.stream(prefix, after)
        self._watches = {w for w in self._watches if not w.closed}
        self._watches.add(watch)
        return watch

    async def _feed_alive(self) -> etcd_mux.Feed:
        if self._feed is None or not self._feed.alive:
            floor = await self.current_revision()
            self._feed = etcd_mux.Feed(await self._stream("", floor), floor)
        return self._feed

    async def compact(self, revision: int) -> None:
        try:
            await self._call("/v3/kv/compaction", {"revision": revision, "physical": True}, revision)
        except errors.Compacted:
            pass  # already compacted at or past it

    async def snapshot(self, path: str) -> int:
        partial = snapshotting.check_destination(path)
        try:
            await self._client.download("/v3/maintenance/snapshot", partial)
        except BaseException:
            snapshotting.discard(path)
            raise
        return snapshotting.publish(path)

    async def db_size(self) -> int:
        return int((await self._call("/v3/maintenance/status", {})).get("dbSize", 0))

    async def close(self) -> None:
        self._closed = True
        if self._feed is not None:
            await self._feed.close()
        for watch in list(self._watches):
            await watch.aclose()
        await self._client.close()


async def open_etcd(parts: SplitResult) -> EtcdStore:
    """Connect to the etcd an ``etcd://host:port[,host:port][?cacert=..]`` URL names (checked with one read)."""
    store = EtcdStore(EtcdClient(etcd_url.parse(parts)))
    try:
        await store._feed_alive()  # the shared watch stream starts now, so any later revision can use it
    except errors.StoreError:
        await store.close()
        raise
    return store


backends.register("etcd", open_etcd)
