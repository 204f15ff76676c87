"""The chains and map elements of one Service port, pure (kube-proxy's nftables layout, in our own words).

Cluster-IP traffic is looked up in the ``service-ips`` verdict map and jumps to the port's ``svc-`` chain,
which (with session affinity) first sends a client back to the endpoint it used last, else picks one ready
endpoint at random (``numgen random mod N`` into a verdict map of ``ep-`` chains). Each ``ep-`` chain marks
hairpin traffic (an endpoint reaching itself through the Service) for masquerade and DNATs. NodePorts and
external IPs go through an ``ext-`` chain that masquerades unless ``externalTrafficPolicy: Local``, which keeps
the client's address and uses this node's endpoints only. A port with no endpoints at all is an element of the
``no-endpoint-*`` maps instead, so the filter hooks reject its connections rather than black-holing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rktnetes.proxy import naming
from rktnetes.proxy.serviceports import Endpoint, ServicePort


@dataclass
class Ruleset:
    """Chains with their rules, map elements, and affinity sets with their timeouts (seconds)."""

    chains: dict[str, list[str]] = field(default_factory=dict)
    elements: dict[str, list[str]] = field(default_factory=dict)
    affinity: dict[str, int] = field(default_factory=dict)

    def element(self, collection: str, text: str) -> None:
        self.elements.setdefault(collection, []).append(text)


@dataclass(frozen=True)
class NodeView:
    """What rules depend on beyond the Service: this node's name and the cluster's pod CIDR ('' if unknown)."""

    node_name: str
    cluster_cidr: str = ""


def add_port(rules: Ruleset, port: ServicePort, node: NodeView) -> None:
    """The chains and elements of ``port`` into ``rules``."""
    if not port.endpoints:
        _reject(rules, port)
        return
    internal = port.local_endpoints(node.node_name) if port.internal_local else port.endpoints
    rules.chains[naming.service_chain(port)] = _service_rules(port, internal, node)
    for endpoint in port.endpoints:
        rules.chains[naming.endpoint_chain(port, endpoint)] = _endpoint_rules(port, endpoint)
        if port.affinity_seconds:
            rules.affinity[naming.affinity_set(port, endpoint)] = port.affinity_seconds
    rules.element(naming.SERVICE_IPS, f"{port.cluster_ip} . {port.protocol} . {port.port} : "
                                      f"goto {naming.service_chain(port)}")
    if port.node_port or port.external_ips:
        _external(rules, port, node)


def _reject(rules: Ruleset, port: ServicePort) -> None:
    verdict = f"goto {naming.REJECT}"
    for ip in (port.cluster_ip, *port.external_ips):
        rules.element(naming.NO_ENDPOINT_SERVICES, f"{ip} . {port.protocol} . {port.port} : {verdict}")
    if port.node_port:
        rules.element(naming.NO_ENDPOINT_NODEPORTS, f"{port.protocol} . {port.node_port} : {verdict}")


def _service_rules(port: ServicePort, endpoints: tuple[Endpoint, ...], node: NodeView) -> list[str]:
    out = []
    if node.cluster_cidr:
        out.append(f"ip saddr != {node.cluster_cidr} jump {naming.MARK_FOR_MASQUERADE}")
    return out + _balance(port, endpoints)


def _balance(port: ServicePort, endpoints: tuple[Endpoint, ...]) -> list[str]:
    """Affinity lookups, then one endpoint at random; ``drop`` when a Local policy leaves none here."""
    if not endpoints:
        return ["drop"]
    out = []
    if port.affinity_seconds:
        out += [f"ip saddr @{naming.affinity_set(port, e)} goto {naming.endpoint_chain(port, e)}" for e in endpoints]
    targets = ", ".join(f"{i} : goto {naming.endpoint_chain(port, e)}" for i, e in enumerate(endpoints))
    return [*out, f"numgen random mod {len(endpoints)} vmap {{ {targets} }}"]


def _endpoint_rules(port: ServicePort, endpoint: Endpoint) -> list[str]:
    out = [f"ip saddr {endpoint.ip} jump {naming.MARK_FOR_MASQUERADE}"]
    if port.affinity_seconds:
        out.append(f"update @{naming.affinity_set(port, endpoint)} {{ ip saddr }}")
    return [*out, f"meta l4proto {port.protocol} dnat to {endpoint.ip}:{endpoint.port}"]


def _external(rules: Ruleset, port: ServicePort, node: NodeView) -> None:
    chain = naming.external_chain(port)
    if port.external_local:
        rules.chains[chain] = _balance(port, port.local_endpoints(node.node_name))
    elif port.internal_local:
        rules.chains[chain] = [f"jump {naming.MARK_FOR_MASQUERADE}", *_balance(port, port.endpoints)]
    else:
        rules.chains[chain] = [f"jump {naming.MARK_FOR_MASQUERADE}", f"goto {naming.service_chain(port)}"]
    for ip in port.external_ips:
        rules.element(naming.SERVICE_IPS, f"{ip} . {port.protocol} . {port.port} : goto {chain}")
    if port.node_port:
        rules.element(naming.SERVICE_NODEPORTS, f"{port.protocol} . {port.node_port} : goto {chain}")
