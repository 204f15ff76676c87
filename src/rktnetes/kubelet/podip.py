"""The pod's IP chosen by the kubelet before the pod starts, for containers whose env asks for it.

A container's variables are fixed when ``rkt prepare`` writes the pod manifest, but rkt learns the pod's
address only when stage1 ADDs its network, after that. So for a pod whose env takes ``status.podIP`` (or
``status.podIPs``) through the downward API, the kubelet picks a free address of the node's pod network
itself and asks rkt for it (``--net=NAME:IP=ADDR``: rkt passes it to CNI as ``CNI_ARGS``, and host-local
allocates exactly that address) and puts the same address in the env. Free means: inside the network's
host-local range, not its gateway, not leased in host-local's data dir under rkt's (``net_ipam_dir``), not
held by any rkt pod the kubelet lists, and not handed out by this chooser in the last minutes (a pod
starting at the same time is not listed yet). Picked at random among those, so it seldom meets host-local's
own sequential choices for other pods; if the ADD still refuses it, the kubelet tries another.
"""

from __future__ import annotations

import ipaddress
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rktnetes.kubelet import errors
from rktnetes.rkt import paths as rkt_paths
from rktnetes.rkt.networking import netconf

Obj = dict[str, Any]
FIELDS = ("status.podIP", "status.podIPs")
ATTEMPTS = 3  # addresses tried before the start fails
RESERVE_FOR = 300.0  # seconds an address handed out stays off the list without a pod listing it


def wants_pod_ip(pod: Obj) -> bool:
    """Whether a container (or init container) of a pod on the pod network takes the pod IP from the env."""
    spec = pod.get("spec") or {}
    if spec.get("hostNetwork"):
        return False
    return any((((var.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")) in FIELDS
               for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])
               for var in c.get("env") or [])


def _ipam(local_config: Path, network: str) -> Obj:
    net = netconf.load_net_d(local_config).get(network)
    if net is None and network in (netconf.DEFAULT, netconf.RESTRICTED):
        net = netconf.builtin(network)
    ipam = next((p["ipam"] for p in (net.plugins if net else []) if isinstance(p.get("ipam"), dict)), {})
    if ipam.get("type") != "host-local":
        raise errors.BadPod(f"network {network!r} has no host-local IPAM: the kubelet cannot choose the pod IP "
                            "the pod's env asks for")
    return ipam


def pool(ipam: Obj) -> list[ipaddress.IPv4Address]:
    """The addresses host-local may hand out: the first IPv4 range (or ``subnet``), its rangeStart..rangeEnd,
    without the gateway (first address unless set)."""
    ranges = [r for rs in ipam.get("ranges") or [] for r in rs] or [ipam]
    first = next((r for r in ranges if r.get("subnet") and ":" not in r["subnet"]), None)
    if first is None:
        raise errors.BadPod("the pod network has no IPv4 subnet to choose the pod IP from")
    subnet = ipaddress.ip_network(first["subnet"], strict=False)
    hosts = list(subnet.hosts())
    gateway = ipaddress.ip_address(first.get("gateway") or ipam.get("gateway") or hosts[0])
    low = ipaddress.ip_address(first.get("rangeStart") or hosts[0])
    high = ipaddress.ip_address(first.get("rangeEnd") or hosts[-1])
    return [ip for ip in hosts if low <= ip <= high and ip != gateway]


def leased(rkt_root: Path, network: str) -> set[str]:
    """The addresses host-local has leased on this network (one file per address in its data dir)."""
    folder = rkt_paths.net_ipam_dir(rkt_root) / network
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def refused(exc: Exception, address: str) -> bool:
    """Whether a failed start is the network refusing ``address`` (taken meanwhile): worth another one."""
    text = str(exc)
    return address in text or "not available" in text or "already" in text


class Chooser:
    """Free addresses of the node's pod network, handed out at random."""

    def __init__(self, network: str, runtime: Any, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        """``runtime``: the kubelet's rkt (its data dir and ``--local-config`` say where leases and networks are)."""
        self.network, self.runtime, self.clock = network, runtime, clock
        self.rng = rng or random.Random()
        self.handed: dict[str, float] = {}  # address -> until when it stays off the list

    def choose(self, held: set[str]) -> str:
        """A free address, given those the rkt pods hold; BadPod if the network has none left."""
        now = self.clock()
        self.handed = {ip: until for ip, until in self.handed.items() if until > now}
        taken = held | set(self.handed) | leased(self.runtime.root, self.network)
        config = self.runtime.local_config or rkt_paths.DEFAULT_LOCAL_CONFIG
        free = [str(ip) for ip in pool(_ipam(config, self.network)) if str(ip) not in taken]
        if not free:
            raise errors.BadPod(f"no free address left on network {self.network!r} for the pod IP")
        address = self.rng.choice(free)
        self.handed[address] = now + RESERVE_FOR
        return address
