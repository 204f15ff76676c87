"""One Kubernetes pod's figures in the Summary API: the sum of its running rkt pods, and their containers.

A Kubernetes pod is one rkt pod at a time, plus the rkt pod of an init container while one runs; each rkt pod
has its own cgroup (``<parent>/rkt/<uuid>``) holding one child cgroup per app, its network namespace and one
writable overlay layer and log per app. Everything read here may vanish while it is read (the pod ends): such a
pod or container is left out of this scrape.
"""

from __future__ import annotations

from typing import Any

from rktnetes.kubelet import statscgroups, statsproc, statssummary
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.statssummary import Usage
from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import cgroups

Obj = dict[str, Any]


def attempt(read):
    """``read()``, or None when what it reads went away (the pod ended while we looked)."""
    try:
        return read()
    except (OSError, ValueError):
        return None


def pod_cgroup(rkt: RktPod) -> str:
    return paths.pod_cgroup_path(rkt.path).read_text().strip()


def cgroup_paths(rkt: RktPod) -> list[str]:
    """The rkt pod's cgroup and its running apps' cgroups."""
    top = attempt(lambda: pod_cgroup(rkt))
    if not top:
        return []
    return [top] + [cgroups.app_path(top, a.name) for a in rkt.info.apps if a.exit_code is None]


def by_pod(running: list[RktPod]) -> dict[str, list[RktPod]]:
    groups: dict[str, list[RktPod]] = {}
    for rkt in running:
        groups.setdefault(rkt.uid, []).append(rkt)
    return groups


def _container(collector, rkt: RktPod, top: str, name: str) -> tuple[Obj, int] | None:
    """One app's Summary entry and its process count."""
    path = cgroups.app_path(top, name)
    usage = attempt(lambda: collector.cgroup(path))
    if usage is None:
        return None
    log = attempt(lambda: paths.app_log_path(rkt.path, name).stat())
    logs = statssummary.usage_only(usage.at, log.st_blocks * 512 if log else 0, 1 if log else 0)
    rootfs = statssummary.usage_only(usage.at, *statsproc.tree_usage(paths.app_upper_dir(rkt.path, name)))
    procs = statscgroups.processes(collector.roots.files(path))
    return statssummary.container(name, rkt.info.started, usage, rootfs, logs), len(procs)


def add(a: Usage | None, b: Usage) -> Usage:
    """Two cgroups' figures together (a pod run by two rkt pods at once)."""
    if a is None:
        return b
    m, n = a.memory, b.memory
    memory = statscgroups.Memory(m.usage + n.usage, m.working_set + n.working_set, m.rss + n.rss,
                                 m.page_faults + n.page_faults, m.major_page_faults + n.major_page_faults, None)
    cores = None if a.nano_cores is None or b.nano_cores is None else a.nano_cores + b.nano_cores
    return Usage(max(a.at, b.at), a.cpu_ns + b.cpu_ns, memory, cores)


def _ref(rkt: RktPod) -> Obj:
    namespace, _, name = rkt.key.partition("/")
    return {"name": name, "namespace": namespace, "uid": rkt.uid}


def summary(collector, group: list[RktPod]) -> Obj | None:
    """One Kubernetes pod from its running rkt pods; None if they all ended while we looked."""
    total, containers, processes, net = None, [], 0, None
    for rkt in group:
        top = attempt(lambda r=rkt: pod_cgroup(r))
        usage = attempt(lambda t=top: collector.cgroup(t)) if top else None
        if usage is None:
            continue
        total = add(total, usage)
        for found in (_container(collector, rkt, top, a.name) for a in rkt.info.apps if a.exit_code is None):
            if found is not None:
                containers.append(found[0])
                processes += found[1]
        found_net = attempt(lambda r=rkt: statsproc.interfaces(str(paths.pod_netns_path(r.path))))
        net = statssummary.network(usage.at, found_net) if found_net is not None else net
    if total is None:
        return None
    started = min(r.info.started or total.at for r in group)
    return statssummary.pod(_ref(group[0]), started, total, containers, net, processes)
