"""API server benchmark, SQLite and etcd side by side (issue 5's Benchmark section).

For each backend, in one run: pod creates/s over HTTPS with 16 concurrent clients against raw store commits/s
of the very store the server runs on, at the same durability (sqlite ``synchronous=``, FULL by default like the
server's) and the same concurrency, 16 writers (ratio goal >= 0.3). The clients are lean (raw aiohttp, keep-alive)
and spread over 4 processes so the load generator is not the bottleneck: its CPU per request is printed; p50/p99 of creates paced at 200 req/s (goal p99 <= 50 ms); the time
to LIST 10,000 pods; 100 concurrent watchers each seeing every event; the server's RSS holding 10,000 pods.
The ceiling lines say what this machine allows at all: the server's and the load generator's CPU per empty
HTTPS request (``GET /healthz``, same TLS, HTTP and middleware as a create), measured in the same run, and
cores / (server + client CPU per request) for empty requests and for creates as they cost today.

    .venv/bin/python bench/apiserver.py [--pods 10000] [--creates 2000] [--backends sqlite,etcd] [--durability FULL]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import orjson

from rktnetes import store as store_pkg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.conftest import free_port  # noqa: E402

CLIENTS = 16
CLIENT_PROCS = 4
WARM = 32  # keep-alive connections the paced client opens before it starts


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}}


def client_ssl(pki: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    ctx.load_cert_chain(pki / "rktnetes-admin.crt", pki / "rktnetes-admin.key")
    return ctx


class Etcd:
    def __init__(self, root: Path) -> None:
        self.port, peer = free_port(), free_port()
        url, peer_url = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{peer}"
        self.proc = subprocess.Popen(
            ["etcd", "--name", "b", "--data-dir", str(root / "etcd"), "--listen-client-urls", url,
             "--advertise-client-urls", url, "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls",
             peer_url, "--initial-cluster", f"b={peer_url}", "--log-level", "error", "--logger", "zap"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"etcd://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Server:
    def __init__(self, root: Path, store_url: str | None) -> None:
        self.root, self.port = root, free_port()
        cmd = [str(Path(sys.executable).with_name("rktnetes")), "apiserver", "--data-dir", str(root / "api"),
               "--port", str(self.port)] + (["--store", store_url] if store_url else [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"https://127.0.0.1:{self.port}"

    def ssl(self) -> ssl.SSLContext:
        return client_ssl(self.root / "api" / "pki")

    async def wait(self) -> None:
        for _ in range(300):
            try:
                async with aiohttp.ClientSession() as s, s.get(self.url + "/readyz", ssl=self.ssl()) as r:
                    if r.status == 200:
                        return
            except (OSError, aiohttp.ClientError, ssl.SSLError):
                await asyncio.sleep(0.1)
        raise RuntimeError("apiserver did not start")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


async def raw_commits(url: str, n: int, prefix: str) -> float:
    """Commits/s of the bare store with 16 concurrent writers of pod-sized values."""
    st = await store_pkg.open_store(url)
    value = orjson.dumps(pod("x"))
    counter = iter(range(n))

    async def writer() -> None:
        for i in counter:
            await st.create(f"/raw/{prefix}/{i}", value)

    began = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(CLIENTS)))
    rate = n / (time.perf_counter() - began)
    await st.close()
    return rate


async def paced(one: Callable[[int], Awaitable[None]], rate: int, seconds: float) -> None:
    """Start ``one(i)`` at ``rate`` per second (open loop: a slow call does not delay the next) and await them all."""
    tasks, start = [], time.perf_counter()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)


async def raw_paced(url: str, rate: int, seconds: float) -> float:
    """p99 (ms) of bare store creates paced at ``rate``/s: the floor under the API's paced p99 (an etcd commit
    waits for its fsync, and that disk's tail shows through every layer above it)."""
    st = await store_pkg.open_store(url)
    value, latencies = orjson.dumps(pod("x")), []

    async def one(i: int) -> None:
        began = time.perf_counter()
        await st.create(f"/rawpaced/{i}", value)
        latencies.append(time.perf_counter() - began)

    await paced(one, rate, seconds)
    await st.close()
    return statistics.quantiles(latencies, n=100)[98] * 1000


