"""The pod's ``/etc/hosts``: ``--hosts-entry IP=NAME`` entries, ``--hosts-entry=host`` (the host's file),
the image's own file when no flag is given, or a fallback with localhost and the pod's hostname.
"""

from __future__ import annotations

import ipaddress
import re

from rktnetes.rkt.networking.errors import NetSpecError

HOST = "host"
_NAME = r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"  # compiled by re on first use: most pod starts never need it


def parse_entries(values: list[str] | None) -> list[tuple[str, str]]:
    """``IP=NAME`` pairs in order; ``host`` stands alone and becomes [("host", "")]."""
    values = [v for v in values or [] if v]
    if HOST in values:
        if len(values) != 1:
            raise NetSpecError("--hosts-entry=host cannot be combined with other entries")
        return [(HOST, "")]
    entries = []
    for value in values:
        address, sep, name = value.partition("=")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise NetSpecError(f"invalid --hosts-entry {value!r}: want IP=HOSTNAME or host") from None
        if not sep or not re.match(_NAME, name):
            raise NetSpecError(f"invalid --hosts-entry {value!r}: want IP=HOSTNAME or host")
        entries.append((address, name))
    return entries


def hosts_file(entries: list[tuple[str, str]], hostname: str, host_text: str, image_text: str | None) -> str:
    """The file to write into the pod's rootfs."""
    if entries == [(HOST, "")]:
        return host_text
    if not entries and image_text is not None:
        return image_text
    lines = ["# written by rkt", "127.0.0.1\tlocalhost localhost.localdomain", "::1\tlocalhost ip6-localhost"]
    if hostname:
        lines.append(f"127.0.1.1\t{hostname}")
    grouped: dict[str, list[str]] = {}
    for address, name in entries:
        grouped.setdefault(address, []).append(name)
    lines += [f"{address}\t{' '.join(names)}" for address, names in grouped.items()]
    return "\n".join(lines) + "\n"
