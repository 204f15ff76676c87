"""The proxy's whole nftables table as one atomic ``nft -f`` transaction, pure.

``build`` lays the fixed skeleton (hooked base chains, the verdict maps, masquerading) and adds every Service
port's chains. ``transaction`` turns a ruleset into commands that take the table from the ``previous``
ruleset (what the last successful sync wrote) to the new one. Usually only the difference is written (chains
whose rules changed are flushed and refilled, map elements added or deleted one by one): rewriting 1000
Services' chains costs nft about a second, a difference a few milliseconds. A ``full`` sync (periodic)
rewrites every chain and map. Chains and sets no longer wanted are deleted; affinity sets are never flushed,
so clients keep their endpoint across syncs. With no ``previous`` (first sync, or after a failure) the table
is deleted and written from scratch. nft applies the file all or nothing, so packets never see a half-written
table. Nothing here touches any other table.
"""

from __future__ import annotations

from rktnetes.proxy import naming
from rktnetes.proxy.serviceports import ServicePort
from rktnetes.proxy.servicerules import NodeView, Ruleset, add_port

LOOPBACK = "127.0.0.0/8"
# base chain -> its hook; filter checks run before DNAT (-100) so they still see the Service address
BASE_CHAINS = {
    "filter-input": "type filter hook input priority -110; policy accept;",
    "filter-forward": "type filter hook forward priority -110; policy accept;",
    "filter-output": "type filter hook output priority -110; policy accept;",
    "nat-prerouting": "type nat hook prerouting priority -100; policy accept;",
    "nat-output": "type nat hook output priority -100; policy accept;",
    "nat-postrouting": "type nat hook postrouting priority 100; policy accept;",
}
MAPS = {
    naming.SERVICE_IPS: "type ipv4_addr . inet_proto . inet_service : verdict;",
    naming.NO_ENDPOINT_SERVICES: "type ipv4_addr . inet_proto . inet_service : verdict;",
    naming.SERVICE_NODEPORTS: "type inet_proto . inet_service : verdict;",
    naming.NO_ENDPOINT_NODEPORTS: "type inet_proto . inet_service : verdict;",
}
NODEPORT_SET = "type ipv4_addr; flags interval;"


def _nodeport_match(nodeport_cidrs: tuple[str, ...]) -> str:
    """Local addresses NodePorts answer on: those in ``--nodeport-addresses``, else any but loopback."""
    if nodeport_cidrs:
        return f"fib daddr type local ip daddr @{naming.NODEPORT_ADDRESSES}"
    return f"fib daddr type local ip daddr != {LOOPBACK}"


def skeleton(nodeport_cidrs: tuple[str, ...] = ()) -> Ruleset:
    new = "ct state new jump"
    nodeports = _nodeport_match(nodeport_cidrs)
    rules = Ruleset(chains={
        "filter-input": [f"{new} {naming.NODEPORT_ENDPOINTS_CHECK}", f"{new} {naming.SERVICE_ENDPOINTS_CHECK}"],
        "filter-forward": [f"{new} {naming.SERVICE_ENDPOINTS_CHECK}"],
        "filter-output": [f"{new} {naming.SERVICE_ENDPOINTS_CHECK}", f"{new} {naming.NODEPORT_ENDPOINTS_CHECK}"],
        "nat-prerouting": [f"jump {naming.SERVICES}"],
        "nat-output": [f"jump {naming.SERVICES}"],
        "nat-postrouting": [f"jump {naming.MASQUERADING}"],
        naming.SERVICE_ENDPOINTS_CHECK: [f"ip daddr . meta l4proto . th dport vmap @{naming.NO_ENDPOINT_SERVICES}"],
        naming.NODEPORT_ENDPOINTS_CHECK: [f"{nodeports} meta l4proto . th dport vmap @{naming.NO_ENDPOINT_NODEPORTS}"],
        naming.SERVICES: [f"ip daddr . meta l4proto . th dport vmap @{naming.SERVICE_IPS}",
                          f"{nodeports} meta l4proto . th dport vmap @{naming.SERVICE_NODEPORTS}"],
        naming.MASQUERADING: [f"meta mark & {naming.MASQUERADE_MARK} == 0 return",
                              f"meta mark set meta mark ^ {naming.MASQUERADE_MARK}", "masquerade fully-random"],
        naming.MARK_FOR_MASQUERADE: [f"meta mark set meta mark | {naming.MASQUERADE_MARK}"],
        naming.REJECT: ["reject"],
    })
    for cidr in nodeport_cidrs:
        rules.element(naming.NODEPORT_ADDRESSES, cidr)
    return rules