async def api_creates(session: aiohttp.ClientSession, url: str, prefix: str, n: int, clients: int = CLIENTS) -> float:
    counter = iter(range(n))

    async def client() -> None:
        for i in counter:
            async with session.post(f"{url}/api/v1/namespaces/default/pods", data=orjson.dumps(pod(f"{prefix}{i}")),
                                    headers={"Content-Type": "application/json"}) as r:
                if r.status != 201:
                    raise RuntimeError(await r.text())
                await r.read()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return n / (time.perf_counter() - began)


async def empty_requests(session: aiohttp.ClientSession, url: str, n: int, clients: int) -> None:
    """``GET /healthz``: a handler with nothing to do, through the same TLS, HTTP and middleware as a create."""
    counter = iter(range(n))

    async def client() -> None:
        for _ in counter:
            async with session.get(f"{url}/healthz") as r:
                await r.read()

    await asyncio.gather(*(client() for _ in range(clients)))


def _client_process(url: str, pki: str, prefix: str, n: int, clients: int, empty: bool = False) -> float:
    """One load-generator process: ``clients`` keep-alive connections; its CPU seconds."""
    async def run() -> None:
        conn = aiohttp.TCPConnector(ssl=client_ssl(Path(pki)), limit=clients)
        async with aiohttp.ClientSession(connector=conn) as session:
            if empty:
                await empty_requests(session, url, n, clients)
            else:
                await api_creates(session, url, prefix, n, clients)

    before = time.process_time()
    asyncio.run(run())
    return time.process_time() - before


