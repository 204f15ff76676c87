"""The relist loop queues exactly the pods whose rkt pods changed; container logs as the kubelet serves them."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client.clock import FakeClock
from rktnetes.client.queueing import WorkQueue
from rktnetes.kubelet import logstream, relisting
from tests.unit.test_kubelet_syncing import FakeRuntime


async def test_relist_queues_new_changed_and_vanished_pods_only():
    runtime, clock = FakeRuntime(), FakeClock()
    queue = WorkQueue(clock)
    relister = relisting.Relister(runtime, queue, clock)
    a = runtime.add("ua", "ns/a", "running")
    runtime.add("ub", "ns/b", "running")
    assert sorted(await relister.relist()) == ["ns/a", "ns/b"]  # the first look adopts everything
    assert await relister.relist() == []
    runtime._set(a, "exited", (0,))
    assert await relister.relist() == ["ns/a"]
    await runtime.remove(a)
    assert await relister.relist() == ["ns/a"]
    assert len(queue) == 2 and await queue.get() == "ns/a"


async def test_relist_runs_on_the_clock():
    runtime, clock = FakeRuntime(), FakeClock()
    relister = relisting.Relister(runtime, WorkQueue(clock), clock, period=1.0)
    task = asyncio.create_task(relister.run())
    for _ in range(3):
        await asyncio.sleep(0)
        clock.advance(1.0)
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert relister.relists >= 3


LOG = (b"2026-11-26T10:00:00.000000001Z stdout F one\n"
       b"2026-11-26T10:00:01.000000000Z stderr F two\n"
       b"2026-11-26T10:00:02.000000000Z stdout P thr\n"
       b"2026-11-26T10:00:02.100000000Z stdout F ee\n")


async def _read(path, **query) -> bytes:
    opts = logstream.options({k: str(v) for k, v in query.items()})
    return b"".join([chunk async for chunk in logstream.chunks(path, opts, lambda: False)])


async def test_log_options(tmp_path):
    path = tmp_path / "main.log"
    path.write_bytes(LOG + b"2026-11-26T10:00:03.000000000Z stdout F unfinish")
    assert await _read(path) == b"one\ntwo\nthree\n"
    assert await _read(path, tailLines=1) == b"ee\n"
    assert await _read(path, tailLines=0) == b""
    assert await _read(path, timestamps="true", tailLines=2) == b"2026-11-26T10:00:02.000000000Z thr" \
        b"2026-11-26T10:00:02.100000000Z ee\n"
    assert await _read(path, limitBytes=5) == b"one\ntw"[:5]
    assert await _read(path, sinceTime="2026-11-26T10:00:01Z") == b"two\nthree\n"
    assert await _read(tmp_path / "missing.log") == b""


def test_malformed_log_options_are_one_line_errors():
    with pytest.raises(ValueError, match="tailLines must be an integer"):
        logstream.options({"tailLines": "many"})
    with pytest.raises(ValueError, match="sinceTime must be RFC 3339"):
        logstream.options({"sinceTime": "yesterday"})


async def test_follow_reads_what_is_appended_until_the_pod_ends(tmp_path):
    path = tmp_path / "main.log"
    path.write_bytes(LOG[:44])
    alive = [True]
    got: list[bytes] = []

    async def follow() -> None:
        async for chunk in logstream.chunks(path, logstream.Options(follow=True), lambda: alive[0]):
            got.append(chunk)

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.05)
    with open(path, "ab") as out:
        out.write(LOG[44:88])
    await asyncio.sleep(logstream.POLL * 2)
    alive[0] = False
    await asyncio.wait_for(task, 5)
    assert got == [b"one\n", b"two\n"]


def test_attach_frames_keep_the_streams_apart():
    from rktnetes.kubelet import attaching

    records = [line for line in LOG.split(b"\n") if line]
    assert attaching.frames(records) == [b"\x01one\n", b"\x02two\n", b"\x01thr", b"\x01ee\n"]
