"""The kubelet's resource figures: the Summary API (``/stats/summary``) from the real cgroups and /proc.

Why it is built this way: a scrape reads a few hundred small files and walks the pods' writable layers, which
is blocking filesystem work, so it runs in a worker thread; ``usageNanoCores`` is a rate and needs two samples
of each cgroup's cumulative CPU time, so the collector keeps the previous sample per cgroup (under a lock: two
scrapes may overlap). When a cgroup has no earlier sample (the first scrape of a pod), the scrape takes one,
waits ``PRIME_WAIT`` and reads again, so every answer carries a rate.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rktnetes.kubelet import statscgroups, statspods, statsproc, statssummary
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.statssummary import Usage
from rktnetes.rkt import paths

Obj = dict[str, Any]
PRIME_WAIT = 0.25
NODE = "/"  # the key of the node's own sample


class Collector:
    def __init__(self, node_name: str, rkt_dir: Path, node_netns: str | None,
                 pods: Callable[[], Awaitable[list[RktPod]]], clock: Callable[[], float] = time.time) -> None:
        """``pods``: the rkt pods of this node (``Runtime.pods``)."""
        self.node_name, self.rkt_dir, self.node_netns = node_name, rkt_dir, node_netns
        self.pods, self.clock = pods, clock
        self.roots = statscgroups.roots(Path("/proc/self/mountinfo").read_text())  # cgroup mounts do not change
        self.previous: dict[str, tuple[float, int]] = {}
        self.lock = threading.Lock()

    def _usage(self, key: str, at: float, cpu_ns: int, memory: statscgroups.Memory) -> Usage:
        with self.lock:
            before = self.previous.get(key)
            self.previous[key] = (at, cpu_ns)
        return Usage(at, cpu_ns, memory, statssummary.rate(before, at, cpu_ns))

    def cgroup(self, path: str) -> Usage:
        """A cgroup's figures now (``path`` relative to each hierarchy's root)."""
        files = self.roots.files(path)
        return self._usage(path, self.clock(), statscgroups.read_cpu(files), statscgroups.read_memory(files))

    def node_usage(self) -> Usage:
        memory = statsproc.node_memory(Path("/proc/meminfo").read_text(), Path("/proc/vmstat").read_text())
        return self._usage(NODE, self.clock(), statsproc.cpu_nanoseconds(Path("/proc/stat").read_text()), memory)

    def prime(self, running: list[RktPod]) -> bool:
        """Sample every cgroup of ``running`` (and the node) that has no earlier sample; whether there was one."""
        wanted = [NODE] + [path for rkt in running for path in statspods.cgroup_paths(rkt)]
        with self.lock:
            missing = [key for key in wanted if key not in self.previous]
        for key in missing:
            statspods.attempt(lambda k=key: self.node_usage() if k == NODE else self.cgroup(k))
        return bool(missing)

    def _forget_others(self, running: list[RktPod]) -> None:
        keep = {NODE, *(path for rkt in running for path in statspods.cgroup_paths(rkt))}
        with self.lock:
            for key in [k for k in self.previous if k not in keep]:
                del self.previous[key]

    def summary_now(self, running: list[RktPod]) -> Obj:
        """One scrape of ``running`` (rkt pods): the whole Summary object. Blocking."""
        pods = [statspods.summary(self, group) for group in statspods.by_pod(running).values()]
        self._forget_others(running)
        return {"node": self._node(), "pods": [p for p in pods if p is not None]}

    def _node(self) -> Obj:
        usage = self.node_usage()
        cas = paths.cas_dir(self.rkt_dir)  # not there before the first image is fetched
        fs, images = os.statvfs(self.rkt_dir), os.statvfs(cas if cas.is_dir() else self.rkt_dir)
        net = statssummary.network(usage.at, statsproc.interfaces(self.node_netns))
        capacity = statsproc.meminfo(Path("/proc/meminfo").read_text()).get("MemTotal", 0)
        return statssummary.node(self.node_name, _booted(), usage, net, _fs(usage.at, fs), _fs(usage.at, images),
                                 capacity)

    async def running(self) -> list[RktPod]:
        return [p for p in await self.pods() if p.running and p.path is not None]

    async def summary(self, running: list[RktPod] | None = None) -> Obj:
        """The Summary object of ``running`` (default: the rkt pods running now), every cgroup's rate included
        (sampling twice when one has no earlier sample)."""
        running = await self.running() if running is None else running
        if await asyncio.to_thread(self.prime, running):
            await asyncio.sleep(PRIME_WAIT)
        return await asyncio.to_thread(self.summary_now, running)


def _fs(at: float, st: os.statvfs_result) -> Obj:
    return statssummary.filesystem(at, st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize, st.f_files,
                                   st.f_ffree)


def _booted() -> float:
    return time.time() - float(Path("/proc/uptime").read_text().split()[0])
