"""Pods: ``rkt run --net=none busybox --exec /bin/true`` (image cached) beside ``runc run`` of the same
rootfs, alternately, in one run; then 50 pods in a row; then ``rkt run --detach`` (until the pod runs, as
the kubelet waits for it) and the supervisor's RSS per running pod.

The busybox ACI comes from ``recipes/busybox.yaml`` (built once, cached). Run as root:
``.venv/bin/python bench/run.py [--rounds 15] [--pods 50] [--rss-pods 5] [--phases 9]``; ``--phases`` runs
also print where one ``rkt run`` spends its wall and CPU time, phase by phase.
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


# One ``rkt run`` timed from the inside: the CLI runs in a child interpreter whose pod-start functions are
# wrapped to record wall and CPU time (the imports they need are paid up front, as "imports"). The child
# leaves as the console script does (``console.entrypoint``: exit handlers, then ``os._exit``); the parent passes
# its clock (``perf_counter`` is CLOCK_MONOTONIC, shared by both processes) so the interpreter's start-up
# before the first line, and the exit after the last, are phases too: the whole wall time is accounted for.
PHASE_SCRIPT = """
import sys, time
start = (time.perf_counter(), time.process_time())
import json
spent = {"interpreter start": (start[0] - float(sys.argv[1]), start[1])}
out, sys.argv = sys.argv[2], ["rkt", *sys.argv[3:]]
def clock():
    return time.perf_counter(), time.process_time()
def wrap(owner, name):
    inner = getattr(owner, name)
    def timed(*args, **kwargs):
        began = clock()
        try:
            return inner(*args, **kwargs)
        finally:
            ended = clock()
            spent[name] = (ended[0] - began[0], ended[1] - began[1])
    setattr(owner, name, timed)
import gc
gc.disable()  # as the console script's entry point does, before the CLI's imports
from rktnetes.rkt.cli import console
from rktnetes.rkt.images import fetching, store
from rktnetes.rkt.pods import running, stage0
from rktnetes.rkt.stage1 import apps, supervisor, teardown, waiting
now = clock()
spent["imports"] = (now[0] - start[0], now[1] - start[1])
for owner, name in ((stage0, "resolve_images"), (stage0, "prepare"), (supervisor.Supervisor, "setup"),
                    (supervisor.Supervisor, "bundle"), (apps, "wait_created"), (waiting, "pump"),
                    (teardown, "teardown"), (running, "run_foreground")):
    wrap(owner, name)
def report():
    spent["total in-process"] = (time.perf_counter() - start[0], time.process_time() - start[1])
    spent["ended"] = (time.perf_counter(), 0.0)
    open(out, "w").write(json.dumps(spent))
import atexit
atexit.register(report)
console.entrypoint()
"""


def phases(root: Path, rounds: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) of each phase of ``rkt run --net=none busybox --exec /bin/true``, one list per phase,
    from the spawn of the interpreter to its reaping."""
    found: dict[str, list[tuple[float, float]]] = {}
    out = root.parent / "phases.json"
    for _ in range(rounds):
        spawned = time.perf_counter()
        subprocess.run([sys.executable, "-c", PHASE_SCRIPT, repr(spawned), str(out), "--dir", str(root), "run",
                        "--net=none", "busybox", "--exec", "/bin/true"], check=True, capture_output=True,
                       timeout=120, env=ENV)
        reaped = time.perf_counter()
        spent = json.loads(out.read_text())
        spent["exit (to reaped)"] = (reaped - spent.pop("ended")[0], 0.0)
        spent["whole process"] = (reaped - spawned, 0.0)
        for name, pair in spent.items():
            found.setdefault(name, []).append(tuple(pair))
    return found


def print_phases(found: dict[str, list[tuple[float, float]]]) -> None:
    print("phases of one rkt run (median wall / CPU ms; stage0: prepare includes resolve_images, "
          "run_foreground includes the rest but imports; CPU of the start is the interpreter's own):")
    for name, pairs in found.items():
        wall, cpu = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
        print(f"  {name:18s} {wall * 1000:6.1f} / {cpu * 1000:5.1f}")


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
    parser.add_argument("--phases", type=int, default=9, help="runs timed phase by phase (0: none)")
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
        if opts.phases:
            print_phases(phases(root, opts.phases))
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
