"""The portmap plugin's shared iptables chains, removed once no pod publishes a port.

portmap creates CNI-HOSTPORT-{DNAT,MASQ,SETMARK} and the jumps to them on its first ADD and never
removes them. So that a stopped pod leaves the firewall as it found it, the last DEL removes them too.
A portmap ADD racing that removal would lose its jump, so both run under one flock.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator

from rktnetes.rkt import paths
from rktnetes.rkt.networking import masq
from rktnetes.rkt.networking.errors import PortError
from rktnetes.rkt.networking.netconf import Network

SHARED = ("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK")


def uses_portmap(net: Network) -> bool:
    return any(p.get("type") == "portmap" for p in net.plugins)


@contextlib.contextmanager
def locked(net: Network) -> Iterator[None]:
    """Holds the host-wide portmap lock while the block runs, if the network publishes ports."""
    if not uses_portmap(net):
        yield
        return
    path = paths.portmap_lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def check_free(net: Network) -> None:
    """PortError if another pod already publishes one of the network's host ports (call under ``locked``).

    portmap itself would silently add a second DNAT rule that never matches."""
    wanted = [m for p in net.plugins for m in (p.get("runtimeConfig") or {}).get("portMappings", [])]
    if not wanted:
        return
    taken = [_published(r) for r in masq.nat_rules() if r[0] == "-A" and r[1].startswith("CNI-DN-") and "DNAT" in r]
    for m in wanted:
        for protocol, port, address in taken:
            if (protocol, port) == (m["protocol"], m["hostPort"]) and (not address or not m["hostIP"]
                                                                       or address == m["hostIP"]):
                raise PortError(f"host port {port}/{protocol} is already published by another pod")


def _published(rule: list[str]) -> tuple[str, int, str]:
    """(protocol, host port, host IP or "") of one portmap DNAT rule."""
    def after(flag: str) -> str:
        return rule[rule.index(flag) + 1] if flag in rule else ""
    return after("-p"), int(after("--dport") or 0), after("-d").removesuffix("/32")


def drop_idle_chains() -> None:
    """Removes the shared chains and the jumps to them when no pod's DNAT rule is left (call under ``locked``)."""
    rules = masq.nat_rules()
    if ["-N", SHARED[0]] not in rules or any(r[:2] == ["-A", SHARED[0]] for r in rules):
        return
    present = [c for c in SHARED if ["-N", c] in rules]
    masq.remove(masq.jumps_to(rules, SHARED), present)
