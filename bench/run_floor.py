"""The floor under ``rkt run``: what any stage0 written in CPython that runs its app under runc with rkt's
security defaults must pay, measured beside the issue's peer (``runc run`` of the default ``runc spec``).

Alternating, in the same rounds:
  * the peer: ``runc run`` of the default spec (3 capabilities, no seccomp), as bench/run.py runs it;
  * ``rkt run --net=none busybox --exec /bin/true`` (image cached);
  * ``runc run`` of the very config.json rkt's stage1 writes for that app (14 capabilities, the seccomp
    allow-list, masked paths, the pod's cgroup path), on fresh namespaces: the runtime part rkt cannot skip;
  * ``python -I -S -c pass``: the interpreter's bare start, without even the site module;
  * ``python -I -S -c "import ctypes, _sqlite3"``: plus the two libraries stage0 cannot do without on
    Python 3.11 (mount(2), unshare(2) and setns(2) have no ``os`` function before 3.12; the image store's
    index is SQLite);
  * ``python -c "import argparse, json, pathlib, sqlite3, ctypes, ..."``: the interpreter as the console
    script starts it (with site), loading the standard modules rkt's CLI is written with (argparse, json and
    pathlib each load re and enum).
Each floor is runc with rkt's config plus one of the last two: the time before stage0 has made a pod folder,
mounted an overlay, made a namespace, written a manifest or parsed a flag. Run as root:
``.venv/bin/python bench/run_floor.py [--rounds 25]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import RKT, rkt, runc_bundle, timed  # noqa: E402
from tests.fixtures.images import build_cached  # noqa: E402

LIBRARIES = "import ctypes, _sqlite3"
STDLIB = "import argparse, json, pathlib, sqlite3, ctypes, fcntl, select"


def rkt_config(root: Path, rootfs: Path, work: Path) -> tuple[Path, str]:
    """A bundle with the config.json rkt's stage1 writes for ``busybox --exec /bin/true`` (taken from a
    detached pod), on the store's tree read-only and fresh namespaces; and its cgroup parent."""
    uuid = rkt(root, "run", "--detach", "--net=none", "busybox", "--exec", "/bin/sleep", "--", "60", "---").stdout.strip()
    try:
        app = next((root / "pods" / "run" / uuid / "apps").iterdir())
        config = json.loads((app / "config.json").read_text())
    finally:
        rkt(root, "stop", "--force", uuid)
    config["process"]["args"] = ["/bin/true"]
    config["root"] = {"path": str(rootfs), "readonly": True}
    for namespace in config["linux"]["namespaces"]:
        namespace.pop("path", None)
    parent = config["linux"]["cgroupsPath"].rsplit("/", 2)[0] + "/bench-floor"
    config["linux"]["cgroupsPath"] = parent + "/app"
    bundle = work / "rkt-config"
    bundle.mkdir()
    (bundle / "config.json").write_text(json.dumps(config))
    return bundle, parent


def remove_cgroup(parent: str) -> None:
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        if " - cgroup" in line and os.path.isdir(fields[4] + parent):
            os.rmdir(fields[4] + parent)


def contenders(root: Path, default: Path, ours: Path) -> dict[str, object]:
    runc_root = str(default.parent / "runc")
    python = [sys.executable, "-I", "-S", "-c"]
    return {
        "runc run, default spec (peer)": lambda i: ["runc", "--root", runc_root, "run", "--bundle", str(default), f"d{i}"],
        "rkt run --net=none": lambda i: [RKT, "--dir", str(root), "run", "--net=none", "busybox", "--exec", "/bin/true"],
        "runc run, rkt's config": lambda i: ["runc", "--root", runc_root, "run", "--bundle", str(ours), f"r{i}"],
        "python -I -S -c pass": lambda i: [*python, "pass"],
        f"python -I -S -c '{LIBRARIES}'": lambda i: [*python, LIBRARIES],
        "python -c 'import argparse, json, pathlib, ...'": lambda i: [sys.executable, "-c", STDLIB],
    }


def report(found: dict[str, list[tuple[float, float]]], rounds: int) -> None:
    medians = {name: [statistics.median(p[k] for p in pairs) for k in (0, 1)] for name, pairs in found.items()}
    peer = next(iter(medians.values()))
    print(f"median wall / CPU ms and ratio to the peer, {rounds} rounds alternating:")
    for name, (wall, cpu) in medians.items():
        print(f"  {name:40s} {wall * 1000:6.1f} / {cpu * 1000:6.1f}   {wall / peer[0]:4.2f}x / {cpu / peer[1]:4.2f}x")
    names = list(medians)
    for what, index in (("its two libraries", 4), ("the standard modules rkt's CLI uses", 5)):
        floor = [medians[names[2]][k] + medians[names[index]][k] for k in (0, 1)]
        print(f"floor, runc with rkt's config + the interpreter with {what}: {floor[0] * 1000:.1f} ms wall = "
              f"{floor[0] / peer[0]:.2f}x, {floor[1] * 1000:.1f} ms CPU = {floor[1] / peer[1]:.2f}x (goal <= 2.5x)")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=25)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    root, parent = work / "rkt", ""
    try:
        image_id = rkt(root, "--insecure-options=image", "fetch", str(build_cached("busybox").aci)).stdout.strip()
        rootfs = next((root / "cas" / "tree").glob(f"{image_id}*")) / "rootfs"
        default = runc_bundle(rootfs, work)
        ours, parent = rkt_config(root, rootfs, work)
        runs = contenders(root, default, ours)
        found: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for i in range(opts.rounds):
            for name, argv in runs.items():
                found[name].append(timed(argv(i)))
        report(found, opts.rounds)
    finally:
        subprocess.run([RKT, "--dir", str(root), "gc", "--grace-period=0s", "--expire-prepared=0s"],
                       capture_output=True, timeout=300)
        if parent:
            remove_cgroup(parent)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
