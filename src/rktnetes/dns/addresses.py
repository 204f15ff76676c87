"""``IP:PORT`` arguments and the default upstream servers (the nameservers of /etc/resolv.conf)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from rktnetes.dns.errors import BadAddress

RESOLV_CONF = Path("/etc/resolv.conf")
DNS_PORT = 53


def parse(text: str, default_port: int = DNS_PORT) -> tuple[str, int]:
    """``10.0.0.1:53``, ``10.0.0.1``, ``[fd00::1]:53`` or ``fd00::1`` as (ip, port)."""
    host, port = text.strip(), str(default_port)
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif host.count(":") == 1:
        host, port = host.split(":")
    try:
        ip = str(ipaddress.ip_address(host))
        number = int(port)
    except ValueError:
        raise BadAddress(f"bad address {text!r}: want IP:PORT") from None
    if not 0 <= number <= 65535:
        raise BadAddress(f"bad address {text!r}: port out of range")
    return ip, number


def resolv_conf_nameservers(path: Path = RESOLV_CONF) -> list[tuple[str, int]]:
    """The ``nameserver`` lines of a resolv.conf, in order (an unreadable file has none)."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    servers = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                servers.append(parse(fields[1]))
            except BadAddress:
                continue
    return servers
