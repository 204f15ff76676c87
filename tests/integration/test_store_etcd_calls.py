"""The etcd backend's own HTTP client against the real etcd: large (chunked) answers, reused connections,
a restarted etcd."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes import store
from rktnetes.store import errors

pytestmark = pytest.mark.integration


async def test_large_answers_arrive_whole(etcd_server) -> None:
    s = await store.open_store(etcd_server.url)
    try:
        values = {f"/big/{i:03}": bytes([65 + i % 26]) * 1500 for i in range(60)}
        revs = await asyncio.gather(*(s.create(k, v) for k, v in values.items()))
        listed = await s.list("/big/")
        assert {kv.key: kv.value for kv in listed.kvs} == values and listed.revision == max(revs)
        with pytest.raises(errors.Conflict) as conflict:  # the failed compare answers with the whole value
            await s.update("/big/000", b"x", revs[0] - 1)
        assert conflict.value.current.value == values["/big/000"]
    finally:
        await s.close()


async def test_calls_go_on_after_etcd_restarts(etcd_server) -> None:
    s = await store.open_store(etcd_server.url)
    try:
        first = await s.create("/r/a", b"v")
        etcd_server.restart()  # every pooled connection is now closed by the server
        created = 0
        for _ in range(50):  # a call on a connection the old etcd closed fails once, never twice
            try:
                created = await s.create("/r/b", b"v")
                break
            except errors.Unavailable:
                await asyncio.sleep(0.1)
        assert created > first and (await s.get("/r/b"))[1].value == b"v"
    finally:
        await s.close()
