"""Wire bytes in, wire bytes out, with a cache of whole answers keyed on the query's bytes.

Two queries whose bytes agree past the 2-byte ID, up to the letter case of the question's name (same type,
flags and EDNS options), get the same answer until the record index changes. So the answer's bytes are kept
and a hit only splices in the query's ID and its name as written: the name sits at the same offset and length
in the answer, and every other owner name refers back to it by a compression pointer, so the result is the
very bytes a fresh answer would have (resolvers that randomize case, DNS 0x20, check exactly this). The
cache is dropped whenever ``index.generation`` moves (any Service or EndpointSlice event), so it never serves
a stale answer; it is bounded and simply emptied when full.
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


def question_name_end(wire: bytes) -> int | None:
    """Where the only question's name ends in ``wire``; None unless it is one plain, well-formed name."""
    if wire[4:6] != b"\0\1":
        return None
    at = 12
    while at < len(wire) and 0 < wire[at] < 64:
        at += wire[at] + 1
    return at + 1 if at < len(wire) and wire[at] == 0 and at + 5 <= len(wire) else None


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
        end = question_name_end(wire)
        if end is None:
            return self._compute(wire, udp)
        key = (udp, wire[2:12] + wire[12:end].lower() + wire[end:])
        cached = self._cache.get(key)
        if cached is not None:
            return wire[:2] + cached[:10] + wire[12:end] + cached[end - 2:] if cached[2:4] == b"\0\1" \
                else wire[:2] + cached
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
