"""The cost of one kubelet ``/stats/summary`` scrape with N running pods, beside ``cat`` of the same files.

Ours, two ways: the real kubelet's ``/stats/summary`` over HTTPS (a client certificate, as the API server
scrapes it), and the collector library in this process (``Collector.summary_now``: the reads, parsing and the
JSON-ready object, no HTTP). Peer: one ``cat`` process reading every file the scrape reads — each pod's and
each app's cgroup files (cpu, memory usage, memory.stat, limit, procs), a process's ``net/dev`` per pod, and
/proc/stat, /proc/meminfo, /proc/vmstat — the floor of the I/O a scrape cannot avoid (the writable layers' walk
is ours alone and is not in the peer). Alternated in the same run; medians and ratios are printed.
Run as root: ``.venv/bin/python bench/metrics.py [--pods 10] [--rounds 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import ssl
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures import kubelet  # noqa: E402

from rktnetes.kubelet import stats, statscgroups, statspods  # noqa: E402
from rktnetes.kubelet.runtime import Runtime  # noqa: E402

CGROUP_FILES = ("memory.usage_in_bytes", "memory.stat", "memory.limit_in_bytes", "cgroup.procs")
PROC_FILES = ("/proc/stat", "/proc/meminfo", "/proc/vmstat", "/proc/uptime")


def _context(node: kubelet.Kubelet) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    pki = node.apiserver.data_dir / "pki"
    context.load_cert_chain(pki / "rktnetes-admin.crt", pki / "rktnetes-admin.key")
    return context


def over_https(connection: http.client.HTTPSConnection) -> float:
    """One scrape on a kept-alive connection (as metrics-server and Prometheus keep theirs)."""
    start = time.perf_counter()
    connection.request("GET", "/stats/summary")
    answer = connection.getresponse()
    answer.read()
    if answer.status != 200:
        raise RuntimeError(f"/stats/summary answered {answer.status}")
    return time.perf_counter() - start


def files_read(collector: stats.Collector, running: list) -> list[str]:
    """Every file a scrape of ``running`` reads (the peer's argv)."""
    found = list(PROC_FILES)
    for rkt in running:
        for path in statspods.cgroup_paths(rkt):
            where = collector.roots.files(path)
            found.append(f"{where.cpu}/{'cpu.stat' if where.cpu_v2 else 'cpuacct.usage'}")
            found += [f"{where.memory}/{name}" for name in CGROUP_FILES]
        app = statspods.cgroup_paths(rkt)[-1]
        pids = statscgroups.processes(collector.roots.files(app))
        found += [f"/proc/{pids[0]}/net/dev"] if pids else []
    return found


def with_cat(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(["cat", *argv], stdout=subprocess.DEVNULL, check=True, timeout=60)
    return time.perf_counter() - start


def in_process(collector: stats.Collector, running: list) -> float:
    start = time.perf_counter()
    collector.summary_now(running)
    return time.perf_counter() - start


def start_pods(node: kubelet.Kubelet, count: int) -> None:
    for i in range(count):
        node.create_pod("default", f"m-{i}", "exec sleep 600")
    for i in range(count):
        node.wait_phase("default", f"m-{i}", "Running", timeout=300)


def measure(node: kubelet.Kubelet, pods: int, rounds: int) -> dict[str, list[float]]:
    start_pods(node, pods)
    runtime = Runtime(node.rkt_dir, node_name=node.node)
    collector = stats.Collector(node.node, node.rkt_dir, node.netns, runtime.pods)
    running = asyncio.run(collector.running())
    argv = files_read(collector, running)
    connection = http.client.HTTPSConnection("127.0.0.1", node.port, context=_context(node), timeout=60)
    asyncio.run(collector.summary(running))
    over_https(connection)  # both have an earlier sample of every cgroup: no priming in the timed rounds
    times: dict[str, list[float]] = {"https": [], "library": [], "cat": []}
    for _ in range(rounds):
        times["https"].append(over_https(connection))
        times["library"].append(in_process(collector, running))
        times["cat"].append(with_cat(argv))
    connection.close()
    print(f"{len(running)} running rkt pods; the peer reads {len(argv)} files")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=30)
    opts = parser.parse_args()
    with kubelet.standalone("bench-metrics-") as node:
        times = measure(node, opts.pods, opts.rounds)
    cat = statistics.median(times["cat"])
    for name, label in (("https", "GET /stats/summary over HTTPS"), ("library", "Collector.summary_now in-process")):
        ours = statistics.median(times[name])
        print(f"{label:34s} median {ours * 1000:7.2f} ms; ratio to cat {ours / cat:.2f}x")
    print(f"{'cat of the same files (peer)':34s} median {cat * 1000:7.2f} ms")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
