"""Joining a pod's network namespace to its CNI networks, and leaving them.

Every ADD is recorded in the pod folder before it runs; on any failure every network recorded so far is
DEL'ed in reverse order, so a pod is either fully networked or not networked at all. Teardown reads only
that record, so ``gc`` can undo the networking of a pod whose supervisor was killed with -9.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.errors import RktError
from rktnetes.rkt.networking import cni, masq, netinfo, portmap
from rktnetes.rkt.networking.errors import PluginError
from rktnetes.rkt.networking.netconf import Network
from rktnetes.rkt.networking.netinfo import NetInfo

LINK_TIMEOUT = 5.0


def setup(pod_dir: Path, pod_uuid: str, netns: str, networks: list[Network], data_dir: Path) -> list[NetInfo]:
    """ADDs the networks in order as eth0, eth1, …; on failure DELs what was added and re-raises."""
    infos: list[NetInfo] = []
    try:
        for index, net in enumerate(networks):
            info = NetInfo(_localised(net, data_dir), f"eth{index}")
            infos.append(info)
            netinfo.save(pod_dir, netns, infos)
            with portmap.locked(net):
                portmap.check_free(info.network)
                info.result = cni.add(info.network, cni.Invocation(pod_uuid, netns, info.ifname, net.args))
            netinfo.save(pod_dir, netns, infos)
            masq.add(info.network, pod_uuid, info.result)
    except BaseException:
        _quiet_teardown(pod_dir, pod_uuid)
        raise
    return infos


def _localised(net: Network, data_dir: Path) -> Network:
    """host-local keeps its leases under the rkt data dir (not /var/lib/cni), one folder per network."""
    for plugin in net.plugins:
        ipam = plugin.get("ipam")
        if isinstance(ipam, dict) and ipam.get("type") == "host-local" and "dataDir" not in ipam:
            ipam["dataDir"] = str(paths.net_ipam_dir(data_dir))
    return net


def teardown(pod_dir: Path, pod_uuid: str) -> None:
    """DELs every recorded network in reverse order, then forgets them; idempotent.

    If the netns is already gone the plugins still release addresses and port rules, and the ipMasq
    rules ptp can only find through the interface are removed by chain name. That is also the fast way:
    unmounting the netns first lets the kernel delete all its veths in one batch, instead of one
    synchronous netlink delete per interface plus ptp's per-rule iptables commits.
    """
    netns, infos = netinfo.load(pod_dir)
    alive = netns if _is_netns(netns) else ""
    if not alive:
        _wait_links_gone(infos)
    failures: list[PluginError] = []
    for info in reversed(infos):
        try:
            _delete(info, pod_uuid, alive)
        except PluginError as exc:
            failures.append(exc)
    if failures:
        raise failures[0]
    netinfo.forget(pod_dir)


def _delete(info: NetInfo, pod_uuid: str, netns: str) -> None:
    with portmap.locked(info.network):
        try:
            cni.delete(info.network, cni.Invocation(pod_uuid, netns, info.ifname, info.network.args), info.result)
        finally:
            if any(masq.ours(p) for p in info.network.plugins):
                masq.undo(info.network, pod_uuid, info.result)
            elif not netns:
                masq.scrub(info.network, pod_uuid)
            if portmap.uses_portmap(info.network):
                portmap.drop_idle_chains()


def _wait_links_gone(infos: list[NetInfo]) -> None:
    """Waits for the kernel to destroy the pods' host-side veths before their addresses are released,
    so a new pod given the same address never meets the old route; PluginError if they outlive the wait
    (something still holds the netns) and the record stays for the next gc."""
    names = [i["name"] for info in infos for i in (info.result or {}).get("interfaces", []) if not i.get("sandbox")]
    deadline = time.monotonic() + LINK_TIMEOUT
    while (left := [n for n in names if _link_exists(n)]) and time.monotonic() < deadline:
        time.sleep(0.002)
    if left:
        raise PluginError(f"interface {left[0]} outlived its pod's network namespace; will retry at gc")


def _link_exists(name: str) -> bool:
    import socket  # on use: only teardown waits for links

    try:
        socket.if_nametoindex(name)
        return True
    except OSError:
        return False


def _quiet_teardown(pod_dir: Path, pod_uuid: str) -> None:
    """Rollback after a failed setup: the setup's own error is the one to report, and what a DEL could
    not undo stays recorded for ``gc``."""
    try:
        teardown(pod_dir, pod_uuid)
    except (RktError, OSError):  # TimeoutError included
        pass


def _is_netns(path: str) -> bool:
    """True when ``path`` is a live network namespace (an nsfs inode), not a leftover mount point."""
    if not path:
        return False
    try:
        return os.stat(path).st_dev == os.stat("/proc/self/ns/net").st_dev
    except OSError:
        return False
