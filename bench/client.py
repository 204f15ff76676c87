"""rktnetes.client beside the official ``kubernetes`` Python client, against one real API server (SQLite).

Same server, same objects, alternating rounds; prints the median time of each side and the ratio
(peer time / our time: above 1 means we are faster); each round starts with a different side. Operations: sequential GETs, 16 concurrent GETs
(asyncio tasks for us, 16 threads for the peer), sequential creates, a LIST of --items ConfigMaps, and a WATCH
replaying the --items ADDED events of their creation.
The peer is measured both as usually used (typed models) and raw (``_preload_content=False`` + json).

    .venv/bin/python bench/client.py [--gets 300] [--creates 200] [--items 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes import watch as k8s_watch

from rktnetes.client import rest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.apiserver import serve  # noqa: E402

NS = "bench"
LIST_NS = "bench-list"


def cm(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"key": "value" * 20}}


async def ours(client: rest.Client, args: argparse.Namespace) -> dict[str, float]:
    out = {}
    start = time.perf_counter()
    for _ in range(args.gets):
        await client.get("configmaps", "probe", NS)
    out["get"] = time.perf_counter() - start
    start = time.perf_counter()
    sem = asyncio.Semaphore(16)

    async def one() -> None:
        async with sem:
            await client.get("configmaps", "probe", NS)

    await asyncio.gather(*(one() for _ in range(args.gets)))
    out["get x16"] = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(args.creates):
        await client.create("configmaps", cm(f"o-{uuid.uuid4().hex[:12]}"), NS)
    out["create"] = time.perf_counter() - start
    start = time.perf_counter()
    items, _ = await client.list_all("configmaps", LIST_NS, page=args.items * 10)
    out["list"] = time.perf_counter() - start
    start, seen = time.perf_counter(), 0
    async with client.watch("configmaps", LIST_NS, resource_version=args.start_rv, timeout_seconds=120) as events:
        async for kind, _ in events:
            seen += kind == "ADDED"
            if seen == args.items:
                break
    out["watch"] = time.perf_counter() - start
    return out


def their_watch(api: k8s.CoreV1Api, args: argparse.Namespace, raw: bool) -> float:
    start, seen = time.perf_counter(), 0
    stream = k8s_watch.Watch()
    for event in stream.stream(api.list_namespaced_config_map, LIST_NS, resource_version=args.start_rv,
                               timeout_seconds=120, deserialize=not raw):
        seen += event["type"] == "ADDED"
        if seen == args.items:
            stream.stop()
            break
    return time.perf_counter() - start


def theirs(api: k8s.CoreV1Api, args: argparse.Namespace, raw: bool) -> dict[str, float]:
    extra = {"_preload_content": False} if raw else {}

    def get() -> object:
        answer = api.read_namespaced_config_map("probe", NS, **extra)
        return json.loads(answer.data) if raw else answer

    out = {}
    start = time.perf_counter()
    for _ in range(args.gets):
        get()
    out["get"] = time.perf_counter() - start
    start = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda _: get(), range(args.gets)))
    out["get x16"] = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(args.creates):
        answer = api.create_namespaced_config_map(NS, cm(f"t-{uuid.uuid4().hex[:12]}"), **extra)
        if raw:
            json.loads(answer.data)
    out["create"] = time.perf_counter() - start
    start = time.perf_counter()
    answer = api.list_namespaced_config_map(LIST_NS, **extra)
    if raw:
        json.loads(answer.data)
    out["list"] = time.perf_counter() - start
    out["watch"] = their_watch(api, args, raw)
    return out


async def prepare(client: rest.Client, items: int) -> str:
    """Fill LIST_NS; returns the resourceVersion before the fill (watches replay the fill from there)."""
    for namespace in (NS, LIST_NS):
        await client.create("namespaces", {"metadata": {"name": namespace}})
    start = (await client.list("configmaps", LIST_NS))["metadata"]["resourceVersion"]
    await client.create("configmaps", cm("probe"), NS)
    sem = asyncio.Semaphore(16)

    async def one(i: int) -> None:
        async with sem:
            await client.create("configmaps", cm(f"fill-{i}"), LIST_NS)

    await asyncio.gather(*(one(i) for i in range(items)))
    return start


def report(results: dict[str, list[dict[str, float]]]) -> None:
    print(f"{'operation':<10} {'ours':>9} {'kubernetes':>11} {'ratio':>6} {'k8s raw':>9} {'ratio':>6}")
    for op in results["ours"][0]:
        mine = statistics.median(r[op] for r in results["ours"])
        typed = statistics.median(r[op] for r in results["typed"])
        raw = statistics.median(r[op] for r in results["raw"])
        print(f"{op:<10} {mine:>8.3f}s {typed:>10.3f}s {typed / mine:>6.2f} {raw:>8.3f}s {raw / mine:>6.2f}")


async def main(args: argparse.Namespace) -> None:
    with contextlib.contextmanager(serve)(None) as server:
        kubeconfig = server.kubeconfig
        api = k8s.CoreV1Api(k8s_config.new_client_from_config(str(kubeconfig)))
        results: dict[str, list] = {"ours": [], "typed": [], "raw": []}
        async with rest.Client.from_kubeconfig(kubeconfig) as client:
            args.start_rv = await prepare(client, args.items)
            for i in range(args.rounds):
                sides = [("ours", lambda: ours(client, args)),
                         ("typed", lambda: asyncio.to_thread(theirs, api, args, False)),
                         ("raw", lambda: asyncio.to_thread(theirs, api, args, True))]
                for name, run in sides[i % 3:] + sides[:i % 3]:
                    results[name].append(await run())
        print(f"{args.gets} GETs, {args.creates} creates, LIST of {args.items}+ ConfigMaps; "
              f"median of {args.rounds} rounds; ratio = kubernetes time / our time")
        report(results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gets", type=int, default=300)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
