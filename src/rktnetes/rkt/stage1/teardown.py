"""Undo everything a pod set up, whatever point it reached: used by the supervisor on exit and by gc.

Each step is idempotent and tolerates a missing resource, so a pod killed -9 at any moment is cleaned by
running this again: runc containers, overlays and other mounts, networks, namespaces, cgroups.

Why networks may come down after the pod has exited: their CNI DELs (the kernel's veth deletion, plugin
and iptables execs) take ~30 ms, more than the rest of a pod's exit, and nothing waits for them but the
next user of the address. So the supervisor records the exit status, releases the pod, and leaves the DELs
to a detached process. Whoever DELs a pod's networks (that process, ``gc``, ``rm``) first takes an
exclusive lock on the pod's network record and DELs only if the record is still there, so they are done
exactly once, and ``gc`` never deletes a pod whose networks are still coming down.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import cgroups, mounting, namespaces

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs every rkt run ~3 ms
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
    """DEL every network the pod joined (recorded by networking before each ADD), under the record's lock."""
    record = paths.pod_networks_path(pod)
    try:
        fd = os.open(record, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    from rktnetes.rkt.errors import RktError
    from rktnetes.rkt.networking import podnet

    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if record.exists():  # else whoever held the lock has DELed them
            podnet.down(pod, uuid)
    except RktError as exc:
        print(f"rkt: network teardown of {uuid}: {exc}", file=sys.stderr)
    finally:
        os.close(fd)


def networks_down_detached(pod: Path, uuid: str) -> None:
    """``networks_down`` in a detached child; in this process if it has other threads (forking one is
    unsafe) or the pod has no networks. Stage1 runs only in processes that end with their pod (``rkt run``,
    ``run-prepared``, a detached supervisor), so the child is reparented to init a moment later; a double
    fork, to leave no child at all, made every networked pod's exit ~3 ms slower waiting for the middle one."""
    if not paths.pod_networks_path(pod).exists() or len(os.listdir("/proc/self/task")) > 1:
        networks_down(pod, uuid)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork():
        return
    try:
        _detach(paths.pod_stage1_log_path(pod))
        networks_down(pod, uuid)
    except BaseException as exc:  # noqa: BLE001 (what is left stays recorded for gc; say why in the log)
        print(f"rkt: network teardown of {uuid}: {exc!r}", file=sys.stderr)
    finally:
        os._exit(0)


def _detach(log: Path) -> None:
    """Its own session, no inherited descriptor (the pod's lock, a caller's pipes), stderr to the pod log."""
    os.setsid()
    os.closerange(0, os.sysconf("SC_OPEN_MAX"))
    os.open(os.devnull, os.O_RDWR)  # the lowest free descriptors: 0, then 2 below
    os.dup2(0, 1)
    os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)


def remove_cgroups(pod: Path) -> None:
    try:
        pod_cgroup = paths.pod_cgroup_path(pod).read_text().strip()
    except OSError:
        return
    if pod_cgroup:
        cgroups.remove(pod_cgroup)


def teardown(pod: Path, uuid: str, *, networks: bool = True) -> None:
    """Containers, then app mounts, namespaces, networks (unless the caller DELs them later), cgroups;
    anything still mounted last.

    Namespaces go before networks: unmounting the netns lets the kernel destroy its veths in one batch,
    and the CNI DELs that follow only release addresses and rules (networking waits for the veths)."""
    delete_containers(pod)
    mounting.umount_all(pod / "apps")
    namespaces.remove(pod)
    if networks:
        networks_down(pod, uuid)
    remove_cgroups(pod)
    mounting.umount_all(pod)
