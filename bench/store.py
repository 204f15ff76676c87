"""Raw store commits/s: our SQLite backend (synchronous NORMAL and FULL) and our etcd backend, each beside
its peer (bare ``sqlite3`` commits with the same pragmas; bare etcd v3 gateway puts), alternately, in one run.

Single-row commits of a 500-byte value, sequential and with 16 concurrent writers. ``bench/apiserver.py``
imports ``commits_per_second``, ``sqlite_url`` and ``etcd_server`` to put API server numbers beside these.
Run: ``.venv/bin/python bench/store.py [--rounds 3] [--ops 2000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.etcd import EtcdServer  # noqa: E402

from rktnetes import store  # noqa: E402
from rktnetes.store import etcd_wire  # noqa: E402

VALUE = b"x" * 500
_keys = itertools.count()


async def commits_per_second(s: store.protocol.Store, ops: int, writers: int) -> float:
    """Creates/s of ``ops`` fresh keys by ``writers`` concurrent tasks on an open store."""
    async def writer(n: int) -> None:
        for _ in range(n):
            await s.create(f"/bench/{next(_keys)}", VALUE)
    start = time.perf_counter()
    await asyncio.gather(*(writer(ops // writers) for _ in range(writers)))
    return (ops // writers * writers) / (time.perf_counter() - start)


def raw_sqlite(path: str, synchronous: str, ops: int) -> float:
    """The peer: bare sqlite3 single-row commits in WAL with the same durability."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("CREATE TABLE IF NOT EXISTS kv (id INTEGER PRIMARY KEY, name TEXT, value BLOB)")
    start = time.perf_counter()
    for _ in range(ops):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO kv (name, value) VALUES (?, ?)", (f"/bench/{next(_keys)}", VALUE))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return ops / elapsed


async def raw_etcd(endpoint: str, ops: int, writers: int) -> float:
    """The peer: bare ``/v3/kv/put`` calls through the gateway, no compare."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def writer(n: int) -> None:
            for _ in range(n):
                body = {"key": etcd_wire.b64(f"/bench/{next(_keys)}"), "value": etcd_wire.b64(VALUE)}
                async with session.post(f"http://{endpoint}/v3/kv/put", json=body) as resp:
                    await resp.read()
        start = time.perf_counter()
        await asyncio.gather(*(writer(ops // writers) for _ in range(writers)))
        return (ops // writers * writers) / (time.perf_counter() - start)


def sqlite_url(directory: str, synchronous: str) -> str:
    return f"sqlite://{directory}/bench.db?synchronous={synchronous}"


@contextlib.contextmanager
def etcd_server() -> Iterator[EtcdServer]:
    """A throwaway real etcd on free loopback ports."""
    data = Path(tempfile.mkdtemp(prefix="bench-etcd-"))
    server = EtcdServer(data)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


async def one_round(tmp: str, etcd: EtcdServer, ops: int) -> dict[str, float]:
    results: dict[str, float] = {}
    for sync in ("NORMAL", "FULL"):
        s = await store.open_store(sqlite_url(tmp, sync))
        for writers in (1, 16):
            results[f"sqlite {sync:6} writers={writers:2}"] = await commits_per_second(s, ops, writers)
        await s.close()
        peer = await asyncio.to_thread(raw_sqlite, f"{tmp}/peer.db", sync, ops)
        for writers in (1, 16):
            results[f"sqlite {sync:6} writers={writers:2} peer"] = peer
    s = await store.open_store(etcd.url)
    for writers in (1, 16):
        results[f"etcd          writers={writers:2}"] = await commits_per_second(s, ops // 4, writers)
        results[f"etcd          writers={writers:2} peer"] = await raw_etcd(etcd.endpoint, ops // 4, writers)
    await s.close()
    return results


def report(rounds: list[dict[str, float]]) -> None:
    print(f"{'case':34} {'ours/s':>9} {'peer/s':>9} {'ratio':>6}   (median of {len(rounds)} rounds)")
    for name in rounds[0]:
        if name.endswith(" peer"):
            continue
        ours = statistics.median(r[name] for r in rounds)
        peer = statistics.median(r[name + " peer"] for r in rounds)
        print(f"{name:34} {ours:9.0f} {peer:9.0f} {ours / peer:6.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ops", type=int, default=2000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-store-")
    try:
        with etcd_server() as etcd:
            rounds = [await one_round(tmp, etcd, args.ops) for _ in range(args.rounds)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("peer: bare sqlite3 commits (same pragmas) / bare etcd gateway puts; ratio = ours / peer")
    report(rounds)


if __name__ == "__main__":
    asyncio.run(main())
