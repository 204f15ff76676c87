"""The pod's ``/etc/resolv.conf``: ``--dns*`` flags win over the CNI result's ``dns``, which wins over the
image's own file. ``--dns=host`` copies the host's file; ``--dns=none`` keeps the image's file untouched.
"""

from __future__ import annotations

import ipaddress

from rktnetes.rkt.networking.errors import NetSpecError
from rktnetes.rkt.records import Record

HOST, NONE = "host", "none"


class DnsOptions(Record, frozen=True):
    servers: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    domain: str = ""
    mode: str = ""

    @property
    def given(self) -> bool:
        return bool(self.servers or self.search or self.options or self.domain)


def parse_dns(servers: list[str] | None, search: list[str] | None = None, options: list[str] | None = None,
              domain: str | None = None) -> DnsOptions:
    """Validates the flags; ``host`` and ``none`` must stand alone as the only --dns value."""
    words = [w for s in servers or [] for w in s.split(",") if w]
    mode = ""
    if HOST in words or NONE in words:
        if len(words) != 1 or search or options or domain:
            raise NetSpecError(f"--dns={words[0] if len(words) == 1 else 'host|none'} cannot be combined with other DNS flags")
        mode, words = words[0], []
    for word in words:
        try:
            ipaddress.ip_address(word)
        except ValueError:
            raise NetSpecError(f"invalid --dns {word!r}: want an IP address, host or none") from None
    for word in [*(search or []), *(options or []), domain or ""]:
        if any(c.isspace() for c in word):
            raise NetSpecError(f"invalid DNS value {word!r}: no spaces allowed")
    return DnsOptions(tuple(words), tuple(search or ()), tuple(options or ()), domain or "", mode)


def resolv_conf(opts: DnsOptions, cni_dns: dict | None, host_text: str) -> str | None:
    """The file to write, or None to keep the image's own (``--dns=none``, or nothing to say)."""
    if opts.mode == HOST:
        return host_text
    if opts.mode == NONE:
        return None
    if opts.given:
        return _render(opts.servers, opts.search, opts.options, opts.domain)
    dns = cni_dns or {}
    if dns.get("nameservers"):
        return _render(dns["nameservers"], dns.get("search") or (), dns.get("options") or (), dns.get("domain", ""))
    return None


def _render(servers, search, options, domain) -> str:
    lines = ["# written by rkt"]
    lines += [f"nameserver {s}" for s in servers]
    if domain:
        lines.append(f"domain {domain}")
    if search:
        lines.append("search " + " ".join(search))
    if options:
        lines.append("options " + " ".join(options))
    return "\n".join(lines) + "\n"
