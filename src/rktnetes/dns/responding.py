"""Wire bytes in, wire bytes out, with a cache of whole answers keyed on the query's bytes.

Two queries whose bytes agree past the 2-byte ID, up to the letter case of the question's name (same type,
flags and EDNS options), get the same answer until the record index changes. So the answer's bytes are kept
and a hit only splices in the query's ID and its name as written: the name sits at the same offset and length
in the answer, every owner name refers back to it by a compression pointer and names inside records are
written whole, so the result is the very bytes a fresh answer would have (resolvers that randomize case, DNS 0x20, check exactly this). The
cache is dropped whenever ``index.generation`` moves (any Service or EndpointSlice event), so it never serves
a stale answer; it is bounded and simply emptied when full. A question found not to be ours is remembered as
such, so a forwarded name is looked up once per index change, not once per query.
"""

from __future__ import annotations

import dns.exception
import dns.message
import dns.rcode

from rktnetes.dns import answering, wire
from rktnetes.dns.answering import Answerer
from rktnetes.dns.indexing import RecordIndex

CACHE_ENTRIES = 10000


def question_name_end(query: bytes) -> int | None:
    """Where the only question's name ends in ``query``; None unless it is one plain, well-formed name."""
    if query[4:6] != b"\0\1":
        return None
    end = wire._name_end(query, 12)
    return end if end > 0 and end + 4 <= len(query) else None


FORWARD = b"forward"  # cached for a question that is not ours (never a real answer: those are 12+ bytes)


class Responder:
    def __init__(self, answerer: Answerer, index: RecordIndex) -> None:
        self.answerer, self.index = answerer, index
        self._cache: dict[tuple[bool, bytes], bytes] = {}
        self._generation = -1

    def respond(self, query: bytes, udp: bool) -> bytes | None:
        """The answer's bytes (empty: drop the query), or None when the query must be forwarded upstream."""
        if self._generation != self.index.generation:
            self._cache.clear()
            self._generation = self.index.generation
        end = question_name_end(query)
        if end is None:
            return self.answerer.answer(query, udp)
        key = (udp, query[2:12] + query[12:end].lower() + query[end:])
        cached = self._cache.get(key)
        if cached is FORWARD:
            return None
        if cached is not None:
            return query[:2] + cached[:10] + query[12:end] + cached[end - 2:] if cached[2:4] == b"\0\1" \
                else query[:2] + cached
        answer = self.answerer.answer(query, udp)
        if answer is None or answer:
            self._remember(key, FORWARD if answer is None else answer[2:])
        return answer

    def _remember(self, key: tuple[bool, bytes], value: bytes) -> None:
        if len(self._cache) >= CACHE_ENTRIES:
            self._cache.clear()
        self._cache[key] = value


def servfail(query: bytes) -> bytes:
    """SERVFAIL for ``query`` (what a client gets when no upstream server answered)."""
    try:
        return answering.error(dns.message.from_wire(query), dns.rcode.SERVFAIL)
    except dns.exception.DNSException:
        return answering.header_error(query, dns.rcode.SERVFAIL)
