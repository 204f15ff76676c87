"""UDP conntrack entries a sync leaves stale, and deleting them with the real ``conntrack``.

UDP has no connection to close: once conntrack has NATed a client's flow to an endpoint, every later datagram
of that flow follows the entry, even after the endpoint is gone or while a Service had no endpoint (its
packets were rejected, and the entry remembers no NAT). So after each sync that removed a UDP endpoint, or gave
a UDP Service its first endpoint, the matching entries are deleted and the next datagram is NATed afresh.
TCP needs none of this: its connections fail and clients reconnect.
"""

from __future__ import annotations

from pathlib import Path

from rktnetes.proxy import errors, netns
from rktnetes.proxy.serviceports import ServicePort

# conntrack exits 1 when nothing matched: that is success here
NOTHING_DELETED = 1


def _frontends(port: ServicePort) -> list[list[str]]:
    """conntrack filters for the original destinations of this port: cluster IP, external IPs, NodePort."""
    out = [["--orig-dst", ip, "--orig-port-dst", str(port.port)] for ip in (port.cluster_ip, *port.external_ips)]
    return out + ([["--orig-port-dst", str(port.node_port)]] if port.node_port else [])


def stale_filters(old: list[ServicePort], new: list[ServicePort]) -> list[list[str]]:
    """``conntrack -D`` filters for UDP flows the change from ``old`` to ``new`` strands."""
    before = {p.id: p for p in old if p.protocol == "udp"}
    after = {p.id: p for p in new if p.protocol == "udp"}
    out: list[list[str]] = []
    for port in after.values():
        previous = before.get(port.id)
        if port.endpoints and (previous is None or not previous.endpoints):
            out += [["-p", "udp", *f] for f in _frontends(port)]
        elif previous is not None:
            out += _gone(previous, {e.ip for e in port.endpoints})
    for port in (p for key, p in before.items() if key not in after):
        out += _gone(port, set())
    return out


def _gone(previous: ServicePort, kept: set[str]) -> list[list[str]]:
    gone = sorted({e.ip for e in previous.endpoints} - kept)
    return [["-p", "udp", *f, "--dst-nat", ip] for ip in gone for f in _frontends(previous)]


def delete(namespace: Path | None, filters: list[list[str]]) -> None:
    """``conntrack -D`` once per filter inside ``namespace``."""
    for argv in filters:
        result = netns.run(namespace, ["conntrack", "-D", *argv])
        if result.returncode not in (0, NOTHING_DELETED):
            raise errors.ConntrackError(f"conntrack -D {' '.join(argv)}: {result.stderr.strip()}")
