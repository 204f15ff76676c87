"""A cgroup's CPU and memory figures, on cgroup v1, hybrid (v1 controllers beside a v2 mount) or v2.

Where the files are comes from ``/proc/self/mountinfo`` (rkt's own reading of it), and every figure is parsed
from the files' text by a pure function, so each layout is testable on any machine; ``read`` is the only I/O.
On v1 and hybrid the ``cpuacct`` and ``memory`` controllers' own hierarchies hold the figures (a hybrid host
whose v2 mount has the controller instead is read there); on v2 the one tree holds them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from rktnetes.rkt.stage1 import cgroups


@dataclass(frozen=True)
class Files:
    """Where one cgroup's figures are: the folder holding each controller's files, and its format."""

    cpu: str  # strings, not Paths: a scrape joins hundreds of these
    memory: str
    cpu_v2: bool
    memory_v2: bool


@dataclass(frozen=True)
class Memory:
    usage: int
    working_set: int
    rss: int
    page_faults: int
    major_page_faults: int
    limit: int | None  # None: unlimited


def _unified(mountinfo: str) -> str | None:
    return next((point for point, fstype, _ in cgroups.mounts(mountinfo) if fstype == "cgroup2"), None)


def _v1(mountinfo: str, controller: str) -> str | None:
    return next((point for point, fstype, options in cgroups.mounts(mountinfo)
                 if fstype == "cgroup" and controller in options.split(",")), None)


def _root(mountinfo: str, controller: str) -> tuple[str, bool]:
    """The mount point of the hierarchy holding ``controller`` (v1 name), and whether it is v2."""
    point = None if cgroups.mode(mountinfo) == cgroups.V2 else _v1(mountinfo, controller)
    v2 = point is None
    point = point or _unified(mountinfo)
    if point is None:
        raise FileNotFoundError(f"no cgroup hierarchy holds the {controller} controller")
    return point, v2


@dataclass(frozen=True)
class Roots:
    """Where the cpu and memory figures of every cgroup are: read once from mountinfo (it does not change)."""

    cpu: str
    memory: str
    cpu_v2: bool
    memory_v2: bool

    def files(self, cgroup: str) -> Files:
        """The files of ``cgroup`` (a path relative to each hierarchy's root, as in ``/proc/PID/cgroup``)."""
        relative = cgroup.strip("/")
        return Files(f"{self.cpu}/{relative}", f"{self.memory}/{relative}", self.cpu_v2, self.memory_v2)


def roots(mountinfo: str) -> Roots:
    cpu, cpu_v2 = _root(mountinfo, "cpuacct")
    memory, memory_v2 = _root(mountinfo, "memory")
    return Roots(cpu, memory, cpu_v2, memory_v2)


def locate(mountinfo: str, cgroup: str) -> Files:
    return roots(mountinfo).files(cgroup)


def keyed(text: str) -> dict[str, int]:
    """A flat-keyed file (``memory.stat``, ``cpu.stat``): ``name value`` per line."""
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            found[name] = int(value)
    return found


def cpu_nanoseconds(text: str, v2: bool) -> int:
    """Cumulative CPU time in ns: v1 ``cpuacct.usage`` (ns), v2 ``cpu.stat``'s ``usage_usec``."""
    return keyed(text).get("usage_usec", 0) * 1000 if v2 else int(text.strip() or 0)


def _limit(text: str) -> int | None:
    value = text.strip()
    if not value.isdigit() or int(value) >= 2**62:  # v2 says "max"; v1 a huge page-rounded number
        return None
    return int(value)


def memory(usage: str, stat: str, limit: str, v2: bool) -> Memory:
    """v1: ``memory.usage_in_bytes``, ``memory.stat`` (hierarchical ``total_*``), ``memory.limit_in_bytes``;
    v2: ``memory.current``, ``memory.stat``, ``memory.max``. The working set is the usage less inactive file
    pages, as cAdvisor counts it."""
    fields = keyed(stat)
    prefix = "" if v2 else "total_"
    used = int(usage.strip() or 0)
    inactive = fields.get(f"{prefix}inactive_file", 0)
    return Memory(used, max(used - inactive, 0), fields.get("anon" if v2 else "total_rss", 0),
                  fields.get(f"{prefix}pgfault", 0), fields.get(f"{prefix}pgmajfault", 0), _limit(limit))


def _text(path: str) -> str:
    with open(path) as f:
        return f.read()


def read_cpu(files: Files) -> int:
    name = "cpu.stat" if files.cpu_v2 else "cpuacct.usage"
    return cpu_nanoseconds(_text(f"{files.cpu}/{name}"), files.cpu_v2)


def read_memory(files: Files) -> Memory:
    names = ("memory.current", "memory.stat", "memory.max") if files.memory_v2 else (
        "memory.usage_in_bytes", "memory.stat", "memory.limit_in_bytes")
    usage, stat, limit = (_text(f"{files.memory}/{n}") for n in names)
    return memory(usage, stat, limit, files.memory_v2)


def processes(files: Files) -> list[int]:
    """The pids in the cgroup (its own, not its children's) — read from the memory hierarchy."""
    try:
        return [int(p) for p in _text(f"{files.memory}/cgroup.procs").split()]
    except OSError:
        return []
