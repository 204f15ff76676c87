"""The ReplicaSet controller on a real API server (SQLite): a ReplicaSet of --pods replicas, beside the floor.

There is no kube-controller-manager binary here, so the side-by-side peer is the cheapest possible
"controller": the same client POSTing the same pods from the same template, --concurrency at a time, no
informers, no claims, no status. The ratio (ours / floor, in pods per second) says how much of the API's pod
creation rate the controller keeps once it watches, counts, creates in slow-start batches and writes status.
Rounds alternate floor and ours in fresh namespaces; medians are printed.

    .venv/bin/python bench/controllers.py [--pods 200] [--rounds 3] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scheduler import connect, gather_limited, start_server  # noqa: E402

from rktnetes.client import rest, sharing  # noqa: E402
from rktnetes.controllers import replicaset, templates  # noqa: E402


def replica_set(replicas: int) -> dict:
    labels = {"app": "bench"}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "bench"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}


async def namespace(client: rest.Client, name: str) -> str:
    await client.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return name


async def floor(client: rest.Client, args: argparse.Namespace, ns: str) -> float:
    """Pods/s of bare POSTs of the same pods (their owner exists only here, so no controller touches them)."""
    owner = {**replica_set(0), "metadata": {"name": "floor", "namespace": ns, "uid": f"floor-{ns}"}}
    start = time.perf_counter()
    await gather_limited(args.concurrency, [client.create("pods", templates.pod_for(owner), ns)
                                            for _ in range(args.pods)])
    return args.pods / (time.perf_counter() - start)


async def ours(client: rest.Client, args: argparse.Namespace, ns: str) -> float:
    """Pods/s from the ReplicaSet's creation until its status reports every replica."""
    factory = sharing.InformerFactory(client)
    controller = replicaset.ReplicaSetController(client, factory)
    factory.start()
    await factory.wait_for_sync()
    task = asyncio.create_task(controller.run(2))
    start = time.perf_counter()
    await client.create("replicasets.apps", replica_set(args.pods), ns)
    while ((controller.owners.cache.get(f"{ns}/bench") or {}).get("status") or {}).get("replicas") != args.pods:
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - start
    controller.shutdown()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await factory.stop()
    return args.pods / elapsed


async def main(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-controllers-"))
    server, kubeconfig = start_server(root)
    floors, ourss = [], []
    try:
        client = await connect(kubeconfig)
        async with client:
            for i in range(args.rounds):
                floors.append(await floor(client, args, await namespace(client, f"floor-{i}")))
                ourss.append(await ours(client, args, await namespace(client, f"ours-{i}")))
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)
    f, o = statistics.median(floors), statistics.median(ourss)
    print(f"ReplicaSet of {args.pods} pods, median of {args.rounds} rounds, real API server (SQLite)")
    print(f"  bare pod POSTs, {args.concurrency} at a time (floor): {f:8.1f} pods/s")
    print(f"  rktnetes ReplicaSet controller:        {o:8.1f} pods/s   ratio ours/floor {o / f:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    asyncio.run(main(parser.parse_args()))