def spread_creates(pool: concurrent.futures.ProcessPoolExecutor, server: Server, prefix: str,
                   n: int, empty: bool = False) -> tuple[float, float]:
    """Creates/s of 16 clients spread over the pool's processes, and the clients' CPU ms per create (with
    ``empty``: of empty requests)."""
    share, pki = n // CLIENT_PROCS, str(server.root / "api" / "pki")
    began = time.perf_counter()
    futures = [pool.submit(_client_process, server.url, pki, f"{prefix}p{p}-", share, CLIENTS // CLIENT_PROCS, empty)
               for p in range(CLIENT_PROCS)]
    cpu = sum(f.result() for f in futures)
    return share * CLIENT_PROCS / (time.perf_counter() - began), cpu * 1000 / (share * CLIENT_PROCS)


async def warm(session: aiohttp.ClientSession, url: str, connections: int) -> None:
    """Open ``connections`` keep-alive connections in ``session`` (concurrent requests make the pool grow)."""
    async def one() -> None:
        async with session.get(f"{url}/readyz") as r:
            await r.read()
            await asyncio.sleep(0.05)  # hold the connection so the others cannot reuse it

    await asyncio.gather(*(one() for _ in range(connections)))


async def paced_latency(session: aiohttp.ClientSession, url: str, rate: int, seconds: float,
                        prefix: str = "paced") -> tuple[float, float]:
    """p50/p99 of creates paced at ``rate``/s. The session first opens ``WARM`` keep-alive connections, as a
    Kubernetes client keeps its one HTTP/2 connection open: the figure is the latency of a request, not of the
    TLS handshakes a cold pool would add whenever requests overlap (~2.6 ms of server CPU each, measured)."""
    latencies: list[float] = []
    await warm(session, url, WARM)

    async def one(i: int) -> None:
        began = time.perf_counter()
        async with session.post(f"{url}/api/v1/namespaces/default/pods", json=pod(f"{prefix}{i}")) as r:
            assert r.status == 201, await r.text()
        latencies.append(time.perf_counter() - began)

    await paced(one, rate, seconds)
    q = statistics.quantiles(latencies, n=100)
    return q[49] * 1000, q[98] * 1000


async def timed_list(session: aiohttp.ClientSession, url: str) -> tuple[float, int]:
    began = time.perf_counter()
    async with session.get(f"{url}/api/v1/pods") as r:
        body = await r.read()
    return time.perf_counter() - began, len(orjson.loads(body)["items"])


async def watchers(session: aiohttp.ClientSession, url: str, count: int, events: int) -> float:
    async with session.get(f"{url}/api/v1/namespaces/default/pods?limit=1") as r:
        rv = (await r.json())["metadata"]["resourceVersion"]
    ready = asyncio.Event()
    opened = [0]

    async def watch() -> int:
        seen = 0
        async with session.get(f"{url}/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}"
                               "&labelSelector=w%3D1&timeoutSeconds=120") as r:
            opened[0] += 1
            if opened[0] == count:
                ready.set()
            async for _line in r.content:
                seen += 1
                if seen == events:
                    return seen
        return seen

    tasks = [asyncio.create_task(watch()) for _ in range(count)]
    await ready.wait()
    began = time.perf_counter()
    for i in range(events):
        body = pod(f"watched{i}")
        body["metadata"]["labels"]["w"] = "1"
        async with session.post(f"{url}/api/v1/namespaces/default/pods", json=body) as r:
            assert r.status == 201
    seen = await asyncio.gather(*tasks)
    assert all(s == events for s in seen), seen
    return time.perf_counter() - began


async def bench_backend(name: str, args: argparse.Namespace) -> dict:
    root = Path(tempfile.mkdtemp(prefix=f"bench-apiserver-{name}-"))
    etcd = Etcd(root) if name == "etcd" else None
    pool = concurrent.futures.ProcessPoolExecutor(CLIENT_PROCS)
    try:
        if etcd:
            await asyncio.sleep(1.5)
        else:
            (root / "api").mkdir()
        sync = f"?synchronous={args.durability}"
        raw_url = etcd.url if etcd else f"sqlite://{root / 'raw.db'}{sync}"
        server = Server(root, etcd.url if etcd else f"sqlite://{root / 'api' / 'state.db'}{sync}")
        try:
            await server.wait()
            conn = aiohttp.TCPConnector(ssl=server.ssl(), limit=200)
            async with aiohttp.ClientSession(connector=conn) as session:
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, spread_creates, pool, server, "warm", 16 * CLIENT_PROCS)
                floor = await loop.run_in_executor(None, empty_floor, pool, server, args.creates)  # server quiet
                raws, apis, cpu, client_cpu = [], [], 0.0, []
                for r in range(args.rounds):  # alternate, so both sides see the same machine load
                    raws.append(await raw_commits(raw_url, args.creates, f"r{r}"))
                    before = server.cpu_seconds()
                    rate, ccpu = await loop.run_in_executor(None, spread_creates, pool, server, f"c{r}-", args.creates)
                    apis.append(rate)
                    client_cpu.append(ccpu)
                    cpu += server.cpu_seconds() - before
                raw, api = statistics.median(raws), statistics.median(apis)
                cpu_ms = cpu * 1000 / (args.creates * args.rounds)
                await asyncio.sleep(args.settle)  # steady state: the burst's WAL checkpoint is not in the window
                p50, p99 = await paced_latency(session, server.url, 200, args.paced_seconds)
                raw_p99 = await raw_paced(raw_url, 200, args.paced_seconds)
                made = args.creates * args.rounds + 200 * int(args.paced_seconds) + 16 * CLIENT_PROCS
                await api_creates(session, server.url, "fill", max(0, args.pods - made))
                list_s, listed = await timed_list(session, server.url)
                watch_s = await watchers(session, server.url, 100, args.watch_events)
                rss = server.rss_mb()
        finally:
            server.stop()
    finally:
        pool.shutdown()
        if etcd:
            etcd.stop()
        shutil.rmtree(root, ignore_errors=True)
    client_ms, cores = statistics.median(client_cpu), os.cpu_count() or 1
    return {"raw": raw, "api": api, "ratio": api / raw, "cpu_ms": cpu_ms, "capacity": 1000 / cpu_ms,
            "client_ms": client_ms, "empty_server_ms": floor[0], "empty_client_ms": floor[1],
            "empty_ceiling": cores * 1000 / sum(floor), "create_ceiling": cores * 1000 / (cpu_ms + client_ms),
            "ratio_ceiling": cores * 1000 / sum(floor) / raw,
            "p50": p50, "p99": p99, "raw_p99": raw_p99, "list_s": list_s, "listed": listed, "watch_s": watch_s, "rss": rss}


