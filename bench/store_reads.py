"""Store reads beside their peers, in one run: LIST of 10,000 keys and 100 watchers each seeing every event.

LIST: our SQLite backend vs a bare ``sqlite3`` SELECT of the same rows from a plain table; our etcd backend
vs a bare gateway ``/v3/kv/range``. WATCH: 100 watchers on one prefix, 2,000 writes, time until every
watcher has seen every event (events delivered/s), SQLite and etcd. Values are 1,500 bytes (a small pod).
Run: ``.venv/bin/python bench/store_reads.py [--keys 10000] [--watchers 100]``.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.store import etcd_server, sqlite_url  # noqa: E402

from rktnetes import store  # noqa: E402
from rktnetes.store import etcd_wire, keys  # noqa: E402

VALUE = b"p" * 1500


async def fill(s: store.protocol.Store, n: int) -> None:
    async def writer(k: int) -> None:
        for i in range(k, n, 16):
            await s.create(f"/registry/pods/default/pod-{i:06}", VALUE)
    await asyncio.gather(*(writer(k) for k in range(16)))


async def timed(coro) -> float:
    start = time.perf_counter()
    await coro
    return time.perf_counter() - start


def raw_sqlite_list(path: str, n: int) -> float:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE kv (name TEXT PRIMARY KEY, value BLOB)")
    conn.executemany("INSERT INTO kv VALUES (?, ?)", ((f"/registry/pods/default/pod-{i:06}", VALUE) for i in range(n)))
    conn.commit()
    start = time.perf_counter()
    rows = conn.execute("SELECT name, value FROM kv WHERE name >= ? AND name < ? ORDER BY name",
                        ("/registry/pods/", keys.prefix_end("/registry/pods/"))).fetchall()
    elapsed = time.perf_counter() - start
    assert len(rows) == n
    conn.close()
    return elapsed


async def raw_etcd_list(endpoint: str) -> float:
    body = etcd_wire.range_request("/registry/pods/", keys.prefix_end("/registry/pods/"))
    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        async with session.post(f"http://{endpoint}/v3/kv/range", json=body) as resp:
            await resp.json()
        return time.perf_counter() - start


async def fan_out(s: store.protocol.Store, watchers: int, events: int) -> float:
    """Events delivered per second when ``watchers`` watches each see ``events`` writes."""
    start_rev = await s.current_revision()
    watches = [await s.watch("/registry/leases/", start_rev) for _ in range(watchers)]

    async def drain(watch) -> None:
        for _ in range(events):
            await anext(watch)
    start = time.perf_counter()
    drains = [asyncio.ensure_future(drain(w)) for w in watches]
    for i in range(events):
        await s.create(f"/registry/leases/l{i}", b"lease")
    await asyncio.wait_for(asyncio.gather(*drains), 300)
    elapsed = time.perf_counter() - start
    for w in watches:
        await w.aclose()
    return watchers * events / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=10000)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-reads-")
    try:
        with etcd_server() as etcd:
            sq = await store.open_store(sqlite_url(tmp, "NORMAL"))
            ed = await store.open_store(etcd.url)
            await fill(sq, args.keys)
            await fill(ed, args.keys)
            ours_sq = min([await timed(sq.list("/registry/pods/")) for _ in range(3)])
            peer_sq = min([await asyncio.to_thread(raw_sqlite_list, f"{tmp}/p{i}.db", args.keys) for i in range(3)])
            ours_ed = min([await timed(ed.list("/registry/pods/")) for _ in range(3)])
            peer_ed = min([await raw_etcd_list(etcd.endpoint) for _ in range(3)])
            print(f"LIST {args.keys} keys        ours s   peer s  ratio(peer/ours)")
            print(f"  sqlite              {ours_sq:8.3f} {peer_sq:8.3f} {peer_sq / ours_sq:6.2f}")
            print(f"  etcd                {ours_ed:8.3f} {peer_ed:8.3f} {peer_ed / ours_ed:6.2f}")
            print(f"WATCH {args.watchers} watchers x {args.events} events: events delivered/s")
            print(f"  sqlite              {await fan_out(sq, args.watchers, args.events):10.0f}")
            print(f"  etcd                {await fan_out(ed, args.watchers, args.events):10.0f}")
            await sq.close()
            await ed.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
