"""What the node is made of, read from /proc and the OS: the facts a Node's status reports."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

import rktnetes

MAX_PODS = 110


@dataclass(frozen=True)
class Machine:
    cpus: int
    memory_bytes: int
    storage_bytes: int
    kernel: str
    os_image: str
    architecture: str
    boot_id: str
    machine_id: str


def _meminfo(field: str, text: str) -> int:
    """A ``/proc/meminfo`` field in bytes (it is written in kB)."""
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name == field:
            return int(rest.split()[0]) * 1024
    return 0


def _os_image() -> str:
    try:
        lines = Path("/etc/os-release").read_text().splitlines()
    except OSError:
        return "unknown"
    fields = dict(line.split("=", 1) for line in lines if "=" in line)
    return fields.get("PRETTY_NAME", "unknown").strip('"')


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _architecture() -> str:
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def probe(storage_dir: Path) -> Machine:
    """The facts of this machine; storage is the filesystem holding ``storage_dir``."""
    fs = os.statvfs(storage_dir)
    return Machine(
        cpus=len(os.sched_getaffinity(0)),
        memory_bytes=_meminfo("MemTotal", Path("/proc/meminfo").read_text()),
        storage_bytes=fs.f_blocks * fs.f_frsize,
        kernel=platform.release(),
        os_image=_os_image(),
        architecture=_architecture(),
        boot_id=_read("/proc/sys/kernel/random/boot_id"),
        machine_id=_read("/etc/machine-id"),
    )


def available_memory() -> int:
    return _meminfo("MemAvailable", Path("/proc/meminfo").read_text())


def runtime_version() -> str:
    return f"rkt://{rktnetes.__version__}"


def kubelet_version() -> str:
    return f"v1.32.0-rktnetes.{rktnetes.__version__}"


@dataclass(frozen=True)
class Pressure:
    """Which resources run short, by the kubelet's default eviction thresholds."""

    memory: bool = False
    disk: bool = False
    pid: bool = False


MEMORY_FLOOR = 100 * 2**20  # memory.available<100Mi
DISK_FLOOR = 0.10  # nodefs.available<10%
PID_CEILING = 0.90


def _pid_use() -> float:
    pid_max = int(_read("/proc/sys/kernel/pid_max") or 32768)
    return sum(1 for name in os.listdir("/proc") if name.isdigit()) / pid_max


def pressure(storage_dir: Path) -> Pressure:
    fs = os.statvfs(storage_dir)
    return Pressure(memory=available_memory() < MEMORY_FLOOR,
                    disk=fs.f_bavail < fs.f_blocks * DISK_FLOOR,
                    pid=_pid_use() > PID_CEILING)
