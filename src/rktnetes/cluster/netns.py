"""Entering a node's network namespace from this thread, for the probes ``rktnetes start`` runs there.

``setns(CLONE_NEWNET)`` moves only the calling thread, and sockets keep the namespace they were made in;
the CLI is single-threaded, so the main thread enters, makes its socket, talks and comes back.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator
from pathlib import Path

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int, what: str) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), f"setns {what}")


@contextlib.contextmanager
def entered(path: Path) -> Iterator[None]:
    """This thread in the network namespace at ``path`` for the block, back in its own after."""
    original = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(path, os.O_RDONLY)
        try:
            _setns(target, str(path))
        finally:
            os.close(target)
        yield
    finally:
        _setns(original, "back")
        os.close(original)


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
