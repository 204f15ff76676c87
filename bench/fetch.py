"""Cold ``rkt fetch docker://…/nginx`` (fetch + render into a fresh --dir) beside ``skopeo copy docker://… oci:…``
+ ``umoci unpack``, against the same real local registry, alternating rounds; then a cached ``rkt fetch``.

Both sides are real CLIs run as subprocesses, so process start-up counts on both sides. The cached fetch
is also timed in-process (the library call the kubelet makes) to separate it from Python start-up.
Run: ``.venv/bin/python bench/fetch.py [--rounds 5]``. Goals: cold ratio <= 1.5x, cached fetch <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.images import build_cached  # noqa: E402
from tests.fixtures.registry import push_layout, run_registry  # noqa: E402

from rktnetes.rkt.images import docker  # noqa: E402
from rktnetes.rkt.images.store import ImageStore  # noqa: E402

RKT = str(Path(sys.executable).parent / "rkt")
INSECURE = "--insecure-options=image,http"


def _timed(*argv: str) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def ours(ref: str, work: Path) -> float:
    return _timed(RKT, f"--dir={work / 'rkt'}", INSECURE, "fetch", f"docker://{ref}")


def peer(ref: str, work: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["skopeo", "copy", "--quiet", "--src-tls-verify=false", f"docker://{ref}",
                    f"oci:{work / 'layout'}:latest"], check=True, capture_output=True, timeout=600)
    subprocess.run(["umoci", "unpack", "--image", f"{work / 'layout'}:latest", str(work / "bundle")],
                   check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def _cpu_of(run: Callable[[], object]) -> float:
    """CPU seconds (user + system) the child processes of ``run()`` used: steadier than wall time under load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def cached(ref: str, work: Path, rounds: int) -> tuple[float, float, float, float, float]:
    """Medians of a cached fetch, in seconds: the CLI process (wall, CPU), a bare ``python -c pass`` started
    alternately with it (wall, CPU: the floor any Python CLI pays on this machine right now), and the
    in-process library call."""
    cli, floor, cli_cpu, floor_cpu = [], [], [], []
    for _ in range(rounds):
        cli_cpu.append(_cpu_of(lambda: cli.append(ours(ref, work))))
        floor_cpu.append(_cpu_of(lambda: floor.append(_timed(sys.executable, "-c", "pass"))))
    store = ImageStore(work / "rkt")
    try:
        calls = []
        for _ in range(rounds):
            start = time.perf_counter()
            docker.fetch_docker(store, f"docker://{ref}", insecure=frozenset({"image", "http"}))
            calls.append(time.perf_counter() - start)
    finally:
        store.close()
    medians = (statistics.median(v) for v in (cli, cli_cpu, floor, floor_cpu, calls))
    return tuple(medians)  # type: ignore[return-value]


def compile_bytecode() -> None:
    """Bring the package's bytecode up to date, as an install does: a working tree run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every edited module in every timed process."""
    import compileall

    import rktnetes

    compileall.compile_dir(Path(rktnetes.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cached-rounds", type=int, default=31, help="rounds of the cached fetch (cheap)")
    args = parser.parse_args()
    compile_bytecode()
    layout = build_cached("nginx").oci_layout
    with run_registry() as addr:
        ref = f"{addr}/nginx:latest"
        push_layout(layout, ref)
        mine, theirs = [], []
        for _ in range(args.rounds):
            for side, times in ((ours, mine), (peer, theirs)):
                work = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
                try:
                    times.append(side(ref, work))
                finally:
                    shutil.rmtree(work, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
        try:
            ours(ref, work)
            cli, cli_cpu, floor, floor_cpu, call = cached(ref, work, args.cached_rounds)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    ours_median, peer_median = statistics.median(mine), statistics.median(theirs)
    print(f"nginx cold fetch+render, median of {args.rounds} alternating rounds:")
    print(f"  rkt fetch docker://               {ours_median * 1000:8.0f} ms")
    print(f"  skopeo copy + umoci unpack        {peer_median * 1000:8.0f} ms")
    print(f"  ratio rkt / peer                  {ours_median / peer_median:8.2f}x   (goal <= 1.5x)")
    print(f"cached rkt fetch, median of {args.cached_rounds}: CLI process {cli * 1000:.0f} ms   (goal <= 50 ms)"
          f"   CPU {cli_cpu * 1000:.0f} ms")
    print(f"  python -c pass alternating with it {floor * 1000:.0f} ms   CPU {floor_cpu * 1000:.0f} ms;"
          f" library call {call * 1000:.2f} ms")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
