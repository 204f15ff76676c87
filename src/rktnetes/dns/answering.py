"""Query bytes in, answer bytes out: the question read, resolved by ``lookup``, the answer written.

A plain query (one question, at most an OPT record: nearly all traffic) is read and written by ``wire``;
anything else is parsed by dnspython, which either gives a question to answer the same way or says what is
wrong with the query (FORMERR, NOTIMP). ``answer()`` returns None for a question that is not ours, which the
server then forwards upstream.
"""

from __future__ import annotations

import struct

import dns.exception
import dns.message
import dns.opcode
import dns.rcode

from rktnetes.dns import soa, wire
from rktnetes.dns.lookup import SOA, Lookup
from rktnetes.dns.wire import Labels, Question, Record

EDNS_PAYLOAD = 1232  # what we advertise: the size that avoids IP fragmentation (DNS flag day 2020)
UDP_PLAIN = 512  # a UDP answer's limit without EDNS0 (RFC 1035)
UDP_MAX = 4096  # the most we send over UDP whatever a client advertises
TCP_MAX = 65535
IN = 1


def header_error(query: bytes, rcode: int) -> bytes:
    """A bare response header for a query too broken to parse (empty when not even its header is there)."""
    if len(query) < 12:
        return b""
    flags = wire.QR | (struct.unpack("!H", query[2:4])[0] & 0x7900) | rcode  # QR, keep opcode and RD
    return query[:2] + struct.pack("!HHHHH", flags, 0, 0, 0, 0)


def error(query: dns.message.Message, rcode: int) -> bytes:
    """A response to ``query`` carrying only ``rcode`` (FORMERR, SERVFAIL, NOTIMP, REFUSED)."""
    response = dns.message.make_response(query, our_payload=EDNS_PAYLOAD)
    response.set_rcode(rcode)
    return response.to_wire()


def size_limit(question: Question, udp: bool) -> int:
    """How big the answer may be: over UDP the client's EDNS0 buffer size (at least 512), else 512."""
    if not udp:
        return TCP_MAX
    return min(max(question.payload, UDP_PLAIN), UDP_MAX) if question.edns else UDP_PLAIN


def _question_of(message: dns.message.Message) -> Question:
    q = message.question[0]
    name = q.name.to_wire()
    return Question(message.id, message.flags, wire.labels_of(name.lower()), name, q.rdtype, q.rdclass,
                    message.edns >= 0, message.payload if message.edns >= 0 else 0)


class Answerer:
    def __init__(self, lookup: Lookup, origin: Labels, ttl: int = soa.DEFAULT_TTL) -> None:
        self.lookup, self.ttl = lookup, ttl
        self._soa = [Record(origin, SOA, soa.rdata(origin, ttl))]

    def answer(self, query: bytes, udp: bool) -> bytes | None:
        """The answer's bytes (empty: drop the query), or None when it asks about a name we do not serve."""
        question = wire.parse(query)
        if question is None:
            try:
                message = dns.message.from_wire(query)
            except dns.exception.DNSException:
                return header_error(query, dns.rcode.FORMERR)
            if message.flags & wire.QR:
                return b""  # a response sent to us: never answer one
            if message.opcode() != dns.opcode.QUERY:
                return error(message, dns.rcode.NOTIMP)
            if len(message.question) != 1:
                return error(message, dns.rcode.FORMERR)
            question = _question_of(message)
        return self._resolve(question, size_limit(question, udp))

    def _resolve(self, question: Question, limit: int) -> bytes | None:
        if question.qclass != IN:
            return wire.response(question, dns.rcode.REFUSED, ([], [], []), self.ttl, limit, EDNS_PAYLOAD, False)
        result = self.lookup.resolve(question.labels, question.qtype)
        if result.forward:
            return None
        sections = (result.answer, [] if result.answer else self._soa, result.additional)
        return wire.response(question, result.rcode, sections, self.ttl, limit, EDNS_PAYLOAD)
