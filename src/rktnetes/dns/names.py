"""Reading query names: the labels under the cluster domain, the IP of a reverse name, the IP of a pod label."""

from __future__ import annotations

import ipaddress

import dns.exception
import dns.name
import dns.reversename

from rktnetes.dns.errors import BadDomain

Labels = tuple[str, ...]
IN_ADDR = dns.name.from_text("in-addr.arpa.")
IP6 = dns.name.from_text("ip6.arpa.")


def zone(domain: str) -> dns.name.Name:
    """The cluster domain as an absolute DNS name (``cluster.local`` -> ``cluster.local.``)."""
    try:
        name = dns.name.from_text(domain.strip().rstrip(".") + ".")
    except dns.exception.DNSException as exc:
        raise BadDomain(f"bad --domain {domain!r}: {exc}") from None
    if len(name.labels) < 2 or not domain.strip():
        raise BadDomain(f"bad --domain {domain!r}: a cluster domain needs at least one label")
    return name


def relative(qname: dns.name.Name, origin: dns.name.Name) -> Labels | None:
    """``qname``'s labels above ``origin``, lower case, or None when it is not under ``origin``."""
    if not qname.is_subdomain(origin):
        return None
    labels = qname.relativize(origin).labels if qname != origin else ()
    return tuple(label.decode("ascii", "replace").lower() for label in labels)


def reverse_ip(qname: dns.name.Name) -> str | None:
    """The address a complete in-addr.arpa / ip6.arpa name stands for (None for a partial or other name)."""
    try:
        if qname.is_subdomain(IN_ADDR) and len(qname.labels) == 7 or qname.is_subdomain(IP6) and len(qname.labels) == 35:
            return str(ipaddress.ip_address(dns.reversename.to_address(qname)))
    except (dns.exception.DNSException, ValueError):
        return None
    return None


def pod_ip(label: str) -> str | None:
    """The IP of a pod record's first label: ``10-244-1-5`` -> 10.244.1.5, ``fd00--5`` -> fd00::5; else None."""
    for text in (label.replace("-", "."), label.replace("-", ":")):
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            continue
    return None


def dashed(ip: str) -> str:
    """An IP as one DNS label: 10-0-0-1, 2001-db8--1."""
    return ip.replace(".", "-").replace(":", "-")

