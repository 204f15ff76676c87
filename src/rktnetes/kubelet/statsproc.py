"""The node's own figures from /proc and the filesystem: CPU, memory, network interfaces, disk usage.

Parsers take the files' text (pure, testable on any layout); the readers around them do the I/O. A network
namespace's interfaces are read from ``/proc/thread-self/net/dev`` by a worker thread that enters the namespace
with setns(2) — which moves only that thread — and leaves it again, so no process is started per scrape.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rktnetes.kubelet.statscgroups import Memory
from rktnetes.netns import entered

USER_HZ = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Interface:
    name: str
    rx_bytes: int
    rx_errors: int
    tx_bytes: int
    tx_errors: int


def cpu_nanoseconds(stat: str, hz: int = USER_HZ) -> int:
    """The node's busy CPU time in ns from ``/proc/stat``'s ``cpu`` line (all but idle and iowait; guest time
    is already inside user and nice)."""
    for line in stat.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            ticks = [int(v) for v in fields[1:9]] + [0] * 8
            user, nice, system, _idle, _iowait, irq, softirq, steal = ticks[:8]
            return (user + nice + system + irq + softirq + steal) * 1_000_000_000 // hz
    raise ValueError("no cpu line in /proc/stat")


def meminfo(text: str) -> dict[str, int]:
    """``/proc/meminfo`` in bytes."""
    found = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            found[name] = int(parts[0]) * (1024 if parts[-1] == "kB" else 1)
    return found


def node_memory(meminfo_text: str, vmstat: str) -> Memory:
    """The node's memory as the root cgroup counts it: used is all but free; working set is used less
    inactive file pages; rss is anonymous memory."""
    info, events = meminfo(meminfo_text), _vmstat(vmstat)
    used = info.get("MemTotal", 0) - info.get("MemFree", 0)
    return Memory(used, max(used - info.get("Inactive(file)", 0), 0), info.get("AnonPages", 0),
                  events.get("pgfault", 0), events.get("pgmajfault", 0), info.get("MemTotal"))


def _vmstat(text: str) -> dict[str, int]:
    pairs = (line.split() for line in text.splitlines())
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}


def net_dev(text: str) -> list[Interface]:
    """Every interface of ``/proc/net/dev`` but loopback."""
    found = []
    for line in text.splitlines()[2:]:
        name, _, rest = line.partition(":")
        fields = rest.split()
        if name.strip() != "lo" and len(fields) >= 16:
            found.append(Interface(name.strip(), int(fields[0]), int(fields[2]), int(fields[8]), int(fields[10])))
    return found


def interfaces(netns: str | None) -> list[Interface]:
    """The interfaces of the network namespace at ``netns`` (None: this thread's own). Call it from a worker
    thread: it moves the calling thread for the read."""
    if not netns:
        return net_dev(Path("/proc/thread-self/net/dev").read_text())
    with entered(netns):
        return net_dev(Path("/proc/thread-self/net/dev").read_text())


def tree_usage(top: Path) -> tuple[int, int]:
    """(bytes on disk, inodes) of everything under ``top``, hard links counted once (as ``du``)."""
    seen: set[tuple[int, int]] = set()
    used = 0
    for here, dirs, files in os.walk(top):
        for name in (*dirs, *files):
            try:
                st = os.lstat(os.path.join(here, name))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                used += st.st_blocks * 512
    return used, len(seen)
