"""Removing the ipMasq rules of a network whose pod namespace is already gone.

ptp and bridge find the addresses to un-masquerade through the container's interface; once the
namespace has vanished their DEL cannot, so the chain they named after (network, container id) is
removed here by that same name (``CNI-`` + the first 24 hex digits of sha512(name + id)).
"""

from __future__ import annotations

import hashlib
import shlex
import subprocess

from rktnetes.rkt.networking.netconf import Network

TIMEOUT = 30.0


def chain_name(network: str, container_id: str) -> str:
    return "CNI-" + hashlib.sha512((network + container_id).encode()).hexdigest()[:24]


def iptables(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(["iptables", "-w", "-t", "nat", *argv], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


def scrub(net: Network, container_id: str) -> None:
    """Deletes the network's masquerade chain and the POSTROUTING jumps to it, if they exist."""
    if not any(p.get("ipMasq") for p in net.plugins):
        return
    chain = chain_name(net.name, container_id)
    if iptables("-S", chain).returncode != 0:
        return
    for line in iptables("-S", "POSTROUTING").stdout.splitlines():
        words = shlex.split(line)
        if words[:2] == ["-A", "POSTROUTING"] and words[-2:] == ["-j", chain]:
            iptables("-D", *words[1:])
    iptables("-F", chain)
    iptables("-X", chain)
