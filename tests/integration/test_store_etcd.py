"""etcd specifics against the real etcd: TLS with client certificates, endpoint failover, a stopped etcd."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from rktnetes import store
from rktnetes.store import errors
from rktnetes.store.etcd_watch import EtcdWatch
from tests.fixtures.etcd import free_port

pytestmark = pytest.mark.integration


async def test_tls_with_a_client_certificate(etcd_tls_server) -> None:
    s = await store.open_store(etcd_tls_server.url)
    try:
        rev = await s.create("/r/tls", b"secret")
        assert (await s.get("/r/tls"))[1].value == b"secret"
        async with await s.watch("/r/", rev - 1) as watch:
            assert (await asyncio.wait_for(anext(watch), 5)).revision == rev
    finally:
        await s.close()


async def test_tls_refuses_a_client_without_certificate(etcd_tls_server) -> None:
    without_cert = etcd_tls_server.url.split("&cert=")[0]
    with pytest.raises(errors.Unavailable):
        await store.open_store(without_cert)
    with pytest.raises(errors.Unavailable):  # plain HTTP to a TLS-only etcd
        await store.open_store(f"etcd://{etcd_tls_server.endpoint}")


@pytest.mark.parametrize("query", ["?cacert=/nonexistent", "?cert=/a", "?cacert=/etc/hostname&cert=/etc/hostname",
                                   "?timeout=3"])
async def test_bad_tls_options(query: str) -> None:
    with pytest.raises(errors.InvalidURL):
        await store.open_store(f"etcd://127.0.0.1:2379{query}")


async def test_a_dead_endpoint_is_skipped(etcd_server) -> None:
    s = await store.open_store(f"etcd://127.0.0.1:{free_port()},{etcd_server.endpoint}")
    try:
        assert await s.create("/r/failover", b"v") == await s.current_revision()
    finally:
        await s.close()


async def test_a_stopped_etcd_is_unavailable_and_ends_watches(etcd_server) -> None:
    s = await store.open_store(etcd_server.url)
    try:
        watch = await s.watch("/r/", await s.current_revision())
        etcd_server.stop()
        with pytest.raises(errors.Unavailable):
            await asyncio.wait_for(anext(watch), 10)
        with pytest.raises(errors.Unavailable):
            await s.get("/r/x")
    finally:
        await s.close()


async def test_watches_share_one_etcd_stream_and_fall_back_when_behind(etcd_server, monkeypatch) -> None:
    from rktnetes.store import etcd_mux, watching

    monkeypatch.setattr(etcd_mux, "RING", 8)
    monkeypatch.setattr(watching, "MAX_BUFFERED", 4)
    early = await store.open_store(etcd_server.url)
    before = await early.create("/r/m/0", b"before the store below was opened")
    s = await store.open_store(etcd_server.url)
    try:
        shared = [await s.watch("/r/m/", await s.current_revision()) for _ in range(3)]
        assert all(isinstance(w, etcd_mux.MuxWatch) for w in shared)
        revs = [await s.create(f"/r/m/{i}", b"v") for i in range(1, 30)]  # overflows buffers and the ring
        for watch in shared:
            assert [(await asyncio.wait_for(anext(watch), 5)).revision for _ in revs] == revs
            assert isinstance(watch._inner, EtcdWatch)  # the ring moved past it: it went on by itself
        async with await s.watch("/r/m/", before - 1) as old:  # older than the shared stream: its own stream
            assert (await asyncio.wait_for(anext(old), 5)).revision == before
    finally:
        await s.close()
        await early.close()


async def test_a_three_member_cluster_survives_losing_a_member(etcd_cluster) -> None:
    url = "etcd://" + ",".join(m.endpoint for m in etcd_cluster)
    s = await store.open_store(url)
    try:
        r1 = await s.create("/r/ha/a", b"1")
        watch = await s.watch("/r/ha/", r1)
        etcd_cluster[0].stop()  # the member the store talks to
        r2 = None
        for _ in range(20):  # a call on a connection the dead member held may fail once; then the next member
            try:
                r2 = await s.update("/r/ha/a", b"2", r1)
                break
            except errors.Unavailable:
                await asyncio.sleep(0.1)
        assert r2 is not None and (await s.get("/r/ha/a"))[1].value == b"2"
        assert (await asyncio.wait_for(anext(watch), 10)).revision == r2  # the watch moved to another member
        await watch.aclose()
    finally:
        await s.close()


async def test_a_watch_opened_after_a_member_died_finds_another(etcd_cluster) -> None:
    s = await store.open_store("etcd://" + ",".join(m.endpoint for m in etcd_cluster))
    try:
        etcd_cluster[0].stop()
        start = None
        for _ in range(20):
            try:  # the first watch after the loss may meet the dead member's stream ending
                watch = await s.watch("/r/ha2/", 0)
                start = await s.current_revision()
                break
            except errors.Unavailable:
                await asyncio.sleep(0.1)
        assert start is not None
        rev = await s.create("/r/ha2/a", b"v")
        assert (await asyncio.wait_for(anext(watch), 10)).revision == rev
        await watch.aclose()
    finally:
        await s.close()


async def test_a_key_with_a_ttl_expires_through_an_etcd_lease(etcd_server) -> None:
    s = await store.open_store(etcd_server.url)
    try:
        start = await s.current_revision()
        await s.create("/r/events/e1", b"event", ttl=1)  # etcd rounds tiny leases up to its minimum (~2 s)
        await s.create("/r/events/keep", b"no ttl")
        async with await s.watch("/r/events/", start) as watch:
            events = [await asyncio.wait_for(anext(watch), 15) for _ in range(3)]
        assert [(e.type, e.kv.key) for e in events][2] == ("DELETE", "/r/events/e1")
        assert [kv.key for kv in (await s.list("/r/events/")).kvs] == ["/r/events/keep"]
        with pytest.raises(errors.InvalidTTL):
            await s.create("/r/events/bad", b"x", ttl=-5)
    finally:
        await s.close()


async def test_keys_written_together_with_a_long_ttl_share_one_lease(etcd_server) -> None:
    s = await store.open_store(etcd_server.url)
    try:
        for i in range(5):
            await s.create(f"/r/events/e{i}", b"event", ttl=3600)
        await s.create("/r/events/other", b"event", ttl=60)
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://{etcd_server.endpoint}/v3/lease/leases", json={}) as resp:
                leases = (await resp.json())["leases"]
            ttls = []
            for lease in leases:
                async with session.post(f"http://{etcd_server.endpoint}/v3/lease/timetolive",
                                        json={"ID": lease["ID"]}) as resp:
                    ttls.append(int((await resp.json())["grantedTTL"]))
        assert sorted(ttls) == [63, 3780]  # each ttl + 5%, one lease per ttl
    finally:
        await s.close()


async def test_two_stores_on_one_etcd_see_each_other(etcd_server) -> None:
    """Several API servers on one etcd: writes through one are seen by the other's watches and CAS."""
    a, b = await store.open_store(etcd_server.url), await store.open_store(etcd_server.url)
    try:
        start = await b.current_revision()
        async with await b.watch("/r/shared/", start) as watch:
            rev = await a.create("/r/shared/x", b"from a")
            assert (await asyncio.wait_for(anext(watch), 5)).kv.value == b"from a"
            await b.update("/r/shared/x", b"from b", rev)
            with pytest.raises(errors.Conflict):
                await a.update("/r/shared/x", b"stale", rev)
    finally:
        await a.close()
        await b.close()
