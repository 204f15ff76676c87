"""The kubelet Summary API (``/stats/summary``, stats/v1alpha1) objects, built from figures: pure, no I/O.

Field names and units are those metrics-server, ``kubectl get --raw .../proxy/stats/summary`` and every
Summary API reader expect: nanoseconds of CPU, bytes, RFC 3339 times.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rktnetes.kubelet.statscgroups import Memory
from rktnetes.kubelet.statsproc import Interface

Obj = dict[str, Any]


@dataclass(frozen=True)
class Usage:
    """One cgroup's figures at one instant (``at``, seconds since the epoch)."""

    at: float
    cpu_ns: int
    memory: Memory
    nano_cores: int | None = None  # the rate since the previous sample, once there is one


def stamp(when: float) -> str:
    """RFC 3339 with microseconds: rates over short windows (metrics-server's, from /metrics/resource) need
    more than whole seconds."""
    whole = int(when)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((when - whole) * 1e6):06d}Z"


def rate(previous: tuple[float, int] | None, at: float, cpu_ns: int) -> int | None:
    """Nanocores used between two samples of the cumulative CPU time (None without a usable earlier one)."""
    if previous is None or at <= previous[0] or cpu_ns < previous[1]:
        return None
    return int((cpu_ns - previous[1]) / (at - previous[0]))


def cpu(u: Usage) -> Obj:
    found: Obj = {"time": stamp(u.at), "usageCoreNanoSeconds": u.cpu_ns}
    if u.nano_cores is not None:
        found["usageNanoCores"] = u.nano_cores
    return found


def memory(u: Usage, capacity: int | None = None) -> Obj:
    """``availableBytes`` is the limit (or the node's capacity) less the working set, only when there is one."""
    m = u.memory
    found: Obj = {"time": stamp(u.at), "usageBytes": m.usage, "workingSetBytes": m.working_set, "rssBytes": m.rss,
                  "pageFaults": m.page_faults, "majorPageFaults": m.major_page_faults}
    bound = m.limit if capacity is None else capacity
    if bound is not None:
        found["availableBytes"] = max(bound - m.working_set, 0)
    return found


def network(at: float, found: list[Interface]) -> Obj:
    """The first interface's figures at the top (as the kubelet reports its default interface), all listed."""
    listed = [{"name": i.name, "rxBytes": i.rx_bytes, "rxErrors": i.rx_errors, "txBytes": i.tx_bytes,
               "txErrors": i.tx_errors} for i in found]
    return {"time": stamp(at), **(listed[0] if listed else {}), "interfaces": listed}


def filesystem(at: float, capacity: int, available: int, inodes: int, inodes_free: int,
               used: int | None = None) -> Obj:
    """A filesystem; ``used`` defaults to what the whole filesystem has in use."""
    return {"time": stamp(at), "availableBytes": available, "capacityBytes": capacity,
            "usedBytes": capacity - available if used is None else used, "inodesFree": inodes_free,
            "inodes": inodes, "inodesUsed": inodes - inodes_free}


def usage_only(at: float, used: int, inodes_used: int) -> Obj:
    return {"time": stamp(at), "usedBytes": used, "inodesUsed": inodes_used}


def container(name: str, started: float | None, u: Usage, rootfs: Obj, logs: Obj) -> Obj:
    return {"name": name, "startTime": stamp(started or u.at), "cpu": cpu(u), "memory": memory(u),
            "rootfs": rootfs, "logs": logs}


def pod(ref: Obj, started: float | None, u: Usage, containers: list[Obj], net: Obj | None, processes: int) -> Obj:
    """A pod: its cgroup's cpu and memory, its containers, its network and the ephemeral storage (writable
    layers and logs) its containers use."""
    used = sum(c["rootfs"]["usedBytes"] + c["logs"]["usedBytes"] for c in containers)
    inodes = sum(c["rootfs"]["inodesUsed"] + c["logs"]["inodesUsed"] for c in containers)
    found: Obj = {"podRef": ref, "startTime": stamp(started or u.at), "containers": containers, "cpu": cpu(u),
                  "memory": memory(u), "volume": [], "ephemeral-storage": usage_only(u.at, used, inodes),
                  "process_stats": {"process_count": processes}}
    if net is not None:
        found["network"] = net
    return found


def node(name: str, booted: float, u: Usage, net: Obj, fs: Obj, image_fs: Obj, capacity: int) -> Obj:
    return {"nodeName": name, "startTime": stamp(booted), "cpu": cpu(u), "memory": memory(u, capacity),
            "network": net, "fs": fs, "runtime": {"imageFs": image_fs}, "systemContainers": []}
