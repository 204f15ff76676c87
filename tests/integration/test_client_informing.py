"""Informers and the worker loop against the real API server: adds, updates, deletes, indexes, relist on 410."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from rktnetes.client import caching, errors, kubeconfig, rest, running
from rktnetes.client.informing import Informer
from rktnetes.client.queueing import WorkQueue
from tests.fixtures.apiserver import serve


async def _until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def _pod(name: str, node: str = "") -> dict:
    spec = {"containers": [{"name": "c", "image": "busybox"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
async def client(apiserver):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as c:
        yield c


async def test_informer_follows_pods_with_a_node_index(client, namespace) -> None:
    await client.create("pods", _pod("before", "n1"), namespace)
    informer = Informer(client, "pods", namespace, indexers={"node": caching.by_field("spec.nodeName")},
                        detect_mutations=True)
    events = []
    informer.add_handlers(lambda o: events.append(("add", o["metadata"]["name"])),
                          lambda old, new: events.append(("update", new["metadata"]["name"])),
                          lambda o: events.append(("delete", o["metadata"]["name"])))
    informer.start()
    try:
        await asyncio.wait_for(informer.wait_for_sync(), 20)
        assert events == [("add", "before")]
        await client.create("pods", _pod("after"), namespace)
        await client.patch("pods", "after", {"metadata": {"labels": {"x": "y"}}}, "merge", namespace)
        await client.delete("pods", "before", namespace, grace_period_seconds=0)
        await _until(lambda: ("delete", "before") in events)
        assert events == [("add", "before"), ("add", "after"), ("update", "after"), ("delete", "before")]
        assert informer.cache.by_index("node", "n1") == []
        assert informer.cache.get(f"{namespace}/after")["metadata"]["labels"] == {"x": "y"}
        informer.cache.verify()
    finally:
        await informer.stop()


async def test_label_scoped_informer_sees_objects_leave_the_selection(client, namespace) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sel", "labels": {"app": "a"}}}
    informer = Informer(client, "configmaps", namespace, label_selector="app=a")
    informer.start()
    try:
        await asyncio.wait_for(informer.wait_for_sync(), 20)
        await client.create("configmaps", cm, namespace)
        await _until(lambda: f"{namespace}/sel" in informer.cache)
        await client.patch("configmaps", "sel", {"metadata": {"labels": {"app": "b"}}}, "merge", namespace)
        await _until(lambda: f"{namespace}/sel" not in informer.cache)
    finally:
        await informer.stop()


async def test_workers_reconcile_what_the_informer_enqueues(client, namespace) -> None:
    informer = Informer(client, "configmaps", namespace)
    queue = WorkQueue()
    informer.add_handlers(lambda o: queue.add(caching.key_of(o)), lambda old, new: queue.add(caching.key_of(new)),
                          lambda o: queue.add(caching.key_of(o)))
    mirrored: dict[str, dict] = {}

    async def reconcile(key: str) -> None:
        obj = informer.cache.get(key)
        if obj is None:
            mirrored.pop(key, None)
            raise errors.NotFound(404, "NotFound", key)
        mirrored[key] = dict(obj.get("data") or {})

    informer.start()
    workers = asyncio.create_task(running.run_workers(queue, reconcile, 2))
    try:
        for i in range(5):
            await client.create("configmaps", {"metadata": {"name": f"m{i}"}, "data": {"i": str(i)}}, namespace)
        await client.delete("configmaps", "m0", namespace)
        await _until(lambda: sorted(mirrored) == [f"{namespace}/m{i}" for i in range(1, 5)])
    finally:
        queue.shutdown()
        await informer.stop()
        await asyncio.wait_for(workers, 10)


@pytest.fixture(scope="module", params=["sqlite", "etcd"])
def compacting_server(request: pytest.FixtureRequest):
    """A server compacting its store every half second, on each backend."""
    fast = ("--compaction-interval", "0.5", "--bookmark-interval", "0.5")
    if request.param == "sqlite":
        yield from serve(None, *fast)
        return
    from tests.fixtures.etcd import EtcdServer

    etcd_dir = Path(tempfile.mkdtemp(prefix="rktnetes-etcd-"))
    etcd = EtcdServer(etcd_dir)
    try:
        etcd.start()
        yield from serve(etcd.url, *fast)
    finally:
        etcd.stop()
        shutil.rmtree(etcd_dir, ignore_errors=True)


async def _churn(client: rest.Client, namespace: str, seconds: float) -> None:
    """Writes to another resource, so the store's revision (and then its compaction) moves on."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await client.create("secrets", {"metadata": {"name": f"s-{uuid.uuid4().hex[:8]}"}}, namespace)
        await asyncio.sleep(0.05)


