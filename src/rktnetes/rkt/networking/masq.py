"""The masquerade (``ipMasq``) rules of ptp networks, and iptables rules CNI plugins leave behind, each
written or removed in one ``iptables-restore`` transaction.

ptp's own ipMasq runs nine iptables execs per ADD (~15 ms, the longest part of a pod's network start), so
for an IPv4 host-local ptp network the plugin is invoked with ipMasq off and ``add`` writes the very rules
it would: a chain named after (network, container id) (``CNI-`` + the first 24 hex digits of
sha512(name + id)) that accepts the pod's subnet and masquerades the rest but multicast, and a POSTROUTING
jump from the pod's address, all carrying ptp's comment. ``scrub`` removes such a chain and its jumps by
name: after our own rules, and for ptp and bridge DELs that ran once the pod's namespace had vanished
(they find what to un-masquerade through the container's interface). Each nft commit costs milliseconds,
so a whole cleanup is one listing and one restore, not one exec per rule.
"""

from __future__ import annotations

from rktnetes.rkt.networking import execs
from rktnetes.rkt.networking.errors import PluginError
from rktnetes.rkt.networking.netconf import Network

try:  # CPython's own SHA-512: hashlib would load OpenSSL (~3 ms of every networked pod start) for one digest
    from _sha512 import sha512
except ImportError:  # named _sha2 from Python 3.12
    from hashlib import sha512

TIMEOUT = 30.0


def chain_name(network: str, container_id: str) -> str:
    return "CNI-" + sha512((network + container_id).encode()).hexdigest()[:24]


def nat_rules() -> list[list[str]]:
    """``iptables -t nat -S`` split into words: ``["-N", chain]`` and ``["-A", chain, …]`` lines."""
    import shlex  # on use: only teardown lists rules

    done = execs.run(["iptables", "-w", "-t", "nat", "-S"], timeout=TIMEOUT)
    lines = done.stdout.decode(errors="replace").splitlines()
    return [shlex.split(line) for line in lines if line.startswith(("-N", "-A"))]


def remove(rules: list[list[str]], chains: list[str]) -> None:
    """Deletes the given ``-A`` rules, then flushes and deletes the chains, as one nat transaction."""
    if not rules and not chains:
        return
    lines = ["*nat"] + [" ".join(_quote(w) for w in ["-D", *r[1:]]) for r in rules]
    lines += [f"-F {c}" for c in chains] + [f"-X {c}" for c in chains] + ["COMMIT", ""]
    _restore(lines, f"removing iptables chains {', '.join(chains)}")


def _restore(lines: list[str], what: str) -> None:
    """One ``iptables-restore --noflush`` transaction; PluginError naming ``what`` if it fails."""
    done = execs.run(["iptables-restore", "-w", "--noflush"], "\n".join(lines).encode(), timeout=TIMEOUT)
    if done.returncode != 0:
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        raise PluginError(f"{what}: {reason}")


def _quote(word: str) -> str:
    """iptables-restore's quoting: double quotes, with backslash-escaped inner double quotes."""
    if word and not any(c.isspace() or c in "\"'\\" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jumps_to(rules: list[list[str]], chains: tuple[str, ...] | list[str]) -> list[list[str]]:
    """The rules of other chains that jump to one of ``chains``."""
    return [r for r in rules if r[0] == "-A" and r[1] not in chains and len(r) > 3 and r[-2] == "-j" and r[-1] in chains]


def ours(plugin: dict) -> bool:
    """True for a ptp plugin whose ipMasq this module does (IPv4 host-local addresses)."""
    ipam = plugin.get("ipam") or {}
    return (plugin.get("type") == "ptp" and bool(plugin.get("ipMasq")) and ipam.get("type") == "host-local"
            and "." in str(ipam.get("subnet", "")))


def add(net: Network, container_id: str, result: dict) -> None:
    """Writes the masquerade rules of the pod's addresses in ``result`` if the network's ptp asked for them."""
    if not any(ours(p) for p in net.plugins):
        return
    chain = chain_name(net.name, container_id)
    lines = [f":{chain} - [0:0]"]
    for ip, tag in _addresses(net, container_id, result):
        lines += [f"-A {chain} -d {ip} -j ACCEPT {tag}", f"-A {chain} ! -d 224.0.0.0/4 -j MASQUERADE {tag}",
                  f"-A POSTROUTING -s {ip.split('/')[0]} -j {chain} {tag}"]
    _restore(["*nat", *lines, "COMMIT", ""], f"adding iptables chain {chain}")


def undo(net: Network, container_id: str, result: dict | None) -> None:
    """Deletes what ``add`` wrote, in one transaction without listing the table first; by ``scrub`` when
    that fails (a rule is missing: the ADD did not finish, or someone removed it)."""
    chain = chain_name(net.name, container_id)
    jumps = [f"-D POSTROUTING -s {ip.split('/')[0]} -j {chain} {tag}" for ip, tag in
             _addresses(net, container_id, result or {})]
    if jumps:
        try:
            _restore(["*nat", *jumps, f"-F {chain}", f"-X {chain}", "COMMIT", ""], f"removing iptables chain {chain}")
            return
        except PluginError:
            pass  # something is missing: list what is there
    scrub(net, container_id)


def _addresses(net: Network, container_id: str, result: dict) -> list[tuple[str, str]]:
    """(address/prefix, the rules' comment match) of each IPv4 address in a CNI result."""
    comment = f'name: "{net.name}" id: "{container_id}"'
    tag = f"-m comment --comment {_quote(comment)}"
    return [(i["address"], tag) for i in result.get("ips", []) if "." in i["address"]]


def scrub(net: Network, container_id: str) -> None:
    """Deletes the network's masquerade chain and the jumps to it, if they exist."""
    if not any(p.get("ipMasq") for p in net.plugins):
        return
    chain = chain_name(net.name, container_id)
    rules = nat_rules()
    if ["-N", chain] in rules:
        remove(jumps_to(rules, [chain]), [chain])
