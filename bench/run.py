"""Pods: ``rkt run --net=none busybox --exec /bin/true`` (image cached) beside ``runc run`` of the same
rootfs, alternately, in one run; then 50 pods in a row; then ``rkt run --detach`` (until the pod runs, as
the kubelet waits for it) and the supervisor's RSS per running pod.

The busybox ACI comes from ``recipes/busybox.yaml`` (built once, cached). Run as root:
``.venv/bin/python bench/run.py [--rounds 15] [--pods 50] [--rss-pods 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.images import build_cached  # noqa: E402

RKT = str(Path(sys.executable).with_name("rkt"))
# as an installed package would be: byte-compiled once, not compiled again on every start
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall time, and CPU time (user + system) of the whole process tree: the CPU figure barely moves
    with the machine's load, the wall one does."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, timeout=120, env=ENV)
    return time.perf_counter() - start, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rkt(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RKT, "--dir", str(root), *args], check=True, capture_output=True, text=True, timeout=300,
                          env=ENV)


def runc_bundle(rootfs: Path, work: Path) -> Path:
    """A bundle running /bin/true from the store's own tree (read-only, as the overlay lower is)."""
    bundle = work / "bundle"
    bundle.mkdir()
    subprocess.run(["runc", "spec", "--bundle", str(bundle)], check=True)
    spec = json.loads((bundle / "config.json").read_text())
    spec["process"].update(terminal=False, args=["/bin/true"])
    spec["root"] = {"path": str(rootfs), "readonly": True}
    (bundle / "config.json").write_text(json.dumps(spec))
    return bundle


def side_by_side(root: Path, bundle: Path, rounds: int) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    ours, theirs = [], []
    for i in range(rounds):
        ours.append(timed([RKT, "--dir", str(root), "run", "--net=none", "busybox", "--exec", "/bin/true"]))
        theirs.append(timed(["runc", "--root", str(bundle.parent / "runc"), "run", "--bundle", str(bundle), f"b{i}"]))
    return ours, theirs


def in_a_row(root: Path, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        rkt(root, "run", "--net=none", "busybox", "--exec", "/bin/true")
    return time.perf_counter() - start


def detached(root: Path, count: int) -> tuple[list[str], list[float]]:
    """Start ``count`` detached pods (their app sleeps); the UUIDs and each start's duration."""
    uuids, took = [], []
    for _ in range(count):
        start = time.perf_counter()
        uuids.append(rkt(root, "run", "--detach", "--net=none", "busybox", "--exec", "/bin/sleep", "--", "60", "---")
                     .stdout.strip())
        took.append(time.perf_counter() - start)
    return uuids, took


def supervisor_rss(root: Path, uuids: list[str]) -> list[int]:
    """VmRSS (kB) of each detached pod's supervisor while its app sleeps."""
    sizes = []
    for uuid in uuids:
        pid = json.loads(rkt(root, "status", "--format=json", uuid).stdout)["pid"]
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(status.split("VmRSS:")[1].split()[0]))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--pods", type=int, default=50)
    parser.add_argument("--rss-pods", type=int, default=5)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    root = work / "rkt"
    try:
        image_id = rkt(root, "--insecure-options=image", "fetch", str(build_cached("busybox").aci)).stdout.strip()
        rootfs = next((root / "cas" / "tree").glob(f"{image_id}*")) / "rootfs"
        bundle = runc_bundle(rootfs, work)
        rkt(root, "run", "--net=none", "busybox", "--exec", "/bin/true")  # warm caches
        ours, theirs = side_by_side(root, bundle, opts.rounds)
        for what, index in (("wall", 0), ("CPU", 1)):
            mo, mt = statistics.median(o[index] for o in ours), statistics.median(t[index] for t in theirs)
            print(f"rkt run /bin/true: median {what} {mo * 1000:.0f} ms; runc run: {mt * 1000:.0f} ms; "
                  f"ratio {mo / mt:.2f}x (goal <= 2.5x), {opts.rounds} rounds alternating")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        total = in_a_row(root, opts.pods)
        print(f"{opts.pods} pods in a row: {total:.1f} s ({total / opts.pods * 1000:.0f} ms per pod)")
        uuids, took = detached(root, opts.rss_pods)
        try:
            sizes = supervisor_rss(root, uuids)
        finally:
            rkt(root, "stop", "--force", *uuids)
        print(f"rkt run --detach (until running): median {statistics.median(took) * 1000:.0f} ms, {len(took)} pods")
        print(f"supervisor RSS per running pod: median {statistics.median(sizes) / 1024:.1f} MB "
              f"(max {max(sizes) / 1024:.1f} MB, {len(sizes)} pods; goal <= 10 MB)")
    finally:
        subprocess.run([RKT, "--dir", str(root), "gc", "--grace-period=0s", "--expire-prepared=0s"],
                       capture_output=True, timeout=300)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
