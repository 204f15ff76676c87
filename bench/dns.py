"""Cluster DNS: queries/s and latency of ``rktnetes dns`` beside Debian's dnsmasq serving the same records.

Both serve --services Service names (``svc-N.bench.svc.cluster.local`` -> its ClusterIP): ours from a real API
server through its informers, dnsmasq from a hosts file holding the same name -> IP pairs. One load generator
(UDP, --window queries in flight, IDs matched to measure each query's latency) drives each server for
--seconds, alternating servers for --rounds rounds; medians per server and the ratios are printed. Loads:

  same-case   Service names, the same few thousand query byte strings again and again (what pods send)
  mixed-case  Service names, each query in a fresh random letter case (DNS 0x20): no two queries have the
              same bytes
  distinct    --pods pod names (a-b-c-d.bench.pod.cluster.local, in dnsmasq's hosts file too), each asked
              once in the whole run: every one of our answers is computed, none comes from a cache
  forwarded   names outside the cluster, which both servers forward to a third server (another dnsmasq);
              the peer dnsmasq runs with --cache-size=0 for this load, as we keep no forwarded answers

    .venv/bin/python bench/dns.py [--services 200] [--seconds 3] [--rounds 3] [--window 32]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import selectors
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Python puts this script's folder first on sys.path, where this file (dns.py) would hide dnspython's "dns"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import dns.message  # noqa: E402
import dns.query  # noqa: E402

from rktnetes.client import rest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.apiserver import serve  # noqa: E402
from tests.fixtures.dns import Dnsmasq, DnsServer  # noqa: E402

NAMESPACE = "bench"


def name(i: int) -> str:
    return f"svc-{i}.{NAMESPACE}.svc.cluster.local"


async def make_services(kubeconfig: Path, count: int) -> dict[str, str]:
    """Create the Services; their names and allocated ClusterIPs."""
    async with rest.Client.from_kubeconfig(kubeconfig) as client:
        await client.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        gate = asyncio.Semaphore(8)

        async def one(i: int) -> tuple[str, str]:
            body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}"},
                    "spec": {"ports": [{"name": "http", "port": 80}]}}
            async with gate:
                created = await client.create("services", body, NAMESPACE)
            return name(i), created["spec"]["clusterIP"]
        return dict(await asyncio.gather(*(one(i) for i in range(count))))


def pod_names(count: int) -> dict[str, str]:
    ips = random.sample(range(1 << 16), count)
    return {f"10-244-{i >> 8}-{i & 255}.{NAMESPACE}.pod.cluster.local": f"10.244.{i >> 8}.{i & 255}" for i in ips}


def mixed_case(text: str) -> str:
    return "".join(c.upper() if random.random() < 0.5 else c for c in text)


def queries(names: list[str], mixed: bool, count: int) -> list[bytes]:
    pick = [random.choice(names) for _ in range(count)]
    return [dns.message.make_query(mixed_case(n) if mixed else n, "A").to_wire() for n in pick]


def _drain(sock: socket.socket, sent: dict[int, float], latencies: list[float]) -> None:
    while True:
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return
        t0 = sent.pop(int.from_bytes(data[:2], "big"), None)
        if t0 is not None:
            latencies.append(time.perf_counter() - t0)


def blast(address: tuple[str, int], wires: Iterator[bytes], seconds: float, window: int) -> tuple[float, float, float]:
    """Queries/s, p50 and p99 latency (ms) of ``seconds`` of load with ``window`` queries in flight."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(address)
    sock.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    sent: dict[int, float] = {}
    latencies: list[float] = []
    next_id, start = 0, time.perf_counter()
    while time.perf_counter() < start + seconds:
        while len(sent) < window:
            qid = next_id & 0xFFFF
            sent[qid] = time.perf_counter()
            sock.send(qid.to_bytes(2, "big") + next(wires)[2:])
            next_id += 1
        if selector.select(0.5):
            _drain(sock, sent, latencies)
        else:
            sent.clear()  # lost in flight: start a fresh window
    elapsed = time.perf_counter() - start
    selector.close()
    sock.close()
    latencies.sort()
    return len(latencies) / elapsed, latencies[len(latencies) // 2] * 1e3, latencies[int(len(latencies) * 0.99)] * 1e3


def check_same_answers(ours: tuple[str, int], peer: tuple[str, int], records: dict[str, str]) -> None:
    for qname in random.sample(sorted(records), min(20, len(records))):
        for address in (ours, peer):
            response = dns.query.udp(dns.message.make_query(qname, "A"), address[0], port=address[1], timeout=2)
            got = [r.address for rrset in response.answer for r in rrset]
            if got != [records[qname]]:
                raise SystemExit(f"{address} answered {got} for {qname}, want {records[qname]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (less sensitive to a busy machine than queries/s)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(pid: int, address: tuple[str, int], wires: Iterator[bytes], args: argparse.Namespace) -> tuple:
    """blast() and the server's CPU µs per answered query."""
    before = cpu_seconds(pid)
    qps, p50, p99 = blast(address, wires, args.seconds, args.window)
    return qps, p50, p99, (cpu_seconds(pid) - before) / (qps * args.seconds) * 1e6


def report(results: dict[str, list[tuple]], load: str) -> None:
    medians = {who: [statistics.median(r[i] for r in runs) for i in range(4)] for who, runs in results.items()}
    for who, (qps, p50, p99, cpu) in medians.items():
        print(f"{load:10s} {who:13s} {qps:9.0f} q/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   "
              f"server CPU {cpu:5.1f} µs/query")
    (oq, _, op99, ocpu), (dq, _, dp99, dcpu) = medians["rktnetes dns"], medians["dnsmasq"]
    print(f"{load:10s} ratio ours/dnsmasq: throughput {oq / dq:.2f}x, p99 {op99 / dp99:.2f}x, "
          f"CPU per query {ocpu / dcpu:.2f}x")


def upstream_names(count: int) -> dict[str, str]:
    return {f"host-{i}.example": f"192.0.2.{i % 250 + 1}" for i in range(count)}


def start_servers(apiserver, workdir: Path, local: dict[str, str], outside: dict[str, str], started: list) -> dict:
    """The upstream, our server and two dnsmasq peers (caching for local names, not for forwarded ones); each
    is added to ``started`` as it starts, for the caller to stop."""
    for file, names in (("hosts", local), ("upstream-hosts", outside)):
        (workdir / file).write_text("".join(f"{ip} {qname}\n" for qname, ip in names.items()))
    upstream = Dnsmasq(workdir / "upstream-hosts", cache=10000)
    servers = {"upstream": upstream, "ours": DnsServer(apiserver.kubeconfig, [f"127.0.0.1:{upstream.port}"]),
               "peer": Dnsmasq(workdir / "hosts", cache=10000),
               "forwarding peer": Dnsmasq(workdir / "hosts", cache=0, servers=(f"127.0.0.1#{upstream.port}",))}
    for server in servers.values():
        server.start()
        started.append(server)
    return servers


def run(args: argparse.Namespace, apiserver) -> None:
    records = asyncio.run(make_services(apiserver.kubeconfig, args.services))
    pods, outside = pod_names(args.pods), upstream_names(1000)
    workdir = Path(tempfile.mkdtemp(prefix="rktnetes-bench-dns-"))
    started: list = []
    try:
        servers = start_servers(apiserver, workdir, records | pods, outside, started)
        ours, peer, forwarder = servers["ours"], servers["peer"], servers["forwarding peer"]
        check_same_answers(ours.address, ("127.0.0.1", peer.port), records | pods)
        check_same_answers(ours.address, ("127.0.0.1", forwarder.port), outside)
        loads = {"same-case": (queries(sorted(records), False, 20000), peer),
                 "mixed-case": (queries(sorted(records), True, 20000), peer),
                 "distinct": ([dns.message.make_query(n, "A").to_wire() for n in pods], peer),
                 "forwarded": (queries(sorted(outside), False, 20000), forwarder)}
        for load, (wires, dnsmasq) in loads.items():
            contenders = {"rktnetes dns": (ours.process.pid, ours.address),
                          "dnsmasq": (dnsmasq.process.pid, ("127.0.0.1", dnsmasq.port))}
            streams = {who: itertools.cycle(wires) for who in contenders}  # "distinct" never repeats within a server
            results: dict[str, list] = {who: [] for who in contenders}
            for _ in range(args.rounds):
                for who, (pid, address) in contenders.items():
                    results[who].append(measured(pid, address, streams[who], args))
            report(results, load)
    finally:
        for server in started:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--pods", type=int, default=50000, help="distinct pod names for the distinct load")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=int, default=32)
    args = parser.parse_args()
    print(f"{args.services} services, {args.rounds} rounds x {args.seconds:g} s per server and load, "
          f"{args.window} in flight; load average {os.getloadavg()[0]:.2f}")
    for apiserver in serve(None):
        run(args, apiserver)


if __name__ == "__main__":
    main()
