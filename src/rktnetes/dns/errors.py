"""Sentinel errors of the cluster DNS server: each carries a one-line message meant for the user."""

from __future__ import annotations


class DnsError(Exception):
    """Base of every cluster DNS error."""


class BadAddress(DnsError):
    """A --listen or --upstream value that is not IP:PORT (or a resolv.conf without a usable nameserver)."""


class BadDomain(DnsError):
    """A --domain that is not a valid DNS name."""
