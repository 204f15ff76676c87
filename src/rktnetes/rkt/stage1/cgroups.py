"""Where a pod's cgroups live on this host's hierarchy: cgroup v1, hybrid (v1 controllers + a v2 mount) or v2.

runc creates and fills each app's cgroup from the OCI config; this module chooses the path, finds every
hierarchy the pod left a folder in, removes them bottom-up and reads limits back. Host facts come in as
text (``/proc/self/mountinfo``, ``/proc/self/cgroup``) so every layout is testable on any machine.
"""

from __future__ import annotations

import os
from pathlib import Path

V1, HYBRID, V2 = "v1", "hybrid", "v2"
ROOT = "/sys/fs/cgroup"


def mounts(mountinfo: str) -> list[tuple[str, str, str]]:
    """(mount point, fstype, super options) of every cgroup/cgroup2 mount."""
    found = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(rfields) >= 3 and rfields[0] in ("cgroup", "cgroup2"):
            found.append((fields[4], rfields[0], rfields[2]))
    return found


def mode(mountinfo: str) -> str:
    kinds = {(point, fstype) for point, fstype, _ in mounts(mountinfo)}
    if (ROOT, "cgroup2") in kinds:
        return V2
    return HYBRID if any(fstype == "cgroup2" for _, fstype in kinds) else V1


def parent(proc_cgroup: str, cgroup_mode: str) -> str:
    """The cgroup pods nest under: the caller's memory cgroup on v1/hybrid, the root on v2.

    On v2 a cgroup holding processes cannot delegate controllers to children, so pods go under the root.
    """
    if cgroup_mode == V2:
        return "/"
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return path or "/"
    return "/"


def pod_path(parent_path: str, uuid: str) -> str:
    return f"{parent_path.rstrip('/')}/rkt/{uuid}"


def app_path(pod_cgroup: str, app: str) -> str:
    return f"{pod_cgroup}/{app}"


def host_pod_path(uuid: str) -> str:
    """The pod cgroup path for a pod started by this process, read from the running host."""
    cg_mode = mode(Path("/proc/self/mountinfo").read_text())
    return pod_path(parent(Path("/proc/self/cgroup").read_text(), cg_mode), uuid)


def dirs(mountinfo: str, pod_cgroup: str) -> list[Path]:
    """The pod's folder in every hierarchy (existing or not)."""
    return [Path(point) / pod_cgroup.lstrip("/") for point, _, _ in mounts(mountinfo)]


def remove(pod_cgroup: str, mountinfo: str | None = None) -> list[Path]:
    """rmdir the pod's cgroup folders bottom-up in every hierarchy; returns those that stay (busy)."""
    info = Path("/proc/self/mountinfo").read_text() if mountinfo is None else mountinfo
    left = []
    for top in dirs(info, pod_cgroup):
        if not top.is_dir():
            continue
        for here, _subdirs, _files in os.walk(top, topdown=False):
            try:
                os.rmdir(here)
            except OSError:
                left.append(Path(here))
    return left  # the shared "rkt" level stays: removing it could race with a pod being created


def memory_limit(pod_cgroup: str, app: str, mountinfo: str | None = None) -> int | None:
    """The app's memory limit in bytes as the kernel holds it (v1 memory.limit_in_bytes, v2 memory.max)."""
    info = Path("/proc/self/mountinfo").read_text() if mountinfo is None else mountinfo
    for point, fstype, options in mounts(info):
        name = "memory.max" if fstype == "cgroup2" else "memory.limit_in_bytes"
        if fstype == "cgroup" and "memory" not in options.split(","):
            continue
        path = Path(point) / app_path(pod_cgroup, app).lstrip("/") / name
        if path.is_file():
            text = path.read_text().strip()
            return None if text == "max" else int(text)
    return None
