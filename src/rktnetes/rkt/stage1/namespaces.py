"""The pod's shared net, ipc and uts namespaces, persisted by bind mounts in the pod folder.

util-linux ``unshare`` creates them and bind-mounts each onto its file, sets the pod's hostname and
brings ``lo`` up, so no process has to stay alive to keep them; runc apps join them by path, networking
configures the net one by path, and teardown is an unmount of three files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import mounting
from rktnetes.rkt.stage1.errors import Stage1Error

KINDS = ("net", "ipc", "uts")


def files(pod: Path) -> dict[str, Path]:
    return {kind: paths.pod_ns_path(pod, kind) for kind in KINDS}


def create(pod: Path, hostname: str) -> dict[str, Path]:
    found = files(pod)
    paths.pod_ns_path(pod, "net").parent.mkdir(exist_ok=True)
    for path in found.values():
        path.touch()
    flags = [f"--{kind}={path}" for kind, path in found.items()]
    script = 'hostname "$1" && ip link set lo up'
    done = subprocess.run(["unshare", *flags, "--", "/bin/sh", "-c", script, "sh", hostname],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise Stage1Error(f"cannot create the pod's namespaces: {done.stderr.strip()}")
    return found


def remove(pod: Path) -> None:
    for path in files(pod).values():
        mounting.umount(path)
