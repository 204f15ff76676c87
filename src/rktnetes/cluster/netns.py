"""Entering a node's network namespace from this thread, for the probes ``rktnetes start`` runs there.

``setns(CLONE_NEWNET)`` moves only the calling thread, and sockets keep the namespace they were made in;
the CLI is single-threaded, so the main thread enters, makes its socket, talks and comes back.
"""

from __future__ import annotations

from pathlib import Path

from rktnetes.netns import entered


def resolve(path: Path, name: str, server: str, timeout: float = 1.0) -> list[str]:
    """The A records of ``name`` as ``server`` answers a query sent from inside the namespace at ``path``;
    [] when it does not answer in time or has no such name."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rdatatype

    query = dns.message.make_query(name, dns.rdatatype.A)
    try:
        with entered(path):
            answer = dns.query.udp(query, server, timeout=timeout)
    except (dns.exception.DNSException, OSError):
        return []
    return [r.address for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for r in rrset]
