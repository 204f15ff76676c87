"""Same-run A/B of the API server at two git revisions: server CPU per HTTPS create, p50/p99 of paced creates.

On a machine shared with other work, numbers from two separate runs compare the load of two moments more than
the code. This runs the server of ``--before`` (its ``src/`` exported with ``git archive`` into a temporary
directory) and of the work tree side by side, alternating which goes first each round, each on a fresh store
with the same load generator as ``bench/apiserver.py``, and prints the medians.

    .venv/bin/python bench/apiserver_ab.py --before 3f1264d [--rounds 5] [--creates 2000] [--backends sqlite,etcd]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import apiserver as bench  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class VersionServer(bench.Server):
    """``rktnetes apiserver`` run from the sources in ``src``."""

    def __init__(self, root: Path, store_url: str, src: Path) -> None:
        self.root, self.port = root, bench.free_port()
        code = f"import sys; sys.path.insert(0, {str(src)!r}); from rktnetes.cluster.cli import main; sys.exit(main())"
        cmd = [sys.executable, "-c", code, "apiserver", "--data-dir", str(root / "api"), "--port", str(self.port),
               "--store", store_url]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"https://127.0.0.1:{self.port}"


def export(revision: str, into: Path) -> Path:
    """The ``src/`` of ``revision``, written under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"], capture_output=True, check=True,
                             timeout=60).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True, timeout=60)
    return into / "src"


async def measure(src: Path, backend: str, pool: concurrent.futures.ProcessPoolExecutor, n: int) -> tuple:
    """(server CPU ms per create, p50 ms, p99 ms) of one fresh server."""
    root = Path(tempfile.mkdtemp(prefix="bench-apiserver-ab-"))
    (root / "api").mkdir()
    etcd = bench.Etcd(root) if backend == "etcd" else None
    try:
        if etcd:
            await asyncio.sleep(1.5)
        url = etcd.url if etcd else f"sqlite://{root / 'api' / 'state.db'}?synchronous=FULL"
        server = VersionServer(root, url, src)
        try:
            return await _rounds(server, pool, n)
        finally:
            server.stop()
    finally:
        if etcd:
            etcd.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _rounds(server: bench.Server, pool: concurrent.futures.ProcessPoolExecutor, n: int) -> tuple:
    await server.wait()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, bench.spread_creates, pool, server, "warm", 64)
    before = server.cpu_seconds()
    await loop.run_in_executor(None, bench.spread_creates, pool, server, "c-", n)
    cpu = (server.cpu_seconds() - before) * 1000 / n
    await asyncio.sleep(3)  # as bench/apiserver.py's --settle
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=server.ssl(), limit=200)) as session:
        p50, p99 = await bench.paced_latency(session, server.url, 200, 5)
    return cpu, p50, p99


async def run(args: argparse.Namespace, sources: dict[str, Path]) -> dict:
    pool = concurrent.futures.ProcessPoolExecutor(bench.CLIENT_PROCS)
    results: dict[tuple[str, str], list[tuple]] = {}
    try:
        for r in range(args.rounds):
            for backend in args.backends.split(","):
                for name in (list(sources) if r % 2 == 0 else list(sources)[::-1]):
                    out = await measure(sources[name], backend, pool, args.creates)
                    results.setdefault((backend, name), []).append(out)
                    print(f"round {r} {backend} {name}: CPU {out[0]:.3f} ms, p50 {out[1]:.1f}, p99 {out[2]:.1f} "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        pool.shutdown()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git revision to compare the work tree with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite,etcd")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-apiserver-ab-src-") as tmp:
        sources = {args.before: export(args.before, Path(tmp)), "work tree": ROOT / "src"}
        results = asyncio.run(run(args, sources))
    for (backend, name), outs in results.items():
        cpu, p50, p99 = (statistics.median(column) for column in zip(*outs, strict=True))
        print(f"{backend:6} {name:10}  server CPU ms per create {cpu:.3f}  p50 {p50:.1f} ms  p99 {p99:.1f} ms  "
              f"(p99 of each round: {', '.join(f'{o[2]:.0f}' for o in outs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
