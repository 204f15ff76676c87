"""Pod start latency through the cluster vs ``rkt run`` directly, alternately, in one run.

Cluster: a pod bound to the node is created through the API server (HTTPS) and timed until its status says
Running (watched): the kubelet's informer, ``rkt prepare`` + ``rkt run-prepared --detach``, the status write.
Direct: ``rkt run --detach --net=default`` of the same image from the same store, in the same node
namespace (what the kubelet runs, minus the API). Then a burst: ``--burst`` pods created at once until all
run, beside as many direct ``rkt run --detach`` four at a time (the kubelet's four sync workers). Both use
busybox from a real local registry (fetched once before timing).
Run as root: ``.venv/bin/python bench/kubelet.py [--rounds 10] [--burst 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures import kubelet  # noqa: E402

from rktnetes.client import rest  # noqa: E402


def pod(name: str, node: str, image: str) -> dict:
    container = {"name": "main", "image": image, "imagePullPolicy": "IfNotPresent",
                 "command": ["/bin/sh", "-c", "exec sleep 300"]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "containers": [container], "terminationGracePeriodSeconds": 0}}


async def through_api(client: rest.Client, node: str, image: str) -> float:
    name = f"b-{uuid.uuid4().hex[:8]}"
    start = time.perf_counter()
    created = await client.create("pods", pod(name, node, image), "default")
    async with client.watch("pods", "default", field_selector=f"metadata.name={name}",
                            resource_version=created["metadata"]["resourceVersion"]) as events:
        async for _kind, obj in events:
            if (obj.get("status") or {}).get("phase") == "Running":
                break
    took = time.perf_counter() - start
    await client.delete("pods", name, "default")
    return took


def direct(node: kubelet.Kubelet) -> float:
    start = time.perf_counter()
    pod_uuid = _run_detached(node)
    took = time.perf_counter() - start
    node.rkt("stop", "--force", pod_uuid)
    node.rkt("rm", pod_uuid)
    return took


async def burst_through_api(client: rest.Client, node: str, image: str, count: int) -> float:
    names = [f"burst-{uuid.uuid4().hex[:8]}" for _ in range(count)]
    start = time.perf_counter()
    created = [await client.create("pods", pod(name, node, image), "default") for name in names]
    waiting = set(names)
    version = min(c["metadata"]["resourceVersion"] for c in created)
    async with client.watch("pods", "default", resource_version=version) as events:
        async for _kind, obj in events:
            if obj["metadata"]["name"] in waiting and (obj.get("status") or {}).get("phase") == "Running":
                waiting.discard(obj["metadata"]["name"])
                if not waiting:
                    break
    took = time.perf_counter() - start
    for name in names:
        await client.delete("pods", name, "default")
    return took


def burst_direct(node: kubelet.Kubelet, count: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: _run_detached(node), range(count)))
    took = time.perf_counter() - start
    for found in node.rkt_pods():
        node.rkt("stop", "--force", found["uuid"])
        node.rkt("rm", found["uuid"])
    return took


def _run_detached(node: kubelet.Kubelet) -> str:
    done = node.rkt("--insecure-options=image,http", "run", "--detach", "--net=default", f"docker://{node.image()}",
                    "--exec=/bin/sh", "--", "-c", "exec sleep 300", "---")
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return done.stdout.strip().splitlines()[-1]


async def _settle(client: rest.Client, node: kubelet.Kubelet) -> None:
    """Until the kubelet has removed every pod of the last burst (deletion is asynchronous)."""
    while (await client.list("pods", "default"))["items"] or any(p["state"] == "running" for p in node.rkt_pods()):
        await asyncio.sleep(0.5)


async def bursts(node: kubelet.Kubelet, count: int) -> tuple[float, float]:
    async with rest.Client.from_kubeconfig(node.apiserver.kubeconfig) as client:
        api = await burst_through_api(client, node.node, node.image(), count)
        await _settle(client, node)
    return api, await asyncio.to_thread(burst_direct, node, count)


async def compare(node: kubelet.Kubelet, rounds: int) -> tuple[list[float], list[float]]:
    client = rest.Client.from_kubeconfig(node.apiserver.kubeconfig)
    api, rkt = [], []
    async with client:
        await through_api(client, node.node, node.image())  # fetches the image into the store
        for _ in range(rounds):
            api.append(await through_api(client, node.node, node.image()))
            rkt.append(await asyncio.to_thread(direct, node))
    return api, rkt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--burst", type=int, default=10, help="pods started at once (0: no burst)")
    opts = parser.parse_args()
    with kubelet.standalone("bench-kubelet-") as node:
        api, rkt = asyncio.run(compare(node, opts.rounds))
        burst = asyncio.run(bursts(node, opts.burst)) if opts.burst else None
    a, r = statistics.median(api), statistics.median(rkt)
    print(f"pod start through the API (create -> Running): median {a * 1000:.0f} ms over {len(api)} pods")
    print(f"rkt run --detach --net=default directly:      median {r * 1000:.0f} ms; ratio {a / r:.2f}x")
    if burst:
        print(f"burst of {opts.burst} pods: through the API {burst[0]:.2f} s, rkt run --detach x4 {burst[1]:.2f} s; "
              f"ratio {burst[0] / burst[1]:.2f}x")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
