"""What a question about the cluster domain resolves to, read from the record index (no I/O).

The names follow the Kubernetes DNS specification as CoreDNS's kubernetes plugin serves it ("pods insecure"):
``<svc>.<ns>.svc.<domain>``, ``<endpoint>.<svc>.<ns>.svc.<domain>`` for headless Services,
``_<port>._<proto>.<svc>.<ns>.svc.<domain>`` SRV, ``<a-b-c-d>.<ns>.pod.<domain>``, PTR for ClusterIPs and
headless endpoints, ``dns-version.<domain>`` TXT. A name that exists without records of the asked type is
NODATA (NOERROR, empty answer); a name that does not exist is NXDOMAIN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rktnetes.dns import names, soa, wire
from rktnetes.dns.indexing import RecordIndex, endpoint_label
from rktnetes.dns.records import Port, Service
from rktnetes.dns.wire import Labels, Record

NOERROR, NXDOMAIN_RCODE = 0, 3
A, NS, CNAME, SOA, PTR, TXT, AAAA, SRV, ANY = 1, 2, 5, 6, 12, 16, 28, 33, 255
SCHEMA_VERSION = "1.1.0"
DNS_SERVICE = ("kube-system", "kube-dns")


@dataclass
class Result:
    rcode: int = NOERROR
    answer: list[Record] = field(default_factory=list)
    additional: list[Record] = field(default_factory=list)
    forward: bool = False  # not ours: ask the upstream servers


def nxdomain() -> Result:
    return Result(NXDOMAIN_RCODE)


def address(owner: Labels, ip: str) -> Record:
    rdtype, packed = wire.address(ip)
    return Record(owner, rdtype, packed)


def _addresses(owner: Labels, ips: list[str], qtype: int) -> Result:
    records = [address(owner, ip) for ip in ips]
    return Result(answer=[r for r in records if r.rdtype == qtype or qtype == ANY])


class Lookup:
    def __init__(self, index: RecordIndex, origin: Labels) -> None:
        self.index, self.origin = index, origin

    def resolve(self, qname: Labels, qtype: int) -> Result:
        """``qname`` (lower case, no root label) asked with ``qtype``."""
        size = len(self.origin)
        if qname[len(qname) - size:] == self.origin:
            return self._in_zone(qname, qname[:len(qname) - size], qtype)
        ip = names.reverse_ip(qname) if qtype == PTR else None
        targets = self.index.reverse(ip) if ip else []
        if not targets:
            return Result(forward=True)
        return Result(answer=[Record(qname, PTR, wire.name(t + self.origin)) for t in targets])

    def _in_zone(self, qname: Labels, labels: Labels, qtype: int) -> Result:
        if not labels:
            return self._apex(qname, qtype)
        if labels[-1] == "svc":
            return self._under_svc(qname, labels[:-1], qtype)
        if labels[-1] == "pod" and len(labels) <= 3:
            return self._pod(qname, labels[:-1], qtype)
        if labels == ("dns-version",):
            return Result(answer=[Record(qname, TXT, wire.txt(SCHEMA_VERSION))] if qtype == TXT else [])
        if labels == ("ns", "dns"):
            service = self.index.service(*DNS_SERVICE)
            return _addresses(qname, list(service.cluster_ips) if service else [], qtype)
        return Result() if labels == ("dns",) else nxdomain()

    def _apex(self, qname: Labels, qtype: int) -> Result:
        if qtype == SOA:
            return Result(answer=[Record(qname, SOA, soa.rdata(self.origin))])
        if qtype == NS:
            return Result(answer=[Record(qname, NS, wire.name(soa.nameserver(self.origin)))])
        return Result()

    def _under_svc(self, qname: Labels, labels: Labels, qtype: int) -> Result:
        if len(labels) <= 1:
            return Result() if not labels or self.index.has_namespace(labels[0]) else nxdomain()
        service = self.index.service(labels[-1], labels[-2])
        if service is None or len(labels) > 4:
            return nxdomain()
        if len(labels) == 2:
            return self._service(qname, service, qtype)
        if len(labels) == 3:
            return self._endpoint(qname, service, labels[0], qtype)
        return self._port(qname, service, labels[0], labels[1], qtype)

    def _service(self, qname: Labels, service: Service, qtype: int) -> Result:
        if service.external_name:
            target = tuple(service.external_name.lower().split("."))
            return Result(answer=[Record(qname, CNAME, wire.name(target))])
        if qtype == SRV:
            return self._srv(qname, service, [p for p in self._ports(service) if p.name])
        ips = [e.ip for e in self.index.endpoints(service)] if service.headless else list(service.cluster_ips)
        return _addresses(qname, ips, qtype)

    def _endpoint(self, qname: Labels, service: Service, label: str, qtype: int) -> Result:
        if label.startswith("_"):  # _<proto>.<svc>...: exists when some named port speaks it
            found = any(p.name and p.protocol == label[1:] for p in self._ports(service))
            return Result() if found else nxdomain()
        if not service.headless:
            return nxdomain()
        ips = [e.ip for e in self.index.endpoints(service) if endpoint_label(e) == label]
        return _addresses(qname, ips, qtype) if ips else nxdomain()

    def _port(self, qname: Labels, service: Service, port: str, proto: str, qtype: int) -> Result:
        ports = [p for p in self._ports(service) if p.name and f"_{p.name.lower()}" == port
                 and f"_{p.protocol}" == proto]
        if not ports:
            return nxdomain()
        return self._srv(qname, service, ports) if qtype == SRV else Result()

    def _ports(self, service: Service) -> list[Port]:
        return self.index.endpoint_ports(service) if service.headless else list(service.ports)

    def _srv(self, qname: Labels, service: Service, ports: list[Port]) -> Result:
        base = (service.name, service.namespace, "svc", *self.origin)
        if service.headless:
            targets = [((endpoint_label(e), *base), e.ip) for e in self.index.endpoints(service)]
        else:
            targets = [(base, ip) for ip in service.cluster_ips]
        weight = max(1, 100 // max(1, len(targets)))
        result = Result()
        for port in ports:
            for target in dict.fromkeys(t for t, _ in targets):
                result.answer.append(Record(qname, SRV, wire.srv(0, weight, port.port, target)))
        result.additional = [address(t, ip) for t, ip in targets]
        return result

    def _pod(self, qname: Labels, labels: Labels, qtype: int) -> Result:
        if len(labels) < 2:
            return Result()
        ip = names.pod_ip(labels[0])
        return _addresses(qname, [ip], qtype) if ip else nxdomain()
