"""The scheduler on a real API server (SQLite): --pods pods onto --nodes nodes, beside the floor it stands on.

There is no kube-scheduler binary here, so the side-by-side peer is the cheapest possible "scheduler": the same
client POSTing the same number of Bindings round-robin with the same concurrency, no decisions at all. The
ratio (ours / floor, in pods per second) says how much of the API's binding rate the scheduler keeps once it
watches, filters, scores, assumes and binds. The decision rate alone (no API) is printed as well.

    .venv/bin/python bench/scheduler.py [--nodes 100] [--pods 1000] [--workers 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

from rktnetes.client import rest
from rktnetes.scheduler import algorithm, reporting, tracking
from rktnetes.scheduler.scheduling import Scheduler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.apiserver import serve  # noqa: E402


def node(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i:03d}"}}


def pod(i: int) -> dict:
    resources = {"requests": {"cpu": "10m", "memory": "16Mi"}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"pod-{i:04d}"},
            "spec": {"containers": [{"name": "c", "image": "busybox", "resources": resources}]}}


async def gather_limited(n: int, jobs: list) -> list:
    gate = asyncio.Semaphore(n)

    async def one(job):
        async with gate:
            return await job
    return await asyncio.gather(*(one(j) for j in jobs))


async def make_cluster(client: rest.Client, args: argparse.Namespace) -> None:
    for i in range(args.nodes):
        await client.create("nodes", node(i))
        n = await client.get("nodes", f"node-{i:03d}")
        n["status"] = {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"}]}
        await client.update_status("nodes", n)
    for namespace in ("floor", "sched"):
        await client.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        await gather_limited(8, [client.create("pods", pod(i), namespace) for i in range(args.pods)])


async def floor(client: rest.Client, args: argparse.Namespace) -> float:
    """Pods/s of bare round-robin Binding POSTs."""
    pods, _ = await client.list_all("pods", "floor")
    start = time.perf_counter()
    await gather_limited(args.workers, [reporting.bind(client, p, f"node-{i % args.nodes:03d}")
                                        for i, p in enumerate(pods)])
    return len(pods) / (time.perf_counter() - start)


async def ours(client: rest.Client, args: argparse.Namespace) -> float:
    """Pods/s from the scheduler's start until every pod of namespace ``sched`` is bound."""
    scheduler = Scheduler(client)
    start = time.perf_counter()
    task = asyncio.create_task(scheduler.run(args.workers))
    while True:
        pods = scheduler.pods.cache.list("sched")
        if len(pods) == args.pods and all(p["spec"].get("nodeName") for p in pods):
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - start
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return args.pods / elapsed


def decisions(args: argparse.Namespace) -> float:
    """Decisions/s of the algorithm alone, on snapshots as full as the benchmark's."""
    nodes = [{**node(i), "status": {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"}}}
             for i in range(args.nodes)]
    tracker = tracking.NodeTracker()
    for n in nodes:
        tracker.set_node(n)
    start = time.perf_counter()
    for i in range(args.pods):
        p = pod(i)
        p["metadata"].update(uid=f"u{i}", resourceVersion="1")
        tracker.place(p, algorithm.place(p, tracker.snapshot()))
    return args.pods / (time.perf_counter() - start)


async def main(args: argparse.Namespace) -> None:
    with contextlib.contextmanager(serve)(None) as server:
        async with rest.Client.from_kubeconfig(server.kubeconfig) as client:
            await make_cluster(client, args)
            floor_rate, our_rate = await floor(client, args), await ours(client, args)
    print(f"{args.pods} pods on {args.nodes} nodes, {args.workers} workers, real API server (SQLite)")
    print(f"  bare Binding POSTs (floor): {floor_rate:8.1f} pods/s")
    print(f"  rktnetes scheduler:         {our_rate:8.1f} pods/s   ratio ours/floor {our_rate / floor_rate:.2f}")
    print(f"  decisions alone (no API):   {decisions(args):8.1f} pods/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    asyncio.run(main(parser.parse_args()))
