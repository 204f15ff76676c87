"""Throughput of ``kubectl port-forward`` vs a direct connection into the pod's network namespace, in one run.

A busybox httpd in a real rkt pod (run by the real kubelet) serves a 64 MiB file on the pod's loopback.
Each round downloads it three ways, alternately: through the real ``kubectl port-forward`` (kubectl ->
API server -> kubelet -> pod, the path a user takes), through the kubelet's ``/portForward`` alone (the
WebSocket-tunnelled SPDY session the API server would relay, spoken by the tests' client), and the peer:
a socket made inside the pod's network namespace, connected straight to httpd. Prints medians and ratios.
Run as root: ``.venv/bin/python bench/portforward.py [--rounds 5] [--mib 64]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.conftest import free_port, stop_process  # noqa: E402
from tests.fixtures import kubelet  # noqa: E402
from tests.integration.test_portforward_kubelet import TunnelClient, client_ssl  # noqa: E402

from rktnetes.kubelet import portforwarding  # noqa: E402

GET = b"GET /big HTTP/1.0\r\n\r\n"


def _download(sock: socket.socket) -> int:
    sock.sendall(GET)
    buffer, total = bytearray(1 << 20), 0
    while got := sock.recv_into(buffer):
        total += got
    sock.close()
    return total


def timed(connect, size: int) -> float:
    start = time.perf_counter()
    got = _download(connect())
    took = time.perf_counter() - start
    assert got > size, f"short read: {got} bytes"
    return took


async def _through_kubelet(url: str, pki: Path, size: int) -> float:
    async with aiohttp.ClientSession() as session, \
            session.ws_connect(url, protocols=[portforwarding.PROTOCOL], ssl=client_ssl(pki), max_msg_size=0) as ws:
        client = TunnelClient(ws)
        start = time.perf_counter()
        page, error = await client.fetch(8080, GET)
        took = time.perf_counter() - start
        assert not error and len(page) > size, (error, len(page))
        return took


def _pod(node: kubelet.Kubelet, mib: int) -> str:
    serve = f"mkdir -p /www; head -c {mib << 20} /dev/zero > /www/big; exec httpd -f -p 127.0.0.1:8080 -h /www"
    container = {"name": "web", "image": node.image(), "command": ["/bin/sh", "-c", serve]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"nodeName": node.node, "containers": [container], "terminationGracePeriodSeconds": 1}}
    node.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    node.wait_phase("default", "web", "Running", timeout=120)
    node.wait_for("httpd", lambda: ":8080 " in node.apiserver.kubectl(
        "exec", "web", "--", "netstat", "-ltn", check=False).stdout, timeout=60)
    return next(p["netns"] for p in node.rkt_pods() if p["state"] == "running")


def _forwarding(node: kubelet.Kubelet) -> tuple[subprocess.Popen, int]:
    local = free_port()
    proc = subprocess.Popen(["kubectl", "port-forward", "--address=127.0.0.1", "pod/web", f"{local}:8080"],
                            env=node.apiserver.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout.readline().startswith("Forwarding from")
    return proc, local


def compare(node: kubelet.Kubelet, rounds: int, mib: int) -> dict[str, list[float]]:
    netns, size = _pod(node, mib), mib << 20
    proc, local = _forwarding(node)
    url = f"https://127.0.0.1:{node.port}/portForward/default/web"
    ways = {"kubectl port-forward": lambda: timed(lambda: socket.create_connection(("127.0.0.1", local)), size),
            "kubelet /portForward": lambda: asyncio.run(_through_kubelet(url, node.apiserver.data_dir / "pki", size)),
            "direct, in the netns": lambda: timed(lambda: _direct(netns), size)}
    try:
        for way in ways.values():
            way()  # warm: page cache, connections, the interpreter's paths
        return {name: [way() for _ in range(rounds)] for name, way in ways.items()}
    finally:
        stop_process(proc, grace=5)


def _direct(netns: str) -> socket.socket:
    sock = portforwarding.socket_in(netns)
    sock.connect(("127.0.0.1", 8080))
    return sock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mib", type=int, default=64)
    opts = parser.parse_args()
    with kubelet.standalone("bench-portforward-") as node:
        found = compare(node, opts.rounds, opts.mib)
    direct = statistics.median(found["direct, in the netns"])
    for name, times in found.items():
        took = statistics.median(times)
        print(f"{name}: {opts.mib / took:7.1f} MiB/s (median of {len(times)} x {opts.mib} MiB, {took * 1000:.0f} ms); "
              f"{took / direct:.1f}x the direct time")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
