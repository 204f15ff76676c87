"""``rktnetes stop`` and ``rktnetes delete``.

Stop is a machine shutdown: kubelets first (so nothing restarts pods), then every rkt pod of every node
(stopped and garbage-collected inside the node's namespace, so each CNI DEL runs where its ADD did), the
proxies, the control plane, and last the node network. The profile's state (store, PKI, images, logs) stays
for the next start. Delete stops, then removes the state directory and the kubeconfig entry; it also works
on a half-started or half-stopped profile, and checks that no mount is left under the directory first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rktnetes.cluster import components, kubeconfigs, layout, nodenet
from rktnetes.cluster.profiles import Profile
from rktnetes.cluster.spec import ClusterSpec, Node

RKT = str(Path(sys.executable).with_name("rkt"))
RKT_TIMEOUT = 120.0
Say = Callable[[str], None]


def _rkt(profile: Profile, node: Node, *args: str) -> subprocess.CompletedProcess:
    argv = [RKT, f"--dir={layout.node_rkt_dir(profile.dir, node.name)}",
            f"--local-config={layout.node_rkt_config_dir(profile.dir, node.name)}", *args]
    netns = layout.netns_path(node.netns)
    prefix = ["nsenter", f"--net={netns}"] if netns.exists() else []
    return subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=RKT_TIMEOUT, check=False)


def _stop_pods(profile: Profile, node: Node) -> None:
    """Stop the node's running rkt pods and garbage-collect every pod (CNI DEL, mounts, cgroups)."""
    if not layout.node_rkt_dir(profile.dir, node.name).exists():
        return
    listed = _rkt(profile, node, "list", "--format=json")
    pods = json.loads(listed.stdout or "[]") if listed.returncode == 0 else []
    running = [p["uuid"] for p in pods if p.get("state") == "running"]
    if running:
        _rkt(profile, node, "stop", "--force", *running)
    _rkt(profile, node, "gc", "--grace-period=0s", "--expire-prepared=0s")


def _stop(profile: Profile, names: list[str], say: Say) -> None:
    for name in names:
        if profile.halt(name):
            say(f"stopped {name}")


def stop(profile: Profile, spec: ClusterSpec, say: Say = print) -> None:
    nodes = spec.all_nodes()
    _stop(profile, [f"kubelet-{n.name}" for n in nodes], say)
    for node in nodes:
        _stop_pods(profile, node)
    _stop(profile, [f"proxy-{n.name}" for n in nodes], say)
    _stop(profile, list(reversed(components.CONTROL_PLANE)), say)
    nodenet.down(spec)


def _mounts_under(root: Path) -> list[str]:
    prefix = str(root.resolve()) + "/"
    with open("/proc/self/mounts") as f:
        points = [line.split()[1].replace("\\040", " ") for line in f]
    return [p for p in points if p.startswith(prefix)]


def delete(profile: Profile, spec: ClusterSpec | None, say: Say = print) -> None:
    """Stop (when a spec is known) and remove everything the profile made."""
    if spec is not None:
        stop(profile, spec, say)
    for point in sorted(_mounts_under(profile.dir), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True, timeout=30, check=False)
    if kubeconfigs.remove(layout.user_kubeconfig_path(), profile.name):
        say(f"removed context {profile.name!r} from {layout.user_kubeconfig_path()}")
    shutil.rmtree(profile.dir, ignore_errors=True)
    say(f"deleted profile {profile.name!r} ({profile.dir})")
