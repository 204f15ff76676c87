"""The pod's shared net, ipc and uts namespaces, persisted by bind mounts in the pod folder.

Why it is built this way: creating them is on every pod's start path, so no process is forked for it.
The calling thread keeps handles on its own three namespaces, unshares new ones, sets the pod's hostname,
brings ``lo`` up and bind-mounts its namespace files onto the pod folder's, then returns to its own
namespaces with setns(2) (in a ``finally``, whatever failed). Net, ipc and uts are per-thread, so other
threads never see the switch. No process has to stay alive to keep them: runc apps join them by path,
networking configures the net one by path, and teardown is three unmounts.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import struct
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import mounting
from rktnetes.rkt.stage1.errors import Stage1Error

KINDS = ("net", "ipc", "uts")
CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS = 0x40000000, 0x08000000, 0x04000000
FLAGS = {"net": CLONE_NEWNET, "ipc": CLONE_NEWIPC, "uts": CLONE_NEWUTS}
AF_INET, SOCK_DGRAM, SOCK_CLOEXEC = 2, 2, 0o2000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
_IFREQ = "16sh22x"


def files(pod: Path) -> dict[str, Path]:
    return {kind: paths.pod_ns_path(pod, kind) for kind in KINDS}


def _call(ret: int, what: str) -> int:
    if ret < 0:
        err = ctypes.get_errno()
        raise Stage1Error(f"cannot create the pod's namespaces: {what}: {os.strerror(err)}")
    return ret


def _loopback_up() -> None:
    fd = _call(mounting._libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket")
    try:
        got = fcntl.ioctl(fd, SIOCGIFFLAGS, struct.pack(_IFREQ, b"lo", 0))
        flags = struct.unpack(_IFREQ, got)[1]
        fcntl.ioctl(fd, SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | IFF_UP))
    finally:
        os.close(fd)


def _make(found: dict[str, Path], hostname: str) -> None:
    """In new namespaces (this thread's, for now): hostname, lo, and the bind mounts that keep them."""
    _call(mounting._libc.unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    name = hostname.encode()
    _call(mounting._libc.sethostname(name, len(name)), "sethostname")
    _loopback_up()
    tid = mounting._libc.gettid()
    for kind, path in found.items():
        mounting.bind(f"/proc/self/task/{tid}/ns/{kind}", path)


def create(pod: Path, hostname: str) -> dict[str, Path]:
    found = files(pod)
    paths.pod_ns_path(pod, "net").parent.mkdir(exist_ok=True)
    for path in found.values():
        path.touch()
    tid = mounting._libc.gettid()
    own = {kind: os.open(f"/proc/self/task/{tid}/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC) for kind in KINDS}
    try:
        _make(found, hostname)
    finally:
        for kind, fd in own.items():
            if mounting._libc.setns(fd, FLAGS[kind]) != 0:
                os.abort()  # this thread is stranded in the pod's namespaces: never run anything more there
            os.close(fd)
    return found


def remove(pod: Path) -> None:
    for path in files(pod).values():
        mounting.umount(path)
