"""Sentinel errors of the proxy: each carries a one-line message meant for the user."""

from __future__ import annotations


class ProxyError(Exception):
    """Any failure of the proxy that the CLI reports as one line."""


class NamespaceError(ProxyError):
    """The network namespace to program is missing, or is the host's own (refused)."""


class RulesError(ProxyError):
    """``nft`` rejected a transaction (nothing of it was applied: transactions are atomic)."""


class ConntrackError(ProxyError):
    """``conntrack`` failed for another reason than finding nothing to delete."""