async def test_watch_from_a_compacted_version_is_expired(compacting_server) -> None:
    async with rest.Client.from_kubeconfig(compacting_server.kubeconfig) as client:
        await client.create("namespaces", {"metadata": {"name": "expiry"}})
        old = (await client.list("configmaps", "expiry"))["metadata"]["resourceVersion"]
        await _churn(client, "expiry", 2.0)
        with pytest.raises(errors.Expired) as caught:
            async with client.watch("configmaps", "expiry", resource_version=old, timeout_seconds=5) as events:
                async for _ in events:
                    pass
        assert caught.value.code == 410


async def test_informer_relists_after_expired(compacting_server) -> None:
    async with rest.Client.from_kubeconfig(compacting_server.kubeconfig) as client:
        await client.create("namespaces", {"metadata": {"name": "relist"}})
        await client.create("configmaps", {"metadata": {"name": "gone"}}, "relist")
        informer = Informer(client, "configmaps", "relist", watch_timeout=1)
        deleted = []
        informer.add_handlers(on_delete=lambda o: deleted.append(o["metadata"]["name"]))
        informer.start()
        try:
            await asyncio.wait_for(informer.wait_for_sync(), 20)
            await client.delete("configmaps", "gone", "relist")
            await client.create("configmaps", {"metadata": {"name": "new"}}, "relist")
            await _until(lambda: informer.cache.list_keys() == ["relist/new"])
            await _churn(client, "relist", 3.0)
            await _until(lambda: informer.lists >= 2)
            await client.create("configmaps", {"metadata": {"name": "later"}}, "relist")
            await _until(lambda: sorted(informer.cache.list_keys()) == ["relist/later", "relist/new"])
            assert deleted == ["gone"]
        finally:
            await informer.stop()


async def test_factory_shares_one_informer_per_collection(client, namespace) -> None:
    from rktnetes.client.sharing import InformerFactory

    await client.create("pods", _pod("p", "n9"), namespace)
    factory = InformerFactory(client)
    pods = factory.informer("pods", namespace)
    same = factory.informer("po", namespace, indexers={"node": caching.by_field("spec.nodeName")})
    other = factory.informer("configmaps", namespace)
    assert pods is same and other is not pods and len(factory) == 2
    factory.start()
    try:
        await asyncio.wait_for(factory.wait_for_sync(), 20)
        assert [p["metadata"]["name"] for p in pods.cache.by_index("node", "n9")] == ["p"]
        assert other.has_synced
    finally:
        await factory.stop()


class Cutter:
    """A TCP forwarder to the API server on its own loopback port that can cut every connection and refuse
    new ones for a while: a network failure between one client and the server, and nothing else."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.refusing = target_port, False
        self.pipes: set[asyncio.Task] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(src, dst))
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    async def _pump(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        finally:
            dst.close()

    async def cut(self) -> None:
        self.refusing = True
        for task in list(self.pipes):
            task.cancel()
        await asyncio.gather(*self.pipes, return_exceptions=True)

    async def close(self) -> None:
        await self.cut()
        self.server.close()
        await self.server.wait_closed()


async def test_informer_survives_a_network_cut(apiserver, client, namespace) -> None:
    cutter = Cutter(apiserver.port)
    port = await cutter.start()
    base = kubeconfig.load_kubeconfig(apiserver.kubeconfig)
    via = rest.Client(dataclasses.replace(base, server=f"https://127.0.0.1:{port}"))
    informer = Informer(via, "configmaps", namespace, backoff=0.2, max_backoff=1.0)
    informer.start()
    try:
        await asyncio.wait_for(informer.wait_for_sync(), 20)
        await client.create("configmaps", {"metadata": {"name": "before"}}, namespace)
        await _until(lambda: f"{namespace}/before" in informer.cache)
        await cutter.cut()
        await _until(lambda: informer.failures >= 2)
        await client.create("configmaps", {"metadata": {"name": "during"}}, namespace)
        await client.delete("configmaps", "before", namespace)
        cutter.refusing = False
        await _until(lambda: sorted(informer.cache.list_keys()) == [f"{namespace}/during"])
        assert informer.lists == 1, "after a cut the watch resumes from the last version, no relist"
    finally:
        await informer.stop()
        await via.close()
        await cutter.close()


@pytest.fixture
def own_server():
    yield from serve(None)


async def test_informer_survives_an_api_server_restart(own_server) -> None:
    async with rest.Client.from_kubeconfig(own_server.kubeconfig) as client:
        await client.create("namespaces", {"metadata": {"name": "restart"}})
        informer = Informer(client, "configmaps", "restart", backoff=0.2, max_backoff=1.0)
        informer.start()
        try:
            await asyncio.wait_for(informer.wait_for_sync(), 20)
            await client.create("configmaps", {"metadata": {"name": "before"}}, "restart")
            await _until(lambda: "restart/before" in informer.cache)
            await asyncio.to_thread(own_server.stop)
            await _until(lambda: informer.failures >= 1)
            await asyncio.to_thread(own_server.start)
            await client.create("configmaps", {"metadata": {"name": "after"}}, "restart")
            await _until(lambda: "restart/after" in informer.cache, 30)
            assert informer.lists == 1, "a restarted server is followed by a watch from the last version"
        finally:
            await informer.stop()