def build(ports: list[ServicePort], node: NodeView, nodeport_cidrs: tuple[str, ...] = ()) -> Ruleset:
    """The whole table for these Service ports, as seen from ``node``."""
    rules = skeleton(nodeport_cidrs)
    for port in ports:
        add_port(rules, port, node)
    return rules


def _collections(nodeport_cidrs: bool) -> dict[str, str]:
    return {**MAPS, naming.NODEPORT_ADDRESSES: NODEPORT_SET} if nodeport_cidrs else dict(MAPS)


def _declarations(new: Ruleset, old: Ruleset, t: str, flush: bool) -> list[str]:
    lines = []
    for name, spec in _collections(naming.NODEPORT_ADDRESSES in new.elements).items():
        kind = "set" if name == naming.NODEPORT_ADDRESSES else "map"
        lines += [f"add {kind} {t} {name} {{ {spec} }}"] + ([f"flush {kind} {t} {name}"] if flush else [])
    for name, seconds in new.affinity.items():
        if name not in old.affinity:
            lines.append(f"add set {t} {name} {{ type ipv4_addr; flags dynamic,timeout; timeout {seconds}s; }}")
    return lines


def _key(element: str) -> str:
    return element.partition(" : ")[0]


def _elements(new: Ruleset, old: Ruleset, t: str) -> list[str]:
    """Element deletions and additions taking each map and set from ``old`` to ``new``."""
    lines = []
    for name in sorted(set(new.elements) | set(old.elements)):
        before, after = set(old.elements.get(name, ())), new.elements.get(name, [])
        kept = set(after)
        gone = [_key(e) for e in old.elements.get(name, ()) if e not in kept]
        added = [e for e in after if e not in before]
        lines += [f"delete element {t} {name} {{ {', '.join(gone)} }}"] if gone else []
        lines += [f"add element {t} {name} {{ {', '.join(added)} }}"] if added else []
    return lines


def transaction(new: Ruleset, previous: Ruleset | None, full: bool = False) -> str:
    """``nft -f`` input taking the table from ``previous`` to ``new``: only what changed, or with ``full``
    every chain and map flushed and rewritten (repairing edits made behind our back); with no ``previous``
    (unknown) the table is deleted and written from scratch."""
    t = naming.table_ref()
    old = previous if previous is not None and not full else Ruleset()
    known = set(previous.chains) if previous is not None else set()
    lines = [f"add table {t}"] + ([f"delete table {t}", f"add table {t}"] if previous is None else [])
    lines += _declarations(new, old, t, flush=full and previous is not None)
    changed = [name for name, rules in new.chains.items() if old.chains.get(name) != rules]
    stale = sorted(known - set(new.chains))
    lines += [f"add chain {t} {name}" + (f" {{ {BASE_CHAINS[name]} }}" if name in BASE_CHAINS else "")
              for name in changed if full or name not in known]
    lines += [f"flush chain {t} {name}" for name in [*changed, *stale] if name in known]
    lines += [f"add rule {t} {name} {rule}" for name in changed for rule in new.chains[name]]
    lines += _elements(new, old, t)
    lines += [f"delete chain {t} {name}" for name in stale]
    gone_sets = set(previous.affinity) - set(new.affinity) if previous is not None else set()
    lines += [f"delete set {t} {name}" for name in sorted(gone_sets)]
    return "\n".join(lines) + "\n"


def deletion() -> str:
    """Removes the proxy's table (and only it) if present."""
    t = naming.table_ref()
    return f"add table {t}\ndelete table {t}\n"
