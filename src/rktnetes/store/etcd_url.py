"""Parsing ``etcd://host:port[,host:port...][?cacert=CA&cert=CERT&key=KEY]`` store URLs.

With ``cacert`` (the CA that signed etcd's serving certificate) the store speaks HTTPS; ``cert`` and ``key``
add a client certificate for an etcd run with ``--client-cert-auth``. The names are etcdctl's flags.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs

from rktnetes.store import errors

_TLS_OPTIONS = ("cacert", "cert", "key")


@dataclass(frozen=True)
class Target:
    """Where and how to reach etcd."""

    endpoints: list[str]
    tls: ssl.SSLContext | None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"


def _bad(parts: SplitResult, why: str) -> errors.InvalidURL:
    return errors.InvalidURL(f"invalid etcd URL {parts.geturl()!r}: {why}")


def _endpoints(parts: SplitResult) -> list[str]:
    endpoints = [e.strip() for e in parts.netloc.split(",") if e.strip()]
    if not endpoints or parts.path.strip("/"):
        raise _bad(parts, "expected etcd://host:port[,host:port...]")
    for endpoint in endpoints:
        host, _, port = endpoint.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise _bad(parts, f"endpoint {endpoint!r} is not host:port")
    return endpoints


def _tls(parts: SplitResult) -> ssl.SSLContext | None:
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(options) - set(_TLS_OPTIONS)
    if unknown:
        raise _bad(parts, f"unknown option {sorted(unknown)[0]!r} (known: {', '.join(_TLS_OPTIONS)})")
    if not options:
        return None
    if "cacert" not in options or ("cert" in options) != ("key" in options):
        raise _bad(parts, "TLS needs cacert, and cert and key together")
    for name, path in options.items():
        if not os.path.isfile(path):
            raise _bad(parts, f"{name} file {path} does not exist")
    context = ssl.create_default_context(cafile=options["cacert"])
    if "cert" in options:
        context.load_cert_chain(options["cert"], options["key"])
    return context


def parse(parts: SplitResult) -> Target:
    """The endpoints and TLS settings of an ``etcd://`` URL; ``InvalidURL`` when malformed."""
    try:
        return Target(_endpoints(parts), _tls(parts))
    except (ssl.SSLError, ValueError) as exc:
        raise _bad(parts, str(exc)) from None
