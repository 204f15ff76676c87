"""Wire bytes in, wire bytes out, with a cache of whole answers keyed on the query's bytes.

Two queries whose bytes agree past the 2-byte ID (same name in the same letter case, type, flags and EDNS
options) get the same answer until the record index changes, so the answer's bytes are kept and only the
ID is swapped in. The cache is dropped whenever ``index.generation`` moves (any Service or EndpointSlice
event), so it never serves a stale answer; it is bounded and simply emptied when full.
"""

from __future__ import annotations

import struct

import dns.exception
import dns.message
import dns.rcode

from rktnetes.dns import answering
from rktnetes.dns.answering import Answerer
from rktnetes.dns.indexing import RecordIndex

UDP_PLAIN = 512  # a UDP answer's limit without EDNS0 (RFC 1035)
UDP_MAX = 4096  # the most we send over UDP whatever a client advertises
TCP_MAX = 65535
CACHE_ENTRIES = 10000


def udp_limit(query: dns.message.Message) -> int:
    """How big a UDP answer to ``query`` may be: its EDNS0 buffer size (at least 512), else 512."""
    return min(max(query.payload, UDP_PLAIN), UDP_MAX) if query.edns >= 0 else UDP_PLAIN


def header_error(wire: bytes, rcode: int) -> bytes:
    """A bare response header for a query too broken to parse (empty when not even its header is there)."""
    if len(wire) < 12:
        return b""
    flags = 0x8000 | (struct.unpack("!H", wire[2:4])[0] & 0x7900) | rcode  # QR, keep opcode and RD
    return wire[:2] + struct.pack("!HHHHH", flags, 0, 0, 0, 0)


class Responder:
    def __init__(self, answerer: Answerer, index: RecordIndex) -> None:
        self.answerer, self.index = answerer, index
        self._cache: dict[tuple[bool, bytes], bytes] = {}
        self._generation = -1

    def respond(self, wire: bytes, udp: bool) -> bytes | None:
        """The answer's bytes (empty: drop the query), or None when the query must be forwarded upstream."""
        if self._generation != self.index.generation:
            self._cache.clear()
            self._generation = self.index.generation
        key = (udp, wire[2:])
        cached = self._cache.get(key)
        if cached is not None:
            return wire[:2] + cached
        answer = self._compute(wire, udp)
        if answer:
            if len(self._cache) >= CACHE_ENTRIES:
                self._cache.clear()
            self._cache[key] = answer[2:]
        return answer

    def _compute(self, wire: bytes, udp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return header_error(wire, dns.rcode.FORMERR)
        response = self.answerer.answer(query)
        if response is None:
            return None
        return response.to_wire(max_size=udp_limit(query) if udp else TCP_MAX, prefer_truncation=True)


def servfail(wire: bytes) -> bytes:
    """SERVFAIL for ``wire`` (what a client gets when no upstream server answered)."""
    try:
        return answering.error(dns.message.from_wire(wire), dns.rcode.SERVFAIL).to_wire()
    except dns.exception.DNSException:
        return header_error(wire, dns.rcode.SERVFAIL)
