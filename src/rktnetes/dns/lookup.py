"""What a question about the cluster domain resolves to, read from the record index (no I/O, no wire format).

The names follow the Kubernetes DNS specification as CoreDNS's kubernetes plugin serves it ("pods insecure"):
``<svc>.<ns>.svc.<domain>``, ``<endpoint>.<svc>.<ns>.svc.<domain>`` for headless Services,
``_<port>._<proto>.<svc>.<ns>.svc.<domain>`` SRV, ``<a-b-c-d>.<ns>.pod.<domain>``, PTR for ClusterIPs and
headless endpoints, ``dns-version.<domain>`` TXT. A name that exists without records of the asked type is
NODATA (NOERROR, empty answer); a name that does not exist is NXDOMAIN.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import dns.name
import dns.rcode
import dns.rdata
from dns.rdataclass import IN
from dns.rdatatype import AAAA, CNAME, NS, PTR, SOA, SRV, TXT, A
from dns.rdtypes.ANY.CNAME import CNAME as CNAMEData
from dns.rdtypes.ANY.NS import NS as NSData
from dns.rdtypes.ANY.PTR import PTR as PTRData
from dns.rdtypes.ANY.TXT import TXT as TXTData
from dns.rdtypes.IN.A import A as AData
from dns.rdtypes.IN.AAAA import AAAA as AAAAData
from dns.rdtypes.IN.SRV import SRV as SRVData

from rktnetes.dns import names, soa
from rktnetes.dns.indexing import RecordIndex, endpoint_label
from rktnetes.dns.records import Port, Service

RR = tuple[dns.name.Name, int, dns.rdata.Rdata]
SCHEMA_VERSION = "1.1.0"
DNS_SERVICE = ("kube-system", "kube-dns")


@dataclass
class Result:
    rcode: int = dns.rcode.NOERROR
    answer: list[RR] = field(default_factory=list)
    additional: list[RR] = field(default_factory=list)
    forward: bool = False  # not ours: ask the upstream servers


NXDOMAIN = Result(dns.rcode.NXDOMAIN)


def nodata() -> Result:
    return Result()


def address(name: dns.name.Name, ip: str) -> RR:
    if ipaddress.ip_address(ip).version == 4:
        return name, A, AData(IN, A, ip)
    return name, AAAA, AAAAData(IN, AAAA, ip)


def _addresses(name: dns.name.Name, ips: list[str], qtype: int) -> Result:
    records = [address(name, ip) for ip in ips]
    return Result(answer=[r for r in records if r[1] == qtype])


class Lookup:
    def __init__(self, index: RecordIndex, origin: dns.name.Name) -> None:
        self.index, self.origin = index, origin

    def resolve(self, qname: dns.name.Name, qtype: int) -> Result:
        labels = names.relative(qname, self.origin)
        if labels is not None:
            return self._in_zone(qname, labels, qtype)
        ip = names.reverse_ip(qname) if qtype == PTR else None
        targets = self.index.reverse(ip) if ip else []
        if not targets:
            return Result(forward=True)
        return Result(answer=[(qname, PTR, PTRData(IN, PTR, self._absolute(t))) for t in targets])

    def _absolute(self, labels: tuple[str, ...]) -> dns.name.Name:
        return dns.name.Name(tuple(label.encode() for label in labels) + self.origin.labels)

    def _in_zone(self, qname: dns.name.Name, labels: tuple[str, ...], qtype: int) -> Result:
        if not labels:
            return self._apex(qname, qtype)
        if labels[-1] == "svc":
            return self._under_svc(qname, labels[:-1], qtype)
        if labels[-1] == "pod" and len(labels) <= 3:
            return self._pod(qname, labels[:-1], qtype)
        if labels == ("dns-version",):
            return Result(answer=[(qname, TXT, TXTData(IN, TXT, [SCHEMA_VERSION]))] if qtype == TXT else [])
        if labels == ("ns", "dns"):
            service = self.index.service(*DNS_SERVICE)
            return _addresses(qname, list(service.cluster_ips) if service else [], qtype)
        return Result(dns.rcode.NOERROR) if labels == ("dns",) else NXDOMAIN

    def _apex(self, qname: dns.name.Name, qtype: int) -> Result:
        if qtype == SOA:
            return Result(answer=[(qname, SOA, soa.rdata(self.origin))])
        if qtype == NS:
            return Result(answer=[(qname, NS, NSData(IN, NS, soa.nameserver(self.origin)))])
        return nodata()

    def _under_svc(self, qname: dns.name.Name, labels: tuple[str, ...], qtype: int) -> Result:
        if len(labels) <= 1:
            return nodata() if not labels or self.index.has_namespace(labels[0]) else NXDOMAIN
        service = self.index.service(labels[-1], labels[-2])
        if service is None or len(labels) > 4:
            return NXDOMAIN
        if len(labels) == 2:
            return self._service(qname, service, qtype)
        if len(labels) == 3:
            return self._endpoint(qname, service, labels[0], qtype)
        return self._port(qname, service, labels[0], labels[1], qtype)

    def _service(self, qname: dns.name.Name, service: Service, qtype: int) -> Result:
        if service.external_name:
            target = dns.name.from_text(service.external_name + ".")
            return Result(answer=[(qname, CNAME, CNAMEData(IN, CNAME, target))])
        if qtype == SRV:
            return self._srv(qname, service, [p for p in self._ports(service) if p.name])
        ips = [e.ip for e in self.index.endpoints(service)] if service.headless else list(service.cluster_ips)
        return _addresses(qname, ips, qtype)

    def _endpoint(self, qname: dns.name.Name, service: Service, label: str, qtype: int) -> Result:
        if label.startswith("_"):  # _<proto>.<svc>...: exists when some named port speaks it
            found = any(p.name and p.protocol == label[1:] for p in self._ports(service))
            return nodata() if found else NXDOMAIN
        if not service.headless:
            return NXDOMAIN
        ips = [e.ip for e in self.index.endpoints(service) if endpoint_label(e) == label]
        return _addresses(qname, ips, qtype) if ips else NXDOMAIN

    def _port(self, qname: dns.name.Name, service: Service, port: str, proto: str, qtype: int) -> Result:
        ports = [p for p in self._ports(service) if p.name and f"_{p.name.lower()}" == port
                 and f"_{p.protocol}" == proto]
        if not ports:
            return NXDOMAIN
        return self._srv(qname, service, ports) if qtype == SRV else nodata()

    def _ports(self, service: Service) -> list[Port]:
        return self.index.endpoint_ports(service) if service.headless else list(service.ports)

    def _srv(self, qname: dns.name.Name, service: Service, ports: list[Port]) -> Result:
        base = (service.name, service.namespace, "svc")
        if service.headless:
            targets = [(self._absolute((endpoint_label(e), *base)), e.ip) for e in self.index.endpoints(service)]
        else:
            targets = [(self._absolute(base), ip) for ip in service.cluster_ips]
        weight = max(1, 100 // max(1, len(targets)))
        result = Result()
        for port in ports:
            for target in dict.fromkeys(t for t, _ in targets):
                result.answer.append((qname, SRV, SRVData(IN, SRV, 0, weight, port.port, target)))
        result.additional = [address(t, ip) for t, ip in targets]
        return result

    def _pod(self, qname: dns.name.Name, labels: tuple[str, ...], qtype: int) -> Result:
        if len(labels) < 2:
            return nodata()
        ip = names.pod_ip(labels[0])
        return _addresses(qname, [ip], qtype) if ip else NXDOMAIN