def empty_floor(pool: concurrent.futures.ProcessPoolExecutor, server: Server, n: int) -> tuple[float, float]:
    """Server and client CPU ms per empty HTTPS request: the part of a create no handler work can remove."""
    before = server.cpu_seconds()
    _, client_ms = spread_creates(pool, server, "", n, empty=True)
    return (server.cpu_seconds() - before) * 1000 / n, client_ms


def report(results: dict[str, dict], args: argparse.Namespace) -> None:
    names = list(results)
    rows = [
        (f"raw store commits/s, 16 writers, {args.durability} (median)", "raw", "{:.0f}"),
        ("pod creates/s, HTTPS, 16 clients (median)", "api", "{:.0f}"),
        ("ratio api/raw (goal >= 0.3)", "ratio", "{:.2f}"),
        ("server CPU ms per create", "cpu_ms", "{:.2f}"),
        ("creates/s one server core could do", "capacity", "{:.0f}"),
        ("client CPU ms per create (load generator)", "client_ms", "{:.2f}"),
        ("server CPU ms per empty request (GET /healthz)", "empty_server_ms", "{:.2f}"),
        ("client CPU ms per empty request", "empty_client_ms", "{:.2f}"),
        ("ceiling on this machine: creates/s, cores/(server+client CPU)", "create_ceiling", "{:.0f}"),
        ("ceiling on this machine: empty requests/s, same", "empty_ceiling", "{:.0f}"),
        ("ceiling on this machine: ratio, empty requests/raw", "ratio_ceiling", "{:.2f}"),
        ("create p50 ms at 200 req/s", "p50", "{:.1f}"),
        ("create p99 ms at 200 req/s (goal <= 50)", "p99", "{:.1f}"),
        ("bare store create p99 ms at 200 req/s (the floor)", "raw_p99", "{:.1f}"),
        ("LIST all pods, seconds", "list_s", "{:.2f}"),
        ("pods listed", "listed", "{}"),
        (f"100 watchers x {args.watch_events} events, seconds", "watch_s", "{:.2f}"),
        ("server RSS MB with the pods", "rss", "{:.0f}"),
    ]
    print(f"{'':62}" + "".join(f"{n:>12}" for n in names))
    for label, key, fmt in rows:
        print(f"{label:62}" + "".join(f"{fmt.format(results[n][key]):>12}" for n in names))
    print(f"{os.cpu_count()} cores; load average before and after each backend: "
          + ", ".join(f"{n} {results[n]['load'][0]:.1f}->{results[n]['load'][1]:.1f}" for n in names))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--creates", type=int, default=2000, help="creates per throughput round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating raw/API rounds (medians reported)")
    parser.add_argument("--paced-seconds", type=float, default=5.0)
    parser.add_argument("--watch-events", type=int, default=50)
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds between the throughput rounds and the paced run (0: measure the aftermath)")
    parser.add_argument("--backends", default="sqlite,etcd")
    parser.add_argument("--durability", default="FULL", choices=("FULL", "NORMAL"),
                        help="sqlite synchronous= of both the server's store and the raw store (etcd always fsyncs)")
    args = parser.parse_args()
    results = {}
    for name in args.backends.split(","):
        load = os.getloadavg()[0]
        results[name] = asyncio.run(bench_backend(name, args))
        results[name]["load"] = (load, os.getloadavg()[0])
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
