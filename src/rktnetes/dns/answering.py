"""A parsed query in, a response message out: header flags, rcode, sections, TTLs, the SOA of negative answers.

``answer()`` returns None for a question that is not ours, which the server then forwards upstream.
"""

from __future__ import annotations

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
from dns.rdataclass import IN
from dns.rdatatype import SOA

from rktnetes.dns import soa
from rktnetes.dns.lookup import RR, Lookup

EDNS_PAYLOAD = 1232  # what we advertise: the size that avoids IP fragmentation (DNS flag day 2020)


def _add(message: dns.message.Message, section: list, records: list[RR], ttl: int) -> None:
    for name, rdtype, rdata in records:
        message.find_rrset(section, name, IN, rdtype, create=True).add(rdata, ttl)


def error(query: dns.message.Message, rcode: int) -> dns.message.Message:
    """A response to ``query`` carrying only ``rcode`` (FORMERR, SERVFAIL, NOTIMP, REFUSED)."""
    response = dns.message.make_response(query, our_payload=EDNS_PAYLOAD)
    response.set_rcode(rcode)
    return response


class Answerer:
    def __init__(self, lookup: Lookup, origin: dns.name.Name, ttl: int = soa.DEFAULT_TTL) -> None:
        self.lookup, self.origin, self.ttl = lookup, origin, ttl
        self._soa = soa.rdata(origin, ttl)

    def answer(self, query: dns.message.Message) -> dns.message.Message | None:
        """The response to ``query``, or None when it asks about a name we do not serve."""
        if query.opcode() != dns.opcode.QUERY:
            return error(query, dns.rcode.NOTIMP)
        if len(query.question) != 1:
            return error(query, dns.rcode.FORMERR)
        question = query.question[0]
        if question.rdclass != IN:
            return error(query, dns.rcode.REFUSED)
        result = self.lookup.resolve(question.name, question.rdtype)
        if result.forward:
            return None
        response = dns.message.make_response(query, our_payload=EDNS_PAYLOAD)
        response.flags |= dns.flags.AA
        response.set_rcode(result.rcode)
        _add(response, response.answer, result.answer, self.ttl)
        _add(response, response.additional, result.additional, self.ttl)
        if not result.answer:
            _add(response, response.authority, [(self.origin, SOA, self._soa)], self.ttl)
        return response
