"""Removing iptables rules CNI plugins leave behind, in one ``iptables-restore`` transaction each.

ptp and bridge find the addresses to un-masquerade through the container's interface; once the
namespace has vanished their DEL cannot, so the chain they named after (network, container id) is
removed here by that same name (``CNI-`` + the first 24 hex digits of sha512(name + id)). Each nft
commit costs milliseconds, so a whole cleanup is one listing and one restore, not one exec per rule.
"""

from __future__ import annotations

import hashlib
import shlex
import subprocess

from rktnetes.rkt.networking.errors import PluginError
from rktnetes.rkt.networking.netconf import Network

TIMEOUT = 30.0


def chain_name(network: str, container_id: str) -> str:
    return "CNI-" + hashlib.sha512((network + container_id).encode()).hexdigest()[:24]


def nat_rules() -> list[list[str]]:
    """``iptables -t nat -S`` split into words: ``["-N", chain]`` and ``["-A", chain, …]`` lines."""
    done = subprocess.run(["iptables", "-w", "-t", "nat", "-S"], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    return [shlex.split(line) for line in done.stdout.splitlines() if line.startswith(("-N", "-A"))]


def remove(rules: list[list[str]], chains: list[str]) -> None:
    """Deletes the given ``-A`` rules, then flushes and deletes the chains, as one nat transaction."""
    if not rules and not chains:
        return
    lines = ["*nat"] + [" ".join(_quote(w) for w in ["-D", *r[1:]]) for r in rules]
    lines += [f"-F {c}" for c in chains] + [f"-X {c}" for c in chains] + ["COMMIT", ""]
    done = subprocess.run(["iptables-restore", "-w", "--noflush"], input="\n".join(lines), capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PluginError(f"removing iptables chains {', '.join(chains)}: {reason}")


def _quote(word: str) -> str:
    """iptables-restore's quoting: double quotes, with backslash-escaped inner double quotes."""
    if word and not any(c.isspace() or c in "\"'\\" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jumps_to(rules: list[list[str]], chains: tuple[str, ...] | list[str]) -> list[list[str]]:
    """The rules of other chains that jump to one of ``chains``."""
    return [r for r in rules if r[0] == "-A" and r[1] not in chains and len(r) > 3 and r[-2] == "-j" and r[-1] in chains]


def scrub(net: Network, container_id: str) -> None:
    """Deletes the network's masquerade chain and the jumps to it, if they exist."""
    if not any(p.get("ipMasq") for p in net.plugins):
        return
    chain = chain_name(net.name, container_id)
    rules = nat_rules()
    if ["-N", chain] in rules:
        remove(jumps_to(rules, [chain]), [chain])
