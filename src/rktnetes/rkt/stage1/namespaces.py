"""The pod's shared net, ipc and uts namespaces, persisted by bind mounts in the pod folder.

A forked child unshares the three namespaces, sets the pod's hostname, brings ``lo`` up and bind-mounts
its own namespace files onto the pod folder's, then exits: no process has to stay alive to keep them.
runc apps join them by path, networking configures the net one by path, and teardown is three unmounts.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
import sys
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import mounting
from rktnetes.rkt.stage1.errors import Stage1Error

KINDS = ("net", "ipc", "uts")
CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS = 0x40000000, 0x08000000, 0x04000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
_IFREQ = "16sh22x"


def files(pod: Path) -> dict[str, Path]:
    return {kind: paths.pod_ns_path(pod, kind) for kind in KINDS}


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        got = fcntl.ioctl(sock, SIOCGIFFLAGS, struct.pack(_IFREQ, b"lo", 0))
        flags = struct.unpack(_IFREQ, got)[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | IFF_UP))


def _in_child(found: dict[str, Path], hostname: str) -> None:
    """Runs in the forked child; never returns."""
    try:
        if mounting._libc.unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        socket.sethostname(hostname)
        _loopback_up()
        for kind, path in found.items():
            mounting.bind(f"/proc/self/ns/{kind}", path)
        os._exit(0)
    except BaseException as exc:  # noqa: BLE001 (report anything, then leave the child)
        os.write(2, f"stage1: cannot create the pod's namespaces: {exc}\n".encode())
        os._exit(1)


def create(pod: Path, hostname: str) -> dict[str, Path]:
    found = files(pod)
    paths.pod_ns_path(pod, "net").parent.mkdir(exist_ok=True)
    for path in found.values():
        path.touch()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        _in_child(found, hostname)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise Stage1Error("cannot create the pod's namespaces")
    return found


def remove(pod: Path) -> None:
    for path in files(pod).values():
        mounting.umount(path)
