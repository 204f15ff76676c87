"""Pod start with the default network vs --net=none vs runc, and network teardown cost per pod.

Everything runs inside a throwaway test-host network namespace (deleted at the end), alternating the
contenders round by round so machine load hits them alike. Three levels are measured:
  * ``rkt run`` of busybox ``/bin/true`` with --net=default and --net=none, beside ``runc run`` of the same
    static busybox in a bundle of its own (runc's default spec gives it a fresh netns, as --net=none);
  * the networking library alone: netns + loopback + CNI ADD of ``default`` (what --net=default adds);
  * teardown per pod: CNI DEL of ``default`` with the netns alive (ptp deletes the veth and its masquerade
    rules one iptables commit at a time) vs stage1's order: unmount the netns (the kernel deletes its veths
    in a batch), then DEL (releases the address; masquerade removed in one iptables-restore).
The start contenders also get the median CPU time of their process tree, steadier than wall time when
the machine is loaded. Run: ``.venv/bin/python bench/net.py [--rounds 10]``.
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
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.images import build_cached  # noqa: E402
from tests.fixtures.testhost import TestHost  # noqa: E402

from rktnetes.rkt.networking import podnet  # noqa: E402

RKT = str(Path(sys.executable).with_name("rkt"))


# as an installed package would be: byte-compiled once, not compiled again on every start
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], cpu: dict[str, float] | None = None, name: str = "") -> float:
    """Wall time; with ``cpu``, also the CPU time (user + system) of the whole process tree under ``name``
    (steadier than wall time on a loaded machine; a pod's network DELs, left to a detached process, are
    not in it)."""
    used, start = _children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, timeout=120, env=ENV)
    if cpu is not None:
        cpu[name] = _children_cpu() - used
    return time.perf_counter() - start


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def runc_bundle(work: Path) -> Path:
    bundle = work / "bundle"
    (bundle / "rootfs" / "bin").mkdir(parents=True)
    shutil.copy("/bin/busybox", bundle / "rootfs" / "bin" / "busybox")
    subprocess.run(["runc", "spec", "--bundle", str(bundle)], check=True, timeout=30)
    spec = json.loads((bundle / "config.json").read_text())
    spec["process"].update(args=["/bin/busybox", "true"], terminal=False)
    (bundle / "config.json").write_text(json.dumps(spec))
    return bundle


def rkt_argv(host: TestHost, root: Path, net: str) -> list[str]:
    return ["nsenter", f"--net={host.path}", RKT, "--dir", str(root), "--insecure-options=image", "run",
            f"--net={net}", "busybox", "--exec", "/bin/true"]


def start_round(host: TestHost, root: Path, bundle: Path, runc_root: Path,
                cpu: dict[str, float] | None = None) -> dict[str, float]:
    runc = ["nsenter", f"--net={host.path}", "runc", "--root", str(runc_root), "run", "--bundle", str(bundle),
            f"b-{uuid.uuid4().hex[:8]}"]
    return {name: timed(argv, cpu, name) for name, argv in (
        ("runc run", runc), ("rkt run --net=none", rkt_argv(host, root, "none")),
        ("rkt run --net=default", rkt_argv(host, root, "default")))}


def library_round(host: TestHost, work: Path, plan: podnet.PodNetPlan) -> dict[str, float]:
    out = {}
    for gone in (False, True):
        pod_uuid = str(uuid.uuid4())
        pod = work / pod_uuid
        pod.mkdir()
        with host.entered():
            start = time.perf_counter()
            netns = host.pod_netns()
            podnet.up(pod, pod_uuid, netns, plan, work / "data")
            out["netns + CNI ADD default"] = time.perf_counter() - start
            start = time.perf_counter()
            if gone:  # stage1's order: unmount the netns (the kernel batches the veths), then DEL
                host.drop_netns(netns)
            podnet.down(pod, pod_uuid)
            out["umount netns, then DEL" if gone else "DEL with netns alive"] = time.perf_counter() - start
        if not gone:
            host.drop_netns(netns)
    return out


def report(samples: dict[str, list[float]], cpu: dict[str, list[float]]) -> None:
    runc = statistics.median(samples["runc run"])
    for name, values in samples.items():
        median = statistics.median(values)
        used = f"   CPU {statistics.median(cpu[name]) * 1000:6.1f} ms" if name in cpu else ""
        print(f"{name:28s} median {median * 1000:8.1f} ms   {median / runc:5.2f}x runc run{used}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    host = TestHost(f"rkbench-{uuid.uuid4().hex[:6]}")
    work = Path(tempfile.mkdtemp(prefix="rkt-net-bench-"))
    try:
        subprocess.run(["ip", "netns", "add", host.name], check=True, timeout=30)
        host.run(["ip", "link", "set", "lo", "up"])
        root = work / "rkt"
        subprocess.run([RKT, "--dir", str(root), "--insecure-options=image", "fetch",
                        str(build_cached("busybox").aci)], check=True, capture_output=True, timeout=300)
        bundle, plan = runc_bundle(work), podnet.plan(work / "etc")
        samples: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        start_round(host, root, bundle, work / "runc")  # warm caches
        for _ in range(rounds):
            used: dict[str, float] = {}
            for name, value in {**start_round(host, root, bundle, work / "runc", used),
                                **library_round(host, work, plan)}.items():
                samples.setdefault(name, []).append(value)
            for name, value in used.items():
                cpu.setdefault(name, []).append(value)
        report(samples, cpu)
    finally:
        subprocess.run(["nsenter", f"--net={host.path}", RKT, "--dir", str(work / "rkt"), "gc",
                        "--grace-period=0s"], capture_output=True, timeout=300)
        host.delete()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
