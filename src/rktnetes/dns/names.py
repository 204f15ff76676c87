"""Reading query names: the cluster domain, the IP of a reverse name, the IP of a pod label."""

from __future__ import annotations

import ipaddress
import socket

from rktnetes.dns.errors import BadDomain
from rktnetes.dns.wire import Labels

_LABEL_MAX, _NAME_MAX = 63, 253


def zone(domain: str) -> Labels:
    """The cluster domain as lower-case labels (``cluster.local`` -> ("cluster", "local"))."""
    labels = tuple(domain.strip().lower().rstrip(".").split("."))
    valid = all(0 < len(label) <= _LABEL_MAX and label.isascii() and label.isprintable() for label in labels)
    if not valid or len(domain.strip().rstrip(".")) > _NAME_MAX:
        raise BadDomain(f"bad --domain {domain!r}: want a DNS name like cluster.local")
    return labels


def reverse_ip(qname: Labels) -> str | None:
    """The address a complete in-addr.arpa / ip6.arpa name stands for (None for a partial or other name)."""
    if qname[-2:] == ("in-addr", "arpa") and len(qname) == 6:
        text = ".".join(reversed(qname[:4]))
    elif qname[-2:] == ("ip6", "arpa") and len(qname) == 34 and all(len(n) == 1 for n in qname[:32]):
        nibbles = "".join(reversed(qname[:32]))
        text = ":".join(nibbles[i:i + 4] for i in range(0, 32, 4))
    else:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def pod_ip(label: str) -> str | None:
    """The IP of a pod record's first label: ``10-244-1-5`` -> 10.244.1.5, ``fd00--5`` -> fd00::5; else None."""
    for family, text in ((socket.AF_INET, label.replace("-", ".")), (socket.AF_INET6, label.replace("-", ":"))):
        try:
            return socket.inet_ntop(family, socket.inet_pton(family, text))
        except (OSError, ValueError):  # not an address; a NUL byte in the label is a ValueError
            continue
    return None


def dashed(ip: str) -> str:
    """An IP as one DNS label: 10-0-0-1, 2001-db8--1."""
    return ip.replace(".", "-").replace(":", "-")
