"""The proxy's two costs, each beside its floor, in one run inside a throwaway network namespace.

1. Sync: N Services x 3 endpoints (default 1000 x 3) turned into one nft transaction and applied — the first
   (whole table) and then a steady-state sync after one endpoint changed — beside bare ``nft -f`` of the same
   text (the kernel and nft's own share).
2. Connections: TCP connect + one answer through a ClusterIP (nat-output DNAT to an echo pod, with the N
   other Services in the table) beside connecting to that pod directly, alternating: the ratio is the DNAT's
   price.
Run as root: ``.venv/bin/python bench/proxy.py [--services 1000] [--connections 400] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.proxy import ECHO_PORT, EchoPod, tcp_ask  # noqa: E402
from tests.fixtures.testhost import TestHost, _ip  # noqa: E402

from rktnetes.proxy import netns, nft, tables  # noqa: E402
from rktnetes.proxy.proxier import Config, Proxier  # noqa: E402
from rktnetes.proxy.serviceports import Endpoint, ServicePort  # noqa: E402

CIDR = "10.244.0.0/16"


def _address(j: int) -> str:
    return f"10.{128 + j // 65536}.{(j // 256) % 256}.{j % 256}"


def services(n: int, moved: int = -1) -> list[ServicePort]:
    """``n`` ports with 3 endpoints each; service ``moved`` has its last endpoint replaced."""
    out = []
    for i in range(n):
        eps = [Endpoint(_address(i * 3 + k), 8080, "node-a") for k in range(3)]
        if i == moved:
            eps[2] = Endpoint("10.246.0.1", 8080, "node-a")
        out.append(ServicePort("bench", f"svc-{i}", "http", "tcp", f"10.96.{i // 250 + 10}.{i % 250 + 1}", 80,
                               endpoints=tuple(eps)))
    return out


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def sync_round(host: TestHost, n: int) -> dict[str, float]:
    proxier = Proxier(Config("node-a", host.path, CIDR))
    nft.apply(host.path, tables.deletion())
    text = tables.transaction(tables.build(services(n), proxier.node), None)
    bare = _timed(lambda: nft.apply(host.path, text))
    nft.apply(host.path, tables.deletion())
    first = _timed(lambda: proxier.sync(services(n)))
    steady = _timed(lambda: proxier.sync(services(n, moved=n // 2)))
    full = _timed(lambda: proxier.sync(services(n, moved=n // 2), full=True))
    build = _timed(lambda: tables.transaction(tables.build(services(n), proxier.node), proxier.previous))
    nft.apply(host.path, tables.deletion())
    return {"bare nft -f (whole table)": bare, "first sync (whole table)": first,
            "steady sync (1 endpoint moved)": steady, "periodic full sync": full, "build+diff only": build}


def connect_round(host: TestHost, ip: str, pod: EchoPod, count: int) -> tuple[list[float], list[float]]:
    via, direct = [], []
    for _ in range(count):
        via.append(_answered(lambda: tcp_ask(host, ip, 80)))
        direct.append(_answered(lambda: tcp_ask(host, pod.ip, ECHO_PORT)))
    return via, direct


def _answered(ask) -> float:
    start = time.perf_counter()
    if ask() != "pod-1":
        raise RuntimeError("the echo pod did not answer")
    return time.perf_counter() - start


def _p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


def _connections(host: TestHost, count: int, rounds: int, n: int) -> None:
    _ip("-n", host.name, "route", "add", "10.96.0.0/12", "dev", "th0")
    pod = EchoPod(host, 1, "pod-1")
    try:
        port = ServicePort("bench", "echo", "", "tcp", "10.96.0.50", 80, endpoints=(Endpoint(pod.ip, ECHO_PORT),))
        Proxier(Config("node-a", host.path, CIDR)).sync([*services(n), port])  # the echo Service among n others
        assert tcp_ask(host, port.cluster_ip, 80) == "pod-1", "the DNAT does not reach the pod"
        via, direct = [], []
        for _ in range(rounds):
            v, d = connect_round(host, port.cluster_ip, pod, count)
            via += v
            direct += d
        mv, md = statistics.median(via), statistics.median(direct)
        print(f"connect+answer via ClusterIP: median {mv * 1e3:.3f} ms  p99 {_p99(via) * 1e3:.3f} ms")
        print(f"connect+answer direct:        median {md * 1e3:.3f} ms  p99 {_p99(direct) * 1e3:.3f} ms")
        print(f"ratio via/direct: median {mv / md:.2f}x  p99 {_p99(via) / _p99(direct):.2f}x  ({len(via)} each)")
    finally:
        pod.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    host = TestHost(f"rkth-{uuid.uuid4().hex[:8]}")
    try:
        _ip("netns", "add", host.name)
        for argv in (["link", "set", "lo", "up"], ["link", "add", "th0", "type", "veth", "peer", "name", "th1"],
                     ["addr", "add", "192.0.2.1/24", "dev", "th0"], ["link", "set", "th1", "up"],
                     ["link", "set", "th0", "up"]):
            _ip("-n", host.name, *argv)
        netns.check(host.path)
        print(f"load average {os.getloadavg()[0]:.2f}; {args.services} services x 3 endpoints")
        results = [sync_round(host, args.services) for _ in range(args.rounds)]
        for key in results[0]:
            print(f"{key:32s} median {statistics.median(r[key] for r in results) * 1e3:8.1f} ms")
        med = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(f"ratio first sync / bare nft of the same text: {med['first sync (whole table)'] / med['bare nft -f (whole table)']:.2f}x;"
              f" steady sync / full sync: {med['steady sync (1 endpoint moved)'] / med['periodic full sync']:.3f}x")
        _connections(host, args.connections, args.rounds, args.services)
    finally:
        host.delete()


if __name__ == "__main__":
    main()
