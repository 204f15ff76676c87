"""Undo everything a pod set up, whatever point it reached: used by the supervisor on exit and by gc.

Each step is idempotent and tolerates a missing resource, so a pod killed -9 at any moment is cleaned by
running this again: runc containers, overlays and other mounts, networks, namespaces, cgroups.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import cgroups, mounting, namespaces

if TYPE_CHECKING:
    import subprocess


def runc(pod: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    import subprocess  # on use: a pod whose runc already deleted its containers needs none

    cmd = ["runc", "--root", str(paths.pod_runc_root(pod)), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def delete_containers(pod: Path) -> None:
    runc_root = paths.pod_runc_root(pod)
    if not runc_root.is_dir():
        return
    for entry in sorted(runc_root.iterdir()):
        done = runc(pod, "delete", "--force", entry.name)
        if done.returncode != 0 and entry.exists():
            print(f"rkt: runc delete {entry.name}: {done.stderr.strip()}", file=sys.stderr)


def networks_down(pod: Path, uuid: str) -> None:
    """DEL every network the pod joined (recorded by networking before each ADD)."""
    if not paths.pod_networks_path(pod).exists():
        return
    from rktnetes.rkt.errors import RktError
    from rktnetes.rkt.networking import podnet

    try:
        podnet.down(pod, uuid)
    except RktError as exc:
        print(f"rkt: network teardown of {uuid}: {exc}", file=sys.stderr)


def remove_cgroups(pod: Path) -> None:
    try:
        pod_cgroup = paths.pod_cgroup_path(pod).read_text().strip()
    except OSError:
        return
    if pod_cgroup:
        cgroups.remove(pod_cgroup)


def teardown(pod: Path, uuid: str) -> None:
    """Containers, then app mounts, namespaces, networks, cgroups; anything still mounted last.

    Namespaces go before networks: unmounting the netns lets the kernel destroy its veths in one batch,
    and the CNI DELs that follow only release addresses and rules (networking waits for the veths)."""
    delete_containers(pod)
    mounting.umount_all(pod / "apps")
    namespaces.remove(pod)
    networks_down(pod, uuid)
    remove_cgroups(pod)
    mounting.umount_all(pod)
